import type { BusinessCalendar } from './business-calendar';
import { clockStart } from './business-time';
import { MICROSOFT_SLA_BUSINESS_DAYS, slaStatus, type SlaStatus } from './sla';

/**
 * The three clocks of a technical-exception request, one at a time as it moves on:
 *
 *   in review   → approval: the approvers decide within N business days of submission for review
 *   approved    → filing:   an admin files it with Microsoft within 1 business day of approval
 *   with Microsoft → microsoft: Microsoft answers within 3 business days of filing
 *
 * Approval and filing are the partner's own deadlines: they run on the partner's calendar, so the
 * admins' closures pause them. Microsoft's clock runs on the business calendar alone (working
 * days, the region's public holidays): the partner's closures do not make Microsoft answer later.
 */
export type ClockKind = 'approval' | 'filing' | 'microsoft';

export interface DeadlinePolicy {
  /** Business days the approvers have, from submission for review (EXCEPTION_APPROVAL_BUSINESS_DAYS). */
  approvalBusinessDays: number;
  /** Business days the admins have to file an approved request with Microsoft. */
  filingBusinessDays: number;
}

export const DEFAULT_APPROVAL_BUSINESS_DAYS = 2;
export const FILING_BUSINESS_DAYS = 1;

export interface Calendars {
  /** Microsoft's clock: the configured business calendar, no admin closures. */
  microsoft: BusinessCalendar;
  /** The partner's clock: the same plus the admins' closures. */
  partner: BusinessCalendar;
}

/** What the clocks read of a request (the exception's own type stays out of the calendar). */
export interface ClockedRequest {
  status: string;
  reviewRound: number;
  submittedForReviewAt?: Date;
  decidedAt?: Date;
  submittedToMicrosoftAt?: Date;
}

export interface RunningClock {
  kind: ClockKind;
  status: SlaStatus;
}

/** The clock that runs for `request` at `now`, if one does (none once Microsoft answered, or before review). */
export function runningClock(request: ClockedRequest, calendars: Calendars, policy: DeadlinePolicy, now: Date): RunningClock | undefined {
  if (request.status === 'inReview' && request.submittedForReviewAt) {
    return { kind: 'approval', status: slaStatus(calendars.partner, request.submittedForReviewAt, now, policy.approvalBusinessDays) };
  }
  if (request.status === 'approved' && request.decidedAt) {
    return { kind: 'filing', status: slaStatus(calendars.partner, request.decidedAt, now, policy.filingBusinessDays) };
  }
  if (request.status === 'submittedToMicrosoft' && request.submittedToMicrosoftAt) {
    return { kind: 'microsoft', status: slaStatus(calendars.microsoft, request.submittedToMicrosoftAt, now, MICROSOFT_SLA_BUSINESS_DAYS) };
  }
  return undefined;
}

/** A reminder of an internal deadline, with the key it is sent (and remembered) under. */
export interface DeadlineReminder {
  key: string;
  clock: 'approval' | 'filing';
  audience: 'approvers' | 'admins';
}

/**
 * The reminders of the partner's internal deadlines owed at `now` and not in `sent` yet:
 * - approval: the approvers on the day it is due (or once it is overdue); the admins once it is overdue;
 * - filing: the admins on the day it is due (or once it is overdue).
 * Each once per review round (a resubmission starts a new approval deadline). Only within the
 * partner's business hours: nobody is reminded at night, on a weekend or a closure; what fell
 * due then goes out at the next business day's start.
 */
export function dueReminders(request: ClockedRequest, clock: RunningClock | undefined, partner: BusinessCalendar, sent: readonly string[], now: Date): DeadlineReminder[] {
  if (!clock || clock.kind === 'microsoft') return [];
  if (clock.status.state !== 'dueToday' && clock.status.state !== 'breached') return [];
  if (clockStart(partner, now).getTime() !== now.getTime()) return [];
  const round = request.reviewRound;
  const owed: DeadlineReminder[] =
    clock.kind === 'approval'
      ? [
          { key: `approval:${round}:approvers`, clock: 'approval', audience: 'approvers' },
          ...(clock.status.state === 'breached' ? [{ key: `approval:${round}:admins`, clock: 'approval', audience: 'admins' } as const] : []),
        ]
      : [{ key: `filing:${round}:admins`, clock: 'filing', audience: 'admins' }];
  return owed.filter((r) => !sent.includes(r.key));
}
