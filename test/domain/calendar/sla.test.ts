import { slaStatus, slaTransition, type SlaState } from '../../../src/domain/calendar';
import { at, berlinDE } from './calendars';

/**
 * One request submitted Wed 2026-06-10 11:30 CEST to a Berlin calendar (German holidays): due Mon
 * 2026-06-15 11:30 CEST (Thu, Fri, Mon), i.e. 24 business hours = 1440 minutes. A working day is 480.
 */
const submittedAt = at('2026-06-10T11:30+02:00');

const rows: { case: string; now: string; state: SlaState; left: number }[] = [
  // Nothing used yet.
  { case: 'at submission', now: '2026-06-10T11:30+02:00', state: 'onTrack', left: 1440 },
  // Thu 17:00: Fri 480 + Mon 09:00-11:30 150 = 630 > 480.
  { case: 'Thursday at closing time', now: '2026-06-11T17:00+02:00', state: 'onTrack', left: 630 },
  // Fri 11:29: Fri 331 + Mon 150 = 481, one minute more than a working day.
  { case: 'one minute before a working day is left', now: '2026-06-12T11:29+02:00', state: 'onTrack', left: 481 },
  // Fri 11:30: Fri 330 + Mon 150 = 480, exactly one working day.
  { case: 'exactly one working day before', now: '2026-06-12T11:30+02:00', state: 'dueSoon', left: 480 },
  // Sat noon: only Mon 09:00-11:30 is left.
  { case: 'the Saturday before', now: '2026-06-13T12:00+02:00', state: 'dueSoon', left: 150 },
  // Sun 23:59: still the day before (calendar zone).
  { case: 'Sunday at 23:59', now: '2026-06-14T23:59+02:00', state: 'dueSoon', left: 150 },
  // Mon 00:00 Berlin is Sun 22:00 UTC: the due date is today in the calendar's zone, not in UTC.
  { case: 'Monday just after midnight in Berlin', now: '2026-06-14T22:00Z', state: 'dueToday', left: 150 },
  // Mon 10:00: 90 minutes left.
  { case: 'the due morning', now: '2026-06-15T10:00+02:00', state: 'dueToday', left: 90 },
  // At the due instant exactly: not yet breached.
  { case: 'exactly at the due instant', now: '2026-06-15T11:30+02:00', state: 'dueToday', left: 0 },
  // One millisecond later: breached; less than a whole minute overdue.
  { case: 'a millisecond after the due instant', now: '2026-06-15T11:30:00.001+02:00', state: 'breached', left: 0 },
  // Mon 13:00: 90 business minutes overdue.
  { case: 'the due afternoon', now: '2026-06-15T13:00+02:00', state: 'breached', left: -90 },
  // Tue 10:00: Mon 11:30-17:00 330 + Tue 60 = 390 overdue.
  { case: 'the next morning', now: '2026-06-16T10:00+02:00', state: 'breached', left: -390 },
];

describe('slaStatus', () => {
  it.each(rows)('when it is $case, then the request is $state with $left business minutes left', ({ now, state, left }) => {
    const status = slaStatus(berlinDE, submittedAt, at(now));
    expect(status.state).toBe(state);
    expect(status.businessMinutesLeft).toBe(left);
    expect(status.dueAt.toISOString()).toBe('2026-06-15T09:30:00.000Z');
  });

  it('when a request was submitted on a Saturday, then the status shows the clock started on Monday', () => {
    // Sat 06-13 -> Mon 06-15 09:00 CEST; Mon, Tue, Wed -> Wed 17:00 CEST. Sunday noon: 1440 left.
    const status = slaStatus(berlinDE, at('2026-06-13T10:00+02:00'), at('2026-06-14T12:00+02:00'));
    expect(status).toEqual({
      clockStartedAt: at('2026-06-15T07:00Z'),
      dueAt: at('2026-06-17T15:00Z'),
      state: 'onTrack',
      businessMinutesLeft: 1440,
    });
  });

  it('when the due time is closing time, then the whole due day is dueToday and the evening is breached', () => {
    // Submitted Sat 06-13 -> due Wed 06-17 17:00 CEST.
    const sat = at('2026-06-13T10:00+02:00');
    expect(slaStatus(berlinDE, sat, at('2026-06-17T08:00+02:00')).state).toBe('dueToday');
    expect(slaStatus(berlinDE, sat, at('2026-06-17T17:00+02:00')).state).toBe('dueToday');
    expect(slaStatus(berlinDE, sat, at('2026-06-17T17:01+02:00'))).toMatchObject({ state: 'breached', businessMinutesLeft: 0 });
  });
});

describe('slaTransition', () => {
  const rows: [SlaState | undefined, SlaState, boolean][] = [
    // The starting state needs no announcement; a first look that is already urgent does.
    [undefined, 'onTrack', false],
    [undefined, 'dueSoon', true],
    [undefined, 'dueToday', true],
    [undefined, 'breached', true],
    // Each escalation once.
    ['onTrack', 'dueSoon', true],
    ['dueSoon', 'dueToday', true],
    ['dueToday', 'breached', true],
    // Skipping a state (a sweep that ran late) still announces the new one.
    ['onTrack', 'dueToday', true],
    ['onTrack', 'breached', true],
    // The same state again: already announced.
    ['onTrack', 'onTrack', false],
    ['dueSoon', 'dueSoon', false],
    ['dueToday', 'dueToday', false],
    ['breached', 'breached', false],
    // Never back (a closure added later can move the deadline): not from breached, nor otherwise.
    ['breached', 'dueToday', false],
    ['breached', 'onTrack', false],
    ['dueToday', 'dueSoon', false],
    ['dueSoon', 'onTrack', false],
  ];

  it.each(rows)('when the state goes from %s to %s, then announcing it is %s', (previous, next, announce) => {
    expect(slaTransition(previous, next)).toBe(announce);
  });
});
