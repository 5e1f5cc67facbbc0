import { workingDayMinutes, type BusinessCalendar } from './business-calendar';
import { businessMillisBetween, clockStart, dueAt, toWholeMinutes } from './business-time';
import { assertInstant, localDateOf } from './values';

/** Microsoft answers an MFA exception request within 3 business days. */
export const MICROSOFT_SLA_BUSINESS_DAYS = 3;

export type SlaState = 'onTrack' | 'dueSoon' | 'dueToday' | 'breached';

export interface SlaStatus {
  clockStartedAt: Date;
  dueAt: Date;
  state: SlaState;
  /** Whole business minutes from `now` to `dueAt`; negative (business time overdue) once breached. */
  businessMinutesLeft: number;
}

/**
 * Where a request stands at `now`. Precedence breached > dueToday > dueSoon > onTrack:
 * - breached: `now` is after `dueAt` (at `dueAt` exactly it is still due today);
 * - dueToday: `dueAt` falls on today's date in the calendar's zone;
 * - dueSoon: at most one working day of business time left;
 * - onTrack: otherwise.
 */
export function slaStatus(
  calendar: BusinessCalendar,
  submittedAt: Date,
  now: Date,
  businessDays = MICROSOFT_SLA_BUSINESS_DAYS,
): SlaStatus {
  assertInstant(now, 'now');
  const due = dueAt(calendar, submittedAt, businessDays);
  const leftMs = businessMillisBetween(calendar, now, due);
  const state: SlaState =
    now.getTime() > due.getTime()
      ? 'breached'
      : localDateOf(due, calendar.zone) === localDateOf(now, calendar.zone)
        ? 'dueToday'
        : leftMs <= workingDayMinutes(calendar) * 60_000
          ? 'dueSoon'
          : 'onTrack';
  return {
    clockStartedAt: clockStart(calendar, submittedAt),
    dueAt: due,
    state,
    businessMinutesLeft: toWholeMinutes(leftMs),
  };
}

const URGENCY: Record<SlaState, number> = { onTrack: 0, dueSoon: 1, dueToday: 2, breached: 3 };

/**
 * Whether moving from `previous` (the last state announced; undefined: none yet) to `next` should be
 * announced. Only escalations are: each state is announced at most once, never "back" (a deadline
 * moved later by a new closure does not un-announce), nothing after breached, and the starting
 * state onTrack needs no announcement. Persist `next` as the announced state only when this is true.
 */
export function slaTransition(previous: SlaState | undefined, next: SlaState): boolean {
  return URGENCY[next] > URGENCY[previous ?? 'onTrack'];
}
