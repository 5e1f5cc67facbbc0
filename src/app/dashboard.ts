import { slaStatus } from '../domain/calendar';
import type { Clock } from '../domain/clock';
import type { ComplianceStatus, Principal } from '../domain/compliance';
import { describeUnreachable } from '../domain/conversation';
import { AppError, ErrorCodes } from '../domain/errors';
import type { ExceptionRequest, ExceptionStatus } from '../domain/exception';
import type { UserIntegration } from '../domain/integrations';
import { isExcluded, type Exclusion } from '../domain/exclusion';
import type { SyncRun } from '../domain/sync-run';
import type { RecordAdminAction } from './admin-audit';
import { toCsv } from './csv';
import type { AdminAuditStore, ContactStore, ExceptionStore, ExclusionStore, NudgeStore, PartnerCenterAuth, PrincipalStore, SyncRunStore } from './ports';
import type { Sla } from './sla';

/**
 * The Compliance tab's queries: the summary with its trend, the who-list, the exception board,
 * the audit, and one's own status. Reads are served from a short-lived snapshot (the tab asks
 * often, the data changes at each sync): once it is older than its TTL the next read starts a
 * rebuild and is still served the previous one, so only the very first read waits for storage.
 * The tab's own writes drop it at once (the next read waits for fresh data).
 */

export const TREND_DAYS = 90;
export const MAX_PAGE_SIZE = 200;
/** The Partner Center refresh token lives 90 days; admins are warned from day 80. */
export const REFRESH_TOKEN_LIFETIME_DAYS = 90;
export const REFRESH_TOKEN_WARN_DAYS = 80;

export interface PrincipalRow {
  objectId: string;
  upn: string;
  status: ComplianceStatus;
  lastNonMfaAt: Date;
  firstDetectedAt: Date;
  recordCount: number;
  reachable: boolean;
  unreachableReason?: string;
  remindersSent: number;
  snoozedUntil?: Date;
  escalationStep?: string;
  exception?: { id: string; status: ExceptionStatus };
  exclusion?: { reason: string; until: Date; by: string };
  /** Apps whose recent non-MFA calls to Partner Center ran as this account (the integration inventory). */
  integrations?: { name: string; applicationId?: string; nonMfa: number }[];
}

export const SORT_KEYS = ['upn', 'status', 'lastNonMfaAt', 'firstDetectedAt', 'remindersSent', 'recordCount'] as const;
export type SortKey = (typeof SORT_KEYS)[number];

export interface PrincipalQuery {
  status?: ComplianceStatus | 'open';
  reachable?: boolean;
  excluded?: boolean;
  /** 'any': has a request; 'none': has none; or one status. */
  exception?: 'any' | 'none' | ExceptionStatus;
  /** Case-insensitive substring of the UPN or object id. */
  search?: string;
  sort?: SortKey;
  descending?: boolean;
  /** 1-based. */
  page?: number;
  pageSize?: number;
}

export interface TrendPoint {
  /** The day (UTC, YYYY-MM-DD). */
  day: string;
  /** Non-compliant after the day's last successful sync. */
  nonCompliant: number;
  new: number;
  resolved: number;
}

export interface DashboardSummary {
  generatedAt: Date;
  counts: { nonCompliant: number; verificationPending: number; compliant: number; unreachable: number; excluded: number; snoozed: number; withException: number };
  trend: TrendPoint[];
  lastSync?: { at: Date; outcome: string; correlationId: string };
  connection: {
    connected: boolean;
    account?: string;
    connectedBy?: string;
    connectedAt?: Date;
    tokenHasMfa?: boolean;
    refreshTokenAgeDays?: number;
    /** From day 80 of the refresh token's 90-day life (or when not connected / without MFA). */
    warning?: string;
  };
}

export interface ExceptionBoardRow {
  id: string;
  requesterId: string;
  requesterUpn: string;
  status: ExceptionStatus;
  updatedAt: Date;
  waitingFor?: 'approval' | 'submission' | 'microsoft' | 'requester';
  slaDueAt?: Date;
  slaState?: string;
  breached: boolean;
}

export interface DashboardDeps {
  tenantId: string;
  principals: Pick<PrincipalStore, 'listAll' | 'get'>;
  contacts: Pick<ContactStore, 'listUnreachable' | 'get'>;
  nudges: Pick<NudgeStore, 'listAll' | 'get'>;
  exceptions: Pick<ExceptionStore, 'listAll' | 'listAudit' | 'listByRequester'>;
  exclusions: Pick<ExclusionStore, 'listAll' | 'get'>;
  syncRuns: Pick<SyncRunStore, 'since'>;
  adminAudit: Pick<AdminAuditStore, 'list'>;
  auth: Pick<PartnerCenterAuth, 'status'>;
  sla: Pick<Sla, 'calendar'>;
  audit: RecordAdminAction;
  clock: Clock;
  /** How long a snapshot serves reads (default 30 s). */
  snapshotTtlMs?: number;
  /** The integration inventory's apps per account; absent: the column stays empty. */
  integrationsOfUsers?: () => Promise<(objectId: string) => readonly UserIntegration[]>;
}

interface Snapshot {
  at: number;
  rows: PrincipalRow[];
  summary: DashboardSummary;
}

const DAY_MS = 86_400_000;

function latestRequestByRequester(requests: readonly ExceptionRequest[]): Map<string, ExceptionRequest> {
  const out = new Map<string, ExceptionRequest>();
  for (const r of requests) {
    const key = r.requesterId.toLowerCase();
    const seen = out.get(key);
    if (seen === undefined || r.updatedAt.getTime() > seen.updatedAt.getTime()) out.set(key, r);
  }
  return out;
}

/** Per UTC day: the last successful run's non-compliant count, and the day's new and resolved. Oldest first. */
export function trendOf(runs: readonly SyncRun[]): TrendPoint[] {
  const days = new Map<string, TrendPoint & { lastAt: number }>();
  for (const run of runs) {
    if (run.outcome !== 'succeeded' || run.counts === undefined) continue;
    const day = run.startedAt.toISOString().slice(0, 10);
    const point = days.get(day) ?? { day, nonCompliant: 0, new: 0, resolved: 0, lastAt: -1 };
    point.new += run.counts.new + run.counts.reappeared;
    point.resolved += run.counts.resolved;
    if (run.startedAt.getTime() > point.lastAt) {
      point.lastAt = run.startedAt.getTime();
      point.nonCompliant = run.counts.nonCompliant;
    }
    days.set(day, point);
  }
  return [...days.values()].sort((a, b) => a.day.localeCompare(b.day)).map(({ lastAt: _lastAt, ...p }) => p);
}

function compare(a: PrincipalRow, b: PrincipalRow, key: SortKey): number {
  switch (key) {
    case 'upn':
      return a.upn.localeCompare(b.upn);
    case 'status':
      return a.status.localeCompare(b.status);
    case 'lastNonMfaAt':
      return a.lastNonMfaAt.getTime() - b.lastNonMfaAt.getTime();
    case 'firstDetectedAt':
      return a.firstDetectedAt.getTime() - b.firstDetectedAt.getTime();
    case 'remindersSent':
      return a.remindersSent - b.remindersSent;
    case 'recordCount':
      return a.recordCount - b.recordCount;
  }
}

export function filterRows(rows: readonly PrincipalRow[], q: PrincipalQuery): PrincipalRow[] {
  const search = q.search?.trim().toLowerCase();
  const out = rows.filter((r) => {
    if (q.status === 'open' ? r.status === 'compliant' : q.status !== undefined && r.status !== q.status) return false;
    if (q.reachable !== undefined && r.reachable !== q.reachable) return false;
    if (q.excluded !== undefined && (r.exclusion !== undefined) !== q.excluded) return false;
    if (q.exception === 'any' && r.exception === undefined) return false;
    if (q.exception === 'none' && r.exception !== undefined) return false;
    if (q.exception !== undefined && q.exception !== 'any' && q.exception !== 'none' && r.exception?.status !== q.exception) return false;
    if (search && !r.upn.toLowerCase().includes(search) && !r.objectId.toLowerCase().includes(search)) return false;
    return true;
  });
  const key = q.sort ?? 'lastNonMfaAt';
  const sign = (q.descending ?? key === 'lastNonMfaAt') ? -1 : 1;
  // Ties by object id: a stable order, so paging never shows a row twice or skips one.
  return out.sort((a, b) => sign * compare(a, b, key) || a.objectId.localeCompare(b.objectId));
}

export const PRINCIPAL_CSV_HEADER = [
  'objectId', 'upn', 'status', 'lastNonMfaRequest', 'firstDetected', 'records', 'reachable', 'unreachableReason', 'remindersSent', 'snoozedUntil', 'escalationStep', 'exceptionId', 'exceptionStatus', 'excludedUntil', 'exclusionReason', 'integrations',
] as const;

export function principalsCsv(rows: readonly PrincipalRow[]): string {
  return toCsv(
    PRINCIPAL_CSV_HEADER,
    rows.map((r) => [r.objectId, r.upn, r.status, r.lastNonMfaAt, r.firstDetectedAt, r.recordCount, r.reachable, r.unreachableReason, r.remindersSent, r.snoozedUntil, r.escalationStep, r.exception?.id, r.exception?.status, r.exclusion?.until, r.exclusion?.reason, r.integrations?.map((a) => (a.applicationId ? `${a.name} (${a.applicationId})` : a.name)).join('; ')]),
    { bom: true },
  );
}

export function createDashboard(deps: DashboardDeps) {
  const ttl = deps.snapshotTtlMs ?? 30_000;
  let snapshot: Promise<Snapshot> | undefined;
  let snapshotAt = 0;

  function rowOf(p: Principal, parts: { unreachable: Map<string, string>; nudge: Map<string, Awaited<ReturnType<NudgeStore['listAll']>>[number]>; request: Map<string, ExceptionRequest>; exclusion: Map<string, Exclusion>; appsOf: (objectId: string) => readonly UserIntegration[] }, now: Date): PrincipalRow {
    const id = p.objectId.toLowerCase();
    const nudge = parts.nudge.get(p.objectId);
    const current = nudge && nudge.episode === p.episode ? nudge : undefined;
    const request = parts.request.get(id);
    const exclusion = parts.exclusion.get(id);
    const reason = parts.unreachable.get(p.objectId);
    const lastEscalation = current?.escalations.filter((e) => e.skipped === undefined).at(-1);
    const apps = parts.appsOf(p.objectId);
    return {
      objectId: p.objectId,
      upn: p.upn,
      status: p.status,
      lastNonMfaAt: p.lastNonMfaAt,
      firstDetectedAt: p.firstDetectedAt,
      recordCount: p.recordCount,
      reachable: reason === undefined,
      ...(reason === undefined ? {} : { unreachableReason: reason }),
      remindersSent: current?.remindersSent ?? 0,
      ...(current?.snoozedUntil && current.snoozedUntil.getTime() > now.getTime() ? { snoozedUntil: current.snoozedUntil } : {}),
      ...(lastEscalation ? { escalationStep: lastEscalation.step } : {}),
      ...(request ? { exception: { id: request.id, status: request.status } } : {}),
      ...(exclusion && isExcluded(exclusion, now) ? { exclusion: { reason: exclusion.reason, until: exclusion.until, by: exclusion.by } } : {}),
      ...(apps.length > 0 ? { integrations: apps.map((a) => ({ name: a.name, ...(a.applicationId ? { applicationId: a.applicationId } : {}), nonMfa: a.nonMfa })) } : {}),
    };
  }

  async function build(): Promise<Snapshot> {
    const now = deps.clock.now();
    const [principals, unreachable, nudges, requests, exclusions, runs, connection, connects, appsOf] = await Promise.all([
      deps.principals.listAll(deps.tenantId),
      deps.contacts.listUnreachable(deps.tenantId),
      deps.nudges.listAll(deps.tenantId),
      deps.exceptions.listAll(),
      deps.exclusions.listAll(deps.tenantId),
      deps.syncRuns.since(deps.tenantId, new Date(now.getTime() - TREND_DAYS * DAY_MS)),
      deps.auth.status(),
      deps.adminAudit.list(deps.tenantId, { limit: 200 }),
      deps.integrationsOfUsers?.() ?? Promise.resolve(() => []),
    ]);
    const parts = {
      unreachable: new Map(unreachable.filter((c) => c.unreachable).map((c) => [c.aadObjectId, describeUnreachable(c.unreachable?.reason ?? 'notInstalled')])),
      nudge: new Map(nudges.map((n) => [n.objectId, n])),
      request: latestRequestByRequester(requests),
      exclusion: new Map(exclusions.map((e) => [e.objectId.toLowerCase(), e])),
      appsOf,
    };
    const rows = principals.map((p) => rowOf(p, parts, now));
    const open = rows.filter((r) => r.status !== 'compliant');
    const lastSync = runs[0];
    const lastWithToken = runs.find((r) => r.tokenHasMfa !== undefined);
    const connect = connects.find((e) => e.action === 'partnerCenter.connect');
    const ageDays = connect ? Math.floor((now.getTime() - connect.at.getTime()) / DAY_MS) : undefined;
    const warning = !connection.connected
      ? 'Partner Center is not connected: an admin must connect it (with MFA) in chat.'
      : lastWithToken?.tokenHasMfa === false
        ? 'The Partner Center token carries no MFA claim: reconnect with MFA.'
        : ageDays !== undefined && ageDays >= REFRESH_TOKEN_WARN_DAYS
          ? `The Partner Center refresh token is ${ageDays} days old and expires after ${REFRESH_TOKEN_LIFETIME_DAYS}: reconnect soon.`
          : undefined;
    const summary: DashboardSummary = {
      generatedAt: now,
      counts: {
        nonCompliant: rows.filter((r) => r.status === 'nonCompliant').length,
        verificationPending: rows.filter((r) => r.status === 'verificationPending').length,
        compliant: rows.filter((r) => r.status === 'compliant').length,
        unreachable: open.filter((r) => !r.reachable).length,
        excluded: rows.filter((r) => r.exclusion !== undefined).length,
        snoozed: open.filter((r) => r.snoozedUntil !== undefined).length,
        withException: open.filter((r) => r.exception !== undefined).length,
      },
      trend: trendOf(runs),
      ...(lastSync ? { lastSync: { at: lastSync.startedAt, outcome: lastSync.outcome, correlationId: lastSync.correlationId } } : {}),
      connection: {
        connected: connection.connected,
        ...(connection.account ? { account: connection.account } : {}),
        ...(connect ? { connectedBy: connect.actorId, connectedAt: connect.at, refreshTokenAgeDays: ageDays } : {}),
        ...(lastWithToken?.tokenHasMfa === undefined ? {} : { tokenHasMfa: lastWithToken.tokenHasMfa }),
        ...(warning ? { warning } : {}),
      },
    };
    return { at: now.getTime(), rows, summary };
  }

  /** The last snapshot built; served (stale) while a newer one builds, so only the first read waits. */
  let ready: Snapshot | undefined;

  function rebuild(): Promise<Snapshot> {
    snapshotAt = deps.clock.now().getTime();
    const next = build();
    snapshot = next;
    next.then(
      (built) => {
        if (snapshot === next) ready = built;
      },
      // A failed build is not kept: the next read tries again.
      () => {
        if (snapshot === next) snapshot = undefined;
      },
    );
    return next;
  }

  function current(): Promise<Snapshot> {
    const now = deps.clock.now().getTime();
    if (snapshot === undefined || ttl === 0) return rebuild();
    if (now - snapshotAt >= ttl || now < snapshotAt) {
      const next = rebuild();
      return ready ? Promise.resolve(ready) : next;
    }
    return ready ? Promise.resolve(ready) : snapshot;
  }

  return {
    /** Drop the snapshot (after a write through the tab or chat). */
    invalidate(): void {
      snapshot = undefined;
      ready = undefined;
    },

    async summary(): Promise<DashboardSummary> {
      return (await current()).summary;
    },

    async principals(query: PrincipalQuery): Promise<{ total: number; page: number; pageSize: number; rows: PrincipalRow[] }> {
      const pageSize = Math.min(Math.max(query.pageSize ?? 50, 1), MAX_PAGE_SIZE);
      const page = Math.max(query.page ?? 1, 1);
      const rows = filterRows((await current()).rows, query);
      return { total: rows.length, page, pageSize, rows: rows.slice((page - 1) * pageSize, page * pageSize) };
    },

    /** Every row the query matches, as CSV (formula-neutralised); audited as an export. */
    async exportPrincipals(actorId: string, query: PrincipalQuery, channel: 'tab' | 'chat' = 'tab'): Promise<{ filename: string; csv: string; rows: number }> {
      const rows = filterRows((await current()).rows, query);
      const now = deps.clock.now();
      const filename = `mfa-shepherd-principals-${now.toISOString().slice(0, 10)}.csv`;
      await deps.audit({ actorId, action: 'export.principals', channel, target: filename, note: `${rows.length} rows; filter ${JSON.stringify({ ...query, page: undefined, pageSize: undefined })}` });
      return { filename, csv: principalsCsv(rows), rows: rows.length };
    },

    async exceptionBoard(): Promise<ExceptionBoardRow[]> {
      const [requests, calendar] = await Promise.all([deps.exceptions.listAll(), deps.sla.calendar()]);
      const now = deps.clock.now();
      const waiting: Partial<Record<ExceptionStatus, ExceptionBoardRow['waitingFor']>> = { inReview: 'approval', approved: 'submission', submittedToMicrosoft: 'microsoft', changesRequested: 'requester', draft: 'requester' };
      return requests
        .map((r): ExceptionBoardRow => {
          const status = r.status === 'submittedToMicrosoft' && r.submittedToMicrosoftAt ? slaStatus(calendar, r.submittedToMicrosoftAt, now) : undefined;
          return {
            id: r.id,
            requesterId: r.requesterId,
            requesterUpn: r.requesterUpn,
            status: r.status,
            updatedAt: r.updatedAt,
            ...(waiting[r.status] ? { waitingFor: waiting[r.status] } : {}),
            ...(status ? { slaDueAt: status.dueAt, slaState: status.state } : {}),
            breached: status?.state === 'breached',
          };
        })
        .sort((a, b) => Number(b.breached) - Number(a.breached) || (a.slaDueAt?.getTime() ?? Infinity) - (b.slaDueAt?.getTime() ?? Infinity) || b.updatedAt.getTime() - a.updatedAt.getTime());
    },

    /** The admin audit and the exception audits side by side, newest first. */
    async audit(limit = 500) {
      const [admin, exception] = await Promise.all([deps.adminAudit.list(deps.tenantId, { limit }), deps.exceptions.listAudit()]);
      return {
        admin,
        exception: [...exception].sort((a, b) => b.at.getTime() - a.at.getTime()).slice(0, limit),
      };
    },

    async auditCsv(actorId: string): Promise<{ filename: string; csv: string }> {
      const { admin } = await this.audit(100_000);
      const now = deps.clock.now();
      const filename = `mfa-shepherd-admin-audit-${now.toISOString().slice(0, 10)}.csv`;
      await deps.audit({ actorId, action: 'export.audit', channel: 'tab', target: filename, note: `${admin.length} entries` });
      const header = ['at', 'actorId', 'action', 'channel', 'target', 'from', 'to', 'correlationId', 'note'];
      return { filename, csv: toCsv(header, admin.map((e) => [e.at, e.actorId, e.action, e.channel, e.target, e.from, e.to, e.correlationId, e.note]), { bom: true }) };
    },

    /** Anyone's own status: their row (if listed), their exclusion, their exception requests. */
    async me(objectId: string) {
      const id = objectId.toLowerCase();
      const [principal, contact, nudge, exclusion, requests, appsOf] = await Promise.all([
        deps.principals.get(deps.tenantId, objectId),
        deps.contacts.get(deps.tenantId, objectId),
        deps.nudges.get(deps.tenantId, objectId),
        deps.exclusions.get(deps.tenantId, id),
        deps.exceptions.listByRequester(objectId),
        deps.integrationsOfUsers?.() ?? Promise.resolve(() => []),
      ]);
      const now = deps.clock.now();
      const row = principal
        ? rowOf(principal, {
            unreachable: new Map(contact?.unreachable ? [[principal.objectId, describeUnreachable(contact.unreachable.reason)]] : []),
            nudge: new Map(nudge ? [[principal.objectId, nudge]] : []),
            request: latestRequestByRequester(requests),
            exclusion: new Map(exclusion ? [[id, exclusion]] : []),
            appsOf,
          }, now)
        : undefined;
      return { listed: row !== undefined, ...(row ? { row } : {}), requests: requests.map((r) => ({ id: r.id, status: r.status, updatedAt: r.updatedAt })) };
    },

    /** Rows by id from the snapshot (bulk actions check their targets exist). */
    async rowsById(objectIds: readonly string[]): Promise<Map<string, PrincipalRow>> {
      const wanted = new Set(objectIds.map((i) => i.toLowerCase()));
      const rows = (await current()).rows.filter((r) => wanted.has(r.objectId.toLowerCase()));
      if (rows.length === 0 && wanted.size > 0) throw new AppError(ErrorCodes.NotFound, 'None of these accounts is on the list.');
      return new Map(rows.map((r) => [r.objectId.toLowerCase(), r]));
    },
  };
}

export type Dashboard = ReturnType<typeof createDashboard>;
