import { contosoObjectId, formatPartnerCenterTime, LOGIN_TIME_FIELD, PARTNER_TENANT_ID, PLAYGROUND_USERS, REQUEST_TIME_FIELD } from '../../sandbox';
import type { Principal } from '../../src/domain/compliance';
import type { SyncRun } from '../../src/domain/sync-run';
import { DEFAULT_RETRY_POLICY } from '../../src/integrations/http';
import type { TestUser } from '../support/activities';
import { ADMIN, startBotHarness, type BotHarness } from '../support/bot-harness';
import { allCardText, textOf } from '../support/connector';

/**
 * Partner Center faults, through the real sync use case (and the bot's commands over
 * /api/messages) against the sandbox Partner Center and Azurite: every failure stops with a clear
 * stored outcome, nothing half-written, and admins told once when only they can fix it.
 */

const [alexUser] = PLAYGROUND_USERS;
const ALEX: TestUser = { aadObjectId: alexUser.objectId, name: alexUser.displayName, tenantId: PARTNER_TENANT_ID, timezone: 'America/New_York' };
const HOUR = 3_600_000;

const isReconnectAlert = (card: Record<string, unknown>) => /Partner Center sync stopped: reconnect needed/.test(allCardText(card));

describe('Partner Center faults', () => {
  let h: BotHarness;

  beforeEach(async () => {
    h = await startBotHarness();
  });
  afterEach(async () => {
    await h.stop();
  });

  const sync = (): Promise<SyncRun> => h.shepherd.deps.syncPrincipals({ trigger: 'admin' });
  // The principals listing only: the same run also reads the integration endpoints afterwards.
  const pcRequests = () => h.sandbox.control.requests('partnerCenter').filter((r) => r.path.includes('nonMfaCompliantPartnerPrincipals'));
  const principals = async (): Promise<Principal[]> =>
    (await h.shepherd.storage.principals.listAll(PARTNER_TENANT_ID)).sort((a, b) => a.objectId.localeCompare(b.objectId));
  const adminCards = () => h.connector.cards(h.a.conversationId(ADMIN));
  const reconnectAlerts = () => adminCards().filter(isReconnectAlert);

  /** The user has a 1:1 chat with the bot. */
  async function chatWith(user: TestUser): Promise<void> {
    expect((await h.post(h.a.message(user, 'hello'))).status).toBe(200);
    await h.settle();
  }

  /** A successful sync, then one more non-MFA record that the next successful sync would write. */
  async function storedPrincipalsAndPendingChange(): Promise<Principal[]> {
    await h.connect();
    expect((await sync()).outcome).toBe('succeeded');
    h.sandbox.control.addNonMfaRecord(contosoObjectId(0));
    h.sandbox.control.clearRequests();
    return principals();
  }

  it('when Partner Center answers 401/900421, then the sync stops after ONE request with mfaRequired, writes nothing, alerts the admin once per failure streak', async () => {
    await chatWith(ADMIN);
    const before = await storedPrincipalsAndPendingChange();
    h.sandbox.control.addFault({ target: 'partnerCenter', kind: 'mfaRequired' });

    const run = await sync();

    expect(run.outcome).toBe('mfaRequired');
    expect(run.errorCode).toBe('PC_MFA_REQUIRED');
    expect(pcRequests()).toHaveLength(1); // no retry loop
    expect(pcRequests()[0]!.status).toBe(401);
    const stored = (await h.shepherd.storage.syncRuns.latest(PARTNER_TENANT_ID, 1))[0];
    expect(stored).toMatchObject({ id: run.id, outcome: 'mfaRequired', errorCode: 'PC_MFA_REQUIRED', correlationId: run.correlationId });
    expect(await principals()).toEqual(before);
    expect(reconnectAlerts()).toHaveLength(1);
    const alert = allCardText(reconnectAlerts()[0]);
    expect(alert).toContain('401 / 900421');
    expect(alert).toContain('connect partner center');
    expect(alert).toContain(run.correlationId);

    // Still failing: stored again, but the admin is not told twice.
    const again = await sync();
    expect(again.outcome).toBe('mfaRequired');
    expect(pcRequests()).toHaveLength(2);
    expect(reconnectAlerts()).toHaveLength(1);

    // Fixed: the sync succeeds (and picks up the change); a later 900421 is a new streak.
    h.sandbox.control.clearFaults();
    const fixed = await sync();
    expect(fixed.outcome).toBe('succeeded');
    expect(fixed.counts?.records).toBeGreaterThan(0);
    expect(await principals()).not.toEqual(before);
    expect(reconnectAlerts()).toHaveLength(1);

    h.sandbox.control.addFault({ target: 'partnerCenter', kind: 'mfaRequired', times: 1 });
    expect((await sync()).outcome).toBe('mfaRequired');
    expect(reconnectAlerts()).toHaveLength(2);
  });

  it('when a 900421 alert reached no admin, then the next failing sync alerts again', async () => {
    await storedPrincipalsAndPendingChange();
    h.sandbox.control.addFault({ target: 'partnerCenter', kind: 'mfaRequired' });
    const unheard = await sync(); // the admin has no chat with the bot yet
    expect(unheard).toMatchObject({ outcome: 'mfaRequired', adminsAlerted: 0 });
    expect(reconnectAlerts()).toHaveLength(0);

    await chatWith(ADMIN);
    expect(await sync()).toMatchObject({ outcome: 'mfaRequired', adminsAlerted: 1 });
    expect(reconnectAlerts()).toHaveLength(1);
    expect(await sync()).toMatchObject({ outcome: 'mfaRequired' });
    expect(reconnectAlerts()).toHaveLength(1); // heard once: not repeated
    expect((await h.shepherd.storage.syncRuns.latest(PARTNER_TENANT_ID, 1))[0]?.adminsAlerted).toBeUndefined();
  });

  it('when storage fails right after the sync lease was taken, then the lease is released and the next sync runs', async () => {
    await h.connect();
    const runs = h.shepherd.storage.syncRuns;
    const latest = runs.latest.bind(runs);
    runs.latest = () => Promise.reject(new Error('storage blip')); // the next read fails once
    const failed = await sync().catch((error: unknown) => error);
    runs.latest = latest;
    expect(failed).toBeDefined();
    expect((await sync()).outcome).toBe('succeeded');
  });

  it('when Partner Center answers 500 twice and then OK, then the sync succeeds with the right counts', async () => {
    const now = Date.now();
    const users = [contosoObjectId(1), contosoObjectId(2), contosoObjectId(3)];
    const perUser = [2, 3, 1];
    h.sandbox.control.replaceRecords(
      users.flatMap((objectId, i) =>
        Array.from({ length: perUser[i]! }, (_, j) => ({
          objectId,
          tenantId: PARTNER_TENANT_ID,
          upn: `user${i}@contoso-partner.example`,
          [j % 2 === 0 ? LOGIN_TIME_FIELD : REQUEST_TIME_FIELD]: formatPartnerCenterTime(now - (j + 1) * HOUR),
        })),
      ),
    );
    await h.connect();
    h.sandbox.control.clearRequests();
    h.sandbox.control.addFault({ target: 'partnerCenter', kind: 'serverError', times: 2 });

    const run = await sync();

    expect(run.outcome).toBe('succeeded');
    expect(run.counts).toEqual({ records: 6, listed: 3, nonCompliant: 3, new: 3, reappeared: 0, resolved: 0 });
    expect(pcRequests().map((r) => r.status)).toEqual([500, 500, 200]);
    // A retry is the same request: same MS-RequestId, and the run's correlation id throughout.
    expect(new Set(pcRequests().map((r) => r.headers['ms-requestid'])).size).toBe(1);
    expect(pcRequests().every((r) => r.headers['ms-correlationid'] === run.correlationId)).toBe(true);
    expect((await principals()).map((p) => [p.objectId, p.recordCount])).toEqual(users.map((id, i) => [id, perUser[i]]));
  });

  it('when Partner Center answers 500 forever, then the outcome is unavailable after bounded retries, principals are unchanged and the run is stored with its correlation id', async () => {
    await chatWith(ADMIN);
    const before = await storedPrincipalsAndPendingChange();
    h.sandbox.control.addFault({ target: 'partnerCenter', kind: 'serverError' });

    const run = await sync();

    expect(run.outcome).toBe('unavailable');
    expect(run.errorCode).toBe('PC_UNAVAILABLE');
    expect(run.correlationId).toMatch(/^[0-9a-f-]{36}$/);
    expect(pcRequests()).toHaveLength(DEFAULT_RETRY_POLICY.maxAttempts);
    expect(pcRequests().every((r) => r.status === 500 && r.headers['ms-correlationid'] === run.correlationId)).toBe(true);
    expect(await principals()).toEqual(before);
    const stored = (await h.shepherd.storage.syncRuns.latest(PARTNER_TENANT_ID, 1))[0];
    expect(stored).toMatchObject({ id: run.id, outcome: 'unavailable', correlationId: run.correlationId, errorCode: 'PC_UNAVAILABLE' });
    expect(stored?.errorMessage).toContain(run.correlationId);
    expect(reconnectAlerts()).toHaveLength(0); // waiting helps here; reconnecting does not
  });

  it('when Partner Center answers 429 with Retry-After, then the sync waits at least that long and succeeds', async () => {
    await h.connect();
    h.sandbox.control.clearRequests();
    h.sandbox.control.addFault({ target: 'partnerCenter', kind: 'throttle', retryAfterSeconds: 1, times: 1 });

    const run = await sync();

    expect(run.outcome).toBe('succeeded');
    const [throttled, retried] = pcRequests();
    expect([throttled?.status, retried?.status]).toEqual([429, 200]);
    expect(pcRequests()).toHaveLength(2);
    // 990: timers may fire up to a few ms early; the harness backoff is at most 50 ms, so only Retry-After explains this.
    expect(Date.parse(retried!.time) - Date.parse(throttled!.time)).toBeGreaterThanOrEqual(990);
  });

  it('when Partner Center answers malformed JSON, then the outcome is badResponse and no principal is written', async () => {
    await h.connect();
    h.sandbox.control.addFault({ target: 'partnerCenter', kind: 'malformed', times: 1 });

    const run = await sync();

    expect(run.outcome).toBe('badResponse');
    expect(run.errorCode).toBe('PC_BAD_RESPONSE');
    expect(await principals()).toEqual([]);
    const stored = (await h.shepherd.storage.syncRuns.latest(PARTNER_TENANT_ID, 1))[0];
    expect(stored).toMatchObject({ id: run.id, outcome: 'badResponse' });
  });

  it('when the admin signs in WITHOUT MFA, then connect reports the failure, keeps no connection, and a sync stops without calling Partner Center', async () => {
    await chatWith(ADMIN);
    h.sandbox.control.configure({ autoApproveDeviceCodes: false });

    const pendingCode = () => h.sandbox.control.state().deviceCodes.find((c) => c.status === 'pending')?.userCode;
    try {
      expect((await h.post(h.a.message(ADMIN, 'connect partner center'))).status).toBe(200);
      await h.connector.waitFor((sent) => sent.some((s) => pendingCode() !== undefined && allCardText(s.activity).includes(pendingCode()!)), 10_000, 'the device code card');
      h.sandbox.control.approveDeviceCode({ mfa: false });
      await h.connector.waitFor((sent) => sent.some((s) => /Partner Center connection failed/.test(allCardText(s.activity))), 15_000, 'the connect result');
      await h.settle();
    } finally {
      // Never leave the bot polling a device code nobody approves (stop() waits for it).
      if (pendingCode() !== undefined) h.sandbox.control.approveDeviceCode({ mfa: false });
    }

    const result = adminCards().map(allCardText).find((t) => /Couldn't connect to Partner Center|Connected, but without MFA/.test(t));
    expect(result).toBeDefined();
    expect(result).toContain('900421');
    expect(result).toMatch(/connect partner center/i);
    expect(adminCards().some((c) => /Sync finished|Sync failed/.test(allCardText(c)))).toBe(false); // no sync after a failed connect
    expect(pcRequests()).toHaveLength(0);

    const run = await sync();

    // The sign-in without MFA was not kept: there is no connection at all, and admins are told.
    expect(run.outcome).toBe('notConnected');
    expect(run.errorCode).toBe('PC_NOT_CONNECTED');
    expect(pcRequests()).toHaveLength(0);
    expect(reconnectAlerts()).toHaveLength(1);
  });

  it('when a non-admin types "sync now", then they get an admins-only card and nothing syncs', async () => {
    await h.connect();
    h.sandbox.control.clearRequests();

    expect((await h.post(h.a.message(ALEX, 'sync now'))).status).toBe(200);
    await h.settle();

    const cards = h.connector.cards(h.a.conversationId(ALEX));
    expect(cards).toHaveLength(1);
    const text = allCardText(cards[0]);
    expect(text).toContain('Admins only');
    expect(text).toContain('Only MFA Shepherd admins can start a sync');
    expect(text).toContain('NOT_ADMIN');
    expect(pcRequests()).toHaveLength(0);
    expect(await h.shepherd.storage.syncRuns.latest(PARTNER_TENANT_ID, 5)).toEqual([]);
  });

  it('when the admin types "sync now", then they get a reply, then the sync result card in the same chat', async () => {
    await h.connect();

    expect((await h.post(h.a.message(ADMIN, 'sync now'))).status).toBe(200);
    await h.settle();

    const sent = h.connector.sent.filter((s) => s.conversationId === h.a.conversationId(ADMIN));
    expect(sent.length).toBeGreaterThanOrEqual(2);
    expect(sent[0]!.activity.text).toMatch(/Syncing with Partner Center/);
    const result = sent.slice(1).map(textOf).find((t) => /Sync finished/.test(t));
    expect(result).toBeDefined();
    const runs = await h.shepherd.storage.syncRuns.latest(PARTNER_TENANT_ID, 5);
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({ outcome: 'succeeded', trigger: 'admin', requestedBy: ADMIN.aadObjectId });
    const resultCard = h.connector.cards(h.a.conversationId(ADMIN)).find((c) => /Sync finished/.test(allCardText(c)));
    expect(allCardText(resultCard)).toContain(runs[0]!.correlationId);
    expect(allCardText(resultCard)).toContain(String(runs[0]!.counts?.records));
  });

  it('when the admin types "sync now" and Partner Center answers 900421, then the result card tells them to reconnect with MFA instead of offering "Sync again"', async () => {
    await h.connect();
    h.sandbox.control.addFault({ target: 'partnerCenter', kind: 'mfaRequired' });

    expect((await h.post(h.a.message(ADMIN, 'sync now'))).status).toBe(200);
    await h.settle();

    const result = adminCards().find((c) => /Sync failed/.test(allCardText(c)));
    expect(result).toBeDefined();
    const text = allCardText(result);
    expect(text).toContain('Partner Center needs a connection made with MFA');
    expect(text).not.toContain('Sync again');
    expect(reconnectAlerts()).toHaveLength(1);
  });

  it('when the admin types "status", then the summary shows the last sync outcome and the users who never installed as unreachable', async () => {
    await h.connect();
    expect((await sync()).outcome).toBe('succeeded');
    const tally = await h.shepherd.deps.notices.sweep(); // nobody has a chat and TEAMS_APP_CATALOG_ID is unset
    expect(tally.unreachable).toBeGreaterThan(20);
    h.sandbox.control.addFault({ target: 'partnerCenter', kind: 'serverError' });
    expect((await sync()).outcome).toBe('unavailable');

    expect((await h.post(h.a.message(ADMIN, 'status'))).status).toBe(200);
    await h.settle();

    const summary = adminCards().find((c) => /MFA compliance summary/.test(allCardText(c)));
    expect(summary).toBeDefined();
    const text = allCardText(summary);
    expect(text).toMatch(/The last sync failed: [^.]*(did not answer|unavailable)/);
    expect(text).toContain('Has not installed MFA Shepherd in Teams');
    expect(text).toContain(`and ${tally.unreachable - 10} more`);
    const seedUpns = h.sandbox.control.state().principals.map((p) => p.upn);
    const shownUpns = seedUpns.filter((upn) => text.includes(upn));
    expect(shownUpns).toHaveLength(10);
    expect(text).toContain(String(tally.unreachable));
  });
});
