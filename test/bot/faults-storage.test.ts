import { startAzurite, type AzuriteHandle } from '../../scripts/lib/azurite';
import { PARTNER_TENANT_ID, PLAYGROUND_USERS } from '../../sandbox';
import type { TestUser } from '../support/activities';
import { ADMIN, startBotHarness, type BotHarness } from '../support/bot-harness';
import { allCardText } from '../support/connector';

/**
 * Storage going away under a running bot: the bot runs on its own private Azurite (a child
 * process), which is stopped mid-run. Readiness must say so, liveness must not, and a user who
 * writes to the bot must get an answer rather than silence, quickly (bounded storage retries).
 */

const [alexUser] = PLAYGROUND_USERS;
const ALEX: TestUser = { aadObjectId: alexUser.objectId, name: alexUser.displayName, tenantId: PARTNER_TENANT_ID, timezone: 'America/New_York' };

/** Small storage retry and timeout values, so an outage surfaces in well under a second. */
/** A hang fails the test here instead of at jest's 60 s default. */
const OUTAGE_BUDGET_MS = 15_000;
const FAST_STORAGE = { retryOptions: { maxRetries: 1, retryDelayInMs: 20, maxRetryDelayInMs: 50 }, requestTimeoutMs: 2_000 };

async function getJson(url: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(url);
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe('storage outage under the running bot', () => {
  let azurite: AzuriteHandle;
  let h: BotHarness;

  beforeEach(async () => {
    azurite = await startAzurite({ inMemory: true });
    h = await startBotHarness({ env: { AZURE_STORAGE_CONNECTION_STRING: azurite.connectionString }, overrides: { storage: FAST_STORAGE } });
  });
  afterEach(async () => {
    await h.stop();
    await azurite.stop();
  });

  it('when storage is up, then /readyz and /healthz answer 200 and the bot uses the private Azurite', async () => {
    expect(await getJson(`${h.url}/readyz`)).toEqual({ status: 200, body: { status: 'ready' } });
    expect((await getJson(`${h.url}/healthz`)).status).toBe(200);
    expect(h.config.storage.connectionString).toBe(azurite.connectionString);
  });

  it('when Azurite stops mid-run, then /readyz is a generic 503 NOT_READY (the cause is logged, not shown) while /healthz stays 200', async () => {
    await azurite.stop();

    const ready = await getJson(`${h.url}/readyz`);
    const health = await getJson(`${h.url}/healthz`);

    expect(ready.status).toBe(503);
    expect(ready.body).toEqual({ status: 'not ready', code: 'NOT_READY' });
    expect(health).toEqual({ status: 200, body: { status: 'ok', localMode: true } });
  }, OUTAGE_BUDGET_MS);

  it('when Azurite stops mid-run and a user writes to the bot, then they get an error card naming the storage code, without a hang', async () => {
    expect((await h.post(h.a.message(ALEX, 'hello'))).status).toBe(200); // works while storage is up
    await h.settle();
    h.connector.clear();
    await azurite.stop();

    const response = await h.post(h.a.message(ALEX, 'status'));
    await h.settle();

    expect(response.status).toBe(200);
    const cards = h.connector.cards(h.a.conversationId(ALEX));
    expect(cards).toHaveLength(1);
    const text = allCardText(cards[0]);
    expect(text).toContain('STORAGE_UNAVAILABLE');
    expect(text).toMatch(/cannot reach its storage/i);
    expect(text).toMatch(/try again/i);
  }, OUTAGE_BUDGET_MS);

  it('when Azurite stops mid-run and the admin asks for "sync now", then the admin gets an error card and the sync is not reported as done', async () => {
    await h.connect();
    expect((await h.post(h.a.message(ADMIN, 'hello'))).status).toBe(200);
    await h.settle();
    h.connector.clear();
    await azurite.stop();

    const response = await h.post(h.a.message(ADMIN, 'sync now'));
    await h.settle();

    expect(response.status).toBe(200);
    const texts = h.connector.cards(h.a.conversationId(ADMIN)).map(allCardText);
    expect(texts.length).toBeGreaterThanOrEqual(1);
    expect(texts.some((t) => t.includes('STORAGE_UNAVAILABLE'))).toBe(true);
    expect(texts.some((t) => /Sync finished/.test(t))).toBe(false);
    expect(h.sandbox.control.requests('partnerCenter')).toHaveLength(0);
  }, OUTAGE_BUDGET_MS);
});
