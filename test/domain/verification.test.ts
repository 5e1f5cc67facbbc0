import { FixedClock } from '../../src/domain/clock';
import { applyVerification, verificationSucceeded, type Principal, type Verification } from '../../src/domain/compliance';
import { classifySignIn, evaluateSignIns, signInsSince, upnDomain, type SignInRecord, type SignInStep } from '../../src/domain/verification';

const clock = new FixedClock(new Date('2026-11-23T10:00:00Z'));
const at = (minutesAgo: number): Date => new Date(clock.now().getTime() - minutesAgo * 60_000);

const PASSWORD: SignInStep = { method: 'Password', succeeded: true, requirement: 'Primary authentication', resultDetail: 'Correct password' };

function signIn(minutesAgo: number, steps: SignInStep[], extra: Partial<SignInRecord> = {}): SignInRecord {
  return { id: `s-${minutesAgo}`, createdAt: at(minutesAgo), appDisplayName: 'Microsoft Partner Center', requirement: 'singleFactorAuthentication', succeeded: true, steps, ...extra };
}
const passwordOnly = (minutesAgo: number, app = 'Microsoft Partner Center') => signIn(minutesAgo, [PASSWORD], { appDisplayName: app });
const withAuthenticator = (minutesAgo: number) =>
  signIn(minutesAgo, [PASSWORD, { method: 'Mobile app notification', succeeded: true, requirement: 'Multifactor authentication', resultDetail: 'MFA successfully completed' }], {
    requirement: 'multiFactorAuthentication',
  });
const fromToken = (minutesAgo: number) =>
  signIn(minutesAgo, [
    { method: 'Previously satisfied', succeeded: true, requirement: 'Primary authentication', resultDetail: 'First factor requirement satisfied by claim in the token' },
    { method: 'Previously satisfied', succeeded: true, requirement: 'Multifactor authentication', resultDetail: 'MFA requirement satisfied by claim in the token' },
  ], { requirement: 'multiFactorAuthentication' });
const fromProvider = (minutesAgo: number) =>
  signIn(minutesAgo, [
    { method: 'Password', succeeded: true, requirement: 'Primary authentication', resultDetail: 'Redirected to external provider' },
    { method: 'Previously satisfied', succeeded: true, requirement: 'Multifactor authentication', resultDetail: 'MFA requirement satisfied by claim provided by external provider' },
  ], { requirement: 'multiFactorAuthentication' });

const since = at(24 * 60);

function principal(overrides: Partial<Principal> = {}): Principal {
  return {
    tenantId: 't',
    objectId: 'u-1',
    upn: 'alex@contoso.example',
    status: 'nonCompliant',
    firstDetectedAt: at(3 * 24 * 60),
    episode: 1,
    episodeStartedAt: at(3 * 24 * 60),
    recordCount: 3,
    firstNonMfaAt: at(3 * 24 * 60),
    lastNonMfaAt: since,
    ...overrides,
  };
}
function verification(overrides: Partial<Verification>): Verification {
  return { checkedAt: clock.now(), outcome: 'registered', source: 'registrationDetails', methods: ['microsoftAuthenticatorPush'], ...overrides };
}

describe('sign-in verification', () => {
  it('when the newest sign-in performed MFA, then MFA performed is reported with its time, method and app', () => {
    const finding = evaluateSignIns([passwordOnly(300), withAuthenticator(18)], { since });
    expect(finding).toEqual({ kind: 'mfaPerformed', at: at(18), app: 'Microsoft Partner Center', method: 'Mobile app notification' });
  });

  it('when a registered user performed MFA, then the check succeeds and the user awaits Partner Center', () => {
    const v = verification({ signIns: evaluateSignIns([withAuthenticator(18)], { since }) });
    expect(verificationSucceeded(v)).toBe(true);
    expect(applyVerification(principal(), v)).toMatchObject({ status: 'verificationPending', mfaRegisteredAt: clock.now() });
  });

  it('when registered but the last 3 sign-ins used a password only, then that is reported and the user stays non-compliant', () => {
    const finding = evaluateSignIns([withAuthenticator(600), passwordOnly(120, 'Azure Portal'), passwordOnly(60), passwordOnly(5)], { since });
    expect(finding).toEqual({ kind: 'singleFactor', count: 3, lastAt: at(5), apps: ['Microsoft Partner Center', 'Azure Portal'], lastMfaAt: at(600) });
    const v = verification({ signIns: finding });
    expect(verificationSucceeded(v)).toBe(false);
    expect(applyVerification(principal(), v)).toMatchObject({ status: 'nonCompliant', lastVerification: v });
    expect(applyVerification(principal(), v).mfaRegisteredAt).toBeUndefined();
  });

  it('when MFA was satisfied by the claim in the token, then it counts: Partner Center sees MFA in the token', () => {
    expect(evaluateSignIns([fromToken(30)], { since })).toEqual({ kind: 'mfaFromToken', at: at(30), app: 'Microsoft Partner Center' });
    expect(verificationSucceeded(verification({ signIns: { kind: 'mfaFromToken', at: at(30), app: 'x' } }))).toBe(true);
  });

  it('when a federated provider passed the MFA claim, then it counts even without any Entra registration', () => {
    const finding = evaluateSignIns([fromProvider(45)], { since });
    expect(finding).toEqual({ kind: 'mfaFromProvider', at: at(45), app: 'Microsoft Partner Center' });
    const v = verification({ outcome: 'notRegistered', methods: [], signIns: finding, federatedDomain: 'fabrikam.example' });
    expect(applyVerification(principal(), v).status).toBe('verificationPending');
  });

  it('when the tenant has no Entra ID P1/P2, then sign-ins are unavailable and the registration check decides, as before', () => {
    const unavailable = { kind: 'unavailable', errorCode: 'GRAPH_NOT_PREMIUM' } as const;
    expect(applyVerification(principal(), verification({ source: 'authenticationMethods', errorCode: 'GRAPH_NOT_PREMIUM', signIns: unavailable })).status).toBe('verificationPending');
    expect(applyVerification(principal(), verification({ outcome: 'notRegistered', methods: [], signIns: unavailable })).status).toBe('nonCompliant');
  });

  it('when there is no sign-in since the last non-MFA request, then that is said and a registration still counts', () => {
    const finding = evaluateSignIns([passwordOnly(24 * 60), passwordOnly(25 * 60)], { since });
    expect(finding).toEqual({ kind: 'noSignIns', since });
    expect(applyVerification(principal(), verification({ signIns: finding })).status).toBe('verificationPending');
  });

  it('when only the first factor was satisfied by a token claim, then that is not MFA', () => {
    const firstFactorOnly = signIn(10, [{ method: 'Previously satisfied', succeeded: true, requirement: 'Primary authentication', resultDetail: 'First factor requirement satisfied by claim in the token' }]);
    expect(classifySignIn(firstFactorOnly)).toEqual({ kind: 'none' });
  });

  it('when an MFA step failed or a sign-in failed, then neither proves MFA and failed sign-ins are ignored', () => {
    const denied = signIn(10, [PASSWORD, { method: 'Mobile app notification', succeeded: false, requirement: 'Multifactor authentication', resultDetail: 'MFA denied; user declined the authentication' }]);
    expect(classifySignIn(denied)).toEqual({ kind: 'none' });
    const failed = { ...withAuthenticator(2), succeeded: false };
    expect(evaluateSignIns([failed, passwordOnly(20)], { since })).toMatchObject({ kind: 'singleFactor', count: 1, lastAt: at(20) });
  });

  it('when a single step is phishing-resistant or beta names the MFA method, then MFA was performed', () => {
    expect(classifySignIn(signIn(1, [{ method: 'FIDO2 security key', succeeded: true, requirement: 'Primary authentication', resultDetail: 'Passkey verified' }]))).toEqual({ kind: 'performed', method: 'FIDO2 security key' });
    expect(classifySignIn(signIn(1, [PASSWORD], { mfaDetail: { authMethod: 'PhoneAppNotification' } }))).toEqual({ kind: 'performed', method: 'PhoneAppNotification' });
  });

  it('when sign-ins carry no requirement and no steps (an endpoint version without them), then they say nothing rather than "password only"', () => {
    const bare = signIn(10, [], { requirement: 'unknown' });
    expect(evaluateSignIns([bare], { since })).toEqual({ kind: 'unavailable', errorCode: 'SIGN_INS_WITHOUT_DETAILS' });
    expect(evaluateSignIns([bare, withAuthenticator(20)], { since })).toMatchObject({ kind: 'mfaPerformed', at: at(20) });
  });

  it('when sign-ins count from Partner Center\'s last listing, then never further back than its 7-day window', () => {
    expect(signInsSince(clock.now(), at(60))).toEqual(at(60));
    expect(signInsSince(clock.now(), at(30 * 24 * 60))).toEqual(at(7 * 24 * 60));
    expect(signInsSince(clock.now(), undefined)).toEqual(at(7 * 24 * 60));
  });

  it('when a UPN is read for its domain, then the part after the last @ is returned in lower case, or nothing', () => {
    expect(upnDomain('Patti@Fabrikam-IDP.example')).toBe('fabrikam-idp.example');
    expect(upnDomain('no-domain')).toBeUndefined();
    expect(upnDomain('trailing@')).toBeUndefined();
    expect(upnDomain(undefined)).toBeUndefined();
  });
});
