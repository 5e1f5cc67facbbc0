import type { AggregatedPrincipal } from './principal';
import { confirmsMfa, contradictsRegistration, type SignInFinding } from './verification';

/**
 * A principal's compliance, as MFA Shepherd understands it:
 * - nonCompliant: Partner Center lists non-MFA requests and we have no verified registration since.
 * - verificationPending: Graph confirmed MFA registration at `mfaRegisteredAt`; compliant as soon as a
 *   sync shows no non-MFA request after that time.
 * - compliant: resolved, either verified (`verified`) or no longer listed by Partner Center (`notListed`).
 * New non-MFA requests after resolution make the principal non-compliant again, in a new episode.
 */
export type ComplianceStatus = 'nonCompliant' | 'verificationPending' | 'compliant';
export type Resolution = 'verified' | 'notListed';

export type VerificationOutcome = 'registered' | 'notRegistered' | 'unavailable';
export type VerificationSource = 'registrationDetails' | 'authenticationMethods' | 'none';

export interface Verification {
  checkedAt: Date;
  outcome: VerificationOutcome;
  source: VerificationSource;
  methods: string[];
  /** Stable error code when the check could not be made (e.g. GRAPH_NOT_PREMIUM). */
  errorCode?: string;
  /** What the user's recent sign-ins show; absent on checks made before sign-ins were read. */
  signIns?: SignInFinding;
  /** The user's domain when it is federated: MFA happens at their identity provider. */
  federatedDomain?: string;
}

/**
 * Whether a check proves what Partner Center wants: a sign-in that carried MFA; or a registration
 * that no sign-in contradicts (none since, or the logs cannot be read without Entra ID P1/P2).
 */
export function verificationSucceeded(v: Pick<Verification, 'outcome' | 'signIns'>): boolean {
  if (confirmsMfa(v.signIns)) return true;
  return v.outcome === 'registered' && !contradictsRegistration(v.signIns);
}

export interface Principal {
  tenantId: string;
  objectId: string;
  upn: string;
  status: ComplianceStatus;
  /** First time MFA Shepherd ever saw this principal listed. */
  firstDetectedAt: Date;
  /** Increments each time the principal becomes non-compliant (again); 1 at first detection. */
  episode: number;
  episodeStartedAt: Date;
  /** From the latest sync that listed the principal. */
  recordCount: number;
  firstNonMfaAt: Date;
  lastNonMfaAt: Date;
  mfaRegisteredAt?: Date;
  lastVerification?: Verification;
  resolvedAt?: Date;
  resolution?: Resolution;
  /** Storage concurrency token; absent for a principal not stored yet. */
  etag?: string;
}

export type SyncChange = 'new' | 'reappeared' | 'updated' | 'resolved' | 'unchanged';

export interface SyncTransition {
  next: Principal;
  change: SyncChange;
}

function sameInstant(a: Date | undefined, b: Date | undefined): boolean {
  return (a?.getTime() ?? -1) === (b?.getTime() ?? -1);
}

/** Whether a sync saw anything about a principal that differs from what is stored. */
function seenChanged(current: Principal, listed: AggregatedPrincipal): boolean {
  return (
    (listed.upn !== '' && listed.upn !== current.upn) ||
    listed.recordCount !== current.recordCount ||
    !sameInstant(listed.firstNonMfaAt, current.firstNonMfaAt) ||
    !sameInstant(listed.lastNonMfaAt, current.lastNonMfaAt)
  );
}

/** A principal seen for the first time. */
export function detectPrincipal(listed: AggregatedPrincipal, syncAt: Date): Principal {
  return {
    tenantId: listed.tenantId,
    objectId: listed.objectId,
    upn: listed.upn,
    status: 'nonCompliant',
    firstDetectedAt: syncAt,
    episode: 1,
    episodeStartedAt: syncAt,
    recordCount: listed.recordCount,
    firstNonMfaAt: listed.firstNonMfaAt,
    lastNonMfaAt: listed.lastNonMfaAt,
  };
}

/**
 * Apply one sync's view of a known principal. `listed` is undefined when Partner Center no longer
 * lists the principal (no non-MFA request in its 7-day window).
 */
export function applySync(
  current: Principal,
  listed: AggregatedPrincipal | undefined,
  syncAt: Date,
): SyncTransition {
  if (!listed) {
    if (current.status === 'compliant') return { next: current, change: 'unchanged' };
    const resolution: Resolution = current.status === 'verificationPending' ? 'verified' : 'notListed';
    return {
      next: { ...current, status: 'compliant', resolvedAt: syncAt, resolution, recordCount: 0 },
      change: 'resolved',
    };
  }

  const seen = {
    upn: listed.upn || current.upn,
    recordCount: listed.recordCount,
    firstNonMfaAt: listed.firstNonMfaAt,
    lastNonMfaAt: listed.lastNonMfaAt,
  };
  const newest = Math.max(current.lastNonMfaAt.getTime(), current.mfaRegisteredAt?.getTime() ?? 0);
  const hasNewRequest = listed.lastNonMfaAt.getTime() > newest;

  switch (current.status) {
    case 'nonCompliant':
      return { next: { ...current, ...seen }, change: seenChanged(current, listed) ? 'updated' : 'unchanged' };
    case 'verificationPending': {
      const registeredAt = current.mfaRegisteredAt?.getTime() ?? 0;
      if (listed.lastNonMfaAt.getTime() > registeredAt) {
        // Registered, yet still signing in or calling the API without MFA: back to non-compliant.
        return { next: { ...current, ...seen, status: 'nonCompliant' }, change: 'updated' };
      }
      return {
        next: { ...current, ...seen, status: 'compliant', resolvedAt: syncAt, resolution: 'verified' },
        change: 'resolved',
      };
    }
    case 'compliant': {
      if (!hasNewRequest && current.resolution === 'notListed') {
        // Resolved only because a sync did not list them, and now listed again with no newer
        // request: that earlier listing was incomplete (Partner Center's window cannot bring
        // back records that aged out). Undo the resolution; same episode, no second notice.
        return {
          next: { ...current, ...seen, status: 'nonCompliant', resolvedAt: undefined, resolution: undefined },
          change: 'updated',
        };
      }
      if (!hasNewRequest) {
        return { next: { ...current, ...seen }, change: seenChanged(current, listed) ? 'updated' : 'unchanged' };
      }
      return {
        next: {
          ...current,
          ...seen,
          status: 'nonCompliant',
          episode: current.episode + 1,
          episodeStartedAt: syncAt,
          resolvedAt: undefined,
          resolution: undefined,
          mfaRegisteredAt: undefined,
        },
        change: 'reappeared',
      };
    }
  }
}

/** Record a Graph check (registration and sign-ins) made at `verification.checkedAt`. */
export function applyVerification(current: Principal, verification: Verification): Principal {
  const next: Principal = { ...current, lastVerification: verification };
  if (!verificationSucceeded(verification)) return next;
  if (current.status === 'nonCompliant') {
    return { ...next, status: 'verificationPending', mfaRegisteredAt: verification.checkedAt };
  }
  return next;
}

/** Graph authentication method types that provide a second factor (password and email do not). */
const MFA_METHOD_TYPES = new Set([
  'microsoftauthenticatorauthenticationmethod',
  'phoneauthenticationmethod',
  'fido2authenticationmethod',
  'softwareoathauthenticationmethod',
  'windowshelloforbusinessauthenticationmethod',
  'platformcredentialauthenticationmethod',
  'hardwareoathauthenticationmethod',
]);

/** Whether a list of Graph `@odata.type` values contains a method usable for MFA. */
export function methodsProvideMfa(odataTypes: readonly string[]): boolean {
  return odataTypes.some((t) => MFA_METHOD_TYPES.has(t.replace(/^#?microsoft\.graph\./i, '').toLowerCase()));
}

/** Whether a principal still needs attention from MFA Shepherd. */
export function needsAction(p: Pick<Principal, 'status'>): boolean {
  return p.status !== 'compliant';
}
