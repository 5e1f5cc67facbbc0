/**
 * Export links, per-user rate limits and crashed turns' claims, through the real /api/messages.
 */
import { DEFAULT_COMMAND_RULES } from '../../src/app/command-limits';
import { FixedClock } from '../../src/domain/clock';
import { PARTNER_TENANT_ID } from '../../sandbox';
import type { TestUser } from '../support/activities';
import { ADMIN, startBotHarness, type BotHarness } from '../support/bot-harness';
import { allCardText } from '../support/connector';
import { inChannel } from '../support/exception-fixtures';

const START = '2026-03-02T10:00:00.000Z';
const EVE: TestUser = { aadObjectId: 'eve-0001', name: 'Eve Member', tenantId: PARTNER_TENANT_ID };
const GROUP_CHAT = '19:group-chat@thread.v2';

describe('export links, rate limits and crashed turns', () => {
  let h: BotHarness;
  const clock = new FixedClock(START);
  beforeAll(async () => {
    h = await startBotHarness({ overrides: { clock, commandLimits: DEFAULT_COMMAND_RULES } });
    await h.post(h.a.message(ADMIN, 'help'));
    await h.settle();
  });
  afterAll(async () => {
    await h?.stop();
  });
  beforeEach(() => {
    clock.advance(10 * 60_000); // every test starts with fresh rate-limit windows
  });

  const lastTo = (conversationId: string) => h.connector.sent.filter((s) => s.conversationId === conversationId).at(-1);
  const linksIn = (card: unknown) => JSON.stringify(card ?? {}).match(/http:\/\/[^"]+\/exports\/[^"]+/g) ?? [];

  it('when an admin types "export" in a group chat or a channel, then they are sent to their 1:1 chat and no link is posted', async () => {
    const groupChat = { ...inChannel(ADMIN, h.a.message(ADMIN, 'export'), GROUP_CHAT), conversation: { id: GROUP_CHAT, conversationType: 'groupChat', isGroup: true, tenantId: PARTNER_TENANT_ID } };
    const before = h.connector.sent.length;

    await h.post(groupChat);
    await h.post(inChannel(ADMIN, h.a.message(ADMIN, 'export')));

    const replies = h.connector.sent.slice(before);
    expect(replies).toHaveLength(2);
    for (const reply of replies) {
      expect(reply.activity.text).toMatch(/only sent in your 1:1 chat/);
      expect(JSON.stringify(reply.activity)).not.toMatch(/\/exports\//);
    }
  });

  it('when an export link is downloaded, then it works once: the second download gets 410 and no data', async () => {
    await h.post(h.a.message(ADMIN, 'export'));
    const [first, second] = linksIn(h.connector.cards(h.a.conversationId(ADMIN)).at(-1));
    expect(first).toBeDefined();
    expect(second).toBeDefined();

    const ok = await fetch(first!);
    expect(ok.status).toBe(200);
    expect(ok.headers.get('content-type')).toMatch(/text\/csv/);
    await ok.arrayBuffer();

    const again = await fetch(first!);
    const text = await again.text();
    expect(again.status).toBe(410);
    expect(again.headers.get('content-type')).toMatch(/text\/plain/);
    expect(text).toMatch(/already used/);
    expect(text).not.toMatch(/requestId|,/); // no CSV

    // Two downloads of the other link at once: exactly one wins.
    const racing = await Promise.all([fetch(second!), fetch(second!), fetch(second!)]);
    await Promise.all(racing.map((r) => r.arrayBuffer()));
    expect(racing.map((r) => r.status).sort()).toEqual([200, 410, 410]);
  });

  it('when an export link is older than 5 minutes, then it is refused with 410', async () => {
    await h.post(h.a.message(ADMIN, 'export'));
    const [link] = linksIn(h.connector.cards(h.a.conversationId(ADMIN)).at(-1));
    clock.advance(5 * 60_000);
    const response = await fetch(link!);
    expect(response.status).toBe(410);
    expect(await response.text()).toMatch(/expired/);
  });

  it('when an admin types "sync now" twice within a minute, then the second is refused with "try again in N s" and a minute later it runs', async () => {
    await h.post(h.a.message(ADMIN, 'sync now'));
    expect(lastTo(h.a.conversationId(ADMIN))?.activity.text).toMatch(/Syncing with Partner Center/);
    await h.settle();

    clock.advance(20_000);
    await h.post(h.a.message(ADMIN, 'sync now'));
    const refused = allCardText(lastTo(h.a.conversationId(ADMIN))?.activity.attachments?.[0]?.content);
    expect(refused).toMatch(/Please wait a moment/);
    expect(refused).toMatch(/try again in 40 s/);
    expect(refused).toMatch(/RATE_LIMITED/);

    clock.advance(40_000);
    await h.post(h.a.message(ADMIN, 'sync now'));
    expect(lastTo(h.a.conversationId(ADMIN))?.activity.text).toMatch(/Syncing with Partner Center/);
    await h.settle();
  });

  it('when a user clicks "I\'m done" over and over, then the fifth check within a minute is refused kindly, without asking Graph', async () => {
    const conversation = h.a.conversationId(EVE);
    for (let i = 0; i < 4; i += 1) {
      const answer = await h.post(h.a.execute(EVE, 'mfa.verify', {}));
      expect(JSON.stringify(answer.body)).not.toMatch(/RATE_LIMITED/);
    }
    const graphCalls = h.sandbox.control.requests('graph').length;
    expect(graphCalls).toBeGreaterThan(0);
    const refused = await h.post(h.a.execute(EVE, 'mfa.verify', {}));
    expect(refused.status).toBe(200);
    expect(allCardText((refused.body as { value: unknown }).value)).toMatch(/try again in \d+ s/);
    expect(h.sandbox.control.requests('graph')).toHaveLength(graphCalls);
    expect(conversation).toBeDefined();
  });

  it('when an admin asks for export links four times within a minute, then the fourth is refused with the seconds to wait', async () => {
    for (let i = 0; i < 3; i += 1) {
      await h.post(h.a.message(ADMIN, 'export'));
      expect(linksIn(h.connector.cards(h.a.conversationId(ADMIN)).at(-1))).toHaveLength(2);
    }
    const before = h.connector.sent.length;
    await h.post(h.a.message(ADMIN, 'export'));
    const reply = h.connector.sent.slice(before);
    expect(reply).toHaveLength(1);
    expect(allCardText(reply[0]?.activity.attachments?.[0]?.content)).toMatch(/try again in 60 s/);
    expect(linksIn(reply[0]?.activity)).toHaveLength(0);
  });

  describe('a claim left by a crashed instance', () => {
    it('while its lease runs, a redelivery is held back; once it has run out, the redelivery is processed', async () => {
      const activity = h.a.message(EVE, 'my status');
      const key = `${h.a.conversationId(EVE)}|${activity.id}`;
      // Another instance (same storage) claimed the activity, then died before finishing it.
      expect(await h.shepherd.storage.activities.claim(key, clock.now(), 'instance-that-crashed')).toBe('first');
      const conversation = h.a.conversationId(EVE);
      const count = h.connector.sent.filter((s) => s.conversationId === conversation).length;

      clock.advance(h.shepherd.storage.activities.leaseMs - 1);
      await h.post(activity);
      expect(h.connector.sent.filter((s) => s.conversationId === conversation)).toHaveLength(count);

      clock.advance(1);
      await h.post(activity);
      await h.settle();
      const after = h.connector.sent.filter((s) => s.conversationId === conversation).slice(count);
      expect(after).toHaveLength(1);
      expect(allCardText(after[0]?.activity.attachments?.[0]?.content)).toMatch(/Eve/);

      // Done now: a further redelivery is a duplicate.
      clock.advance(60 * 60_000);
      await h.post(activity);
      expect(h.connector.sent.filter((s) => s.conversationId === conversation).slice(count)).toHaveLength(1);
    });

    it('when a card click was claimed by an instance that crashed, then the redelivered invoke is answered with the real result, not "Already done"', async () => {
      const activity = h.a.execute(EVE, 'help', {});
      const key = `${h.a.conversationId(EVE)}|${activity.id}`;
      await h.shepherd.storage.activities.claim(key, clock.now(), 'instance-that-crashed');

      const early = await h.post(activity);
      expect(JSON.stringify(early.body)).toMatch(/Already done/);

      clock.advance(h.shepherd.storage.activities.leaseMs);
      const late = await h.post(activity);
      expect(late.status).toBe(200);
      expect((late.body as { type?: string }).type).toBe('application/vnd.microsoft.card.adaptive');
    });
  });
});
