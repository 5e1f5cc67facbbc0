/**
 * The integration watch end to end: the real bot, the sandbox's Partner Center with its four apps,
 * the Agents Playground as the Teams client (its user is the admin here) and headless Chromium:
 * the ranked inventory card, then an incident posted to /api/incidents arriving as an alert card
 * with the playbook, acknowledged from the card. Screenshots go to artifacts/e2e, or to docs/ (the README's) with UPDATE_SCREENSHOTS=1.
 */
import path from 'node:path';
import { PLAYGROUND_USER_ID, SANDBOX_APPS } from '../../sandbox';
import { startPlayground, type Playground } from '../../scripts/lib/playground';
import { freePort } from '../../scripts/lib/ports';
import { launchBrowser, type LaunchedBrowser } from '../support/browser';
import { startBotHarness, type BotHarness } from '../support/bot-harness';
import { PlaygroundPage } from '../support/playground-page';
import { SCREENSHOT_DIR } from '../support/screenshots';

const SHOTS = SCREENSHOT_DIR;

describe('the integration watch in the Agents Playground', () => {
  let h: BotHarness | undefined;
  let playground: Playground | undefined;
  let browser: LaunchedBrowser | undefined;
  let ui: PlaygroundPage;

  beforeAll(async () => {
    h = await startBotHarness({ env: { ADMIN_AAD_OBJECT_IDS: PLAYGROUND_USER_ID } });
    await h.connect();
    const run = await h.shepherd.deps.syncPrincipals({ trigger: 'startup' });
    expect(run.integrations?.apps).toBe(4);
    [playground, browser] = await Promise.all([
      startPlayground({ botEndpoint: `${h.url}/api/messages`, port: await freePort(), silent: true, timezone: 'Europe/Berlin' }),
      launchBrowser(),
    ]);
    ui = new PlaygroundPage(await browser.newPage({ timezoneId: 'Europe/Berlin', viewport: { width: 1280, height: 1400 } }));
    await ui.open(playground.url);
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    await playground?.stop();
    await h?.stop();
  });

  test('when the admin types "integrations", then the ranked inventory shows which integrations will break', async () => {
    await ui.sendMessage('integrations');
    const card = await ui.waitForText('3 of 4 integrations will fail under MFA enforcement', 30_000);
    const text = await ui.lastCardText();
    expect(text).toContain('Billing Export Script');
    expect(text).toContain('Acme PSA Connector');
    expect(text.indexOf('Contoso Partner Portal')).toBeGreaterThan(text.indexOf('Billing Export Script'));
    await ui.screenshot(path.join(SHOTS, 'screenshot-integrations.png'), { of: card });
  });

  test('when another system posts a 401/900421, then the alert card with the playbook arrives and Acknowledge records who took it', async () => {
    const { secret } = await h!.shepherd.deps.integrations!.incidents.createKey(PLAYGROUND_USER_ID, 'billing pipeline');
    const response = await fetch(`${h!.url}/api/incidents`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${secret}` },
      body: JSON.stringify({ applicationId: SANDBOX_APPS.billing.applicationId, status: 401, errorCode: '900421', correlationId: '6d1f0c2e-0000-4000-8000-000000000001', operationName: 'Get /v1/invoices', occurredAt: new Date().toISOString() }),
    });
    expect(response.status).toBe(202);
    const card = await ui.waitForText('Billing Export Script: MFA required (401/900421)', 30_000);
    expect(await ui.lastCardText()).toContain('ValidateMfa');
    await ui.screenshot(path.join(SHOTS, 'screenshot-incident.png'), { of: card });
    await ui.clickCardAction('Acknowledge');
    await ui.waitForText(/Acknowledged by/);
    const [incident] = await h!.shepherd.deps.integrations!.incidents.recent(PLAYGROUND_USER_ID, 1);
    expect(incident?.acknowledgedBy).toBe(PLAYGROUND_USER_ID);
  });
});
