import { createBusinessCalendar, slaStatus, slaTransition, type BusinessCalendar, type Closure, type SlaState, type SlaStatus } from '../domain/calendar';
import type { Clock } from '../domain/clock';
import { describeError, ErrorCodes, isAppError } from '../domain/errors';
import type { ExceptionRequest } from '../domain/exception';
import type { ExceptionStore, Logger, Outbox, OutboxMessage, SettingsStore } from './ports';

/**
 * Microsoft's 3-business-day answer to a filed exception request: where each request stands on the
 * partner's business calendar (config + the admins' closures), and a sweep that announces each
 * state change once to the requester and the admins.
 */
export interface SlaDeps {
  tenantId: string;
  store: Pick<ExceptionStore, 'listAll' | 'get' | 'touch'>;
  settings: Pick<SettingsStore, 'get'>;
  /** The calendar from config; closures come from settings at each use. */
  calendar: BusinessCalendar;
  /** Read at each use (live roles). */
  adminIds: Iterable<string>;
  outbox: Pick<Outbox, 'enqueue'>;
  /** The announcement of `status` about `request` to its requester or to an admin. */
  announcement: (request: ExceptionRequest, status: SlaStatus, audience: 'requester' | 'admin') => Promise<OutboxMessage['message']>;
  clock: Clock;
  logger: Logger;
}

export interface SlaEntry {
  request: ExceptionRequest;
  status: SlaStatus;
}

export interface SlaSweepResult {
  open: number;
  announced: { requestId: string; state: SlaState }[];
  conflicts: number;
  failed: number;
}

const URGENCY: Record<SlaState, number> = { breached: 0, dueToday: 1, dueSoon: 2, onTrack: 3 };

export function createSla(deps: SlaDeps) {
  async function calendar(): Promise<BusinessCalendar> {
    const closures = (await deps.settings.get<Closure[]>('closures'))?.value ?? [];
    if (closures.length === 0) return deps.calendar;
    const { zone, workingDays, workingHours, holidays } = deps.calendar;
    return createBusinessCalendar({ zone, workingDays, workingHours, ...(holidays ? { holidays } : {}), closures });
  }

  /** Requests waiting for Microsoft, most urgent first (breached, due today, due soon, on track; least time left first). */
  async function open(): Promise<SlaEntry[]> {
    const [requests, cal] = await Promise.all([deps.store.listAll(), calendar()]);
    const now = deps.clock.now();
    return requests
      .filter((r) => r.status === 'submittedToMicrosoft' && r.submittedToMicrosoftAt)
      .map((request) => ({ request, status: slaStatus(cal, request.submittedToMicrosoftAt as Date, now) }))
      .sort((a, b) => URGENCY[a.status.state] - URGENCY[b.status.state] || a.status.businessMinutesLeft - b.status.businessMinutesLeft || a.request.id.localeCompare(b.request.id));
  }

  /**
   * Announce every state change once. The announcements go to the durable outbox first (keyed by
   * request, state and recipient, so a repeat is absorbed), then the announced state is stored under
   * the request's etag. A conflict (an admin recorded Microsoft's answer meanwhile, or another
   * instance announced it) skips the request: the next sweep looks again. Each request is read
   * again just before it is announced: the list can be minutes old by then (the announcements
   * before it were sent first), and a request answered meanwhile must not be called overdue.
   */
  async function sweep(): Promise<SlaSweepResult> {
    const entries = await open();
    const result: SlaSweepResult = { open: entries.length, announced: [], conflicts: 0, failed: 0 };
    for (const { request: listed, status } of entries) {
      if (!slaTransition(listed.slaAnnounced, status.state)) continue;
      try {
        const request = await deps.store.get(listed.id);
        if (!request || request.status !== 'submittedToMicrosoft' || !slaTransition(request.slaAnnounced, status.state)) {
          result.conflicts += 1; // answered, or announced by another instance, since it was listed
          continue;
        }
        const [toRequester, toAdmin] = await Promise.all([deps.announcement(request, status, 'requester'), deps.announcement(request, status, 'admin')]);
        const messages: OutboxMessage[] = [
          { key: `sla:${request.id}:${status.state}:requester`, tenantId: deps.tenantId, to: { aadObjectId: request.requesterId }, message: toRequester, kind: `sla.${status.state}` },
          ...[...deps.adminIds].map((adminId) => ({
            key: `sla:${request.id}:${status.state}:admin:${adminId}`,
            tenantId: deps.tenantId,
            to: { aadObjectId: adminId },
            message: toAdmin,
            kind: `sla.${status.state}`,
          })),
        ];
        await deps.outbox.enqueue(messages);
        await deps.store.touch({ ...request, slaAnnounced: status.state });
        result.announced.push({ requestId: request.id, state: status.state });
      } catch (error) {
        if (isAppError(error, ErrorCodes.StorageConflict)) {
          result.conflicts += 1;
          continue;
        }
        result.failed += 1;
        deps.logger.error({ requestId: listed.id, err: describeError(error) }, 'SLA announcement failed; the next sweep tries again');
      }
    }
    if (result.announced.length > 0 || result.failed > 0) deps.logger.info({ ...result }, 'SLA sweep');
    return result;
  }

  return { calendar, open, sweep };
}

export type Sla = ReturnType<typeof createSla>;
