import { QueueClient, QueueServiceClient, type StoragePipelineOptions } from '@azure/storage-queue';
import type { TableClient } from '@azure/data-tables';
import { z } from 'zod';
import { conversationAddressSchema } from './address-schema';
import type { Outbox, OutboxDelivery, OutboxMessage, OutboxStore } from '../app/ports';
import type { Clock } from '../domain/clock';
import { AppError, ErrorCodes, isAppError } from '../domain/errors';
import { OUTBOX_STATUSES, type OutboxRecord } from '../domain/outbox';
import { assertEndpoint, createTableClient, ensureTable, requireConnectionString, tableName, type ClientSettings } from './client';
import { EntityReader, compact, requireEtag, type NewEntity, type StoredEntity } from './entity';
import { isEntityNotFound, isRestError, storageCall, toStorageError, type StorageContext } from './errors';
import { spreadPartition, toKey } from './keys';
import { TABLE_LIMITS, assertEntityWithinLimits } from './limits';

/**
 * The durable outbox on Azure Storage: a Table row per idempotency key (payload and ledger) and a
 * queue that carries only keys (queue messages are limited to 64 KiB; cards can be bigger).
 *
 * Row: PartitionKey = spreadPartition(key) (no hot partition), RowKey = toKey(key). The message
 * JSON is split over `message0..N` (a string property holds at most 32 K UTF-16 characters).
 *
 * Queue message: a pack of up to 32 keys, base64 of `{"v":2,"keys":[…]}`, or `{"v":1,"key":…}` as
 * queued before packs. Queued with no expiry (-1) so nothing is dropped after the default 7 days.
 * One enqueue of 5,000 messages is 157 queue messages, not 5,000: a 32nd of the queue
 * transactions, and Azurite's queue, whose every call costs time in proportion to the messages it
 * holds, keeps up at Teams' 50/s.
 *
 * The worker still sees one delivery per key. The keys of a pack share its lease: extending it for
 * one extends it for all, and the pack leaves the queue once every key in it is settled (removed,
 * parked, or queued again on its own for a later retry). A key whose delivery died unsettled keeps
 * the pack: it shows again after the visibility timeout, and the ledger drops the keys already done.
 */

export const OUTBOX_TABLE = 'Outbox';
/** Generous for `nudge:<objectId>:<episode>:reminder:2`-like keys; RowKey allows 1 KiB after escaping. */
export const MAX_KEY_CHARS = 256;
const ENQUEUE_PARALLELISM = 16;
/** Keys per queue message: 32 × 256 characters encode to about 11 KiB, well under the 64 KiB a queue message holds. */
export const PACK_KEYS = 32;

export interface OutboxStorageOptions extends ClientSettings {
  /** STORAGE_TABLE_PREFIX: the table is `<prefix>Outbox`, the queues `<prefix>-outbox` and `<prefix>-outbox-poison` (lower case). */
  tablePrefix: string;
  clock: Clock;
}

export interface OutboxStorage {
  outbox: Outbox;
  store: OutboxStore;
  queueName: string;
  poisonQueueName: string;
}

const QUEUE_NAME = /^[a-z0-9](?!.*--)[a-z0-9-]{1,61}[a-z0-9]$/;

export function outboxQueueNames(prefix: string): { queue: string; poison: string } {
  const base = `${prefix.toLowerCase()}-outbox`;
  const names = { queue: base, poison: `${base}-poison` };
  for (const name of Object.values(names)) {
    if (!QUEUE_NAME.test(name)) {
      throw new AppError(ErrorCodes.ConfigInvalid, `STORAGE_TABLE_PREFIX '${prefix}' gives the queue name '${name}', which is not a valid queue name (3-63 lower-case letters, digits and single hyphens)`, {
        expected: false,
        details: { prefix, queue: name },
      });
    }
  }
  return names;
}

const recipientSchema = z.union([
  z.object({ aadObjectId: z.string().min(1) }),
  z.object({
    address: conversationAddressSchema,
  }),
]);
const messageSchema = z.object({ text: z.string(), card: z.record(z.unknown()).optional() });
const keySchema = z.string().min(1).max(MAX_KEY_CHARS);
const queuedSchema = z.union([
  z.object({ v: z.literal(1), key: keySchema }).transform(({ key }) => ({ keys: [key] })),
  z.object({ v: z.literal(2), keys: z.array(keySchema).min(1).max(PACK_KEYS) }),
]);

function keysOf(key: string): { partitionKey: string; rowKey: string } {
  return { partitionKey: spreadPartition(key), rowKey: toKey(key) };
}

export function outboxRecordToEntity(r: OutboxRecord): NewEntity {
  const json = JSON.stringify(r.message);
  const parts: Record<string, string> = {};
  const size = TABLE_LIMITS.maxStringChars;
  const count = Math.max(1, Math.ceil(json.length / size));
  for (let i = 0; i < count; i++) parts[`message${i}`] = json.slice(i * size, (i + 1) * size);
  return compact({
    ...keysOf(r.key),
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

/** A queue message carrying one key (the format before packs; still read). */
export function encodeQueued(key: string): string {
  return Buffer.from(JSON.stringify({ v: 1, key }), 'utf8').toString('base64');
}

/** A queue message carrying up to PACK_KEYS keys. */
export function encodePack(keys: readonly string[]): string {
  if (keys.length === 0 || keys.length > PACK_KEYS) throw new Error(`a pack holds 1-${PACK_KEYS} keys (got ${keys.length})`);
  return Buffer.from(JSON.stringify({ v: 2, keys }), 'utf8').toString('base64');
}

export interface QueuedPack {
  keys: string[];
}

/** The keys in a queue message, or undefined when it is not one of ours. */
export function decodeQueued(text: string): QueuedPack | undefined {
  try {
    const parsed = queuedSchema.safeParse(JSON.parse(Buffer.from(text, 'base64').toString('utf8')));
    return parsed.success ? { keys: parsed.data.keys } : undefined;
  } catch {
    return undefined; // not base64 JSON: unreadable, the worker parks it
  }
}

/** Split keys into packs of at most PACK_KEYS. */
export function packsOf(keys: readonly string[]): string[][] {
  const packs: string[][] = [];
  for (let i = 0; i < keys.length; i += PACK_KEYS) packs.push(keys.slice(i, i + PACK_KEYS));
  return packs;
}

function queueOptions(settings: ClientSettings): StoragePipelineOptions {
  return {
    retryOptions: {
      // The SDK counts the first try.
      maxTries: settings.retryOptions.maxRetries + 1,
      retryDelayInMs: settings.retryOptions.retryDelayInMs,
      maxRetryDelayInMs: settings.retryOptions.maxRetryDelayInMs,
      tryTimeoutInMs: settings.requestTimeoutMs,
    },
  };
}

function createQueueClient(settings: ClientSettings, name: string): QueueClient {
  if (settings.tokenAccess !== undefined) {
    const { queueEndpoint, credential } = settings.tokenAccess;
    assertEndpoint(queueEndpoint, 'AZURE_STORAGE_QUEUE_ENDPOINT', { loopbackHttp: false });
    return new QueueServiceClient(queueEndpoint, credential, queueOptions(settings)).getQueueClient(name);
  }
  const connectionString = requireConnectionString(settings);
  try {
    return QueueServiceClient.fromConnectionString(connectionString, queueOptions(settings)).getQueueClient(name);
  } catch (error) {
    throw new AppError(ErrorCodes.ConfigInvalid, 'AZURE_STORAGE_CONNECTION_STRING is not a valid storage connection string (queue endpoint)', {
      expected: false,
      cause: error,
    });
  }
}

/** Seconds, 1 s to 7 days (the service's bounds for a visibility timeout). */
function visibilitySeconds(ms: number): number {
  return Math.min(7 * 24 * 3600, Math.max(1, Math.ceil(ms / 1000)));
}

/**
 * A call on a received message. A pop receipt that no longer matches (400 PopReceiptMismatch:
 * the visibility ran out and another worker received the message) is a lost lease, STORAGE_CONFLICT,
 * like a 404 (deleted meanwhile) is STORAGE_NOT_FOUND.
 */
async function queueCall<T>(ctx: StorageContext, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    const details: unknown = isRestError(error) ? error.details : undefined;
    const code = typeof details === 'object' && details !== null ? (details as Record<string, unknown>)['errorCode'] : undefined;
    if (isRestError(error) && error.statusCode === 400 && code === 'PopReceiptMismatch') {
      throw new AppError(ErrorCodes.StorageConflict, `Storage ${ctx.operation} on queue ${ctx.table}: the message is held by another worker now`, { cause: error, status: 400, details: { ...ctx } });
    }
    throw toStorageError(error, ctx);
  }
}

async function pool<T>(items: readonly T[], parallelism: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const run = async (): Promise<void> => {
    while (next < items.length) {
      const item = items[next++] as T;
      await work(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(parallelism, items.length) }, run));
}

/** Create the table and both queues when missing, and return the outbox (producers) and its store (the worker). */
export async function createOutboxStorage(opts: OutboxStorageOptions): Promise<OutboxStorage> {
  const names = outboxQueueNames(opts.tablePrefix);
  const table = createTableClient(opts, tableName(opts.tablePrefix, OUTBOX_TABLE));
  const queue = createQueueClient(opts, names.queue);
  const poison = createQueueClient(opts, names.poison);
  await ensureTable(table);
  for (const q of [queue, poison]) {
    await storageCall({ operation: 'createQueue', table: q.name }, () => q.createIfNotExists());
  }
  return { outbox: createOutbox(table, queue, opts.clock), store: createStore(table, queue, poison), queueName: names.queue, poisonQueueName: names.poison };
}

/** The ledger row of a key, or undefined when there is none. */
async function readRecord(table: TableClient, key: string): Promise<OutboxRecord | undefined> {
  const ctx = { operation: 'readOutbox', table: table.tableName, ...keysOf(key) };
  try {
    return outboxRecordFromEntity(await storageCall(ctx, () => table.getEntity(ctx.partitionKey, ctx.rowKey)), table.tableName);
  } catch (error) {
    if (isEntityNotFound(error)) return undefined;
    throw error;
  }
}

function createOutbox(table: TableClient, queue: QueueClient, clock: Clock): Outbox {
  const send = (keys: readonly string[]) =>
    storageCall({ operation: 'enqueueKeys', table: queue.name, rowKey: keys[0] }, () => queue.sendMessage(encodePack(keys), { messageTimeToLive: -1 }));

  return {
    async enqueue(messages) {
      const at = clock.now();
      // Validate everything before the first write: a bad message fails the call, not half of it.
      const entities = messages.map((m: OutboxMessage) => {
        if (m.key.length === 0 || m.key.length > MAX_KEY_CHARS) {
          throw new AppError(ErrorCodes.InputInvalid, `Outbox key must have 1-${MAX_KEY_CHARS} characters (got ${m.key.length})`, { details: { kind: m.kind } });
        }
        const entity = outboxRecordToEntity({ ...m, status: 'pending', attempts: 0, enqueuedAt: at });
        assertEntityWithinLimits(entity, table.tableName);
        return { key: m.key, entity };
      });
      // Every record first, then the keys in packs: a record without its key on the queue (a stop
      // in between) is still pending, and the caller's next enqueue queues it.
      const toQueue = new Set<string>();
      await pool(entities, ENQUEUE_PARALLELISM, async ({ key, entity }) => {
        const ctx = { operation: 'createOutboxRecord', table: table.tableName, partitionKey: entity.partitionKey, rowKey: entity.rowKey };
        try {
          await storageCall(ctx, () => table.createEntity(entity));
        } catch (error) {
          if (!isAppError(error, ErrorCodes.StorageAlreadyExists)) throw error;
          // Known key. Still pending: an earlier enqueue may have stopped before queueing it. Any
          // other state: a worker has it or it is done; a second delivery must not happen.
          const existing = await readRecord(table, key);
          if (existing?.status !== 'pending') return;
        }
        toQueue.add(key);
      });
      const keys = entities.map((e) => e.key).filter((key) => toQueue.has(key));
      await pool(packsOf([...new Set(keys)]), ENQUEUE_PARALLELISM, (pack) => send(pack).then(() => undefined));
    },
  };
}

/**
 * A received queue message and the keys of it not yet settled. Calls on it run one after another:
 * each visibility change gives a new pop receipt that the next call needs.
 */
interface Pack {
  messageId: string;
  popReceipt: string;
  keys: number;
  open: Set<string>;
  /** Until when the queue hides it, as far as this worker knows. */
  visibleUntil: number;
  chain: Promise<unknown>;
}

function createStore(table: TableClient, queue: QueueClient, poison: QueueClient): OutboxStore {
  const tableName = table.tableName;
  const qctx = (operation: string, d?: OutboxDelivery) => ({ operation, table: queue.name, rowKey: d?.key ?? d?.messageId });
  const packs = new WeakMap<OutboxDelivery, Pack>();

  const packOf = (d: OutboxDelivery): Pack => {
    const pack = packs.get(d);
    if (!pack) throw new Error('OutboxStore: a delivery this store did not receive');
    return pack;
  };

  /** Run a queue call on the pack after the ones before it; the pop receipt is read when it runs. */
  const onPack = <T>(pack: Pack, op: () => Promise<T>): Promise<T> => {
    const next = pack.chain.then(op);
    pack.chain = next.catch(() => undefined);
    return next;
  };

  const setVisibility = async (pack: Pack, operation: string, d: OutboxDelivery, ms: number): Promise<void> => {
    // Counted from the request, not the answer: the queue may have started the timeout any time in between.
    const asked = Date.now();
    const response = await queueCall(qctx(operation, d), () => queue.updateMessage(pack.messageId, pack.popReceipt, undefined, visibilitySeconds(ms)));
    if (response.popReceipt) pack.popReceipt = response.popReceipt;
    pack.visibleUntil = asked + visibilitySeconds(ms) * 1000;
  };

  /** The key is done with this queue message; the last one out deletes it. */
  const settle = (pack: Pack, d: OutboxDelivery, operation: string): Promise<void> =>
    onPack(pack, async () => {
      if (d.key !== undefined) pack.open.delete(d.key);
      else pack.open.clear();
      if (pack.open.size > 0) return;
      await queueCall(qctx(operation, d), () => queue.deleteMessage(pack.messageId, pack.popReceipt));
    });

  return {
    async receive(max, visibilityTimeoutMs) {
      const asked = Date.now();
      const response = await storageCall(qctx('receiveOutbox'), () =>
        queue.receiveMessages({ numberOfMessages: Math.min(32, Math.max(1, Math.floor(max / PACK_KEYS))), visibilityTimeout: visibilitySeconds(visibilityTimeoutMs) }),
      );
      const deliveries: OutboxDelivery[] = [];
      for (const m of response.receivedMessageItems) {
        const decoded = decodeQueued(m.messageText);
        const keys = decoded ? [...new Set(decoded.keys)] : [undefined];
        const pack: Pack = {
          messageId: m.messageId,
          popReceipt: m.popReceipt,
          keys: keys.length,
          open: new Set(keys.filter((k): k is string => k !== undefined)),
          visibleUntil: asked + visibilitySeconds(visibilityTimeoutMs) * 1000,
          chain: Promise.resolve(),
        };
        for (const key of keys) {
          const d: OutboxDelivery = {
            messageId: m.messageId,
            dequeueCount: m.dequeueCount,
            raw: key === undefined || keys.length === 1 ? m.messageText : encodePack([key]),
            key,
          };
          packs.set(d, pack);
          deliveries.push(d);
        }
      }
      return deliveries;
    },

    async remove(d) {
      await settle(packOf(d), d, 'removeOutbox');
    },

    async extend(d, visibilityTimeoutMs) {
      const pack = packOf(d);
      await onPack(pack, async () => {
        // Another key of the pack extended it a moment ago: once is enough for all of them.
        if (pack.open.size === 0 || pack.visibleUntil - Date.now() > visibilityTimeoutMs / 2) return;
        await setVisibility(pack, 'extendOutbox', d, visibilityTimeoutMs);
      });
    },

    async retryLater(d, delayMs) {
      const pack = packOf(d);
      if (pack.keys === 1) {
        // Alone in its message: show the message again later (its dequeue count goes on).
        await onPack(pack, () => setVisibility(pack, 'retryOutbox', d, delayMs));
        return;
      }
      // Queue the key on its own, hidden for the delay (its attempts are in the ledger), then let go of the pack.
      await storageCall(qctx('retryOutbox', d), () => queue.sendMessage(d.raw, { messageTimeToLive: -1, visibilityTimeout: visibilitySeconds(delayMs) }));
      await settle(pack, d, 'removeRetriedOutbox');
    },

    async park(d) {
      await storageCall(qctx('parkOutbox', d), () => poison.sendMessage(d.raw, { messageTimeToLive: -1 }));
      await settle(packOf(d), d, 'removeParkedOutbox');
    },

    get: (key) => readRecord(table, key),

    async save(record) {
      if (record.etag === undefined) throw new Error('OutboxStore.save needs the etag of the record it read');
      const entity = outboxRecordToEntity(record);
      const ctx = { operation: 'saveOutbox', table: tableName, partitionKey: entity.partitionKey, rowKey: entity.rowKey };
      const etag = record.etag;
      const response = await storageCall(ctx, () => table.updateEntity(entity, 'Replace', { etag }));
      return { ...record, etag: requireEtag(response.etag, tableName) };
    },
  };
}
