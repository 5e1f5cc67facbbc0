import {
  activeStop,
  applySnooze,
  createNudgePolicy,
  newNudgeState,
  nextNudge,
  pauseNudges,
  recordFirstNotice,
  resumeNudges,
  stopFor,
  type NudgeState,
  type StopReason,
} from '../../../src/domain/nudge';
import { appErrorOf, label, localTime, simulate } from './simulate';

const zone = 'Europe/Berlin';
const policy = createNudgePolicy();
const stop = (reason: StopReason, until?: string) => (state: NudgeState) => stopFor(state, reason, until === undefined ? undefined : localTime(until, zone));
const resume = (state: NudgeState, now: Date) => resumeNudges(state, now);

describe('stop conditions and pauses', () => {
  it.each<StopReason>(['compliant', 'notInTenant', 'blocked'])('when the user is stopped as %s after the second reminder, then nothing more goes out for the next two weeks', (reason) => {
    const { sent } = simulate({
      zone,
      firstNotice: '2026-02-02T10:00',
      end: '2026-02-20T17:00',
      events: [{ at: '2026-02-06T11:00', apply: stop(reason) }],
    });
    expect(sent).toEqual(['reminder Wed 2026-02-04 10:00', 'reminder Fri 2026-02-06 10:00']);
  });

  it('when an exception is pending and then granted until a date, then reminders resume at its end date and the rest follows', () => {
    const { sent } = simulate({
      zone,
      firstNotice: '2026-02-02T10:00',
      end: '2026-03-06T10:00',
      events: [
        { at: '2026-02-05T14:00', apply: stop('exceptionPending') },
        { at: '2026-02-09T11:00', apply: stop('exceptionGranted', '2026-02-20T00:00') },
      ],
    });
    expect(sent).toEqual([
      'reminder Wed 2026-02-04 10:00',
      // The exception ends at midnight: the user hears from us at the start of that working day.
      'reminder Fri 2026-02-20 09:00',
      'reminder Tue 2026-02-24 09:00',
      'escalate manager Thu 2026-02-26 09:00',
      'escalate admins Mon 2026-03-02 09:00',
    ]);
  });

  it('when an exception is granted until a date, then until then the decision is none with the end date as the time to look again', () => {
    const state = stopFor(recordFirstNotice(newNudgeState('user-1', 1), localTime('2026-02-02T10:00', zone)), 'exceptionGranted', localTime('2026-02-20T00:00', zone));
    const now = localTime('2026-02-10T10:00', zone);
    const next = nextNudge(state, policy, { now, zone, hasManager: true, globallyPaused: false });
    expect(next).toEqual({ action: 'none', at: localTime('2026-02-20T00:00', zone), why: 'stopped: an exception is granted until Fri 2026-02-20 00:00' });
    expect(activeStop(state, now)?.reason).toBe('exceptionGranted');
    expect(activeStop(state, localTime('2026-02-20T00:00', zone))).toBeUndefined();
  });

  it('when a pending exception is rejected (nudging resumed by hand), then the next reminder comes one interval after the resume', () => {
    const { sent } = simulate({
      zone,
      firstNotice: '2026-02-02T10:00',
      end: '2026-02-27T17:00',
      events: [
        { at: '2026-02-05T14:00', apply: stop('exceptionPending') },
        { at: '2026-02-10T15:00', apply: resume },
      ],
    });
    expect(sent).toEqual([
      'reminder Wed 2026-02-04 10:00',
      'reminder Thu 2026-02-12 15:00',
      'reminder Mon 2026-02-16 15:00',
      'escalate manager Wed 2026-02-18 15:00',
      'escalate admins Fri 2026-02-20 15:00',
    ]);
  });

  it('when nudges are paused for everyone, then nothing goes out; on resume an overdue reminder goes out at once, inside working hours', () => {
    const pausedFrom = localTime('2026-02-03T12:00', zone).getTime();
    const pausedTo = localTime('2026-02-05T15:00', zone).getTime();
    const { sent } = simulate({
      zone,
      firstNotice: '2026-02-02T10:00',
      end: '2026-02-20T17:00',
      globallyPaused: (now) => now.getTime() >= pausedFrom && now.getTime() < pausedTo,
    });
    expect(sent).toEqual([
      'reminder Thu 2026-02-05 15:00',
      'reminder Mon 2026-02-09 15:00',
      'reminder Wed 2026-02-11 15:00',
      'escalate manager Fri 2026-02-13 15:00',
      'escalate admins Tue 2026-02-17 15:00',
    ]);
  });

  it('when the global pause ends at night, then the overdue reminder waits for the next morning', () => {
    const pausedTo = localTime('2026-02-04T20:00', zone).getTime();
    const { sent } = simulate({ zone, firstNotice: '2026-02-02T10:00', end: '2026-02-06T17:00', globallyPaused: (now) => now.getTime() < pausedTo });
    expect(sent).toEqual(['reminder Thu 2026-02-05 09:00']);
  });

  it('when nudges are paused for everyone, then the decision says so', () => {
    const state = recordFirstNotice(newNudgeState('user-1', 1), localTime('2026-02-02T10:00', zone));
    const now = localTime('2026-02-04T10:00', zone);
    expect(nextNudge(state, policy, { now, zone, hasManager: true, globallyPaused: true })).toEqual({ action: 'none', at: now, why: 'nudges are paused for everyone' });
  });

  it('when an admin pauses one user, then that user gets nothing until resumed, and then one interval later', () => {
    const { sent } = simulate({
      zone,
      firstNotice: '2026-02-02T10:00',
      end: '2026-02-20T17:00',
      events: [
        { at: '2026-02-03T09:00', apply: (state, now) => pauseNudges(state, now) },
        { at: '2026-02-09T11:00', apply: resume },
      ],
    });
    expect(sent).toEqual(['reminder Wed 2026-02-11 11:00', 'reminder Fri 2026-02-13 11:00', 'reminder Tue 2026-02-17 11:00', 'escalate manager Thu 2026-02-19 11:00']);
  });

  it('when a stop is given an end date for any reason but a granted exception, then it is refused', () => {
    const state = newNudgeState('user-1', 1);
    const error = appErrorOf(() => stopFor(state, 'exceptionPending', localTime('2026-02-20T00:00', zone)));
    expect(error).toMatchObject({ code: 'INPUT_INVALID', details: { field: 'until' } });
    expect(appErrorOf(() => stopFor(state, 'exceptionGranted', new Date(Number.NaN))).details.field).toBe('until');
  });

  it('when a granted exception has ended, then the user may snooze again and the snooze holds the next reminder back', () => {
    let state = stopFor(recordFirstNotice(newNudgeState('user-1', 1), localTime('2026-02-02T10:00', zone)), 'exceptionGranted', localTime('2026-02-20T00:00', zone));
    const now = localTime('2026-02-20T08:00', zone);
    state = applySnooze(state, 3, { now }, policy);
    const next = nextNudge(state, policy, { now, zone, hasManager: true, globallyPaused: false });
    expect(next.action).toBe('reminder');
    expect(label(next.at, zone)).toBe('Mon 2026-02-23 09:00');
    expect(next.why).toMatch(/snoozed until Mon 2026-02-23 08:00; at the next allowed moment/);
  });
});
