/**
 * The integration watch through the real /api/messages: the inventory built by the sync from the
 * sandbox's Partner Center, setting an owner, the playbook, report 900421, check connection, and
 * non-admins refused (an app's owner sees their own app).
 */
import { BILLING_SERVICE_ACCOUNT, PARTNER_TENANT_ID, SANDBOX_APPS } from '../../sandbox';
import type { TestUser } from '../support/activities';
import { ADMIN, startBotHarness, type BotHarness } from '../support/bot-harness';
import { allCardText, cardActions, textOf } from '../support/connector';

const OWNER: TestUser = { aadObjectId: 'owner-0001', name: 'Olga Owner', tenantId: PARTNER_TENANT_ID, timezone: 'Europe/Berlin' };
const EVE: TestUser = { aadObjectId: 'someone-else', name: 'Eve Bystander', tenantId: PARTNER_TENANT_ID };
const BILLING_KEY = SANDBOX_APPS.billing.applicationId;

describe('integration watch in Teams', () => {
  let h: BotHarness;
  beforeAll(async () => {
    h = await startBotHarness();
    await h.connect();
    for (const user of [ADMIN, OWNER, EVE]) await h.post(h.a.message(user, 'help'));
    await h.settle();
  });
  afterAll(async () => {
    await h?.stop();
  });

  const lastTo = (user: TestUser) => h.connector.sent.filter((s) => s.conversationId === h.a.conversationId(user)).at(-1)!;
  const say = async (user: TestUser, text: string) => {
    await h.post(h.a.message(user, text));
    return textOf(lastTo(user));
  };
  const execute = async (user: TestUser, verb: string, data: Record<string, unknown>) => (await h.post(h.a.execute(user, verb, data))).body as { value: unknown };

  it('when the sync runs, then the inventory is built in the same run and stored with it', async () => {
    const run = await h.shepherd.deps.syncPrincipals({ trigger: 'admin', requestedBy: ADMIN.aadObjectId });
    expect(run.outcome).toBe('succeeded');
    expect(run.integrations).toEqual(expect.objectContaining({ outcome: 'succeeded', apps: 4, changed: 4, alerts: 0 }));
    const [stored] = await h.shepherd.storage.syncRuns.latest(PARTNER_TENANT_ID, 1);
    expect(stored?.integrations?.apps).toBe(4);
  });

  it('when an admin types "integrations", then the ranked inventory shows the three apps that will fail before the portal', async () => {
    const text = await say(ADMIN, 'integrations');
    expect(text).toMatch(/3 of 4 integrations will fail under MFA enforcement \(3 without an owner\)/);
    const card = lastTo(ADMIN).activity.attachments![0]!.content;
    const names = (card.body as { items?: { columns?: { items: { text: string }[] }[] }[] }[])
      .flatMap((b) => b.items ?? [])
      .flatMap((i) => i.columns ?? [])
      .flatMap((c) => c.items)
      .map((t) => t.text)
      .filter((t) => t.startsWith('**'));
    expect(names.at(-1)).toBe('**Contoso Partner Portal**');
    expect(names).toHaveLength(4);
    expect(allCardText(card)).toMatch(/Will fail/);
  });

  it('when a non-admin types an integration command, then they are told these are for admins and see nothing', async () => {
    for (const command of ['integrations', 'integration billing', 'playbook', 'report 900421', 'check connection', 'incident key create x']) {
      const text = await say(EVE, command);
      expect(text).toMatch(/Only MFA Shepherd admins .*integration commands are for admins/);
      expect(text).not.toMatch(/Billing Export Script/);
    }
    expect(await h.shepherd.deps.integrations!.incidents.listKeys(ADMIN.aadObjectId)).toEqual([]);
  });

  it('when an admin opens an app and sets its owner and fields, then they are stored and the owner sees their own app card', async () => {
    const text = await say(ADMIN, 'integration billing export');
    expect(text).toMatch(/Will fail under enforcement/);
    expect(text).toContain(BILLING_SERVICE_ACCOUNT.userPrincipalName);
    expect(text).toMatch(/Get \/v1\/invoices/);
    expect(cardActions(lastTo(ADMIN).activity.attachments![0]!.content).map((a) => a.verb)).toEqual(['int.save', 'int.playbook', 'int.list']);

    const answer = await execute(ADMIN, 'int.save', { key: BILLING_KEY, ownerId: OWNER.aadObjectId, ownerName: OWNER.name, authMethod: 'storedPassword', impact: 'billing', businessFunction: 'Monthly invoice export', runbookUrl: 'https://wiki.example/billing' });
    expect(allCardText(answer.value)).toMatch(/Saved\./);
    const stored = await h.shepherd.deps.integrations!.integrations.find(BILLING_KEY);
    expect(stored.fields).toEqual(expect.objectContaining({ owner: { aadObjectId: OWNER.aadObjectId, name: OWNER.name }, impact: 'billing', authMethod: 'storedPassword' }));

    const bad = await execute(ADMIN, 'int.save', { key: BILLING_KEY, impact: 'everything', runbookUrl: 'javascript:alert(1)' });
    expect(allCardText(bad.value)).toMatch(/must be one of|https/);
    expect((await h.shepherd.deps.integrations!.integrations.find(BILLING_KEY)).fields.impact).toBe('billing');

    const ownerView = await say(OWNER, 'integrations');
    expect(ownerView).toMatch(/Billing Export Script/);
    expect(ownerView).toMatch(/stored password, which can never satisfy MFA/);
    expect(cardActions(lastTo(OWNER).activity.attachments![0]!.content).map((a) => a.verb)).toEqual(['int.playbook']);
    expect(await say(OWNER, 'integration portal')).toMatch(/Only MFA Shepherd admins/);
  });

  it('when an admin asks for the playbook, then the general one shows; an app\'s shows its correlation ids, owner and runbook, and its steps can be edited', async () => {
    expect(await say(ADMIN, 'playbook')).toMatch(/ValidateMfa: true.*isMfaCompliant/);
    const appBook = await say(ADMIN, 'playbook billing');
    expect(appBook).toMatch(/Playbook: Billing Export Script/);
    expect(appBook).toMatch(/f0000000-0000-4000-8000-/); // correlation ids of its non-MFA requests
    expect(appBook).toContain(OWNER.name);
    expect(appBook).toContain('https://wiki.example/billing');
    const saved = await execute(ADMIN, 'int.steps', { key: BILLING_KEY, steps: '1. Rotate to SAM\n2. Run the export at night and check amr', runbookUrl: 'https://wiki.example/billing-v2' });
    expect(allCardText(saved.value)).toMatch(/1\. Rotate to SAM .*2\. Run the export at night/);
    expect(await say(OWNER, 'playbook billing')).toMatch(/Rotate to SAM/);
  });

  it('when an admin files "report 900421" through the card, then the incident is stored and the owner and admins get the alert with Acknowledge, which records who took it', async () => {
    expect(await say(ADMIN, 'report 900421')).toMatch(/Report a 401 \/ 900421/);
    const refused = await execute(ADMIN, 'incident.report', { status: '401' });
    expect(allCardText(refused.value)).toMatch(/applicationId or name is required/);
    expect(await h.shepherd.deps.integrations!.incidents.recent(ADMIN.aadObjectId)).toHaveLength(0);

    const filed = await execute(ADMIN, 'incident.report', { applicationId: BILLING_KEY, status: '401', errorCode: '900421', correlationId: 'corr-123', operationName: 'Get /v1/invoices' });
    expect(allCardText(filed.value)).toMatch(/Billing Export Script: MFA required/);
    await h.settle();
    const [incident] = await h.shepherd.deps.integrations!.incidents.recent(ADMIN.aadObjectId);
    expect(incident).toEqual(expect.objectContaining({ integrationKey: BILLING_KEY, status: 401, errorCode: '900421', correlationId: 'corr-123', source: `teams:${ADMIN.aadObjectId}` }));
    for (const user of [OWNER, ADMIN]) {
      const alerts = h.connector.sent.filter((s) => s.conversationId === h.a.conversationId(user) && textOf(s).includes(incident!.id));
      expect(alerts.length).toBeGreaterThanOrEqual(1);
    }
    const ack = await execute(OWNER, 'incident.ack', { incidentId: incident!.id });
    expect(allCardText(ack.value)).toMatch(/Acknowledged by Olga Owner/);
    expect(cardActions(ack.value)).toHaveLength(0);
    expect((await h.shepherd.deps.integrations!.incidents.recent(ADMIN.aadObjectId))[0]?.acknowledgedBy).toBe(OWNER.aadObjectId);
    const eve = await execute(EVE, 'incident.ack', { incidentId: incident!.id });
    expect(allCardText(eve.value)).toMatch(/Only MFA Shepherd admins/);
  });

  it('when an admin types "check connection", then one call with ValidateMfa shows isMfaCompliant and the amr', async () => {
    h.sandbox.control.clearRequests();
    const text = await say(ADMIN, 'check connection');
    expect(text).toMatch(/Partner Center accepts this connection/);
    expect(text).toMatch(/isMfaCompliant \(ValidateMfa: true\) true/);
    expect(text).toMatch(/mfa.*\(contains mfa\)/);
    const calls = h.sandbox.control.requests('partnerCenter');
    expect(calls).toHaveLength(1);
    expect(calls[0]?.headers['validatemfa']).toBe('true');
  });
});
