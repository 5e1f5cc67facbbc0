import { FixedClock } from '../../src/domain/clock';
import { createTokenBucket } from '../../src/integrations/graph';
import { backoffDelayMs, DEFAULT_RETRY_POLICY, isRetryableStatus, parseRetryAfterMs } from '../../src/integrations/http';

describe('retry policy', () => {
  it.each([[429], [500], [502], [503], [504]])('when the status is %d, then it is retried', (status) => {
    expect(isRetryableStatus(status)).toBe(true);
  });

  it.each([[400], [401], [403], [404], [409], [200]])('when the status is %d, then it is never retried', (status) => {
    expect(isRetryableStatus(status)).toBe(false);
  });

  it('when Retry-After is seconds or an HTTP date, then it becomes a delay from now', () => {
    const now = Date.parse('2025-01-01T00:00:00Z');
    expect(parseRetryAfterMs('7', now)).toBe(7000);
    expect(parseRetryAfterMs(' 0 ', now)).toBe(0);
    expect(parseRetryAfterMs('Wed, 01 Jan 2025 00:00:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfterMs('Tue, 31 Dec 2024 23:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfterMs('soon', now)).toBeUndefined();
    expect(parseRetryAfterMs(null, now)).toBeUndefined();
  });

  it('when backing off, then the delay is full jitter under an exponential ceiling capped at maxDelay', () => {
    const policy = { ...DEFAULT_RETRY_POLICY, baseDelayMs: 500, maxDelayMs: 30_000 };
    const almostOne = (): number => 0.999999;
    expect(backoffDelayMs(policy, 1, almostOne)).toBe(499);
    expect(backoffDelayMs(policy, 3, almostOne)).toBe(1999);
    expect(backoffDelayMs(policy, 20, almostOne)).toBe(29_999);
    expect(backoffDelayMs(policy, 3, () => 0)).toBe(0);
    expect(backoffDelayMs(policy, 3, () => 0.5)).toBe(1000);
  });
});

describe('token bucket for the identity reports endpoint', () => {
  it('when 7 requests are made at once with 5 per 10 s, then 5 pass and the others wait 2 s each', async () => {
    const clock = new FixedClock('2025-01-01T00:00:00Z');
    const waits: number[] = [];
    const sleep = async (ms: number): Promise<void> => {
      waits.push(ms);
      clock.advance(ms);
    };
    const bucket = createTokenBucket({ capacity: 5, intervalMs: 10_000, clock, sleep });
    const started = clock.now().getTime();
    const passedAt: number[] = [];
    await Promise.all(
      Array.from({ length: 7 }, () => bucket.acquire().then(() => passedAt.push(clock.now().getTime() - started))),
    );
    expect(passedAt).toEqual([0, 0, 0, 0, 0, 2000, 4000]);
    expect(waits).toEqual([2000, 2000]);
  });

  it('when time passes, then the bucket refills up to its capacity only', async () => {
    const clock = new FixedClock('2025-01-01T00:00:00Z');
    const waits: number[] = [];
    const bucket = createTokenBucket({
      capacity: 5,
      intervalMs: 10_000,
      clock,
      sleep: async (ms) => {
        waits.push(ms);
        clock.advance(ms);
      },
    });
    for (let i = 0; i < 5; i++) await bucket.acquire();
    clock.advance(60_000);
    for (let i = 0; i < 5; i++) await bucket.acquire();
    expect(waits).toEqual([]);
    await bucket.acquire();
    expect(waits).toEqual([2000]);
  });
});
