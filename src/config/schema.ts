import { z } from 'zod';

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
    AZURE_STORAGE_CONNECTION_STRING: z.string().min(1).describe('Azure Storage (Tables) connection string; Azurite locally.'),
    STORAGE_TABLE_PREFIX: z.string().regex(/^[A-Za-z][A-Za-z0-9]{0,40}$/).default('shepherd').describe('Prefix of every table name (lets several deployments share an account).'),
    PARTNER_TENANT_ID: z.string().min(1).describe("The partner's Entra tenant ID (Partner Center lists this tenant's users)."),
    PARTNER_CENTER_BASE_URL: url.default('https://api.partnercenter.microsoft.com').describe('Partner Center API base URL.'),
    PARTNER_CENTER_PRINCIPALS_PATH: z.string().startsWith('/').default('/v1/nonMfaCompliantPartnerPrincipals').describe('Path of the non-MFA principals endpoint (older docs: /pcapi/v1/...).'),
    PARTNER_CENTER_CLIENT_ID: optionalString.describe('App registration used for the Secure Application Model consent (public client flows enabled).'),
    GRAPH_BASE_URL: url.default('https://graph.microsoft.com').describe('Microsoft Graph base URL.'),
    GRAPH_CLIENT_ID: optionalString.describe('App with AuditLog.Read.All, UserAuthenticationMethod.Read.All, TeamsAppInstallation.ReadWriteSelfForUser.All. Defaults to BOT_ID.'),
    GRAPH_CLIENT_SECRET: optionalString.describe('Secret of GRAPH_CLIENT_ID. Defaults to BOT_PASSWORD.'),
    IDENTITY_ENDPOINT_OVERRIDE: optionalString.pipe(url.optional()).describe('Sandbox only: where sign-in calls to login.microsoftonline.com are sent.'),
    TOKEN_ENCRYPTION_KEY: z
      .string()
      .refine((s) => Buffer.from(s, 'base64').length === 32, 'must be 32 bytes, base64 encoded (openssl rand -base64 32)')
      .describe('Key (base64, 32 bytes) that encrypts the Partner Center token cache at rest. Keep it in Key Vault.'),
    ADMIN_AAD_OBJECT_IDS: csv.describe('Comma-separated AAD object IDs of the security admins.'),
    SYNC_INTERVAL_MINUTES: z.coerce.number().int().min(1).max(1440).default(60).describe('Minutes between scheduled Partner Center syncs.'),
    DEFAULT_TIMEZONE: z.string().default('UTC').refine(isIanaZone, 'must be an IANA time zone such as Europe/Berlin').describe('Time zone for users whose Teams client has not told us theirs.'),
    TEAMS_APP_CATALOG_ID: optionalString.describe("The app's ID in the org catalog, for proactive installation through Graph. Unset = users must install the app."),
    TEAMS_SERVICE_URL: url.default('https://smba.trafficmanager.net/teams/').describe('Bot Connector service URL for conversations the bot starts.'),
    MFA_SETUP_URL: url.default('https://aka.ms/mfasetup').describe('Where users register MFA.'),
    SECURITY_INFO_URL: url.default('https://mysignins.microsoft.com/security-info').describe('Where users manage their sign-in methods.'),
    LOG_LEVEL: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info').describe('Log level.'),
    LOG_PRETTY: z.enum(['true', 'false']).default('false').transform((v) => v === 'true').describe('Human-readable logs (local development; needs the pino-pretty dev dependency).'),
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
    if (c.BOT_ID && c.BOT_TYPE !== 'MultiTenant' && !c.BOT_TENANT_ID) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['BOT_TENANT_ID'], message: `is required when BOT_TYPE=${c.BOT_TYPE}` });
    }
  });

export type RawConfig = z.infer<typeof configSchema>;
