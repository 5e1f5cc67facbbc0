import { AppError, ErrorCodes, type ErrorCode } from '../errors';
import type { FieldError } from './draft';
import type { EffectiveStatus } from './request';
import type { CommandType } from './rules';

/**
 * Why a command on an exception request was refused: stable codes for cards, logs and tests.
 * Each has its own AppError code (`EXCEPTION_<refusal>`, `APP_CODE` below): a refusal is the rules
 * saying no, never a storage failure, so nothing retries it and no card calls it an outage.
 * `refusal` (also in `details.refusal`) is the short name the workflow branches on.
 */
export const ExceptionRefusals = {
  /** The command does not apply in the current status. */
  TransitionRefused: 'TRANSITION_REFUSED',
  /** Only the requester edits, submits or withdraws their request. */
  NotRequester: 'NOT_REQUESTER',
  /** Only an approver (a configured admin) approves, rejects or requests changes. */
  NotApprover: 'NOT_APPROVER',
  /** Only an admin records the submission to Microsoft and Microsoft's answer. */
  NotAdmin: 'NOT_ADMIN',
  /** Nobody decides on their own request. */
  SelfApproval: 'SELF_APPROVAL',
  /** Someone already did it (two approvers clicking at once): `decidedBy` / `decidedAt` name the winner. */
  AlreadyDecided: 'ALREADY_DECIDED',
  /** This approver already approved the current round; another approver's approval is still needed. */
  AlreadyApproved: 'ALREADY_APPROVED',
  /** The click came from the card of an earlier review round; the request was resubmitted since. */
  StaleReview: 'STALE_REVIEW',
  /** The draft has problems (`fieldErrors`). */
  DraftInvalid: 'DRAFT_INVALID',
  /** Submitting on a reason Microsoft says it will not accept. */
  CategoryNotAccepted: 'CATEGORY_NOT_ACCEPTED',
  /** The command's own input (reason, comment, case number, end date) is missing or wrong (`fieldErrors`). */
  InputInvalid: 'INPUT_INVALID',
} as const;

export type ExceptionRefusal = (typeof ExceptionRefusals)[keyof typeof ExceptionRefusals];

const APP_CODE: Record<ExceptionRefusal, ErrorCode> = {
  TRANSITION_REFUSED: ErrorCodes.ExceptionTransitionRefused,
  NOT_REQUESTER: ErrorCodes.ExceptionNotRequester,
  NOT_APPROVER: ErrorCodes.ExceptionNotApprover,
  NOT_ADMIN: ErrorCodes.ExceptionNotAdmin,
  SELF_APPROVAL: ErrorCodes.ExceptionSelfApproval,
  ALREADY_DECIDED: ErrorCodes.ExceptionAlreadyDecided,
  ALREADY_APPROVED: ErrorCodes.ExceptionAlreadyApproved,
  STALE_REVIEW: ErrorCodes.ExceptionStaleReview,
  DRAFT_INVALID: ErrorCodes.ExceptionDraftInvalid,
  CATEGORY_NOT_ACCEPTED: ErrorCodes.ExceptionCategoryNotAccepted,
  INPUT_INVALID: ErrorCodes.ExceptionInputInvalid,
};

/** The AppError code of a refusal. */
export function refusalCode(refusal: ExceptionRefusal): ErrorCode {
  return APP_CODE[refusal];
}

/** Whether an error code is a refusal of the exception workflow (an answer, not a fault). */
export function isRefusalCode(code: string): boolean {
  return (Object.values(APP_CODE) as string[]).includes(code);
}

export interface RefusalFacts {
  requestId: string;
  command: CommandType;
  /** The status when refused (`expired` included). */
  status: EffectiveStatus;
  /** What this actor may do with the request now (possibly nothing). */
  possibleNow: CommandType[];
  fieldErrors?: FieldError[];
  /** ALREADY_DECIDED: who did it first, and when. */
  decidedBy?: string;
  decidedAt?: Date;
}

export class ExceptionRefusedError extends AppError {
  readonly refusal: ExceptionRefusal;
  readonly facts: RefusalFacts;

  constructor(refusal: ExceptionRefusal, message: string, facts: RefusalFacts) {
    super(APP_CODE[refusal], message, { expected: true, retryable: false, details: { refusal, ...facts } });
    this.name = 'ExceptionRefusedError';
    this.refusal = refusal;
    this.facts = facts;
  }
}

export function isExceptionRefusal(error: unknown, refusal?: ExceptionRefusal): error is ExceptionRefusedError {
  return error instanceof ExceptionRefusedError && (refusal === undefined || error.refusal === refusal);
}
