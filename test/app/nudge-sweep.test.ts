import { requestIn } from '../domain/exception/builders';
import { localTime } from '../domain/nudge/simulate';
import { TENANT } from '../storage/helpers';
import { ADMINS, HOUR, newWorld, type World } from './nudge-world';

const NY = 'America/New_York';
const LONDON = 'Europe/London';
const at = localTime;

/**
 * The nudge sweep against Azurite with a fixed clock, swept every hour over simulated weeks.
 * Expected times are worked out by hand (default policy: a reminder every 2 business days,
 * 09:00–17:00 Monday–Friday in the recipient's zone, 3 reminders, the manager at once, the admins
 * 2 business days later).
 */
describe('nudge sweep over simulated weeks', () => {
  it("when two users ignore everything, then each is reminded in their own zone's working hours, escalated manager → admins (or straight to the admins without a manager), each step once", async () => {
    const w = await newWorld('2026-03-02T15:00:00Z');
    await w.addUser('ny', { noticeAt: at('2026-03-02T10:00', NY), zone: NY, manager: 'boss' });
    await w.addUser('ldn', { noticeAt: at('2026-03-02T15:00', LONDON) }); // no zone from Teams: the default; no manager
    await w.runUntil(new Date('2026-03-25T18:00:00Z'));

    expect(w.sent(NY, 'ny')).toEqual([
      'reminder:1 ny→ny Wed 2026-03-04 10:00',
      'reminder:2 ny→ny Fri 2026-03-06 10:00',
      'reminder:3 ny→ny Tue 2026-03-10 10:00', // after the US DST change: still 10:00 local
      'escalate:manager ny→boss Thu 2026-03-12 10:00',
      'escalate:admins:admin-1 ny→admin-1 Mon 2026-03-16 10:00',
      'escalate:admins:admin-2 ny→admin-2 Mon 2026-03-16 10:00',
    ]);
    expect(w.sent(LONDON, 'ldn')).toEqual([
      'reminder:1 ldn→ldn Wed 2026-03-04 15:00',
      'reminder:2 ldn→ldn Fri 2026-03-06 15:00',
      'reminder:3 ldn→ldn Tue 2026-03-10 15:00',
      'escalate:admins:admin-1 ldn→admin-1 Thu 2026-03-12 15:00',
      'escalate:admins:admin-2 ldn→admin-2 Thu 2026-03-12 15:00',
    ]);
    const keys = w.outbox.enqueued.map((e) => e.message.key);
    expect(new Set(keys).size).toBe(keys.length);
    const ldn = await w.storage.nudges.get(TENANT, 'ldn');
    expect(ldn?.escalations.map((e) => `${e.step}${e.skipped ? ' skipped' : ''}`)).toEqual(['manager skipped', 'admins']);
    // Graph was asked once per due step and sweep, never on the hundreds of sweeps with nothing due.
    expect(w.graph.calls.length).toBe(5 + 4);
    const adminCard = (user: string) => JSON.stringify(w.outbox.enqueued.find((e) => e.message.kind === 'nudge.escalate.admins' && e.message.key.startsWith(`nudge:${user}:`))?.message.message.card);
    expect(adminCard('ny')).toMatch(/"Escalated to the manager".*"Escalated to the admins"/);
    expect(adminCard('ldn')).toMatch(/Escalated to the manager: skipped, no manager in Entra ID/);
  });

  it('when the user snoozes three times, then a fourth is refused with the domain message and the next step is escalation, not a reminder', async () => {
    const w = await newWorld('2026-03-02T10:00:00Z');
    await w.addUser('u', { noticeAt: at('2026-03-02T10:00', LONDON), manager: 'boss' });
    await w.runUntil(new Date('2026-03-04T10:00:00Z'));
    expect(w.sent(LONDON)).toEqual(['reminder:1 u→u Wed 2026-03-04 10:00']);

    w.clock.set('2026-03-04T11:00:00Z');
    await w.actions.snooze('u', 1, LONDON);
    await w.actions.snooze('u', 2, LONDON);
    const last = await w.actions.snooze('u', 1, LONDON);
    expect(JSON.stringify(last.card)).toMatch(/That was your last snooze.*escalation to your manager/);
    await expect(w.actions.snooze('u', 1, LONDON)).rejects.toThrow(/all 3 snoozes are used; the next step is escalation/);
    await expect(w.actions.snooze('u', 15, LONDON)).rejects.toThrow(/1 to 14 days/);
    expect((await w.storage.nudges.get(TENANT, 'u'))?.snoozesUsed).toBe(3);

    w.clock.set('2026-03-04T12:00:00Z');
    await w.runUntil(new Date('2026-03-09T17:00:00Z'));
    expect(w.sent(LONDON).slice(1)).toEqual(['escalate:manager u→boss Fri 2026-03-06 10:00']);
  });

  it('when the first notice was never confirmed sent, then reminders count from the episode start', async () => {
    const w = await newWorld('2026-03-02T10:00:00Z');
    await w.addUser('unconfirmed', { noticeAt: at('2026-03-02T10:00', LONDON), notice: 'none' });
    await w.runUntil(new Date('2026-03-04T12:00:00Z'));
    expect(w.sent(LONDON)).toEqual(['reminder:1 unconfirmed→unconfirmed Wed 2026-03-04 10:00']);
  });
});

describe('the nudges overview', () => {
  it("when users are due at different times, then the most imminent comes first, in the admin's zone, and stopped users are counted apart", async () => {
    const w = await newWorld('2026-03-02T12:00:00Z');
    await w.addUser('later', { noticeAt: new Date('2026-03-02T11:00:00Z') });
    await w.addUser('sooner', { noticeAt: at('2026-03-02T10:00', NY), zone: NY });
    await w.addUser('stopped', { noticeAt: new Date('2026-03-02T09:00:00Z'), principal: { status: 'verificationPending' } });
    const model = await w.actions.overview('Asia/Tokyo');
    expect(model.rows.map((r) => `${r.upn} ${r.whatText} ${r.whenText}`)).toEqual([
      'later@example.com reminder 1 of 3 Wed 4 Mar 2026, 20:00 GMT+9',
      'sooner@example.com reminder 1 of 3 Thu 5 Mar 2026, 00:00 GMT+9',
    ]);
    expect(model).toMatchObject({ total: 3, scheduled: 2, dueNow: 0, stopped: 1, paused: false, zoneText: 'Asia/Tokyo' });
  });

  it("when the admins close Wednesday, then the overview shows the reminder on Thursday, the day the sweep sends it", async () => {
    const w = await newWorld('2026-03-02T12:00:00Z');
    await w.addUser('later', { noticeAt: new Date('2026-03-02T11:00:00Z') });
    await w.storage.settings.put('closures', [{ from: '2026-03-04', to: '2026-03-04', reason: 'Company offsite' }]);
    const model = await w.actions.overview('Europe/London');
    expect(model.rows.map((r) => r.whenText)).toEqual(['Thu 5 Mar 2026, 11:00 GMT']);
    await w.runUntil(new Date('2026-03-05T12:00:00Z'));
    expect(w.sent(LONDON)).toEqual(['reminder:1 later→later Thu 2026-03-05 11:00']);
  });
});

describe('nudge stop conditions', () => {
  let w: World;
  const start = '2026-03-02T10:00:00Z';
  beforeEach(async () => {
    w = await newWorld(start);
  });

  it('when Graph confirmed registration (verification pending), then no reminders', async () => {
    await w.addUser('v', { noticeAt: new Date(start), principal: { status: 'verificationPending' } });
    await w.runUntil(new Date('2026-03-13T17:00:00Z'));
    expect(w.sent(LONDON)).toEqual([]);
  });

  it('when an exception is in review, then nothing; once it is rejected, reminders resume one interval later', async () => {
    await w.addUser('x', { noticeAt: new Date(start) });
    w.exceptions.push({ ...requestIn('inReview'), requesterId: 'X' }); // ids compare case-insensitively
    await w.runUntil(new Date('2026-03-09T17:00:00Z'));
    expect(w.sent(LONDON)).toEqual([]);
    expect((await w.storage.nudges.get(TENANT, 'x'))?.stopped?.reason).toBe('exceptionPending');
    w.exceptions[0] = { ...requestIn('rejected'), requesterId: 'x' };
    w.clock.set('2026-03-10T09:00:00Z');
    await w.runUntil(new Date('2026-03-13T17:00:00Z'));
    // Resumed Tue 10 March 09:00: the next step no earlier than 2 business days later.
    expect(w.sent(LONDON)).toEqual(['reminder:1 x→x Thu 2026-03-12 09:00']);
  });

  it.each(['approved', 'submittedToMicrosoft'] as const)('when an exception is %s, then no reminders', async (status) => {
    await w.addUser('p', { noticeAt: new Date(start) });
    w.exceptions.push({ ...requestIn(status), requesterId: 'p' });
    await w.runUntil(new Date('2026-03-09T17:00:00Z'));
    expect(w.sent(LONDON)).toEqual([]);
  });

  it('when an exception is granted until Tue 10 March, then nothing until then, and reminders resume after its end date', async () => {
    await w.addUser('g', { noticeAt: new Date(start) });
    w.exceptions.push({ ...requestIn('granted'), requesterId: 'g', grantedUntil: new Date('2026-03-10T00:00:00Z') });
    await w.runUntil(new Date('2026-03-11T17:00:00Z'));
    // The reminder slots (Wed 4, Fri 6 March) passed under the exception; its end is the floor,
    // moved to the next working moment.
    expect(w.sent(LONDON)).toEqual(['reminder:1 g→g Tue 2026-03-10 09:00']);
  });

  it('when the user blocked the bot, then no reminders and the admins are told once', async () => {
    await w.addUser('b', { noticeAt: new Date(start) });
    await w.storage.contacts.markUnreachable(TENANT, 'b', 'blocked', new Date(start), 'MessageWritesBlocked');
    await w.runUntil(new Date('2026-03-13T17:00:00Z'));
    expect(w.outbox.enqueued.map((e) => `${e.message.kind} ${'aadObjectId' in e.message.to ? e.message.to.aadObjectId : ''}`)).toEqual(ADMINS.map((a) => `nudge.blocked ${a}`));
    expect((await w.storage.nudges.get(TENANT, 'b'))?.stopped?.reason).toBe('blocked');
  });

  it('when the user left the tenant (Graph 404 on the user), then the due reminder is not sent and nudging stops for good', async () => {
    await w.addUser('gone', { noticeAt: new Date(start) });
    w.graph.gone.add('gone');
    await w.runUntil(new Date('2026-03-20T17:00:00Z'));
    expect(w.sent(LONDON)).toEqual([]);
    expect(w.graph.calls).toEqual(['gone']); // looked up once, when the first reminder was due
    expect((await w.storage.nudges.get(TENANT, 'gone'))?.stopped?.reason).toBe('notInTenant');
  });

  it('when an admin pauses nudges, then nothing goes out; after resume, the overdue reminder goes at once', async () => {
    await w.addUser('z', { noticeAt: new Date(start) });
    await w.actions.setPaused(true, 'admin-1');
    await w.runUntil(new Date('2026-03-05T17:00:00Z'));
    expect(w.sent(LONDON)).toEqual([]);
    expect(await w.sweep()).toMatchObject({ ran: true, paused: true, sent: 0 });
    await w.actions.setPaused(false, 'admin-1');
    w.clock.set('2026-03-06T09:00:00Z');
    expect(await w.sweep()).toMatchObject({ paused: false, due: 1, sent: 1 });
    expect(w.sent(LONDON)).toEqual(['reminder:1 z→z Fri 2026-03-06 09:00']);
  });

  it('when one user fails (Graph down at a manager step), then the others are still nudged and the error is counted', async () => {
    await w.addUser('ok', { noticeAt: new Date(start) });
    await w.addUser('bad', { noticeAt: new Date(start) });
    await w.storage.nudges.save(TENANT, { objectId: 'bad', episode: 1, firstNoticeAt: new Date(start), remindersSent: 3, lastReminderAt: new Date(start), snoozesUsed: 0, escalations: [] });
    w.graph.getManager = (id) => (id === 'bad' ? Promise.reject(new Error('graph down')) : Promise.resolve(undefined));
    w.clock.set('2026-03-04T10:00:00Z');
    expect(await w.sweep()).toMatchObject({ users: 2, due: 2, sent: 1, errors: 1 });
    expect(w.sent(LONDON)).toEqual(['reminder:1 ok→ok Wed 2026-03-04 10:00']);
  });
});

describe('two instances sweeping one storage', () => {
  it('when two sweeps (different instanceIds) start at once every hour for two weeks, then every due step is enqueued exactly once', async () => {
    const w = await newWorld('2026-03-02T10:00:00Z');
    const users = ['i1', 'i2', 'i3', 'i4', 'i5'];
    for (const id of users) await w.addUser(id, { noticeAt: new Date('2026-03-02T10:00:00Z'), manager: id === 'i1' ? 'boss' : undefined });
    const runs = { a: 0, b: 0 };
    for (let t = w.clock.now().getTime(); t <= new Date('2026-03-16T17:00:00Z').getTime(); t += HOUR) {
      w.clock.set(new Date(t));
      const [a, b] = await Promise.all([w.sweep('instance-a'), w.sweep('instance-b')]);
      runs.a += a.ran ? 1 : 0;
      runs.b += b.ran ? 1 : 0;
      expect(a.ran && b.ran).toBe(false);
    }
    const keys = w.outbox.enqueued.map((e) => e.message.key);
    expect(new Set(keys).size).toBe(keys.length);
    // 3 reminders each, then the manager (i1) or nothing, then the admins (2 messages): 5×3 + 1 + 5×2.
    expect(keys).toHaveLength(15 + 1 + 10);
    expect(runs.a + runs.b).toBeGreaterThan(0);
  });

  it('when the lease is bypassed (two stores racing on one row), then the etag lets one instance record the step and the other counts it skipped', async () => {
    const w = await newWorld('2026-03-04T10:00:00Z');
    await w.addUser('r', { noticeAt: new Date('2026-03-02T10:00:00Z') });
    await w.sweep(); // creates the state row; reminder 1 is due now and recorded
    w.clock.set('2026-03-06T10:00:00Z');
    const { createNudgeSweep } = await import('../../src/app/nudge-sweep');
    const noLease = { tryAcquire: () => Promise.resolve(true), release: () => Promise.resolve() };
    const [a, b] = await Promise.all([createNudgeSweep({ ...w.sweepDeps('a'), leases: noLease })(), createNudgeSweep({ ...w.sweepDeps('b'), leases: noLease })()]);
    expect(a.sent + b.sent).toBe(1);
    expect(a.skipped + b.skipped).toBe(1);
    expect((await w.storage.nudges.get(TENANT, 'r'))?.remindersSent).toBe(2);
  });
});
