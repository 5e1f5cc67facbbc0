/**
 * The SLA sweep over Azurite with a fixed clock: Microsoft's 3 business days on a Berlin calendar
 * with German public holidays, each state change announced once to the requester and the admins,
 * closures moving the deadline, two instances sweeping at once.
 */
import { createClosures } from '../../src/app/closures';
import { createDirectory, createExceptionMessages } from '../../src/app/exception-views';
import { createSla } from '../../src/app/sla';
import { createBusinessCalendar } from '../../src/domain/calendar';
import { FixedClock } from '../../src/domain/clock';
import { applyCommand, newExceptionRequest, type ExceptionRequest } from '../../src/domain/exception';
import { withLease } from '../../src/app/with-lease';
import type { Storage } from '../../src/storage';
import { newStorage, TENANT } from '../storage/helpers';
import { RecordingOutbox } from './nudge-world';
import { silentLogger } from '../support/silent-logger';

const calendar = createBusinessCalendar({ zone: 'Europe/Berlin', holidays: { country: 'DE' } });
const ADMINS = ['admin-1', 'admin-2'];

/** Filed with Microsoft on Monday 23 Nov 2026 at 10:00 Berlin (09:00 UTC): due Thursday 26 Nov, 10:00 Berlin. */
const FILED = new Date('2026-11-23T09:00:00Z');

function filed(id: string, requesterId = 'requester-1'): ExceptionRequest {
  const base = newExceptionRequest({ id, requesterId, requesterUpn: `${requesterId}@example.com`, at: new Date('2026-11-20T09:00:00Z') });
  return {
    ...base,
    status: 'submittedToMicrosoft',
    fields: { reasonCategory: 'thirdPartyMfaCannotPassClaim', technicalDescription: 'The vendor cannot pass the claim ${x} [link](https://evil.example).' },
    reviewRound: 1,
    submittedForReviewAt: new Date('2026-11-20T10:00:00Z'),
    decidedBy: 'approver-1',
    decidedAt: new Date('2026-11-20T11:00:00Z'),
    supportCaseNumber: '2411230010001234',
    submittedToMicrosoftAt: FILED,
    submittedToMicrosoftBy: 'admin-1',
  };
}

describe('the SLA sweep', () => {
  let storage: Storage;
  let clock: FixedClock;
  let outbox: RecordingOutbox;

  const slaFor = (c = clock, o = outbox) => {
    const directory = createDirectory({ tenantId: TENANT, contacts: storage.contacts, principals: storage.principals });
    const messages = createExceptionMessages({ directory, timezoneOf: async () => 'Europe/Berlin', calendarZone: 'Europe/Berlin' });
    return createSla({
      tenantId: TENANT,
      store: storage.exceptions,
      settings: storage.settings,
      calendar,
      deadlines: { approvalBusinessDays: 2, filingBusinessDays: 1 },
      adminIds: ADMINS,
      approverIds: ['approver-1', 'approver-2', 'requester-9'],
      outbox: o,
      announcement: (r, s, a) => messages.slaAnnouncement(r, s, a),
      reminder: (r, k, d) => messages.deadlineReminder(r, k, d),
      clock: c,
      logger: silentLogger,
    });
  };
  const at = async (iso: string) => {
    clock.set(iso);
    return slaFor().sweep();
  };
  const kinds = () => outbox.enqueued.map((e) => `${e.message.kind} ${e.message.key.split(':').slice(3).join(':')}`);

  beforeEach(async () => {
    storage = await newStorage();
    clock = new FixedClock(FILED);
    outbox = new RecordingOutbox(clock);
    await storage.exceptions.create(filed('EXC-SLA0001'));
  });

  it('when the states change over the week, then each change is announced once to the requester and every admin', async () => {
    expect((await at('2026-11-23T10:00:00Z')).announced).toEqual([]); // Monday: on track, nothing to say
    expect((await at('2026-11-25T09:30:00Z')).announced).toEqual([{ requestId: 'EXC-SLA0001', state: 'dueSoon' }]); // Wed 10:30 Berlin: 7.5 business hours left
    expect((await at('2026-11-25T12:00:00Z')).announced).toEqual([]); // still due soon: said already
    expect((await at('2026-11-26T07:30:00Z')).announced).toEqual([{ requestId: 'EXC-SLA0001', state: 'dueToday' }]); // Thu 08:30 Berlin
    expect((await at('2026-11-26T09:00:00Z')).announced).toEqual([]); // exactly at the deadline: still due today
    expect((await at('2026-11-26T09:01:00Z')).announced).toEqual([{ requestId: 'EXC-SLA0001', state: 'breached' }]);
    expect((await at('2026-11-30T09:00:00Z')).announced).toEqual([]);
    expect(kinds()).toEqual([
      'sla.dueSoon requester',
      'sla.dueSoon admin:admin-1',
      'sla.dueSoon admin:admin-2',
      'sla.dueToday requester',
      'sla.dueToday admin:admin-1',
      'sla.dueToday admin:admin-2',
      'sla.breached requester',
      'sla.breached admin:admin-1',
      'sla.breached admin:admin-2',
    ]);
    expect((await storage.exceptions.get('EXC-SLA0001'))?.slaAnnounced).toBe('breached');
  });

  it('when the deadline is breached, then the admins are told how to escalate with Microsoft and the requester is not', async () => {
    await at('2026-11-26T10:00:00Z');
    const admin = outbox.enqueued.find((e) => e.message.key.endsWith(':admin:admin-1'))!.message.message;
    const requester = outbox.enqueued.find((e) => e.message.key.endsWith(':requester'))!.message.message;
    expect(JSON.stringify(admin.card)).toMatch(/2411230010001234/);
    expect(JSON.stringify(admin.card)).toMatch(/escalat/i);
    expect(JSON.stringify(requester.card)).not.toMatch(/escalation to the MFA exception team/i);
  });

  it("when the office is closed on Wednesday, then Microsoft's due date stays Thursday: the partner's closures are not Microsoft's", async () => {
    await createClosures({ settings: storage.settings, calendar }).add({ from: '2026-11-25', to: '2026-11-25', reason: 'Company offsite' });
    const sla = slaFor();
    clock.set('2026-11-26T08:30:00Z');
    const [entry] = await sla.open();
    expect(entry?.status.dueAt.toISOString()).toBe('2026-11-26T09:00:00.000Z');
    expect(entry?.status.state).toBe('dueToday');
    const [row] = await sla.board();
    expect(row?.clock).toMatchObject({ kind: 'microsoft', status: { dueAt: new Date('2026-11-26T09:00:00.000Z') } });
  });

  it('when a request is filed on a public holiday evening, then the clock starts on the next business morning', async () => {
    // Friday 25 Dec 2026 (Christmas, a public holiday in Germany) at 23:59 Berlin → the clock starts Mon 28 Dec 09:00;
    // 3 business days = 24 business hours (Mon, Tue, Wed 09:00–17:00) → due Wed 30 Dec 17:00 Berlin.
    await storage.exceptions.create({ ...filed('EXC-SLA0002'), submittedToMicrosoftAt: new Date('2026-12-25T22:59:00Z') });
    clock.set('2026-12-29T12:00:00Z');
    const entry = (await slaFor().open()).find((e) => e.request.id === 'EXC-SLA0002');
    expect(entry?.status.clockStartedAt.toISOString()).toBe('2026-12-28T08:00:00.000Z');
    expect(entry?.status.dueAt.toISOString()).toBe('2026-12-30T16:00:00.000Z');
  });

  it('when "sla" lists several requests, then the most urgent comes first', async () => {
    await storage.exceptions.create({ ...filed('EXC-SLA0003'), submittedToMicrosoftAt: new Date('2026-11-18T09:00:00Z') }); // breached by now
    await storage.exceptions.create({ ...filed('EXC-SLA0004'), submittedToMicrosoftAt: new Date('2026-11-25T09:00:00Z') }); // on track
    clock.set('2026-11-25T10:00:00Z');
    expect((await slaFor().open()).map((e) => `${e.request.id} ${e.status.state}`)).toEqual(['EXC-SLA0003 breached', 'EXC-SLA0001 dueSoon', 'EXC-SLA0004 onTrack']);
  });

  it('when two instances sweep at the same moment, then each state change is announced once', async () => {
    clock.set('2026-11-25T09:30:00Z');
    const results = await Promise.all([slaFor().sweep(), slaFor().sweep()]);
    const announced = results.flatMap((r) => r.announced);
    const enqueuedKeys = outbox.enqueued.map((e) => e.message.key);
    // Both may enqueue (the outbox ledger absorbs the repeated keys); only one records the state.
    expect(announced).toEqual([{ requestId: 'EXC-SLA0001', state: 'dueSoon' }]);
    expect(new Set(enqueuedKeys).size).toBe(3);
    expect(results.reduce((n, r) => n + r.conflicts, 0) + announced.length).toBe(2);
  });

  it('when an admin records Microsoft\'s answer while the sweep is running, then no state announcement goes out for the answered request', async () => {
    clock.set('2026-11-26T10:00:00Z'); // breached
    // The sweep lists the open requests; right after, an admin records that Microsoft granted it.
    const racing = {
      ...storage.exceptions,
      listAll: async () => {
        const listed = await storage.exceptions.listAll();
        const current = (await storage.exceptions.get('EXC-SLA0001'))!;
        const { next, audit } = applyCommand(current, { type: 'recordGranted', noEndDate: true }, { actor: 'admin-1', isAdmin: true, at: clock.now() });
        await storage.exceptions.apply(next, audit);
        return listed;
      },
    };
    const directory = createDirectory({ tenantId: TENANT, contacts: storage.contacts, principals: storage.principals });
    const messages = createExceptionMessages({ directory, timezoneOf: async () => 'Europe/Berlin' });
    const sla = createSla({
      tenantId: TENANT,
      store: racing,
      settings: storage.settings,
      calendar,
      adminIds: ADMINS,
      outbox,
      announcement: (r, s, a) => messages.slaAnnouncement(r, s, a),
      clock,
      logger: silentLogger,
    });
    const result = await sla.sweep();
    expect(result.announced).toEqual([]);
    expect(outbox.enqueued).toEqual([]); // nobody is told "overdue" about a request Microsoft answered
    expect((await storage.exceptions.get('EXC-SLA0001'))?.status).toBe('granted');
  });

  it('when the sweep is scheduled in two instances within one interval, then it runs once', async () => {
    let runs = 0;
    const job = (instanceId: string) =>
      withLease({ leases: storage.leases, clock, logger: silentLogger }, { name: 'sla-sweep', instanceId, hold: { forInterval: { intervalMs: 15 * 60_000 } } }, async () => ++runs);
    const [a, b] = await Promise.all([job('one'), job('two')]);
    expect([a.ran, b.ran].sort()).toEqual([false, true]);
    clock.advance(5 * 60_000);
    expect((await job('two')).ran).toBe(false);
    clock.advance(10 * 60_000);
    expect((await job('two')).ran).toBe(true);
    expect(runs).toBe(2);
  });

  describe("the partner's own deadlines", () => {
    /** In review since Monday 23 Nov 2026 10:00 Berlin; requester-9 is an approver too, but never of their own request. */
    const inReview = (id: string): ExceptionRequest => {
      const base = newExceptionRequest({ id, requesterId: 'requester-9', requesterUpn: 'requester-9@example.com', at: new Date('2026-11-20T09:00:00Z') });
      return { ...base, status: 'inReview', fields: filed(id).fields, reviewRound: 1, submittedForReviewAt: FILED };
    };
    const deadlineSends = () => outbox.enqueued.filter((e) => e.message.key.startsWith('deadline:')).map((e) => `${e.message.kind} ${'aadObjectId' in e.message.to ? e.message.to.aadObjectId : ''}`);

    it('when the office closes on Wednesday, then approval is due Thursday, approvers are reminded that morning once, the admins once it is overdue', async () => {
      await storage.exceptions.create(inReview('EXC-DL0001'));
      await createClosures({ settings: storage.settings, calendar }).add({ from: '2026-11-25', to: '2026-11-25', reason: 'Company offsite' });

      await at('2026-11-25T09:30:00Z'); // Wednesday 10:30: without the closure the deadline would have passed
      expect(deadlineSends()).toEqual([]);
      const thursdayMorning = await at('2026-11-26T08:05:00Z');
      expect(thursdayMorning.reminded).toEqual([{ requestId: 'EXC-DL0001', reminder: 'approval:1:approvers' }]);
      expect(deadlineSends()).toEqual(['deadline.approval.approvers approver-1', 'deadline.approval.approvers approver-2']);
      expect((await at('2026-11-26T08:45:00Z')).reminded).toEqual([]); // once
      expect((await at('2026-11-26T09:30:00Z')).reminded).toEqual([{ requestId: 'EXC-DL0001', reminder: 'approval:1:admins' }]);
      expect((await at('2026-11-26T12:00:00Z')).reminded).toEqual([]);
      expect(deadlineSends()).toEqual([
        'deadline.approval.approvers approver-1',
        'deadline.approval.approvers approver-2',
        'deadline.approval.admins admin-1',
        'deadline.approval.admins admin-2',
      ]);
      expect((await storage.exceptions.get('EXC-DL0001'))?.deadlineReminders).toEqual(['approval:1:approvers', 'approval:1:admins']);
      const text = outbox.enqueued.find((e) => e.message.kind === 'deadline.approval.approvers')?.message.message.text ?? '';
      expect(text).toContain('EXC-DL0001');
      expect(text).toMatch(/Thu.*26.*Nov.*10:00/);
    });

    it('when the request is approved, then filing is due one business day later and the admins are reminded once', async () => {
      await storage.exceptions.create({ ...inReview('EXC-DL0002'), status: 'approved', decidedBy: 'approver-1', decidedAt: new Date('2026-11-24T09:00:00Z') });
      expect((await at('2026-11-24T15:00:00Z')).reminded).toEqual([]);
      expect((await at('2026-11-25T08:00:00Z')).reminded).toEqual([{ requestId: 'EXC-DL0002', reminder: 'filing:1:admins' }]);
      expect((await at('2026-11-25T10:00:00Z')).reminded).toEqual([]);
      expect(deadlineSends()).toEqual(['deadline.filing.admins admin-1', 'deadline.filing.admins admin-2']);
    });
  });
});
