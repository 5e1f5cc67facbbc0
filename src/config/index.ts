import { ZodError } from 'zod';
import { createBusinessCalendar, FILING_BUSINESS_DAYS, type BusinessCalendar, type DeadlinePolicy } from '../domain/calendar';
import { AppError, ErrorCodes } from '../domain/errors';
import { createNudgePolicy, type EscalationStep, type NudgePolicy } from '../domain/nudge';
import { canonicalId } from '../domain/principal';
import { configSchema, type RawConfig } from './schema';

/** The validated configuration, in the shape the rest of the code uses. */
export interface Config {
  port: number;
  bindHost: string;
  bot: {
    id?: string;
    password?: string;
    tenantId?: string;
    type: RawConfig['BOT_TYPE'];
    /** Bot Framework endpoints (public cloud by default; sovereign clouds set their own). */
    channel: { openIdMetadataUrl: string; tokenIssuer: string; loginUrl: string; oauthScope: string };
  };
  /** Exactly one of `connectionString` (Azurite, keys) and `tokenAccess` (a Microsoft Entra identity). */
  storage: { connectionString?: string; tokenAccess?: StorageTokenAccess; tablePrefix: string };
  /** Client id of the user-assigned managed identity (Storage and Graph tokens); unset: DefaultAzureCredential's choice. */
  managedIdentityClientId?: string;
  /** Application Insights; unset = no telemetry export. */
  telemetry: { connectionString?: string };
  partnerCenter: { baseUrl: string; principalsPath: string; tenantId: string; clientId?: string };
  /** `auth`: a client secret (msal client credentials), the managed identity (no secret), or nothing configured. */
  graph: { baseUrl: string; /** /v1.0/auditLogs/signIns or /beta/auditLogs/signIns. */ signInsPath: string; clientId?: string; clientSecret?: string; tenantId: string; auth: 'secret' | 'managedIdentity' | 'none' };
  identityEndpointOverride?: string;
  tokenEncryptionKey: Buffer;
  /** Retired keys: they decrypt what they encrypted (rotation), never encrypt. */
  previousTokenEncryptionKeys: Buffer[];
  adminAadObjectIds: string[];
  syncIntervalMinutes: number;
  defaultTimezone: string;
  teams: { appCatalogId?: string; serviceUrl: string };
  links: { mfaSetup: string; securityInfo: string };
  logLevel: RawConfig['LOG_LEVEL'];
  logPretty: boolean;
  /** No BOT_ID: incoming requests are not authenticated, so the server binds to loopback. */
  localMode: boolean;
  /** Who approves technical-exception requests (default: the admins). */
  approverAadObjectIds: string[];
  /** Different approvers an exception request needs (1 or 2). */
  exceptionApprovalsRequired: number;
  /** The Partner ID (MPN ID) for the submission to Microsoft, when configured. */
  partnerId?: string;
  /** Base of links the bot serves itself (CSV exports), without a trailing slash; unset: where the bot listens. */
  publicBaseUrl?: string;
  /** The business calendar: working days and hours, the region's public holidays. Microsoft's 3 business days run on it alone; the admins' closures are added at run time for the partner's own clocks. */
  businessCalendar: BusinessCalendar;
  nudgePolicy: NudgePolicy;
  sweeps: { nudgeMinutes: number; slaMinutes: number };
  /** The partner's own deadlines on exception requests (approval, filing with Microsoft), in business days. */
  exceptionDeadlines: DeadlinePolicy;
  /** Roles from Entra groups (resolved through Graph, refreshed every `refreshMinutes`). */
  roleGroups: { adminGroupId?: string; approverGroupId?: string; refreshMinutes: number };
  /** How the Compliance tab's SSO tokens are validated. */
  tab: { audiences: string[]; jwksUrl: string; issuers: string[] };
}

/** Storage reached with a token (managed identity) instead of an account key. */
export interface StorageTokenAccess {
  tableEndpoint: string;
  queueEndpoint: string;
}

function storageTokenAccess(c: RawConfig): StorageTokenAccess | undefined {
  const trim = (u: string) => u.replace(/\/+$/, '');
  if (c.AZURE_STORAGE_TABLE_ENDPOINT && c.AZURE_STORAGE_QUEUE_ENDPOINT) {
    return { tableEndpoint: trim(c.AZURE_STORAGE_TABLE_ENDPOINT), queueEndpoint: trim(c.AZURE_STORAGE_QUEUE_ENDPOINT) };
  }
  const name = c.AZURE_STORAGE_ACCOUNT_NAME;
  if (name === undefined) return undefined;
  return {
    tableEndpoint: trim(c.AZURE_STORAGE_TABLE_ENDPOINT ?? `https://${name}.table.core.windows.net`),
    queueEndpoint: trim(c.AZURE_STORAGE_QUEUE_ENDPOINT ?? `https://${name}.queue.core.windows.net`),
  };
}

const LOCAL_TAB_AUDIENCE = 'api://localhost/mfa-shepherd-local';

function tabAuth(c: RawConfig, localMode: boolean): Config['tab'] {
  const tenant = canonicalId(c.PARTNER_TENANT_ID);
  const identityBase = (c.IDENTITY_ENDPOINT_OVERRIDE ?? 'https://login.microsoftonline.com').replace(/\/+$/, '');
  const issuerBase = (c.TAB_ISSUER_BASE_URL ?? 'https://login.microsoftonline.com').replace(/\/+$/, '');
  const fromPublicUrl = c.PUBLIC_BASE_URL && c.BOT_ID ? `api://${new URL(c.PUBLIC_BASE_URL).host}/${c.BOT_ID}` : undefined;
  const primary = c.TAB_AUDIENCE ?? fromPublicUrl ?? (localMode ? LOCAL_TAB_AUDIENCE : undefined);
  // Entra's v2 tokens for an app name its client id as the audience; v1 tokens its Application ID URI.
  const audiences = [primary, c.BOT_ID].filter((a): a is string => a !== undefined);
  return {
    audiences,
    jwksUrl: c.TAB_JWKS_URL ?? `${identityBase}/${tenant}/discovery/v2.0/keys`,
    issuers: [`${issuerBase}/${tenant}/v2.0`, `https://sts.windows.net/${tenant}/`],
  };
}

/** Run a domain validator on one key's value; its INPUT_INVALID becomes CONFIG_INVALID naming the key. */
function checked<T>(key: string, build: () => T): T {
  try {
    return build();
  } catch (error) {
    if (error instanceof AppError && error.code === ErrorCodes.ConfigInvalid) throw error;
    const message = error instanceof Error ? error.message : String(error);
    throw new AppError(ErrorCodes.ConfigInvalid, `Invalid configuration: ${key} is invalid: ${message}`, { expected: false, details: { keys: [key] } });
  }
}

function window(key: string, value: string): { start: string; end: string } {
  const match = /^\s*(\d{1,2}:\d{2})\s*-\s*(\d{1,2}:\d{2})\s*$/.exec(value);
  if (!match) throw new AppError(ErrorCodes.ConfigInvalid, `Invalid configuration: ${key} is invalid: "${value}" is not HH:mm-HH:mm`, { expected: false, details: { keys: [key] } });
  const pad = (t: string) => t.padStart(5, '0');
  return { start: pad(match[1] as string), end: pad(match[2] as string) };
}

function weekdays(key: string, value: string): number[] {
  const days = value.split(/[,;\s]+/).filter((d) => d !== '').map(Number);
  if (days.length === 0 || days.some((d) => !Number.isInteger(d) || d < 1 || d > 7)) {
    throw new AppError(ErrorCodes.ConfigInvalid, `Invalid configuration: ${key} is invalid: "${value}" is not a list of ISO weekdays (1 = Monday … 7 = Sunday)`, { expected: false, details: { keys: [key] } });
  }
  return days;
}

function escalationSteps(value: string): EscalationStep[] {
  return value
    .split(/[,;\s]+/)
    .filter((s) => s !== '')
    .map((item) => {
      const [to, days] = item.split(':');
      return { to: to?.trim() as EscalationStep['to'], afterBusinessDays: days === undefined || days.trim() === '' ? Number.NaN : Number(days) };
    });
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

function managedIdentityClientId(c: RawConfig): string | undefined {
  return c.MANAGED_IDENTITY_CLIENT_ID ?? (c.BOT_TYPE === 'UserAssignedMSI' ? c.BOT_ID : undefined);
}

/**
 * A Graph secret wins (a separate app registration); without one, the bot's managed identity gets
 * Graph tokens itself when GRAPH_CLIENT_ID is unset or names that identity.
 */
function graphAuth(c: RawConfig): Config['graph']['auth'] {
  const clientId = c.GRAPH_CLIENT_ID ?? c.BOT_ID;
  if (clientId && (c.GRAPH_CLIENT_SECRET ?? c.BOT_PASSWORD)) return 'secret';
  const identity = managedIdentityClientId(c);
  if (identity !== undefined && (c.GRAPH_CLIENT_ID === undefined || c.GRAPH_CLIENT_ID === identity)) return 'managedIdentity';
  return 'none';
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
    bot: {
      id: c.BOT_ID,
      password: c.BOT_PASSWORD,
      tenantId: c.BOT_TENANT_ID,
      type: c.BOT_TYPE,
      channel: { openIdMetadataUrl: c.BOT_OPENID_METADATA_URL, tokenIssuer: c.BOT_TOKEN_ISSUER, loginUrl: c.BOT_LOGIN_URL, oauthScope: c.BOT_OAUTH_SCOPE },
    },
    storage: { connectionString: c.AZURE_STORAGE_CONNECTION_STRING, tokenAccess: storageTokenAccess(c), tablePrefix: c.STORAGE_TABLE_PREFIX },
    managedIdentityClientId: managedIdentityClientId(c),
    telemetry: { connectionString: c.APPLICATIONINSIGHTS_CONNECTION_STRING },
    partnerCenter: {
      baseUrl: c.PARTNER_CENTER_BASE_URL.replace(/\/+$/, ''),
      principalsPath: c.PARTNER_CENTER_PRINCIPALS_PATH,
      tenantId: canonicalId(c.PARTNER_TENANT_ID),
      clientId: c.PARTNER_CENTER_CLIENT_ID,
    },
    graph: {
      baseUrl: c.GRAPH_BASE_URL.replace(/\/+$/, ''),
      signInsPath: c.GRAPH_SIGNINS_PATH,
      clientId: c.GRAPH_CLIENT_ID ?? c.BOT_ID,
      clientSecret: c.GRAPH_CLIENT_SECRET ?? c.BOT_PASSWORD,
      tenantId: canonicalId(c.PARTNER_TENANT_ID),
      auth: graphAuth(c),
    },
    identityEndpointOverride: c.IDENTITY_ENDPOINT_OVERRIDE?.replace(/\/+$/, ''),
    tokenEncryptionKey: Buffer.from(c.TOKEN_ENCRYPTION_KEY, 'base64'),
    previousTokenEncryptionKeys: c.TOKEN_ENCRYPTION_KEYS_PREVIOUS.map((k) => Buffer.from(k, 'base64')),
    adminAadObjectIds: c.ADMIN_AAD_OBJECT_IDS.map(canonicalId),
    syncIntervalMinutes: c.SYNC_INTERVAL_MINUTES,
    defaultTimezone: c.DEFAULT_TIMEZONE,
    teams: { appCatalogId: c.TEAMS_APP_CATALOG_ID, serviceUrl: c.TEAMS_SERVICE_URL },
    links: { mfaSetup: c.MFA_SETUP_URL, securityInfo: c.SECURITY_INFO_URL },
    logLevel: c.LOG_LEVEL,
    logPretty: c.LOG_PRETTY,
    localMode,
    approverAadObjectIds: (c.APPROVER_AAD_OBJECT_IDS.length > 0 ? c.APPROVER_AAD_OBJECT_IDS : c.ADMIN_AAD_OBJECT_IDS).map(canonicalId),
    exceptionApprovalsRequired: c.EXCEPTION_APPROVALS_REQUIRED,
    partnerId: c.PARTNER_ID,
    publicBaseUrl: c.PUBLIC_BASE_URL?.replace(/\/+$/, ''),
    businessCalendar: checked('BUSINESS_TIMEZONE / BUSINESS_DAYS / BUSINESS_HOURS / HOLIDAY_COUNTRY', () =>
      createBusinessCalendar({
        zone: c.BUSINESS_TIMEZONE ?? c.DEFAULT_TIMEZONE,
        workingDays: weekdays('BUSINESS_DAYS', c.BUSINESS_DAYS),
        workingHours: window('BUSINESS_HOURS', c.BUSINESS_HOURS),
        ...(c.HOLIDAY_COUNTRY ? { holidays: { country: c.HOLIDAY_COUNTRY, state: c.HOLIDAY_STATE, region: c.HOLIDAY_REGION } } : {}),
      }),
    ),
    nudgePolicy: checked('NUDGE_*', () =>
      createNudgePolicy({
        reminderEveryBusinessDays: c.NUDGE_REMINDER_EVERY_BUSINESS_DAYS,
        workingHours: window('NUDGE_WORKING_HOURS', c.NUDGE_WORKING_HOURS),
        workingDays: weekdays('NUDGE_WORKING_DAYS', c.NUDGE_WORKING_DAYS),
        ...(c.NUDGE_QUIET_HOURS ? { quietHours: window('NUDGE_QUIET_HOURS', c.NUDGE_QUIET_HOURS) } : {}),
        maxRemindersBeforeEscalation: c.NUDGE_MAX_REMINDERS,
        snooze: { maxDays: c.NUDGE_SNOOZE_MAX_DAYS, maxTimes: c.NUDGE_SNOOZE_MAX_TIMES },
        escalation: escalationSteps(c.NUDGE_ESCALATION),
      }),
    ),
    sweeps: { nudgeMinutes: c.NUDGE_SWEEP_MINUTES, slaMinutes: c.SLA_SWEEP_MINUTES },
    exceptionDeadlines: { approvalBusinessDays: c.EXCEPTION_APPROVAL_BUSINESS_DAYS, filingBusinessDays: FILING_BUSINESS_DAYS },
    roleGroups: { adminGroupId: c.ADMIN_GROUP_ID, approverGroupId: c.APPROVER_GROUP_ID, refreshMinutes: c.ROLE_REFRESH_MINUTES },
    tab: tabAuth(c, localMode),
  };
}


export { configSchema };
