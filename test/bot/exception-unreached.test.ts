/**
 * Approval cards that nobody can act on: an approvals channel is set, but the approver has never
 * chatted with MFA Shepherd, so Teams cannot be told to show them the buttons (refresh.userIds
 * needs their Teams id). The requester must not be left believing someone is deciding.
 */
import { PARTNER_TENANT_ID, PLAYGROUND_USER_ID } from '../../sandbox';
import type { TestUser } from '../support/activities';
import { ADMIN, startBotHarness, type BotHarness } from '../support/bot-harness';
import { ADMIN_CHANNEL, COMPLETE_FORM, inChannel } from '../support/exception-fixtures';

const ALEX: TestUser = { aadObjectId: PLAYGROUND_USER_ID, name: 'Alex Wilber', tenantId: PARTNER_TENANT_ID, timezone: 'Europe/Berlin' };
const NORA: TestUser = { aadObjectId: 'approver-nora-no-chat', name: 'Nora Approver', tenantId: PARTNER_TENANT_ID };


describe('approval cards when no approver can be reached', () => {
  let h: BotHarness;
  beforeAll(async () => {
    h = await startBotHarness({ env: { APPROVER_AAD_OBJECT_IDS: NORA.aadObjectId } });
    for (const user of [ALEX, ADMIN]) await h.post(h.a.message(user, 'help'));
    await h.settle();
  });
  afterAll(async () => {
    await h?.stop();
  });


  it('when the only approver has no chat and the card goes to the approvals channel only, then the requester is told nobody can decide yet', async () => {
    await h.post(inChannel(ADMIN, h.a.message(ADMIN, 'approvals here')));
    await h.post(h.a.message(ALEX, 'exception'));
    const [request] = await h.shepherd.storage.exceptions.listByRequester(ALEX.aadObjectId);
    const before = h.connector.sent.length;
    await h.post(h.a.execute(ALEX, 'exc.submit', { requestId: request!.id, round: 0, ...COMPLETE_FORM }));
    await h.settle();

    const sent = h.connector.sent.slice(before);
    const channelCard = sent.find((s) => s.conversationId === ADMIN_CHANNEL)?.activity.attachments?.[0]?.content as { refresh?: unknown } | undefined;
    expect(channelCard).toBeDefined(); // the channel still sees the status
    expect(channelCard?.refresh).toBeUndefined(); // … but no approver can be shown the buttons there
    const toAlex = sent.filter((s) => s.conversationId === h.a.conversationId(ALEX)).map((s) => s.activity.text ?? '');
    expect(toAlex.join('\n')).toMatch(/no approver/i);
  });
});
