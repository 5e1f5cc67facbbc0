import { odata, type TableClient } from '@azure/data-tables';
import type { AdminAuditStore } from '../app/ports';
import { ADMIN_ACTIONS, adminAuditRowKey, type AdminAuditEntry, type AuditChannel } from '../domain/admin-audit';
import { EntityReader, compact, type NewEntity, type StoredEntity } from './entity';
import { storageCall, toStorageError } from './errors';
import { toKey } from './keys';
import { assertEntityWithinLimits } from './limits';

/**
 * PartitionKey = tenantId, RowKey = inverted time + id (newest first). Append-only: the store has
 * no update and no delete, and every write is a create (a second write of the same entry fails).
 */

const CHANNELS: readonly AuditChannel[] = ['chat', 'tab', 'link'];
const MAX_TEXT = 2_000;

export function adminAuditToEntity(entry: AdminAuditEntry): NewEntity {
  return compact({
    partitionKey: toKey(entry.tenantId),
    rowKey: toKey(adminAuditRowKey(entry.at, entry.id)),
    entryId: entry.id,
    at: entry.at,
    actorId: entry.actorId,
    action: entry.action,
    channel: entry.channel,
    target: entry.target?.slice(0, MAX_TEXT),
    from: entry.from?.slice(0, MAX_TEXT),
    to: entry.to?.slice(0, MAX_TEXT),
    correlationId: entry.correlationId,
    note: entry.note?.slice(0, MAX_TEXT),
  });
}

export function adminAuditFromEntity(entity: StoredEntity, table: string): AdminAuditEntry {
  const r = new EntityReader(entity, table);
  return compact({
    id: r.string('entryId'),
    tenantId: r.partitionKey,
    at: r.date('at'),
    actorId: r.string('actorId'),
    action: r.oneOf('action', ADMIN_ACTIONS),
    channel: r.oneOf('channel', CHANNELS),
    target: r.optionalString('target'),
    from: r.optionalString('from'),
    to: r.optionalString('to'),
    correlationId: r.string('correlationId'),
    note: r.optionalString('note'),
  });
}

export function createAdminAuditStore(client: TableClient): AdminAuditStore {
  const table = client.tableName;
  return {
    async append(entry) {
      const entity = adminAuditToEntity(entry);
      assertEntityWithinLimits(entity, table);
      await storageCall({ operation: 'appendAdminAudit', table, partitionKey: entity.partitionKey, rowKey: entity.rowKey }, () => client.createEntity(entity));
    },

    async list(tenantId, options) {
      const partitionKey = toKey(tenantId);
      // Newest first; "since" bounds the row key (inverted time) from above.
      const filter =
        options.since === undefined
          ? odata`PartitionKey eq ${partitionKey}`
          : odata`PartitionKey eq ${partitionKey} and RowKey lt ${toKey(adminAuditRowKey(new Date(options.since.getTime() - 1), ''))}`;
      const entries: AdminAuditEntry[] = [];
      try {
        const pages = client.listEntities({ queryOptions: { filter } }).byPage({ maxPageSize: Math.min(options.limit, 1000) });
        for await (const page of pages) {
          for (const entity of page) {
            entries.push(adminAuditFromEntity(entity, table));
            if (entries.length >= options.limit) return entries;
          }
        }
      } catch (error) {
        throw toStorageError(error, { operation: 'listAdminAudit', table, partitionKey });
      }
      return entries;
    },
  };
}
