import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { conversationAddressSchema } from './address-schema';
import type { ApprovalCardRef, ExceptionFollowUp, ExceptionFollowUpRecord } from '../app/ports';
import type { SlaState } from '../domain/calendar';
import {
  BLOCKED_SCENARIOS,
  COMMAND_TYPES,
  EVIDENCE_ITEMS,
  EXPIRY_NOTICES,
  INTEGRATION_METHODS,
  REASON_CATEGORIES,
  REQUESTED_DURATIONS,
  SUBJECT_KINDS,
  type AuditEntry,
  type DraftFields,
  type ExceptionRequest,
  type ExceptionStatus,
} from '../domain/exception';
import { canonicalId } from '../domain/principal';
import { EntityReader, compact, type NewEntity, type StoredEntity } from './entity';
import { toKey } from './keys';

/**
 * The rows of the Exceptions table. One partition per request (PartitionKey = toKey(request id)):
 *
 * - `request`: the request. Each draft field is its own property (`f_<field>`), so a long
 *   justification never meets the 32 K-character limit of a single property as a JSON blob would.
 *   `requesterKey` is the canonical (trimmed, lower-case) requester id that listByRequester filters on.
 * - `audit|<at as ISO 8601>|<random>`: one audit entry, create-only. ISO 8601 UTC sorts as text, so
 *   a partition's audit rows come back oldest first; the random part keeps two entries of the same
 *   millisecond apart.
 * - `card|<round, 6 digits>|<toKey(activityId)>`: an approval card posted for a review round.
 * - `followup|<at as ISO 8601>|<random>`: what a change still owes (its messages), written in the
 *   change's transaction, deleted once those messages are in the outbox. It holds the request as
 *   the change left it (the same properties as the `request` row) plus `fu_*` for the change.
 *
 * And one partition per requester, `slot|<requester key>`, whose rows (`<n, 6 digits>`) hold the
 * id of the requester's n-th request: two opens at once claim the same row, and one wins.
 */

export const REQUEST_ROW = 'request';
export const AUDIT_PREFIX = 'audit|';
export const CARD_PREFIX = 'card|';
export const FOLLOW_UP_PREFIX = 'followup|';
export const SLOT_PARTITION_PREFIX = 'slot|';
/** The character after `|`: `RowKey ge 'audit|' and RowKey lt 'audit}'` selects exactly the audit rows. */
export const AFTER_SEPARATOR = '}';

const STATUSES: readonly ExceptionStatus[] = [
  'draft',
  'inReview',
  'changesRequested',
  'approved',
  'rejected',
  'withdrawn',
  'submittedToMicrosoft',
  'granted',
  'denied',
];
const SLA_STATES: readonly SlaState[] = ['onTrack', 'dueSoon', 'dueToday', 'breached'];

const evidenceSchema = z.array(z.enum(EVIDENCE_ITEMS));
const linksSchema = z.array(z.string());
const approvalsSchema = z.array(z.object({ by: z.string(), at: z.coerce.date(), comment: z.string().optional() }));
const deadlineRemindersSchema = z.array(z.string().max(100)).max(50);

const addressSchema = conversationAddressSchema;

export function requestPartition(id: string): string {
  return toKey(id);
}

export function requestToEntity(r: ExceptionRequest): NewEntity {
  const f: DraftFields = r.fields;
  return compact({
    partitionKey: requestPartition(r.id),
    rowKey: REQUEST_ROW,
    requesterId: r.requesterId,
    requesterKey: canonicalId(r.requesterId),
    requesterUpn: r.requesterUpn,
    status: r.status,
    f_reasonCategory: f.reasonCategory,
    f_technicalDescription: f.technicalDescription,
    f_blockedScenario: f.blockedScenario,
    f_otherScenario: f.otherScenario,
    f_workaroundTried: f.workaroundTried,
    f_businessImpact: f.businessImpact,
    f_affected: f.affected,
    f_evidence: f.evidence === undefined ? undefined : JSON.stringify(f.evidence),
    f_integrationMethod: f.integrationMethod,
    f_subjectKind: f.subjectKind,
    f_subjectName: f.subjectName,
    f_contact: f.contact,
    f_mfaProduct: f.mfaProduct,
    f_requestedDuration: f.requestedDuration,
    f_evidenceLinks: f.evidenceLinks === undefined ? undefined : JSON.stringify(f.evidenceLinks),
    createdAt: r.createdAt,
    updatedAt: r.updatedAt,
    reviewRound: r.reviewRound,
    submittedForReviewAt: r.submittedForReviewAt,
    approvalsRequired: r.approvalsRequired,
    approvals: r.approvals === undefined ? undefined : JSON.stringify(r.approvals),
    decidedBy: r.decidedBy,
    decidedAt: r.decidedAt,
    decisionComment: r.decisionComment,
    withdrawnAt: r.withdrawnAt,
    supportCaseNumber: r.supportCaseNumber,
    submittedToMicrosoftAt: r.submittedToMicrosoftAt,
    submittedToMicrosoftBy: r.submittedToMicrosoftBy,
    grantedUntil: r.grantedUntil,
    reviewBy: r.reviewBy,
    deniedReason: r.deniedReason,
    answerRecordedBy: r.answerRecordedBy,
    answerRecordedAt: r.answerRecordedAt,
    slaAnnounced: r.slaAnnounced,
    expiryNotified: r.expiryNotified,
    renewalOf: r.renewalOf,
    deadlineReminders: r.deadlineReminders === undefined ? undefined : JSON.stringify(r.deadlineReminders),
  });
}

export function requestFromEntity(entity: StoredEntity, table: string): ExceptionRequest {
  const r = new EntityReader(entity, table);
  const fields: DraftFields = compact({
    reasonCategory: r.optionalOneOf('f_reasonCategory', REASON_CATEGORIES),
    technicalDescription: r.optionalString('f_technicalDescription'),
    blockedScenario: r.optionalOneOf('f_blockedScenario', BLOCKED_SCENARIOS),
    otherScenario: r.optionalString('f_otherScenario'),
    workaroundTried: r.optionalString('f_workaroundTried'),
    businessImpact: r.optionalString('f_businessImpact'),
    affected: r.optionalString('f_affected'),
    evidence: r.optionalJson('f_evidence', evidenceSchema),
    integrationMethod: r.optionalOneOf('f_integrationMethod', INTEGRATION_METHODS),
    subjectKind: r.optionalOneOf('f_subjectKind', SUBJECT_KINDS),
    subjectName: r.optionalString('f_subjectName'),
    contact: r.optionalString('f_contact'),
    mfaProduct: r.optionalString('f_mfaProduct'),
    requestedDuration: r.optionalOneOf('f_requestedDuration', REQUESTED_DURATIONS),
    evidenceLinks: r.optionalJson('f_evidenceLinks', linksSchema),
  });
  return compact({
    id: r.partitionKey,
    requesterId: r.string('requesterId'),
    requesterUpn: r.string('requesterUpn'),
    status: r.oneOf('status', STATUSES),
    fields,
    createdAt: r.date('createdAt'),
    updatedAt: r.date('updatedAt'),
    reviewRound: r.int('reviewRound'),
    submittedForReviewAt: r.optionalDate('submittedForReviewAt'),
    approvalsRequired: r.optionalInt('approvalsRequired'),
    approvals: r.optionalJson('approvals', approvalsSchema)?.map((a) => compact(a)),
    decidedBy: r.optionalString('decidedBy'),
    decidedAt: r.optionalDate('decidedAt'),
    decisionComment: r.optionalString('decisionComment'),
    withdrawnAt: r.optionalDate('withdrawnAt'),
    supportCaseNumber: r.optionalString('supportCaseNumber'),
    submittedToMicrosoftAt: r.optionalDate('submittedToMicrosoftAt'),
    submittedToMicrosoftBy: r.optionalString('submittedToMicrosoftBy'),
    grantedUntil: r.optionalDate('grantedUntil'),
    reviewBy: r.optionalDate('reviewBy'),
    deniedReason: r.optionalString('deniedReason'),
    answerRecordedBy: r.optionalString('answerRecordedBy'),
    answerRecordedAt: r.optionalDate('answerRecordedAt'),
    slaAnnounced: r.optionalOneOf('slaAnnounced', SLA_STATES),
    expiryNotified: r.optionalOneOf('expiryNotified', EXPIRY_NOTICES),
    renewalOf: r.optionalString('renewalOf'),
    deadlineReminders: r.optionalJson('deadlineReminders', deadlineRemindersSchema),
    etag: r.etag,
  });
}

/** A new, unique audit RowKey for an entry at `at`. */
export function auditRowKey(at: Date): string {
  return `${AUDIT_PREFIX}${at.toISOString()}|${randomUUID()}`;
}

export function auditToEntity(a: AuditEntry, rowKey = auditRowKey(a.at)): NewEntity {
  return compact({
    partitionKey: requestPartition(a.requestId),
    rowKey,
    at: a.at,
    actor: a.actor,
    action: a.action,
    from: a.from,
    to: a.to,
    comment: a.comment,
    caseNumber: a.caseNumber,
    grantedUntil: a.grantedUntil,
    reviewBy: a.reviewBy,
  });
}

export function auditFromEntity(entity: StoredEntity, table: string): AuditEntry {
  const r = new EntityReader(entity, table);
  return compact({
    requestId: r.partitionKey,
    at: r.date('at'),
    actor: r.string('actor'),
    from: r.oneOf('from', STATUSES),
    to: r.oneOf('to', STATUSES),
    action: r.oneOf('action', COMMAND_TYPES),
    comment: r.optionalString('comment'),
    caseNumber: r.optionalString('caseNumber'),
    grantedUntil: r.optionalDate('grantedUntil'),
    reviewBy: r.optionalDate('reviewBy'),
  });
}

/** `card|000003|` : the RowKey prefix of a round's approval cards. */
export function cardRoundPrefix(round: number): string {
  if (!Number.isSafeInteger(round) || round < 0 || round > 999_999) {
    throw new Error(`Approval card round must be an integer from 0 to 999999, got ${round}`);
  }
  return `${CARD_PREFIX}${String(round).padStart(6, '0')}|`;
}

export function cardToEntity(c: ApprovalCardRef): NewEntity {
  return {
    partitionKey: requestPartition(c.requestId),
    rowKey: `${cardRoundPrefix(c.round)}${toKey(c.activityId)}`,
    round: c.round,
    activityId: c.activityId,
    address: JSON.stringify(c.address),
  };
}

export function cardFromEntity(entity: StoredEntity, table: string): ApprovalCardRef {
  const r = new EntityReader(entity, table);
  const address = r.optionalJson('address', addressSchema);
  if (address === undefined) throw new Error(`Stored approval card ${table}(${entity.partitionKey}, ${entity.rowKey}) has no address`);
  return { requestId: r.partitionKey, round: r.int('round'), activityId: r.string('activityId'), address: compact(address) };
}

/** A new, unique follow-up RowKey for a change at `at` (sorts oldest first). */
export function followUpRowKey(at: Date): string {
  return `${FOLLOW_UP_PREFIX}${at.toISOString()}|${randomUUID()}`;
}

export function followUpToEntity(request: ExceptionRequest, f: ExceptionFollowUpRecord, rowKey = followUpRowKey(f.at)): NewEntity {
  return compact({
    ...requestToEntity(request),
    rowKey,
    fu_action: f.action,
    fu_actor: f.actor,
    fu_at: f.at,
    fu_beforeStatus: f.before.status,
    fu_beforeRound: f.before.reviewRound,
  });
}

export function followUpFromEntity(entity: StoredEntity, table: string): ExceptionFollowUp {
  const r = new EntityReader(entity, table);
  const { etag: _etag, ...request } = requestFromEntity(entity, table);
  return {
    id: entity.rowKey ?? r.rowKey,
    request,
    action: r.oneOf('fu_action', COMMAND_TYPES),
    actor: r.string('fu_actor'),
    at: r.date('fu_at'),
    before: { status: r.oneOf('fu_beforeStatus', STATUSES), reviewRound: r.int('fu_beforeRound') },
  };
}

export function slotPartition(requesterId: string): string {
  return `${SLOT_PARTITION_PREFIX}${toKey(canonicalId(requesterId))}`;
}

export function slotRowKey(slot: number): string {
  return String(slot).padStart(6, '0');
}
