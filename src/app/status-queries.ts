import type { Clock } from '../domain/clock';
import type { Principal } from '../domain/compliance';
import { describeUnreachable, type UserContact } from '../domain/conversation';
import type { UserIntegration } from '../domain/integrations';
import type { SyncRun } from '../domain/sync-run';
import type { ContactStore, PartnerCenterAuth, PrincipalStore, SyncRunStore } from './ports';

export interface StatusDeps {
  tenantId: string;
  principals: Pick<PrincipalStore, 'listAll' | 'get'>;
  contacts: Pick<ContactStore, 'get' | 'listUnreachable'>;
  syncRuns: Pick<SyncRunStore, 'latest'>;
  auth: Pick<PartnerCenterAuth, 'status'>;
  syncIntervalMinutes: number;
  clock: Clock;
  /** The apps whose recent non-MFA requests ran as each user (the integration inventory). */
  integrationsOfUsers?: () => Promise<(objectId: string) => readonly UserIntegration[]>;
}

export interface UnreachableUser {
  aadObjectId: string;
  upn: string;
  reason: string;
  since: Date;
  /** Apps whose recent non-MFA requests ran as them: why Partner Center lists the account. */
  integrations?: readonly UserIntegration[];
}

export interface AdminSummary {
  nonCompliantNow: number;
  verificationPending: number;
  newSinceLastSync: number;
  resolvedLastSync: number;
  unreachable: UnreachableUser[];
  lastSync?: SyncRun;
  lastSuccessfulSync?: SyncRun;
  connection: { connected: boolean; account?: string; tokenHasMfa?: boolean; partnerCenterSaysCompliant?: boolean };
  nextSyncAt?: Date;
}

export function createStatusQueries(deps: StatusDeps) {
  return {
    async userStatus(objectId: string): Promise<{ principal?: Principal; contact?: UserContact }> {
      const [principal, contact] = await Promise.all([deps.principals.get(deps.tenantId, objectId), deps.contacts.get(deps.tenantId, objectId)]);
      return { principal, contact };
    },

    async adminSummary(): Promise<AdminSummary> {
      const [principals, unreachableContacts, runs, connection, appsOf] = await Promise.all([
        deps.principals.listAll(deps.tenantId),
        deps.contacts.listUnreachable(deps.tenantId),
        deps.syncRuns.latest(deps.tenantId, 20),
        deps.auth.status(),
        deps.integrationsOfUsers?.() ?? Promise.resolve(undefined),
      ]);
      const byId = new Map(principals.map((p) => [p.objectId, p]));
      const lastSync = runs[0];
      const lastSuccessfulSync = runs.find((r) => r.outcome === 'succeeded');
      const counts = lastSync?.counts;
      const unreachable: UnreachableUser[] = [];
      for (const c of unreachableContacts) {
        const p = byId.get(c.aadObjectId);
        // Only people we still need to reach matter to the admin.
        if (!c.unreachable || p?.status === 'compliant') continue;
        const integrations = appsOf?.(c.aadObjectId) ?? [];
        unreachable.push({
          aadObjectId: c.aadObjectId,
          upn: p?.upn ?? c.aadObjectId,
          reason: describeUnreachable(c.unreachable.reason),
          since: c.unreachable.at,
          ...(integrations.length > 0 ? { integrations } : {}),
        });
      }
      unreachable.sort((a, b) => a.since.getTime() - b.since.getTime());
      const lastRunWithToken = runs.find((r) => r.tokenHasMfa !== undefined);
      return {
        nonCompliantNow: principals.filter((p) => p.status === 'nonCompliant').length,
        verificationPending: principals.filter((p) => p.status === 'verificationPending').length,
        newSinceLastSync: (counts?.new ?? 0) + (counts?.reappeared ?? 0),
        resolvedLastSync: counts?.resolved ?? 0,
        unreachable,
        lastSync,
        lastSuccessfulSync,
        connection: {
          connected: connection.connected,
          account: connection.account,
          tokenHasMfa: lastRunWithToken?.tokenHasMfa,
          partnerCenterSaysCompliant: lastRunWithToken?.partnerCenterSaysMfaCompliant,
        },
        nextSyncAt: lastSync ? new Date(lastSync.startedAt.getTime() + deps.syncIntervalMinutes * 60_000) : undefined,
      };
    },
  };
}

export type StatusQueries = ReturnType<typeof createStatusQueries>;
