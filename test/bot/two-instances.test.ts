/**
 * Two bot instances on one Azurite, both sweeping at the same moments, each with its own outbox
 * worker on the shared queue, sending through one local Bot Connector: every due user gets exactly
 * one nudge per step, and a repeated sweep sends nothing new.
 */
import { PARTNER_TENANT_ID } from '../../sandbox';
import { composeMfaShepherd, type MfaShepherd } from '../../src/compose';
import { FixedClock } from '../../src/domain/clock';
import type { TestUser } from '../support/activities';
import { HARNESS_OVERRIDES, startBotHarness, type BotHarness } from '../support/bot-harness';
import { allCardText } from '../support/connector';
import { eventually } from '../support/eventually';
import { silentLogger } from '../support/silent-logger';

describe('two instances sweeping nudges at once', () => {
  // Monday 23 Nov 2026, 10:00 in London: the first notices go out now. The sandbox runs on the same
  // clock, so its records are from the 7 days before it, whatever the real date.
  const clock = new FixedClock('2026-11-23T10:00:00Z');
  let h: BotHarness;
  let second: MfaShepherd;
  let users: TestUser[] = [];

  beforeAll(async () => {
    h = await startBotHarness({ overrides: { clock, instanceId: 'instance-a' }, sandboxNow: () => clock.now() });
    second = await composeMfaShepherd(h.config, silentLogger, { ...HARNESS_OVERRIDES, clock, instanceId: 'instance-b' });
    await second.start();
    await h.connect();
    const run = await h.shepherd.deps.syncPrincipals({ trigger: 'admin' });
    expect(run.outcome).toBe('succeeded');
    const principals = (await h.shepherd.storage.principals.listAll(PARTNER_TENANT_ID)).filter((p) => p.status === 'nonCompliant');
    users = principals.slice(0, 20).map((p) => ({ aadObjectId: p.objectId, name: p.upn, tenantId: PARTNER_TENANT_ID, timezone: 'Europe/London' }));
    for (const user of users) await h.post(h.a.message(user, 'my status')); // each has a chat (and a zone) now
    await h.settle();
  }, 60_000);

  afterAll(async () => {
    await second?.stop();
    await h?.stop();
  });

  const reminders = () =>
    h.connector.sent.filter((s) => s.method === 'POST' && /reminder/i.test(`${s.activity.summary ?? ''} ${allCardText(s.activity.attachments?.[0]?.content)}`) && /Snooze/.test(allCardText(s.activity.attachments?.[0]?.content)));

  it('when both instances sweep when the first reminders are due, then every user gets exactly one', async () => {
    // Wednesday 25 Nov, 11:00 in London: the first reminder (2 business days after Monday 10:00) is due for everyone.
    clock.set(new Date('2026-11-25T11:00:00Z'));

    const results = await Promise.all([h.shepherd.sweepNudges(), second.sweepNudges(), h.shepherd.sweepNudges(), second.sweepNudges()]);
    expect(results.filter((r) => r.ran)).toHaveLength(1); // the lease: one run per interval
    await h.settle();
    await waitUntilIdle(second);

    const byUser = new Map<string, number>();
    for (const s of reminders()) byUser.set(s.conversationId, (byUser.get(s.conversationId) ?? 0) + 1);
    for (const user of users) expect({ user: user.aadObjectId, reminders: byUser.get(h.a.conversationId(user)) ?? 0 }).toEqual({ user: user.aadObjectId, reminders: 1 });
  });

  it('when both sweep again later the same day (another interval), then nobody gets a second one', async () => {
    const before = reminders().length;
    clock.advance(2 * 60 * 60_000);
    await Promise.all([h.shepherd.sweepNudges(), second.sweepNudges()]);
    await h.settle();
    await waitUntilIdle(second);
    expect(reminders().length).toBe(before);
  });

  it('when the instances sweep one after the other (each takes the released lease), then the stored state lets nothing go out twice', async () => {
    const before = reminders().length;
    clock.advance(3 * 60 * 60_000);
    expect((await h.shepherd.sweepNudges()).ran).toBe(true);
    expect((await second.sweepNudges()).ran).toBe(true);
    await h.settle();
    await waitUntilIdle(second);
    expect(reminders().length).toBe(before);
  });
});

async function waitUntilIdle(instance: MfaShepherd): Promise<void> {
  await eventually('the second instance to have no sends in flight', () => instance.outbox.stats().inFlight === 0, { timeoutMs: 15_000 });
}
