/**
 * MFA Shepherd end to end: the real bot (in-process, real HTTP), Azurite (jest's child process),
 * the sandbox for Partner Center / Graph / Entra, the Agents Playground (child process) as the
 * Teams client, and headless Chromium clicking through it like the user would.
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { DateTime } from 'luxon';
import { PLAYGROUND_USER_ID } from '../../sandbox';
import { startPlayground, type Playground } from '../../scripts/lib/playground';
import { freePort } from '../../scripts/lib/ports';
import { launchBrowser, type LaunchedBrowser } from '../support/browser';
import { startBotHarness, type BotHarness } from '../support/bot-harness';
import { PlaygroundPage } from '../support/playground-page';

const ARTIFACTS = path.resolve(__dirname, '..', '..', 'artifacts', 'e2e');

describe('MFA Shepherd in the Agents Playground', () => {
  let h: BotHarness | undefined;
  let playground: Playground | undefined;
  let browser: LaunchedBrowser | undefined;
  let ui: PlaygroundPage;

  beforeAll(async () => {
    h = await startBotHarness({ env: { ADMIN_AAD_OBJECT_IDS: 'admin-not-at-the-keyboard' } });
    await h.connect();
    const run = await h.shepherd.deps.syncPrincipals({ trigger: 'startup' });
    expect(run.outcome).toBe('succeeded');
    [playground, browser] = await Promise.all([
      startPlayground({ botEndpoint: `${h.url}/api/messages`, port: await freePort(), silent: true, timezone: 'Europe/Berlin' }),
      launchBrowser(),
    ]);
    ui = new PlaygroundPage(await browser.newPage({ timezoneId: 'Europe/Berlin' }));
    await ui.open(playground.url);
  }, 90_000);

  afterAll(async () => {
    if (browser && ui) await ui.screenshot(path.join(ARTIFACTS, 'last-state.png')).catch(() => undefined);
    await browser?.close();
    await playground?.stop();
    await h?.stop();
  });

  test('when the user opens Teams, then the first notice arrives with when their last non-MFA request was', async () => {
    await ui.waitForText('Partner Center saw requests from you without MFA', 30_000);
    const text = await ui.lastCardText();
    // The bot did not know Alex's zone yet (install events carry none): the Teams client renders
    // the time in the reader's own zone, here the browser's Europe/Berlin.
    const { principal } = await h!.shepherd.deps.status.userStatus(PLAYGROUND_USER_ID);
    const berlin = DateTime.fromJSDate(principal!.lastNonMfaAt).setZone('Europe/Berlin').toFormat('h:mm a');
    expect(text).toContain(`The most recent was on`);
    expect(text).toContain(berlin);
    expect(text).toContain('Set up MFA now');
    expect(text).toContain('Why am I seeing this?');
    await mkdir(ARTIFACTS, { recursive: true });
    await ui.screenshot(path.join(ARTIFACTS, 'first-notice.png'));
  });

  test('when the user walks through the steps and registers, then the check says verified', async () => {
    await ui.clickCardAction('Set up MFA now');
    await ui.waitForText('Step 1 of 3');
    await ui.clickCardAction('Next');
    await ui.waitForText('Step 2 of 3');
    await ui.clickCardAction('Next');
    await ui.waitForText('Step 3 of 3');

    await ui.clickCardAction("I'm done — check my registration");
    await ui.waitForText('No MFA registration found yet');

    // The user registers on the registration page (the sandbox's stand-in for aka.ms/mfasetup).
    h!.sandbox.control.setRegistration(PLAYGROUND_USER_ID, { isMfaRegistered: true, methods: ['microsoftAuthenticatorPush'] });
    await ui.clickCardAction('Check again');
    await ui.waitForText('Verified: you have MFA registered');
    const { principal } = await h!.shepherd.deps.status.userStatus(PLAYGROUND_USER_ID);
    expect(principal?.status).toBe('verificationPending');
    await ui.screenshot(path.join(ARTIFACTS, 'verified.png'));
  });

  test('when the user types status, then they see that their registration is verified', async () => {
    // Only the status card says "your status" and "waiting for Partner Center": the walkthrough's
    // verified result already on the page says neither, so this waits for the reply itself.
    expect(await ui.messages().filter({ hasText: 'MFA Shepherd · your status' }).count()).toBe(0);
    await ui.sendMessage('status');
    const reply = await ui.waitForText('MFA Shepherd · your status');
    const text = await reply.innerText();
    expect(text).toContain('MFA verified: waiting for Partner Center');
    expect(text).toContain('Microsoft Graph confirmed your MFA registration on');
    expect(text).not.toContain('Action needed: set up MFA');
    await ui.screenshot(path.join(ARTIFACTS, 'status.png'));
  });
});
