/**
 * When and how long to wait before trying an HTTP request again.
 *
 * - Retried: 429, 5xx, timeouts and network errors. Never 400/401/403/404 (or any other 4xx): the
 *   same request would get the same answer, and a 401 for missing MFA must never loop.
 * - Delay: exponential backoff with full jitter (`random() * min(maxDelay, base * 2^(n-1))`), or the
 *   server's `Retry-After` (seconds or HTTP date) on 429 and 503 when it sent one.
 * - A `Retry-After` longer than `maxRetryAfterMs` is not waited for: the answer is returned to the
 *   caller, who reports it (with `retryAfterSeconds`) so the next scheduled run tries again.
 */
export interface RetryPolicy {
  /** Attempts in total, the first one included (1 = no retry). */
  maxAttempts: number;
  /** Backoff base: the first retry waits up to this long. */
  baseDelayMs: number;
  /** Upper bound of one backoff delay. */
  maxDelayMs: number;
  /** Longest `Retry-After` we wait for inside one operation. */
  maxRetryAfterMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxAttempts: 4,
  baseDelayMs: 500,
  maxDelayMs: 30_000,
  maxRetryAfterMs: 120_000,
};

export function isRetryableStatus(status: number): boolean {
  return status === 429 || (status >= 500 && status <= 599);
}

/**
 * `Retry-After` as milliseconds from `nowMs`: delay-seconds or an HTTP date. Undefined when absent
 * or unreadable; never negative.
 */
export function parseRetryAfterMs(value: string | null | undefined, nowMs: number): number | undefined {
  if (value === null || value === undefined) return undefined;
  const trimmed = value.trim();
  if (trimmed === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  const at = Date.parse(trimmed);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - nowMs);
}

/** Full-jitter exponential backoff for the retry after attempt number `attempt` (1-based). */
export function backoffDelayMs(policy: RetryPolicy, attempt: number, random: () => number): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  return Math.floor(random() * ceiling);
}
