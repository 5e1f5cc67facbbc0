import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SyncRun } from '../../src/domain/sync-run';
import { ADMIN, startBotHarness, type BotHarness } from '../support/bot-harness';
import { allCardText } from '../support/connector';

/**
 * The bot's Partner Center token after the world moved under it, through the real sync use case
 * (msal over real HTTP to the sandbox Entra, the real Partner Center client) and the status card
 * through /api/messages: a sandbox restarted over its state still accepts what it issued; a
 * revoked access token or a rolled signing key costs one forced refresh, never a reconnect; a
 * refused refresh token asks for a reconnect after exactly one attempt, and the status card says so.
 */

describe('Partner Center token: restart, revoke, key roll', () => {
  let h: BotHarness;
  let stateDir: string;

  beforeEach(async () => {
    stateDir = mkdtempSync(join(tmpdir(), 'mfa-shepherd-sandbox-'));
    h = await startBotHarness({ sandboxStateDir: stateDir });
    await h.connect();
  });
  afterEach(async () => {
    await h.stop();
    rmSync(stateDir, { recursive: true, force: true });
  });

  const sync = (): Promise<SyncRun> => h.shepherd.deps.syncPrincipals({ trigger: 'admin' });
  // The principals listing only: a successful sync then reads the integration endpoints too, with the token that worked.
  const pcStatuses = (): (number | null)[] =>
    h.sandbox.control
      .requests('partnerCenter')
      .filter((e) => e.path.includes('nonMfaCompliantPartnerPrincipals'))
      .map((e) => e.status);
  const refreshGrants = (): number =>
    h.sandbox.control
      .requests('entra')
      .filter((e) => e.method === 'POST' && e.path.includes('/oauth2/v2.0/token') && new URLSearchParams(e.body ?? '').get('grant_type') === 'refresh_token').length;

  async function statusCardText(): Promise<string> {
    const before = h.connector.cards(h.a.conversationId(ADMIN)).length;
    expect((await h.post(h.a.message(ADMIN, 'status'))).status).toBe(200);
    await h.settle();
    const summary = h.connector.cards(h.a.conversationId(ADMIN)).slice(before).find((c) => /MFA compliance summary/.test(allCardText(c)));
    expect(summary).toBeDefined();
    return allCardText(summary);
  }

  it('when the sandbox and the bot restart over their kept state, then the stored token is still accepted and sync succeeds without a new sign-in', async () => {
    expect((await sync()).outcome).toBe('succeeded');

    await h.restartSandbox();
    await h.restart();
    const run = await sync();

    expect(run.outcome).toBe('succeeded');
    expect(pcStatuses()).toEqual([200]);
    expect(refreshGrants()).toBe(0); // msal's cached access token was still good
  });

  it.each([
    ['its access tokens are revoked', (c: BotHarness['sandbox']['control']) => c.revokeAccessTokens()],
    ['its signing key is rolled', (c: BotHarness['sandbox']['control']) => c.rollSigningKey()],
  ])('when %s, then the bot redeems its refresh token once and the retried listing succeeds', async (_what, change) => {
    expect((await sync()).outcome).toBe('succeeded');
    h.sandbox.control.clearRequests();
    change(h.sandbox.control);

    const run = await sync();

    expect(run.outcome).toBe('succeeded');
    expect(pcStatuses()).toEqual([401, 200]);
    expect(refreshGrants()).toBe(1);
    expect(h.connector.cards(h.a.conversationId(ADMIN)).some((c) => /reconnect needed/i.test(allCardText(c)))).toBe(false);
  });

  it('when the refresh token is revoked too, then reconnect is needed after exactly one refresh attempt and one Partner Center call', async () => {
    h.sandbox.control.revokeAccessTokens();
    h.sandbox.control.revokeRefreshTokens();
    h.sandbox.control.clearRequests();

    const run = await sync();

    expect(run.outcome).toBe('notConnected');
    expect(run.errorCode).toBe('PC_NOT_CONNECTED');
    expect(pcStatuses()).toEqual([401]);
    expect(refreshGrants()).toBe(1);
  });

  it('when Partner Center refuses the fresh token as well, then the sync stops after two calls and one refresh: never a loop', async () => {
    h.sandbox.control.addFault({ target: 'partnerCenter', kind: 'tokenRefused' });
    h.sandbox.control.clearRequests();

    const run = await sync();

    expect(run.outcome).toBe('notConnected');
    expect(run.errorCode).toBe('PC_UNAUTHORIZED');
    expect(pcStatuses()).toEqual([401, 401]);
    expect(refreshGrants()).toBe(1);
  });

  it('when Partner Center answers 900421, then no fresh token is tried: one call, no refresh', async () => {
    h.sandbox.control.addFault({ target: 'partnerCenter', kind: 'mfaRequired' });
    h.sandbox.control.clearRequests();

    const run = await sync();

    expect(run.outcome).toBe('mfaRequired');
    expect(pcStatuses()).toEqual([401]);
    expect(refreshGrants()).toBe(0);
  });

  it('when the last sync needed a reconnect, then the status card says "Needs reconnect" with when and why, and "Yes" again once an admin reconnects', async () => {
    expect((await sync()).outcome).toBe('succeeded');
    expect(await statusCardText()).toMatch(/Connected\s*:?\s*Yes/);
    h.sandbox.control.revokeAccessTokens();
    h.sandbox.control.revokeRefreshTokens();
    expect((await sync()).outcome).toBe('notConnected');

    const failed = await statusCardText();

    expect(failed).toContain('The last sync failed');
    expect(failed).toContain('Needs reconnect');
    expect(failed).not.toMatch(/Connected\s*:?\s*Yes/);
    expect(failed).toMatch(/Partner Center has refused MFA Shepherd's connection since [^,]*\d/);
    expect(failed).toContain('Entra ID no longer accepts the stored sign-in');
    expect(failed).toContain('Unknown until reconnected');

    await h.connect();
    const reconnected = await statusCardText();

    expect(reconnected).not.toContain('Needs reconnect');
    expect(reconnected).toMatch(/Connected\s*:?\s*Yes/);
  });
});
