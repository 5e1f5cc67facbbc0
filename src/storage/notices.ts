import { odata, type TableClient } from '@azure/data-tables';
import type { NoticeLedger } from '../app/ports';
import { ErrorCodes, isAppError } from '../domain/errors';
import { canReclaim, noticeId, type Notice, type NoticeKey, type NoticeKind, type NoticeStatus } from '../domain/notice';
import { EntityReader, compact, type NewEntity, type StoredEntity } from './entity';
import { storageCall, toStorageError } from './errors';
import { toKey } from './keys';

/** PartitionKey = tenantId, RowKey = noticeId(key) = `objectId|kind|episode`. */

const KINDS: readonly NoticeKind[] = ['first', 'welcome'];
const STATUSES: readonly NoticeStatus[] = ['sending', 'sent', 'unreachable'];

export function noticeToEntity(n: Notice, failedAt = n.failedAt): NewEntity {
  return compact({
    partitionKey: toKey(n.tenantId),
    rowKey: toKey(noticeId(n)),
    objectId: n.objectId,
    kind: n.kind,
    episode: n.episode,
    status: n.status,
    claimedAt: n.claimedAt,
    sentAt: n.sentAt,
    activityId: n.activityId,
    reason: n.reason,
    failedAt,
  });
}

export function noticeFromEntity(entity: StoredEntity, table: string): Notice {
  const r = new EntityReader(entity, table);
  return compact({
    tenantId: r.partitionKey,
    objectId: r.string('objectId'),
    kind: r.oneOf('kind', KINDS),
    episode: r.int('episode'),
    status: r.oneOf('status', STATUSES),
    claimedAt: r.date('claimedAt'),
    sentAt: r.optionalDate('sentAt'),
    activityId: r.optionalString('activityId'),
    reason: r.optionalString('reason'),
    failedAt: r.optionalDate('failedAt'),
    etag: r.etag,
  });
}

export function createNoticeLedger(client: TableClient): NoticeLedger {
  const table = client.tableName;
  const keysOf = (key: NoticeKey): { partitionKey: string; rowKey: string } => ({
    partitionKey: toKey(key.tenantId),
    rowKey: toKey(noticeId(key)),
  });

  const read = async (key: NoticeKey, operation: string): Promise<{ notice: Notice; etag: string }> => {
    const ctx = { operation, table, ...keysOf(key) };
    const entity = await storageCall(ctx, () => client.getEntity(ctx.partitionKey, ctx.rowKey));
    return { notice: noticeFromEntity(entity, table), etag: entity.etag };
  };

  /** Replace under the etag we read: a concurrent change surfaces as STORAGE_CONFLICT. */
  const replace = async (next: Notice, etag: string, operation: string, failedAt?: Date): Promise<void> => {
    const entity = noticeToEntity(next, failedAt);
    const ctx = { operation, table, partitionKey: entity.partitionKey, rowKey: entity.rowKey };
    await storageCall(ctx, () => client.updateEntity(entity, 'Replace', { etag }));
  };

  const sending = (key: NoticeKey, at: Date): Notice => ({
    tenantId: key.tenantId,
    objectId: key.objectId,
    kind: key.kind,
    episode: key.episode,
    status: 'sending',
    claimedAt: at,
  });

  return {
    async claim(key, at) {
      const entity = noticeToEntity(sending(key, at));
      const ctx = { operation: 'claimNotice', table, partitionKey: entity.partitionKey, rowKey: entity.rowKey };
      try {
        await storageCall(ctx, () => client.createEntity(entity));
        return 'claimed';
      } catch (error) {
        // Exists: someone claimed it first. Only a failed delivery may be taken over.
        if (!isAppError(error, ErrorCodes.StorageAlreadyExists)) throw error;
      }
      const existing = await read(key, 'readClaimedNotice');
      if (!canReclaim(existing.notice)) return 'taken';
      try {
        await replace(sending(key, at), existing.etag, 'reclaimNotice');
        return 'claimed';
      } catch (error) {
        // Changed since we read it: another instance reclaimed it first.
        if (isAppError(error, ErrorCodes.StorageConflict)) return 'taken';
        throw error;
      }
    },

    // Read-modify-write under the etag: if the notice changed in between (another instance
    // reclaimed it), STORAGE_CONFLICT is thrown rather than overwriting that instance's outcome.
    async markSent(key, at, activityId) {
      const { notice, etag } = await read(key, 'readNotice');
      await replace({ ...notice, status: 'sent', sentAt: at, activityId, reason: undefined }, etag, 'markNoticeSent');
    },

    async markUnreachable(key, reason, at) {
      const { notice, etag } = await read(key, 'readNotice');
      await replace({ ...notice, status: 'unreachable', reason }, etag, 'markNoticeUnreachable', at);
    },

    async list(tenantId) {
      const partitionKey = toKey(tenantId);
      const notices: Notice[] = [];
      try {
        for await (const entity of client.listEntities({ queryOptions: { filter: odata`PartitionKey eq ${partitionKey}` } })) {
          notices.push(noticeFromEntity(entity, table));
        }
      } catch (error) {
        throw toStorageError(error, { operation: 'listNotices', table, partitionKey });
      }
      return notices;
    },
  };
}
