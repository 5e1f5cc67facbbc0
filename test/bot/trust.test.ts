/**
 * Trust boundaries, through the real /api/messages: only Microsoft Teams and only the partner
 * tenant are served. Anyone else gets one polite answer and nothing is stored for them.
 */
import { PARTNER_TENANT_ID, PLAYGROUND_USER_ID } from '../../sandbox';
import type { TestUser } from '../support/activities';
import { ADMIN, startBotHarness, type BotHarness } from '../support/bot-harness';
import { allCardText } from '../support/connector';
import { storageSnapshot } from '../support/storage-snapshot';

const OTHER_TENANT = '99999999-8888-4777-8666-555555555555';
const MALLORY: TestUser = { aadObjectId: 'mallory-0001', name: 'Mallory Outsider', tenantId: OTHER_TENANT };
const ALEX: TestUser = { aadObjectId: PLAYGROUND_USER_ID, name: 'Alex Wilber', tenantId: PARTNER_TENANT_ID };

describe('trust boundaries: tenant and channel', () => {
  let h: BotHarness;
  beforeAll(async () => {
    h = await startBotHarness();
    await h.post(h.a.message(ADMIN, 'help')); // tables exist, the admin is known
    await h.settle();
  });
  afterAll(async () => {
    await h?.stop();
  });

  const sentTo = (conversationId: string) => h.connector.sent.filter((s) => s.conversationId === conversationId);

  it('when a user of another tenant types "exception", then they get one polite refusal and nothing is stored', async () => {
    const before = await storageSnapshot(h);
    const conversation = h.a.conversationId(MALLORY);

    const response = await h.post(h.a.message(MALLORY, 'exception'));
    await h.settle();

    expect(response.status).toBeLessThan(300);
    const replies = sentTo(conversation);
    expect(replies).toHaveLength(1);
    expect(replies[0]?.activity.text).toMatch(/serves only the organization that runs it/);
    expect(replies[0]?.activity.attachments ?? []).toHaveLength(0); // no form, no card
    expect(await storageSnapshot(h)).toEqual(before);
    expect(await h.shepherd.storage.exceptions.listByRequester(MALLORY.aadObjectId)).toEqual([]);
    expect(await h.shepherd.storage.contacts.get(PARTNER_TENANT_ID, MALLORY.aadObjectId)).toBeUndefined();
  });

  it('when a user of another tenant clicks a card button, then the invoke is answered with the refusal and nothing is stored or sent', async () => {
    const before = await storageSnapshot(h);
    const sentBefore = h.connector.sent.length;

    const response = await h.post(h.a.execute(MALLORY, 'exc.submit', { requestId: 'EXC-1', round: 0 }));
    await h.settle();

    expect(response.status).toBe(200);
    expect(response.body).toEqual({ statusCode: 200, type: 'application/vnd.microsoft.activity.message', value: expect.stringMatching(/serves only the organization/) as unknown });
    expect(h.connector.sent.length).toBe(sentBefore);
    expect(await storageSnapshot(h)).toEqual(before);
  });

  it('when the app is installed by a user of another tenant, then one refusal and no contact, claim or welcome', async () => {
    const before = await storageSnapshot(h);
    const conversation = h.a.conversationId(MALLORY);
    const count = sentTo(conversation).length;

    await h.post(h.a.install(MALLORY));
    await h.post(h.a.membersAdded(MALLORY));
    await h.settle();

    const replies = sentTo(conversation).slice(count);
    expect(replies.map((r) => r.activity.text)).toEqual([expect.stringMatching(/serves only the organization/), expect.stringMatching(/serves only the organization/)]);
    expect(await storageSnapshot(h)).toEqual(before);
  });

  it('when channelData names the partner tenant but the conversation names another, then it is refused too', async () => {
    const before = await storageSnapshot(h);
    const mixed = { ...h.a.message(ALEX, 'my status'), conversation: { id: h.a.conversationId(ALEX), conversationType: 'personal', tenantId: OTHER_TENANT } };

    await h.post(mixed);
    await h.settle();

    expect(sentTo(h.a.conversationId(ALEX)).at(-1)?.activity.text).toMatch(/serves only the organization/);
    expect(await storageSnapshot(h)).toEqual(before);
  });

  it('when an admin of the partner tenant writes through another channel than Teams, then no admin data and nothing is stored', async () => {
    const before = await storageSnapshot(h);
    const conversation = h.a.conversationId(ADMIN);
    const count = sentTo(conversation).length;

    for (const channelId of ['webchat', 'directline', 'emulator', '']) {
      await h.post({ ...h.a.message(ADMIN, 'status'), channelId });
    }
    await h.post({ ...h.a.execute(ADMIN, 'admin.summary'), channelId: 'webchat' });
    await h.settle();

    const replies = sentTo(conversation).slice(count);
    // No channel at all: nowhere to answer, so no answer.
    expect(replies.map((r) => r.activity.text)).toEqual(Array(3).fill('MFA Shepherd works only in Microsoft Teams.'));
    expect(replies.every((r) => (r.activity.attachments ?? []).length === 0)).toBe(true);
    expect(await storageSnapshot(h)).toEqual(before);
  });

  it('when a partner user writes from Teams, then they are served as before (control)', async () => {
    await h.post(h.a.message(ALEX, 'help'));
    await h.settle();
    expect(allCardText(sentTo(h.a.conversationId(ALEX)).at(-1)?.activity.attachments?.[0]?.content)).toMatch(/MFA Shepherd/);
    expect(await h.shepherd.storage.contacts.get(PARTNER_TENANT_ID, ALEX.aadObjectId)).toBeDefined();
  });
});
