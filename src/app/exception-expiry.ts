import type { BusinessCalendar } from '../domain/calendar';
import type { Clock } from '../domain/clock';
import { describeError, ErrorCodes, isAppError } from '../domain/errors';
import { expiryNoticeDue, type ExceptionRequest, type ExpiryNotice } from '../domain/exception';
import type { ExceptionStore, Logger, OutboundMessage, Outbox, OutboxMessage } from './ports';

/**
 * The end of granted exceptions: 10 and 2 business days before it, and when it comes, the
 * requester and the admins are told, once each. Like the SLA announcements: the messages go to
 * the durable outbox first (keyed by request, notice and recipient, so a repeat is absorbed), then
 * the notice sent is stored on the request under its etag. A conflict (the request changed, or
 * another instance noticed first) skips it until the next sweep, which looks again.
 *
 * Nudges need nothing from here: at the end the request reads as expired, and the nudge sweep's
 * stop rules let the user's notices and reminders resume.
 */
export interface ExceptionExpiryDeps {
  tenantId: string;
  store: Pick<ExceptionStore, 'listAll' | 'get' | 'touch'>;
  /** The business calendar with the admins' closures (the SLA's). */
  calendar: () => Promise<BusinessCalendar>;
  adminIds: readonly string[];
  outbox: Pick<Outbox, 'enqueue'>;
  notice: (request: ExceptionRequest, notice: ExpiryNotice, audience: 'requester' | 'admin') => Promise<OutboundMessage>;
  clock: Clock;
  logger: Logger;
}

export interface ExpirySweepResult {
  noticed: { requestId: string; notice: ExpiryNotice }[];
  conflicts: number;
  failed: number;
}

export function createExceptionExpiry(deps: ExceptionExpiryDeps) {
  async function sweep(): Promise<ExpirySweepResult> {
    const [requests, calendar] = await Promise.all([deps.store.listAll(), deps.calendar()]);
    const result: ExpirySweepResult = { noticed: [], conflicts: 0, failed: 0 };
    for (const listed of requests) {
      const now = deps.clock.now();
      if (!expiryNoticeDue(listed, calendar, now)) continue;
      try {
        // Read again: the list can be minutes old by now (an admin may have changed it meanwhile).
        const request = await deps.store.get(listed.id);
        const notice = request ? expiryNoticeDue(request, calendar, now) : undefined;
        if (!request || !notice) {
          result.conflicts += 1;
          continue;
        }
        const [toRequester, toAdmin] = await Promise.all([deps.notice(request, notice, 'requester'), deps.notice(request, notice, 'admin')]);
        const messages: OutboxMessage[] = [
          { key: `expiry:${request.id}:${notice}:requester`, tenantId: deps.tenantId, to: { aadObjectId: request.requesterId }, message: toRequester, kind: `expiry.${notice}` },
          ...deps.adminIds
            .filter((id) => id !== request.requesterId)
            .map((adminId) => ({
              key: `expiry:${request.id}:${notice}:admin:${adminId}`,
              tenantId: deps.tenantId,
              to: { aadObjectId: adminId },
              message: toAdmin,
              kind: `expiry.${notice}`,
            })),
        ];
        await deps.outbox.enqueue(messages);
        await deps.store.touch({ ...request, expiryNotified: notice });
        result.noticed.push({ requestId: request.id, notice });
      } catch (error) {
        if (isAppError(error, ErrorCodes.StorageConflict)) {
          result.conflicts += 1;
          continue;
        }
        result.failed += 1;
        deps.logger.error({ requestId: listed.id, err: describeError(error) }, 'exception expiry notice failed; the next sweep tries again');
      }
    }
    if (result.noticed.length > 0 || result.failed > 0) deps.logger.info({ ...result }, 'exception expiry sweep');
    return result;
  }

  return { sweep };
}

export type ExceptionExpiry = ReturnType<typeof createExceptionExpiry>;
