import { DateTime } from 'luxon';

const INSTANT_FORMAT = 'ccc d LLL yyyy, HH:mm ZZZZ';
const DEFAULT_LOCALE = 'en-GB';

function withLocale(dt: DateTime, locale: string): DateTime {
  try {
    const localized = dt.setLocale(locale);
    localized.toFormat('ccc'); // Intl throws here on a malformed locale tag
    return localized;
  } catch {
    return dt.setLocale(DEFAULT_LOCALE);
  }
}

/**
 * An instant as a person in `zone` reads it, e.g. "Sun 22 Nov 2026, 14:05 CET" (en-GB).
 * An unknown or empty zone falls back to UTC, and the text then says "UTC".
 */
export function formatInstant(at: Date, zone: string, locale: string = DEFAULT_LOCALE): string {
  let dt = DateTime.fromJSDate(at, { zone: zone.trim() === '' ? 'invalid' : zone });
  if (!dt.isValid) dt = DateTime.fromJSDate(at, { zone: 'UTC' });
  if (!dt.isValid) return 'an unknown time';
  return withLocale(dt, locale).toFormat(INSTANT_FORMAT);
}

/**
 * An instant the Teams client renders in the reader's own time zone and locale (Adaptive Card
 * DATE/TIME functions), for messages sent before we know the user's zone. Only our own Date
 * goes in, never user text; the functions want RFC 3339 without milliseconds.
 */
export function clientLocalTime(at: Date): string {
  if (Number.isNaN(at.getTime())) return 'an unknown time';
  const iso = at.toISOString().replace(/\.\d{3}Z$/, 'Z');
  return `{{DATE(${iso}, SHORT)}}, {{TIME(${iso})}}`;
}

/** "2 hours ago", "in 3 days"; "just now" within a minute either way. */
export function formatRelative(at: Date, now: Date, locale: string = DEFAULT_LOCALE): string {
  const target = DateTime.fromJSDate(at);
  const base = DateTime.fromJSDate(now);
  if (!target.isValid || !base.isValid) return 'at an unknown time';
  if (Math.abs(target.toMillis() - base.toMillis()) < 60_000) return 'just now';
  return withLocale(target, locale).toRelative({ base }) ?? 'at an unknown time';
}

/**
 * An instant for one reader: in their zone when it is known (`formatInstant`), otherwise rendered by
 * the Teams client in the reader's own zone (`clientLocalTime`). Cards seen by several people (an
 * approval card in a channel) pass no zone.
 */
export function readerTime(at: Date, zone?: string, locale?: string): string {
  if (Number.isNaN(at.getTime())) return 'an unknown time';
  return zone !== undefined && zone.trim() !== '' ? formatInstant(at, zone, locale) : clientLocalTime(at);
}
