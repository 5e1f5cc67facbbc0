import { createHash } from 'node:crypto';
import { SandboxError } from './types';

/**
 * Entra sign-ins of the sandbox's users (Graph `auditLogs/signIns`) and the tenant's domains
 * (Graph `domains`). The wording of `authenticationDetails` follows Entra's sign-in logs.
 */

export const SIGN_IN_KINDS = ['mfa', 'tokenClaim', 'providerClaim', 'passwordOnly', 'failed'] as const;
/**
 * - mfa: password, then MFA performed in Entra (method default "Mobile app notification");
 * - tokenClaim: MFA done earlier, reused from the token ("MFA requirement satisfied by claim in the token");
 * - providerClaim: a federated / third-party provider did MFA and passed the claim;
 * - passwordOnly: a single factor (no MFA);
 * - failed: a wrong password (errorCode 50126).
 */
export type SignInKind = (typeof SIGN_IN_KINDS)[number];

export interface SignInSpec {
  kind: SignInKind;
  /** ISO instant; default: the sandbox's now. */
  at?: string;
  /** Default "Microsoft Partner Center". */
  app?: string;
  /** mfa: the second factor as Entra names it (default "Mobile app notification"). */
  method?: string;
}

export interface StoredSignIn {
  id: string;
  userId: string;
  userPrincipalName: string;
  at: string;
  app: string;
  kind: SignInKind;
  method?: string;
}

export interface SandboxDomain {
  id: string;
  authenticationType: 'Managed' | 'Federated';
  isVerified: boolean;
  isDefault: boolean;
}

export class SignInLog {
  private entries: StoredSignIn[] = [];

  clear(): void {
    this.entries = [];
  }

  add(user: { objectId: string; userPrincipalName: string }, spec: SignInSpec, now: Date): StoredSignIn {
    const at = spec.at === undefined ? now : new Date(spec.at);
    if (Number.isNaN(at.getTime())) throw new SandboxError('invalid_request', `at: not an instant: ${spec.at ?? ''}`, 400);
    const seq = this.entries.length;
    const hex = createHash('sha1').update(`${user.objectId}/${at.toISOString()}/${spec.kind}/${seq}`).digest('hex');
    const entry: StoredSignIn = {
      id: `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`,
      userId: user.objectId,
      userPrincipalName: user.userPrincipalName,
      at: at.toISOString(),
      app: spec.app ?? 'Microsoft Partner Center',
      kind: spec.kind,
      ...(spec.method === undefined ? {} : { method: spec.method }),
    };
    this.entries.push(entry);
    return entry;
  }

  /** The user's sign-ins at or after `since`, newest first. */
  forUser(userId: string, since?: Date): StoredSignIn[] {
    return this.entries
      .filter((e) => e.userId.toLowerCase() === userId.toLowerCase() && (since === undefined || Date.parse(e.at) >= since.getTime()))
      .sort((a, b) => Date.parse(b.at) - Date.parse(a.at));
  }

  count(): number {
    return this.entries.length;
  }
}

type Step = [method: string, succeeded: boolean, requirement: string, resultDetail: string];

const PRIMARY = 'Primary authentication';
const MFA = 'Multifactor authentication';

function stepsOf(entry: StoredSignIn): { requirement: string; errorCode: number; steps: Step[] } {
  switch (entry.kind) {
    case 'mfa':
      return {
        requirement: 'multiFactorAuthentication',
        errorCode: 0,
        steps: [
          ['Password', true, PRIMARY, 'Correct password'],
          [entry.method ?? 'Mobile app notification', true, MFA, 'MFA successfully completed'],
        ],
      };
    case 'tokenClaim':
      return {
        requirement: 'multiFactorAuthentication',
        errorCode: 0,
        steps: [
          ['Previously satisfied', true, PRIMARY, 'First factor requirement satisfied by claim in the token'],
          ['Previously satisfied', true, MFA, 'MFA requirement satisfied by claim in the token'],
        ],
      };
    case 'providerClaim':
      return {
        requirement: 'multiFactorAuthentication',
        errorCode: 0,
        steps: [
          ['Password', true, PRIMARY, 'Redirected to external provider'],
          ['Previously satisfied', true, MFA, 'MFA requirement satisfied by claim provided by external provider'],
        ],
      };
    case 'passwordOnly':
      return { requirement: 'singleFactorAuthentication', errorCode: 0, steps: [['Password', true, PRIMARY, 'Correct password']] };
    case 'failed':
      return { requirement: 'singleFactorAuthentication', errorCode: 50126, steps: [['Password', false, PRIMARY, 'Invalid username or password or Invalid on-premise username or password.']] };
  }
}

/** A Graph signIn resource; `beta` adds `mfaDetail`, as Graph's beta endpoint does. */
export function signInResource(entry: StoredSignIn, beta: boolean): Record<string, unknown> {
  const { requirement, errorCode, steps } = stepsOf(entry);
  const mfaStep = steps.find((s) => s[2] === MFA);
  return {
    id: entry.id,
    createdDateTime: entry.at,
    userDisplayName: entry.userPrincipalName.split('@')[0],
    userPrincipalName: entry.userPrincipalName,
    userId: entry.userId,
    appId: 'fa3d9a0c-3fb0-42cc-9193-47c7ecd2edbd',
    appDisplayName: entry.app,
    ipAddress: '203.0.113.10',
    clientAppUsed: 'Browser',
    isInteractive: true,
    authenticationRequirement: requirement,
    authenticationDetails: steps.map(([method, succeeded, stepRequirement, detail]) => ({
      authenticationStepDateTime: entry.at,
      authenticationMethod: method,
      authenticationMethodDetail: method === 'Password' ? 'Password in the cloud' : '',
      succeeded,
      authenticationStepResultDetail: detail,
      authenticationStepRequirement: stepRequirement,
    })),
    status: errorCode === 0 ? { errorCode: 0, failureReason: 'Other.', additionalDetails: mfaStep?.[3] ?? null } : { errorCode, failureReason: 'Invalid username or password or Invalid on-premise username or password.', additionalDetails: null },
    ...(beta ? { mfaDetail: entry.kind === 'mfa' ? { authMethod: 'PhoneAppNotification', authDetail: null } : { authMethod: null, authDetail: mfaStep?.[3] ?? null } } : {}),
  };
}

/**
 * `$filter` as the bot sends it: `userId eq '{id}'`, optionally `and createdDateTime ge {instant}`.
 * Anything else is refused as Graph refuses filters it does not support.
 */
export function parseSignInFilter(filter: string | null): { userId: string; since?: Date } | undefined {
  if (filter === null) return undefined;
  const match = /^\s*userId eq '((?:[^']|'')+)'(?:\s+and\s+createdDateTime ge (\S+))?\s*$/i.exec(filter);
  const userId = match?.[1];
  if (userId === undefined) return undefined;
  if (match?.[2] === undefined) return { userId: userId.replace(/''/g, "'") };
  const since = new Date(match[2]);
  if (Number.isNaN(since.getTime())) return undefined;
  return { userId: userId.replace(/''/g, "'"), since };
}
