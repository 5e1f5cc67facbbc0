/**
 * withLease on Azurite with a fixed clock: the two ways a run holds its lease (while it runs; for
 * 90 % of an interval), a failed run freeing it at once, and a second run in the same instance
 * refused like another instance's.
 */
import { withLease } from '../../src/app/with-lease';
import { FixedClock } from '../../src/domain/clock';
import type { Storage } from '../../src/storage';
import { silentLogger } from '../support/silent-logger';
import { newStorage } from '../storage/helpers';

describe('withLease', () => {
  let storage: Storage;
  let clock: FixedClock;
  const deps = () => ({ leases: storage.leases, clock, logger: silentLogger });
  beforeAll(async () => {
    storage = await newStorage();
  });
  beforeEach(() => {
    clock = new FixedClock(new Date('2026-11-23T09:00:00Z'));
  });

  it('when a run holds it while running, then a second run of the same instance meanwhile is refused, and one right after runs', async () => {
    const whileRunning = { whileRunning: { ttlMs: 10 * 60_000 } };
    let inner: Awaited<ReturnType<typeof withLease>> | undefined;
    const outer = await withLease(deps(), { name: 'hold-while', instanceId: 'i1', hold: whileRunning }, async () => {
      inner = await withLease(deps(), { name: 'hold-while', instanceId: 'i1', hold: whileRunning }, async () => 'inner');
      return 'outer';
    });
    expect(outer).toEqual({ ran: true, result: 'outer' });
    expect(inner).toEqual({ ran: false });
    expect(await withLease(deps(), { name: 'hold-while', instanceId: 'i2', hold: whileRunning }, async () => 'after')).toEqual({ ran: true, result: 'after' });
  });

  it('when a run holds it for an interval, then nobody runs again until 90 % of the interval has passed', async () => {
    const forInterval = { forInterval: { intervalMs: 10 * 60_000 } };
    const run = (instanceId: string) => withLease(deps(), { name: 'hold-interval', instanceId, hold: forInterval }, async () => instanceId);
    expect((await run('i1')).ran).toBe(true);
    clock.advance(8 * 60_000);
    expect((await run('i1')).ran).toBe(false);
    expect((await run('i2')).ran).toBe(false);
    clock.advance(60_000 + 1);
    expect(await run('i2')).toEqual({ ran: true, result: 'i2' });
  });

  it('when the work fails, then its error is thrown and the lease is free at once, whichever the hold', async () => {
    for (const hold of [{ whileRunning: { ttlMs: 60_000 } }, { forInterval: { intervalMs: 60_000 } }]) {
      const name = 'whileRunning' in hold ? 'fail-while' : 'fail-interval';
      await expect(withLease(deps(), { name, instanceId: 'i1', hold }, () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
      expect((await withLease(deps(), { name, instanceId: 'i2', hold }, async () => 1)).ran).toBe(true);
    }
  });

  it('when a holder died without releasing, then the lease is taken over once its time is up', async () => {
    expect(await storage.leases.tryAcquire('died', 'dead/run', 5 * 60_000, clock.now())).toBe(true);
    const hold = { whileRunning: { ttlMs: 5 * 60_000 } };
    expect((await withLease(deps(), { name: 'died', instanceId: 'i1', hold }, async () => 1)).ran).toBe(false);
    clock.advance(5 * 60_000 + 1);
    expect((await withLease(deps(), { name: 'died', instanceId: 'i1', hold }, async () => 1)).ran).toBe(true);
  });
});
