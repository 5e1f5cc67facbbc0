import { DateTime } from 'luxon';
import type { BusinessCalendar, Closure } from './business-calendar';
import { publicHolidaysOn } from './holidays';
import { addDays, assertLocalDate, invalidInput, isoWeekday, type LocalDate } from './values';

/** Why a date is not a business day. A date can have several reasons (a holiday on a Saturday). */
export type NonBusinessReason =
  | { kind: 'weekend'; weekday: number }
  | { kind: 'holiday'; name: string }
  | { kind: 'closure'; reason: string; from: LocalDate; to: LocalDate };

export interface BusinessDayInfo {
  date: LocalDate;
  /** ISO weekday, 1 = Monday … 7 = Sunday. */
  weekday: number;
  isBusinessDay: boolean;
  /** Empty for a business day. Order: weekend, holidays, closures. */
  reasons: NonBusinessReason[];
}

/** The most days looked ahead for a business day before the calendar is declared unusable. */
export const MAX_DAYS_WITHOUT_BUSINESS_DAY = 3660;

/** The reasons `date` is not a business day (none: it is one). `date` must already be valid. */
function reasonsClosed(calendar: BusinessCalendar, date: LocalDate, weekday: number): NonBusinessReason[] {
  const reasons: NonBusinessReason[] = [];
  if (!calendar.workingDays.includes(weekday)) reasons.push({ kind: 'weekend', weekday });
  if (calendar.holidays !== undefined) {
    for (const name of publicHolidaysOn(calendar.holidays, date)) reasons.push({ kind: 'holiday', name });
  }
  for (const closure of calendar.closures) {
    if (covers(closure, date)) reasons.push({ kind: 'closure', reason: closure.reason, from: closure.from, to: closure.to });
  }
  return reasons;
}

function covers(closure: Closure, date: LocalDate): boolean {
  return closure.from <= date && date <= closure.to;
}

/** Whether `date` (YYYY-MM-DD, the calendar's zone) is a business day, and if not, why not. */
export function businessDayInfo(calendar: BusinessCalendar, date: LocalDate): BusinessDayInfo {
  assertLocalDate(date);
  const weekday = isoWeekday(date);
  const reasons = reasonsClosed(calendar, date, weekday);
  return { date, weekday, isBusinessDay: reasons.length === 0, reasons };
}

export function isBusinessDay(calendar: BusinessCalendar, date: LocalDate): boolean {
  return businessDayInfo(calendar, date).isBusinessDay;
}

/** `businessDayInfo` for every date from `from` to `to`, both inclusive (at most ~10 years). */
export function businessDayInfoRange(calendar: BusinessCalendar, from: LocalDate, to: LocalDate): BusinessDayInfo[] {
  assertLocalDate(from, 'from');
  assertLocalDate(to, 'to');
  if (to < from) throw invalidInput('to', `${to} is before ${from}`);
  const days: BusinessDayInfo[] = [];
  for (let date = from; date <= to; date = addDays(date, 1)) {
    if (days.length >= MAX_DAYS_WITHOUT_BUSINESS_DAY) throw invalidInput('to', 'range is too long');
    days.push(businessDayInfo(calendar, date));
  }
  return days;
}

/** The first business day strictly after `date`. */
export function nextBusinessDay(calendar: BusinessCalendar, date: LocalDate): LocalDate {
  let candidate = date;
  for (let i = 0; i < MAX_DAYS_WITHOUT_BUSINESS_DAY; i += 1) {
    candidate = addDays(candidate, 1);
    if (isBusinessDay(calendar, candidate)) return candidate;
  }
  throw invalidInput('calendar', `no business day within ${MAX_DAYS_WITHOUT_BUSINESS_DAY} days after ${date}`);
}

export interface WorkingWindow {
  /** Epoch milliseconds of the working hours' start and end on that date, in the calendar's zone. */
  start: number;
  end: number;
}

/**
 * The working hours of `date` as instants. They are wall-clock times: 09:00–17:00 is 8 hours on a
 * 23- or 25-hour DST day too. A start or end that falls in a spring-forward gap moves forward to
 * the first existing minute (luxon's rule), so such a window is shorter by the gap.
 */
export function workingWindow(calendar: BusinessCalendar, date: LocalDate): WorkingWindow {
  const at = (time: string) => DateTime.fromISO(`${date}T${time}`, { zone: calendar.zone }).toMillis();
  return { start: at(calendar.workingHours.start), end: at(calendar.workingHours.end) };
}
