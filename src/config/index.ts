import { ZodError } from 'zod';
import { AppError, ErrorCodes } from '../domain/errors';
import { canonicalId } from '../domain/principal';
import { configSchema, type RawConfig } from './schema';

/** The validated configuration, in the shape the rest of the code uses. */
export interface Config {
  port: number;
  bindHost: string;
  bot: { id?: string; password?: string; tenantId?: string; type: RawConfig['BOT_TYPE'] };
  storage: { connectionString: string; tablePrefix: string };
  partnerCenter: { baseUrl: string; principalsPath: string; tenantId: string; clientId?: string };
  graph: { baseUrl: string; clientId?: string; clientSecret?: string; tenantId: string };
  identityEndpointOverride?: string;
  tokenEncryptionKey: Buffer;
  adminAadObjectIds: string[];
  syncIntervalMinutes: number;
  defaultTimezone: string;
  teams: { appCatalogId?: string; serviceUrl: string };
  links: { mfaSetup: string; securityInfo: string };
  logLevel: RawConfig['LOG_LEVEL'];
  logPretty: boolean;
  /** No BOT_ID: incoming requests are not authenticated, so the server binds to loopback. */
  localMode: boolean;
}

function formatIssues(error: ZodError): string {
  return error.issues
    .map((issue) => {
      const key = issue.path.join('.') || '(config)';
      const received = 'received' in issue && issue.received === 'undefined' ? 'is missing' : issue.message;
      return `${key} ${received === issue.message ? `is invalid: ${issue.message}` : received}`;
    })
    .join('; ');
}

/** Read and validate configuration once, at start. The only reader of process.env. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = configSchema.safeParse(env);
  if (!parsed.success) {
    throw new AppError(ErrorCodes.ConfigInvalid, `Invalid configuration: ${formatIssues(parsed.error)}`, {
      expected: false,
      details: { keys: parsed.error.issues.map((i) => i.path.join('.')) },
    });
  }
  const c = parsed.data;
  const localMode = c.BOT_ID === undefined;
  return {
    port: c.PORT,
    bindHost: c.BIND_HOST ?? (localMode ? '127.0.0.1' : '0.0.0.0'),
    bot: { id: c.BOT_ID, password: c.BOT_PASSWORD, tenantId: c.BOT_TENANT_ID, type: c.BOT_TYPE },
    storage: { connectionString: c.AZURE_STORAGE_CONNECTION_STRING, tablePrefix: c.STORAGE_TABLE_PREFIX },
    partnerCenter: {
      baseUrl: c.PARTNER_CENTER_BASE_URL.replace(/\/+$/, ''),
      principalsPath: c.PARTNER_CENTER_PRINCIPALS_PATH,
      tenantId: canonicalId(c.PARTNER_TENANT_ID),
      clientId: c.PARTNER_CENTER_CLIENT_ID,
    },
    graph: {
      baseUrl: c.GRAPH_BASE_URL.replace(/\/+$/, ''),
      clientId: c.GRAPH_CLIENT_ID ?? c.BOT_ID,
      clientSecret: c.GRAPH_CLIENT_SECRET ?? c.BOT_PASSWORD,
      tenantId: canonicalId(c.PARTNER_TENANT_ID),
    },
    identityEndpointOverride: c.IDENTITY_ENDPOINT_OVERRIDE?.replace(/\/+$/, ''),
    tokenEncryptionKey: Buffer.from(c.TOKEN_ENCRYPTION_KEY, 'base64'),
    adminAadObjectIds: c.ADMIN_AAD_OBJECT_IDS.map(canonicalId),
    syncIntervalMinutes: c.SYNC_INTERVAL_MINUTES,
    defaultTimezone: c.DEFAULT_TIMEZONE,
    teams: { appCatalogId: c.TEAMS_APP_CATALOG_ID, serviceUrl: c.TEAMS_SERVICE_URL },
    links: { mfaSetup: c.MFA_SETUP_URL, securityInfo: c.SECURITY_INFO_URL },
    logLevel: c.LOG_LEVEL,
    logPretty: c.LOG_PRETTY,
    localMode,
  };
}

export { configSchema };
