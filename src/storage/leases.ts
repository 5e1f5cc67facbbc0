import type { TableClient } from '@azure/data-tables';
import type { LeaseStore } from '../app/ports';
import { ErrorCodes, isAppError } from '../domain/errors';
import { EntityReader, type NewEntity, type StoredEntity } from './entity';
import { isEntityNotFound, storageCall } from './errors';
import { toKey } from './keys';
import { getEntityOrUndefined } from './get-entity';

/**
 * PartitionKey = 'lease', RowKey = the lease name. A lease is held by `holder` until `expiresAt`.
 * Acquire: create; or, when it expired or we already hold it (renewal), replace it under the etag
 * we read. Release: delete under that etag, only while it is still ours.
 */

const PARTITION = 'lease';
/** Create / read / replace can race with a release or another acquirer; a few rounds settle it. */
const MAX_ROUNDS = 3;

interface Lease {
  name: string;
  holder: string;
  acquiredAt: Date;
  expiresAt: Date;
}

export function leaseToEntity(l: Lease): NewEntity {
  return { partitionKey: PARTITION, rowKey: toKey(l.name), holder: l.holder, acquiredAt: l.acquiredAt, expiresAt: l.expiresAt };
}

export function leaseFromEntity(entity: StoredEntity, table: string): Lease {
  const r = new EntityReader(entity, table);
  return { name: r.rowKey, holder: r.string('holder'), acquiredAt: r.date('acquiredAt'), expiresAt: r.date('expiresAt') };
}

export function createLeaseStore(client: TableClient): LeaseStore {
  const table = client.tableName;
  const ctx = (operation: string, name: string) => ({ operation, table, partitionKey: PARTITION, rowKey: toKey(name) });

  /** The lease as stored, or undefined when there is none. */
  const read = async (name: string): Promise<{ lease: Lease; etag: string } | undefined> => {
    const c = ctx('readLease', name);
    const entity = await getEntityOrUndefined(client, { ...c, partitionKey: PARTITION });
    return entity && { lease: leaseFromEntity(entity, table), etag: entity.etag };
  };

  return {
    async tryAcquire(name, holder, ttlMs, at) {
      const expiresAt = new Date(at.getTime() + ttlMs);
      for (let round = 0; round < MAX_ROUNDS; round += 1) {
        try {
          const fresh = leaseToEntity({ name, holder, acquiredAt: at, expiresAt });
          await storageCall(ctx('createLease', name), () => client.createEntity(fresh));
          return true;
        } catch (error) {
          if (!isAppError(error, ErrorCodes.StorageAlreadyExists)) throw error;
        }
        const current = await read(name);
        if (current === undefined) continue; // released between our create and read: try again
        const { lease, etag } = current;
        const ours = lease.holder === holder;
        if (!ours && lease.expiresAt.getTime() > at.getTime()) return false;
        const next = leaseToEntity({ name, holder, acquiredAt: ours ? lease.acquiredAt : at, expiresAt });
        try {
          await storageCall(ctx(ours ? 'renewLease' : 'takeOverLease', name), () => client.updateEntity(next, 'Replace', { etag }));
          return true;
        } catch (error) {
          // 412: another instance renewed or took it between our read and write; 404: released.
          if (isAppError(error, ErrorCodes.StorageConflict)) return false;
          if (isEntityNotFound(error)) continue;
          throw error;
        }
      }
      return false;
    },

    async release(name, holder) {
      const current = await read(name);
      if (current === undefined || current.lease.holder !== holder) return; // not ours (any more)
      try {
        await storageCall(ctx('releaseLease', name), () => client.deleteEntity(PARTITION, toKey(name), { etag: current.etag }));
      } catch (error) {
        // 412: it expired and another instance took it; 404: gone already. Either way not ours to delete.
        if (isAppError(error, ErrorCodes.StorageConflict) || isEntityNotFound(error)) return;
        throw error;
      }
    },
  };
}
