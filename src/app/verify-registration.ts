import type { Clock } from '../domain/clock';
import { applyVerification, methodsProvideMfa, type Principal, type Verification } from '../domain/compliance';
import { ErrorCodes, describeError, isAppError } from '../domain/errors';
import { retryOnConflict } from './retry-on-conflict';
import type { Graph, Logger, PrincipalStore } from './ports';

export interface VerifyDeps {
  tenantId: string;
  graph: Pick<Graph, 'getRegistrationDetails' | 'listAuthenticationMethods'>;
  principals: Pick<PrincipalStore, 'get' | 'save'>;
  clock: Clock;
  logger: Logger;
  /** Told when Graph could not answer for a reason only an admin can fix (permissions, licence). */
  onCheckUnavailable?: (verification: Verification) => Promise<void>;
}

/** Failures an admin must fix; a passing outage (throttling, 5xx) is not one. */
const ADMIN_FIXABLE = new Set<string>([ErrorCodes.GraphNotPremium, ErrorCodes.GraphForbidden]);

export interface VerifyResult {
  verification: Verification;
  /** The principal after the check; undefined when Partner Center never listed the user. */
  principal?: Principal;
}

const METHOD_LABELS: Record<string, string> = {
  microsoftauthenticator: 'Microsoft Authenticator',
  microsoftauthenticatorpush: 'Microsoft Authenticator',
  microsoftauthenticatorpasswordless: 'Microsoft Authenticator (passwordless)',
  mobilephone: 'Phone (SMS or call)',
  phone: 'Phone',
  alternatemobilephone: 'Alternate phone',
  officephone: 'Office phone',
  fido2: 'Security key (FIDO2)',
  softwareoath: 'Authenticator app (code)',
  hardwareoath: 'Hardware token',
  windowshelloforbusiness: 'Windows Hello for Business',
  temporaryaccesspass: 'Temporary Access Pass',
  email: 'Email',
  password: 'Password',
};

/** Human label for a Graph method name or `@odata.type`. */
export function methodLabel(method: string): string {
  const key = method.replace(/^#?microsoft\.graph\./i, '').replace(/AuthenticationMethod$/i, '').toLowerCase();
  return METHOD_LABELS[key] ?? method;
}

/**
 * "I'm done": ask Graph whether the user has MFA registered (registration report; fallback to the
 * user's authentication methods when the tenant lacks Entra ID P1/P2), record the result.
 */
export function createVerifyRegistration(deps: VerifyDeps) {
  async function check(objectId: string): Promise<Verification> {
    const checkedAt = deps.clock.now();
    try {
      const details = await deps.graph.getRegistrationDetails(objectId);
      return {
        checkedAt,
        outcome: details.isMfaRegistered ? 'registered' : 'notRegistered',
        source: 'registrationDetails',
        methods: details.methodsRegistered,
      };
    } catch (error) {
      // The check queue is full: the user is told to try again shortly; nothing is recorded.
      if (isAppError(error, ErrorCodes.Busy)) throw error;
      if (!isAppError(error, ErrorCodes.GraphNotPremium)) {
        deps.logger.warn({ objectId, err: describeError(error) }, 'registration check failed');
        return { checkedAt, outcome: 'unavailable', source: 'none', methods: [], errorCode: describeError(error).code };
      }
    }
    try {
      const types = await deps.graph.listAuthenticationMethods(objectId);
      return {
        checkedAt,
        outcome: methodsProvideMfa(types) ? 'registered' : 'notRegistered',
        source: 'authenticationMethods',
        methods: types.map((t) => t.replace(/^#?microsoft\.graph\./i, '')),
        errorCode: ErrorCodes.GraphNotPremium,
      };
    } catch (error) {
      deps.logger.warn({ objectId, err: describeError(error) }, 'authentication methods fallback failed');
      return { checkedAt, outcome: 'unavailable', source: 'none', methods: [], errorCode: ErrorCodes.GraphNotPremium };
    }
  }

  return async function verifyRegistration(objectId: string): Promise<VerifyResult> {
    const verification = await check(objectId);
    if (verification.outcome === 'unavailable' && ADMIN_FIXABLE.has(verification.errorCode ?? '') && deps.onCheckUnavailable) {
      await deps.onCheckUnavailable(verification).catch((error: unknown) => {
        deps.logger.warn({ err: describeError(error) }, 'could not tell admins that registration checks fail');
      });
    }
    const principal = await retryOnConflict(async () => {
      const current = await deps.principals.get(deps.tenantId, objectId);
      if (!current) return undefined;
      return deps.principals.save(applyVerification(current, verification));
    });
    deps.logger.info({ objectId, outcome: verification.outcome, source: verification.source, status: principal?.status }, 'registration verified');
    return { verification, principal };
  };
}

export type VerifyRegistration = ReturnType<typeof createVerifyRegistration>;
