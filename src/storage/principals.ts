import { odata, type TableClient, type TransactionAction } from '@azure/data-tables';
import { z } from 'zod';
import type { PrincipalStore } from '../app/ports';
import type { ComplianceStatus, Principal, Resolution, Verification } from '../domain/compliance';
import { planTransactions, submitTransactions, type PlannedTransaction, type TransactionObserver } from './batch';
import { EntityReader, compact, requireEtag, type NewEntity, type StoredEntity } from './entity';
import { storageCall, toStorageError } from './errors';
import { toKey } from './keys';
import { assertEntityWithinLimits } from './limits';
import { getEntityOrUndefined } from './get-entity';

/** PartitionKey = tenantId, RowKey = objectId (both through toKey). */

const STATUSES: readonly ComplianceStatus[] = ['nonCompliant', 'verificationPending', 'compliant'];
const RESOLUTIONS: readonly Resolution[] = ['verified', 'notListed'];

const instant = z.string().datetime().transform((s) => new Date(s));
const signInFindingSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('mfaPerformed'), at: instant, app: z.string(), method: z.string().optional() }),
  z.object({ kind: z.literal('mfaFromToken'), at: instant, app: z.string() }),
  z.object({ kind: z.literal('mfaFromProvider'), at: instant, app: z.string() }),
  z.object({ kind: z.literal('singleFactor'), count: z.number().int(), lastAt: instant, apps: z.array(z.string()), lastMfaAt: instant.optional() }),
  z.object({ kind: z.literal('noSignIns'), since: instant }),
  z.object({ kind: z.literal('unavailable'), errorCode: z.string() }),
]);
const verificationSchema = z.object({
  checkedAt: instant,
  outcome: z.enum(['registered', 'notRegistered', 'unavailable']),
  source: z.enum(['registrationDetails', 'authenticationMethods', 'none']),
  methods: z.array(z.string()),
  errorCode: z.string().optional(),
  signIns: signInFindingSchema.optional(),
  federatedDomain: z.string().optional(),
});

/** The properties the mapping reads (listAll selects only these). */
const SELECT = [
  'partitionKey',
  'rowKey',
  'upn',
  'status',
  'firstDetectedAt',
  'episode',
  'episodeStartedAt',
  'recordCount',
  'firstNonMfaAt',
  'lastNonMfaAt',
  'mfaRegisteredAt',
  'lastVerification',
  'resolvedAt',
  'resolution',
];

export function principalToEntity(p: Principal): NewEntity {
  const verification: Verification | undefined = p.lastVerification;
  return compact({
    partitionKey: toKey(p.tenantId),
    rowKey: toKey(p.objectId),
    upn: p.upn,
    status: p.status,
    firstDetectedAt: p.firstDetectedAt,
    episode: p.episode,
    episodeStartedAt: p.episodeStartedAt,
    recordCount: p.recordCount,
    firstNonMfaAt: p.firstNonMfaAt,
    lastNonMfaAt: p.lastNonMfaAt,
    mfaRegisteredAt: p.mfaRegisteredAt,
    lastVerification:
      verification === undefined ? undefined : JSON.stringify({ ...verification, checkedAt: verification.checkedAt.toISOString() }),
    resolvedAt: p.resolvedAt,
    resolution: p.resolution,
  });
}

export function principalFromEntity(entity: StoredEntity, table: string): Principal {
  const r = new EntityReader(entity, table);
  return compact({
    tenantId: r.partitionKey,
    objectId: r.rowKey,
    upn: r.string('upn'),
    status: r.oneOf('status', STATUSES),
    firstDetectedAt: r.date('firstDetectedAt'),
    episode: r.int('episode'),
    episodeStartedAt: r.date('episodeStartedAt'),
    recordCount: r.int('recordCount'),
    firstNonMfaAt: r.date('firstNonMfaAt'),
    lastNonMfaAt: r.date('lastNonMfaAt'),
    mfaRegisteredAt: r.optionalDate('mfaRegisteredAt'),
    lastVerification: r.optionalJson('lastVerification', verificationSchema),
    resolvedAt: r.optionalDate('resolvedAt'),
    resolution: r.optionalOneOf('resolution', RESOLUTIONS),
    etag: r.etag,
  });
}

function toAction(p: Principal): TransactionAction {
  const entity = principalToEntity(p);
  return p.etag === undefined ? ['create', entity] : ['update', entity, 'Replace', { etag: p.etag }];
}

export interface PrincipalStoreOptions {
  /** Transactions in flight at once in saveMany. */
  batchParallelism: number;
  onTransaction?: TransactionObserver;
}

export function createPrincipalStore(client: TableClient, options: PrincipalStoreOptions): PrincipalStore {
  const table = client.tableName;

  return {
    async listAll(tenantId) {
      const partitionKey = toKey(tenantId);
      const ctx = { operation: 'listPrincipals', table, partitionKey };
      const principals: Principal[] = [];
      try {
        const pages = client
          .listEntities({ queryOptions: { filter: odata`PartitionKey eq ${partitionKey}`, select: SELECT } })
          .byPage({ maxPageSize: 1000 });
        for await (const page of pages) {
          for (const entity of page) principals.push(principalFromEntity(entity, table));
        }
      } catch (error) {
        throw toStorageError(error, ctx);
      }
      return principals;
    },

    async get(tenantId, objectId) {
      const ctx = { operation: 'getPrincipal', table, partitionKey: toKey(tenantId), rowKey: toKey(objectId) };
      const entity = await getEntityOrUndefined(client, ctx);
      return entity && principalFromEntity(entity, table);
    },

    async save(principal) {
      const entity = principalToEntity(principal);
      assertEntityWithinLimits(entity, table);
      const ctx = { operation: principal.etag === undefined ? 'createPrincipal' : 'replacePrincipal', table, partitionKey: entity.partitionKey, rowKey: entity.rowKey };
      const etag = principal.etag;
      const response = await storageCall(ctx, () =>
        etag === undefined ? client.createEntity(entity) : client.updateEntity(entity, 'Replace', { etag }),
      );
      return { ...principal, etag: requireEtag(response.etag, table) };
    },

    async saveMany(principals) {
      // One partition per transaction: group by tenant, keeping each tenant's order.
      const byTenant = new Map<string, TransactionAction[]>();
      for (const p of principals) {
        const actions = byTenant.get(p.tenantId) ?? [];
        actions.push(toAction(p));
        byTenant.set(p.tenantId, actions);
      }
      const transactions: PlannedTransaction[] = [];
      for (const actions of byTenant.values()) transactions.push(...planTransactions(actions, table));
      await submitTransactions(client, transactions, {
        table,
        parallelism: options.batchParallelism,
        idsKey: 'objectIds',
        onTransaction: options.onTransaction,
      });
    },
  };
}
