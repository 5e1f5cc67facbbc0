import type { TableClient } from '@azure/data-tables';
import type { QueueClient } from '@azure/storage-queue';
import type { OutboxDelivery, OutboxStore } from '../../app/ports';
import { requireEtag } from '../entity';
import { storageCall } from '../errors';
import { outboxRecordToEntity, readOutboxRecord } from './entity';
import { PACK_KEYS, decodeQueued, encodePack } from './queue-codec';
import { queueCall, visibilitySeconds } from './queues';

/**
 * The consumer side, for the worker: one delivery per key. The keys of a pack share its lease:
 * extending it for one extends it for all, and the pack leaves the queue once every key in it is
 * settled (removed, parked, or queued again on its own for a later retry). A key whose delivery
 * died unsettled keeps the pack: it shows again after the visibility timeout, and the ledger drops
 * the keys already done.
 */

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

export function createOutboxConsumer(table: TableClient, queue: QueueClient, poison: QueueClient): OutboxStore {
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

    get: (key) => readOutboxRecord(table, key),

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
