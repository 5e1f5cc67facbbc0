import { odata, type TableClient, type TransactionAction } from '@azure/data-tables';
import type { ExceptionStore } from '../app/ports';
import { AppError, ErrorCodes, isAppError } from '../domain/errors';
import type { AuditEntry, ExceptionRequest } from '../domain/exception';
import { canonicalId } from '../domain/principal';
import { planTransactions } from './batch';
import { requireEtag, type StoredEntity } from './entity';
import { isEntityNotFound, storageCall, toStorageError, toTransactionError, type StorageContext } from './errors';
import {
  AFTER_SEPARATOR,
  AUDIT_PREFIX,
  REQUEST_ROW,
  auditFromEntity,
  auditToEntity,
  cardFromEntity,
  cardRoundPrefix,
  cardToEntity,
  FOLLOW_UP_PREFIX,
  followUpFromEntity,
  followUpToEntity,
  requestFromEntity,
  slotPartition,
  slotRowKey,
  requestPartition,
  requestToEntity,
} from './exception-entities';
import { assertEntityWithinLimits } from './limits';
import { getEntityOrUndefined } from './get-entity';

/**
 * ExceptionStore on one table; the row layout is in exception-entities.ts. A state change is one
 * batch transaction in the request's partition: Replace of the request under its etag + create of
 * the audit row. Azure applies a transaction atomically, so a stale etag (412) fails both and no
 * audit row is written. Audit rows are only ever created: nothing here updates or deletes them.
 */

function byTimeThenKey(a: { at: Date; key: string }, b: { at: Date; key: string }): number {
  return a.at.getTime() - b.at.getTime() || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);
}

function requireRequestEtag(request: ExceptionRequest, operation: string): string {
  if (request.etag === undefined || request.etag === '') {
    throw new Error(`ExceptionStore.${operation}(${request.id}): the request has no etag; read it first (create() stores a new one)`);
  }
  return request.etag;
}

export function createExceptionStore(client: TableClient): ExceptionStore {
  const table = client.tableName;

  /**
   * Submit the actions of one partition as ONE transaction and return the etag of the first
   * action's entity (the request row).
   * Limits are checked before any call (planTransactions: entity limits; more than one planned
   * transaction means over the batch limit). `mapError` turns the failure into an AppError.
   */
  const submitAtomic = async (
    actions: TransactionAction[],
    ctx: StorageContext,
    mapError: (error: unknown) => unknown,
  ): Promise<string> => {
    const planned = planTransactions(actions, table);
    if (planned.length !== 1) {
      const bytes = planned.reduce((sum, tx) => sum + tx.estimatedBytes, 0);
      throw new AppError(ErrorCodes.StorageLimit, `Storage ${ctx.operation} on table ${table}: the change does not fit in one transaction (about ${bytes} bytes)`, {
        expected: false,
        details: { operation: ctx.operation, table, partitionKey: ctx.partitionKey, bytes },
      });
    }
    let response;
    try {
      response = await client.submitTransaction(actions);
    } catch (error) {
      throw mapError(error);
    }
    const failed = response.subResponses.find((r) => r.status >= 300);
    if (failed !== undefined) throw new Error(`Storage ${ctx.operation}: a transaction action for row '${failed.rowKey ?? '?'}' failed with status ${failed.status}`);
    // Sub-responses come in action order; the request row is always the first action (an update's
    // sub-response carries no RowKey, so getResponseForEntity cannot find it).
    return requireEtag(response.subResponses[0]?.etag?.trim(), table);
  };

  const query = async <T>(operation: string, filter: string, map: (e: StoredEntity) => T): Promise<T[]> => {
    const out: T[] = [];
    try {
      for await (const page of client.listEntities({ queryOptions: { filter } }).byPage({ maxPageSize: 1000 })) {
        for (const entity of page) out.push(map(entity));
      }
    } catch (error) {
      throw toStorageError(error, { operation, table });
    }
    return out;
  };

  const auditRange = (partitionKey?: string): string =>
    partitionKey === undefined
      ? odata`RowKey ge ${AUDIT_PREFIX} and RowKey lt ${`audit${AFTER_SEPARATOR}`}`
      : odata`PartitionKey eq ${partitionKey} and RowKey ge ${AUDIT_PREFIX} and RowKey lt ${`audit${AFTER_SEPARATOR}`}`;

  const sortedAudit = (rows: { entry: AuditEntry; key: string }[]): AuditEntry[] =>
    rows
      .map((row) => ({ ...row, at: row.entry.at }))
      .sort(byTimeThenKey)
      .map((row) => row.entry);

  const sortedRequests = (requests: ExceptionRequest[]): ExceptionRequest[] =>
    requests
      .map((request) => ({ request, at: request.createdAt, key: request.id }))
      .sort(byTimeThenKey)
      .map((row) => row.request);

  return {
    async create(request, audit) {
      const entity = requestToEntity(request);
      const ctx = { operation: 'createExceptionRequest', table, partitionKey: entity.partitionKey, rowKey: REQUEST_ROW };
      if (audit === undefined) {
        assertEntityWithinLimits(entity, table);
        const response = await storageCall(ctx, () => client.createEntity(entity));
        return { ...request, etag: requireEtag(response.etag, table) };
      }
      if (audit.requestId !== request.id) throw new Error(`ExceptionStore.create: audit entry of ${audit.requestId} given with request ${request.id}`);
      // Both are creates: a 409 can only be the request row (audit RowKeys are unique), so it is
      // STORAGE_ALREADY_EXISTS rather than the batch's generic STORAGE_CONFLICT.
      const etag = await submitAtomic([['create', entity], ['create', auditToEntity(audit)]], ctx, (error) => toStorageError(error, ctx));
      return { ...request, etag };
    },

    async get(id) {
      const ctx = { operation: 'getExceptionRequest', table, partitionKey: requestPartition(id), rowKey: REQUEST_ROW };
      const entity = await getEntityOrUndefined(client, ctx);
      return entity && requestFromEntity(entity, table);
    },

    async apply(next, audit, followUp) {
      const etag = requireRequestEtag(next, 'apply');
      if (audit.requestId !== next.id) throw new Error(`ExceptionStore.apply: audit entry of ${audit.requestId} given with request ${next.id}`);
      const entity = requestToEntity(next);
      const ctx = { operation: 'applyExceptionChange', table, partitionKey: entity.partitionKey, rowKey: REQUEST_ROW };
      const actions: TransactionAction[] = [
        ['update', entity, 'Replace', { etag }],
        ['create', auditToEntity(audit)],
        ...(followUp ? [['create', followUpToEntity(next, followUp)] as TransactionAction] : []),
      ];
      const newEtag = await submitAtomic(actions, ctx, (error) =>
        toTransactionError(error, ctx, { ids: [next.id], idsKey: 'requestIds', index: 0, count: 1 }),
      );
      return { ...next, etag: newEtag };
    },

    async touch(next) {
      const etag = requireRequestEtag(next, 'touch');
      const entity = requestToEntity(next);
      assertEntityWithinLimits(entity, table);
      const ctx = { operation: 'touchExceptionRequest', table, partitionKey: entity.partitionKey, rowKey: REQUEST_ROW };
      const response = await storageCall(ctx, () => client.updateEntity(entity, 'Replace', { etag }));
      return { ...next, etag: requireEtag(response.etag, table) };
    },

    async listByRequester(requesterId) {
      const filter = odata`RowKey eq ${REQUEST_ROW} and requesterKey eq ${canonicalId(requesterId)}`;
      return sortedRequests(await query('listExceptionRequestsByRequester', filter, (e) => requestFromEntity(e, table)));
    },

    async listAll() {
      return sortedRequests(await query('listExceptionRequests', odata`RowKey eq ${REQUEST_ROW}`, (e) => requestFromEntity(e, table)));
    },

    async history(id) {
      const rows = await query('listExceptionHistory', auditRange(requestPartition(id)), (e) => ({
        entry: auditFromEntity(e, table),
        key: e.rowKey ?? '',
      }));
      return sortedAudit(rows);
    },

    async listAudit() {
      const rows = await query('listExceptionAudit', auditRange(), (e) => ({
        entry: auditFromEntity(e, table),
        key: `${e.partitionKey ?? ''}\u0000${e.rowKey ?? ''}`,
      }));
      return sortedAudit(rows);
    },

    async addApprovalCard(ref) {
      const entity = cardToEntity(ref);
      assertEntityWithinLimits(entity, table);
      const ctx = { operation: 'addApprovalCard', table, partitionKey: entity.partitionKey, rowKey: entity.rowKey };
      try {
        await storageCall(ctx, () => client.createEntity(entity));
      } catch (error) {
        // Already remembered (a retried post): idempotent.
        if (!isAppError(error, ErrorCodes.StorageAlreadyExists)) throw error;
      }
    },

    async listApprovalCards(requestId, round) {
      const prefix = cardRoundPrefix(round);
      const end = `${prefix.slice(0, -1)}${AFTER_SEPARATOR}`;
      const filter = odata`PartitionKey eq ${requestPartition(requestId)} and RowKey ge ${prefix} and RowKey lt ${end}`;
      return query('listApprovalCards', filter, (e) => cardFromEntity(e, table));
    },

    async listFollowUps(requestId) {
      const end = `${FOLLOW_UP_PREFIX.slice(0, -1)}${AFTER_SEPARATOR}`;
      const filter =
        requestId === undefined
          ? odata`RowKey ge ${FOLLOW_UP_PREFIX} and RowKey lt ${end}`
          : odata`PartitionKey eq ${requestPartition(requestId)} and RowKey ge ${FOLLOW_UP_PREFIX} and RowKey lt ${end}`;
      const rows = await query('listExceptionFollowUps', filter, (e) => followUpFromEntity(e, table));
      return rows.sort((a, b) => a.at.getTime() - b.at.getTime() || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    },

    async deleteFollowUp(followUp) {
      const ctx = { operation: 'deleteExceptionFollowUp', table, partitionKey: requestPartition(followUp.request.id), rowKey: followUp.id };
      try {
        await storageCall(ctx, () => client.deleteEntity(ctx.partitionKey, ctx.rowKey));
      } catch (error) {
        if (!isEntityNotFound(error)) throw error; // done already (another instance, a repeat)
      }
    },

    async claimRequestSlot(requesterId, slot, id) {
      const ctx = { operation: 'claimExceptionRequestSlot', table, partitionKey: slotPartition(requesterId), rowKey: slotRowKey(slot) };
      try {
        await storageCall(ctx, () => client.createEntity({ partitionKey: ctx.partitionKey, rowKey: ctx.rowKey, requestId: id }));
        return id;
      } catch (error) {
        if (!isAppError(error, ErrorCodes.StorageAlreadyExists)) throw error;
        const held = await storageCall(ctx, () => client.getEntity<{ requestId?: unknown }>(ctx.partitionKey, ctx.rowKey));
        if (typeof held.requestId !== 'string' || held.requestId === '') throw new Error(`Stored entity ${table}(${ctx.partitionKey}, ${ctx.rowKey}) has no requestId`);
        return held.requestId;
      }
    },
  };
}
