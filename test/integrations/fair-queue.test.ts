import { createTokenBucket } from '../../src/integrations/graph';
import { FixedClock } from '../../src/domain/clock';
import { ErrorCodes, isAppError } from '../../src/domain/errors';

/** Graph's check queue: one user's many checks wait their turn behind everyone else's first one. */
function setup(options: { maxQueuedPerKey?: number; maxQueued?: number } = {}) {
  const clock = new FixedClock('2025-01-01T00:00:00Z');
  const bucket = createTokenBucket({
    capacity: 1,
    intervalMs: 1_000,
    clock,
    sleep: async (ms) => {
      clock.advance(ms);
    },
    ...options,
  });
  return { clock, bucket };
}

describe('the Graph check queue', () => {
  it('when one user queues three checks and another user one, then the other user is served second, not fourth', async () => {
    const { bucket } = setup();
    await bucket.acquire('greedy'); // the burst token
    const order: string[] = [];
    const waits = [
      bucket.acquire('greedy').then(() => order.push('greedy-1')),
      bucket.acquire('greedy').then(() => order.push('greedy-2')),
      bucket.acquire('greedy').then(() => order.push('greedy-3')),
      bucket.acquire('patient').then(() => order.push('patient-1')),
    ];
    await Promise.all(waits);
    expect(order).toEqual(['greedy-1', 'patient-1', 'greedy-2', 'greedy-3']);
  });

  it('when a user already has the most checks waiting, then another is refused at once with BUSY and the seconds to wait; others still get in', async () => {
    const { bucket } = setup({ maxQueuedPerKey: 2 });
    await bucket.acquire('greedy');
    const queued = [bucket.acquire('greedy'), bucket.acquire('greedy')];
    const refusal = await bucket.acquire('greedy').catch((error: unknown) => error);

    expect(isAppError(refusal, ErrorCodes.Busy)).toBe(true);
    expect((refusal as { retryAfterSeconds?: number }).retryAfterSeconds).toBe(2);
    expect((refusal as Error).message).toMatch(/try again in 2 s/i);
    await expect(Promise.all([...queued, bucket.acquire('other')])).resolves.toHaveLength(3);
  });

  it('when the whole queue is full, then every new check is refused with BUSY until it drains', async () => {
    const { bucket } = setup({ maxQueued: 3 });
    await bucket.acquire('a');
    const queued = [bucket.acquire('a'), bucket.acquire('b'), bucket.acquire('c')];
    const refusal = await bucket.acquire('d').catch((error: unknown) => error);
    expect(isAppError(refusal, ErrorCodes.Busy)).toBe(true);
    expect((refusal as { retryAfterSeconds?: number }).retryAfterSeconds).toBe(3);
    await Promise.all(queued);
    await expect(bucket.acquire('d')).resolves.toBeUndefined();
  });
});
