/**
 * A federated user's walkthrough end to end: the real bot, Azurite, the sandbox (Patti's domain is
 * federated there), the Agents Playground with Patti at the keyboard, and headless Chromium.
 */
import { mkdir, mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { FEDERATED_DOMAIN, FEDERATED_PLAYGROUND_USER_ID } from '../../sandbox';
import { playgroundConfig, startPlayground, writePlaygroundConfig, type Playground } from '../../scripts/lib/playground';
import { launchBrowser, type LaunchedBrowser } from '../support/browser';
import { startBotHarness, type BotHarness } from '../support/bot-harness';
import { PlaygroundPage } from '../support/playground-page';

const ARTIFACTS = path.resolve(__dirname, '..', '..', 'artifacts', 'e2e');
const EXCEPTION_BUTTON = "Our provider can't pass the MFA claim";

describe('a federated user in the Agents Playground', () => {
  let h: BotHarness | undefined;
  let playground: Playground | undefined;
  let browser: LaunchedBrowser | undefined;
  let ui: PlaygroundPage;

  beforeAll(async () => {
    h = await startBotHarness({ env: { ADMIN_AAD_OBJECT_IDS: 'admin-not-at-the-keyboard' } });
    // Partner Center lists Patti: a request without MFA just now.
    h.sandbox.control.addNonMfaRecord(FEDERATED_PLAYGROUND_USER_ID);
    await h.connect();
    const run = await h.shepherd.deps.syncPrincipals({ trigger: 'startup' });
    expect(run.outcome).toBe('succeeded');
    const configFile = writePlaygroundConfig(path.join(await mkdtemp(path.join(os.tmpdir(), 'shepherd-e2e-')), 'patti.yml'), playgroundConfig({ currentUser: 'pattif' }));
    [playground, browser] = await Promise.all([
      startPlayground({ botEndpoint: `${h.url}/api/messages`, silent: true, timezone: 'Europe/Berlin', configFile, name: 'playground-patti' }),
      launchBrowser(),
    ]);
    ui = new PlaygroundPage(await browser.newPage({ timezoneId: 'Europe/Berlin' }));
    await ui.open(playground.url);
    await mkdir(ARTIFACTS, { recursive: true });
  }, 90_000);

  afterAll(async () => {
    if (browser && ui) await ui.screenshot(path.join(ARTIFACTS, 'federated-last-state.png')).catch(() => undefined);
    await browser?.close();
    await playground?.stop();
    await h?.stop();
  });

  test('when Patti opens the walkthrough, then it explains MFA at her identity provider and the claim it must pass', async () => {
    await ui.waitForText('Partner Center saw requests from you without MFA', 30_000);
    await ui.clickCardAction('Set up MFA now');
    await ui.waitForText('MFA happens at your identity provider');
    const text = await ui.lastCardText();
    expect(text).toContain(FEDERATED_DOMAIN);
    expect(text).toContain('federatedIdpMfaBehavior');
    expect(text).toContain(EXCEPTION_BUTTON);
    expect(text).not.toContain('Open registration page');
    await ui.screenshot(path.join(ARTIFACTS, 'federated-step-1.png'));
  });

  test('when she checks before a sign-in with the claim and again after one, then "not confirmed yet", then satisfied by the provider\'s claim', async () => {
    await ui.clickCardAction('Next');
    await ui.waitForText('Step 2 of 3');
    await ui.clickCardAction('Next');
    await ui.waitForText('Step 3 of 3');
    await ui.clickCardAction("I'm done — check my registration");
    await ui.waitForText('MFA happens at your identity provider: not confirmed yet');
    expect(await ui.lastCardText()).toContain(EXCEPTION_BUTTON);

    // Patti signs in to Partner Center; her identity provider does MFA and passes the claim.
    h!.sandbox.control.addSignIn(FEDERATED_PLAYGROUND_USER_ID, { kind: 'providerClaim', app: 'Microsoft Partner Center' });
    await ui.clickCardAction('Check again');
    await ui.waitForText("Satisfied by your identity provider's MFA claim");
    const { principal } = await h!.shepherd.deps.status.userStatus(FEDERATED_PLAYGROUND_USER_ID);
    expect(principal?.status).toBe('verificationPending');
    await ui.screenshot(path.join(ARTIFACTS, 'federated-verified.png'));
  });

  test('when her provider cannot pass the claim, then the walkthrough\'s button opens the exception form with that reason chosen', async () => {
    await ui.clickCardAction('Scripts and apps (step 2)');
    await ui.waitForText('Step 2 of 3');
    await ui.clickCardAction('Back');
    await ui.waitForText('MFA happens at your identity provider');
    await ui.clickCardAction(EXCEPTION_BUTTON);
    await ui.waitForText('Technical description');
    const reason = await ui.cardInput('Reason');
    expect(await reason.inputValue()).toBe('Our third-party MFA provider cannot pass the MFA claim to Entra ID');
    await ui.screenshot(path.join(ARTIFACTS, 'federated-exception.png'));
  });
});
