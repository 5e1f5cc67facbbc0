import { randomUUID } from 'node:crypto';
import type { TokenCredential } from '@azure/identity';
import { BackgroundTasks } from './app/background';
import { createCommandLimits, type CommandRule, type LimitedCommand } from './app/command-limits';
import { createAdminNotifier } from './app/admin-notifier';
import { createConnectPartnerCenter } from './app/connect-partner-center';
import { createNudgeActions } from './app/nudge-actions';
import { createNudgeSweep } from './app/nudge-sweep';
import { graphCheckUnavailableMessage, reconnectAlertMessage } from './app/messages';
import { oncePer } from './app/once-per';
import { createNotices } from './app/notices';
import { createOutboxWorker, type OutboxCounters, type OutboxWorkerOptions } from './app/outbox';
import type { OutboxRecord } from './domain/outbox';
import type { Logger, Messenger, Metrics, Outbox } from './app/ports';
import { createStatusQueries } from './app/status-queries';
import { createSyncPrincipals } from './app/sync-principals';
import { createVerifyRegistration } from './app/verify-registration';
import { createFederationCheck } from './app/federation';
import { createTeamsAdapter } from './bot/adapter';
import { createBotApplication } from './bot/application';
import type { BotDeps } from './bot/deps';
import type { JsonBodyLimits } from './bot/json-body';
import { closeServer, createHttpServer, listen } from './bot/server';
import { createTeamsMessenger } from './bot/teams-messenger';
import type { Config } from './config';
import type { Clock } from './domain/clock';
import { AppError, ErrorCodes, describeError } from './domain/errors';
import { createGraphClient } from './integrations/graph';
import { createHttpClient, type HttpClientOptions } from './integrations/http';
import { createAppTokenProvider, createAzureCredential, createManagedIdentityTokenProvider, createNetworkClient, createPartnerCenterAuth } from './integrations/identity';
import { createOtelMetrics } from './integrations/telemetry/otel-metrics';
import { createPartnerCenterClient } from './integrations/partner-center';
import { createActivityCleanup } from './jobs/activity-cleanup';
import { createScheduler } from './jobs/scheduler';
import { composeExceptions } from './compose-exceptions';
import { composeIntegrations } from './compose-integrations';
import { composeAdminAudit, composeDashboard, composeRoles } from './compose-dashboard';
import { withoutExcluded } from './app/exclusions';
import { createOutboxStorage, createStorage, DEFAULT_RETRY_OPTIONS, type Storage, type StorageOptions } from './storage';
import { systemClock } from './system-clock';

/** Test and benchmark seams; production uses the defaults. */
export interface ComposeOverrides {
  clock?: Clock;
  logger?: Logger;
  http?: HttpClientOptions;
  storage?: Partial<Pick<StorageOptions, 'retryOptions' | 'requestTimeoutMs'>>;
  /** How long a turn waits for Graph before answering "later" (default 10 s, under Teams' 15 s). */
  interactiveDeadlineMs?: number;
  /** Start the scheduled sync (default true). Tests drive syncs themselves. */
  scheduler?: boolean;
  instanceId?: string;
  /** Per-user limits on sync now / export / the registration check (default DEFAULT_COMMAND_RULES). */
  commandLimits?: Partial<Record<LimitedCommand, CommandRule>>;
  /** The outbox worker's timings; `run: false` leaves the worker stopped (tests that drain it themselves). */
  outbox?: Partial<OutboxWorkerOptions> & { run?: boolean };
  /** Limits of the HTTP body reader (tests shorten the slow-body deadline). */
  bodyLimits?: Partial<JsonBodyLimits>;
  /** Default: OpenTelemetry counters (no-ops unless Azure Monitor was started). */
  metrics?: Metrics;
  /** The Microsoft Entra credential for Storage (token access) and Graph; default: the managed identity. */
  azureCredential?: TokenCredential;
  /** Incident intake: per-key rate (default 20/s, burst 200). */
  intakeRate?: { perSecond: number; burst: number };
}

export interface MfaShepherd {
  deps: BotDeps;
  /** One nudge sweep now (the scheduler runs it every NUDGE_SWEEP_MINUTES). */
  sweepNudges: ReturnType<typeof createNudgeSweep>;
  /** One SLA sweep now (once per interval across instances; the scheduler runs it every SLA_SWEEP_MINUTES). */
  sweepSla: () => Promise<unknown>;
  /** The notices before and at the end of granted exceptions (the scheduled SLA sweep runs them too). */
  sweepExpiry: () => Promise<unknown>;
  /** Whether someone may approve exception requests now (id lists plus the approver group, live). */
  isApprover(aadObjectId: string): boolean;
  storage: Storage;
  server: ReturnType<typeof createHttpServer>;
  messenger: Messenger;
  /** Durable outgoing messages (Storage Queues); `stats()` for readiness reports and benchmarks. */
  outbox: Outbox & { stats(): OutboxCounters & { inFlight: number; running: boolean } };
  /** Listen on config.port (0 = a free port) and start the scheduler. */
  start(): Promise<{ url: string; port: number }>;
  stop(): Promise<void>;
}


/** Wire configuration, adapters and use cases into a runnable bot. The one place that knows them all. */
export async function composeMfaShepherd(config: Config, logger: Logger, overrides: ComposeOverrides = {}): Promise<MfaShepherd> {
  const clock = overrides.clock ?? systemClock;
  const tenantId = config.partnerCenter.tenantId;
  const instanceId = overrides.instanceId ?? `instance-${randomUUID()}`;
  const ids = { newId: () => randomUUID() };
  const metrics = overrides.metrics ?? createOtelMetrics();
  // Created only when something uses it: a connection string and a Graph secret need no identity.
  let credential: TokenCredential | undefined = overrides.azureCredential;
  const azureCredential = () => (credential ??= createAzureCredential({ managedIdentityClientId: config.managedIdentityClientId }));
  const tokenAccess = config.storage.tokenAccess ? { ...config.storage.tokenAccess, credential: azureCredential() } : undefined;

  const storage = await createStorage({
    connectionString: config.storage.connectionString,
    tokenAccess,
    tablePrefix: config.storage.tablePrefix,
    encryptionKey: config.tokenEncryptionKey,
    previousEncryptionKeys: config.previousTokenEncryptionKeys,
    // A storage call (retries included) must fit inside Teams' 15-second turn budget.
    requestTimeoutMs: 8_000,
    ...overrides.storage,
  });

  const networkClient = createNetworkClient({ endpointOverride: config.identityEndpointOverride });
  const http = createHttpClient({
    ...overrides.http,
    onAttempt: (report) => {
      if (report.willRetry) logger.warn({ ...report }, 'HTTP attempt failed; retrying');
    },
  });
  const partnerCenter = createPartnerCenterClient({ baseUrl: config.partnerCenter.baseUrl, principalsPath: config.partnerCenter.principalsPath, http, logger });
  const auth = config.partnerCenter.clientId
    ? createPartnerCenterAuth({ clientId: config.partnerCenter.clientId, tenantId, secrets: storage.secrets, networkClient, logger, clock })
    : notConfiguredAuth();
  const appToken =
    config.graph.auth === 'secret' && config.graph.clientId && config.graph.clientSecret
      ? createAppTokenProvider({ clientId: config.graph.clientId, clientSecret: config.graph.clientSecret, tenantId, networkClient, logger })
      : config.graph.auth === 'managedIdentity'
        ? createManagedIdentityTokenProvider(azureCredential())
        : { getToken: () => Promise.reject(new AppError(ErrorCodes.GraphForbidden, 'Microsoft Graph is not configured (GRAPH_CLIENT_ID / GRAPH_CLIENT_SECRET, or BOT_ID / BOT_PASSWORD).')) };
  const graph = createGraphClient({ baseUrl: config.graph.baseUrl, signInsPath: config.graph.signInsPath, getToken: () => appToken.getToken(), http });
  const federation = createFederationCheck({ graph, clock, logger });
  const roles = composeRoles(config, { http, getGraphToken: () => appToken.getToken(), logger });

  const adapter = createTeamsAdapter(config, networkClient);
  const messenger = createTeamsMessenger({ adapter, botAppId: config.bot.id ?? '', serviceUrl: config.teams.serviceUrl, logger });
  const background = new BackgroundTasks(logger);

  const outboxStorage = await createOutboxStorage({
    connectionString: config.storage.connectionString,
    tokenAccess,
    tablePrefix: config.storage.tablePrefix,
    retryOptions: { ...DEFAULT_RETRY_OPTIONS, ...overrides.storage?.retryOptions },
    requestTimeoutMs: overrides.storage?.requestTimeoutMs ?? 8_000,
    clock,
  });
  const integrationFeature = await composeIntegrations({ config, partnerCenter, auth, outbox: outboxStorage.outbox, clock, logger, ids, storage: overrides.storage, tokenAccess, intakeRate: overrides.intakeRate });
  // Excluded accounts get neither first notices nor nudges: both read the list without them.
  const shepherded = withoutExcluded(storage.principals, storage.exclusions, clock);
  const notices = createNotices({
    tenantId,
    principals: shepherded,
    contacts: storage.contacts,
    ledger: storage.notices,
    outbox: outboxStorage.outbox,
    outboxLedger: outboxStorage.store,
    integrationsOfUsers: integrationFeature.integrationsOfUsers,
    appCatalogId: config.teams.appCatalogId,
    clock,
    logger,
  });
  /** The outbox's word on a first notice goes back to the notice ledger; a lost report is settled by the next sweep. */
  const recordNoticeOutcome = async (...args: Parameters<typeof notices.recordOutcome>) => {
    await notices.recordOutcome(...args).catch((error: unknown) => {
      logger.warn({ key: args[0].key, err: describeError(error) }, 'first notice outcome not recorded; the next sweep settles it from the outbox');
    });
  };
  const { run: runOutbox = true, ...outboxOptions } = overrides.outbox ?? {};
  const parkedAlerts = oncePer(60 * 60_000, clock);
  // Bound once the exception feature exists (below): it keeps approval cards' activity ids.
  let afterSend: (record: OutboxRecord) => Promise<void> = async () => undefined;
  const outboxWorker = createOutboxWorker({
    store: outboxStorage.store,
    contacts: storage.contacts,
    messenger,
    graph,
    appCatalogId: config.teams.appCatalogId,
    clock,
    logger,
    options: outboxOptions,
    // Undeliverable: the user is marked unreachable, which the admins' status lists with the reason
    // (and the nudge sweep tells them once per episode). Parked: an alert, at most hourly.
    onUndeliverable: async (report) => {
      logger.info({ ...report }, 'outbox message undeliverable');
      await recordNoticeOutcome(report, { sent: false, reason: `${report.errorCode}: ${report.detail}` });
    },
    onSent: async (record) => {
      metrics.outboxSent(record.kind);
      await recordNoticeOutcome(record, { sent: true });
      await afterSend(record);
    },
    onParked: async (report) => {
      metrics.outboxParked(report.kind);
      if (report.key !== undefined && report.kind !== undefined) {
        await recordNoticeOutcome({ key: report.key, kind: report.kind }, { sent: false, reason: `parked after ${report.deliveries} deliveries: ${report.lastErrorCode ?? report.why}` });
      }
      logger.error({ ...report }, 'outbox message parked');
      if (parkedAlerts('parked')) {
        await notifyAdmins({
          text: `MFA Shepherd set aside an outgoing message (${report.kind ?? 'unknown kind'}) after ${report.deliveries} failed deliveries (last error: ${report.lastErrorCode ?? report.why}). It is kept in the outbox's poison queue and will not be retried; check the logs for the key and Teams' health. Further such alerts are held back for an hour.`,
        }).catch(() => undefined);
      }
    },
  });

  const notifyAdmins = createAdminNotifier({ tenantId, adminIds: roles.admins, contacts: storage.contacts, messenger, logger });
  const runSync = createSyncPrincipals({
    tenantId,
    partnerCenter,
    auth,
    principals: storage.principals,
    syncRuns: storage.syncRuns,
    leases: storage.leases,
    ids,
    clock,
    logger,
    instanceId,
    onReconnectNeeded: async (run) => (await notifyAdmins(reconnectAlertMessage(run, config.defaultTimezone))).delivered,
    syncIntegrations: integrationFeature.syncIntegrations,
  });
  const syncPrincipals: typeof runSync = async (request) => {
    const run = await runSync(request);
    metrics.syncFinished(run.outcome, run.trigger);
    if (run.errorCode === ErrorCodes.PcMfaRequired) metrics.mfaRejected();
    return run;
  };
  const outbox = outboxStorage.outbox;
  const nudgeStores = { tenantId, principals: shepherded, nudges: storage.nudges, contacts: storage.contacts, settings: storage.settings, exceptions: storage.exceptions, policy: config.nudgePolicy, calendar: config.businessCalendar, defaultTimezone: config.defaultTimezone, clock };
  const sweepNudges = createNudgeSweep({ ...nudgeStores, notices: storage.notices, graph: { getManager: (id) => graph.getManager?.(id) ?? Promise.resolve(undefined) }, outbox, leases: storage.leases, adminIds: config.adminAadObjectIds, logger, instanceId });
  const audit = composeAdminAudit({ config, storage, clock, logger, ids });
  const exceptionFeature = composeExceptions({ config, storage, messenger, outbox, outboxLedger: outboxStorage.store, background, clock, logger, instanceId, metrics, roles, audit });
  afterSend = exceptionFeature.afterSend;
  const console_ = composeDashboard({ config, storage, roles, auth, sla: exceptionFeature.sla, outbox, http, clock, logger, ids, audit, integrationsOfUsers: integrationFeature.integrationsOfUsers });
  const checkAlerts = oncePer(60 * 60_000, clock);
  const afterSync = async () => {
    await notices.sweep();
  };

  const deps: BotDeps = {
    tenantId,
    instanceId,
    adminIds: roles.admins,
    links: { mfaSetup: config.links.mfaSetup, securityInfo: config.links.securityInfo },
    defaultTimezone: config.defaultTimezone,
    clock,
    logger,
    background,
    dedup: storage.activities,
    contacts: storage.contacts,
    messenger,
    notices,
    federation,
    verifyRegistration: createVerifyRegistration({
      tenantId,
      graph,
      federation,
      principals: storage.principals,
      clock,
      logger,
      onCheckUnavailable: async (verification) => {
        if (checkAlerts(verification.errorCode ?? 'unknown')) await notifyAdmins(graphCheckUnavailableMessage(verification));
      },
    }),
    status: createStatusQueries({
      tenantId,
      principals: storage.principals,
      contacts: storage.contacts,
      syncRuns: storage.syncRuns,
      auth,
      syncIntervalMinutes: config.syncIntervalMinutes,
      clock,
      integrationsOfUsers: integrationFeature.integrationsOfUsers,
    }),
    syncPrincipals,
    connectPartnerCenter: createConnectPartnerCenter({ auth, logger }),
    interactiveDeadlineMs: overrides.interactiveDeadlineMs ?? 10_000,
    afterSync,
    nudges: createNudgeActions(nudgeStores),
    exceptions: exceptionFeature.feature,
    commandLimits: createCommandLimits({ clock, rules: overrides.commandLimits }),
    integrations: integrationFeature.feature,
    audit,
  };

  const app = createBotApplication(adapter, config.bot.id ?? '', deps);
  const server = createHttpServer({ adapter, app, logger, ready: () => storage.ping(), localMode: config.localMode, exports: exceptionFeature.exports, bodyLimits: overrides.bodyLimits, dashboard: console_.routes });
  integrationFeature.registerRoutes(server);

  const cleanUpActivityClaims = createActivityCleanup({ activities: storage.activities, leases: storage.leases, clock, logger, instanceId });
  const scheduler = createScheduler(
    [
      {
        name: 'partner-center-sync',
        intervalMs: config.syncIntervalMinutes * 60_000,
        initialDelayMs: 2_000,
        run: async () => {
          const run = await syncPrincipals({ trigger: 'schedule' }).catch((error: unknown) => {
            if (error instanceof AppError && error.code === ErrorCodes.SyncInProgress) return undefined; // another instance has it
            throw error;
          });
          if (run?.outcome === 'succeeded') await afterSync();
        },
      },
      {
        name: 'nudge-sweep',
        intervalMs: config.sweeps.nudgeMinutes * 60_000,
        initialDelayMs: 60_000,
        run: async () => {
          await sweepNudges();
        },
      },
      {
        name: 'sla-sweep',
        intervalMs: config.sweeps.slaMinutes * 60_000,
        initialDelayMs: 30_000,
        run: async () => {
          await exceptionFeature.sweepSla();
        },
      },
      ...(roles.usesGroups
        ? [{ name: 'role-groups-refresh', intervalMs: config.roleGroups.refreshMinutes * 60_000, initialDelayMs: config.roleGroups.refreshMinutes * 60_000, run: async () => void (await roles.refresh()) }]
        : []),
      {
        // What a crash or a storage blip left of exception follow-ups (the start runs it once too).
        name: 'exception-follow-ups',
        intervalMs: 60_000,
        initialDelayMs: 60_000,
        run: async () => {
          await exceptionFeature.sweepFollowUps();
        },
      },
      {
        name: 'activity-claims-cleanup',
        intervalMs: 6 * 60 * 60_000,
        initialDelayMs: 5 * 60_000,
        run: async () => {
          await cleanUpActivityClaims();
        },
      },
    ],
    logger,
  );

  return {
    deps,
    sweepNudges,
    sweepSla: exceptionFeature.sweepSla,
    sweepExpiry: exceptionFeature.sweepExpiry,
    isApprover: exceptionFeature.isApprover,
    storage,
    server,
    messenger,
    outbox: { enqueue: (messages) => outboxStorage.outbox.enqueue(messages), stats: () => outboxWorker.stats() },
    async start() {
      // Group-based roles are read before the first turn; a failure keeps the id lists (logged).
      if (roles.usesGroups) await roles.refresh();
      const address = await listen(server, config.port, config.bindHost);
      exceptionFeature.listening(address.url);
      if (config.localMode) {
        logger.warn({ url: address.url }, `local mode: BOT_ID is not set, so /api/messages accepts unauthenticated requests; listening on ${config.bindHost} (loopback) only`);
      }
      if (overrides.scheduler !== false) scheduler.start();
      if (runOutbox) outboxWorker.start();
      // Follow-ups of exception changes the last run stored but did not get to (a crash, a stop past the drain).
      background.run('exception follow-ups at start', () => exceptionFeature.sweepFollowUps());
      return address;
    },
    async stop() {
      await scheduler.stop();
      await closeServer(server);
      const { unfinished } = await background.drain(10_000);
      if (unfinished > 0) logger.warn({ unfinished }, 'stopped with background work still running (e.g. a sign-in waiting for an admin)');
      // Last: sweeps and turns above may still have enqueued. Sends in flight finish; the rest stays queued.
      await outboxWorker.stop(10_000);
    },
  };
}

function notConfiguredAuth() {
  const fail = () =>
    Promise.reject(new AppError(ErrorCodes.PcNotConnected, 'PARTNER_CENTER_CLIENT_ID is not set: configure the Secure Application Model app registration, then run "connect partner center".'));
  return { getAccessToken: fail, connectWithDeviceCode: fail, status: async () => ({ connected: false }) };
}
