import { formatPartnerCenterTime, LOGIN_TIME_FIELD, PARTNER_TENANT_ID, PLAYGROUND_USERS } from '../../sandbox';
import type { TestUser } from '../support/activities';
import { ADMIN, startBotHarness, type BotHarness } from '../support/bot-harness';
import { allCardText as allText, cardText } from '../support/connector';

/**
 * Teams faults on the way out: the Bot Connector stand-in answers 429 / 403 / 404 as Teams does,
 * and the real bot (over /api/messages and its real use cases on Azurite) must send every first
 * notice exactly once, or record the user as unreachable with the reason.
 */

const [alexUser, meganUser] = PLAYGROUND_USERS;
const ALEX: TestUser = { aadObjectId: alexUser.objectId, name: alexUser.displayName, tenantId: PARTNER_TENANT_ID, timezone: 'America/New_York' };
const MEGAN: TestUser = { aadObjectId: meganUser.objectId, name: meganUser.displayName, tenantId: PARTNER_TENANT_ID, timezone: 'Europe/Paris' };
const HOUR = 3_600_000;

const isFirstNotice = (card: Record<string, unknown>) => /Partner Center saw requests from you without MFA/.test(cardText(card));

describe('Teams faults', () => {
  let h: BotHarness;

  /** Partner Center lists exactly these users (two recent non-MFA records each). */
  function listOnly(users: readonly { objectId: string; userPrincipalName: string }[]): void {
    const now = Date.now();
    h.sandbox.control.replaceRecords(
      users.flatMap((u, i) =>
        [1, 30].map((hoursAgo) => ({
          objectId: u.objectId,
          tenantId: PARTNER_TENANT_ID,
          upn: u.userPrincipalName,
          [LOGIN_TIME_FIELD]: formatPartnerCenterTime(now - (hoursAgo + i) * HOUR),
        })),
      ),
    );
  }

  /** The user has a 1:1 chat with the bot (their message captured the address), before any sync. */
  async function chatWith(user: TestUser): Promise<void> {
    const response = await h.post(h.a.message(user, 'hello'));
    expect(response.status).toBe(200);
    await h.settle();
  }

  async function connectAndSync(): Promise<void> {
    await h.connect();
    const run = await h.shepherd.deps.syncPrincipals({ trigger: 'admin' });
    expect(run.outcome).toBe('succeeded');
  }

  const notices = (user: TestUser) => h.connector.cards(h.a.conversationId(user)).filter(isFirstNotice);

  afterEach(async () => {
    await h.stop();
  });

  describe('with the users listed in Partner Center and a chat each', () => {
    beforeEach(async () => {
      h = await startBotHarness();
      listOnly([alexUser, meganUser]);
    });

    it('when Teams answers the first notice with 429 and Retry-After twice, then the notice still arrives exactly once, after the wait', async () => {
      await chatWith(ALEX);
      await connectAndSync();
      h.connector.fail({ on: 'send', status: 429, retryAfterSeconds: 1, times: 2, conversationId: h.a.conversationId(ALEX) });

      const tally = await h.shepherd.deps.notices.sweep();
      await h.settle();

      expect(tally.queued).toBe(1);
      expect(notices(ALEX)).toHaveLength(1);
      expect(h.connector.failed.map((f) => f.status)).toEqual([429, 429]);
      const delivered = h.connector.sent.find((s) => (s.activity.attachments ?? []).some((a) => isFirstNotice(a.content)));
      // The bot waited the Retry-After (1 s) after the last 429 before sending again.
      expect(delivered!.at - h.connector.failed[1]!.at).toBeGreaterThanOrEqual(990);
      const ledger = await h.shepherd.storage.notices.list(PARTNER_TENANT_ID);
      expect(ledger.filter((n) => n.objectId === ALEX.aadObjectId).map((n) => n.status)).toEqual(['sent']);
    });

    it('when Teams answers 429 without Retry-After a few times, then the outbox retries on its own and the notice arrives exactly once', async () => {
      await chatWith(ALEX);
      await connectAndSync();
      h.connector.fail({ on: 'send', status: 429, times: 3, conversationId: h.a.conversationId(ALEX) });

      const first = await h.shepherd.deps.notices.sweep();
      await h.settle();

      expect(first.queued).toBe(1);
      expect(h.connector.failed).toHaveLength(3); // each 429 went back to the queue and was delivered again
      expect(notices(ALEX)).toHaveLength(1);
      const ledger = await h.shepherd.storage.notices.list(PARTNER_TENANT_ID);
      expect(ledger.find((n) => n.objectId === ALEX.aadObjectId)).toMatchObject({ status: 'sent', attempt: 1 });
      // Throttling is not the user's fault: they are not reported as unreachable.
      expect((await h.shepherd.storage.contacts.get(PARTNER_TENANT_ID, ALEX.aadObjectId))?.unreachable).toBeUndefined();

      const again = await h.shepherd.deps.notices.sweep();
      await h.settle();
      expect(again.queued).toBe(0);
      expect(notices(ALEX)).toHaveLength(1);
    });

    it('when Teams keeps answering 429 until the outbox parks the notice, then the sweep after the next sync queues it again and it arrives once', async () => {
      await chatWith(ALEX);
      await connectAndSync();
      h.connector.fail({ on: 'send', status: 429, times: 1_000, conversationId: h.a.conversationId(ALEX) });

      await h.shepherd.deps.notices.sweep();
      await h.settle();

      expect(h.connector.failed).toHaveLength(5); // the outbox's 5 deliveries, then the poison queue
      expect(notices(ALEX)).toHaveLength(0);
      const parked = (await h.shepherd.storage.notices.list(PARTNER_TENANT_ID)).find((n) => n.objectId === ALEX.aadObjectId);
      expect(parked).toMatchObject({ status: 'unreachable', attempt: 1 });
      expect(parked?.reason).toMatch(/parked/);
      expect((await h.shepherd.storage.contacts.get(PARTNER_TENANT_ID, ALEX.aadObjectId))?.unreachable).toBeUndefined();

      h.connector.clearFaults();
      const second = await h.shepherd.deps.notices.sweep();
      await h.settle();
      const third = await h.shepherd.deps.notices.sweep();
      await h.settle();

      expect(second.queued).toBe(1);
      expect(third.queued).toBe(0);
      expect(notices(ALEX)).toHaveLength(1);
      expect((await h.shepherd.storage.notices.list(PARTNER_TENANT_ID)).find((n) => n.objectId === ALEX.aadObjectId)).toMatchObject({ status: 'sent', attempt: 2 });
    });

    it('when the user blocked the bot (403 MessageWritesBlocked), then they are recorded unreachable "blocked", listed for admins, and get the notice once when they message the bot', async () => {
      await chatWith(ALEX);
      await chatWith(ADMIN);
      await connectAndSync();
      h.connector.fail({ on: 'send', status: 403, code: 'MessageWritesBlocked', times: 1, conversationId: h.a.conversationId(ALEX) });

      const tally = await h.shepherd.deps.notices.sweep();
      await h.settle();

      expect(tally.queued).toBe(1); // the outbox finds out: Teams answers 403
      expect(notices(ALEX)).toHaveLength(0);
      expect((await h.shepherd.storage.notices.list(PARTNER_TENANT_ID)).find((n) => n.objectId === ALEX.aadObjectId)?.status).toBe('unreachable');
      // While they block the bot, later sweeps queue nothing for them.
      expect((await h.shepherd.deps.notices.sweep()).queued).toBe(0);
      const contact = await h.shepherd.storage.contacts.get(PARTNER_TENANT_ID, ALEX.aadObjectId);
      expect(contact?.unreachable?.reason).toBe('blocked');

      await h.post(h.a.message(ADMIN, 'status'));
      await h.settle();
      const summary = h.connector.cards(h.a.conversationId(ADMIN)).filter((c) => /MFA compliance summary/.test(allText(c))).pop();
      expect(summary).toBeDefined();
      expect(allText(summary)).toContain(alexUser.userPrincipalName);
      expect(allText(summary)).toContain('Blocked MFA Shepherd in Teams');

      await h.post(h.a.message(ALEX, 'help')); // unblocked: Teams delivers their message again
      await h.settle();
      await h.post(h.a.message(ALEX, 'status'));
      await h.settle();
      await h.shepherd.deps.notices.sweep();
      await h.settle();

      expect(notices(ALEX)).toHaveLength(1);
      expect((await h.shepherd.storage.contacts.get(PARTNER_TENANT_ID, ALEX.aadObjectId))?.unreachable).toBeUndefined();
    });

    it('when the 1:1 conversation is gone (404), then the user is recorded unreachable "conversationGone"', async () => {
      await chatWith(ALEX);
      await connectAndSync();
      h.connector.fail({ on: 'send', status: 404, code: 'ConversationNotFound', times: 1, conversationId: h.a.conversationId(ALEX) });

      const tally = await h.shepherd.deps.notices.sweep();
      await h.settle();

      expect(tally.queued).toBe(1);
      expect(notices(ALEX)).toHaveLength(0);
      const contact = await h.shepherd.storage.contacts.get(PARTNER_TENANT_ID, ALEX.aadObjectId);
      expect(contact?.unreachable?.reason).toBe('conversationGone');
      const unreachable = await h.shepherd.deps.status.adminSummary();
      expect(unreachable.unreachable.map((u) => [u.upn, u.reason])).toContainEqual([alexUser.userPrincipalName, 'The 1:1 chat with MFA Shepherd no longer exists']);
    });

    it('when two sweeps run at the same time, then each user gets exactly one notice', async () => {
      await chatWith(ALEX);
      await chatWith(MEGAN);
      await connectAndSync();

      const tallies = await Promise.all([h.shepherd.deps.notices.sweep(), h.shepherd.deps.notices.sweep(), h.shepherd.deps.notices.notifyIfPending(ALEX.aadObjectId)]);
      await h.settle();

      // Each notice claimed once; a second queueing of a claim (a sweep settling it) sends nothing twice.
      expect(tallies[0].queued + tallies[1].queued + (tallies[2] === 'queued' ? 1 : 0)).toBeGreaterThanOrEqual(2);
      expect(notices(ALEX)).toHaveLength(1);
      expect(notices(MEGAN)).toHaveLength(1);
      const ledger = await h.shepherd.storage.notices.list(PARTNER_TENANT_ID);
      expect(ledger.map((n) => `${n.objectId}:${n.status}`).sort()).toEqual([`${ALEX.aadObjectId}:sent`, `${MEGAN.aadObjectId}:sent`]);
    });
  });

  describe('with TEAMS_APP_CATALOG_ID set', () => {
    const CATALOG_ID = 'mfa-shepherd-catalog-app';

    beforeEach(async () => {
      h = await startBotHarness({ env: { TEAMS_APP_CATALOG_ID: CATALOG_ID } });
      listOnly([alexUser]);
    });

    it('when a listed user has no chat with the bot, then the bot installs the app via Graph, creates the conversation and sends the notice once', async () => {
      await connectAndSync();

      const tally = await h.shepherd.deps.notices.sweep();
      await h.settle();

      expect(tally.queued).toBe(1);
      const installs = h.sandbox.control.requests('graph').filter((r) => r.method === 'POST' && /teamwork\/installedApps/.test(r.path));
      expect(installs).toHaveLength(1);
      expect(installs[0]!.path).toContain(ALEX.aadObjectId);
      expect(h.sandbox.control.state().users.find((u) => u.objectId === ALEX.aadObjectId)?.installedApps).toEqual([CATALOG_ID]);
      expect(h.connector.created).toHaveLength(1);
      const created = h.connector.created[0]!;
      expect(JSON.stringify(created.members)).toContain(ALEX.aadObjectId);
      expect(h.connector.cards(created.id).filter(isFirstNotice)).toHaveLength(1);
      const contact = await h.shepherd.storage.contacts.get(PARTNER_TENANT_ID, ALEX.aadObjectId);
      expect(contact?.address?.conversationId).toBe(created.id);

      // The next sweep uses the stored conversation: no second install, chat or notice.
      await h.shepherd.deps.notices.sweep();
      await h.settle();
      expect(h.connector.created).toHaveLength(1);
      expect(h.connector.cards().filter(isFirstNotice)).toHaveLength(1);
    });
  });
});
