import { workingDayMinutes, type BusinessCalendar } from './business-calendar';
import { isBusinessDay, nextBusinessDay, workingWindow } from './business-day';
import { addDays, assertInstant, invalidInput, localDateOf } from './values';

const MS_PER_MINUTE = 60_000;
/** Longest SLA accepted, in business days (guards the day-by-day walk). */
export const MAX_SLA_BUSINESS_DAYS = 3650;

/**
 * When the clock starts for something submitted at `submittedAt`: that instant when it falls inside
 * the working hours of a business day (start inclusive, end exclusive), otherwise the start of the
 * next working hours — later the same day when submitted before opening, else the next business
 * day's (evening, 23:59, weekend, holiday, closure; exactly at closing time too).
 */
export function clockStart(calendar: BusinessCalendar, submittedAt: Date): Date {
  assertInstant(submittedAt, 'submittedAt');
  const at = submittedAt.getTime();
  const date = localDateOf(submittedAt, calendar.zone);
  if (isBusinessDay(calendar, date)) {
    const window = workingWindow(calendar, date);
    if (at < window.start) return new Date(window.start);
    if (at < window.end) return submittedAt;
  }
  return new Date(workingWindow(calendar, nextBusinessDay(calendar, date)).start);
}

/**
 * When `businessDays` working days of business time have passed since the clock started: the
 * instant at which the working hours counted from `clockStart` add up to `businessDays` × the
 * working day's length (wall clock; 8 h for 09:00–17:00). Ending exactly at closing time gives that
 * closing time, not the next opening. Fractions of a day are allowed (0.5 = half a working day).
 */
export function dueAt(calendar: BusinessCalendar, submittedAt: Date, businessDays = 3): Date {
  if (!Number.isFinite(businessDays) || businessDays < 0 || businessDays > MAX_SLA_BUSINESS_DAYS) {
    throw invalidInput('businessDays', `${businessDays} is not between 0 and ${MAX_SLA_BUSINESS_DAYS}`);
  }
  let remaining = Math.round(businessDays * workingDayMinutes(calendar) * MS_PER_MINUTE);
  let cursor = clockStart(calendar, submittedAt).getTime();
  let date = localDateOf(new Date(cursor), calendar.zone);
  for (;;) {
    const window = workingWindow(calendar, date);
    const available = window.end - cursor;
    if (remaining <= available) return new Date(cursor + remaining);
    remaining -= available;
    date = nextBusinessDay(calendar, date);
    cursor = workingWindow(calendar, date).start;
  }
}

/**
 * Business time between two instants in milliseconds: the parts of [from, to] that fall inside
 * working hours of business days. Negative when `to` is before `from`.
 */
export function businessMillisBetween(calendar: BusinessCalendar, from: Date, to: Date): number {
  assertInstant(from, 'from');
  assertInstant(to, 'to');
  if (to.getTime() < from.getTime()) return -businessMillisBetween(calendar, to, from);
  const last = localDateOf(to, calendar.zone);
  let total = 0;
  for (let date = localDateOf(from, calendar.zone); date <= last; date = addDays(date, 1)) {
    if (!isBusinessDay(calendar, date)) continue;
    const window = workingWindow(calendar, date);
    total += Math.max(0, Math.min(window.end, to.getTime()) - Math.max(window.start, from.getTime()));
  }
  return total;
}

/** Whole business minutes (rounded toward zero) between two instants; negative when `to` < `from`. */
export function businessMinutesBetween(calendar: BusinessCalendar, from: Date, to: Date): number {
  return toWholeMinutes(businessMillisBetween(calendar, from, to));
}

export function toWholeMinutes(ms: number): number {
  return Math.trunc(ms / MS_PER_MINUTE) || 0; // `|| 0`: never -0
}
