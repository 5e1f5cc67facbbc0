import type { ConversationAddress } from '../../domain/conversation';
import { AppError, ErrorCodes, describeError, isAppError } from '../../domain/errors';
import { decideDelivery, redeliveryDelayMs, type DeliveryDecision, type OutboxRecord } from '../../domain/outbox';
import { UNREACHABLE_BY_CODE, createReachUser } from '../reach-user';
import type { Lease } from './lease';
import type { OutboxCounters, OutboxWorkerDeps, OutboxWorkerOptions, Outcome, ParkedReport, UndeliverableReport } from './types';

/** A call that failed because the delivery or the record is another worker's now. */
export const lostLease = (error: unknown): boolean => isAppError(error, ErrorCodes.StorageNotFound) || isAppError(error, ErrorCodes.StorageConflict);

/**
 * The delivery of one key: claim its ledger record under its etag, resolve the recipient's chat,
 * send once through the Messenger, record the outcome under the etag, then settle the key on the
 * queue. The outbox owns retries: a transient failure goes back to the queue for a later delivery
 * (doubling delay, never shorter than Teams' Retry-After), counted per key in the ledger, and the
 * key is parked after `maxDeliveries`.
 */
export function createDelivery(deps: OutboxWorkerDeps, opts: OutboxWorkerOptions, counters: Pick<OutboxCounters, 'takenOver'>): (lease: Lease) => Promise<Outcome> {
  const { store, logger, clock } = deps;

  async function park(lease: Lease, report: ParkedReport, record?: OutboxRecord): Promise<Outcome> {
    if (record) {
      try {
        await store.save({ ...record, status: 'parked', finishedAt: clock.now() });
      } catch (error) {
        if (isAppError(error, ErrorCodes.StorageConflict)) return 'lost';
        throw error;
      }
    }
    await lease.finish((st, d) => st.park(d));
    logger.error({ ...report }, 'outbox message parked: it will not be retried');
    await report_(deps.onParked, report);
    return 'parked';
  }

  async function report_<T>(callback: ((r: T) => Promise<void> | void) | undefined, r: T): Promise<void> {
    try {
      await callback?.(r);
    } catch (error) {
      logger.warn({ err: describeError(error) }, 'outbox report callback failed');
    }
  }

  async function resolveAddress(record: OutboxRecord): Promise<{ address: ConversationAddress } | { undeliverable: UndeliverableReport } | { retry: AppError }> {
    const to = record.to;
    if ('address' in to) return { address: to.address };
    const reach = await createReachUser({ tenantId: record.tenantId, contacts: deps.contacts, messenger: deps.messenger, graph: deps.graph, appCatalogId: deps.appCatalogId, clock })(to.aadObjectId);
    if ('address' in reach) return { address: reach.address };
    if (reach.retryable) return { retry: new AppError(ErrorCodes.GraphUnavailable, reach.detail, { retryable: true }) };
    if (!reach.alreadyRecorded) await deps.contacts.markUnreachable(record.tenantId, to.aadObjectId, reach.unreachable, clock.now(), reach.detail);
    return {
      undeliverable: {
        key: record.key,
        kind: record.kind,
        tenantId: record.tenantId,
        aadObjectId: to.aadObjectId,
        reason: reach.unreachable,
        errorCode: reach.errorCode ?? ErrorCodes.TeamsNoConversation,
        detail: reach.detail,
      },
    };
  }

  async function finishUndeliverable(lease: Lease, claimed: OutboxRecord, report: UndeliverableReport): Promise<Outcome> {
    try {
      await store.save({ ...claimed, status: 'undeliverable', finishedAt: clock.now(), lastErrorCode: report.errorCode, lastError: report.detail });
    } catch (error) {
      if (isAppError(error, ErrorCodes.StorageConflict)) return 'lost';
      throw error;
    }
    await removeRecorded(lease);
    logger.info({ key: report.key, kind: report.kind, reason: report.reason }, 'outbox message undeliverable');
    await report_(deps.onUndeliverable, report);
    return 'undeliverable';
  }

  async function retryLater(lease: Lease, claimed: OutboxRecord, error: unknown): Promise<Outcome> {
    const d = lease.delivery;
    const { code, message } = describeError(error);
    if (claimed.attempts >= opts.maxDeliveries) {
      return park(lease, { key: claimed.key, kind: claimed.kind, tenantId: claimed.tenantId, deliveries: claimed.attempts, lastErrorCode: code, why: 'tooManyDeliveries' }, {
        ...claimed,
        lastErrorCode: code,
        lastError: message,
      });
    }
    // Back to pending: a second queued copy of the key may take it; this one shows again later.
    await store.save({ ...claimed, status: 'pending', lastErrorCode: code, lastError: message }).catch((e: unknown) => {
      if (!isAppError(e, ErrorCodes.StorageConflict)) throw e;
    });
    const retryAfterMs = isAppError(error) && error.retryAfterSeconds !== undefined ? error.retryAfterSeconds * 1000 : undefined;
    const delay = redeliveryDelayMs(claimed.attempts, { baseMs: opts.retryBaseDelayMs, maxMs: opts.retryMaxDelayMs }, retryAfterMs);
    await lease.finish((st) => st.retryLater(d, delay));
    logger.warn({ key: claimed.key, kind: claimed.kind, err: { code, message }, attempts: claimed.attempts, delayMs: delay }, 'outbox send failed; will retry');
    return 'retry';
  }

  /**
   * Remove a delivery whose outcome the ledger holds. If the delivery is another worker's by now
   * (its visibility ran out), the outcome stands: the key shows again and is dropped as done.
   */
  async function removeRecorded(lease: Lease): Promise<void> {
    try {
      await lease.finish((st, d) => st.remove(d));
    } catch (error) {
      if (!lostLease(error)) throw error;
      logger.warn({ key: lease.delivery.key, err: describeError(error) }, 'outbox: recorded, but the queue message was no longer ours to remove; it will be dropped when it shows again');
    }
  }

  async function handle(lease: Lease): Promise<Outcome> {
    const d = lease.delivery;
    if (d.key === undefined) return park(lease, { deliveries: d.dequeueCount, why: 'unreadable' });
    let record = await store.get(d.key);
    let claimed: OutboxRecord | undefined;
    let decision: DeliveryDecision | undefined;
    // A claim that loses the etag race is decided again on the record as the winner left it.
    for (let round = 1; claimed === undefined; round++) {
      if (!record) return park(lease, { key: d.key, deliveries: d.dequeueCount, why: 'noRecord' });
      decision = decideDelivery(record, d, clock.now(), { leaseMs: opts.visibilityTimeoutMs, maxAttempts: opts.maxDeliveries, maxQueueDeliveries: opts.maxQueueDeliveries });
      if (decision.action === 'drop') {
        await lease.finish((st) => st.remove(d));
        return 'duplicate';
      }
      if (decision.action === 'park') {
        const deliveries = decision.why === 'attempts' ? record.attempts : d.dequeueCount;
        return park(lease, { key: record.key, kind: record.kind, tenantId: record.tenantId, deliveries, lastErrorCode: record.lastErrorCode, why: 'tooManyDeliveries' }, record);
      }
      try {
        claimed = await store.save({ ...record, status: 'sending', claimedAt: clock.now(), claimedBy: d.messageId, attempts: record.attempts + 1 });
      } catch (error) {
        if (!isAppError(error, ErrorCodes.StorageConflict) || round >= 3) throw error;
        record = await store.get(d.key);
      }
    }
    if (decision?.action === 'send' && decision.takeover) {
      counters.takenOver += 1;
      logger.warn({ key: claimed.key, kind: claimed.kind, attempts: claimed.attempts }, 'outbox: an earlier attempt died before recording its outcome; sending again');
    }

    let address: ConversationAddress;
    try {
      const target = await resolveAddress(claimed);
      if ('undeliverable' in target) return await finishUndeliverable(lease, claimed, target.undeliverable);
      if ('retry' in target) return await retryLater(lease, claimed, target.retry);
      address = target.address;
    } catch (error) {
      return retryLater(lease, claimed, error);
    }

    let activityId: string | undefined;
    try {
      ({ activityId } = await deps.messenger.send(address, claimed.message));
    } catch (error) {
      const reason = isAppError(error) ? UNREACHABLE_BY_CODE[error.code] : undefined;
      if (!reason) return retryLater(lease, claimed, error);
      const { code, message } = describeError(error);
      const aadObjectId = 'aadObjectId' in claimed.to ? claimed.to.aadObjectId : undefined;
      if (aadObjectId !== undefined) await deps.contacts.markUnreachable(claimed.tenantId, aadObjectId, reason, clock.now(), message);
      return finishUndeliverable(lease, claimed, { key: claimed.key, kind: claimed.kind, tenantId: claimed.tenantId, aadObjectId, reason, errorCode: code, detail: message });
    }

    // Sent. From here a failure to record it means one more send later (at least once), never none.
    const sent: OutboxRecord = { ...claimed, status: 'sent', sentAt: clock.now(), activityId, lastErrorCode: undefined, lastError: undefined };
    let saved: OutboxRecord;
    try {
      saved = await store.save(sent);
    } catch (error) {
      // A conflict may be our own write: the SDK retried a request that timed out after the
      // service had applied it. The ledger tells: 'sent' by this delivery is ours.
      const now = await store.get(claimed.key);
      if (now?.status === 'sent' && now.claimedBy === d.messageId && now.activityId === activityId) saved = now;
      else if (isAppError(error, ErrorCodes.StorageConflict)) return 'lost';
      else saved = await store.save({ ...sent, etag: now?.status === 'sending' && now.claimedBy === d.messageId ? now.etag : sent.etag }); // one more try for a passing storage blip
    }
    await report_(deps.onSent, saved);
    await removeRecorded(lease);
    return 'sent';
  }
  return handle;
}
