/**
 * The admin `status` card's compact trend (Adaptive Card `Chart.Line`, version 1.5) as the
 * Microsoft 365 Agents Playground draws it: the Playground's renderer registers the Chart.*
 * elements, so it draws the chart, not the text fallback.
 */
import path from 'node:path';
import { PARTNER_TENANT_ID, PLAYGROUND_USER_ID } from '../../sandbox';
import { startPlayground, type Playground } from '../../scripts/lib/playground';
import { freePort } from '../../scripts/lib/ports';
import { syncRunId } from '../../src/domain/sync-run';
import { launchBrowser, type LaunchedBrowser } from '../support/browser';
import { startBotHarness, type BotHarness } from '../support/bot-harness';
import { PlaygroundPage } from '../support/playground-page';
import { SCREENSHOT_DIR } from '../support/screenshots';

const SHOTS = SCREENSHOT_DIR;

describe('the admin status card in the Agents Playground', () => {
  let h: BotHarness | undefined;
  let playground: Playground | undefined;
  let browser: LaunchedBrowser | undefined;
  let ui: PlaygroundPage;

  beforeAll(async () => {
    h = await startBotHarness({ env: { ADMIN_AAD_OBJECT_IDS: PLAYGROUND_USER_ID } });
    await h.connect();
    const run = await h.shepherd.deps.syncPrincipals({ trigger: 'startup' });
    expect(run.outcome).toBe('succeeded');
    for (let d = 10; d >= 1; d--) {
      const at = new Date(run.startedAt.getTime() - d * 86_400_000);
      await h.shepherd.storage.syncRuns.add({
        id: syncRunId(at, `hist${d}`), tenantId: PARTNER_TENANT_ID, trigger: 'schedule', correlationId: `c-${d}`, startedAt: at, finishedAt: at, outcome: 'succeeded',
        counts: { records: 90, listed: 30 + d, nonCompliant: 30 + d, new: 0, reappeared: 0, resolved: 1 },
      });
    }
    [playground, browser] = await Promise.all([
      startPlayground({ botEndpoint: `${h.url}/api/messages`, port: await freePort(), silent: true, timezone: 'Europe/Berlin' }),
      launchBrowser(),
    ]);
    ui = new PlaygroundPage(await browser.newPage({ timezoneId: 'Europe/Berlin', viewport: { width: 1280, height: 1100 } }));
    await ui.open(playground.url);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await playground?.stop();
    await h?.stop();
  });

  test('when an admin types status, then the card shows the trend as a drawn line chart', async () => {
    await ui.sendMessage('status');
    await ui.waitForText('MFA compliance summary', 30_000);
    const card = ui.cards().last();
    const text = await card.innerText();
    expect(text).toContain('Non-compliant per day, last 11 days');
    // Drawn: the chart is an SVG with a path; the fallback text is not shown.
    await card.locator('svg path').first().waitFor({ timeout: 10_000 });
    expect(text).not.toContain('Last 11 days: non-compliant');
    await card.scrollIntoViewIfNeeded();
    await ui.screenshot(path.join(SHOTS, 'screenshot-status-chart.png'), { of: card });
  });
});
