import type { ActivityDeduplicator, LeaseStore, Logger } from '../app/ports';
import { withLease } from '../app/with-lease';
import type { Clock } from '../domain/clock';

/** Teams redelivers an activity within minutes; a day of claims is plenty to recognise one. */
export const ACTIVITY_CLAIMS_KEPT_MS = 24 * 60 * 60_000;
const LEASE = 'activity-cleanup';
const LEASE_TTL_MS = 30 * 60_000;

/**
 * Keeps the activity-deduplication table from growing forever: deletes claims older than a day.
 * One run at a time across instances (a lease), so they do not race to delete the same rows.
 */
export function createActivityCleanup(deps: {
  activities: Pick<ActivityDeduplicator, 'purgeClaimedBefore'>;
  leases: LeaseStore;
  clock: Clock;
  logger: Logger;
  instanceId: string;
}) {
  return async function cleanUpActivityClaims(): Promise<number> {
    const outcome = await withLease(deps, { name: LEASE, instanceId: deps.instanceId, hold: { whileRunning: { ttlMs: LEASE_TTL_MS } } }, async () => {
      const purged = await deps.activities.purgeClaimedBefore(new Date(deps.clock.now().getTime() - ACTIVITY_CLAIMS_KEPT_MS));
      deps.logger.info({ purged }, 'old activity claims deleted');
      return purged;
    });
    return outcome.ran ? outcome.result : 0;
  };
}
