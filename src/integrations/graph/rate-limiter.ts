import type { Clock } from '../../domain/clock';

/**
 * A token bucket: at most `capacity` requests in a burst, refilled at `capacity` per `intervalMs`.
 * Graph's identity reports allow 5 requests per 10 s per app per tenant; the registration check
 * takes a token before each attempt so bulk checks stay under it. Waiters are served in order.
 * Per process: several instances share the tenant's budget, which the 429 retry then covers.
 */
export interface RateLimiter {
  /** Resolves when a request may be made (and counts it). */
  acquire(): Promise<void>;
}

export interface TokenBucketOptions {
  capacity: number;
  intervalMs: number;
  clock?: Clock;
  sleep?: (ms: number) => Promise<void>;
}

const defaultSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export function createTokenBucket(options: TokenBucketOptions): RateLimiter {
  const clock = options.clock ?? { now: () => new Date() };
  const sleep = options.sleep ?? defaultSleep;
  const perMs = options.capacity / options.intervalMs;
  let tokens = options.capacity;
  let updatedAt = clock.now().getTime();
  let queue: Promise<void> = Promise.resolve();

  function refill(): void {
    const now = clock.now().getTime();
    tokens = Math.min(options.capacity, tokens + Math.max(0, now - updatedAt) * perMs);
    updatedAt = now;
  }

  async function take(): Promise<void> {
    for (;;) {
      refill();
      if (tokens >= 1) {
        tokens -= 1;
        return;
      }
      await sleep(Math.ceil((1 - tokens) / perMs));
    }
  }

  return {
    acquire(): Promise<void> {
      const turn = queue.then(take);
      queue = turn.catch(() => undefined);
      return turn;
    },
  };
}

/** Graph identity reports: 5 requests per 10 seconds. */
export const REPORTS_LIMIT = { capacity: 5, intervalMs: 10_000 } as const;
