import { describeError, isAppError } from '../domain/errors';
import { sameId, type ExceptionRequest } from '../domain/exception';
import type { OutboxRecord } from '../domain/outbox';
import type {
  ContactStore,
  ExceptionFollowUp,
  ExceptionFollowUpRecord,
  ExceptionStore,
  Logger,
  Messenger,
  OutboundMessage,
  Outbox,
  OutboxMessage,
  OutboxStore,
  SettingsStore,
} from './ports';

/**
 * What a change of an exception request owes the people around it: approval cards to the
 * approvers (and the approvals channel), those cards updated for everyone once someone decides,
 * the requester told of each outcome, the admins handed the submission pack.
 *
 * Durable: the use case writes a follow-up row in the same transaction as the change (see
 * `followUpOf`), and `run` turns it into outbox messages under one key per request, round, step
 * and recipient, then the caller deletes the row. A crash anywhere in between leaves the row, and
 * running it again enqueues nothing twice (the outbox knows its keys) and repeats only the card
 * updates, which set the same content again. Approval cards go through the outbox like the rest;
 * `recordApprovalCard` keeps their activity ids once Teams accepted them, for the later update.
 */
export interface ExceptionMessages {
  /**
   * The approval card as posted: in an approver's own chat with the buttons ('approver'); in the
   * approvals channel as the status view whose refresh shows the buttons to `approverUserIds` (Teams ids).
   */
  approvalCard(request: ExceptionRequest, approverUserIds: string[], audience: 'approver' | 'channel'): Promise<OutboundMessage>;
  /** The approval card once the review is over (decided or withdrawn), the same for everyone. */
  closedApprovalCard(request: ExceptionRequest): Promise<OutboundMessage>;
  /** What the requester is told after a change, if anything. */
  requesterUpdate(request: ExceptionRequest): Promise<OutboundMessage | undefined>;
  /** The ready-to-paste Partner Center submission, for the admins, after approval. */
  submissionPack(request: ExceptionRequest): Promise<OutboundMessage>;
  /** Told to the requester when no approver could be reached. */
  noApproverReached(request: ExceptionRequest): Promise<OutboundMessage>;
}

export interface ExceptionEffectsDeps {
  tenantId: string;
  /** Read at each use (live roles: id lists plus Entra groups). */
  approverIds: Iterable<string>;
  adminIds: Iterable<string>;
  store: Pick<ExceptionStore, 'addApprovalCard' | 'listApprovalCards'>;
  settings: Pick<SettingsStore, 'get'>;
  contacts: Pick<ContactStore, 'get'>;
  messenger: Pick<Messenger, 'update'>;
  outbox: Pick<Outbox, 'enqueue'>;
  /** The outbox ledger: where an approval card's activity id is when its hook did not get to record it. */
  ledger?: Pick<OutboxStore, 'get'>;
  messages: ExceptionMessages;
  logger: Logger;
}

/** The steps a change owes, in the order they run. */
export type FollowUpStep = 'approvalCards' | 'approvalProgress' | 'closeApprovalCards' | 'tellRequester' | 'submissionPack';

const DECISIONS = new Set(['approve', 'reject', 'requestChanges']);
export const APPROVAL_CARD_KIND = 'exception.approvalCard';

/** What a change owes, from the change alone (pure): empty for a saved draft. */
export function followUpSteps(change: Pick<ExceptionFollowUp, 'action' | 'actor' | 'before' | 'request'>): FollowUpStep[] {
  const { action, actor, before, request } = change;
  const steps: FollowUpStep[] = [];
  // An approval that still needs another approver's: every posted card shows who has approved; nothing else happens yet.
  if (action === 'approve' && request.status === 'inReview') return ['approvalProgress'];
  if (action === 'submitForReview') steps.push('approvalCards');
  if (DECISIONS.has(action) || (action === 'withdraw' && before.status === 'inReview')) steps.push('closeApprovalCards');
  if (action !== 'saveDraft' && action !== 'submitForReview' && !sameId(actor, request.requesterId)) steps.push('tellRequester');
  if (action === 'approve') steps.push('submissionPack');
  return steps;
}

/** The follow-up row to write with a change, or undefined when it owes nothing. */
export function followUpOf(before: ExceptionRequest, after: ExceptionRequest, audit: { action: ExceptionFollowUpRecord['action']; actor: string; at: Date }): ExceptionFollowUpRecord | undefined {
  const record: ExceptionFollowUpRecord = { action: audit.action, actor: audit.actor, at: audit.at, before: { status: before.status, reviewRound: before.reviewRound } };
  return followUpSteps({ ...record, request: after }).length > 0 ? record : undefined;
}

/** The outbox key of an approval card: one per request, round and place (an approver's id, or `channel`). */
export function approvalCardKey(requestId: string, round: number, target: string): string {
  return `exception:${requestId}:${round}:approval:${target}`;
}

function approvalCardOfKey(key: string): { requestId: string; round: number } | undefined {
  const match = /^exception:(.+):(\d+):approval:[^:]+$/.exec(key);
  return match ? { requestId: match[1]!, round: Number(match[2]) } : undefined;
}

export function createExceptionEffects(deps: ExceptionEffectsDeps) {
  const toUser = (request: ExceptionRequest, step: string, aadObjectId: string, message: OutboundMessage): OutboxMessage => ({
    key: `exception:${request.id}:${request.reviewRound}:${step}:${aadObjectId}`,
    tenantId: deps.tenantId,
    to: { aadObjectId },
    message,
    kind: `exception.${step}`,
  });
  const otherApprovers = (request: ExceptionRequest) => [...deps.approverIds].filter((id) => !sameId(id, request.requesterId));

  /**
   * The approval card for every approver but the requester, and for the approvals channel, plus
   * how many places an approver can decide from: an approver's own chat, or the channel when its
   * refresh names at least one approver (otherwise it shows the status to nobody who can act).
   */
  async function approverContacts(request: ExceptionRequest) {
    const approvers = otherApprovers(request);
    const contacts = await Promise.all(approvers.map((id) => deps.contacts.get(deps.tenantId, id)));
    // Universal Actions' refresh names Teams user ids (29:…), not AAD ids: known from each approver's chat.
    const approverUserIds = contacts.flatMap((c) => (c?.address ? [c.address.userId] : [])).slice(0, 60);
    return { approvers, contacts, approverUserIds };
  }

  async function approvalCards(request: ExceptionRequest): Promise<{ queued: OutboxMessage[]; decidable: number }> {
    const { approvers, contacts, approverUserIds } = await approverContacts(request);
    const personal = await deps.messages.approvalCard(request, approverUserIds, 'approver');
    const channel = (await deps.settings.get('approvalsChannel'))?.value?.address;
    const card = (target: string, address: NonNullable<typeof channel>, message: OutboundMessage): OutboxMessage => ({
      key: approvalCardKey(request.id, request.reviewRound, target),
      tenantId: deps.tenantId,
      to: { address },
      message,
      kind: APPROVAL_CARD_KIND,
    });
    const queued = approvers.flatMap((id, i) => {
      const address = contacts[i]?.address;
      return address ? [card(id, address, personal)] : [];
    });
    let decidable = queued.length;
    if (channel) {
      queued.push(card('channel', channel, await deps.messages.approvalCard(request, approverUserIds, 'channel')));
      if (approverUserIds.length > 0) decidable += 1;
    }
    const missing = approvers.filter((_, i) => !contacts[i]?.address);
    if (missing.length > 0) deps.logger.warn({ requestId: request.id, missing }, 'approvers without a chat with MFA Shepherd did not get the approval card');
    return { queued, decidable };
  }

  /** Every approval card of a round as posted: as recorded, plus any the ledger holds that the record missed. */
  async function postedCards(request: ExceptionRequest, round: number) {
    const refs = await deps.store.listApprovalCards(request.id, round);
    if (!deps.ledger) return refs;
    const known = new Set(refs.map((r) => r.activityId));
    for (const target of [...otherApprovers(request), 'channel']) {
      const record = await deps.ledger.get(approvalCardKey(request.id, round, target));
      if (record?.status === 'sent' && record.activityId && 'address' in record.to && !known.has(record.activityId)) {
        refs.push({ requestId: request.id, round, address: record.to.address, activityId: record.activityId });
        known.add(record.activityId);
      }
    }
    return refs;
  }

  /**
   * Replace every approval card of the round with the closed view, wherever it was posted. A card
   * Teams will never update (chat gone, bot blocked) is skipped; a transient failure fails the
   * follow-up, which runs again later (the updates already made are repeated, harmlessly).
   */
  async function closeApprovalCards(request: ExceptionRequest, round: number, card?: OutboundMessage): Promise<void> {
    if (!deps.messenger.update) return;
    const refs = await postedCards(request, round);
    card ??= await deps.messages.closedApprovalCard(request);
    let transient: Error | undefined;
    for (const ref of refs) {
      try {
        await deps.messenger.update(ref.address, ref.activityId, card);
      } catch (error) {
        deps.logger.warn({ requestId: request.id, conversation: ref.address.conversationId, err: describeError(error) }, 'approval card not updated');
        if (isAppError(error) && error.retryable) transient = error; // Teams busy: the follow-up runs again
      }
    }
    if (transient !== undefined) throw transient;
  }

  return {
    /** Run what a stored change owes. Safe to run again for the same follow-up. */
    async run(followUp: ExceptionFollowUp): Promise<void> {
      const request = followUp.request;
      const queued: OutboxMessage[] = [];
      for (const step of followUpSteps(followUp)) {
        if (step === 'approvalCards') {
          const cards = await approvalCards(request);
          queued.push(...cards.queued);
          if (cards.decidable === 0) queued.push(toUser(request, 'noApprover', request.requesterId, await deps.messages.noApproverReached(request)));
        } else if (step === 'approvalProgress') {
          // The shared view with who has approved; its refresh gives each approver who has not approved the buttons.
          const { approverUserIds } = await approverContacts(request);
          await closeApprovalCards(request, request.reviewRound, await deps.messages.approvalCard(request, approverUserIds, 'channel'));
        } else if (step === 'closeApprovalCards') {
          await closeApprovalCards(request, followUp.before.reviewRound);
        } else if (step === 'tellRequester') {
          const update = await deps.messages.requesterUpdate(request);
          if (update) queued.push(toUser(request, followUp.action, request.requesterId, update));
        } else {
          const pack = await deps.messages.submissionPack(request);
          for (const adminId of deps.adminIds) queued.push(toUser(request, 'pack', adminId, pack));
        }
      }
      if (queued.length > 0) await deps.outbox.enqueue(queued);
    },

    /** The outbox's hook after a send: keep an approval card's activity id, to update the card once someone decides. */
    async recordApprovalCard(record: OutboxRecord): Promise<void> {
      if (record.kind !== APPROVAL_CARD_KIND || !record.activityId || !('address' in record.to)) return;
      const of = approvalCardOfKey(record.key);
      if (!of) return;
      await deps.store.addApprovalCard({ ...of, address: record.to.address, activityId: record.activityId });
    },
  };
}

export type ExceptionEffects = ReturnType<typeof createExceptionEffects>;
