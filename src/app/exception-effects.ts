import { describeError } from '../domain/errors';
import { sameId, type ExceptionRequest } from '../domain/exception';
import type { ExceptionChange } from './exceptions';
import type { ApprovalsChannelSetting, ContactStore, ExceptionStore, Logger, Messenger, OutboundMessage, Outbox, OutboxMessage, SettingsStore } from './ports';

/**
 * What happens around a change of an exception request, after the turn that made it: approval
 * cards to the approvers (and the approvals channel), those cards updated for everyone once
 * someone decides, the requester told of each outcome, the admins handed the submission pack.
 * Approval cards are sent directly (their activity ids are kept, to update them later); every other
 * message goes through the durable outbox under a key per request, step and recipient.
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
  messenger: Pick<Messenger, 'send' | 'update'>;
  outbox: Pick<Outbox, 'enqueue'>;
  messages: ExceptionMessages;
  logger: Logger;
}

const DECISIONS = new Set(['approve', 'reject', 'requestChanges']);

export function createExceptionEffects(deps: ExceptionEffectsDeps) {
  const toUser = (request: ExceptionRequest, step: string, aadObjectId: string, message: OutboundMessage): OutboxMessage => ({
    key: `exception:${request.id}:${request.reviewRound}:${step}:${aadObjectId}`,
    tenantId: deps.tenantId,
    to: { aadObjectId },
    message,
    kind: `exception.${step}`,
  });

  /**
   * Post the approval card to every approver but the requester, and to the approvals channel.
   * Returns how many places an approver can decide from: an approver's own chat, or the channel
   * when its refresh names at least one approver (otherwise it shows the status to nobody who can act).
   */
  async function postApprovalCards(request: ExceptionRequest): Promise<number> {
    const approvers = [...deps.approverIds].filter((id) => !sameId(id, request.requesterId));
    const contacts = await Promise.all(approvers.map((id) => deps.contacts.get(deps.tenantId, id)));
    // Universal Actions' refresh names Teams user ids (29:…), not AAD ids: known from each approver's chat.
    const approverUserIds = contacts.flatMap((c) => (c?.address ? [c.address.userId] : [])).slice(0, 60);
    const personal = await deps.messages.approvalCard(request, approverUserIds, 'approver');
    const channel = (await deps.settings.get<ApprovalsChannelSetting | null>('approvalsChannel'))?.value?.address;
    const targets = [
      ...contacts.flatMap((c) => (c?.address ? [{ address: c.address, message: personal, decidable: true }] : [])),
      ...(channel ? [{ address: channel, message: await deps.messages.approvalCard(request, approverUserIds, 'channel'), decidable: approverUserIds.length > 0 }] : []),
    ];
    let reached = 0;
    for (const { address, message, decidable } of targets) {
      try {
        const { activityId } = await deps.messenger.send(address, message);
        if (decidable) reached += 1;
        if (activityId) await deps.store.addApprovalCard({ requestId: request.id, round: request.reviewRound, address, activityId });
      } catch (error) {
        deps.logger.warn({ requestId: request.id, conversation: address.conversationId, err: describeError(error) }, 'approval card not delivered');
      }
    }
    const missing = approvers.filter((_, i) => !contacts[i]?.address);
    if (missing.length > 0) deps.logger.warn({ requestId: request.id, missing }, 'approvers without a chat with MFA Shepherd did not get the approval card');
    return reached;
  }

  /** Replace every approval card of the round with the closed view, wherever it was posted. */
  async function closeApprovalCards(request: ExceptionRequest, round: number): Promise<void> {
    if (!deps.messenger.update) return;
    const refs = await deps.store.listApprovalCards(request.id, round);
    const card = await deps.messages.closedApprovalCard(request);
    for (const ref of refs) {
      try {
        await deps.messenger.update(ref.address, ref.activityId, card);
      } catch (error) {
        deps.logger.warn({ requestId: request.id, conversation: ref.address.conversationId, err: describeError(error) }, 'approval card not updated');
      }
    }
  }

  return async function onChange({ before, after, audit }: ExceptionChange): Promise<void> {
    const queued: OutboxMessage[] = [];
    if (audit.action === 'submitForReview') {
      const reached = await postApprovalCards(after);
      if (reached === 0) queued.push(toUser(after, 'noApprover', after.requesterId, await deps.messages.noApproverReached(after)));
    }
    if (DECISIONS.has(audit.action) || (audit.action === 'withdraw' && before.status === 'inReview')) {
      await closeApprovalCards(after, before.reviewRound);
    }
    if (audit.action !== 'saveDraft' && audit.action !== 'submitForReview' && !sameId(audit.actor, after.requesterId)) {
      const update = await deps.messages.requesterUpdate(after);
      if (update) queued.push(toUser(after, audit.action, after.requesterId, update));
    }
    if (audit.action === 'approve') {
      const pack = await deps.messages.submissionPack(after);
      for (const adminId of deps.adminIds) queued.push(toUser(after, 'pack', adminId, pack));
    }
    if (queued.length > 0) await deps.outbox.enqueue(queued);
  };
}
