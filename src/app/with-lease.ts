import { randomUUID } from 'node:crypto';
import { describeError } from '../domain/errors';
import type { Clock } from '../domain/clock';
import type { LeaseStore, Logger } from './ports';

/**
 * How long a run holds its lease:
 * - `whileRunning`: until the work ends (released then, success or failure). `ttlMs` only bounds
 *   how long a holder that died without releasing keeps everyone else out.
 * - `forInterval`: for 90 % of `intervalMs`, so that of the timers every instance sets for the same
 *   interval only the first runs. Timers drift, so not the whole interval: the next interval's
 *   first tick must find it free. A failed run releases it at once, so the next tick can retry.
 */
export type LeaseHold = { whileRunning: { ttlMs: number } } | { forInterval: { intervalMs: number } };

export interface LeaseRun {
  /** The lease's name: one per kind of work ('sync', 'nudge-sweep', …). */
  name: string;
  /**
   * The instance, named in the holder (`${instanceId}/${a new id}`). A run, not an instance, holds
   * a lease, so a second run in the same process (two admins clicking at once, a manual sweep beside
   * the scheduled one) is refused like another instance's, never mistaken for the holder renewing.
   */
  instanceId: string;
  hold: LeaseHold;
}

export type LeaseOutcome<T> = { ran: true; result: T } | { ran: false };

/** What withLease needs: the store, the time, a log for what it does not throw. */
export interface LeaseDeps {
  leases: LeaseStore;
  clock: Clock;
  logger: Logger;
}

/**
 * Run `work` once across instances: only while this run holds the storage lease `run.name`.
 * `{ ran: false }` when another run holds it; the work's own error is thrown as it is. A release
 * that fails is logged, never thrown: the lease expires on its own, and the work's outcome stands.
 */
export async function withLease<T>(deps: LeaseDeps, run: LeaseRun, work: () => Promise<T>): Promise<LeaseOutcome<T>> {
  const ttlMs = 'whileRunning' in run.hold ? run.hold.whileRunning.ttlMs : Math.max(1_000, Math.floor(run.hold.forInterval.intervalMs * 0.9));
  const holder = `${run.instanceId}/${randomUUID()}`;
  if (!(await deps.leases.tryAcquire(run.name, holder, ttlMs, deps.clock.now()))) {
    deps.logger.debug({ lease: run.name }, 'another run holds the lease; skipped');
    return { ran: false };
  }
  const release = () =>
    deps.leases.release(run.name, holder).catch((error: unknown) => {
      deps.logger.warn({ lease: run.name, err: describeError(error) }, 'could not release a lease; it expires on its own');
    });
  let result: T;
  try {
    result = await work();
  } catch (error) {
    await release();
    throw error;
  }
  if ('whileRunning' in run.hold) await release();
  return { ran: true, result };
}
