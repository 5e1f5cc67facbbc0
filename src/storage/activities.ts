import { odata, type TableClient, type TransactionAction } from '@azure/data-tables';
import type { ActivityDeduplicator } from '../app/ports';
import { ErrorCodes, isAppError } from '../domain/errors';
import { EntityReader, compact, type NewEntity, type StoredEntity } from './entity';
import { planTransactions, submitTransactions } from './batch';
import { storageCall } from './errors';
import { spreadPartition, toKey } from './keys';

/**
 * PartitionKey = first two hex digits of sha1(activity id) (spreads the load), RowKey = the id.
 * A claim names its owner (the claiming process's boot id) and holds a short lease that the owner
 * renews while the turn runs (a heartbeat). A process that crashed stops renewing, so a redelivery
 * takes its claim over once the lease has run out, seconds later, instead of being told "already
 * done" for work that was never saved. A turn that failed is released at once by its owner.
 * Claims without an owner (written before leases) expire `staleAfterMs` after they were made.
 */

type ActivityStatus = 'processing' | 'done';
const STATUSES: readonly ActivityStatus[] = ['processing', 'done'];

export const DEFAULT_ACTIVITY_STALE_AFTER_MS = 2 * 60_000;
/** An owned claim's lease: renewed every third of it while the turn runs. */
export const DEFAULT_ACTIVITY_LEASE_MS = 15_000;

interface ActivityClaim {
  activityId: string;
  status: ActivityStatus;
  claimedAt: Date;
  completedAt?: Date;
  owner?: string;
  leaseUntil?: Date;
}

export function activityToEntity(a: ActivityClaim): NewEntity {
  return compact({
    partitionKey: spreadPartition(a.activityId),
    rowKey: toKey(a.activityId),
    status: a.status,
    claimedAt: a.claimedAt,
    completedAt: a.completedAt,
    owner: a.owner,
    leaseUntil: a.leaseUntil,
  });
}

export function activityFromEntity(entity: StoredEntity, table: string): ActivityClaim {
  const r = new EntityReader(entity, table);
  return compact({
    activityId: r.rowKey,
    status: r.oneOf('status', STATUSES),
    claimedAt: r.date('claimedAt'),
    completedAt: r.optionalDate('completedAt'),
    owner: r.optionalString('owner'),
    leaseUntil: r.optionalDate('leaseUntil'),
  });
}

export function createActivityDeduplicator(
  client: TableClient,
  options: { staleAfterMs: number; leaseMs?: number } = { staleAfterMs: DEFAULT_ACTIVITY_STALE_AFTER_MS },
): ActivityDeduplicator {
  const leaseMs = options.leaseMs ?? DEFAULT_ACTIVITY_LEASE_MS;
  const expiresAt = (claim: ActivityClaim): number => claim.leaseUntil?.getTime() ?? claim.claimedAt.getTime() + options.staleAfterMs;
  const table = client.tableName;
  const ctx = (operation: string, activityId: string) => ({
    operation,
    table,
    partitionKey: spreadPartition(activityId),
    rowKey: toKey(activityId),
  });

  const read = async (activityId: string): Promise<{ claim: ActivityClaim; etag: string }> => {
    const c = ctx('readActivity', activityId);
    const entity = await storageCall(c, () => client.getEntity(c.partitionKey, c.rowKey));
    return { claim: activityFromEntity(entity, table), etag: entity.etag };
  };

  return {
    leaseMs,

    async claim(activityId, at, owner) {
      const fresh = activityToEntity({ activityId, status: 'processing', claimedAt: at, owner, leaseUntil: owner === undefined ? undefined : new Date(at.getTime() + leaseMs) });
      try {
        await storageCall(ctx('claimActivity', activityId), () => client.createEntity(fresh));
        return 'first';
      } catch (error) {
        if (!isAppError(error, ErrorCodes.StorageAlreadyExists)) throw error;
      }
      const { claim, etag } = await read(activityId);
      if (claim.status === 'done') return 'duplicate';
      if (at.getTime() < expiresAt(claim)) return 'duplicate';
      try {
        await storageCall(ctx('takeOverActivity', activityId), () => client.updateEntity(fresh, 'Replace', { etag }));
        return 'first';
      } catch (error) {
        // Another redelivery took the stale claim over first.
        if (isAppError(error, ErrorCodes.StorageConflict)) return 'duplicate';
        throw error;
      }
    },

    async purgeClaimedBefore(cutoff) {
      // One query over every partition for the keys of old claims, then batch deletes per
      // partition (a transaction holds one partition and at most 100 actions).
      const byPartition = new Map<string, TransactionAction[]>();
      await storageCall({ operation: 'listOldActivities', table }, async () => {
        const entities = client.listEntities({ queryOptions: { filter: odata`claimedAt lt ${cutoff}`, select: ['PartitionKey', 'RowKey'] } });
        for await (const e of entities) {
          const key = { partitionKey: e.partitionKey ?? '', rowKey: e.rowKey ?? '' };
          const list = byPartition.get(key.partitionKey) ?? [];
          list.push(['delete', key]);
          byPartition.set(key.partitionKey, list);
        }
      });
      let purged = 0;
      for (const actions of byPartition.values()) {
        await submitTransactions(client, planTransactions(actions, table), { table, parallelism: 2, idsKey: 'activityIds' });
        purged += actions.length;
      }
      return purged;
    },

    async renew(activityId, owner, at) {
      const { claim, etag } = await read(activityId);
      if (claim.status !== 'processing' || claim.owner !== owner) return false;
      const renewed = activityToEntity({ ...claim, leaseUntil: new Date(at.getTime() + leaseMs) });
      try {
        await storageCall(ctx('renewActivity', activityId), () => client.updateEntity(renewed, 'Replace', { etag }));
        return true;
      } catch (error) {
        if (isAppError(error, ErrorCodes.StorageConflict)) return false; // taken over or completed meanwhile
        throw error;
      }
    },

    async release(activityId, owner) {
      const { claim, etag } = await read(activityId);
      if (claim.status !== 'processing' || claim.owner !== owner) return;
      try {
        await storageCall(ctx('releaseActivity', activityId), () => client.deleteEntity(spreadPartition(activityId), toKey(activityId), { etag }));
      } catch (error) {
        if (!isAppError(error, ErrorCodes.StorageConflict) && !isAppError(error, ErrorCodes.StorageNotFound)) throw error;
      }
    },

    async complete(activityId, at) {
      const { claim, etag } = await read(activityId);
      const done = activityToEntity({ ...claim, status: 'done', completedAt: at });
      await storageCall(ctx('completeActivity', activityId), () => client.updateEntity(done, 'Replace', { etag }));
    },
  };
}
