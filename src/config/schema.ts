import { z } from 'zod';
import { PUBLISHED_KEYS, weakKeyReason } from './key-quality';

const csv = z
  .string()
  .default('')
  .transform((s) =>
    s
      .split(/[,;\s]+/)
      .map((x) => x.trim())
      .filter((x) => x !== ''),
  );
const url = z.string().url();
const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);
/** https, or http on a loopback host (test doubles of Microsoft's endpoints run there). */
const httpsOrLoopback = url.refine((s) => {
  const u = new URL(s);
  return u.protocol === 'https:' || (u.protocol === 'http:' && LOOPBACK_HOSTS.has(u.hostname));
}, 'must be an https URL (http only on 127.0.0.1, localhost or [::1])');
const optionalString = z
  .string()
  .optional()
  .transform((s) => (s === undefined || s.trim() === '' ? undefined : s.trim()));
const isIanaZone = (zone: string): boolean => {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
};

/**
 * Every key MFA Shepherd reads, in one place. `.describe()` texts are shown in the README table
 * and in the start-up error.
 */
export const configSchema = z
  .object({
    PORT: z.coerce.number().int().min(0).max(65535).default(3978).describe('HTTP port of the bot (/api/messages, /healthz, /readyz); 0 picks a free port.'),
    BIND_HOST: optionalString.describe('Interface to bind. Defaults to 0.0.0.0 with BOT_ID, 127.0.0.1 without (local only).'),
    BOT_ID: optionalString.describe('Microsoft App ID of the bot. Unset = local mode: no incoming auth, loopback only.'),
    BOT_PASSWORD: optionalString.describe('Client secret of the bot app (not for UserAssignedMSI).'),
    BOT_TENANT_ID: optionalString.describe('Tenant of the bot app (SingleTenant / UserAssignedMSI).'),
    BOT_TYPE: z.enum(['MultiTenant', 'SingleTenant', 'UserAssignedMSI']).default('SingleTenant').describe('Bot app type.'),
    BOT_OPENID_METADATA_URL: httpsOrLoopback
      .default('https://login.botframework.com/v1/.well-known/openidconfiguration')
      .describe("OpenID metadata of the Bot Framework channel service: where the keys that sign incoming requests are published (sovereign clouds: that cloud's document)."),
    BOT_TOKEN_ISSUER: z.string().min(1).default('https://api.botframework.com').describe('The only issuer accepted on incoming Bot Framework tokens (sovereign clouds: that cloud\'s issuer).'),
    BOT_LOGIN_URL: httpsOrLoopback.default('https://login.microsoftonline.com/botframework.com').describe('Where the bot gets the tokens it sends to the Bot Connector (sovereign clouds: that cloud\'s login URL).'),
    BOT_OAUTH_SCOPE: z.string().min(1).default('https://api.botframework.com').describe('Audience of the tokens the bot sends to the Bot Connector (sovereign clouds: that cloud\'s scope).'),
    AZURE_STORAGE_CONNECTION_STRING: optionalString.describe('Azure Storage (Tables, Queues) connection string; Azurite locally. In Azure use AZURE_STORAGE_ACCOUNT_NAME instead (no account key).'),
    STORAGE_TABLE_PREFIX: z.string().regex(/^[A-Za-z][A-Za-z0-9]{0,40}$/).default('shepherd').describe('Prefix of every table name (lets several deployments share an account).'),
    PARTNER_TENANT_ID: z.string().min(1).describe("The partner's Entra tenant ID (Partner Center lists this tenant's users)."),
    PARTNER_CENTER_BASE_URL: url.default('https://api.partnercenter.microsoft.com').describe('Partner Center API base URL.'),
    PARTNER_CENTER_PRINCIPALS_PATH: z.string().startsWith('/').default('/v1/nonMfaCompliantPartnerPrincipals').describe('Path of the non-MFA principals endpoint (older docs: /pcapi/v1/...).'),
    PARTNER_CENTER_CLIENT_ID: optionalString.describe('App registration used for the Secure Application Model consent (public client flows enabled).'),
    GRAPH_BASE_URL: url.default('https://graph.microsoft.com').describe('Microsoft Graph base URL.'),
    GRAPH_SIGNINS_PATH: z.string().regex(/^\/(v1\.0|beta)\/auditLogs\/signIns$/).default('/v1.0/auditLogs/signIns').describe("Path of Graph's sign-in logs: /v1.0/auditLogs/signIns, or /beta/auditLogs/signIns (adds mfaDetail)."),
    GRAPH_CLIENT_ID: optionalString.describe('App with AuditLog.Read.All, UserAuthenticationMethod.Read.All, TeamsAppInstallation.ReadWriteSelfForUser.All, User.Read.All, Domain.Read.All. Defaults to BOT_ID.'),
    GRAPH_CLIENT_SECRET: optionalString.describe('Secret of GRAPH_CLIENT_ID. Defaults to BOT_PASSWORD.'),
    IDENTITY_ENDPOINT_OVERRIDE: optionalString.pipe(url.optional()).describe('Sandbox only: where sign-in calls to login.microsoftonline.com are sent.'),
    TOKEN_ENCRYPTION_KEY: z
      .string()
      .refine((s) => Buffer.from(s, 'base64').length === 32, 'must be 32 bytes, base64 encoded (openssl rand -base64 32)')
      .describe('Key (base64, 32 bytes: openssl rand -base64 32) that encrypts the Partner Center token cache at rest and signs export links. Keep it in Key Vault. With BOT_ID set, published and low-entropy keys are refused.'),
    TOKEN_ENCRYPTION_KEYS_PREVIOUS: csv
      .refine((keys) => keys.every((s) => Buffer.from(s, 'base64').length === 32), 'must be a comma-separated list of 32-byte base64 keys')
      .describe('Rotation: retired TOKEN_ENCRYPTION_KEY values (base64, comma-separated). They still decrypt what they encrypted; only TOKEN_ENCRYPTION_KEY encrypts. Remove one once every secret was rewritten (the token cache is on each sync).'),
    ADMIN_AAD_OBJECT_IDS: csv.describe('Comma-separated AAD object IDs of the security admins.'),
    SYNC_INTERVAL_MINUTES: z.coerce.number().int().min(1).max(1440).default(60).describe('Minutes between scheduled Partner Center syncs.'),
    DEFAULT_TIMEZONE: z.string().default('UTC').refine(isIanaZone, 'must be an IANA time zone such as Europe/Berlin').describe('Time zone for users whose Teams client has not told us theirs.'),
    TEAMS_APP_CATALOG_ID: optionalString.describe("The app's ID in the org catalog, for proactive installation through Graph. Unset = users must install the app."),
    TEAMS_SERVICE_URL: url.default('https://smba.trafficmanager.net/teams/').describe('Bot Connector service URL for conversations the bot starts.'),
    MFA_SETUP_URL: url.default('https://aka.ms/mfasetup').describe('Where users register MFA.'),
    SECURITY_INFO_URL: url.default('https://mysignins.microsoft.com/security-info').describe('Where users manage their sign-in methods.'),
    APPROVER_AAD_OBJECT_IDS: csv.describe('AAD object IDs who approve technical-exception requests. Empty = the admins (ADMIN_AAD_OBJECT_IDS).'),
    EXCEPTION_APPROVALS_REQUIRED: z.coerce.number().int().min(1).max(2).default(1).describe('Different approvers (never the requester) who must approve an exception request: 1 or 2.'),
    PARTNER_ID: optionalString.describe("The partner's Partner ID (formerly MPN ID), printed on the Partner Center submission of exception requests."),
    ADMIN_GROUP_ID: optionalString.describe('Entra group whose (transitive) members are admins, besides ADMIN_AAD_OBJECT_IDS. Needs the Graph application permission GroupMember.Read.All.'),
    APPROVER_GROUP_ID: optionalString.describe('Entra group whose (transitive) members approve exception requests, besides APPROVER_AAD_OBJECT_IDS (GroupMember.Read.All).'),
    ROLE_REFRESH_MINUTES: z.coerce.number().int().min(1).max(1440).default(5).describe('Minutes between reads of the role groups: a membership change applies within this time, no restart.'),
    TAB_AUDIENCE: optionalString.describe("Audience of the Compliance tab's SSO tokens (webApplicationInfo.resource, api://<host>/<BOT_ID>). Default: that, from PUBLIC_BASE_URL and BOT_ID; in local mode the sandbox's."),
    TAB_JWKS_URL: optionalString.pipe(url.optional()).describe("Where the tab's token signing keys are published. Default: Entra's (https://login.microsoftonline.com/<PARTNER_TENANT_ID>/discovery/v2.0/keys), or the sandbox's through IDENTITY_ENDPOINT_OVERRIDE."),
    TAB_ISSUER_BASE_URL: optionalString.pipe(url.optional()).describe('Base of the accepted token issuer, https://login.microsoftonline.com by default (v1 tokens from https://sts.windows.net are accepted too).'),
    PUBLIC_BASE_URL: optionalString.pipe(url.optional()).describe("The bot's public https base URL, for CSV download links. Default: http://<BIND_HOST>:<PORT> in local mode."),
    BUSINESS_TIMEZONE: optionalString.describe('IANA time zone of the business calendar (the 3-business-day SLA). Default: DEFAULT_TIMEZONE.'),
    BUSINESS_DAYS: z.string().default('1,2,3,4,5').describe('Working days of the business calendar, ISO weekdays (1 = Monday … 7 = Sunday), comma-separated.'),
    BUSINESS_HOURS: z.string().default('09:00-17:00').describe('Working hours of the business calendar, HH:mm-HH:mm in BUSINESS_TIMEZONE.'),
    HOLIDAY_COUNTRY: optionalString.describe('Public holidays that close the office: ISO country code (date-holidays), e.g. DE. Unset = none.'),
    HOLIDAY_STATE: optionalString.describe('State or province code within HOLIDAY_COUNTRY, e.g. BY.'),
    HOLIDAY_REGION: optionalString.describe('Region code within HOLIDAY_STATE.'),
    NUDGE_REMINDER_EVERY_BUSINESS_DAYS: z.coerce.number().default(2).describe('A reminder every N business days after the first notice or the previous reminder.'),
    NUDGE_WORKING_HOURS: z.string().default('09:00-17:00').describe("Hours (HH:mm-HH:mm, the recipient's own time zone) in which nudges are sent."),
    NUDGE_WORKING_DAYS: z.string().default('1,2,3,4,5').describe('Days on which nudges are sent, ISO weekdays, comma-separated.'),
    NUDGE_QUIET_HOURS: optionalString.describe('Never nudge in this window (HH:mm-HH:mm), e.g. 12:00-13:00. Unset = none.'),
    NUDGE_MAX_REMINDERS: z.coerce.number().default(3).describe('Reminders before escalation begins.'),
    NUDGE_SNOOZE_MAX_DAYS: z.coerce.number().default(14).describe('Longest snooze a user may choose, in days (Entra: up to 14).'),
    NUDGE_SNOOZE_MAX_TIMES: z.coerce.number().default(3).describe('How many times a user may snooze per episode (Entra: 3).'),
    NUDGE_ESCALATION: z.string().default('manager:0,admins:2').describe("Escalation steps after the last reminder: target:business-days-after-previous, in order; the last is 'admins'. Empty = none."),
    NUDGE_SWEEP_MINUTES: z.coerce.number().int().min(1).max(1440).default(15).describe('Minutes between nudge sweeps.'),
    SLA_SWEEP_MINUTES: z.coerce.number().int().min(1).max(1440).default(15).describe('Minutes between SLA sweeps of exception requests.'),
    EXCEPTION_APPROVAL_BUSINESS_DAYS: z.coerce
      .number()
      .int()
      .min(1)
      .max(20)
      .default(2)
      .describe("The approvers' deadline: business days from submission for review, on the partner calendar (closures pause it). Approvers are reminded the day it is due, the admins once it is overdue."),
    LOG_LEVEL: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info').describe('Log level.'),
    LOG_PRETTY: z.enum(['true', 'false']).default('false').transform((v) => v === 'true').describe('Human-readable logs (local development; needs the pino-pretty dev dependency).'),
    // Azure deployment: identity-based storage access, the managed identity, telemetry.
    AZURE_STORAGE_ACCOUNT_NAME: optionalString
      .pipe(z.string().regex(/^[a-z0-9]{3,24}$/, 'must be a storage account name (3-24 lowercase letters and digits)').optional())
      .describe('Storage account reached with a Microsoft Entra token (managed identity) instead of a connection string: https://<name>.table.core.windows.net and .queue.'),
    AZURE_STORAGE_TABLE_ENDPOINT: optionalString.pipe(url.optional()).describe('Table endpoint for token access, when not <account>.table.core.windows.net (sovereign clouds, Azurite over https).'),
    AZURE_STORAGE_QUEUE_ENDPOINT: optionalString.pipe(url.optional()).describe('Queue endpoint for token access, when not <account>.queue.core.windows.net.'),
    MANAGED_IDENTITY_CLIENT_ID: optionalString.describe('Client id of the user-assigned managed identity for Storage and Graph tokens. Default: BOT_ID when BOT_TYPE=UserAssignedMSI; unset otherwise (DefaultAzureCredential).'),
    APPLICATIONINSIGHTS_CONNECTION_STRING: optionalString.describe('Application Insights connection string: traces, logs and metrics go to Azure Monitor through OpenTelemetry. Unset = telemetry off.'),
    NODE_ENV: z.string().optional(),
  })
  .superRefine((c, ctx) => {
    if (!c.BOT_ID && c.BIND_HOST && !['127.0.0.1', '::1', 'localhost'].includes(c.BIND_HOST)) {
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        path: ['BIND_HOST'],
        message: 'must be a loopback address (127.0.0.1, ::1, localhost) while BOT_ID is unset: without BOT_ID nobody checks who calls /api/messages',
      });
    }
    if (c.BOT_ID && c.BOT_TYPE !== 'UserAssignedMSI' && !c.BOT_PASSWORD) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['BOT_PASSWORD'], message: 'is required when BOT_ID is set (unless BOT_TYPE=UserAssignedMSI)' });
    }
    if (c.BOT_ID) {
      const weak = weakKeyReason(Buffer.from(c.TOKEN_ENCRYPTION_KEY, 'base64'));
      if (weak) ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['TOKEN_ENCRYPTION_KEY'], message: weak });
      c.TOKEN_ENCRYPTION_KEYS_PREVIOUS.forEach((key, i) => {
        // A published key may be retired (it decrypts what it once encrypted), never current.
        if (weakKeyReason(Buffer.from(key, 'base64')) && PUBLISHED_KEYS.every((p) => p !== key)) {
          ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['TOKEN_ENCRYPTION_KEYS_PREVIOUS', i], message: 'holds a low-entropy key: previous keys must be keys this deployment really used' });
        }
      });
      if (!c.PUBLIC_BASE_URL) {
        ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['PUBLIC_BASE_URL'], message: "is required when BOT_ID is set: the bot's public https address (e.g. https://mfa-shepherd.azurewebsites.net), for export download links" });
      } else if (!c.PUBLIC_BASE_URL.startsWith('https://')) {
        ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['PUBLIC_BASE_URL'], message: 'must be an https:// URL when BOT_ID is set: download links are bearer links and must not travel in clear text' });
      }
    }
    if (c.IDENTITY_ENDPOINT_OVERRIDE && !LOOPBACK_HOSTS.has(new URL(c.IDENTITY_ENDPOINT_OVERRIDE).hostname)) {
      // It receives every sign-in the bot makes (Partner Center refresh tokens, Graph and bot
      // credentials): only the local sandbox may stand in for Entra ID.
      ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['IDENTITY_ENDPOINT_OVERRIDE'], message: 'must be a loopback URL (the local sandbox): it receives every sign-in the bot makes. Never set it in Azure.' });
    }
    if (c.BOT_ID && c.BOT_TYPE !== 'MultiTenant' && !c.BOT_TENANT_ID) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['BOT_TENANT_ID'], message: `is required when BOT_TYPE=${c.BOT_TYPE}` });
    }
    const tokenStorage = c.AZURE_STORAGE_ACCOUNT_NAME !== undefined || c.AZURE_STORAGE_TABLE_ENDPOINT !== undefined || c.AZURE_STORAGE_QUEUE_ENDPOINT !== undefined;
    if (!c.AZURE_STORAGE_CONNECTION_STRING && !tokenStorage) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['AZURE_STORAGE_CONNECTION_STRING'], message: 'must be set, or else AZURE_STORAGE_ACCOUNT_NAME (or both endpoints) for access with the managed identity' });
    }
    if (c.AZURE_STORAGE_CONNECTION_STRING && tokenStorage) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['AZURE_STORAGE_CONNECTION_STRING'], message: 'and AZURE_STORAGE_ACCOUNT_NAME / _ENDPOINT are both set: choose one way to reach storage' });
    }
    if (!c.AZURE_STORAGE_ACCOUNT_NAME && (c.AZURE_STORAGE_TABLE_ENDPOINT === undefined) !== (c.AZURE_STORAGE_QUEUE_ENDPOINT === undefined)) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['AZURE_STORAGE_QUEUE_ENDPOINT'], message: 'AZURE_STORAGE_TABLE_ENDPOINT and AZURE_STORAGE_QUEUE_ENDPOINT go together (or set AZURE_STORAGE_ACCOUNT_NAME)' });
    }
  });

export type RawConfig = z.infer<typeof configSchema>;
