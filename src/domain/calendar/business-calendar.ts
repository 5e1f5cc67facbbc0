import { IANAZone } from 'luxon';
import { resolveHolidayRegion, type HolidayRegion } from './holidays';
import { invalidInput, isLocalDate, parseTimeOfDay, type LocalDate, type TimeOfDay } from './values';

/** An admin-added closure: every date from `from` to `to` (both inclusive, calendar zone) is closed. */
export interface Closure {
  from: LocalDate;
  to: LocalDate;
  reason: string;
}

/**
 * The partner's business calendar. A business day is a working weekday that is neither a public
 * holiday (date-holidays, type `public` only) nor inside a closure; business time is the wall-clock
 * working hours of business days, in `zone`.
 */
export interface BusinessCalendar {
  /** IANA time zone, canonical spelling (e.g. `Europe/Berlin`). */
  zone: string;
  /** ISO weekdays, 1 = Monday … 7 = Sunday; sorted, no duplicates, not empty. */
  workingDays: readonly number[];
  /** Wall-clock working hours, the same on every business day; `end` is later than `start`. */
  workingHours: { start: TimeOfDay; end: TimeOfDay };
  /** Whose public holidays close the office; none when absent. */
  holidays?: HolidayRegion;
  /** Sorted by `from`. */
  closures: readonly Closure[];
}

export interface BusinessCalendarInput {
  zone: string;
  /** Default Monday–Friday. */
  workingDays?: readonly number[];
  /** Default 09:00–17:00. */
  workingHours?: { start: string; end: string };
  holidays?: HolidayRegion;
  closures?: readonly Closure[];
}

export const DEFAULT_WORKING_DAYS: readonly number[] = [1, 2, 3, 4, 5];
export const DEFAULT_WORKING_HOURS = { start: '09:00', end: '17:00' } as const;

const MAX_REASON_LENGTH = 200;

/** Length of one working day in minutes (wall clock, e.g. 480 for 09:00–17:00). */
export function workingDayMinutes(calendar: BusinessCalendar): number {
  const start = parseTimeOfDay(calendar.workingHours.start) ?? 0;
  const end = parseTimeOfDay(calendar.workingHours.end) ?? 0;
  return end - start;
}

function canonicalZone(zone: unknown): string {
  if (typeof zone !== 'string' || zone.trim() === '' || !IANAZone.isValidZone(zone.trim())) {
    throw invalidInput('zone', `"${String(zone)}" is not a known IANA time zone`);
  }
  // Intl spells the zone canonically ("europe/berlin" -> "Europe/Berlin").
  return new Intl.DateTimeFormat('en-US', { timeZone: zone.trim() }).resolvedOptions().timeZone;
}

function validWorkingDays(days: readonly number[] | undefined): number[] {
  if (days === undefined) return [...DEFAULT_WORKING_DAYS];
  if (days.length === 0) {
    throw invalidInput('workingDays', 'at least one working day is required');
  }
  for (const day of days) {
    if (!Number.isInteger(day) || day < 1 || day > 7) {
      throw invalidInput('workingDays', `${String(day)} is not an ISO weekday (1 = Monday … 7 = Sunday)`);
    }
  }
  return [...new Set(days)].sort((a, b) => a - b);
}

function validWorkingHours(hours: BusinessCalendarInput['workingHours']): BusinessCalendar['workingHours'] {
  if (hours === undefined) return { ...DEFAULT_WORKING_HOURS };
  const start = parseTimeOfDay(hours.start);
  if (start === undefined) throw invalidInput('workingHours.start', `"${String(hours.start)}" is not HH:mm`);
  const end = parseTimeOfDay(hours.end);
  if (end === undefined) throw invalidInput('workingHours.end', `"${String(hours.end)}" is not HH:mm`);
  if (end <= start) throw invalidInput('workingHours.end', `${hours.end} must be later than ${hours.start}`);
  return { start: hours.start, end: hours.end };
}

function validClosures(closures: readonly Closure[] | undefined): Closure[] {
  if (closures === undefined) return [];
  return closures
    .map((closure, index) => {
      const field = `closures[${index}]`;
      if (!isLocalDate(closure.from)) throw invalidInput(`${field}.from`, `"${String(closure.from)}" is not a YYYY-MM-DD date`);
      if (!isLocalDate(closure.to)) throw invalidInput(`${field}.to`, `"${String(closure.to)}" is not a YYYY-MM-DD date`);
      if (closure.to < closure.from) throw invalidInput(`${field}.to`, `${closure.to} is before ${closure.from}`);
      const reason = typeof closure.reason === 'string' ? closure.reason.trim() : '';
      if (reason === '') throw invalidInput(`${field}.reason`, 'a reason is required');
      if (reason.length > MAX_REASON_LENGTH) {
        throw invalidInput(`${field}.reason`, `at most ${MAX_REASON_LENGTH} characters`);
      }
      return { from: closure.from, to: closure.to, reason };
    })
    .sort((a, b) => (a.from < b.from ? -1 : a.from > b.from ? 1 : 0));
}

/**
 * Validate and normalise a business calendar (defaults: Monday–Friday, 09:00–17:00, no holidays,
 * no closures). Throws AppError INPUT_INVALID whose `details.field` names the first bad field.
 */
export function createBusinessCalendar(input: BusinessCalendarInput): BusinessCalendar {
  const zone = canonicalZone(input.zone);
  const workingDays = validWorkingDays(input.workingDays);
  const workingHours = validWorkingHours(input.workingHours);
  const holidays = input.holidays === undefined ? undefined : resolveHolidayRegion(input.holidays);
  const closures = validClosures(input.closures);
  return { zone, workingDays, workingHours, ...(holidays ? { holidays } : {}), closures };
}

/**
 * The partner's own calendar: `base` (the configured zone, working days and hours, public
 * holidays, and any closures it has) with the admins' `closures` added. Nudges and the partner's
 * internal deadlines run on it; Microsoft's clock runs on `base` alone, since the partner's
 * closures are no reason for Microsoft to answer later. A closure given twice counts once.
 */
export function withClosures(base: BusinessCalendar, closures: readonly Closure[]): BusinessCalendar {
  if (closures.length === 0) return base;
  const seen = new Set(base.closures.map((c) => `${c.from}/${c.to}`));
  const added = closures.filter((c) => {
    const key = `${c.from}/${c.to}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  return { ...base, closures: validClosures([...base.closures, ...added]) };
}
