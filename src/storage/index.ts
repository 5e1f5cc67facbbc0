import { odata, type TableClient } from '@azure/data-tables';
import type {
  ActivityDeduplicator,
  ContactStore,
  ExceptionStore,
  LeaseStore,
  NoticeLedger,
  NudgeStore,
  PrincipalStore,
  SecretStore,
  SettingsStore,
  SyncRunStore,
  UsedLinkStore,
  AdminAuditStore,
  ExclusionStore,
} from '../app/ports';
import { createAdminAuditStore } from './admin-audit';
import { createExclusionStore } from './exclusions';
import { createActivityDeduplicator, DEFAULT_ACTIVITY_STALE_AFTER_MS } from './activities';
import type { TransactionObserver } from './batch';
import {
  createTableClient,
  DEFAULT_REQUEST_TIMEOUT_MS,
  DEFAULT_RETRY_OPTIONS,
  ensureTable,
  tableName,
  type StorageRetryOptions,
  type StorageTokenAccess,
} from './client';
import { createContactStore } from './contacts';
import { storageCall } from './errors';
import { createExceptionStore } from './exceptions';
import { createLeaseStore } from './leases';
import { createNoticeLedger } from './notices';
import { createNudgeStore } from './nudges';
import { OUTBOX_TABLE } from './outbox';
import { createPrincipalStore } from './principals';
import { createKeyRing } from './secret-cipher';
import { createUsedLinkStore } from './used-links';
import { createSecretStore } from './secrets';
import { createSettingsStore } from './settings';
import { createSyncRunStore } from './sync-runs';

export { toKey, fromKey } from './keys';
export { planTransactions, submitTransactions, DEFAULT_BATCH_LIMITS } from './batch';
export type { TransactionObserver, TransactionReport, PlannedTransaction, BatchLimits } from './batch';
export { DEFAULT_RETRY_OPTIONS, DEFAULT_REQUEST_TIMEOUT_MS, createTableClient, tableName } from './client';
export type { StorageRetryOptions, StorageTokenAccess } from './client';
export { createOutboxStorage, outboxQueueNames } from './outbox';
export type { OutboxStorage, OutboxStorageOptions } from './outbox';

/** Table names after the prefix. */
export const TABLES = {
  principals: 'Principals',
  contacts: 'Contacts',
  notices: 'Notices',
  syncRuns: 'SyncRuns',
  secrets: 'Secrets',
  activities: 'Activities',
  leases: 'Leases',
  exceptions: 'Exceptions',
  nudges: 'Nudges',
  settings: 'Settings',
  usedLinks: 'UsedLinks',
  adminAudit: 'AdminAudit',
  exclusions: 'Exclusions',
  /** The outbox's ledger and payloads (created by createOutboxStorage, with its queues). */
  outbox: OUTBOX_TABLE,
} as const;

export type TableKey = keyof typeof TABLES;

export interface Storage {
  principals: PrincipalStore;
  contacts: ContactStore;
  notices: NoticeLedger;
  syncRuns: SyncRunStore;
  secrets: SecretStore;
  activities: ActivityDeduplicator;
  leases: LeaseStore;
  exceptions: ExceptionStore;
  nudges: NudgeStore;
  settings: SettingsStore;
  /** Single-use download links: the nonces already used. */
  usedLinks: UsedLinkStore;
  adminAudit: AdminAuditStore;
  exclusions: ExclusionStore;
  /** One cheap request proving storage is reachable and our tables exist (for /readyz). */
  ping(): Promise<void>;
}

export interface StorageOptions {
  /** Azurite or an account key; or else `tokenAccess` (managed identity). */
  connectionString?: string;
  tokenAccess?: StorageTokenAccess;
  /** Letters and digits, starting with a letter (STORAGE_TABLE_PREFIX). */
  tablePrefix: string;
  /** 32 bytes (TOKEN_ENCRYPTION_KEY) for SecretStore: seals new values, opens old ones. */
  encryptionKey: Buffer;
  /** Retired keys (TOKEN_ENCRYPTION_KEYS_PREVIOUS): they still open what they sealed, never seal. */
  previousEncryptionKeys?: readonly Buffer[];
  /** The SDK's retries of 5xx, 408 and network errors. Default: 3 retries, 200 ms growing to 2 s. */
  retryOptions?: Partial<StorageRetryOptions>;
  /** Deadline per storage call, retries included. Default 30 s. */
  requestTimeoutMs?: number;
  /** Batch transactions in flight at once in PrincipalStore.saveMany. Default 4. */
  batchParallelism?: number;
  /** After each batch transaction (benchmarks, tests). */
  onTransaction?: TransactionObserver;
  /** An activity claim older than this may be taken over by a redelivery. Default 2 minutes. */
  activityStaleAfterMs?: number;
}

/**
 * Connect to Table storage, create the tables that are missing, and return the stores.
 * Fails with CONFIG_INVALID (bad prefix, key or endpoint) or STORAGE_* (unreachable, …).
 */
export async function createStorage(opts: StorageOptions): Promise<Storage> {
  const keyRing = createKeyRing(opts.encryptionKey, opts.previousEncryptionKeys);
  const settings = {
    connectionString: opts.connectionString,
    tokenAccess: opts.tokenAccess,
    retryOptions: { ...DEFAULT_RETRY_OPTIONS, ...opts.retryOptions },
    requestTimeoutMs: opts.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS,
  };
  const clients = {} as Record<TableKey, TableClient>;
  for (const key of Object.keys(TABLES) as TableKey[]) {
    clients[key] = createTableClient(settings, tableName(opts.tablePrefix, TABLES[key]));
  }
  await Promise.all(Object.values(clients).map((client) => ensureTable(client)));

  const pingClient = clients.leases;
  return {
    principals: createPrincipalStore(clients.principals, {
      batchParallelism: opts.batchParallelism ?? 4,
      onTransaction: opts.onTransaction,
    }),
    contacts: createContactStore(clients.contacts),
    notices: createNoticeLedger(clients.notices),
    syncRuns: createSyncRunStore(clients.syncRuns),
    secrets: createSecretStore(clients.secrets, keyRing),
    activities: createActivityDeduplicator(clients.activities, {
      staleAfterMs: opts.activityStaleAfterMs ?? DEFAULT_ACTIVITY_STALE_AFTER_MS,
    }),
    leases: createLeaseStore(clients.leases),
    exceptions: createExceptionStore(clients.exceptions),
    nudges: createNudgeStore(clients.nudges),
    settings: createSettingsStore(clients.settings),
    usedLinks: createUsedLinkStore(clients.usedLinks),
    adminAudit: createAdminAuditStore(clients.adminAudit),
    exclusions: createExclusionStore(clients.exclusions),
    async ping() {
      // A query for one entity of a partition nobody writes: one round trip, proves the account
      // answers, the credentials work and the table exists.
      await storageCall({ operation: 'ping', table: pingClient.tableName }, async () => {
        const pages = pingClient.listEntities({ queryOptions: { filter: odata`PartitionKey eq ${'ping'}` } }).byPage({ maxPageSize: 1 });
        await pages.next();
      });
    },
  };
}
