import { odata, type TableClient } from '@azure/data-tables';
import { z } from 'zod';
import type { SyncRunStore } from '../app/ports';
import { syncRunId, type SyncOutcome, type SyncRun } from '../domain/sync-run';
import { EntityReader, compact, type NewEntity, type StoredEntity } from './entity';
import { storageCall, toStorageError } from './errors';
import { toKey } from './keys';
import { assertEntityWithinLimits } from './limits';

/**
 * PartitionKey = tenantId, RowKey = SyncRun.id, which starts with the inverted start time
 * (`syncRunId()`), so a partition query returns the newest runs first.
 */

const TRIGGERS: readonly SyncRun['trigger'][] = ['schedule', 'admin', 'startup'];
const OUTCOMES: readonly SyncOutcome[] = [
  'succeeded',
  'mfaRequired',
  'notConnected',
  'throttled',
  'unavailable',
  'badResponse',
  'storageUnavailable',
  'failed',
];

/** Error messages come from remotes; keep them well under a property's 32 K characters. */
const MAX_ERROR_MESSAGE_CHARS = 4_000;

const countsSchema = z.object({
  records: z.number().int(),
  listed: z.number().int(),
  nonCompliant: z.number().int(),
  new: z.number().int(),
  reappeared: z.number().int(),
  resolved: z.number().int(),
});

const integrationsSchema = z.object({
  outcome: z.enum(['succeeded', 'failed']),
  apps: z.number().int().optional(),
  changed: z.number().int().optional(),
  requests: z.number().int().optional(),
  adoptionDays: z.number().int().optional(),
  alerts: z.number().int().optional(),
  errorCode: z.string().optional(),
});

export function syncRunToEntity(run: SyncRun): NewEntity {
  return compact({
    partitionKey: toKey(run.tenantId),
    rowKey: toKey(run.id),
    trigger: run.trigger,
    requestedBy: run.requestedBy,
    correlationId: run.correlationId,
    startedAt: run.startedAt,
    finishedAt: run.finishedAt,
    outcome: run.outcome,
    counts: run.counts === undefined ? undefined : JSON.stringify(run.counts),
    tokenHasMfa: run.tokenHasMfa,
    partnerCenterSaysMfaCompliant: run.partnerCenterSaysMfaCompliant,
    errorCode: run.errorCode,
    errorMessage: run.errorMessage?.slice(0, MAX_ERROR_MESSAGE_CHARS),
    adminsAlerted: run.adminsAlerted,
    integrations: run.integrations === undefined ? undefined : JSON.stringify(run.integrations),
  });
}

export function syncRunFromEntity(entity: StoredEntity, table: string): SyncRun {
  const r = new EntityReader(entity, table);
  return compact({
    id: r.rowKey,
    tenantId: r.partitionKey,
    trigger: r.oneOf('trigger', TRIGGERS),
    requestedBy: r.optionalString('requestedBy'),
    correlationId: r.string('correlationId'),
    startedAt: r.date('startedAt'),
    finishedAt: r.date('finishedAt'),
    outcome: r.oneOf('outcome', OUTCOMES),
    counts: r.optionalJson('counts', countsSchema),
    tokenHasMfa: r.optionalBoolean('tokenHasMfa'),
    partnerCenterSaysMfaCompliant: r.optionalBoolean('partnerCenterSaysMfaCompliant'),
    errorCode: r.optionalString('errorCode'),
    errorMessage: r.optionalString('errorMessage'),
    adminsAlerted: r.optionalInt('adminsAlerted'),
    integrations: r.optionalJson('integrations', integrationsSchema),
  });
}

export function createSyncRunStore(client: TableClient): SyncRunStore {
  const table = client.tableName;
  return {
    async add(run) {
      const entity = syncRunToEntity(run);
      assertEntityWithinLimits(entity, table);
      const ctx = { operation: 'addSyncRun', table, partitionKey: entity.partitionKey, rowKey: entity.rowKey };
      await storageCall(ctx, () => client.createEntity(entity));
    },

    async latest(tenantId, count) {
      if (count <= 0) return [];
      const partitionKey = toKey(tenantId);
      const runs: SyncRun[] = [];
      try {
        const pages = client
          .listEntities({ queryOptions: { filter: odata`PartitionKey eq ${partitionKey}` } })
          .byPage({ maxPageSize: Math.min(count, 1000) });
        // A page may hold fewer entities than asked (service limits): keep reading until enough.
        for await (const page of pages) {
          for (const entity of page) {
            runs.push(syncRunFromEntity(entity, table));
            if (runs.length >= count) return runs;
          }
        }
      } catch (error) {
        throw toStorageError(error, { operation: 'latestSyncRuns', table, partitionKey });
      }
      return runs;
    },

    async since(tenantId, from) {
      const partitionKey = toKey(tenantId);
      // Row keys start with the inverted start time: "started at or after `from`" is a key range.
      const upper = toKey(syncRunId(from, '~'));
      const runs: SyncRun[] = [];
      try {
        const pages = client.listEntities({ queryOptions: { filter: odata`PartitionKey eq ${partitionKey} and RowKey lt ${upper}` } }).byPage({ maxPageSize: 1000 });
        for await (const page of pages) for (const entity of page) runs.push(syncRunFromEntity(entity, table));
      } catch (error) {
        throw toStorageError(error, { operation: 'syncRunsSince', table, partitionKey });
      }
      return runs;
    },
  };
}
