import type { LeaseStore, Logger } from '../app/ports';
import type { Clock } from '../domain/clock';

/**
 * A sweep that every instance schedules but that runs once per interval across all of them. The
 * first instance to take the storage lease runs it and keeps the lease until shortly before the
 * next run is due, so the other instances' timers in the same interval find it taken. A failed run
 * releases the lease at once, so another instance (or the next tick) can try again.
 */
export function exclusivePerInterval<T>(deps: {
  name: string;
  intervalMs: number;
  leases: LeaseStore;
  clock: Clock;
  logger: Logger;
  instanceId: string;
  run: () => Promise<T>;
}): () => Promise<{ ran: true; result: T } | { ran: false }> {
  // Held for 90 % of the interval: timers of instances drift, and a slightly early tick of the
  // same instance must still find the lease free.
  const ttlMs = Math.max(1_000, Math.floor(deps.intervalMs * 0.9));
  return async () => {
    const holder = `${deps.instanceId}/${deps.name}`;
    if (!(await deps.leases.tryAcquire(deps.name, holder, ttlMs, deps.clock.now()))) {
      deps.logger.debug({ job: deps.name }, 'another instance runs this interval');
      return { ran: false };
    }
    try {
      return { ran: true, result: await deps.run() };
    } catch (error) {
      await deps.leases.release(deps.name, holder).catch(() => undefined);
      throw error;
    }
  };
}
