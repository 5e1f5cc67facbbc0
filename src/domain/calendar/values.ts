import { DateTime } from 'luxon';
import { AppError, ErrorCodes } from '../errors';

/** A local date in a calendar's zone, `YYYY-MM-DD`. */
export type LocalDate = string;
/** A wall-clock time of day, `HH:mm` (00:00–23:59). */
export type TimeOfDay = string;

const TIME_OF_DAY = /^([01]\d|2[0-3]):([0-5]\d)$/;
const LOCAL_DATE = /^\d{4}-\d{2}-\d{2}$/;

/** INPUT_INVALID naming the offending field, in the message and in `details.field`. */
export function invalidInput(field: string, message: string): AppError {
  return new AppError(ErrorCodes.InputInvalid, `${field}: ${message}`, { details: { field } });
}

/** Minutes after midnight of an `HH:mm` time, or undefined when it is not one. */
export function parseTimeOfDay(value: unknown): number | undefined {
  if (typeof value !== 'string') return undefined;
  const match = TIME_OF_DAY.exec(value);
  if (!match) return undefined;
  return Number(match[1]) * 60 + Number(match[2]);
}

/** Whether `value` is a real calendar date written `YYYY-MM-DD`. */
export function isLocalDate(value: unknown): value is LocalDate {
  return typeof value === 'string' && LOCAL_DATE.test(value) && DateTime.fromISO(value, { zone: 'utc' }).isValid;
}

export function assertLocalDate(value: unknown, field = 'date'): asserts value is LocalDate {
  if (!isLocalDate(value)) throw invalidInput(field, `"${String(value)}" is not a YYYY-MM-DD date`);
}

export function assertInstant(value: unknown, field: string): asserts value is Date {
  if (!(value instanceof Date) || Number.isNaN(value.getTime())) {
    throw invalidInput(field, 'a valid instant (Date) is required');
  }
}

/** The local date of an instant in `zone`. */
export function localDateOf(instant: Date, zone: string): LocalDate {
  return DateTime.fromJSDate(instant, { zone }).toISODate() ?? '';
}

/** Pure date arithmetic (no zone, no DST): the date `days` after `date`. */
export function addDays(date: LocalDate, days: number): LocalDate {
  return DateTime.fromISO(date, { zone: 'utc' }).plus({ days }).toISODate() ?? '';
}

/** ISO weekday of a date: 1 = Monday … 7 = Sunday. */
export function isoWeekday(date: LocalDate): number {
  return DateTime.fromISO(date, { zone: 'utc' }).weekday;
}
