import {
  dueReminders,
  runningClock,
  slaStatus,
  slaTransition,
  type BusinessCalendar,
  type Calendars,
  type DeadlinePolicy,
  type DeadlineReminder,
  type RunningClock,
  type SlaState,
  type SlaStatus,
} from '../domain/calendar';
import type { Clock } from '../domain/clock';
import { describeError, ErrorCodes, isAppError } from '../domain/errors';
import { sameId, type ExceptionRequest } from '../domain/exception';
import { partnerCalendar } from './closures';
import type { ExceptionStore, Logger, Outbox, OutboxMessage, SettingsStore } from './ports';

/**
 * The clocks of exception requests (see domain/calendar/deadlines.ts): Microsoft's 3-business-day
 * answer to a filed request, on the business calendar alone (the admins' closures do not move
 * it), and the partner's own deadlines, approval and filing, on the partner calendar (closures
 * pause them). A sweep announces each change of Microsoft's clock once to the requester and the
 * admins, and sends each reminder of an internal deadline once.
 */
export interface SlaDeps {
  tenantId: string;
  store: Pick<ExceptionStore, 'listAll' | 'get' | 'touch'>;
  settings: Pick<SettingsStore, 'get'>;
  /** The business calendar from config; the admins' closures come from settings at each use. */
  calendar: BusinessCalendar;
  /** The internal deadlines; default: approval 2 business days, filing 1. */
  deadlines?: DeadlinePolicy;
  /** Read at each use (live roles: id lists plus Entra groups). */
  adminIds: Iterable<string>;
  /** Who gets approval reminders (never the requester of the request); read at each use. */
  approverIds?: Iterable<string>;
  outbox: Pick<Outbox, 'enqueue'>;
  /** The announcement of `status` about `request` to its requester or to an admin. */
  announcement: (request: ExceptionRequest, status: SlaStatus, audience: 'requester' | 'admin') => Promise<OutboxMessage['message']>;
  /** The reminder of an internal deadline; without it, none is sent. */
  reminder?: (request: ExceptionRequest, clock: RunningClock, reminder: DeadlineReminder) => Promise<OutboxMessage['message']>;
  clock: Clock;
  logger: Logger;
}

export interface SlaEntry {
  request: ExceptionRequest;
  status: SlaStatus;
}

/** A row of the SLA board: a request and the clock that runs for it. */
export interface ClockEntry {
  request: ExceptionRequest;
  clock: RunningClock;
}

export interface SlaSweepResult {
  open: number;
  announced: { requestId: string; state: SlaState }[];
  reminded: { requestId: string; reminder: string }[];
  conflicts: number;
  failed: number;
}

const URGENCY: Record<SlaState, number> = { breached: 0, dueToday: 1, dueSoon: 2, onTrack: 3 };
const DEFAULT_DEADLINES: DeadlinePolicy = { approvalBusinessDays: 2, filingBusinessDays: 1 };

export function createSla(deps: SlaDeps) {
  const deadlines = deps.deadlines ?? DEFAULT_DEADLINES;

  /** Microsoft's calendar: business days and the region's public holidays, no admin closures. */
  const calendar = (): Promise<BusinessCalendar> => Promise.resolve(deps.calendar);

  async function calendars(): Promise<Calendars> {
    return { microsoft: deps.calendar, partner: await partnerCalendar(deps.settings, deps.calendar) };
  }

  const byUrgency = (a: { request: ExceptionRequest; status: SlaStatus }, b: { request: ExceptionRequest; status: SlaStatus }) =>
    URGENCY[a.status.state] - URGENCY[b.status.state] || a.status.businessMinutesLeft - b.status.businessMinutesLeft || a.request.id.localeCompare(b.request.id);

  /** Requests waiting for Microsoft, most urgent first (breached, due today, due soon, on track; least time left first). */
  async function open(): Promise<SlaEntry[]> {
    const requests = await deps.store.listAll();
    const now = deps.clock.now();
    return requests
      .filter((r) => r.status === 'submittedToMicrosoft' && r.submittedToMicrosoftAt)
      .map((request) => ({ request, status: slaStatus(deps.calendar, request.submittedToMicrosoftAt as Date, now) }))
      .sort(byUrgency);
  }

  /** Every request with a running clock (approval, filing, Microsoft), most urgent first: the `sla` board. */
  async function board(): Promise<ClockEntry[]> {
    const [requests, cals] = await Promise.all([deps.store.listAll(), calendars()]);
    const now = deps.clock.now();
    return requests
      .flatMap((request) => {
        const clock = runningClock(request, cals, deadlines, now);
        return clock ? [{ request, clock, status: clock.status }] : [];
      })
      .sort(byUrgency)
      .map(({ request, clock }) => ({ request, clock }));
  }

  /**
   * Announce every change of Microsoft's clock once. The announcements go to the durable outbox
   * first (keyed by request, state and recipient, so a repeat is absorbed), then the announced
   * state is stored under the request's etag. A conflict (an admin recorded Microsoft's answer
   * meanwhile, or another instance announced it) skips the request: the next sweep looks again.
   * Each request is read again just before it is announced: the list can be minutes old by then
   * (the announcements before it were sent first), and a request answered meanwhile must not be
   * called overdue. Then the internal deadlines' reminders, the same way.
   */
  async function sweep(): Promise<SlaSweepResult> {
    const entries = await open();
    const result: SlaSweepResult = { open: entries.length, announced: [], reminded: [], conflicts: 0, failed: 0 };
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
    if (deps.reminder) await remind(deps.reminder, result);
    if (result.announced.length > 0 || result.reminded.length > 0 || result.failed > 0) deps.logger.info({ ...result }, 'SLA sweep');
    return result;
  }

  /** Reminders of the approval and filing deadlines: enqueued, then remembered on the request under its etag. */
  async function remind(reminder: NonNullable<SlaDeps['reminder']>, result: SlaSweepResult): Promise<void> {
    const [requests, cals] = await Promise.all([deps.store.listAll(), calendars()]);
    const owedAt = (request: ExceptionRequest) => {
      const now = deps.clock.now();
      const clock = runningClock(request, cals, deadlines, now);
      return { clock, owed: dueReminders(request, clock, cals.partner, request.deadlineReminders ?? [], now) };
    };
    for (const listed of requests) {
      if (owedAt(listed).owed.length === 0) continue;
      try {
        const request = await deps.store.get(listed.id);
        const { clock, owed } = request ? owedAt(request) : { clock: undefined, owed: [] };
        if (!request || !clock || owed.length === 0) {
          result.conflicts += 1; // decided, filed or reminded since it was listed
          continue;
        }
        const messages: OutboxMessage[] = [];
        for (const r of owed) {
          const message = await reminder(request, clock, r);
          for (const to of recipients(request, r)) {
            messages.push({ key: `deadline:${request.id}:${r.key}:${to}`, tenantId: deps.tenantId, to: { aadObjectId: to }, message, kind: `deadline.${r.clock}.${r.audience}` });
          }
        }
        if (messages.length > 0) await deps.outbox.enqueue(messages);
        await deps.store.touch({ ...request, deadlineReminders: [...(request.deadlineReminders ?? []), ...owed.map((r) => r.key)] });
        for (const r of owed) result.reminded.push({ requestId: request.id, reminder: r.key });
      } catch (error) {
        if (isAppError(error, ErrorCodes.StorageConflict)) {
          result.conflicts += 1;
          continue;
        }
        result.failed += 1;
        deps.logger.error({ requestId: listed.id, err: describeError(error) }, 'deadline reminder failed; the next sweep tries again');
      }
    }
  }

  function recipients(request: ExceptionRequest, reminder: DeadlineReminder): string[] {
    const people = reminder.audience === 'approvers' ? (deps.approverIds ?? deps.adminIds) : deps.adminIds;
    return [...new Set(people)].filter((id) => reminder.audience === 'admins' || !sameId(id, request.requesterId));
  }

  return { calendar, calendars, deadlines, open, board, sweep };
}

export type Sla = ReturnType<typeof createSla>;
