import type { Clock } from '../domain/clock';
import { AppError, ErrorCodes } from '../domain/errors';
import type { Principal } from '../domain/compliance';
import type { NudgePolicy, NudgeState } from '../domain/nudge';
import type { RecordAdminAction } from './admin-audit';
import type { Dashboard } from './dashboard';
import type { Exclusions } from './exclusions';
import { reminderMessage } from './nudge-messages';
import type { NudgeStore, Outbox, PrincipalStore } from './ports';

/** Bulk actions from the tab: at most this many accounts per click. */
export const MAX_BULK = 200;

export interface BulkResult {
  correlationId: string;
  done: string[];
  skipped: { objectId: string; why: string }[];
}

/**
 * The tab's bulk actions, each account audited on its own (one correlation id per click):
 * remind now (through the durable outbox, like every other message), exclude with a reason and
 * an expiry, end an exclusion.
 */
export function createDashboardActions(deps: {
  tenantId: string;
  dashboard: Pick<Dashboard, 'rowsById' | 'invalidate'>;
  exclusions: Exclusions;
  outbox: Outbox;
  principals: Pick<PrincipalStore, 'get'>;
  nudges: Pick<NudgeStore, 'get'>;
  policy: NudgePolicy;
  zoneOf: (objectId: string) => Promise<string>;
  audit: RecordAdminAction;
  ids: { newId(): string };
  clock: Clock;
}) {
  function checkSize(objectIds: readonly string[]): string[] {
    const unique = [...new Set(objectIds.map((i) => i.trim().toLowerCase()).filter((i) => i !== ''))];
    if (unique.length === 0) throw new AppError(ErrorCodes.InputInvalid, 'Pick at least one account.');
    if (unique.length > MAX_BULK) throw new AppError(ErrorCodes.InputInvalid, `Pick at most ${MAX_BULK} accounts at once.`);
    return unique;
  }

  function reminderState(p: Principal, stored: NudgeState | undefined): NudgeState {
    return stored && stored.episode === p.episode ? stored : { objectId: p.objectId, episode: p.episode, remindersSent: 0, snoozesUsed: 0, escalations: [] };
  }

  return {
    async remindNow(actorId: string, objectIds: readonly string[]): Promise<BulkResult> {
      const wanted = checkSize(objectIds);
      const rows = await deps.dashboard.rowsById(wanted);
      const result: BulkResult = { correlationId: deps.ids.newId(), done: [], skipped: [] };
      for (const id of wanted) {
        const row = rows.get(id);
        const why = !row ? 'not on the list' : row.status === 'compliant' ? 'already compliant' : row.exclusion ? 'excluded' : undefined;
        const principal = why === undefined ? await deps.principals.get(deps.tenantId, row?.objectId ?? id) : undefined;
        if (why !== undefined || principal === undefined) {
          result.skipped.push({ objectId: id, why: why ?? 'not on the list' });
          continue;
        }
        const state = reminderState(principal, await deps.nudges.get(deps.tenantId, principal.objectId));
        const message = reminderMessage(principal, state, deps.policy, await deps.zoneOf(principal.objectId));
        // One key per click and account: a retried request (same correlation id) sends nothing twice.
        await deps.outbox.enqueue([{ key: `remind:${principal.objectId}:${result.correlationId}`, tenantId: deps.tenantId, to: { aadObjectId: principal.objectId }, message, kind: 'admin.remind' }]);
        await deps.audit({ actorId, action: 'remind.now', channel: 'tab', target: principal.objectId, to: 'reminder queued', correlationId: result.correlationId });
        result.done.push(principal.objectId);
      }
      return result;
    },

    async exclude(actorId: string, objectIds: readonly string[], reason: string, until: Date): Promise<BulkResult> {
      const wanted = checkSize(objectIds);
      const rows = await deps.dashboard.rowsById(wanted);
      const result: BulkResult = { correlationId: deps.ids.newId(), done: [], skipped: [] };
      for (const id of wanted) {
        if (!rows.has(id)) {
          result.skipped.push({ objectId: id, why: 'not on the list' });
          continue;
        }
        await deps.exclusions.exclude({ actorId, objectId: id, reason, until, channel: 'tab', correlationId: result.correlationId });
        result.done.push(id);
      }
      deps.dashboard.invalidate();
      return result;
    },

    async endExclusion(actorId: string, objectId: string): Promise<BulkResult> {
      const [id] = checkSize([objectId]);
      const result: BulkResult = { correlationId: deps.ids.newId(), done: [], skipped: [] };
      await deps.exclusions.end({ actorId, objectId: id as string, channel: 'tab', correlationId: result.correlationId });
      result.done.push(id as string);
      deps.dashboard.invalidate();
      return result;
    },
  };
}

export type DashboardActions = ReturnType<typeof createDashboardActions>;
