import { isBusinessDay, type BusinessCalendar } from '../calendar';
import { addDays, localDateOf } from '../calendar/values';
import { auditEntry, type AuditEntry } from './audit';
import { ExceptionRefusals, ExceptionRefusedError } from './errors';
import { coverageEnd, effectiveStatus, newExceptionRequest, sameId, EXPIRY_NOTICES, type ExceptionRequest, type ExpiryNotice } from './request';
import { availableCommands, describeStatus, type CommandContext } from './rules';

/**
 * The end of a granted exception: the notices before it (10 and 2 business days ahead, then at the
 * end), each sent once, and the renewal that opens a new request from the old one.
 */

/** Business days before the end at which each notice is due. */
export const EXPIRY_NOTICE_DAYS: Record<Exclude<ExpiryNotice, 'ended'>, number> = { tenDays: 10, twoDays: 2 };

/**
 * Business days of coverage left after today, up to and including the last covered day (the day of
 * the instant just before the end), on `calendar`. Counts at most `cap + 1` (enough to compare with `cap`).
 */
export function businessDaysLeft(calendar: BusinessCalendar, end: Date, now: Date, cap = 10): number {
  const lastDay = localDateOf(new Date(end.getTime() - 1), calendar.zone);
  let day = localDateOf(now, calendar.zone);
  let count = 0;
  while (count <= cap) {
    day = addDays(day, 1);
    if (day > lastDay) break;
    if (isBusinessDay(calendar, day)) count += 1;
  }
  return count;
}

/**
 * The notice due now for a granted request, if one is due and was not sent yet: the furthest one
 * reached (a grant recorded 5 business days before its end gets the 10-day notice at once, then the
 * 2-day one; one recorded a day before skips straight to the 2-day notice). Undefined for requests
 * that are not granted, or granted before an end was required (no end, no notices).
 */
export function expiryNoticeDue(
  request: Pick<ExceptionRequest, 'status' | 'grantedUntil' | 'reviewBy' | 'expiryNotified'>,
  calendar: BusinessCalendar,
  now: Date,
): ExpiryNotice | undefined {
  const end = coverageEnd(request);
  if (request.status !== 'granted' || !end) return undefined;
  let due: ExpiryNotice | undefined;
  if (now.getTime() >= end.getTime()) due = 'ended';
  else {
    const left = businessDaysLeft(calendar, end, now, EXPIRY_NOTICE_DAYS.tenDays);
    if (left <= EXPIRY_NOTICE_DAYS.twoDays) due = 'twoDays';
    else if (left <= EXPIRY_NOTICE_DAYS.tenDays) due = 'tenDays';
  }
  if (due === undefined) return undefined;
  const sent = request.expiryNotified === undefined ? -1 : EXPIRY_NOTICES.indexOf(request.expiryNotified);
  return EXPIRY_NOTICES.indexOf(due) > sent ? due : undefined;
}

/**
 * Renewing: a new draft for the same requester and subject, pre-filled with the old request's
 * justification, which the requester reviews and submits as any other. Only the requester renews,
 * and only a granted request (running or expired). The audit entry says what it renews.
 */
export function renewalOf(old: ExceptionRequest, input: { id: string; ctx: CommandContext }): { next: ExceptionRequest; audit: AuditEntry } {
  const { ctx } = input;
  const status = effectiveStatus(old, ctx.at);
  const refuse = (refusal: typeof ExceptionRefusals.NotRequester | typeof ExceptionRefusals.TransitionRefused, why: string): never => {
    throw new ExceptionRefusedError(refusal, `${why} ${describeStatus(old, ctx.at)}`, {
      requestId: old.id,
      command: 'saveDraft',
      status,
      possibleNow: availableCommands(old, ctx),
    });
  };
  if (!sameId(ctx.actor, old.requesterId)) refuse(ExceptionRefusals.NotRequester, `Only the requester (${old.requesterUpn || old.requesterId}) can renew this request.`);
  if (status !== 'granted' && status !== 'expired') refuse(ExceptionRefusals.TransitionRefused, 'Only an exception Microsoft granted can be renewed.');
  const fresh = newExceptionRequest({ id: input.id, requesterId: old.requesterId, requesterUpn: old.requesterUpn, at: ctx.at });
  const next: ExceptionRequest = { ...fresh, fields: structuredClone(old.fields), renewalOf: old.id };
  return { next, audit: auditEntry(fresh, next, 'saveDraft', ctx, { comment: `Opened as a renewal of ${old.id}, pre-filled from it.` }) };
}
