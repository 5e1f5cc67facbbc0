import { existsSync } from 'node:fs';
import path from 'node:path';
import { createAdminAuditRecorder, type RecordAdminAction } from './app/admin-audit';
import { createDashboard, type DashboardDeps } from './app/dashboard';
import { createDashboardActions } from './app/dashboard-actions';
import { createExclusions } from './app/exclusions';
import type { Logger, Outbox, PartnerCenterAuth } from './app/ports';
import { createRoles, type Roles } from './app/roles';
import type { Sla } from './app/sla';
import type { DashboardRouteDeps } from './bot/dashboard-routes';
import { createTabTokenValidator } from './bot/tab-auth';
import type { Config } from './config';
import { adminSet } from './domain/authorization';
import type { Clock } from './domain/clock';
import { AppError, ErrorCodes } from './domain/errors';
import { createGroupMembersClient } from './integrations/graph/group-members';
import type { HttpClient } from './integrations/http';
import type { Storage } from './storage';

/** Roles from the id lists and the Entra groups; one instance answers chat and tab alike. */
export function composeRoles(config: Config, parts: { http: HttpClient; getGraphToken: () => Promise<string>; logger: Logger }): Roles {
  return createRoles({
    adminIds: adminSet(config.adminAadObjectIds),
    approverIds: adminSet(config.approverAadObjectIds),
    adminGroupId: config.roleGroups.adminGroupId,
    approverGroupId: config.roleGroups.approverGroupId,
    approversDefaultToAdmins: config.approverAadObjectIds.join(',') === config.adminAadObjectIds.join(','),
    groups: createGroupMembersClient({ baseUrl: config.graph.baseUrl, getToken: parts.getGraphToken, http: parts.http }),
    logger: parts.logger,
  });
}

/** The package root (where package.json is), from src/ under tsx or dist/src/ when built. */
function packageRoot(): string {
  let dir = __dirname;
  while (!existsSync(path.join(dir, 'package.json')) && path.dirname(dir) !== dir) dir = path.dirname(dir);
  return dir;
}

/** Where vite puts the built Compliance tab. */
export const TAB_STATIC_DIR = path.join(packageRoot(), 'dist', 'tab');

/** The Compliance tab's use cases and its routes' dependencies. */
export function composeDashboard(parts: {
  config: Config;
  storage: Storage;
  roles: Roles;
  auth: Pick<PartnerCenterAuth, 'status'>;
  sla: Pick<Sla, 'calendar'>;
  outbox: Outbox;
  http: HttpClient;
  clock: Clock;
  logger: Logger;
  ids: { newId(): string };
  audit: RecordAdminAction;
  /** The integration inventory's apps per account, for the who-list. */
  integrationsOfUsers?: DashboardDeps['integrationsOfUsers'];
}): { routes: DashboardRouteDeps; invalidate: () => void } {
  const { config, storage, clock, logger, ids, audit } = parts;
  const tenantId = config.partnerCenter.tenantId;
  const exclusions = createExclusions({ tenantId, store: storage.exclusions, clock, audit });
  const dashboard = createDashboard({
    tenantId,
    principals: storage.principals,
    contacts: storage.contacts,
    nudges: storage.nudges,
    exceptions: storage.exceptions,
    exclusions: storage.exclusions,
    syncRuns: storage.syncRuns,
    adminAudit: storage.adminAudit,
    auth: parts.auth,
    sla: parts.sla,
    audit,
    clock,
    ...(parts.integrationsOfUsers ? { integrationsOfUsers: parts.integrationsOfUsers } : {}),
  });
  const actions = createDashboardActions({
    tenantId,
    dashboard,
    exclusions,
    outbox: parts.outbox,
    principals: storage.principals,
    nudges: storage.nudges,
    policy: config.nudgePolicy,
    zoneOf: async (id) => (await storage.contacts.get(tenantId, id))?.timezone ?? config.defaultTimezone,
    audit,
    ids,
    clock,
  });
  const sandboxOrigin = config.localMode && config.identityEndpointOverride ? new URL(config.identityEndpointOverride).origin : undefined;
  const devToken = sandboxOrigin
    ? async (oid: string) => {
        const response = await parts.http.send({ method: 'POST', url: `${sandboxOrigin}/_sandbox/tokens/tab`, headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ oid, audience: config.tab.audiences[0] }) });
        const body = JSON.parse(response.text) as { token?: string; error?: { message?: string } };
        if (response.status !== 200 || typeof body.token !== 'string') {
          throw new AppError(response.status === 404 ? ErrorCodes.NotFound : ErrorCodes.IdentityUnavailable, `The sandbox gave no tab token: ${body.error?.message ?? `HTTP ${response.status}`}`, { status: response.status });
        }
        return body.token;
      }
    : undefined;
  const routes: DashboardRouteDeps = {
    validate: createTabTokenValidator({ jwksUrl: config.tab.jwksUrl, issuers: config.tab.issuers, audiences: config.tab.audiences, tenantId, clock }),
    roles: parts.roles,
    dashboard,
    actions,
    audit,
    logger,
    staticDir: TAB_STATIC_DIR,
    localMode: config.localMode,
    mfaSetupUrl: config.links.mfaSetup,
    ...(devToken ? { devToken } : {}),
    ...(config.localMode && config.adminAadObjectIds[0] ? { devUser: config.adminAadObjectIds[0] } : {}),
  };
  return { routes, invalidate: () => dashboard.invalidate() };
}

/** The admin audit recorder, shared by chat, the tab and the download links. */
export function composeAdminAudit(parts: { config: Config; storage: Storage; clock: Clock; logger: Logger; ids: { newId(): string } }): RecordAdminAction {
  return createAdminAuditRecorder({ store: parts.storage.adminAudit, tenantId: parts.config.partnerCenter.tenantId, clock: parts.clock, ids: parts.ids, logger: parts.logger });
}
