import { randomBytes } from 'node:crypto';
import { createOutboxWorker, type OutboxWorker, type OutboxWorkerDeps, type OutboxWorkerOptions } from '../../src/app/outbox';
import type { Graph, Logger, Messenger, Outbox, OutboxMessage, OutboxStore } from '../../src/app/ports';
import { createTeamsAdapter } from '../../src/bot/adapter';
import { createTeamsMessenger } from '../../src/bot/teams-messenger';
import type { ConversationAddress } from '../../src/domain/conversation';
import { AppError, ErrorCodes } from '../../src/domain/errors';
import { createLogger } from '../../src/logging';
import { createOutboxStorage, createStorage, DEFAULT_RETRY_OPTIONS, type Storage, type StorageRetryOptions } from '../../src/storage';
import { systemClock } from '../../src/system-clock';

/**
 * The outbox as production wires it (real storage on Azurite, the real Teams Messenger over HTTP
 * to a LocalConnector), for the outbox tests, the crash test's child and the benchmark.
 */

export const OUTBOX_TENANT = 'tenant-outbox-0001';

export interface OutboxRigOptions {
  connectionString: string;
  tablePrefix: string;
  /** The LocalConnector's URL: every user's chat lives there. */
  connectorUrl: string;
  worker?: Partial<OutboxWorkerOptions>;
  storageRetry?: Partial<StorageRetryOptions>;
  requestTimeoutMs?: number;
  appCatalogId?: string;
  graph?: Pick<Graph, 'installAppForUser'>;
  logger?: Logger;
  callbacks?: Pick<OutboxWorkerDeps, 'onParked' | 'onUndeliverable' | 'onSent'>;
}

export interface OutboxRig {
  storage: Storage;
  outbox: Outbox;
  store: OutboxStore;
  messenger: Messenger;
  queueName: string;
  poisonQueueName: string;
  /** A worker on the queue; the second and later ones behave as other instances (own Messenger and pacer). */
  newWorker(options?: Partial<OutboxWorkerOptions>, callbacks?: OutboxRigOptions['callbacks']): OutboxWorker;
}

export const conversationOf = (userId: string): string => `a:conv-${userId}`;
export const textFor = (key: string): string => `outbox message ${key}`;

export function addressOf(connectorUrl: string, userId: string, tenantId = OUTBOX_TENANT): ConversationAddress {
  return {
    channelId: 'msteams',
    serviceUrl: connectorUrl,
    conversationId: conversationOf(userId),
    tenantId,
    userId: `29:${userId}`,
    aadObjectId: userId,
    botId: 'mfa-shepherd',
  };
}

/** A message to a user, its text naming its key (how the connector tells deliveries apart). */
export function messageTo(userId: string, key = `test:${userId}`): OutboxMessage {
  return { key, tenantId: OUTBOX_TENANT, to: { aadObjectId: userId }, kind: 'test.message', message: { text: textFor(key) } };
}

export function userIds(count: number, prefix = 'user'): string[] {
  return Array.from({ length: count }, (_, i) => `${prefix}-${String(i).padStart(5, '0')}`);
}

/** Record a chat with the bot for each user (as their first activity would). */
export async function seedContacts(storage: Storage, connectorUrl: string, users: readonly string[], parallelism = 16): Promise<void> {
  let next = 0;
  const work = async (): Promise<void> => {
    while (next < users.length) {
      const user = users[next++]!;
      await storage.contacts.recordActivity({ tenantId: OUTBOX_TENANT, aadObjectId: user, address: addressOf(connectorUrl, user), at: new Date() });
    }
  };
  await Promise.all(Array.from({ length: parallelism }, work));
}

const noInstall: Pick<Graph, 'installAppForUser'> = {
  installAppForUser: () => Promise.reject(new AppError(ErrorCodes.GraphForbidden, 'not configured in this rig')),
};

export async function startOutboxRig(o: OutboxRigOptions): Promise<OutboxRig> {
  const logger = o.logger ?? createLogger({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });
  const retryOptions = { ...DEFAULT_RETRY_OPTIONS, ...o.storageRetry };
  const requestTimeoutMs = o.requestTimeoutMs ?? 8_000;
  const storage = await createStorage({ connectionString: o.connectionString, tablePrefix: o.tablePrefix, encryptionKey: randomBytes(32), retryOptions, requestTimeoutMs });
  const outboxStorage = await createOutboxStorage({ connectionString: o.connectionString, tablePrefix: o.tablePrefix, retryOptions, requestTimeoutMs, clock: systemClock });
  // One Messenger (and so one pacer) per instance, as composeMfaShepherd has.
  const newMessenger = (): Messenger =>
    createTeamsMessenger({
      adapter: createTeamsAdapter({ bot: { type: 'MultiTenant' } }),
      botAppId: '',
      serviceUrl: o.connectorUrl,
      logger,
    });
  const messenger = newMessenger();
  let workers = 0;
  const newWorker = (options: Partial<OutboxWorkerOptions> = {}, callbacks = o.callbacks): OutboxWorker =>
    createOutboxWorker({
      store: outboxStorage.store,
      contacts: storage.contacts,
      // The first worker shares the rig's Messenger; each further one is another instance.
      messenger: workers++ === 0 ? messenger : newMessenger(),
      graph: o.graph ?? noInstall,
      appCatalogId: o.appCatalogId,
      clock: systemClock,
      logger,
      options: { ...o.worker, ...options },
      ...callbacks,
    });
  return { storage, outbox: outboxStorage.outbox, store: outboxStorage.store, messenger, queueName: outboxStorage.queueName, poisonQueueName: outboxStorage.poisonQueueName, newWorker };
}
