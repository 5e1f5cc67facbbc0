/**
 * The Compliance tab end to end: the real bot serving the vite-built page, the sandbox's Entra
 * signing its tokens (the local dev sign-in), Azurite, and headless Chromium using the page.
 * Screenshots go to artifacts/e2e, or to docs/ (the README's) with UPDATE_SCREENSHOTS=1.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { PARTNER_TENANT_ID, PLAYGROUND_USERS } from '../../sandbox';
import { syncRunId } from '../../src/domain/sync-run';
import { launchBrowser, type LaunchedBrowser } from '../support/browser';
import { startBotHarness, type BotHarness } from '../support/bot-harness';
import { ensureTabBuilt } from '../support/tab-build';
import { SCREENSHOT_DIR } from '../support/screenshots';

const SHOTS = SCREENSHOT_DIR;
const [ALEX, MEGAN] = PLAYGROUND_USERS;
const DAY = 86_400_000;

describe('the Compliance tab in Chromium', () => {
  let h: BotHarness | undefined;
  let browser: LaunchedBrowser | undefined;

  beforeAll(async () => {
    ensureTabBuilt();
    h = await startBotHarness({ env: { ADMIN_AAD_OBJECT_IDS: ALEX.objectId } });
    await h.connect();
    const run = await h.shepherd.deps.syncPrincipals({ trigger: 'startup' });
    expect(run.outcome).toBe('succeeded');
    // 60 days of daily sync history before today's real one: a falling line with new and resolved bars.
    const base = run.startedAt.getTime();
    for (let d = 60; d >= 1; d--) {
      const at = new Date(base - d * DAY);
      const nonCompliant = 20 + Math.round(d / 3);
      await h.shepherd.storage.syncRuns.add({
        id: syncRunId(at, `hist${d}`), tenantId: PARTNER_TENANT_ID, trigger: 'schedule', correlationId: `c-${d}`, startedAt: at, finishedAt: new Date(at.getTime() + 2_000), outcome: 'succeeded',
        counts: { records: nonCompliant * 3, listed: nonCompliant, nonCompliant, new: d % 7 === 0 ? 3 : 0, reappeared: 0, resolved: d % 3 === 0 ? 1 : 0 },
      });
    }
    browser = await launchBrowser();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await h?.stop();
  });

  it('when an admin opens the tab, then the trend is drawn, a filter narrows the who-list, and the CSV downloads', async () => {
    const page = await browser!.newPage({ viewport: { width: 1360, height: 1000 } });
    const started = Date.now();
    await page.goto(`${h!.url}/tab/?user=${ALEX.objectId}`);
    await page.waitForSelector('body[data-ready="true"]', { timeout: 20_000 });
    await page.waitForSelector('canvas#trend-chart[data-drawn="true"]');
    // Page code as strings: the tests compile without the DOM's types.
    const firstPaint = await page.evaluate<number>("performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? -1");
    console.log(`Compliance tab (admin): first contentful paint ${Math.round(firstPaint)} ms, ready after ${Date.now() - started} ms`);
    expect(Number(await page.getAttribute('canvas#trend-chart', 'data-points'))).toBe(61);
    // The canvas has pixels drawn (not a blank box).
    const inked = await page.evaluate<number>(`(() => {
      const c = document.querySelector('canvas#trend-chart');
      const data = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
      let n = 0;
      for (let i = 3; i < data.length; i += 4) if (data[i] > 0) n++;
      return n;
    })()`);
    expect(inked).toBeGreaterThan(1000);

    await page.waitForSelector('[data-testid="who-table"] tbody tr[data-object-id]');
    const before = await page.locator('[data-testid="who-table"] tbody tr[data-object-id]').count();
    expect(before).toBeGreaterThan(5);
    await page.screenshot({ path: path.join(SHOTS, 'screenshot-compliance-tab.png'), fullPage: false });

    await page.fill('input[data-filter="q"]', 'meganb');
    await page.waitForFunction(`document.querySelectorAll('[data-testid="who-table"] tbody tr[data-object-id]').length === 1`);
    expect(await page.getAttribute('[data-testid="who-table"] tbody tr[data-object-id]', 'data-object-id')).toBe(MEGAN.objectId);
    await expect(page.locator('[data-testid="who-total"]').textContent()).resolves.toBe('1 person');

    const [download] = await Promise.all([page.waitForEvent('download'), page.click('button[data-action="csv"]')]);
    expect(download.suggestedFilename()).toMatch(/^mfa-shepherd-principals-\d{4}-\d{2}-\d{2}\.csv$/);
    const csv = (await readFile(await download.path(), 'utf8')).replace(/^\uFEFF/, '');
    const lines = csv.trim().split('\r\n');
    expect(lines[0]).toMatch(/^objectId,upn,status,/);
    expect(lines).toHaveLength(2);
    expect(lines[1]).toContain(MEGAN.objectId);
  });

  it('when a non-admin opens the tab, then they see their own status only', async () => {
    const page = await browser!.newPage({ viewport: { width: 1000, height: 600 } });
    await page.goto(`${h!.url}/tab/?user=${MEGAN.objectId}`);
    await page.waitForSelector('body[data-ready="true"]', { timeout: 20_000 });
    await expect(page.locator('[data-testid="me-status"]').textContent()).resolves.toContain('Non-compliant');
    expect(await page.locator('#who, #summary, #audit, canvas').count()).toBe(0);
    await expect(page.locator('#who').count()).resolves.toBe(0);
    await page.screenshot({ path: path.join(SHOTS, 'screenshot-compliance-tab-user.png') });
  });
});
