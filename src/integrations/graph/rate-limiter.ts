import type { Clock } from '../../domain/clock';
import { AppError, ErrorCodes } from '../../domain/errors';

/**
 * A token bucket with a fair, bounded queue: at most `capacity` requests in a burst, refilled at
 * `capacity` per `intervalMs`. Graph's identity reports allow 5 requests per 10 s per app per
 * tenant; the registration check takes a token before each attempt so bulk checks stay under it.
 *
 * Fairness: waiters are grouped by key (the user a check is for) and served round robin, so one
 * user's many checks do not hold everyone else back; a key may have at most `maxQueuedPerKey`
 * waiting and the queue at most `maxQueued` in all. Beyond that, acquire() fails at once with
 * BUSY and the seconds after which a retry has a place (`retryAfterSeconds`).
 * Per process: several instances share the tenant's budget, which the 429 retry then covers.
 */
export interface RateLimiter {
  /** Resolves when a request may be made (and counts it); BUSY when the queue has no room. */
  acquire(key?: string): Promise<void>;
}

export interface TokenBucketOptions {
  capacity: number;
  intervalMs: number;
  /** Waiters per key (default 3). */
  maxQueuedPerKey?: number;
  /** Waiters in all (default 50: 100 s of Graph's report budget). */
  maxQueued?: number;
  clock?: Clock;
  sleep?: (ms: number) => Promise<void>;
}

const defaultSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

interface Waiter {
  resolve: () => void;
  reject: (error: unknown) => void;
}

export function createTokenBucket(options: TokenBucketOptions): RateLimiter {
  const clock = options.clock ?? { now: () => new Date() };
  const sleep = options.sleep ?? defaultSleep;
  const perMs = options.capacity / options.intervalMs;
  const maxPerKey = options.maxQueuedPerKey ?? 3;
  const maxQueued = options.maxQueued ?? 50;
  let tokens = options.capacity;
  let updatedAt = clock.now().getTime();
  /** Keys in service order; each with its own FIFO. */
  const queues = new Map<string, Waiter[]>();
  let queued = 0;
  let pumping = false;

  function refill(): void {
    const now = clock.now().getTime();
    tokens = Math.min(options.capacity, tokens + Math.max(0, now - updatedAt) * perMs);
    updatedAt = now;
  }

  /** The first waiter of the key whose turn it is; that key moves to the back (round robin). */
  function next(): Waiter | undefined {
    for (const [key, list] of queues) {
      const waiter = list.shift();
      queues.delete(key);
      if (list.length > 0) queues.set(key, list);
      if (waiter !== undefined) {
        queued -= 1;
        return waiter;
      }
    }
    return undefined;
  }

  async function pump(): Promise<void> {
    if (pumping) return;
    pumping = true;
    try {
      while (queued > 0) {
        refill();
        if (tokens >= 1) {
          tokens -= 1;
          next()?.resolve();
          await Promise.resolve(); // the waiter woken starts before the next wait begins
          continue;
        }
        await sleep(Math.ceil((1 - tokens) / perMs));
      }
    } finally {
      pumping = false;
    }
  }

  const busy = (waitingAhead: number): AppError =>
    new AppError(ErrorCodes.Busy, `MFA Shepherd is busy with other registration checks. Try again in ${Math.max(1, Math.ceil(waitingAhead / perMs / 1000))} s.`, {
      expected: true,
      retryable: true,
      retryAfterSeconds: Math.max(1, Math.ceil(waitingAhead / perMs / 1000)),
    });

  return {
    acquire(key?: string): Promise<void> {
      if (queued === 0) {
        refill();
        if (tokens >= 1) {
          tokens -= 1;
          return Promise.resolve();
        }
      }
      const list = queues.get(key ?? '') ?? [];
      // Keyless callers (no user behind them) share the total bound only.
      if (key !== undefined && list.length >= maxPerKey) return Promise.reject(busy(list.length * Math.max(1, queues.size)));
      if (queued >= maxQueued) return Promise.reject(busy(queued));
      return new Promise<void>((resolve, reject) => {
        list.push({ resolve, reject });
        queues.set(key ?? '', list);
        queued += 1;
        // Started on a later tick: callers already let through start before the queue's first wait.
        queueMicrotask(() => void pump());
      });
    },
  };
}

/** Graph identity reports: 5 requests per 10 seconds. */
export const REPORTS_LIMIT = { capacity: 5, intervalMs: 10_000 } as const;
