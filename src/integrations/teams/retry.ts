/**
 * Teams asks callers to retry 429, 412, 502, 503 and 504, honouring Retry-After when given, else
 * exponential backoff with jitter, bounded.
 */
export const RETRYABLE_TEAMS_STATUSES = new Set([412, 429, 502, 503, 504]);

export interface BackoffOptions {
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  random?: () => number;
}

export const DEFAULT_TEAMS_BACKOFF: BackoffOptions = { maxAttempts: 5, baseDelayMs: 500, maxDelayMs: 30_000 };

/** Delay before attempt `attempt + 1` (attempt counts from 1). Full jitter, or Retry-After when known. */
export function backoffDelayMs(attempt: number, options: BackoffOptions, retryAfterSeconds?: number): number {
  if (retryAfterSeconds !== undefined && Number.isFinite(retryAfterSeconds) && retryAfterSeconds >= 0) {
    return Math.min(retryAfterSeconds * 1000, options.maxDelayMs);
  }
  const ceiling = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** (attempt - 1));
  return Math.round((options.random ?? Math.random)() * ceiling);
}

/** Parse a Retry-After header: seconds, or an HTTP date relative to `now`. */
export function parseRetryAfter(value: string | null | undefined, now: number): number | undefined {
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, (date - now) / 1000);
}
