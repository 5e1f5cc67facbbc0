import { ADMIN, startBotHarness, type BotHarness } from '../support/bot-harness';
import { cardText } from '../support/connector';

describe('connect partner center', () => {
  let h: BotHarness;
  beforeEach(async () => {
    h = await startBotHarness();
    h.sandbox.control.configure({ autoApproveDeviceCodes: false });
  });
  afterEach(async () => {
    await h.stop();
  });

  const sentTexts = () => h.connector.sent.filter((s) => s.conversationId === h.a.conversationId(ADMIN)).map((s) => cardText(s.activity));

  it('when an admin connects and signs in with MFA, then they get the device code, the result and a first sync', async () => {
    const response = await h.post(h.a.message(ADMIN, 'connect partner center'));
    expect(response.status).toBe(200);
    await h.connector.waitFor(() => sentTexts().some((t) => /devicelogin/.test(t)), 10_000, 'device code card');
    const codeCard = sentTexts().find((t) => /devicelogin/.test(t))!;
    const userCode = h.sandbox.control.state().deviceCodes.find((d) => d.status === 'pending')?.userCode;
    expect(userCode).toBeDefined();
    expect(codeCard).toContain(userCode);

    h.sandbox.control.approveDeviceCode({ userCode, mfa: true });
    await h.connector.waitFor(() => sentTexts().some((t) => /Succeeded/.test(t)), 15_000, 'sync result');
    await h.settle();
    expect(sentTexts().some((t) => /connected with MFA/i.test(t))).toBe(true);
    expect((await h.shepherd.deps.status.adminSummary()).connection.connected).toBe(true);
  });

  it('when the admin signs in without MFA, then the connection is refused with the reason', async () => {
    await h.post(h.a.message(ADMIN, 'connect'));
    await h.connector.waitFor(() => sentTexts().some((t) => /devicelogin/.test(t)), 10_000, 'device code card');
    h.sandbox.control.approveDeviceCode({ mfa: false });
    await h.connector.waitFor(() => sentTexts().some((t) => /without multifactor|without MFA/i.test(t)), 15_000, 'refusal');
    await h.settle();
    expect(sentTexts().some((t) => /Succeeded/.test(t))).toBe(false);
  });

  it('when a non-admin tries to connect, then nothing starts', async () => {
    const user = { ...ADMIN, aadObjectId: 'someone-else', name: 'Sam User' };
    await h.post(h.a.message(user, 'connect partner center'));
    await h.settle();
    const texts = h.connector.sent.map((s) => cardText(s.activity));
    expect(texts.join(' ')).toMatch(/Only MFA Shepherd admins/);
    expect(h.sandbox.control.state().deviceCodes).toHaveLength(0);
  });
});
