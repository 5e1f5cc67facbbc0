import type { ExceptionRequest, ExceptionStatus } from './request';
import { formatInstant, STATUS_LABELS, type CommandContext, type CommandType } from './rules';

/** One line of a request's append-only audit log: who did what, when, from which status to which. */
export interface AuditEntry {
  requestId: string;
  at: Date;
  /** AAD object ID of the actor. */
  actor: string;
  from: ExceptionStatus;
  to: ExceptionStatus;
  action: CommandType;
  /** What the actor wrote: a decision's comment or reason, a withdrawal's or denial's reason. */
  comment?: string;
  /** recordSubmittedToMicrosoft: the Partner Center support case number. */
  caseNumber?: string;
  /** recordGranted: the end date Microsoft gave. */
  grantedUntil?: Date;
  /** recordGranted with no end date given: the review date. */
  reviewBy?: Date;
}

export function auditEntry(
  before: ExceptionRequest,
  after: ExceptionRequest,
  action: CommandType,
  ctx: CommandContext,
  extra: Pick<AuditEntry, 'comment' | 'caseNumber' | 'grantedUntil' | 'reviewBy'> = {},
): AuditEntry {
  const entry: AuditEntry = { requestId: before.id, at: ctx.at, actor: ctx.actor, from: before.status, to: after.status, action };
  if (extra.comment !== undefined && extra.comment !== '') entry.comment = extra.comment;
  if (extra.caseNumber !== undefined) entry.caseNumber = extra.caseNumber;
  if (extra.grantedUntil !== undefined) entry.grantedUntil = extra.grantedUntil;
  if (extra.reviewBy !== undefined) entry.reviewBy = extra.reviewBy;
  return entry;
}

const DONE: Record<CommandType, string> = {
  saveDraft: 'saved the draft',
  submitForReview: 'submitted it for review',
  withdraw: 'withdrew it',
  approve: 'approved it',
  reject: 'rejected it',
  requestChanges: 'requested changes',
  recordSubmittedToMicrosoft: 'recorded it as submitted to Microsoft',
  recordGranted: 'recorded that Microsoft granted it',
  recordDenied: 'recorded that Microsoft denied it',
};

/**
 * One entry as a sentence, without its time (a card renders the time in the reader's zone):
 * `Megan Bowen approved it (in review → approved): “Looks right.”`. User text stays literal.
 */
export function describeAuditEntry(entry: AuditEntry, nameOf: (aadObjectId: string) => string = (id) => id): string {
  let text = `${nameOf(entry.actor)} ${DONE[entry.action]}`;
  if (entry.caseNumber !== undefined) text += ` (case ${entry.caseNumber})`;
  if (entry.grantedUntil !== undefined) text += ` until ${formatInstant(entry.grantedUntil)}`;
  if (entry.reviewBy !== undefined) text += ` with no end date given (review by ${formatInstant(entry.reviewBy)})`;
  if (entry.action === 'approve' && entry.from === 'inReview' && entry.to === 'inReview') text += ' (more approvals needed)';
  if (entry.from !== entry.to) text += ` (${STATUS_LABELS[entry.from]} → ${STATUS_LABELS[entry.to]})`;
  if (entry.comment !== undefined) text += `: “${entry.comment}”`;
  return text;
}

/** The `history <request>` view: oldest first, one line per entry, times in UTC. */
export function formatHistory(entries: readonly AuditEntry[], nameOf?: (aadObjectId: string) => string): string[] {
  return entries
    .map((entry, index) => ({ entry, index }))
    .sort((a, b) => a.entry.at.getTime() - b.entry.at.getTime() || a.index - b.index)
    .map(({ entry }) => `${formatInstant(entry.at)} · ${describeAuditEntry(entry, nameOf)}`);
}
