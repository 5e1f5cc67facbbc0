import { odata, type TableClient } from '@azure/data-tables';
import type { NoticeLedger } from '../app/ports';
import { ErrorCodes, isAppError } from '../domain/errors';
import { canReclaim, noticeId, type Notice, type NoticeKey, type NoticeKind, type NoticeStatus } from '../domain/notice';
import { EntityReader, compact, type NewEntity, type StoredEntity } from './entity';
import { storageCall, toStorageError } from './errors';
import { getEntityOrUndefined } from './get-entity';
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
    attempt: n.attempt,
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
    attempt: r.optionalInt('attempt') ?? 1,
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

  const sending = (key: NoticeKey, at: Date, attempt: number): Notice => ({
    tenantId: key.tenantId,
    objectId: key.objectId,
    kind: key.kind,
    episode: key.episode,
    status: 'sending',
    attempt,
    claimedAt: at,
  });

  /** The outcome of one attempt: a report about an older attempt (a late callback) changes nothing. */
  const settle = async (key: NoticeKey, attempt: number | undefined, operation: string, next: (n: Notice) => Notice, failedAt?: Date): Promise<boolean> => {
    const { notice, etag } = await read(key, 'readNotice');
    if (attempt !== undefined && notice.attempt !== attempt) return false;
    await replace(next(notice), etag, operation, failedAt);
    return true;
  };

  return {
    async claim(key, at) {
      const entity = noticeToEntity(sending(key, at, 1));
      const ctx = { operation: 'claimNotice', table, partitionKey: entity.partitionKey, rowKey: entity.rowKey };
      try {
        await storageCall(ctx, () => client.createEntity(entity));
        return { claimed: true, attempt: 1 };
      } catch (error) {
        // Exists: someone claimed it first. Only a failed delivery may be taken over.
        if (!isAppError(error, ErrorCodes.StorageAlreadyExists)) throw error;
      }
      const existing = await read(key, 'readClaimedNotice');
      if (!canReclaim(existing.notice)) return { claimed: false, notice: existing.notice };
      const attempt = existing.notice.attempt + 1;
      try {
        await replace(sending(key, at, attempt), existing.etag, 'reclaimNotice');
        return { claimed: true, attempt };
      } catch (error) {
        // Changed since we read it: another instance reclaimed it first.
        if (isAppError(error, ErrorCodes.StorageConflict)) return { claimed: false, notice: existing.notice };
        throw error;
      }
    },

    // Read-modify-write under the etag: if the notice changed in between (another instance
    // reclaimed it), STORAGE_CONFLICT is thrown rather than overwriting that instance's outcome.
    markSent(key, at, activityId, attempt) {
      return settle(key, attempt, 'markNoticeSent', (notice) => ({ ...notice, status: 'sent', sentAt: at, activityId, reason: undefined }));
    },

    markUnreachable(key, reason, at, attempt) {
      return settle(key, attempt, 'markNoticeUnreachable', (notice) => ({ ...notice, status: 'unreachable', reason }), at);
    },

    async get(key) {
      const entity = await getEntityOrUndefined(client, { operation: 'getNotice', table, ...keysOf(key) });
      return entity ? noticeFromEntity(entity, table) : undefined;
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
