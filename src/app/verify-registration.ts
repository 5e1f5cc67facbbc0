import type { Clock } from '../domain/clock';
import { applyVerification, methodsProvideMfa, type Principal, type Verification } from '../domain/compliance';
import { evaluateSignIns, signInsSince, type SignInFinding } from '../domain/verification';
import type { FederationCheck } from './federation';
import { ErrorCodes, describeError, isAppError } from '../domain/errors';
import { retryOnConflict } from './retry-on-conflict';
import type { Graph, Logger, PrincipalStore } from './ports';

export interface VerifyDeps {
  tenantId: string;
  graph: Pick<Graph, 'getRegistrationDetails' | 'listAuthenticationMethods' | 'listSignIns'>;
  /** Tells federated users apart (MFA at their identity provider); absent = nobody is. */
  federation?: Pick<FederationCheck, 'federatedDomainOf'>;
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

/** Sign-ins asked for: the newest ones decide, a few more say how long a password-only run is. */
const SIGN_INS_TOP = 20;

/** Human label for a Graph method name or `@odata.type`. */
export function methodLabel(method: string): string {
  const key = method.replace(/^#?microsoft\.graph\./i, '').replace(/AuthenticationMethod$/i, '').toLowerCase();
  return METHOD_LABELS[key] ?? method;
}

/**
 * "I'm done": ask Graph what Partner Center checks. The registration report (fallback: the user's
 * authentication methods when the tenant lacks Entra ID P1/P2) says whether MFA is registered; the
 * sign-in logs since Partner Center's last non-MFA request say whether sign-ins carry MFA
 * (performed, or satisfied by a claim from the token or from a federated provider). Without P1/P2
 * there are no sign-in logs: the registration check alone decides, and the card says so.
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

  async function signIns(objectId: string, lastNonMfaAt: Date | undefined, registration: Verification): Promise<SignInFinding | undefined> {
    if (deps.graph.listSignIns === undefined) return undefined;
    // Sign-in logs need Entra ID P1/P2 like the registration report: no second refusal to collect.
    if (registration.errorCode === ErrorCodes.GraphNotPremium) return { kind: 'unavailable', errorCode: ErrorCodes.GraphNotPremium };
    const since = signInsSince(deps.clock.now(), lastNonMfaAt);
    try {
      return evaluateSignIns(await deps.graph.listSignIns(objectId, { since, top: SIGN_INS_TOP }), { since });
    } catch (error) {
      const { code } = describeError(error);
      deps.logger.warn({ objectId, err: describeError(error) }, 'sign-in check failed');
      return { kind: 'unavailable', errorCode: code };
    }
  }

  return async function verifyRegistration(objectId: string): Promise<VerifyResult> {
    const before = await deps.principals.get(deps.tenantId, objectId);
    const federatedDomain = await deps.federation?.federatedDomainOf(objectId, before?.upn);
    const registration = await check(objectId);
    const finding = await signIns(objectId, before?.lastNonMfaAt, registration);
    const verification: Verification = {
      ...registration,
      ...(finding === undefined ? {} : { signIns: finding }),
      ...(federatedDomain === undefined ? {} : { federatedDomain }),
    };
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
    deps.logger.info(
      { objectId, outcome: verification.outcome, source: verification.source, signIns: finding?.kind, federated: federatedDomain !== undefined, status: principal?.status },
      'registration verified',
    );
    return { verification, principal };
  };
}

export type VerifyRegistration = ReturnType<typeof createVerifyRegistration>;
