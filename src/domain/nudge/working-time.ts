import { IANAZone } from 'luxon';
import { invalidNudgeInput, minutesOfDay, type TimeWindow } from './policy';

/**
 * Working time for the nudge policy: working days (ISO weekdays) and working hours in the
 * recipient's own IANA zone, plus quiet hours, minus the days the organisation is closed (public
 * holidays and admin closures of the business calendar, given as `closed`). A closed day counts as
 * no business day and nothing is sent on it.
 *
 * Arithmetic is on the wall clock in the recipient's zone: an instant becomes a local date and time
 * once (the zone's offset from luxon's IANA data), days are counted on the calendar, and the result
 * becomes an instant once, so a DST day of 23 or 25 hours still moves 10:00 to 10:00. A simulated
 * month calls this thousands of times, hence the two conversions only.
 */
export interface WorkingTime {
  zone: string;
  workingDays: readonly number[];
  workingHours: TimeWindow;
  quietHours?: TimeWindow;
  /** Whether a local date (`YYYY-MM-DD`, the recipient's zone) is closed: a public holiday or a closure. */
  closed?: (date: string) => boolean;
}

/** A local date and time of day in some zone. `weekday`: ISO, 1 = Monday … 7 = Sunday. */
interface Local {
  year: number;
  month: number;
  day: number;
  weekday: number;
  /** Minutes after midnight, with seconds and milliseconds as a fraction. */
  minutes: number;
}

/**
 * Bounds every search: a week always holds a working day, since policies need at least one; closed
 * days (holidays, a closure of some weeks) can push it further, but never past a year.
 */
const MAX_DAYS_SEARCHED = 14;
const MAX_DAYS_SEARCHED_WITH_CLOSURES = 400;
const MINUTE_MS = 60_000;
const DAY_MS = 24 * 60 * MINUTE_MS;
const WEEKDAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'] as const;

/** Only named IANA zones ('Europe/Berlin', 'UTC'): never the machine's own zone. */
export function isValidZone(zone: string): boolean {
  return zone !== '' && IANAZone.create(zone).isValid; // create() is cached per name; isValidZone() builds an Intl formatter each time
}

function ianaZone(zone: string): IANAZone {
  const iana = IANAZone.create(zone); // cached per name by luxon
  if (zone === '' || !iana.isValid) throw invalidNudgeInput('zone', `"${zone}" is not an IANA time zone`);
  return iana;
}

function toLocal(at: Date, zone: string): Local {
  const ms = at.getTime();
  if (Number.isNaN(ms)) throw invalidNudgeInput('at', 'a valid instant (Date) is required');
  // The wall clock in `zone`, written as if it were UTC: calendar fields come from the UTC getters.
  const wall = new Date(ms + ianaZone(zone).offset(ms) * MINUTE_MS);
  const midnight = Date.UTC(wall.getUTCFullYear(), wall.getUTCMonth(), wall.getUTCDate());
  const weekday = wall.getUTCDay() === 0 ? 7 : wall.getUTCDay();
  return { year: wall.getUTCFullYear(), month: wall.getUTCMonth() + 1, day: wall.getUTCDate(), weekday, minutes: (wall.getTime() - midnight) / MINUTE_MS };
}

/**
 * The instant of a local wall-clock time, the same whatever the date today (luxon's fromObject
 * guesses from the current offset, so its answer for a repeated hour depends on the wall clock):
 * - a time that occurs twice (clocks fall back) is its first occurrence;
 * - a time that does not exist (clocks spring forward) moves forward by the gap: 02:30 → 03:30.
 * Zones change offset at most once within a day of any instant.
 */
function toInstant(local: Local, zone: string): Date {
  const iana = ianaZone(zone);
  const wall = Date.UTC(local.year, local.month - 1, local.day) + Math.round(local.minutes * MINUTE_MS);
  const before = iana.offset(wall - DAY_MS);
  const after = iana.offset(wall + DAY_MS);
  if (before === after) return new Date(wall - before * MINUTE_MS);
  // Around a transition: the larger offset gives the earlier instant, so try it first.
  for (const offset of before > after ? [before, after] : [after, before]) {
    const utc = wall - offset * MINUTE_MS;
    if (iana.offset(utc) === offset) return new Date(utc);
  }
  return new Date(wall - before * MINUTE_MS); // in the gap: read with the offset from before it
}

/** The calendar day after `local`, at `minutes` (pure calendar arithmetic, no zone involved). */
function nextDay(local: Local, minutes: number): Local {
  const date = new Date(Date.UTC(local.year, local.month - 1, local.day + 1));
  return { year: date.getUTCFullYear(), month: date.getUTCMonth() + 1, day: date.getUTCDate(), weekday: local.weekday === 7 ? 1 : local.weekday + 1, minutes };
}

function isoDate(l: Local): string {
  return `${l.year}-${pad(l.month)}-${pad(l.day)}`;
}

/** Whether `local` is a day on which business days count and messages go out. */
function isOpenDay(local: Local, days: ReadonlySet<number>, closed: WorkingTime['closed']): boolean {
  return days.has(local.weekday) && !(closed?.(isoDate(local)) ?? false);
}

function bounds(window: TimeWindow): [number, number] {
  return [minutesOfDay(window.start) ?? 0, minutesOfDay(window.end) ?? 0];
}

/**
 * The first local moment at or after `from` inside working hours on a working day. With
 * `respectQuiet`, quiet hours are skipped too: that is when a message may go out.
 */
function firstLocalFrom(from: Local, wt: WorkingTime, respectQuiet: boolean): { local: Local; moved: boolean } {
  const days = new Set(wt.workingDays);
  const [start, end] = bounds(wt.workingHours);
  const quiet = respectQuiet && wt.quietHours ? bounds(wt.quietHours) : undefined;
  let local = from;
  let moved = false;
  const limit = wt.closed ? MAX_DAYS_SEARCHED_WITH_CLOSURES : MAX_DAYS_SEARCHED;
  for (let i = 0; i <= limit; i++) {
    if (!isOpenDay(local, days, wt.closed) || local.minutes >= end) {
      local = nextDay(local, start);
      moved = true;
      continue;
    }
    if (local.minutes < start) {
      local = { ...local, minutes: start };
      moved = true;
    }
    if (quiet && local.minutes >= quiet[0] && local.minutes < quiet[1]) {
      local = { ...local, minutes: quiet[1] };
      moved = true;
      if (local.minutes >= end) continue;
    }
    return { local, moved };
  }
  throw invalidNudgeInput('workingDays', `no working moment within ${limit} days`);
}

function addLocalBusinessDays(from: Local, n: number, workingDays: readonly number[], closed: WorkingTime['closed']): Local {
  const days = new Set(workingDays);
  if (days.size === 0) throw invalidNudgeInput('workingDays', 'at least one working day is required');
  let local = from;
  for (let counted = 0, searched = 0; counted < n; searched++) {
    if (searched > MAX_DAYS_SEARCHED_WITH_CLOSURES * Math.max(1, n)) throw invalidNudgeInput('closed', `no ${n} business days within reach`);
    local = nextDay(local, local.minutes);
    if (isOpenDay(local, days, closed)) counted++;
  }
  return local;
}

/** Where a business-day count starts: `at` itself inside working hours (quiet or not), else the next working day's start. */
export function clockStart(at: Date, wt: WorkingTime): Date {
  const { local, moved } = firstLocalFrom(toLocal(at, wt.zone), wt, false);
  return moved ? toInstant(local, wt.zone) : at;
}

/** The same wall-clock time `n` working days later (n = 0: `at` itself). */
export function addBusinessDays(at: Date, n: number, wt: Pick<WorkingTime, 'zone' | 'workingDays' | 'closed'>): Date {
  if (n === 0) return at;
  return toInstant(addLocalBusinessDays(toLocal(at, wt.zone), n, wt.workingDays, wt.closed), wt.zone);
}

/**
 * `n` business days after `at`: counted from the clock start (a notice sent on Saturday counts
 * from Monday's start), same wall-clock time. Equals addBusinessDays(clockStart(at), n).
 */
export function businessDaysAfter(at: Date, n: number, wt: WorkingTime): Date {
  const { local, moved } = firstLocalFrom(toLocal(at, wt.zone), wt, false);
  if (n === 0 && !moved) return at;
  return toInstant(addLocalBusinessDays(local, n, wt.workingDays, wt.closed), wt.zone);
}

/** The first moment at or after `at` when a message may go out (working day, working hours, not quiet hours), and its label. */
export function nextAllowed(at: Date, wt: WorkingTime): { at: Date; label: string } {
  const { local, moved } = firstLocalFrom(toLocal(at, wt.zone), wt, true);
  return { at: moved ? toInstant(local, wt.zone) : at, label: formatLocal(local) };
}

export function nextAllowedMoment(at: Date, wt: WorkingTime): Date {
  return nextAllowed(at, wt).at;
}

export function isAllowedMoment(at: Date, wt: WorkingTime): boolean {
  return nextAllowedMoment(at, wt).getTime() === at.getTime();
}

function pad(n: number): string {
  return String(n).padStart(2, '0');
}

function formatLocal(l: Local): string {
  const minutes = Math.floor(l.minutes);
  return `${WEEKDAYS[l.weekday - 1] ?? '?'} ${l.year}-${pad(l.month)}-${pad(l.day)} ${pad(Math.floor(minutes / 60))}:${pad(minutes % 60)}`;
}

/** An instant as the recipient reads it, e.g. "Wed 2026-03-04 10:00", for `why` texts. */
export function localLabel(at: Date, zone: string): string {
  return formatLocal(toLocal(at, zone));
}
