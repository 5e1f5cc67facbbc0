import { PLAYGROUND_USER_ID, PARTNER_TENANT_ID } from '../../sandbox';
import type { TestUser } from '../support/activities';
import { ADMIN, startBotHarness, type BotHarness } from '../support/bot-harness';
import { cardActions, cardText } from '../support/connector';

const ALEX: TestUser = { aadObjectId: PLAYGROUND_USER_ID, name: 'Alex Wilber', tenantId: PARTNER_TENANT_ID, timezone: 'Europe/Berlin' };

interface InvokeAnswer {
  statusCode: number;
  type: string;
  value: Record<string, unknown> | string;
}

describe('MFA walkthrough through Action.Execute', () => {
  let h: BotHarness;
  beforeAll(async () => {
    h = await startBotHarness();
    await h.connect();
    await h.shepherd.deps.syncPrincipals({ trigger: 'admin' });
  });
  afterAll(async () => {
    await h.stop();
  });

  async function click(user: TestUser, verb: string, data: Record<string, unknown> = {}): Promise<{ answer: InvokeAnswer; text: string }> {
    const response = await h.post(h.a.execute(user, verb, data));
    expect(response.status).toBe(200);
    const answer = response.body as InvokeAnswer;
    return { answer, text: typeof answer.value === 'string' ? answer.value : cardText(answer.value) };
  }

  it('when the user clicks through the three steps, then each answer replaces the card with the next step', async () => {
    const step1 = await click(ALEX, 'mfa.setup', { step: 1 });
    expect(step1.answer).toMatchObject({ statusCode: 200, type: 'application/vnd.microsoft.card.adaptive' });
    expect(step1.text).toMatch(/Step 1 of 3/);
    const next = cardActions(step1.answer.value).find((a) => a.verb === 'mfa.step');
    expect(next?.data).toEqual({ step: 2 });

    const step2 = await click(ALEX, 'mfa.step', { step: 2 });
    expect(step2.text).toMatch(/Step 2 of 3/);
    expect(step2.text).toMatch(/Secure Application Model/);

    const step3 = await click(ALEX, 'mfa.step', { step: 3 });
    expect(step3.text).toMatch(/Step 3 of 3/);
    expect(cardActions(step3.answer.value).map((a) => a.verb)).toContain('mfa.verify');
  });

  it('when the user says done before registering, then Graph says not registered and the status is unchanged', async () => {
    const { text } = await click(ALEX, 'mfa.verify');
    expect(text).toMatch(/No MFA registration found/i);
    const { principal } = await h.shepherd.deps.status.userStatus(ALEX.aadObjectId);
    expect(principal?.status).toBe('nonCompliant');
    expect(principal?.lastVerification?.outcome).toBe('notRegistered');
  });

  it('when the user registered and says done, then the result is verified and compliance follows the next clean sync', async () => {
    h.sandbox.control.setRegistration(ALEX.aadObjectId, { isMfaRegistered: true, methods: ['microsoftAuthenticatorPush'] });
    const { text } = await click(ALEX, 'mfa.verify');
    expect(text).toMatch(/Verified/i);
    expect(text).toMatch(/Microsoft Authenticator/);
    expect((await h.shepherd.deps.status.userStatus(ALEX.aadObjectId)).principal?.status).toBe('verificationPending');

    await h.shepherd.deps.syncPrincipals({ trigger: 'admin' }); // no new non-MFA request after the check
    expect((await h.shepherd.deps.status.userStatus(ALEX.aadObjectId)).principal?.status).toBe('compliant');

    h.sandbox.control.addNonMfaRecord(ALEX.aadObjectId); // a script still calls without MFA
    await h.shepherd.deps.syncPrincipals({ trigger: 'admin' });
    const after = (await h.shepherd.deps.status.userStatus(ALEX.aadObjectId)).principal;
    expect(after).toMatchObject({ status: 'nonCompliant', episode: 2 });
  });

  it('when the tenant lacks Entra ID P1/P2, then the check falls back to authentication methods and says so', async () => {
    h.sandbox.control.configure({ premium: false });
    try {
      const { text } = await click(ALEX, 'mfa.already');
      expect(text).toMatch(/P1\/P2|sign-in methods/i);
      const { principal } = await h.shepherd.deps.status.userStatus(ALEX.aadObjectId);
      expect(principal?.lastVerification).toMatchObject({ source: 'authenticationMethods', errorCode: 'GRAPH_NOT_PREMIUM' });
    } finally {
      h.sandbox.control.configure({ premium: true });
    }
  });

  it('when "Why am I seeing this?" is clicked, then the card explains 900421 and what Microsoft will not accept as an exception', async () => {
    const { text } = await click(ALEX, 'mfa.why');
    expect(text).toMatch(/900421/);
    expect(text).toMatch(/service account/i);
  });

  it('when a card sends malformed data, then the answer is a clear error card and nothing changes', async () => {
    const before = await h.shepherd.deps.status.userStatus(ALEX.aadObjectId);
    const bad = await click(ALEX, 'mfa.step', { step: 'nine' });
    expect(bad.text).toMatch(/did not expect/);
    expect(bad.text).toMatch(/INPUT_INVALID/);
    const unknown = await click(ALEX, 'mfa.selfdestruct', { step: 1 });
    expect(unknown.text).toMatch(/no longer supported/);
    const after = await h.shepherd.deps.status.userStatus(ALEX.aadObjectId);
    expect(after.principal?.etag).toBe(before.principal?.etag);
  });

  it('when an old client falls back to Action.Submit, then the answer arrives as a new message', async () => {
    h.connector.clear();
    const response = await h.post(h.a.submit(ALEX, { verb: 'mfa.step', step: 2 }));
    expect(response.status).toBe(200);
    await h.connector.waitFor((sent) => sent.some((s) => /Step 2 of 3/.test(cardText(s.activity))), 5_000, 'step 2 card');
  });

  it('when the same invoke is delivered twice, then the work is done once and the second gets a short answer', async () => {
    const invoke = h.a.execute(ALEX, 'mfa.verify');
    const first = await h.post(invoke);
    const second = await h.post(invoke);
    expect((first.body as InvokeAnswer).type).toBe('application/vnd.microsoft.card.adaptive');
    expect(second.body).toMatchObject({ statusCode: 200, type: 'application/vnd.microsoft.activity.message' });
  });

  it('when a non-admin clicks an admin button, then it is refused and says why', async () => {
    const { text } = await click(ALEX, 'admin.sync');
    expect(text).toMatch(/Only MFA Shepherd admins/);
    const admin = await click(ADMIN, 'admin.summary');
    expect(admin.text).toMatch(/non-compliant/i);
  });
});

describe('text commands', () => {
  let h: BotHarness;
  beforeAll(async () => {
    h = await startBotHarness();
    await h.connect();
    await h.shepherd.deps.syncPrincipals({ trigger: 'admin' });
  });
  afterAll(async () => {
    await h.stop();
  });

  async function say(user: TestUser, text: string): Promise<string[]> {
    h.connector.clear();
    const response = await h.post(h.a.message(user, text));
    expect(response.status).toBe(200);
    await h.settle();
    return h.connector.sent.filter((s) => s.conversationId === h.a.conversationId(user)).map((s) => cardText(s.activity));
  }

  it('when a user types help, then they see user commands but not admin commands', async () => {
    const replies = (await say(ALEX, 'help')).join(' ');
    expect(replies).toMatch(/status/);
    expect(replies).not.toMatch(/connect partner center/i);
  });

  it('when an admin types help, then admin commands are listed too', async () => {
    const replies = (await say(ADMIN, '<at>MFA Shepherd</at> HELP ')).join(' ');
    expect(replies).toMatch(/sync now/i);
    expect(replies).toMatch(/connect partner center/i);
  });

  it('when a user types status, then they see their own state', async () => {
    const replies = (await say(ALEX, 'status')).join(' ');
    expect(replies).toMatch(/Action needed: set up MFA/);
  });

  it('when an admin types status, then they see the summary with counts, the last sync and the token state', async () => {
    const replies = (await say(ADMIN, 'status')).join(' ');
    expect(replies).toMatch(/Non-compliant now/i);
    expect(replies).toMatch(/Succeeded/);
    expect(replies).toMatch(/MFA/);
  });

  it('when someone types something unknown, then they are told and shown help', async () => {
    const replies = await say(ALEX, 'make me a sandwich');
    expect(replies[0]).toMatch(/didn't get that/);
    expect(replies.join(' ')).toMatch(/status/);
  });

  it('when the same message is delivered twice, then it is answered once', async () => {
    h.connector.clear();
    const message = h.a.message(ALEX, 'help');
    await h.post(message);
    await h.post(message);
    await h.settle();
    expect(h.connector.sent.filter((s) => s.conversationId === h.a.conversationId(ALEX))).toHaveLength(1);
  });
});
