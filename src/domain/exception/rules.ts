import { ExceptionRefusals, ExceptionRefusedError, type ExceptionRefusal, type RefusalFacts } from './errors';
import { effectiveStatus, sameId, type EffectiveStatus, type ExceptionRequest, type ExceptionStatus } from './request';

/** Who may run a command: the requester, an approver (an admin who is not the requester), or any admin. */
export type CommandRole = 'requester' | 'approver' | 'admin';

export interface CommandRule {
  by: CommandRole;
  from: readonly ExceptionStatus[];
  /** 'unchanged': the command edits the request without moving it. */
  to: ExceptionStatus | 'unchanged';
  /**
   * 'approvals': the move happens once the request's required number of different approvers
   * (`approvalsRequired`, 1 or 2) have run it; an earlier run is recorded and leaves the status as it is.
   * Each approver counts once: their second click is refused (ALREADY_APPROVED) and changes nothing.
   */
  when?: 'approvals';
}

/** The whole state machine: who runs each command, from which statuses, to which. Nothing else is allowed. */
export const EXCEPTION_RULES = {
  saveDraft:                  { by: 'requester', from: ['draft', 'changesRequested'], to: 'unchanged' },
  submitForReview:            { by: 'requester', from: ['draft', 'changesRequested'], to: 'inReview' },
  withdraw:                   { by: 'requester', from: ['draft', 'inReview', 'changesRequested'], to: 'withdrawn' },
  approve:                    { by: 'approver', from: ['inReview'], to: 'approved', when: 'approvals' },
  reject:                     { by: 'approver', from: ['inReview'], to: 'rejected' },
  requestChanges:             { by: 'approver', from: ['inReview'], to: 'changesRequested' },
  recordSubmittedToMicrosoft: { by: 'admin', from: ['approved'], to: 'submittedToMicrosoft' },
  recordGranted:              { by: 'admin', from: ['submittedToMicrosoft'], to: 'granted' },
  recordDenied:               { by: 'admin', from: ['submittedToMicrosoft'], to: 'denied' },
} as const satisfies Record<string, CommandRule>;

export type CommandType = keyof typeof EXCEPTION_RULES;

export const COMMAND_TYPES: readonly CommandType[] = [
  'saveDraft',
  'submitForReview',
  'withdraw',
  'approve',
  'reject',
  'requestChanges',
  'recordSubmittedToMicrosoft',
  'recordGranted',
  'recordDenied',
];

/** Who acts and when. The actor is the activity's sender (AAD object ID), never a value from a card. */
export interface CommandContext {
  actor: string;
  isAdmin: boolean;
  at: Date;
  /** Different approvers a request submitted now needs (EXCEPTION_APPROVALS_REQUIRED); default 1. */
  approvalsRequired?: number;
}

export const STATUS_LABELS: Record<EffectiveStatus, string> = {
  draft: 'draft',
  inReview: 'in review',
  changesRequested: 'changes requested',
  approved: 'approved',
  rejected: 'rejected',
  withdrawn: 'withdrawn',
  submittedToMicrosoft: 'submitted to Microsoft',
  granted: 'granted by Microsoft',
  denied: 'denied by Microsoft',
  expired: 'expired',
};

/** "You cannot … now", "an approver can …": each reads after "can". */
export const COMMAND_LABELS: Record<CommandType, string> = {
  saveDraft: 'save the draft',
  submitForReview: 'submit it for review',
  withdraw: 'withdraw it',
  approve: 'approve it',
  reject: 'reject it',
  requestChanges: 'request changes',
  recordSubmittedToMicrosoft: 'record it as submitted to Microsoft',
  recordGranted: 'record that Microsoft granted it',
  recordDenied: 'record that Microsoft denied it',
};

/** "2026-11-20 09:30 UTC": messages name instants in UTC; cards render them in the reader's zone. */
export function formatInstant(at: Date): string {
  return `${at.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

function joinOr(items: readonly string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} or ${items[items.length - 1] ?? ''}`;
}

/** Where the request stands, with who and when where it is known. */
export function describeStatus(request: ExceptionRequest, now: Date): string {
  const by = (who: string | undefined, at: Date | undefined): string =>
    `${who ? ` by ${who}` : ''}${at ? ` at ${formatInstant(at)}` : ''}`;
  const status = effectiveStatus(request, now);
  switch (status) {
    case 'draft':
      return 'The request is a draft.';
    case 'inReview': {
      const since = request.submittedForReviewAt ? ` since ${formatInstant(request.submittedForReviewAt)}` : '';
      const approvals = request.approvals ?? [];
      if (approvals.length === 0) return `The request is in review${since}.`;
      const needed = Math.max(requiredApprovals(request) - approvals.length, 1);
      return `The request is in review${since}: approved by ${approvals.map((a) => a.by).join(' and ')}, waiting for ${needed} more approver${needed === 1 ? '' : 's'}.`;
    }
    case 'changesRequested':
      return `Changes to the request were requested${by(request.decidedBy, request.decidedAt)}.`;
    case 'approved':
      return `The request was approved${by(request.decidedBy, request.decidedAt)}.`;
    case 'rejected':
      return `The request was rejected${by(request.decidedBy, request.decidedAt)}.`;
    case 'withdrawn':
      return `The request was withdrawn by the requester${request.withdrawnAt ? ` at ${formatInstant(request.withdrawnAt)}` : ''}.`;
    case 'submittedToMicrosoft':
      return `The request was submitted to Microsoft${request.supportCaseNumber ? ` (case ${request.supportCaseNumber})` : ''}${by(undefined, request.submittedToMicrosoftAt)}.`;
    case 'granted':
      if (request.grantedUntil) return `Microsoft granted the request until ${formatInstant(request.grantedUntil)}.`;
      if (request.reviewBy) return `Microsoft granted the request without an end date; it is to be reviewed by ${formatInstant(request.reviewBy)}.`;
      return 'Microsoft granted the request.';
    case 'denied':
      return 'Microsoft denied the request.';
    case 'expired':
      if (!request.grantedUntil && request.reviewBy) {
        return `Microsoft granted the request without an end date; its review date ${formatInstant(request.reviewBy)} has passed, so it has expired.`;
      }
      return `Microsoft granted the request until ${request.grantedUntil ? formatInstant(request.grantedUntil) : 'an end date'}; it has expired.`;
  }
}

const ROLE_PHRASES: Record<CommandRole, string> = {
  requester: 'the requester',
  approver: 'an approver other than the requester',
  admin: 'an admin',
};

/** What can happen next from the request's status, and who can do it. */
export function describePossible(request: ExceptionRequest, now: Date): string {
  const status = effectiveStatus(request, now);
  const parts: string[] = [];
  for (const role of ['requester', 'approver', 'admin'] as const) {
    const labels = COMMAND_TYPES.filter((type) => {
      const rule: CommandRule = EXCEPTION_RULES[type];
      return rule.by === role && status !== 'expired' && rule.from.includes(request.status);
    }).map((type) => COMMAND_LABELS[type]);
    if (labels.length > 0) parts.push(`${ROLE_PHRASES[role]} can ${joinOr(labels)}`);
  }
  return parts.length === 0 ? 'Nothing more can be done with it.' : `Possible now: ${parts.join('; ')}.`;
}

interface Refusal {
  refusal: ExceptionRefusal;
  /** Why, in one sentence; the status and what is possible are added after it. */
  why: string;
  /** What follows `why`: the status and what is possible (default), only what is possible, or nothing. */
  tail?: 'statusAndPossible' | 'possible' | 'none';
  decidedBy?: string;
  decidedAt?: Date;
}

const DECIDED_STATUSES: readonly ExceptionStatus[] = ['approved', 'rejected', 'changesRequested', 'submittedToMicrosoft', 'granted', 'denied'];
const SUBMITTED_STATUSES: readonly ExceptionStatus[] = ['submittedToMicrosoft', 'granted', 'denied'];
const ANSWERED_STATUSES: readonly ExceptionStatus[] = ['granted', 'denied'];

/** When someone else already did what `command` would do: who, when, and what (for the second click). */
function alreadyDone(request: ExceptionRequest, command: CommandType): Refusal | undefined {
  const rule: CommandRule = EXCEPTION_RULES[command];
  const first = (by: string | undefined, at: Date | undefined, what: string, direct: boolean): Refusal | undefined =>
    by && at
      ? {
          refusal: ExceptionRefusals.AlreadyDecided,
          why: `${by} already ${what} at ${formatInstant(at)}.`,
          tail: direct ? 'possible' : 'statusAndPossible',
          decidedBy: by,
          decidedAt: at,
        }
      : undefined;

  if (rule.by === 'approver' && DECIDED_STATUSES.includes(request.status)) {
    const what = request.status === 'rejected' ? 'rejected it' : request.status === 'changesRequested' ? 'requested changes' : 'approved it';
    return first(request.decidedBy, request.decidedAt, what, ['approved', 'rejected', 'changesRequested'].includes(request.status));
  }
  if (command === 'recordSubmittedToMicrosoft' && SUBMITTED_STATUSES.includes(request.status)) {
    const what = `recorded it as submitted to Microsoft (case ${request.supportCaseNumber ?? 'unknown'})`;
    return first(request.submittedToMicrosoftBy, request.submittedToMicrosoftAt, what, request.status === 'submittedToMicrosoft');
  }
  if ((command === 'recordGranted' || command === 'recordDenied') && ANSWERED_STATUSES.includes(request.status)) {
    const what = `recorded that Microsoft ${request.status === 'granted' ? 'granted' : 'denied'} it`;
    return first(request.answerRecordedBy, request.answerRecordedAt, what, false);
  }
  return undefined;
}

/**
 * Whether `ctx.actor` may run `command` on `request` now, and if not, why. Checked in this order:
 * who the actor is (requester, approver, admin; never their own request's approver), then the status
 * (someone else was first, or the command does not apply), then the review round a card showed.
 */
function check(request: ExceptionRequest, command: CommandType, ctx: CommandContext, round?: number): Refusal | undefined {
  const rule: CommandRule = EXCEPTION_RULES[command];
  const label = COMMAND_LABELS[command];
  const isRequester = sameId(ctx.actor, request.requesterId);

  if (rule.by === 'requester' && !isRequester) {
    return { refusal: ExceptionRefusals.NotRequester, why: `Only the requester (${request.requesterUpn || request.requesterId}) can ${label}.` };
  }
  if (rule.by === 'approver' && !ctx.isAdmin) {
    return { refusal: ExceptionRefusals.NotApprover, why: `Only an approver can ${label}: you are not one of the configured admins.` };
  }
  if (rule.by === 'approver' && isRequester) {
    return { refusal: ExceptionRefusals.SelfApproval, why: `You cannot ${label}: it is your own request, so another approver decides.` };
  }
  if (rule.by === 'admin' && !ctx.isAdmin) {
    return { refusal: ExceptionRefusals.NotAdmin, why: `Only an admin can ${label}.` };
  }

  if (!rule.from.includes(request.status)) {
    return alreadyDone(request, command) ?? { refusal: ExceptionRefusals.TransitionRefused, why: `You cannot ${label} now.` };
  }

  const mine = rule.when === 'approvals' ? request.approvals?.find((a) => sameId(a.by, ctx.actor)) : undefined;
  if (mine) {
    return {
      refusal: ExceptionRefusals.AlreadyApproved,
      why: `You already approved it at ${formatInstant(mine.at)}; it needs another approver's approval too (${requiredApprovals(request)} in all).`,
      tail: 'none',
    };
  }

  if (rule.by === 'approver' && round !== undefined && round !== request.reviewRound) {
    return {
      refusal: ExceptionRefusals.StaleReview,
      why: `This card shows review round ${round}, but the requester has changed and resubmitted the request since (round ${request.reviewRound}): review the latest version before you ${label.replace(/ it$/, '')}.`,
    };
  }
  return undefined;
}

/** How many different approvers the request needs (fixed when it was submitted for review). */
export function requiredApprovals(request: Pick<ExceptionRequest, 'approvalsRequired'>): number {
  return Math.max(1, request.approvalsRequired ?? 1);
}

/** What `ctx.actor` may do with the request now: the buttons a card shows them. */
export function availableCommands(request: ExceptionRequest, ctx: CommandContext): CommandType[] {
  return COMMAND_TYPES.filter((type) => check(request, type, ctx) === undefined);
}

/** The refusal as an error: why, where the request stands, what is possible now. */
function refusal(
  request: ExceptionRequest,
  command: CommandType,
  ctx: CommandContext,
  refused: Refusal,
  extra: Pick<RefusalFacts, 'fieldErrors'> = {},
): ExceptionRefusedError {
  const tail = refused.tail ?? 'statusAndPossible';
  const sentences = [refused.why];
  if (tail === 'statusAndPossible') sentences.push(describeStatus(request, ctx.at));
  if (tail !== 'none') sentences.push(describePossible(request, ctx.at));
  return new ExceptionRefusedError(refused.refusal, sentences.join(' '), {
    requestId: request.id,
    command,
    status: effectiveStatus(request, ctx.at),
    possibleNow: availableCommands(request, ctx),
    ...(refused.decidedBy === undefined ? {} : { decidedBy: refused.decidedBy, decidedAt: refused.decidedAt }),
    ...extra,
  });
}

/** Throws an ExceptionRefusedError unless `ctx.actor` may run `command` on `request` now. */
export function authorize(request: ExceptionRequest, command: CommandType, ctx: CommandContext, round?: number): void {
  const refused = check(request, command, ctx, round);
  if (refused) throw refusal(request, command, ctx, refused);
}

/** The refusal of a command whose own input is wrong (after `authorize` passed). */
export function inputRefusal(
  request: ExceptionRequest,
  command: CommandType,
  ctx: CommandContext,
  kind: ExceptionRefusal,
  why: string,
  fieldErrors: RefusalFacts['fieldErrors'],
): ExceptionRefusedError {
  return refusal(request, command, ctx, { refusal: kind, why, tail: 'none' }, { fieldErrors });
}
