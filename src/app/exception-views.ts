import {
  exceptionExpiryCard,
  type PartnerIdentity,
  buildSubmissionPack,
  exceptionApprovalCard,
  exceptionOutcomeCard,
  slaAlertCard,
  type ApprovalView,
  type ExceptionApprovalModel,
  type ReviewDecisionModel,
  type SlaItemModel,
} from '../cards';
import { submissionPackCard } from '../cards';
import type { AdaptiveCard } from '../cards/render';
import type { DeadlineReminder, RunningClock, SlaStatus } from '../domain/calendar';
import { formatInstant } from '../cards';
import type { ContactStore, OutboundMessage, PrincipalStore } from './ports';
import type { ExceptionMessages } from './exception-effects';
import type { ExceptionRequest, ExpiryNotice } from '../domain/exception';

/**
 * Domain requests → card models and messages, with people's names resolved (the domain knows AAD
 * object ids only). Names come from the user's Teams chat (the name Teams gave us), else their UPN
 * from Partner Center's list, else the id itself.
 */
export interface Directory {
  nameOf(aadObjectId: string): Promise<string>;
  names(ids: readonly (string | undefined)[]): Promise<Record<string, string>>;
}

export function createDirectory(deps: { tenantId: string; contacts: Pick<ContactStore, 'get'>; principals: Pick<PrincipalStore, 'get'> }): Directory {
  const nameOf = async (id: string): Promise<string> => {
    const contact = await deps.contacts.get(deps.tenantId, id).catch(() => undefined);
    if (contact?.address?.userName) return contact.address.userName;
    const principal = await deps.principals.get(deps.tenantId, id).catch(() => undefined);
    return principal?.upn || id;
  };
  return {
    nameOf,
    async names(ids) {
      const unique = [...new Set(ids.filter((id): id is string => typeof id === 'string' && id !== ''))];
      const pairs = await Promise.all(unique.map(async (id) => [id, await nameOf(id)] as const));
      return Object.fromEntries(pairs);
    },
  };
}

const DECISION_OUTCOME = { approved: 'approved', rejected: 'rejected', changesRequested: 'changesRequested' } as const;

/** The decision that stands on a request (approved, rejected, changes requested), if any. */
/**
 * The ready-to-paste Partner Center submission for an approved request: the card the admins get
 * after approval, and the one an admin opens or updates with the case number later.
 */
export async function submissionPackFor(
  request: ExceptionRequest,
  directory: Pick<Directory, 'nameOf'>,
  partner: PartnerIdentity | undefined,
  extra: { caseNumber?: string; error?: string } = {},
): Promise<AdaptiveCard> {
  const requesterName = await directory.nameOf(request.requesterId);
  return submissionPackCard({
    requestId: request.id,
    requesterName,
    requesterUpn: request.requesterUpn,
    approvedByName: request.decidedBy ? await directory.nameOf(request.decidedBy) : 'an approver',
    approvedAt: request.decidedAt ?? request.updatedAt,
    pack: buildSubmissionPack({ requesterName, requesterUpn: request.requesterUpn, fields: request.fields, ...(partner ? { partner } : {}) }),
    ...extra,
  });
}

export async function decisionOf(request: ExceptionRequest, directory: Directory): Promise<ReviewDecisionModel | undefined> {
  if (!request.decidedBy || !request.decidedAt) return undefined;
  const outcome = request.status in DECISION_OUTCOME ? DECISION_OUTCOME[request.status as keyof typeof DECISION_OUTCOME] : 'approved';
  return {
    outcome,
    byName: await directory.nameOf(request.decidedBy),
    at: request.decidedAt,
    ...(request.decisionComment ? { comment: request.decisionComment } : {}),
  };
}

export async function approvalModel(
  request: ExceptionRequest,
  view: ApprovalView,
  directory: Directory,
  extra: Partial<Pick<ExceptionApprovalModel, 'refreshUserIds' | 'comment' | 'error'>> = {},
): Promise<ExceptionApprovalModel> {
  const decision = view === 'decided' || view === 'alreadyDecided' ? await decisionOf(request, directory) : undefined;
  return {
    view,
    requestId: request.id,
    round: request.reviewRound,
    requesterName: await directory.nameOf(request.requesterId),
    requesterUpn: request.requesterUpn,
    fields: request.fields,
    submittedAt: request.submittedForReviewAt ?? request.updatedAt,
    refreshUserIds: extra.refreshUserIds ?? [],
    approvals: await Promise.all((request.approvals ?? []).map(async (a) => ({ byName: await directory.nameOf(a.by), at: a.at }))),
    approvalsRequired: request.approvalsRequired ?? 1,
    ...(decision ? { decision } : {}),
    ...(extra.comment ? { comment: extra.comment } : {}),
    ...(extra.error ? { error: extra.error } : {}),
  };
}

export async function slaItem(request: ExceptionRequest, status: SlaStatus, directory: Directory, clock: SlaItemModel['clock'] = 'microsoft'): Promise<SlaItemModel> {
  const started = clock === 'approval' ? request.submittedForReviewAt : clock === 'filing' ? request.decidedAt : request.submittedToMicrosoftAt;
  return {
    clock,
    requestId: request.id,
    requesterName: await directory.nameOf(request.requesterId),
    requesterUpn: request.requesterUpn,
    caseNumber: request.supportCaseNumber ?? '',
    state: status.state,
    businessMinutesLeft: status.businessMinutesLeft,
    dueAt: status.dueAt,
    submittedAt: started ?? status.clockStartedAt,
  };
}

/** A person's name in a chat message: Markdown characters shown as themselves. */
const escapeMarkdown = (text: string): string => text.replace(/[\\`*_[\]<>#|~]/g, (ch) => `\\${ch}`);

const OUTCOME_TEXT: Partial<Record<ExceptionRequest['status'], string>> = {
  approved: 'Your exception request was approved',
  rejected: 'Your exception request was rejected',
  changesRequested: 'Changes were requested to your exception request',
  withdrawn: 'Your exception request was withdrawn',
  submittedToMicrosoft: 'Your exception request was filed with Microsoft',
  granted: 'Microsoft granted your exception',
  denied: 'Microsoft denied your exception request',
};

/** The messages the exception effects and the SLA sweep send, built from the cards. */
export function createExceptionMessages(deps: { directory: Directory; timezoneOf: (aadObjectId: string) => Promise<string | undefined>; partner?: PartnerIdentity; calendarZone?: string }): ExceptionMessages & {
  slaAnnouncement(request: ExceptionRequest, status: SlaStatus, audience: 'requester' | 'admin'): Promise<OutboundMessage>;
  expiryNotice(request: ExceptionRequest, notice: ExpiryNotice, audience: 'requester' | 'admin'): Promise<OutboundMessage>;
  deadlineReminder(request: ExceptionRequest, clock: RunningClock, reminder: DeadlineReminder): Promise<OutboundMessage>;
} {
  const { directory } = deps;
  return {
    async approvalCard(request, approverUserIds, audience) {
      const view: ApprovalView = audience === 'approver' ? 'approver' : 'status';
      const card = exceptionApprovalCard(await approvalModel(request, view, directory, { refreshUserIds: approverUserIds }));
      return { text: `Exception request ${request.id} from ${await directory.nameOf(request.requesterId)} needs a decision`, card };
    },

    async closedApprovalCard(request) {
      const view: ApprovalView = request.decidedBy ? 'decided' : 'status';
      const card = exceptionApprovalCard(await approvalModel(request, view, directory));
      return { text: `Exception request ${request.id}: ${request.status}`, card };
    },

    async requesterUpdate(request) {
      const text = OUTCOME_TEXT[request.status];
      if (!text) return undefined;
      const readerZone = await deps.timezoneOf(request.requesterId);
      const by = request.status === 'granted' || request.status === 'denied' ? request.answerRecordedBy : request.decidedBy;
      if (request.status === 'submittedToMicrosoft') {
        return { text: `${text} (case ${request.supportCaseNumber ?? 'unknown'}). Microsoft answers within 3 business days.` };
      }
      const card = exceptionOutcomeCard({
        outcome: request.status as 'approved' | 'rejected' | 'changesRequested' | 'granted' | 'denied' | 'withdrawn',
        requestId: request.id,
        round: request.reviewRound,
        ...(request.fields.reasonCategory ? { reasonCategory: request.fields.reasonCategory } : {}),
        ...(by ? { byName: await directory.nameOf(by) } : {}),
        at: request.answerRecordedAt ?? request.decidedAt ?? request.withdrawnAt ?? request.updatedAt,
        ...(request.status === 'denied' && request.deniedReason ? { comment: request.deniedReason } : request.decisionComment ? { comment: request.decisionComment } : {}),
        ...(request.grantedUntil ? { grantedUntil: request.grantedUntil } : {}),
        ...(readerZone ? { readerZone } : {}),
      });
      return { text, card };
    },

    async submissionPack(request) {
      const card = await submissionPackFor(request, directory, deps.partner);
      return { text: `Exception request ${request.id} is approved: file it in Partner Center`, card };
    },

    async noApproverReached(request) {
      return {
        text: `Your exception request ${request.id} is submitted, but no approver has a chat with MFA Shepherd yet, so no approver could be asked to decide. Please tell your security admin; the request waits for them.`,
      };
    },

    async expiryNotice(request, notice, audience) {
      const end = request.grantedUntil ?? request.reviewBy ?? request.updatedAt;
      const readerZone = audience === 'requester' ? await deps.timezoneOf(request.requesterId) : undefined;
      const card = exceptionExpiryCard({
        audience,
        notice,
        requestId: request.id,
        requesterName: await directory.nameOf(request.requesterId),
        requesterUpn: request.requesterUpn,
        caseNumber: request.supportCaseNumber ?? '',
        ...(request.fields.subjectKind ? { subjectKind: request.fields.subjectKind } : {}),
        ...(request.fields.subjectName ? { subjectName: request.fields.subjectName } : {}),
        end,
        isReviewDate: request.grantedUntil === undefined,
        ...(readerZone ? { readerZone } : {}),
      });
      const words = { tenDays: 'ends in 10 business days', twoDays: 'ends in 2 business days', ended: 'has ended' }[notice];
      return { text: `The technical exception of request ${request.id} ${words}`, card };
    },

    async deadlineReminder(request, clock, reminder) {
      const name = escapeMarkdown(await directory.nameOf(request.requesterId));
      const zone = deps.calendarZone ?? 'UTC';
      const due = `${formatInstant(clock.status.dueAt, zone)} (${zone})`;
      const overdue = clock.status.state === 'breached';
      const since = formatInstant(clock.status.clockStartedAt, zone);
      const text =
        reminder.clock === 'filing'
          ? `Reminder: exception request ${request.id} of ${name} was approved and is waiting to be filed with Microsoft. Your deadline for filing ${overdue ? 'was' : 'is'} ${due}. File it in Partner Center (Help + support, issue type "MFA - Request for exception"), then record the case number on the submission card.`
          : reminder.audience === 'approvers'
            ? `Reminder: exception request ${request.id} of ${name} has waited for a decision since ${since}. The approval deadline ${overdue ? 'was' : 'is'} ${due}. Open the approval card in this chat to approve, reject or ask for changes.`
            : `Exception request ${request.id} of ${name} is overdue for approval: it was due ${due}, and the approvers have been reminded. Please follow up with them, or type "sla" for every open deadline.`;
      return { text };
    },

    async slaAnnouncement(request, status, audience) {
      const item = await slaItem(request, status, directory);
      const readerZone = audience === 'requester' ? await deps.timezoneOf(request.requesterId) : undefined;
      const card = slaAlertCard({ audience, item, ...(readerZone ? { readerZone } : {}) });
      const words = { onTrack: 'is on track', dueSoon: 'is due soon', dueToday: 'is due today', breached: 'is overdue' }[status.state];
      return { text: `Microsoft's answer to exception request ${request.id} ${words}`, card };
    },
  };
}
