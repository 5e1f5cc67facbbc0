import type { TableClient } from '@azure/data-tables';
import { z } from 'zod';
import { OUTBOX_STATUSES, type OutboxRecord } from '../../domain/outbox';
import { conversationAddressSchema } from '../address-schema';
import { EntityReader, compact, type NewEntity, type StoredEntity } from '../entity';
import { spreadPartition, toKey } from '../keys';
import { TABLE_LIMITS } from '../limits';
import { getEntityOrUndefined } from '../get-entity';

/**
 * The ledger row of a key. PartitionKey = spreadPartition(key) (no hot partition), RowKey =
 * toKey(key). The message JSON is split over `message0..N` (a string property holds at most 32 K
 * UTF-16 characters).
 */

export const OUTBOX_TABLE = 'Outbox';

const recipientSchema = z.union([
  z.object({ aadObjectId: z.string().min(1) }),
  z.object({
    address: conversationAddressSchema,
  }),
]);
const messageSchema = z.object({ text: z.string(), card: z.record(z.unknown()).optional() });

export function outboxKeysOf(key: string): { partitionKey: string; rowKey: string } {
  return { partitionKey: spreadPartition(key), rowKey: toKey(key) };
}

export function outboxRecordToEntity(r: OutboxRecord): NewEntity {
  const json = JSON.stringify(r.message);
  const parts: Record<string, string> = {};
  const size = TABLE_LIMITS.maxStringChars;
  const count = Math.max(1, Math.ceil(json.length / size));
  for (let i = 0; i < count; i++) parts[`message${i}`] = json.slice(i * size, (i + 1) * size);
  return compact({
    ...outboxKeysOf(r.key),
    key: r.key,
    tenantId: r.tenantId,
    kind: r.kind,
    to: JSON.stringify(r.to),
    messageParts: count,
    ...parts,
    status: r.status,
    attempts: r.attempts,
    enqueuedAt: r.enqueuedAt,
    claimedAt: r.claimedAt,
    claimedBy: r.claimedBy,
    sentAt: r.sentAt,
    activityId: r.activityId,
    finishedAt: r.finishedAt,
    lastErrorCode: r.lastErrorCode,
    lastError: r.lastError?.slice(0, 1_000),
  });
}

export function outboxRecordFromEntity(entity: StoredEntity, table: string): OutboxRecord {
  const r = new EntityReader(entity, table);
  const parts = r.int('messageParts');
  let json = '';
  for (let i = 0; i < parts; i++) json += r.string(`message${i}`);
  const message = new EntityReader({ ...entity, message: json }, table).optionalJson('message', messageSchema);
  const to = r.optionalJson('to', recipientSchema);
  if (message === undefined || to === undefined) throw new Error(`Stored entity ${table}(${entity.partitionKey}, ${entity.rowKey}) has no message or recipient`);
  return compact({
    key: r.string('key'),
    tenantId: r.string('tenantId'),
    kind: r.string('kind'),
    to,
    message,
    status: r.oneOf('status', OUTBOX_STATUSES),
    attempts: r.int('attempts'),
    enqueuedAt: r.date('enqueuedAt'),
    claimedAt: r.optionalDate('claimedAt'),
    claimedBy: r.optionalString('claimedBy'),
    sentAt: r.optionalDate('sentAt'),
    activityId: r.optionalString('activityId'),
    finishedAt: r.optionalDate('finishedAt'),
    lastErrorCode: r.optionalString('lastErrorCode'),
    lastError: r.optionalString('lastError'),
    etag: r.etag,
  });
}

/** The ledger row of a key, or undefined when there is none. */
export async function readOutboxRecord(table: TableClient, key: string): Promise<OutboxRecord | undefined> {
  const ctx = { operation: 'readOutbox', table: table.tableName, ...outboxKeysOf(key) };
  const entity = await getEntityOrUndefined(table, ctx);
  return entity && outboxRecordFromEntity(entity, table.tableName);
}
