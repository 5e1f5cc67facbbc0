import { odata, type TableClient } from '@azure/data-tables';
import type { ExclusionStore } from '../app/ports';
import type { Exclusion } from '../domain/exclusion';
import { EntityReader, compact, requireEtag, type NewEntity, type StoredEntity } from './entity';
import { isEntityNotFound, storageCall, toStorageError } from './errors';
import { toKey } from './keys';
import { assertEntityWithinLimits } from './limits';

/** PartitionKey = tenantId, RowKey = objectId: one exclusion per account (the latest); ETag on every change. */

export function exclusionToEntity(e: Exclusion): NewEntity {
  return compact({
    partitionKey: toKey(e.tenantId),
    rowKey: toKey(e.objectId),
    reason: e.reason,
    until: e.until,
    by: e.by,
    at: e.at,
    endedAt: e.endedAt,
    endedBy: e.endedBy,
  });
}

export function exclusionFromEntity(entity: StoredEntity, table: string): Exclusion {
  const r = new EntityReader(entity, table);
  return compact({
    tenantId: r.partitionKey,
    objectId: r.rowKey,
    reason: r.string('reason'),
    until: r.date('until'),
    by: r.string('by'),
    at: r.date('at'),
    endedAt: r.optionalDate('endedAt'),
    endedBy: r.optionalString('endedBy'),
    etag: r.etag,
  });
}

export function createExclusionStore(client: TableClient): ExclusionStore {
  const table = client.tableName;
  return {
    async listAll(tenantId) {
      const partitionKey = toKey(tenantId);
      const out: Exclusion[] = [];
      try {
        const pages = client.listEntities({ queryOptions: { filter: odata`PartitionKey eq ${partitionKey}` } }).byPage({ maxPageSize: 1000 });
        for await (const page of pages) for (const entity of page) out.push(exclusionFromEntity(entity, table));
      } catch (error) {
        throw toStorageError(error, { operation: 'listExclusions', table, partitionKey });
      }
      return out;
    },

    async get(tenantId, objectId) {
      const ctx = { operation: 'getExclusion', table, partitionKey: toKey(tenantId), rowKey: toKey(objectId) };
      try {
        return exclusionFromEntity(await storageCall(ctx, () => client.getEntity(ctx.partitionKey, ctx.rowKey)), table);
      } catch (error) {
        if (isEntityNotFound(error)) return undefined;
        throw error;
      }
    },

    async save(exclusion) {
      const entity = exclusionToEntity(exclusion);
      assertEntityWithinLimits(entity, table);
      const etag = exclusion.etag;
      const ctx = { operation: etag === undefined ? 'createExclusion' : 'replaceExclusion', table, partitionKey: entity.partitionKey, rowKey: entity.rowKey };
      const response = await storageCall(ctx, () => (etag === undefined ? client.createEntity(entity) : client.updateEntity(entity, 'Replace', { etag })));
      return { ...exclusion, etag: requireEtag(response.etag, table) };
    },
  };
}
