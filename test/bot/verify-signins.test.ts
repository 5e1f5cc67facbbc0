import { FEDERATED_PLAYGROUND_USER_ID, PARTNER_TENANT_ID, PLAYGROUND_USER_ID } from '../../sandbox';
import type { TestUser } from '../support/activities';
import { startBotHarness, type BotHarness } from '../support/bot-harness';
import { cardActions, cardText } from '../support/connector';

/**
 * "I'm done" checks what Partner Center checks: the sign-ins, not only the registration. Through
 * the real /api/messages, with the sandbox's Graph over HTTP.
 */

const ALEX: TestUser = { aadObjectId: PLAYGROUND_USER_ID, name: 'Alex Wilber', tenantId: PARTNER_TENANT_ID, timezone: 'Europe/Berlin' };
const PATTI: TestUser = { aadObjectId: FEDERATED_PLAYGROUND_USER_ID, name: 'Patti Fernandez', tenantId: PARTNER_TENANT_ID, timezone: 'Europe/Berlin' };

interface InvokeAnswer {
  statusCode: number;
  type: string;
  value: Record<string, unknown> | string;
}

describe('verification by sign-ins, and the federated path', () => {
  let h: BotHarness;
  beforeAll(async () => {
    h = await startBotHarness();
    await h.connect();
    await h.shepherd.deps.syncPrincipals({ trigger: 'admin' });
  });
  afterAll(async () => {
    await h.stop();
  });
  afterEach(() => {
    h.sandbox.control.clearFaults();
    h.sandbox.control.configure({ premium: true });
  });

  async function click(user: TestUser, verb: string, data: Record<string, unknown> = {}): Promise<{ card: Record<string, unknown>; text: string }> {
    const response = await h.post(h.a.execute(user, verb, data));
    expect(response.status).toBe(200);
    const answer = response.body as InvokeAnswer;
    if (typeof answer.value === 'string') throw new Error(`expected a card, got: ${answer.value}`);
    return { card: answer.value, text: cardText(answer.value) };
  }
  const status = async (user: TestUser) => (await h.shepherd.deps.status.userStatus(user.aadObjectId)).principal;

  it('when Alex registered but his last 3 sign-ins used a password only, then the card says so and why that still fails, and he stays non-compliant', async () => {
    h.sandbox.control.setRegistration(ALEX.aadObjectId, { isMfaRegistered: true, methods: ['microsoftAuthenticatorPush'] });
    for (const app of ['Microsoft Partner Center', 'Azure Portal', 'Microsoft Partner Center']) h.sandbox.control.addSignIn(ALEX.aadObjectId, { kind: 'passwordOnly', app });

    const { card, text } = await click(ALEX, 'mfa.verify');

    expect(text).toMatch(/MFA is registered, but your sign-ins don't use it/);
    // The apps are named newest sign-in first: which of the two that is depends on the seed's times.
    expect(text).toMatch(/Your last 3 sign-ins to (Microsoft Partner Center, Azure Portal|Azure Portal, Microsoft Partner Center) used a password only/);
    expect(text).toMatch(/why that still fails/);
    expect(text).not.toMatch(/Verified/);
    expect(cardActions(card).map((a) => a.verb)).toEqual(expect.arrayContaining(['mfa.verify', 'mfa.step']));
    const principal = await status(ALEX);
    expect(principal?.status).toBe('nonCompliant');
    expect(principal?.lastVerification).toMatchObject({ outcome: 'registered', signIns: { kind: 'singleFactor', count: 3 } });
  });

  it('when Alex then signs in with MFA, then the card says MFA was performed, when and how, and he is verified', async () => {
    h.sandbox.control.addSignIn(ALEX.aadObjectId, { kind: 'mfa', method: 'Mobile app notification', app: 'Microsoft Partner Center' });

    const { text } = await click(ALEX, 'mfa.verify');

    expect(text).toMatch(/Verified: your sign-ins carry MFA/);
    expect(text).toMatch(/MFA performed at \*\*.+\*\* via Mobile app notification \(Microsoft Partner Center\)/);
    const principal = await status(ALEX);
    expect(principal?.status).toBe('verificationPending');
    expect(principal?.lastVerification?.signIns).toMatchObject({ kind: 'mfaPerformed', method: 'Mobile app notification' });
  });

  it('when the tenant has no Entra ID P1/P2, then the card says sign-in logs cannot be read and the registration check decides', async () => {
    h.sandbox.control.configure({ premium: false });
    const { text } = await click(ALEX, 'mfa.verify');
    expect(text).toMatch(/Verified: you have MFA registered/);
    expect(text).toMatch(/can't read sign-in logs/);
    expect((await status(ALEX))?.lastVerification).toMatchObject({ source: 'authenticationMethods', signIns: { kind: 'unavailable', errorCode: 'GRAPH_NOT_PREMIUM' } });
    const signInCalls = h.sandbox.control.requests('graph').filter((r) => r.path.includes('/auditLogs/signIns'));
    expect(signInCalls.filter((r) => r.status === 403)).toHaveLength(0);
  });

  it('when a federated user opens the walkthrough, then step 1 explains MFA at the identity provider and offers the exception with the reason chosen', async () => {
    const { card, text } = await click(PATTI, 'mfa.setup', { step: 1 });

    expect(text).toMatch(/MFA happens at your identity provider/);
    expect(text).toMatch(/fabrikam-idp\.example/);
    expect(text).toMatch(/federatedIdpMfaBehavior/);
    expect(text).not.toMatch(/Open registration page/);
    const exception = cardActions(card).find((a) => a.verb === 'exc.reason');
    expect(exception?.data).toEqual({ reasonCategory: 'thirdPartyMfaCannotPassClaim' });

    const form = await click(PATTI, 'exc.reason', exception?.data ?? {});
    const requestId = cardActions(form.card).map((a) => a.data['requestId']).find((id) => typeof id === 'string');
    expect(typeof requestId).toBe('string');
    const stored = await h.shepherd.storage.exceptions.get(String(requestId));
    expect(stored).toMatchObject({ status: 'draft', requesterId: PATTI.aadObjectId, fields: { reasonCategory: 'thirdPartyMfaCannotPassClaim' } });
  });

  it('when the federated user\'s provider passed the MFA claim, then verification says so although nothing is registered in Entra', async () => {
    const { text } = await click(PATTI, 'mfa.verify');
    expect(text).toMatch(/Satisfied by your identity provider's MFA claim/);
    expect(text).toMatch(/through fabrikam-idp\.example/);
    expect(text).not.toMatch(/No MFA registration found/);
  });

  it('when the federated user\'s newest sign-in reached Entra without the claim, then the card explains the claim and leads to the exception', async () => {
    h.sandbox.control.addSignIn(PATTI.aadObjectId, { kind: 'passwordOnly', app: 'Microsoft Partner Center' });
    const { card, text } = await click(PATTI, 'mfa.verify');
    expect(text).toMatch(/Your identity provider's sign-ins reach Entra ID without MFA/);
    expect(text).toMatch(/acceptIfMfaDoneByFederatedIdp or enforceMfaByFederatedIdp/);
    expect(cardActions(card).find((a) => a.verb === 'exc.reason')?.data).toEqual({ reasonCategory: 'thirdPartyMfaCannotPassClaim' });
  });
});
