import { PLAYGROUND_USER_ID, PARTNER_TENANT_ID } from '../../sandbox';
import type { TestUser } from '../support/activities';
import { startBotHarness, type BotHarness } from '../support/bot-harness';
import { cardText } from '../support/connector';

const ALEX: TestUser = { aadObjectId: PLAYGROUND_USER_ID, name: 'Alex Wilber', tenantId: PARTNER_TENANT_ID, timezone: 'Europe/Berlin' };

describe('a registration check that outlives the Teams turn', () => {
  let h: BotHarness;
  beforeAll(async () => {
    // The turn may wait 300 ms for Graph here (10 s in production, under Teams' 15 s).
    h = await startBotHarness({ overrides: { interactiveDeadlineMs: 300 } });
    await h.connect();
    await h.shepherd.deps.syncPrincipals({ trigger: 'admin' });
  });
  afterAll(async () => {
    await h.stop();
  });

  it('when Graph answers after the deadline, then the click is answered at once and the result follows in the chat', async () => {
    h.sandbox.control.setRegistration(ALEX.aadObjectId, { isMfaRegistered: true, methods: ['microsoftAuthenticatorPush'] });
    h.sandbox.control.addFault({ target: 'graph', kind: 'slow', delayMs: 1_500, times: 1 });
    const response = await h.post(h.a.execute(ALEX, 'mfa.verify'));
    expect(response.body).toMatchObject({ statusCode: 200, type: 'application/vnd.microsoft.activity.message' });
    expect(String((response.body as { value: unknown }).value)).toMatch(/post the result here/);
    // The click was answered before Graph was: the result has not been posted yet.
    expect(h.connector.sent.some((s) => /Verified/.test(cardText(s.activity)))).toBe(false);

    await h.connector.waitFor((sent) => sent.some((s) => /Verified: you have MFA registered/.test(cardText(s.activity))), 10_000, 'the late result');
    expect((await h.shepherd.deps.status.userStatus(ALEX.aadObjectId)).principal?.status).toBe('verificationPending');
  });

  it('when Graph answers in time, then the result replaces the card directly', async () => {
    const response = await h.post(h.a.execute(ALEX, 'mfa.verify'));
    expect(response.body).toMatchObject({ statusCode: 200, type: 'application/vnd.microsoft.card.adaptive' });
  });
});
