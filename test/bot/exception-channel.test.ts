/**
 * Approval cards in an admin channel: an admin types "approvals here" in the channel; submitted
 * requests are posted there as the status view whose Universal Actions refresh shows the buttons to
 * approvers only; a refresh never replaces the card for everyone.
 */
import { PARTNER_TENANT_ID, PLAYGROUND_USER_ID } from '../../sandbox';
import type { TestUser } from '../support/activities';
import { ADMIN, startBotHarness, type BotHarness } from '../support/bot-harness';
import { ADMIN_CHANNEL, COMPLETE_FORM, inChannel } from '../support/exception-fixtures';
import { allCardText, cardActions } from '../support/connector';

const ALEX: TestUser = { aadObjectId: PLAYGROUND_USER_ID, name: 'Alex Wilber', tenantId: PARTNER_TENANT_ID, timezone: 'Europe/Berlin' };
const ANNA: TestUser = { aadObjectId: 'approver-anna', name: 'Anna Approver', tenantId: PARTNER_TENANT_ID };
const EVE: TestUser = { aadObjectId: 'someone-else', name: 'Eve Bystander', tenantId: PARTNER_TENANT_ID };


describe('approval cards in an admin channel', () => {
  let h: BotHarness;
  beforeAll(async () => {
    h = await startBotHarness({ env: { APPROVER_AAD_OBJECT_IDS: ANNA.aadObjectId } });
    for (const user of [ALEX, ANNA, ADMIN, EVE]) await h.post(h.a.message(user, 'help'));
    await h.settle();
  });
  afterAll(async () => {
    await h?.stop();
  });

  const channelReplies = () => h.connector.sent.filter((s) => s.conversationId === ADMIN_CHANNEL);

  it('when a non-admin types "approvals here" in a channel, then it is refused and nothing is stored', async () => {
    await h.post(inChannel(EVE, h.a.message(EVE, 'approvals here')));
    expect(allCardText(channelReplies().at(-1)?.activity.attachments?.[0]?.content)).toMatch(/Only MFA Shepherd admins/);
    expect(await h.shepherd.storage.settings.get('approvalsChannel')).toBeUndefined();
  });

  it('when an admin types "approvals here" in a channel, then submitted requests are posted there as the status view refreshing for approvers', async () => {
    await h.post(inChannel(ADMIN, h.a.message(ADMIN, 'approvals here')));
    expect(channelReplies().at(-1)?.activity.text).toMatch(/will also be posted in this channel/);

    await h.post(h.a.message(ALEX, 'exception'));
    const [request] = await h.shepherd.storage.exceptions.listByRequester(ALEX.aadObjectId);
    await h.post(h.a.execute(ALEX, 'exc.submit', { requestId: request!.id, round: 0, ...COMPLETE_FORM }));
    await h.settle();

    const posted = channelReplies().at(-1)!;
    const card = posted.activity.attachments![0]!.content as { refresh?: { userIds?: string[]; action?: { verb?: string } } };
    expect(card.refresh?.action?.verb).toBe('exc.approval.refresh');
    expect(card.refresh?.userIds).toEqual([`29:${ANNA.aadObjectId}`]); // Teams ids of approvers, never the requester
    expect(cardActions(card).filter((a) => a.verb === 'exc.approve')).toHaveLength(0); // others see the status only

    // Teams refreshes the card for Anna: she gets the buttons, as the invoke's answer only.
    const before = h.connector.sent.length;
    const refresh = await h.post(inChannel(ANNA, h.a.execute(ANNA, 'exc.approval.refresh', { requestId: request!.id, round: 1 })));
    const view = (refresh.body as { value: unknown }).value;
    expect(cardActions(view).map((a) => a.verb)).toEqual(expect.arrayContaining(['exc.approve', 'exc.reject', 'exc.changes']));
    expect(h.connector.sent.slice(before).filter((s) => s.method === 'PUT')).toHaveLength(0); // nobody else's card was replaced

    // A refresh from someone who is no party to the request (forged: Teams would not send it) shows nothing of it.
    const forged = await h.post(inChannel(EVE, h.a.execute(EVE, 'exc.approval.refresh', { requestId: request!.id, round: 1 })));
    expect(cardActions((forged.body as { value: unknown }).value).filter((a) => a.verb === 'exc.approve')).toHaveLength(0);
    expect(allCardText((forged.body as { value: unknown }).value)).toMatch(/There is no exception request \S+ that you can see/);

    // Anna approves from the channel: the channel's card and her 1:1 card both show the decision.
    await h.post(inChannel(ANNA, h.a.execute(ANNA, 'exc.approve', { requestId: request!.id, round: 1, comment: 'OK' })));
    await h.settle();
    const puts = h.connector.sent.filter((s) => s.method === 'PUT');
    expect(new Set(puts.map((p) => p.conversationId))).toEqual(new Set([ADMIN_CHANNEL, h.a.conversationId(ANNA)]));
    expect((await h.shepherd.storage.exceptions.get(request!.id))?.status).toBe('approved');
  });

  it('when an admin types "approvals off", then the channel is no longer used', async () => {
    await h.post(inChannel(ADMIN, h.a.message(ADMIN, 'approvals off')));
    expect(channelReplies().at(-1)?.activity.text).toMatch(/approvers only/);
    expect((await h.shepherd.storage.settings.get('approvalsChannel'))?.value).toBeNull();
  });
});
