import { BILLING_SERVICE_ACCOUNT, PARTNER_TENANT_ID, PLAYGROUND_USERS, SANDBOX_APPS } from '../../sandbox';
import type { TestUser } from '../support/activities';
import { ADMIN, startBotHarness, type BotHarness } from '../support/bot-harness';
import { allCardText, cardText } from '../support/connector';

/**
 * When Partner Center lists a user because an app called it as them without MFA, the user's first
 * notice names the app (from the integration inventory the same sync built), and so does the admin's
 * list of users the bot cannot reach. Through the real /api/messages, Azurite and the sandbox.
 */

const [alexUser, meganUser] = PLAYGROUND_USERS;
const ALEX: TestUser = { aadObjectId: alexUser.objectId, name: alexUser.displayName, tenantId: PARTNER_TENANT_ID, timezone: 'America/New_York' };
const MEGAN: TestUser = { aadObjectId: meganUser.objectId, name: meganUser.displayName, tenantId: PARTNER_TENANT_ID, timezone: 'Europe/Paris' };

const isFirstNotice = (card: Record<string, unknown>) => /Partner Center saw requests from you without MFA/.test(cardText(card));

describe('first notices naming the integration', () => {
  let h: BotHarness;

  beforeEach(async () => {
    h = await startBotHarness();
    // Partner Center lists Alex, Megan and the billing service account (the seed's own records).
    const listed = new Set<string>([alexUser.objectId, meganUser.objectId, BILLING_SERVICE_ACCOUNT.objectId]);
    h.sandbox.control.replaceRecords(h.sandbox.control.records().filter((r) => listed.has(String(r['objectId']))));
  });
  afterEach(async () => {
    await h.stop();
  });

  async function connectAndSync(): Promise<void> {
    await h.connect();
    const run = await h.shepherd.deps.syncPrincipals({ trigger: 'admin' });
    expect(run.outcome).toBe('succeeded');
  }

  const noticeOf = (user: TestUser) => {
    const notices = h.connector.cards(h.a.conversationId(user)).filter(isFirstNotice);
    expect(notices).toHaveLength(1);
    return allCardText(notices[0]);
  };

  it('when a listed user\'s non-MFA calls come from an integration, then their notice names the app and its id; a user without one gets none', async () => {
    await connectAndSync();

    expect((await h.post(h.a.message(MEGAN, 'hello'))).status).toBe(200);
    expect((await h.post(h.a.message(ALEX, 'hello'))).status).toBe(200);
    await h.settle();

    const megan = noticeOf(MEGAN);
    expect(megan).toContain('Partner Center saw non-MFA calls made as you by these apps or scripts');
    expect(megan).toContain(`**${SANDBOX_APPS.provisioning.applicationName}** (app id ${SANDBOX_APPS.provisioning.applicationId})`);
    expect(megan).not.toContain(SANDBOX_APPS.billing.applicationName); // run as someone else
    expect(megan).not.toContain(SANDBOX_APPS.portal.applicationName); // always with MFA
    expect(noticeOf(ALEX)).not.toContain('Calls made as you by apps');
  });

  it('when the service account an integration runs as cannot be reached, then the admin\'s status names the integration on its row', async () => {
    await connectAndSync();
    const tally = await h.shepherd.deps.notices.sweep(); // nobody has a chat: all three unreachable
    expect(tally.unreachable).toBe(3);

    expect((await h.post(h.a.message(ADMIN, 'status'))).status).toBe(200);
    await h.settle();

    const summary = h.connector.cards(h.a.conversationId(ADMIN)).filter((c) => /MFA compliance summary/.test(allCardText(c))).pop();
    const facts = JSON.stringify(summary);
    expect(facts).toMatch(
      new RegExp(`"title":"${BILLING_SERVICE_ACCOUNT.userPrincipalName}","value":"Has not installed MFA Shepherd[^"]*· non-MFA calls as them by ${SANDBOX_APPS.billing.applicationName} \\(app id ${SANDBOX_APPS.billing.applicationId}\\)"`),
    );
    expect(facts).toMatch(new RegExp(`"title":"${alexUser.userPrincipalName}","value":"Has not installed MFA Shepherd[^"·]*"`));
    const summaryData = await h.shepherd.deps.status.adminSummary();
    expect(summaryData.unreachable.find((u) => u.upn === alexUser.userPrincipalName)?.integrations).toBeUndefined();
    expect(summaryData.unreachable.find((u) => u.upn === meganUser.userPrincipalName)?.integrations?.map((i) => i.name)).toEqual([SANDBOX_APPS.provisioning.applicationName]);
  });

  it('when an app\'s name is hostile, then the notice shows it escaped: no template expression, link or bold from it', async () => {
    const evil = '${upn} [link](https://evil.example) **bold** ' + 'A'.repeat(5_000);
    const data = h.sandbox.control.integrationData();
    h.sandbox.control.replaceIntegrationData({
      ...data,
      adoption: data.adoption.map((a) => (a['applicationId'] === SANDBOX_APPS.provisioning.applicationId ? { ...a, applicationName: evil } : a)),
    });
    await connectAndSync();

    await h.post(h.a.message(MEGAN, 'hello'));
    await h.settle();

    const cards = h.connector.cards(h.a.conversationId(MEGAN)).filter(isFirstNotice);
    expect(cards).toHaveLength(1);
    const json = JSON.stringify(cards[0]);
    const text = allCardText(cards[0]);
    expect(json).not.toContain('${');
    expect(text).toContain('\\$\\{upn\\} \\[link\\](https://evil.example) \\*\\*bold\\*\\* ');
    expect(text).not.toMatch(/(?<!\\)\[link(?<!\\)\]/);
    expect(text).toContain('…'); // clipped
    expect(json.length).toBeLessThan(25_000);
  });
});
