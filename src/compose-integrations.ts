import { createCheckConnection } from './app/check-connection';
import { createIncidents } from './app/incidents';
import { createIntegrations } from './app/integrations';
import { createUserIntegrations } from './app/user-integrations';
import type { IdGenerator, Logger, Outbox, PartnerCenterAuth } from './app/ports';
import { registerIncidentRoute } from './bot/incident-route';
import type { IntegrationFeature } from './bot/integration-handlers';
import { incidentAlertCard, integrationAlertCard } from './cards';
import type { Config } from './config';
import { adminSet } from './domain/authorization';
import type { Clock } from './domain/clock';
import { fixFor } from './domain/integrations';
import { decodeJwtPayload } from './integrations/identity';
import type { PartnerCenterClient } from './integrations/partner-center';
import { createIntegrationStorage, type IntegrationStorage, type IntegrationStorageOptions } from './storage/integrations';
import type { StorageRetryOptions } from './storage';

/** The integration watch wired from its parts: inventory, incidents, probe, the intake route. */
export async function composeIntegrations(parts: {
  config: Config;
  partnerCenter: PartnerCenterClient;
  auth: Pick<PartnerCenterAuth, 'getAccessToken'>;
  outbox: Pick<Outbox, 'enqueue'>;
  clock: Clock;
  logger: Logger;
  ids: IdGenerator;
  storage?: { retryOptions?: Partial<StorageRetryOptions>; requestTimeoutMs?: number };
  /** Storage reached with a Microsoft Entra token (no connection string), as for the other tables. */
  tokenAccess?: IntegrationStorageOptions['tokenAccess'];
  /** Incidents per second per intake key (sustained) and burst. */
  intakeRate?: { perSecond: number; burst: number };
}) {
  const { config, clock, logger } = parts;
  const storage: IntegrationStorage = await createIntegrationStorage({
    connectionString: config.storage.connectionString,
    tokenAccess: parts.tokenAccess,
    tablePrefix: config.storage.tablePrefix,
    retryOptions: parts.storage?.retryOptions,
    requestTimeoutMs: parts.storage?.requestTimeoutMs ?? 8_000,
  });
  const admins = adminSet(config.adminAadObjectIds);
  const incidents = createIncidents({
    tenantId: config.partnerCenter.tenantId,
    incidents: storage.incidents,
    integrations: storage.integrations,
    keys: storage.intakeKeys,
    settings: storage.settings,
    outbox: parts.outbox,
    adminIds: config.adminAadObjectIds,
    clock,
    logger,
    rate: parts.intakeRate,
    incidentMessage: (view) => ({
      text: `Incident ${view.incident.id}: ${view.integration?.name ?? view.incident.name ?? 'an integration'} got HTTP ${view.incident.status} (${view.incident.errorCode}) from Partner Center`,
      card: incidentAlertCard(view),
    }),
    integrationAlertMessage: (alert, integration) => ({
      text: alert.kind === 'newNonMfaApp' ? `New integration calling Partner Center without MFA: ${alert.name}` : `More calls without MFA from ${alert.name}`,
      card: integrationAlertCard(alert, integration, integration ? fixFor(integration) : ''),
    }),
  });
  const integrations = createIntegrations({
    partnerCenter: parts.partnerCenter.integrations,
    store: storage.integrations,
    adminIds: admins,
    clock,
    logger,
    onAlerts: (alerts, all) => incidents.sendIntegrationAlerts(alerts, all),
  });
  const checkConnection = createCheckConnection({
    auth: parts.auth,
    partnerCenter: parts.partnerCenter.integrations,
    readAmr: (token) => {
      const amr = decodeJwtPayload(token)?.['amr'];
      return Array.isArray(amr) ? amr.map(String) : [];
    },
    adminIds: admins,
    ids: parts.ids,
  });
  const feature: IntegrationFeature = { integrations, incidents, checkConnection };
  return {
    feature,
    storage,
    /** The apps whose recent non-MFA requests ran as each user: first notices and the admin's view name them. */
    integrationsOfUsers: createUserIntegrations({ integrations: storage.integrations, clock }),
    /** Runs inside the principals sync (same lease, same token). */
    syncIntegrations: integrations.sync,
    registerRoutes: (server: Parameters<typeof registerIncidentRoute>[0]) => registerIncidentRoute(server, incidents, logger),
  };
}
