import type { TableClient } from '@azure/data-tables';
import type { QueueClient } from '@azure/storage-queue';
import type { Outbox, OutboxMessage } from '../../app/ports';
import type { Clock } from '../../domain/clock';
import { AppError, ErrorCodes, isAppError } from '../../domain/errors';
import { storageCall } from '../errors';
import { assertEntityWithinLimits } from '../limits';
import { outboxRecordToEntity, readOutboxRecord } from './entity';
import { MAX_KEY_CHARS, encodePack, packsOf } from './queue-codec';

/**
 * The producer side: a ledger row per message, then its key on the queue in packs. Queued with no
 * expiry (-1) so nothing is dropped after the default 7 days. One enqueue of 5,000 messages is 157
 * queue messages, not 5,000: a 32nd of the queue transactions, and Azurite's queue, whose every
 * call costs time in proportion to the messages it holds, keeps up at Teams' 50/s.
 */

const ENQUEUE_PARALLELISM = 16;

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

export function createOutboxProducer(table: TableClient, queue: QueueClient, clock: Clock): Outbox {
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
          const existing = await readOutboxRecord(table, key);
          if (existing?.status !== 'pending') return;
        }
        toQueue.add(key);
      });
      const keys = entities.map((e) => e.key).filter((key) => toQueue.has(key));
      await pool(packsOf([...new Set(keys)]), ENQUEUE_PARALLELISM, (pack) => send(pack).then(() => undefined));
    },
  };
}
