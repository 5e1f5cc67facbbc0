/**
 * The technical-exception workflow end to end: in headless Chromium through the Agents
 * Playground, a user files a request, an admin at another Playground approves it, and the requester
 * sees the outcome. The real bot (in-process, real HTTP), Azurite, the sandbox for Partner Center /
 * Graph / Entra.
 *
 * Two users means two Playground processes: a Playground's current user is fixed for the life of the
 * process. Alex Wilber (the Playground's default user, non-compliant in the sandbox) runs on the
 * built-in config; Megan Bowen (the configured approver) on a config file that makes her the current
 * user. Both talk to the same bot endpoint, each with its own serviceUrl: the bot sends proactive
 * messages (the approval card to Megan, the outcome to Alex) to the serviceUrl it captured from that
 * user's own activities, so Megan's page opens first — her conversationUpdate is what tells the bot
 * where her chat is; without it nobody would be notified of the submission.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PLAYGROUND_USER_ID } from '../../sandbox';
import { PLAYGROUND_USERS, playgroundConfig, startPlayground, writePlaygroundConfig, type Playground } from '../../scripts/lib/playground';
import { launchBrowser, type LaunchedBrowser } from '../support/browser';
import { startBotHarness, type BotHarness } from '../support/bot-harness';
import { PlaygroundPage } from '../support/playground-page';

const ARTIFACTS = path.resolve(__dirname, '..', '..', 'artifacts', 'e2e');
const MEGAN = PLAYGROUND_USERS.find((u) => u.email === 'meganb@example.com')!;
/**
 * The conversation is a scrolling pane that clips what is outside it, so an element screenshot of a card
 * taller than the window shows blank space: a window tall enough for the whole form keeps them readable.
 */
const VIEWPORT = { width: 1280, height: 2400 };
const REASON = 'Our third-party MFA provider cannot pass the MFA claim to Entra ID';

const FORM = {
  technicalDescription:
    'Our federated IdP (Okta Workforce Identity) performs MFA for every sign-in, but it does not send the MFA claim (amr=mfa) to Entra ID for Partner Center sign-ins.',
  workaroundTried:
    'We enabled the authnContextClassRef mapping in Okta; the vendor confirmed in ticket 0123 that our tier does not support it.',
  businessImpact: 'Provisioning of customer subscriptions through our PSA integration stops: about 40 orders a day.',
  affected: 'The PSA integration service account and three billing admins.',
  comment: 'Vendor letter checked; file it with Microsoft.',
};

describe('technical exception in the Agents Playground: request, approval, outcome', () => {
  let h: BotHarness | undefined;
  let alexPlayground: Playground | undefined;
  let meganPlayground: Playground | undefined;
  let browser: LaunchedBrowser | undefined;
  let alex: PlaygroundPage;
  let megan: PlaygroundPage;
  let configDir = '';

  beforeAll(async () => {
    h = await startBotHarness({ env: { ADMIN_AAD_OBJECT_IDS: MEGAN.aadObjectId, APPROVER_AAD_OBJECT_IDS: MEGAN.aadObjectId } });
    await h.connect();
    const run = await h.shepherd.deps.syncPrincipals({ trigger: 'startup' });
    expect(run.outcome).toBe('succeeded');

    configDir = mkdtempSync(path.join(os.tmpdir(), 'playground-megan-'));
    const meganConfig = writePlaygroundConfig(path.join(configDir, 'megan.yml'), playgroundConfig({ currentUser: 'meganb' }));
    const botEndpoint = `${h.url}/api/messages`;
    [alexPlayground, meganPlayground, browser] = await Promise.all([
      startPlayground({ botEndpoint, silent: true, timezone: 'Europe/Berlin', name: 'playground-alex' }),
      startPlayground({ botEndpoint, silent: true, timezone: 'Europe/Berlin', configFile: meganConfig, name: 'playground-megan' }),
      launchBrowser(),
    ]);
    megan = new PlaygroundPage(await browser.newPage({ timezoneId: 'Europe/Berlin', viewport: VIEWPORT }));
    await megan.open(meganPlayground.url);
    alex = new PlaygroundPage(await browser.newPage({ timezoneId: 'Europe/Berlin', viewport: VIEWPORT }));
    await alex.open(alexPlayground.url);
  }, 90_000);

  afterAll(async () => {
    if (browser && alex) await alex.screenshot(path.join(ARTIFACTS, 'exception-last-state-requester.png')).catch(() => undefined);
    if (browser && megan) await megan.screenshot(path.join(ARTIFACTS, 'exception-last-state-approver.png')).catch(() => undefined);
    await browser?.close();
    await Promise.all([alexPlayground?.stop(), meganPlayground?.stop()]);
    await h?.stop();
    if (configDir) rmSync(configDir, { recursive: true, force: true });
  });

  test('when each Playground opens, then its own user is at the keyboard', async () => {
    expect(await alex.currentUserName()).toBe('Alex Wilber');
    expect(await megan.currentUserName()).toBe(MEGAN.name);
  });

  test('when the user says MFA is technically impossible, then the card asks for the reason first', async () => {
    await alex.waitForText('Partner Center saw requests from you without MFA', 30_000);
    await alex.clickCardAction('MFA is technically impossible for me');
    await alex.waitForText('Request a technical exception');
    expect(await alex.lastCardText()).toContain('Microsoft will NOT accept');

    await alex.chooseCardChoice('Reason', REASON);
    await alex.clickCardAction('Continue');
    await alex.waitForText('Technical exception request');
    expect(await alex.lastCardText()).toMatch(/Request EXC-\S+ · draft/);
    // The form carries the reason chosen on the previous card.
    expect(await (await alex.cardInput('Reason')).inputValue()).toBe(REASON);
  });

  test('when the user fills the form and submits it, then the card shows the request waiting for an approver', async () => {
    await alex.fillCardInput('Technical description: what exactly fails, and why MFA is technically impossible', FORM.technicalDescription);
    await alex.chooseCardChoice('Which Partner Center scenario does MFA block?', 'An App+User Partner Center API integration');
    await alex.fillCardInput('Workaround tried, and why it fails', FORM.workaroundTried);
    await alex.fillCardInput('Business impact', FORM.businessImpact);
    await alex.fillCardInput('Affected users or integrations', FORM.affected);
    await alex.chooseCardChoice('Evidence you can provide (Microsoft asks for it)', [
      'Confirmation from the MFA vendor that it cannot pass the MFA claim',
      'The integration method (federation or custom control)',
    ]);
    await alex.chooseCardChoice('Integration method of the third-party MFA provider (if one is involved)', 'Federation');
    await alex.screenshot(path.join(ARTIFACTS, 'exception-requester-form.png'), { of: await alex.waitForText('Technical exception request') });

    const answer = await alex.clickCardAction('Submit for review');
    expect(answer?.statusCode).toBe(200);
    // The form is replaced by the request's status view (the approvers' card without the buttons).
    const submitted = await alex.waitForText('Waiting for an approver');
    expect(await submitted.getByRole('button', { name: 'Approve', exact: true }).count()).toBe(0);
    const [request] = await h!.shepherd.storage.exceptions.listByRequester(PLAYGROUND_USER_ID);
    expect(request?.status).toBe('inReview');
  });

  test('when the approver reads the approval card and approves with a comment, then her card shows the decision', async () => {
    const card = await megan.waitForText('technical exception · for approvers', 30_000);
    const text = await card.innerText();
    expect(text).toContain('for approvers');
    expect(text).toContain('Alex Wilber');
    expect(text).toContain('Okta Workforce Identity');
    expect(text).toContain('about 40 orders a day');

    await megan.fillCardInput('Comment (required to reject or to request changes)', FORM.comment);
    await megan.screenshot(path.join(ARTIFACTS, 'exception-approver-card.png'), { of: card });
    const answer = await megan.clickCardAction('Approve');
    expect(answer?.statusCode).toBe(200);
    // Case-sensitive on purpose: as an admin Megan also gets the Partner Center pack ("…was approved by Megan…").
    const decided = await megan.waitForText(new RegExp(`Approved by ${MEGAN.name}`));
    expect(await decided.innerText()).toContain(FORM.comment);
    await megan.screenshot(path.join(ARTIFACTS, 'exception-approver-decided.png'), { of: decided });
    expect(await decided.getByRole('button', { name: 'Approve', exact: true }).count()).toBe(0);
    // As an admin she is also handed what to file with Microsoft.
    await megan.waitForText('Approved: file it with Microsoft');
  });

  test('when the request is approved, then the requester is told in their chat', async () => {
    const outcome = await alex.waitForText('Your exception request was approved', 30_000);
    const text = await outcome.innerText();
    expect(text).toContain(`${MEGAN.name} approved it`);
    expect(text).toContain(FORM.comment);
    await alex.screenshot(path.join(ARTIFACTS, 'exception-requester-outcome.png'), { of: outcome });

    const [request, ...others] = await h!.shepherd.storage.exceptions.listByRequester(PLAYGROUND_USER_ID);
    expect(others).toHaveLength(0);
    expect(request?.status).toBe('approved');
    expect(request?.decidedBy).toBe(MEGAN.aadObjectId);
    expect(request?.fields).toMatchObject({
      reasonCategory: 'thirdPartyMfaCannotPassClaim',
      blockedScenario: 'appUserApi',
      evidence: ['vendorConfirmation', 'integrationMethod'],
      integrationMethod: 'federation',
      technicalDescription: FORM.technicalDescription,
    });
    const history = await h!.shepherd.storage.exceptions.history(request!.id);
    const actions = history.map((e) => `${e.action} by ${e.actor}`);
    expect(actions).toContain(`submitForReview by ${PLAYGROUND_USER_ID}`);
    expect(actions).toContain(`approve by ${MEGAN.aadObjectId}`);
  });
});
