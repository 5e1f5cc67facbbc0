import type { Outbox, OutboxStore } from '../../app/ports';
import type { Clock } from '../../domain/clock';
import { createTableClient, ensureTable, tableName, type ClientSettings } from '../client';
import { storageCall } from '../errors';
import { createOutboxConsumer } from './consumer';
import { OUTBOX_TABLE } from './entity';
import { createOutboxProducer } from './producer';
import { createQueueClient, outboxQueueNames } from './queues';

/**
 * The durable outbox on Azure Storage: a Table row per idempotency key (payload and ledger, see
 * entity.ts) and a queue that carries only keys, in packs (queue-codec.ts). The producer writes
 * rows then queues their keys (producer.ts); the worker receives one delivery per key and settles
 * it (consumer.ts).
 */

export { OUTBOX_TABLE, outboxRecordFromEntity, outboxRecordToEntity } from './entity';
export { MAX_KEY_CHARS, PACK_KEYS, decodeQueued, encodePack, encodeQueued, packsOf, type QueuedPack } from './queue-codec';
export { outboxQueueNames } from './queues';

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
  return {
    outbox: createOutboxProducer(table, queue, opts.clock),
    store: createOutboxConsumer(table, queue, poison),
    queueName: names.queue,
    poisonQueueName: names.poison,
  };
}
