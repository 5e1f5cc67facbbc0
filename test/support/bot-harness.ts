import { randomBytes } from 'node:crypto';
import { startSandbox, PARTNER_TENANT_ID, type SandboxHandle, type SandboxOptions } from '../../sandbox';
import { eventually } from './eventually';
import { composeMfaShepherd, type ComposeOverrides, type MfaShepherd } from '../../src/compose';
import { loadConfig, type Config } from '../../src/config';
import { createLogger } from '../../src/logging';
import { activities, postActivity, type TestUser } from './activities';
import { LocalConnector } from './connector';
import { TableClient, odata } from '@azure/data-tables';
import { tableName, TABLES } from '../../src/storage';

/** Wait until no outbox message is pending or being sent (the ledger, read raw) and the worker holds none. */
async function outboxIdle(connectionString: string, prefix: string, inFlight: () => number, timeoutMs = 20_000): Promise<void> {
  const table = TableClient.fromConnectionString(connectionString, tableName(prefix, TABLES.outbox), { allowInsecureConnection: true });
  let open = 0;
  await eventually(
    'the outbox to have no message pending or sending',
    async () => {
      open = 0;
      try {
        for await (const _ of table.listEntities({ queryOptions: { filter: odata`status eq ${'pending'} or status eq ${'sending'}`, select: ['status'] } })) open += 1;
      } catch {
        return true; // storage is down (the outage tests stop Azurite): the outbox cannot move, nothing to wait for
      }
      return open === 0 && inFlight() === 0;
    },
    { timeoutMs },
  ).catch((error: unknown) => {
    throw new Error(`the outbox still has ${open} message(s) pending or sending after ${timeoutMs} ms`, { cause: error });
  });
}

export interface BotHarness {
  url: string;
  sandbox: SandboxHandle;
  connector: LocalConnector;
  shepherd: MfaShepherd;
  config: Config;
  a: ReturnType<typeof activities>;
  post(activity: Record<string, unknown>, headers?: Record<string, string>): Promise<{ status: number; body: unknown }>;
  /** Connect Partner Center through the sandbox's device code flow (auto-approved, with MFA). */
  connect(): Promise<void>;
  /** Stop the bot and start a new instance over the same storage and sandbox (a restart). */
  restart(): Promise<void>;
  /** Stop the sandbox and start a new one on the same port (over `sandboxStateDir`, when given). */
  restartSandbox(): Promise<void>;
  /** Wait for background work (first notices, sync-now results) started by turns. */
  settle(): Promise<void>;
  stop(): Promise<void>;
}

/** Fast retries and polling for tests; no scheduler (tests drive syncs and sweeps themselves). */
export const HARNESS_OVERRIDES: ComposeOverrides = {
  scheduler: false,
  http: { retry: { baseDelayMs: 10, maxDelayMs: 50 }, timeoutMs: 2_000 },
  outbox: { idlePollMs: 25, retryBaseDelayMs: 200, retryMaxDelayMs: 1_000 },
  // Tests repeat commands within seconds; the rate-limit tests pass the production rules explicitly.
  commandLimits: {
    syncNow: { max: 1_000, windowMs: 1, label: 'a sync' },
    export: { max: 1_000, windowMs: 1, label: 'export links' },
    verify: { max: 1_000, windowMs: 1, label: 'a registration check' },
  },
};

export const ADMIN: TestUser = { aadObjectId: 'admin-0001', name: 'Ada Admin', tenantId: PARTNER_TENANT_ID, timezone: 'Europe/Berlin' };

/**
 * The real bot, in-process, over real HTTP: /api/messages on a free port, Azurite (jest's global
 * child process) for storage, the sandbox for Partner Center / Graph / Entra, and a local Bot
 * Connector that records what the bot sends.
 */
export async function startBotHarness(
  options: {
    env?: Record<string, string>;
    overrides?: ComposeOverrides;
    /** The sandbox's clock (its seed, its 7-day window, its tokens); give it the bot's fixed clock so both agree. */
    sandboxNow?: () => Date;
    /** Where the sandbox Entra keeps its signing key and issued tokens; default: memory only. */
    sandboxStateDir?: string;
  } = {},
): Promise<BotHarness> {
  const connectionString = process.env.AZURE_STORAGE_CONNECTION_STRING;
  if (!connectionString) throw new Error('AZURE_STORAGE_CONNECTION_STRING is not set: run through jest (global setup starts Azurite)');
  const sandbox = await startSandbox({ port: 0, ...sandboxOptions(options) });
  const connector = await new LocalConnector().start();
  try {
    return await startBot(sandbox, connector, connectionString, options);
  } catch (error) {
    await connector.stop();
    await sandbox.stop();
    throw error;
  }
}

function sandboxOptions(options: { sandboxNow?: () => Date; sandboxStateDir?: string }): SandboxOptions {
  return {
    ...(options.sandboxNow ? { now: options.sandboxNow } : {}),
    ...(options.sandboxStateDir === undefined ? {} : { stateDir: options.sandboxStateDir }),
  };
}

async function startBot(
  sandbox: SandboxHandle,
  connector: LocalConnector,
  connectionString: string,
  options: { env?: Record<string, string>; overrides?: ComposeOverrides; sandboxNow?: () => Date; sandboxStateDir?: string },
): Promise<BotHarness> {
  const config = loadConfig({
    PORT: '0',
    AZURE_STORAGE_CONNECTION_STRING: connectionString,
    STORAGE_TABLE_PREFIX: `t${randomBytes(5).toString('hex')}`,
    PARTNER_TENANT_ID,
    PARTNER_CENTER_BASE_URL: `${sandbox.url}/pc`,
    PARTNER_CENTER_CLIENT_ID: 'sam-client-test',
    GRAPH_BASE_URL: `${sandbox.url}/graph`,
    GRAPH_CLIENT_ID: 'graph-client-test',
    GRAPH_CLIENT_SECRET: 'graph-secret-test',
    IDENTITY_ENDPOINT_OVERRIDE: `${sandbox.url}/entra`,
    TOKEN_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    ADMIN_AAD_OBJECT_IDS: ADMIN.aadObjectId,
    DEFAULT_TIMEZONE: 'Europe/London',
    TEAMS_SERVICE_URL: connector.url,
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    // A deployed bot (BOT_ID) must name its public https address; tests never fetch it.
    ...(options.env?.['BOT_ID'] ? { PUBLIC_BASE_URL: 'https://mfa-shepherd.test.invalid' } : {}),
    ...options.env,
  });
  const logger = createLogger({ level: config.logLevel });
  const boot = async () => {
    const shepherd = await composeMfaShepherd(config, logger, { ...HARNESS_OVERRIDES, ...options.overrides });
    const { url } = await shepherd.start();
    return { shepherd, url };
  };
  const harness: BotHarness = {
    ...(await boot()),
    sandbox,
    connector,
    config,
    a: activities({ serviceUrl: connector.url }),
    post: (activity, headers) => postActivity(harness.url, activity, headers),
    async connect() {
      const outcome = await harness.shepherd.deps.connectPartnerCenter(async () => undefined);
      if (!outcome.ok) throw new Error(`connect failed: ${outcome.code} ${outcome.message}`);
    },
    async restart() {
      await harness.shepherd.stop();
      Object.assign(harness, await boot());
    },
    async restartSandbox() {
      const port = harness.sandbox.port;
      await harness.sandbox.stop();
      harness.sandbox = await startSandbox({ port, ...sandboxOptions(options) });
    },
    /** Background work started by turns, then every message it put in the outbox delivered (or given up on). */
    settle: async () => {
      await harness.shepherd.deps.background.drain();
      await outboxIdle(connectionString, config.storage.tablePrefix, () => harness.shepherd.outbox.stats().inFlight);
    },
    async stop() {
      await harness.shepherd.stop();
      await connector.stop();
      await harness.sandbox.stop();
    },
  };
  return harness;
}

/** The harness's storage connection string (it always runs on Azurite through one). */
export function storageConnectionString(h: Pick<BotHarness, 'config'>): string {
  const { connectionString } = h.config.storage;
  if (connectionString === undefined) throw new Error('the harness runs on Azurite through a connection string');
  return connectionString;
}
