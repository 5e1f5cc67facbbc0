import {
  applySnooze,
  createNudgePolicy,
  newNudgeState,
  nextNudge,
  recordFirstNotice,
  snoozesLeft,
  stopFor,
  type NudgeState,
} from '../../../src/domain/nudge';
import { appErrorOf, label, localTime, simulate } from './simulate';

const zone = 'Europe/Berlin';
const policy = createNudgePolicy();
const snooze = (days: number) => (state: NudgeState, now: Date) => applySnooze(state, days, { now }, policy);

describe('snooze', () => {
  it('when the user snoozes into the weekend, then the next reminder waits for Monday 09:00 and the cadence continues from it', () => {
    const { sent, state } = simulate({
      zone,
      firstNotice: '2026-01-05T10:00',
      end: '2026-02-02T10:00',
      events: [{ at: '2026-01-07T10:15', apply: snooze(3) }],
    });
    expect(sent).toEqual([
      'reminder Wed 2026-01-07 10:00',
      // Snoozed until Sat 10:15: the regular Friday reminder is held back.
      'reminder Mon 2026-01-12 09:00',
      'reminder Wed 2026-01-14 09:00',
      'escalate manager Fri 2026-01-16 09:00',
      'escalate admins Tue 2026-01-20 09:00',
    ]);
    expect(state.snoozesUsed).toBe(1);
    expect(snoozesLeft(state, policy)).toBe(2);
  });

  it('when the user has used all 3 snoozes, then the next step is escalation, not the remaining reminder', () => {
    const { sent, state } = simulate({
      zone,
      firstNotice: '2026-01-05T10:00',
      end: '2026-02-02T10:00',
      events: [
        { at: '2026-01-07T10:15', apply: snooze(1) },
        { at: '2026-01-09T10:15', apply: snooze(1) },
        { at: '2026-01-09T10:30', apply: snooze(2) },
      ],
    });
    expect(sent).toEqual([
      'reminder Wed 2026-01-07 10:00',
      'reminder Fri 2026-01-09 10:00',
      // Reminder 3 would have been due now: the manager is told instead.
      'escalate manager Tue 2026-01-13 10:00',
      'escalate admins Thu 2026-01-15 10:00',
    ]);
    expect(state.remindersSent).toBe(2);
    expect(snoozesLeft(state, policy)).toBe(0);
  });

  it('when the last snooze is taken, then snoozesLeft is 0 and the plan already says escalation', () => {
    let state = recordFirstNotice(newNudgeState('user-1', 1), localTime('2026-01-05T10:00', zone));
    const now = localTime('2026-01-05T11:00', zone);
    for (let i = 0; i < 3; i++) state = applySnooze(state, 1, { now }, policy);
    expect(snoozesLeft(state, policy)).toBe(0);
    const next = nextNudge(state, policy, { now, zone, hasManager: true, globallyPaused: false });
    expect(next).toMatchObject({ action: 'escalate', step: 'manager' });
    expect(label(next.at, zone)).toBe('Wed 2026-01-07 10:00');
    expect(next.why).toMatch(/all 3 snoozes used; escalation to the manager/);
  });

  it('when the user asks for a 4th snooze, then it is refused with a clear message and nothing changes', () => {
    let state = recordFirstNotice(newNudgeState('user-1', 1), localTime('2026-01-05T10:00', zone));
    const now = localTime('2026-01-05T11:00', zone);
    for (let i = 0; i < 3; i++) state = applySnooze(state, 2, { now }, policy);
    const error = appErrorOf(() => applySnooze(state, 1, { now }, policy));
    expect(error).toMatchObject({ code: 'INPUT_INVALID', details: { field: 'snoozesUsed' } });
    expect(error.message).toBe('snoozesUsed: all 3 snoozes are used; the next step is escalation');
    expect(state.snoozesUsed).toBe(3);
  });

  it('when the user snoozes for 0, 15 or 1.5 days, then it is refused naming the days; 14 days is accepted', () => {
    const state = recordFirstNotice(newNudgeState('user-1', 1), localTime('2026-01-05T10:00', zone));
    const now = localTime('2026-01-05T11:00', zone);
    for (const days of [0, 15, 1.5, -1]) {
      const error = appErrorOf(() => applySnooze(state, days, { now }, policy));
      expect(error).toMatchObject({ code: 'INPUT_INVALID', details: { field: 'days' } });
      expect(error.message).toMatch(/a snooze lasts 1 to 14 days/);
    }
    const snoozed = applySnooze(state, 14, { now }, policy);
    expect(snoozed.snoozedUntil?.getTime()).toBe(now.getTime() + 14 * 24 * 60 * 60 * 1000);
    expect(snoozed.snoozesUsed).toBe(1);
  });

  it('when the policy allows at most 7 days, then an 8-day snooze is refused', () => {
    const short = createNudgePolicy({ snooze: { maxDays: 7 } });
    const state = recordFirstNotice(newNudgeState('user-1', 1), localTime('2026-01-05T10:00', zone));
    const error = appErrorOf(() => applySnooze(state, 8, { now: localTime('2026-01-05T11:00', zone) }, short));
    expect(error.message).toMatch(/1 to 7 days \(asked: 8\)/);
  });

  it('when snoozing is turned off, then a snooze is refused and reminders run their course', () => {
    const off = createNudgePolicy({ snooze: { maxTimes: 0 } });
    const state = recordFirstNotice(newNudgeState('user-1', 1), localTime('2026-01-05T10:00', zone));
    const now = localTime('2026-01-05T11:00', zone);
    expect(snoozesLeft(state, off)).toBe(0);
    expect(appErrorOf(() => applySnooze(state, 1, { now }, off)).message).toMatch(/snoozing is turned off/);
    expect(nextNudge(state, off, { now, zone, hasManager: true, globallyPaused: false }).action).toBe('reminder');
  });

  it('when nudging is stopped, then there is nothing to snooze', () => {
    const state = stopFor(recordFirstNotice(newNudgeState('user-1', 1), localTime('2026-01-05T10:00', zone)), 'exceptionPending');
    const error = appErrorOf(() => applySnooze(state, 1, { now: localTime('2026-01-05T11:00', zone) }, policy));
    expect(error).toMatchObject({ code: 'INPUT_INVALID', details: { field: 'snooze' } });
  });
});
