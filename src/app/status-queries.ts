import type { Clock } from '../domain/clock';
import type { Principal } from '../domain/compliance';
import { describeUnreachable, type UserContact } from '../domain/conversation';
import type { UserIntegration } from '../domain/integrations';
import { needsReconnect, type SyncRun } from '../domain/sync-run';
import { trendOf, type TrendPoint } from './dashboard';
import type { ContactStore, PartnerCenterAuth, PrincipalStore, SyncRunStore } from './ports';

export interface StatusDeps {
  tenantId: string;
  principals: Pick<PrincipalStore, 'listAll' | 'get'>;
  contacts: Pick<ContactStore, 'get' | 'listUnreachable'>;
  syncRuns: Pick<SyncRunStore, 'latest'> & Partial<Pick<SyncRunStore, 'since'>>;
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
  /** Per day over the last 14 days, oldest first (the card's compact chart). */
  trend?: TrendPoint[];
  connection: {
    connected: boolean;
    account?: string;
    tokenHasMfa?: boolean;
    partnerCenterSaysCompliant?: boolean;
    /**
     * The syncs since `since` failed in a way only a reconnect fixes, and nobody reconnected after
     * the last of them: the stored sign-in exists but does not work.
     */
    reconnectNeeded?: { since: Date; outcome: string; reason?: string };
  };
  nextSyncAt?: Date;
}

/** Days of history in the chat card's compact chart. */
const TREND_CARD_DAYS = 14;

/** The failure streak (newest first) that only a reconnect fixes, unless an admin connected after it. */
export function reconnectState(runs: readonly SyncRun[], connectedAt: Date | undefined): AdminSummary['connection']['reconnectNeeded'] {
  const last = runs[0];
  if (last === undefined || !needsReconnect(last.outcome)) return undefined;
  if (connectedAt !== undefined && connectedAt.getTime() >= last.finishedAt.getTime()) return undefined;
  let first = last;
  for (const run of runs) {
    if (!needsReconnect(run.outcome)) break;
    first = run;
  }
  return { since: first.finishedAt, outcome: last.outcome, reason: last.errorMessage };
}

export function createStatusQueries(deps: StatusDeps) {
  return {
    async userStatus(objectId: string): Promise<{ principal?: Principal; contact?: UserContact }> {
      const [principal, contact] = await Promise.all([deps.principals.get(deps.tenantId, objectId), deps.contacts.get(deps.tenantId, objectId)]);
      return { principal, contact };
    },

    async adminSummary(): Promise<AdminSummary> {
      const [principals, unreachableContacts, runs, connection, recent, appsOf] = await Promise.all([
        deps.principals.listAll(deps.tenantId),
        deps.contacts.listUnreachable(deps.tenantId),
        deps.syncRuns.latest(deps.tenantId, 20),
        deps.auth.status(),
        deps.syncRuns.since?.(deps.tenantId, new Date(deps.clock.now().getTime() - TREND_CARD_DAYS * 86_400_000)),
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
      const reconnectNeeded = reconnectState(runs, connection.connectedAt);
      // While a reconnect is needed, an earlier run's "token carries MFA" says nothing about now.
      const lastRunWithToken = reconnectNeeded ? lastSync : runs.find((r) => r.tokenHasMfa !== undefined);
      return {
        nonCompliantNow: principals.filter((p) => p.status === 'nonCompliant').length,
        verificationPending: principals.filter((p) => p.status === 'verificationPending').length,
        newSinceLastSync: (counts?.new ?? 0) + (counts?.reappeared ?? 0),
        resolvedLastSync: counts?.resolved ?? 0,
        unreachable,
        lastSync,
        lastSuccessfulSync,
        ...(recent ? { trend: trendOf(recent) } : {}),
        connection: {
          connected: connection.connected,
          account: connection.account,
          // A refused token that carried MFA is no reason to say "Yes"; one without MFA still says "No".
          tokenHasMfa: reconnectNeeded && lastRunWithToken?.tokenHasMfa !== false ? undefined : lastRunWithToken?.tokenHasMfa,
          partnerCenterSaysCompliant: lastRunWithToken?.partnerCenterSaysMfaCompliant,
          ...(reconnectNeeded ? { reconnectNeeded } : {}),
        },
        nextSyncAt: lastSync ? new Date(lastSync.startedAt.getTime() + deps.syncIntervalMinutes * 60_000) : undefined,
      };
    },
  };
}

export type StatusQueries = ReturnType<typeof createStatusQueries>;
