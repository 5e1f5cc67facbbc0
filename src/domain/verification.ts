/**
 * What Partner Center checks is not "a method is registered" but "sign-ins and tokens carry MFA".
 * This module reads a user's recent Entra sign-ins (Graph `auditLogs/signIns`, already mapped to
 * plain records) and says whether MFA was actually performed, satisfied by a claim, or missing.
 *
 * Entra's wording, as the sign-in logs write it (matched case-insensitively, by substring, since
 * Microsoft words these as free text and adds variants):
 * - `authenticationRequirement`: `singleFactorAuthentication` / `multiFactorAuthentication`. Microsoft
 *   warns it does not account for a previously satisfied MFA claim, so the steps decide.
 * - `authenticationDetails[].authenticationStepResultDetail`: "MFA successfully completed", "MFA
 *   completed in Azure AD", "MFA requirement satisfied by claim in the token" (MFA done earlier,
 *   carried in the token), "MFA requirement satisfied by claim provided by external provider" (a
 *   federated or third-party identity provider did the MFA), "First factor requirement satisfied
 *   by claim in the token" (NOT MFA).
 * - `authenticationDetails[].authenticationMethod`: "Password", "Previously satisfied", "Text
 *   message", "Mobile app notification", "FIDO2 security key", "Windows Hello for Business", ...
 * - `mfaDetail` (beta only): `authMethod`, `authDetail`.
 * Pure: no I/O, no clock of its own.
 */

export type AuthenticationRequirement = 'singleFactorAuthentication' | 'multiFactorAuthentication' | 'unknown';

export interface SignInStep {
  method: string;
  succeeded: boolean;
  /** "Primary authentication", "Multifactor authentication" (free text). */
  requirement?: string;
  /** Why the step succeeded or failed (free text, see above). */
  resultDetail?: string;
}

/** One Entra sign-in of the user, as the Graph client maps it. */
export interface SignInRecord {
  id: string;
  createdAt: Date;
  appDisplayName: string;
  requirement: AuthenticationRequirement;
  /** `status.errorCode === 0`. Failed sign-ins prove nothing and are ignored. */
  succeeded: boolean;
  steps: SignInStep[];
  /** From beta's `mfaDetail`, when the configured path returns it. */
  mfaDetail?: { authMethod?: string; authDetail?: string };
}

/** How one sign-in met (or did not meet) MFA. */
export type SignInMfa =
  | { kind: 'performed'; method?: string }
  | { kind: 'tokenClaim' }
  | { kind: 'providerClaim' }
  | { kind: 'none' };

/** What the recent sign-ins show, newest first. Instants are UTC. */
export type SignInFinding =
  /** The newest sign-in performed MFA (method as Entra names it, when it does). */
  | { kind: 'mfaPerformed'; at: Date; app: string; method?: string }
  /** The newest sign-in reused MFA done earlier (the claim in the token): Partner Center accepts that. */
  | { kind: 'mfaFromToken'; at: Date; app: string }
  /** The newest sign-in's MFA came from a federated or third-party provider's claim. */
  | { kind: 'mfaFromProvider'; at: Date; app: string }
  /** The newest `count` sign-ins had a single factor only (at most `considered`). */
  | { kind: 'singleFactor'; count: number; lastAt: Date; apps: string[]; lastMfaAt?: Date }
  /** No successful sign-in after `since`. */
  | { kind: 'noSignIns'; since: Date }
  /** Sign-in logs could not be read (GRAPH_NOT_PREMIUM without Entra ID P1/P2, GRAPH_FORBIDDEN, ...). */
  | { kind: 'unavailable'; errorCode: string };

export type SignInFindingKind = SignInFinding['kind'];

/**
 * Sign-ins came back without `authenticationRequirement`, `authenticationDetails` or `mfaDetail`
 * (an endpoint version that lacks them): they cannot tell MFA from a password, so they say nothing.
 */
export const SIGN_INS_WITHOUT_DETAILS = 'SIGN_INS_WITHOUT_DETAILS';

const MFA_CONFIRMED: ReadonlySet<SignInFindingKind> = new Set(['mfaPerformed', 'mfaFromToken', 'mfaFromProvider']);

/** Whether the sign-ins show MFA (performed or satisfied by a claim). */
export function confirmsMfa(finding: SignInFinding | undefined): boolean {
  return finding !== undefined && MFA_CONFIRMED.has(finding.kind);
}

/** Whether the sign-ins contradict a registration: the user signs in without MFA. */
export function contradictsRegistration(finding: SignInFinding | undefined): boolean {
  return finding?.kind === 'singleFactor';
}

const has = (text: string | undefined, needle: string): boolean => (text ?? '').toLowerCase().includes(needle);

/** Step methods that are not a second factor by themselves. */
const NOT_A_FACTOR = ['password', 'previously satisfied', 'satisfied by token', 'email'];
/** Methods that satisfy MFA in one step (phishing-resistant, passwordless). */
const ONE_STEP_MFA = ['fido2', 'passkey', 'windows hello', 'x.509', 'certificate', 'phone sign-in', 'passwordless'];

function isMfaStep(step: SignInStep): boolean {
  return has(step.requirement, 'multifactor') || has(step.requirement, 'multi-factor') || has(step.resultDetail, 'mfa');
}

function hasDetails(s: SignInRecord): boolean {
  return s.requirement !== 'unknown' || s.steps.length > 0 || s.mfaDetail !== undefined;
}

/** How a single successful sign-in met MFA. */
export function classifySignIn(signIn: SignInRecord): SignInMfa {
  const ok = signIn.steps.filter((s) => s.succeeded);
  const details = [...ok.map((s) => s.resultDetail), signIn.mfaDetail?.authDetail];
  if (details.some((d) => has(d, 'satisfied by claim provided by external provider'))) return { kind: 'providerClaim' };
  if (details.some((d) => has(d, 'mfa requirement satisfied by claim in the token'))) return { kind: 'tokenClaim' };

  const performed = ok.find((s) => {
    const method = s.method.toLowerCase();
    if (NOT_A_FACTOR.some((m) => method.startsWith(m))) return false;
    return isMfaStep(s) || ONE_STEP_MFA.some((m) => method.includes(m));
  });
  if (performed) return { kind: 'performed', method: performed.method };
  const beta = signIn.mfaDetail?.authMethod?.trim();
  if (beta) return { kind: 'performed', method: beta };
  // MFA required and the sign-in succeeded, yet no step says how: Entra satisfied it somehow.
  if (signIn.requirement === 'multiFactorAuthentication' && ok.length === 0) return { kind: 'performed' };
  return { kind: 'none' };
}

export interface EvaluateSignInsOptions {
  /** Only sign-ins strictly after this instant count (e.g. Partner Center's last non-MFA request). */
  since: Date;
  /** At most this many of the newest sign-ins are looked at (default 10). */
  consider?: number;
}

/** What the sign-ins after `since` show, the newest deciding. */
export function evaluateSignIns(signIns: readonly SignInRecord[], options: EvaluateSignInsOptions): SignInFinding {
  const after = signIns.filter((s) => s.succeeded && s.createdAt.getTime() > options.since.getTime());
  const readable = after.filter(hasDetails);
  if (after.length > 0 && readable.length === 0) return { kind: 'unavailable', errorCode: SIGN_INS_WITHOUT_DETAILS };
  const recent = readable
    .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime())
    .slice(0, options.consider ?? 10);
  const newest = recent[0];
  if (newest === undefined) return { kind: 'noSignIns', since: options.since };

  const mfa = classifySignIn(newest);
  switch (mfa.kind) {
    case 'performed':
      return { kind: 'mfaPerformed', at: newest.createdAt, app: newest.appDisplayName, ...(mfa.method ? { method: mfa.method } : {}) };
    case 'tokenClaim':
      return { kind: 'mfaFromToken', at: newest.createdAt, app: newest.appDisplayName };
    case 'providerClaim':
      return { kind: 'mfaFromProvider', at: newest.createdAt, app: newest.appDisplayName };
    case 'none': {
      const lastMfa = recent.findIndex((s) => classifySignIn(s).kind !== 'none');
      const run = lastMfa === -1 ? recent : recent.slice(0, lastMfa);
      const apps = [...new Set(run.map((s) => s.appDisplayName).filter((a) => a !== ''))].slice(0, 3);
      const mfaAt = lastMfa === -1 ? undefined : recent[lastMfa]?.createdAt;
      return { kind: 'singleFactor', count: run.length, lastAt: newest.createdAt, apps, ...(mfaAt ? { lastMfaAt: mfaAt } : {}) };
    }
  }
}

/** Partner Center's window: sign-ins older than this say nothing about today's listing. */
export const SIGN_IN_LOOKBACK_DAYS = 7;

/**
 * From when sign-ins count: after the last non-MFA request Partner Center listed (older sign-ins
 * are what got the user listed), but never more than the 7-day window back from `now`.
 */
export function signInsSince(now: Date, lastNonMfaAt: Date | undefined): Date {
  const windowStart = now.getTime() - SIGN_IN_LOOKBACK_DAYS * 24 * 3600 * 1000;
  return new Date(Math.max(windowStart, lastNonMfaAt?.getTime() ?? windowStart));
}

/** A user's sign-in domain from their UPN (lower case), or undefined when it has none. */
export function upnDomain(upn: string | undefined): string | undefined {
  const at = upn?.lastIndexOf('@') ?? -1;
  if (upn === undefined || at < 1 || at === upn.length - 1) return undefined;
  return upn.slice(at + 1).trim().toLowerCase();
}
