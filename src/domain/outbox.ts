/**
 * The outbox ledger: one record per idempotency key, the source of truth for "was this message
 * delivered?". The queue only carries keys; the record carries the payload and the state:
 *
 *   pending ──claim──▶ sending ──▶ sent | undeliverable | parked
 *      ▲                  │
 *      └──transient failure (left for redelivery)
 *
 * At least once toward Teams: a worker that dies between Teams accepting a message and the record
 * saying 'sent' leaves a 'sending' record whose queue message reappears; that delivery sends again.
 * Everything else a redelivery or a second enqueue brings is recognised here and sends nothing.
 */
import type { ConversationAddress } from './conversation';

export type OutboxStatus = 'pending' | 'sending' | 'sent' | 'undeliverable' | 'parked';
export const OUTBOX_STATUSES: readonly OutboxStatus[] = ['pending', 'sending', 'sent', 'undeliverable', 'parked'];

export type OutboxRecipient = { aadObjectId: string } | { address: ConversationAddress };

export interface OutboxRecord {
  key: string;
  tenantId: string;
  kind: string;
  to: OutboxRecipient;
  message: { text: string; card?: Record<string, unknown> };
  status: OutboxStatus;
  /** Sends started (claims), the crashed ones included. */
  attempts: number;
  enqueuedAt: Date;
  claimedAt?: Date;
  /** The queue message whose delivery made the current claim. */
  claimedBy?: string;
  sentAt?: Date;
  activityId?: string;
  /** When it became undeliverable or parked. */
  finishedAt?: Date;
  lastErrorCode?: string;
  lastError?: string;
  etag?: string;
}

export function isFinal(status: OutboxStatus): boolean {
  return status === 'sent' || status === 'undeliverable' || status === 'parked';
}

/** One delivery of a key by the queue. */
export interface Delivery {
  /** The queue message; several keys can share one. */
  messageId: string;
  /** Deliveries of the queue message, 1 on the first. */
  dequeueCount: number;
}

export interface DeliveryLimits {
  /** A claim younger than this belongs to a live delivery. */
  leaseMs: number;
  /** Sends started for one key without an outcome (crashed ones included) before it is parked. */
  maxAttempts: number;
  /**
   * Deliveries of one queue message before its keys are parked even if never tried: a backstop for
   * a message whose handling kills the process before any claim. Far above `maxAttempts`, because
   * keys sharing a message come back with it while the others are tried.
   */
  maxQueueDeliveries: number;
}

export type DeliveryDecision =
  /** Send (again): `takeover` when an earlier attempt died before recording its outcome. */
  | { action: 'send'; takeover: boolean }
  /** Nothing to send: done already, or another live delivery of the same key is sending it. */
  | { action: 'drop'; why: 'final' | 'claimedElsewhere' }
  /** Tried too often without an outcome (`attempts`), or its queue message came back too often (`queueDeliveries`): stop. */
  | { action: 'park'; why: 'attempts' | 'queueDeliveries' };

/**
 * What to do with a delivery, given the record as stored. Attempts are counted in the ledger per
 * key, not by the queue: a queue message carries several keys and shows again while any of them
 * is unsettled, which is no attempt of the others.
 *
 * A 'sending' record claimed by this very queue message means the earlier holder of the message
 * died or overran its visibility timeout (the queue only shows a message again after that):
 * send again. Claimed by another queue message of the same key (a second enqueue) and younger
 * than `leaseMs`: that delivery is alive, and its message stays queued until it records an
 * outcome, so this copy can go.
 */
export function decideDelivery(record: OutboxRecord, delivery: Delivery, now: Date, opts: DeliveryLimits): DeliveryDecision {
  if (isFinal(record.status)) return { action: 'drop', why: 'final' };
  const sending = record.status === 'sending';
  if (sending) {
    const fresh = record.claimedAt !== undefined && now.getTime() - record.claimedAt.getTime() < opts.leaseMs;
    if (record.claimedBy !== delivery.messageId && fresh) return { action: 'drop', why: 'claimedElsewhere' };
  }
  if (record.attempts >= opts.maxAttempts) return { action: 'park', why: 'attempts' };
  if (delivery.dequeueCount > opts.maxQueueDeliveries) return { action: 'park', why: 'queueDeliveries' };
  return { action: 'send', takeover: sending };
}

/** Delay before a transiently failed key is tried again: doubling per attempt, capped; never shorter than a Retry-After. */
export function redeliveryDelayMs(attempts: number, opts: { baseMs: number; maxMs: number }, retryAfterMs?: number): number {
  const doubling = Math.min(opts.maxMs, opts.baseMs * 2 ** Math.max(0, attempts - 1));
  return Math.max(doubling, retryAfterMs ?? 0);
}
