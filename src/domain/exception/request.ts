import { AppError, ErrorCodes } from '../errors';
import type { SlaState } from '../calendar';
import type { DraftFields } from './draft';

/**
 * A technical-exception request, top to bottom:
 *
 *   draft ⇄ (saved by the requester)
 *     → inReview                 submitted by the requester to the approvers
 *         → changesRequested     an approver asked for changes; the requester edits and resubmits
 *         → approved             enough different approvers (not the requester) approved it: one, or
 *                                two with EXCEPTION_APPROVALS_REQUIRED=2 (the first approval keeps it in review)
 *               → submittedToMicrosoft   an admin filed it in Partner Center: Microsoft's 3-business-day clock runs
 *                     → granted          Microsoft granted it until an end date, or with "no end date
 *                                        given" and a review date at most a year out (then: expired)
 *                     → denied           Microsoft denied it
 *         → rejected             an approver rejected it
 *   draft, inReview, changesRequested → withdrawn   by the requester
 *
 * `expired` is never stored: a granted request whose end date has passed (see `effectiveStatus`).
 */
export type ExceptionStatus =
  | 'draft'
  | 'inReview'
  | 'changesRequested'
  | 'approved'
  | 'rejected'
  | 'withdrawn'
  | 'submittedToMicrosoft'
  | 'granted'
  | 'denied';

export type EffectiveStatus = ExceptionStatus | 'expired';

/** One approver's approval of the current review round. */
export interface Approval {
  by: string;
  at: Date;
  comment?: string;
}

/** The notices before (and at) the end of a granted exception, in the order they come. */
export const EXPIRY_NOTICES = ['tenDays', 'twoDays', 'ended'] as const;
export type ExpiryNotice = (typeof EXPIRY_NOTICES)[number];

export interface ExceptionRequest {
  id: string;
  /** AAD object ID of the user the exception is for; only they edit, submit and withdraw. */
  requesterId: string;
  requesterUpn: string;
  status: ExceptionStatus;
  fields: DraftFields;
  createdAt: Date;
  updatedAt: Date;
  /** Times submitted for review (0: never). Approval cards carry it, so a click on an old round is refused. */
  reviewRound: number;
  submittedForReviewAt?: Date;
  /** How many different approvers must approve (fixed when submitted for review; absent: 1). */
  approvalsRequired?: number;
  /** The approvals of the current round so far, oldest first; cleared on resubmission. */
  approvals?: Approval[];
  /** The review decision of the current round (approve, reject, request changes); cleared on resubmission. */
  decidedBy?: string;
  decidedAt?: Date;
  /** Approve: the optional comment; reject: the reason; request changes: what to change. */
  decisionComment?: string;
  withdrawnAt?: Date;
  /** Partner Center support case number. */
  supportCaseNumber?: string;
  /** When an admin recorded the submission to Microsoft: the SLA clock starts here. */
  submittedToMicrosoftAt?: Date;
  submittedToMicrosoftBy?: string;
  /** Granted: the end date Microsoft gave. */
  grantedUntil?: Date;
  /** Granted with "no end date given": when the exception is to be reviewed (at most a year after it was recorded). */
  reviewBy?: Date;
  /** The last notice of the coming end sent to the requester and admins (each is sent once). */
  expiryNotified?: ExpiryNotice;
  /** The granted request this one renews, when it was opened by "Renew". */
  renewalOf?: string;
  deniedReason?: string;
  /** Who recorded Microsoft's answer (granted or denied), and when. */
  answerRecordedBy?: string;
  answerRecordedAt?: Date;
  /** The last SLA state announced to the requester and admins (each change is announced once). */
  slaAnnounced?: SlaState;
  /** Reminders of the partner's own deadlines (approval, filing) already sent, by key (see dueReminders). */
  deadlineReminders?: readonly string[];
  /** Storage concurrency token, carried through untouched; absent for a request not stored yet. */
  etag?: string;
}

/** A new, empty draft. The id comes from outside (storage or the app decides how ids look). */
export function newExceptionRequest(input: { id: string; requesterId: string; requesterUpn: string; at: Date }): ExceptionRequest {
  if (input.id.trim() === '' || input.requesterId.trim() === '') {
    throw new AppError(ErrorCodes.InputInvalid, 'An exception request needs an id and a requester.');
  }
  return {
    id: input.id,
    requesterId: input.requesterId,
    requesterUpn: input.requesterUpn,
    status: 'draft',
    fields: {},
    createdAt: input.at,
    updatedAt: input.at,
    reviewRound: 0,
  };
}

/**
 * When a granted exception stops covering: Microsoft's end date, else the review date of a grant
 * without one. Undefined only for grants recorded before an end was required (they cover until changed).
 */
export function coverageEnd(request: Pick<ExceptionRequest, 'grantedUntil' | 'reviewBy'>): Date | undefined {
  return request.grantedUntil ?? request.reviewBy;
}

/** The status to show and act on at `now`: a granted request past its end (or review) date is `expired`. */
export function effectiveStatus(request: Pick<ExceptionRequest, 'status' | 'grantedUntil' | 'reviewBy'>, now: Date): EffectiveStatus {
  const end = coverageEnd(request);
  if (request.status === 'granted' && end && now.getTime() >= end.getTime()) {
    return 'expired';
  }
  return request.status;
}

/** Whether an exception covers the requester at `now` (granted, not expired): reminders pause. */
export function exceptionCovers(request: Pick<ExceptionRequest, 'status' | 'grantedUntil' | 'reviewBy'>, now: Date): boolean {
  return effectiveStatus(request, now) === 'granted';
}

/** AAD object IDs compare case-insensitively (as admin lists do); an empty id matches nothing. */
export function sameId(a: string | undefined, b: string | undefined): boolean {
  const x = a?.trim().toLowerCase() ?? '';
  return x !== '' && x === (b?.trim().toLowerCase() ?? '');
}
