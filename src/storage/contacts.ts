import { odata, type TableClient } from '@azure/data-tables';
import { conversationAddressSchema } from './address-schema';
import type { ContactActivity, ContactStore } from '../app/ports';
import type { UnreachableReason, UserContact } from '../domain/conversation';
import { EntityReader, compact, type NewEntity, type StoredEntity } from './entity';
import { storageCall, toStorageError } from './errors';
import { toKey } from './keys';
import { assertEntityWithinLimits } from './limits';
import { getEntityOrUndefined } from './get-entity';

/**
 * PartitionKey = tenantId, RowKey = aadObjectId. The unreachable mark lives in three properties;
 * since a Merge cannot remove a property, "not unreachable" is stored as unreachableReason = ''
 * (recordActivity writes it on every activity, so every contact has the property and the
 * `ne ''` filter of listUnreachable sees all of them).
 *
 * Writes here are last-writer-wins on purpose (upsert Merge, no etag): the newest activity carries
 * the newest conversation address, and a failed send marks the user unreachable whatever was
 * stored. Two writers racing is harmless: both write facts as observed at that moment.
 */

const REASONS: readonly UnreachableReason[] = ['notInstalled', 'blocked', 'notInRoster', 'conversationGone'];

const addressSchema = conversationAddressSchema;

const CLEARED = '';

export function contactFromEntity(entity: StoredEntity, table: string): UserContact {
  const r = new EntityReader(entity, table);
  const reason = r.clearableString('unreachableReason');
  let unreachable: UserContact['unreachable'];
  if (reason !== undefined) {
    unreachable = compact({
      reason: r.oneOf('unreachableReason', REASONS),
      at: r.date('unreachableAt'),
      detail: r.clearableString('unreachableDetail'),
    });
  }
  return compact({
    tenantId: r.partitionKey,
    aadObjectId: r.rowKey,
    address: r.optionalJson('address', addressSchema),
    timezone: r.optionalString('timezone'),
    locale: r.optionalString('locale'),
    lastActivityAt: r.optionalDate('lastActivityAt'),
    unreachable,
    etag: r.etag,
  });
}

function activityToEntity(c: ContactActivity): NewEntity {
  // timezone/locale are merged only when this activity carried them: an activity without
  // `localTimezone` keeps the last known zone.
  return compact({
    partitionKey: toKey(c.tenantId),
    rowKey: toKey(c.aadObjectId),
    address: JSON.stringify(c.address),
    timezone: c.timezone,
    locale: c.locale,
    lastActivityAt: c.at,
    unreachableReason: CLEARED,
    unreachableDetail: CLEARED,
  });
}

function unreachableToEntity(tenantId: string, aadObjectId: string, reason: UnreachableReason, at: Date, detail?: string): NewEntity {
  return {
    partitionKey: toKey(tenantId),
    rowKey: toKey(aadObjectId),
    unreachableReason: reason,
    unreachableAt: at,
    unreachableDetail: detail ?? CLEARED,
  };
}

export function createContactStore(client: TableClient): ContactStore {
  const table = client.tableName;

  const get = async (tenantId: string, aadObjectId: string): Promise<UserContact | undefined> => {
    const ctx = { operation: 'getContact', table, partitionKey: toKey(tenantId), rowKey: toKey(aadObjectId) };
    const entity = await getEntityOrUndefined(client, ctx);
    return entity && contactFromEntity(entity, table);
  };

  return {
    get,

    async recordActivity(contact) {
      const entity = activityToEntity(contact);
      assertEntityWithinLimits(entity, table);
      const ctx = { operation: 'recordActivity', table, partitionKey: entity.partitionKey, rowKey: entity.rowKey };
      await storageCall(ctx, () => client.upsertEntity(entity, 'Merge'));
    },

    async markUnreachable(tenantId, aadObjectId, reason, at, detail) {
      const entity = unreachableToEntity(tenantId, aadObjectId, reason, at, detail);
      assertEntityWithinLimits(entity, table);
      const ctx = { operation: 'markContactUnreachable', table, partitionKey: entity.partitionKey, rowKey: entity.rowKey };
      await storageCall(ctx, () => client.upsertEntity(entity, 'Merge'));
    },

    async listUnreachable(tenantId) {
      const partitionKey = toKey(tenantId);
      const ctx = { operation: 'listUnreachableContacts', table, partitionKey };
      const contacts: UserContact[] = [];
      try {
        const entities = client.listEntities({
          queryOptions: { filter: odata`PartitionKey eq ${partitionKey} and unreachableReason ne ${CLEARED}` },
        });
        for await (const entity of entities) contacts.push(contactFromEntity(entity, table));
      } catch (error) {
        throw toStorageError(error, ctx);
      }
      return contacts;
    },
  };
}
