import { odata, type TableClient } from '@azure/data-tables';
import { z } from 'zod';
import type { NudgeStore, StoredNudgeState } from '../app/ports';
import type { EscalationRecord, NudgeState, StopReason } from '../domain/nudge';
import { EntityReader, compact, requireEtag, type NewEntity, type StoredEntity } from './entity';
import { storageCall, toStorageError } from './errors';
import { toKey } from './keys';
import { assertEntityWithinLimits } from './limits';
import { getEntityOrUndefined } from './get-entity';

/**
 * PartitionKey = tenantId, RowKey = objectId (both through toKey): one row per user, holding the
 * state of their current episode (a new episode replaces it). Escalations are stored as JSON (at
 * most one record per target, so a few hundred bytes). Writes: create without etag (fails when a
 * row exists), Replace under etag (fails when it changed): a second instance's write surfaces as
 * STORAGE_ALREADY_EXISTS / STORAGE_CONFLICT, never as a silent overwrite.
 */

const STOP_REASONS: readonly StopReason[] = ['compliant', 'exceptionPending', 'exceptionGranted', 'notInTenant', 'blocked'];

const escalationsSchema = z.array(
  z.object({
    step: z.enum(['manager', 'admins']),
    at: z.string().datetime().transform((s) => new Date(s)),
    skipped: z.literal('noManager').optional(),
  }),
);

export function nudgeToEntity(tenantId: string, s: NudgeState): NewEntity {
  return compact({
    partitionKey: toKey(tenantId),
    rowKey: toKey(s.objectId),
    episode: s.episode,
    firstNoticeAt: s.firstNoticeAt,
    remindersSent: s.remindersSent,
    lastReminderAt: s.lastReminderAt,
    snoozedUntil: s.snoozedUntil,
    snoozesUsed: s.snoozesUsed,
    escalations: JSON.stringify(s.escalations.map((e) => compact({ step: e.step, at: e.at.toISOString(), skipped: e.skipped }))),
    stoppedReason: s.stopped?.reason,
    stoppedUntil: s.stopped?.until,
    pausedSince: s.paused?.since,
    resumedAt: s.resumedAt,
  });
}

export function nudgeFromEntity(entity: StoredEntity, table: string): StoredNudgeState {
  const r = new EntityReader(entity, table);
  const reason = r.optionalOneOf('stoppedReason', STOP_REASONS);
  const until = r.optionalDate('stoppedUntil');
  const pausedSince = r.optionalDate('pausedSince');
  const escalations: EscalationRecord[] = (r.optionalJson('escalations', escalationsSchema) ?? []).map((e) => compact({ step: e.step, at: e.at, skipped: e.skipped }));
  return compact({
    objectId: r.rowKey,
    episode: r.int('episode'),
    firstNoticeAt: r.optionalDate('firstNoticeAt'),
    remindersSent: r.int('remindersSent'),
    lastReminderAt: r.optionalDate('lastReminderAt'),
    snoozedUntil: r.optionalDate('snoozedUntil'),
    snoozesUsed: r.int('snoozesUsed'),
    escalations,
    stopped: reason === undefined ? undefined : compact({ reason, until }),
    paused: pausedSince === undefined ? undefined : { since: pausedSince },
    resumedAt: r.optionalDate('resumedAt'),
    etag: r.etag,
  });
}

export function createNudgeStore(client: TableClient): NudgeStore {
  const table = client.tableName;
  return {
    async listAll(tenantId) {
      const partitionKey = toKey(tenantId);
      const states: StoredNudgeState[] = [];
      try {
        const pages = client.listEntities({ queryOptions: { filter: odata`PartitionKey eq ${partitionKey}` } }).byPage({ maxPageSize: 1000 });
        for await (const page of pages) for (const entity of page) states.push(nudgeFromEntity(entity, table));
      } catch (error) {
        throw toStorageError(error, { operation: 'listNudges', table, partitionKey });
      }
      return states;
    },

    async get(tenantId, objectId) {
      const ctx = { operation: 'getNudge', table, partitionKey: toKey(tenantId), rowKey: toKey(objectId) };
      const entity = await getEntityOrUndefined(client, ctx);
      return entity && nudgeFromEntity(entity, table);
    },

    async save(tenantId, state) {
      const entity = nudgeToEntity(tenantId, state);
      assertEntityWithinLimits(entity, table);
      const etag = state.etag;
      const ctx = { operation: etag === undefined ? 'createNudge' : 'replaceNudge', table, partitionKey: entity.partitionKey, rowKey: entity.rowKey };
      const response = await storageCall(ctx, () => (etag === undefined ? client.createEntity(entity) : client.updateEntity(entity, 'Replace', { etag })));
      return { ...state, etag: requireEtag(response.etag, table) };
    },
  };
}
