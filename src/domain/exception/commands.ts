import { auditEntry, type AuditEntry } from './audit';
import { checkText, isForOther, readDraft, unacceptableReason, type DraftFields, type DraftInput, type FieldError } from './draft';
import { ExceptionRefusals } from './errors';
import type { ExceptionRequest } from './request';
import { authorize, formatInstant, inputRefusal, requiredApprovals, type CommandContext, type CommandType } from './rules';
import { cleanText, formatCount, textLength } from './text';

/**
 * The commands on a technical-exception request. Each checks who may run it from which status
 * (`authorize`, see EXCEPTION_RULES), then its own input, and returns the next request with the audit
 * entry of the change, or throws an ExceptionRefusedError and changes nothing. Storage writes `next`
 * under its etag and appends `audit`; the domain never writes.
 */
export interface CommandResult {
  next: ExceptionRequest;
  audit: AuditEntry;
}

/** Comments and reasons on decisions, withdrawals and denials. */
export const COMMENT_MAX = 2000;
export const CASE_NUMBER_MAX = 50;
const CASE_NUMBER_FORMAT = /^[A-Za-z0-9-]+$/;

export interface SaveDraftCommand {
  /** The whole form: these fields replace the draft's (an empty or absent field clears it). */
  fields: DraftInput;
}
export interface SubmitForReviewCommand {
  /** The form as sent with the submit button, saved first; absent: submit the draft as stored. */
  fields?: DraftInput;
}
export interface WithdrawCommand {
  comment?: string;
}
/** `round`: the review round the approval card showed; a click from an older round is refused. */
export interface ApproveCommand {
  comment?: string;
  round?: number;
}
export interface RejectCommand {
  reason: string;
  round?: number;
}
export interface RequestChangesCommand {
  comment: string;
  round?: number;
}
export interface RecordSubmittedToMicrosoftCommand {
  caseNumber: string;
}
/**
 * Microsoft grants an exception for a period: the end date it gave is required, unless the admin
 * states explicitly that Microsoft gave none (`noEndDate`). Then a review date is set: `reviewDate`,
 * or a year after the answer is recorded when absent; never later than that.
 */
export interface RecordGrantedCommand {
  endDate?: Date;
  noEndDate?: boolean;
  reviewDate?: Date;
}

/** The longest a grant without an end date goes unreviewed. */
export const REVIEW_WITHIN_MS = 365 * 24 * 60 * 60 * 1000;
export interface RecordDeniedCommand {
  reason: string;
}

export type ExceptionCommand =
  | ({ type: 'saveDraft' } & SaveDraftCommand)
  | ({ type: 'submitForReview' } & SubmitForReviewCommand)
  | ({ type: 'withdraw' } & WithdrawCommand)
  | ({ type: 'approve' } & ApproveCommand)
  | ({ type: 'reject' } & RejectCommand)
  | ({ type: 'requestChanges' } & RequestChangesCommand)
  | ({ type: 'recordSubmittedToMicrosoft' } & RecordSubmittedToMicrosoftCommand)
  | ({ type: 'recordGranted' } & RecordGrantedCommand)
  | ({ type: 'recordDenied' } & RecordDeniedCommand);

/** Refuse a command whose own input has problems, listing each. */
function refuseInput(request: ExceptionRequest, command: CommandType, ctx: CommandContext, errors: FieldError[]): never {
  throw inputRefusal(request, command, ctx, ExceptionRefusals.InputInvalid, errors.map((e) => e.message).join(' '), errors);
}

/** A comment or reason: cleaned, at most COMMENT_MAX characters, required or not. */
function readComment(
  request: ExceptionRequest,
  command: CommandType,
  ctx: CommandContext,
  field: 'comment' | 'reason',
  value: unknown,
  required: boolean,
): string {
  const text = cleanText(value);
  const label = field === 'reason' ? 'A reason' : 'A comment';
  const error = checkText(field, label, text, { required, max: COMMENT_MAX });
  if (error) refuseInput(request, command, ctx, [error]);
  return text;
}

/** Drop the current round's decision and approvals (a resubmitted request starts a new review). */
function withoutDecision(request: ExceptionRequest): ExceptionRequest {
  const { decidedBy: _by, decidedAt: _at, decisionComment: _comment, approvals: _approvals, ...rest } = request;
  return rest;
}

/** Only an admin files for a service account or an integration; everyone else asks for their own account. */
function forOtherRefusal(fields: DraftFields, ctx: CommandContext): FieldError[] {
  return isForOther(fields) && !ctx.isAdmin
    ? [{ field: 'subjectKind', problem: 'notAccepted', message: 'Only an admin can file a request for a service account or an integration; yours is for your own account.' }]
    : [];
}

// ─── The requester: edit, submit, withdraw ──────────────────────────────────────────────────────────

export function saveDraft(request: ExceptionRequest, command: SaveDraftCommand, ctx: CommandContext): CommandResult {
  authorize(request, 'saveDraft', ctx);
  const { fields, errors: draftErrors } = readDraft(command.fields, 'partial');
  const errors = [...forOtherRefusal(fields, ctx), ...draftErrors];
  if (errors.length > 0) {
    throw inputRefusal(request, 'saveDraft', ctx, ExceptionRefusals.DraftInvalid, `The draft was not saved: ${errors.map((e) => e.message).join(' ')}`, errors);
  }
  const next: ExceptionRequest = { ...request, fields, updatedAt: ctx.at };
  return { next, audit: auditEntry(request, next, 'saveDraft', ctx) };
}

export function submitForReview(request: ExceptionRequest, command: SubmitForReviewCommand, ctx: CommandContext): CommandResult {
  authorize(request, 'submitForReview', ctx);
  const { fields, errors: draftErrors } = readDraft(command.fields ?? request.fields, 'complete');
  const errors = [...forOtherRefusal(fields, ctx), ...draftErrors];
  const notAccepted = unacceptableReason(fields.reasonCategory);
  if (notAccepted) {
    throw inputRefusal(request, 'submitForReview', ctx, ExceptionRefusals.CategoryNotAccepted, `This request cannot succeed: ${notAccepted}`, errors);
  }
  if (errors.length > 0) {
    throw inputRefusal(request, 'submitForReview', ctx, ExceptionRefusals.DraftInvalid, `Not submitted yet: ${errors.map((e) => e.message).join(' ')}`, errors);
  }
  const next: ExceptionRequest = {
    ...withoutDecision(request),
    status: 'inReview',
    fields,
    updatedAt: ctx.at,
    reviewRound: request.reviewRound + 1,
    submittedForReviewAt: ctx.at,
    approvalsRequired: Math.max(1, ctx.approvalsRequired ?? 1),
  };
  return { next, audit: auditEntry(request, next, 'submitForReview', ctx) };
}

export function withdraw(request: ExceptionRequest, command: WithdrawCommand, ctx: CommandContext): CommandResult {
  authorize(request, 'withdraw', ctx);
  const comment = readComment(request, 'withdraw', ctx, 'comment', command.comment, false);
  const next: ExceptionRequest = { ...request, status: 'withdrawn', updatedAt: ctx.at, withdrawnAt: ctx.at };
  return { next, audit: auditEntry(request, next, 'withdraw', ctx, { comment }) };
}

// ─── An approver (an admin who is not the requester): decide ────────────────────────────────────────

function decide(
  request: ExceptionRequest,
  action: 'approve' | 'reject' | 'requestChanges',
  comment: string,
  ctx: CommandContext,
): CommandResult {
  const to = action === 'approve' ? 'approved' : action === 'reject' ? 'rejected' : 'changesRequested';
  const next: ExceptionRequest = {
    ...withoutDecision(request),
    status: to,
    updatedAt: ctx.at,
    decidedBy: ctx.actor,
    decidedAt: ctx.at,
    ...(comment === '' ? {} : { decisionComment: comment }),
  };
  return { next, audit: auditEntry(request, next, action, ctx, { comment }) };
}

/**
 * An approval counts once per approver (`authorize` refuses a second one). While the request has
 * fewer than it needs, it is recorded and the request stays in review; the last one approves it.
 */
export function approve(request: ExceptionRequest, command: ApproveCommand, ctx: CommandContext): CommandResult {
  authorize(request, 'approve', ctx, command.round);
  const comment = readComment(request, 'approve', ctx, 'comment', command.comment, false);
  const approvals = [...(request.approvals ?? []), { by: ctx.actor, at: ctx.at, ...(comment === '' ? {} : { comment }) }];
  if (approvals.length < requiredApprovals(request)) {
    const next: ExceptionRequest = { ...request, approvals, updatedAt: ctx.at };
    return { next, audit: auditEntry(request, next, 'approve', ctx, { comment }) };
  }
  const decided = decide(request, 'approve', comment, ctx);
  const next: ExceptionRequest = { ...decided.next, approvals };
  return { next, audit: decided.audit };
}

export function reject(request: ExceptionRequest, command: RejectCommand, ctx: CommandContext): CommandResult {
  authorize(request, 'reject', ctx, command.round);
  const reason = readComment(request, 'reject', ctx, 'reason', command.reason, true);
  return decide(request, 'reject', reason, ctx);
}

export function requestChanges(request: ExceptionRequest, command: RequestChangesCommand, ctx: CommandContext): CommandResult {
  authorize(request, 'requestChanges', ctx, command.round);
  const comment = readComment(request, 'requestChanges', ctx, 'comment', command.comment, true);
  return decide(request, 'requestChanges', comment, ctx);
}

// ─── An admin: Microsoft's side ─────────────────────────────────────────────────────────────────────

/** Partner Center support case number: letters, digits and hyphens, at most 50. */
export function checkCaseNumber(value: unknown): { caseNumber: string; error?: FieldError<'caseNumber'> } {
  const caseNumber = cleanText(value);
  const length = textLength(caseNumber);
  if (length === 0) return { caseNumber, error: { field: 'caseNumber', problem: 'required', message: 'The support case number is required.' } };
  if (length > CASE_NUMBER_MAX) {
    return {
      caseNumber,
      error: { field: 'caseNumber', problem: 'tooLong', message: `The support case number can have at most ${CASE_NUMBER_MAX} characters (it has ${formatCount(length)}).` },
    };
  }
  if (!CASE_NUMBER_FORMAT.test(caseNumber)) {
    return {
      caseNumber,
      error: { field: 'caseNumber', problem: 'format', message: 'The support case number can contain only letters, digits and hyphens (-).' },
    };
  }
  return { caseNumber };
}

export function recordSubmittedToMicrosoft(
  request: ExceptionRequest,
  command: RecordSubmittedToMicrosoftCommand,
  ctx: CommandContext,
): CommandResult {
  authorize(request, 'recordSubmittedToMicrosoft', ctx);
  const { caseNumber, error } = checkCaseNumber(command.caseNumber);
  if (error) refuseInput(request, 'recordSubmittedToMicrosoft', ctx, [error]);
  const next: ExceptionRequest = {
    ...request,
    status: 'submittedToMicrosoft',
    updatedAt: ctx.at,
    supportCaseNumber: caseNumber,
    submittedToMicrosoftAt: ctx.at,
    submittedToMicrosoftBy: ctx.actor,
  };
  return { next, audit: auditEntry(request, next, 'recordSubmittedToMicrosoft', ctx, { caseNumber }) };
}

export function recordGranted(request: ExceptionRequest, command: RecordGrantedCommand, ctx: CommandContext): CommandResult {
  authorize(request, 'recordGranted', ctx);
  const { endDate, noEndDate, reviewDate } = command;
  const invalid = (d: Date | undefined): boolean => d !== undefined && (!(d instanceof Date) || Number.isNaN(d.getTime()));
  const recorded: ExceptionRequest = { ...request, status: 'granted', updatedAt: ctx.at, answerRecordedBy: ctx.actor, answerRecordedAt: ctx.at };

  if (noEndDate === true) {
    if (endDate !== undefined) {
      refuseInput(request, 'recordGranted', ctx, [
        { field: 'endDate', problem: 'format', message: 'Give either the end date Microsoft set or "No end date given", not both.' },
      ]);
    }
    const latest = new Date(ctx.at.getTime() + REVIEW_WITHIN_MS);
    if (invalid(reviewDate)) refuseInput(request, 'recordGranted', ctx, [{ field: 'reviewDate', problem: 'format', message: 'The review date is not a valid date.' }]);
    const reviewBy = reviewDate ?? latest;
    if (reviewBy.getTime() <= ctx.at.getTime() || reviewBy.getTime() > latest.getTime()) {
      refuseInput(request, 'recordGranted', ctx, [
        {
          field: 'reviewDate',
          problem: 'notAfter',
          message: `Without an end date from Microsoft, the exception is reviewed within a year: the review date must be after now and by ${formatInstant(latest)}.`,
        },
      ]);
    }
    const next: ExceptionRequest = { ...recorded, reviewBy };
    return { next, audit: auditEntry(request, next, 'recordGranted', ctx, { reviewBy }) };
  }

  if (endDate === undefined) {
    refuseInput(request, 'recordGranted', ctx, [
      {
        field: 'endDate',
        problem: 'required',
        message: 'Microsoft grants an exception for a period: enter the end date it gave, or choose "No end date given" (a review date within a year is then set).',
      },
    ]);
  }
  if (invalid(endDate)) refuseInput(request, 'recordGranted', ctx, [{ field: 'endDate', problem: 'format', message: 'The end date is not a valid date.' }]);
  if (endDate.getTime() <= ctx.at.getTime()) {
    refuseInput(request, 'recordGranted', ctx, [{ field: 'endDate', problem: 'notAfter', message: `The end date must be after now (${formatInstant(ctx.at)}).` }]);
  }
  const next: ExceptionRequest = { ...recorded, grantedUntil: endDate };
  return { next, audit: auditEntry(request, next, 'recordGranted', ctx, { grantedUntil: endDate }) };
}

export function recordDenied(request: ExceptionRequest, command: RecordDeniedCommand, ctx: CommandContext): CommandResult {
  authorize(request, 'recordDenied', ctx);
  const reason = readComment(request, 'recordDenied', ctx, 'reason', command.reason, true);
  const next: ExceptionRequest = { ...request, status: 'denied', updatedAt: ctx.at, deniedReason: reason, answerRecordedBy: ctx.actor, answerRecordedAt: ctx.at };
  return { next, audit: auditEntry(request, next, 'recordDenied', ctx, { comment: reason }) };
}

/** Run one command: the entry point for a card verb or a typed command. */
export function applyCommand(request: ExceptionRequest, command: ExceptionCommand, ctx: CommandContext): CommandResult {
  switch (command.type) {
    case 'saveDraft':
      return saveDraft(request, command, ctx);
    case 'submitForReview':
      return submitForReview(request, command, ctx);
    case 'withdraw':
      return withdraw(request, command, ctx);
    case 'approve':
      return approve(request, command, ctx);
    case 'reject':
      return reject(request, command, ctx);
    case 'requestChanges':
      return requestChanges(request, command, ctx);
    case 'recordSubmittedToMicrosoft':
      return recordSubmittedToMicrosoft(request, command, ctx);
    case 'recordGranted':
      return recordGranted(request, command, ctx);
    case 'recordDenied':
      return recordDenied(request, command, ctx);
  }
}
