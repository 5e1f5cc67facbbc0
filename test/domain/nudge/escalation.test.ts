import { createNudgePolicy, newNudgeState, nextNudge, recordFirstNotice, recordSent } from '../../../src/domain/nudge';
import { appErrorOf, label, localTime, simulate } from './simulate';

const zone = 'America/New_York';

describe('escalation', () => {
  it('when the user has no manager, then the manager step is recorded as skipped and the admins are told at its time, once', () => {
    const { sent, state } = simulate({ zone, firstNotice: '2026-03-02T10:00', end: '2026-03-30T10:00', hasManager: false });
    expect(sent).toEqual([
      'reminder Wed 2026-03-04 10:00',
      'reminder Fri 2026-03-06 10:00',
      'reminder Tue 2026-03-10 10:00',
      'escalate admins (skipped manager) Thu 2026-03-12 10:00',
    ]);
    const at = localTime('2026-03-12T10:00', zone);
    expect(state.escalations).toEqual([
      { step: 'manager', at, skipped: 'noManager' },
      { step: 'admins', at },
    ]);
  });

  it('when the steps have their own delays, then each counts from the step before, in order', () => {
    const policy = createNudgePolicy({
      maxRemindersBeforeEscalation: 1,
      escalation: [
        { to: 'manager', afterBusinessDays: 1 },
        { to: 'admins', afterBusinessDays: 3 },
      ],
    });
    const { sent, state } = simulate({ policy, zone, firstNotice: '2026-03-02T10:00', end: '2026-03-20T10:00' });
    expect(sent).toEqual([
      'reminder Wed 2026-03-04 10:00',
      // The reminder slot after the last reminder is Fri 10:00; the manager 1 business day later.
      'escalate manager Mon 2026-03-09 10:00',
      'escalate admins Thu 2026-03-12 10:00',
    ]);
    expect(state.escalations.map((e) => e.step)).toEqual(['manager', 'admins']);
  });

  it('when no reminders come before escalation, then the manager is told at the first reminder slot', () => {
    const policy = createNudgePolicy({ maxRemindersBeforeEscalation: 0 });
    const { sent } = simulate({ policy, zone, firstNotice: '2026-03-02T10:00', end: '2026-03-16T10:00' });
    expect(sent).toEqual(['escalate manager Wed 2026-03-04 10:00', 'escalate admins Fri 2026-03-06 10:00']);
  });

  it('when escalation is turned off, then the reminders stop after the last one', () => {
    const policy = createNudgePolicy({ escalation: [] });
    const { sent, state } = simulate({ policy, zone, firstNotice: '2026-03-02T10:00', end: '2026-03-20T10:00' });
    expect(sent).toEqual(['reminder Wed 2026-03-04 10:00', 'reminder Fri 2026-03-06 10:00', 'reminder Tue 2026-03-10 10:00']);
    const next = nextNudge(state, policy, { now: localTime('2026-03-30T10:00', zone), zone, hasManager: true, globallyPaused: false });
    expect(next).toMatchObject({ action: 'none', why: expect.stringMatching(/no escalation/) as unknown });
  });

  it('when the admins have been told, then nothing more is planned and the why says the admins own it', () => {
    const { state } = simulate({ zone, firstNotice: '2026-03-02T10:00', end: '2026-03-20T10:00' });
    const now = localTime('2026-06-01T10:00', zone);
    const next = nextNudge(state, createNudgePolicy(), { now, zone, hasManager: true, globallyPaused: false });
    expect(next).toEqual({ action: 'none', at: now, why: 'escalated to the admins on Mon 2026-03-16 10:00; nothing more is sent automatically: the admins own it now' });
  });

  it('when the same escalation step is recorded twice (a retried send), then the second record is refused', () => {
    let state = recordFirstNotice(newNudgeState('user-1', 1), localTime('2026-03-02T10:00', zone));
    state = recordSent(state, { action: 'escalate', step: 'manager' }, localTime('2026-03-12T10:00', zone));
    const error = appErrorOf(() => recordSent(state, { action: 'escalate', step: 'manager' }, localTime('2026-03-12T10:15', zone)));
    expect(error).toMatchObject({ code: 'INPUT_INVALID', details: { field: 'step' } });
    expect(state.escalations).toHaveLength(1);
    expect(appErrorOf(() => recordSent(state, { action: 'none' }, localTime('2026-03-12T10:15', zone))).details.field).toBe('action');
  });

  it('when the manager step is due, then the decision names the step and the time in the recipient zone', () => {
    let state = recordFirstNotice(newNudgeState('user-1', 1), localTime('2026-03-02T10:00', zone));
    for (const day of ['2026-03-04', '2026-03-06', '2026-03-10']) state = recordSent(state, { action: 'reminder' }, localTime(`${day}T10:00`, zone));
    const next = nextNudge(state, createNudgePolicy(), { now: localTime('2026-03-10T10:00', zone), zone, hasManager: true, globallyPaused: false });
    expect(next.action).toBe('escalate');
    expect(next.step).toBe('manager');
    expect(next.skipped).toBeUndefined();
    expect(label(next.at, zone)).toBe('Thu 2026-03-12 10:00');
    expect(next.why).toBe('escalation to the manager, 0 business days after the last reminder slot: Thu 2026-03-12 10:00 America/New_York');
  });
});
