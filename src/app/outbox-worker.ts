import type { Clock } from '../domain/clock';
import type { ConversationAddress, UnreachableReason } from '../domain/conversation';
import { AppError, ErrorCodes, describeError, isAppError } from '../domain/errors';
import { decideDelivery, redeliveryDelayMs, type DeliveryDecision, type OutboxRecord } from '../domain/outbox';
import type { ContactStore, Graph, Logger, Messenger, OutboxDelivery, OutboxStore } from './ports';
import { UNREACHABLE_BY_CODE, createReachUser } from './reach-user';

export interface OutboxWorkerOptions {
  /**
   * Keys being delivered at once (the Messenger's pacer keeps Teams' rates). Default 16. A queue
   * message can carry more keys than there are free slots: the rest wait here, their lease kept.
   */
  concurrency: number;
  /** A received key is invisible to other workers this long; a claim older than this is a dead attempt. Default 5 min. */
  visibilityTimeoutMs: number;
  /** Sends started for one key without an outcome (the ledger's attempts) before it is parked. Default 5. */
  maxDeliveries: number;
  /** Deliveries of one queue message before its untried keys are parked too (a message whose handling kills the process). Default 50. */
  maxQueueDeliveries: number;
  /** Redelivery delay after a transient failure: doubling from this… Default 10 s. */
  retryBaseDelayMs: number;
  /** …up to this. Default 10 min. */
  retryMaxDelayMs: number;
  /** Wait after an empty receive. Default 1 s. */
  idlePollMs: number;
}

export const DEFAULT_OUTBOX_WORKER_OPTIONS: OutboxWorkerOptions = {
  concurrency: 16,
  visibilityTimeoutMs: 5 * 60_000,
  maxDeliveries: 5,
  maxQueueDeliveries: 50,
  retryBaseDelayMs: 10_000,
  retryMaxDelayMs: 10 * 60_000,
  idlePollMs: 1_000,
};

/** A message that will not be delivered: Teams refused it for good (blocked, uninstalled, chat gone) or the app is not installed. */
export interface UndeliverableReport {
  key: string;
  kind: string;
  tenantId: string;
  aadObjectId?: string;
  reason: UnreachableReason;
  errorCode: string;
  detail: string;
}

/** A message given up on after too many deliveries, or a queue message nobody can read. */
export interface ParkedReport {
  key?: string;
  kind?: string;
  tenantId?: string;
  /** Sends tried for the key; for an unreadable or record-less message, and past maxQueueDeliveries, deliveries of its queue message. */
  deliveries: number;
  lastErrorCode?: string;
  why: 'tooManyDeliveries' | 'unreadable' | 'noRecord';
}

export interface OutboxWorkerDeps {
  store: OutboxStore;
  contacts: ContactStore;
  messenger: Pick<Messenger, 'send' | 'createPersonalConversation'>;
  graph: Pick<Graph, 'installAppForUser'>;
  appCatalogId?: string;
  clock: Clock;
  logger: Logger;
  options?: Partial<OutboxWorkerOptions>;
  onUndeliverable?: (report: UndeliverableReport) => Promise<void> | void;
  onParked?: (report: ParkedReport) => Promise<void> | void;
  /** After Teams accepted a message and the ledger says so (an approval card's activity id kept; tests, benchmarks). Awaited; a failure is logged. */
  onSent?: (record: OutboxRecord) => Promise<void> | void;
}

export interface OutboxCounters {
  /** Delivered and recorded as sent. */
  sent: number;
  /** Deliveries that sent nothing: the key was done already, or another delivery of it was sending. */
  duplicatesSuppressed: number;
  /** Sends repeated because an earlier attempt died before recording its outcome (at least once). */
  takenOver: number;
  parked: number;
  undeliverable: number;
  /** Transient failures left for redelivery. */
  retried: number;
  /** Deliveries this worker lost to another (its lease ran out, or a claim raced): nothing done. */
  lostLeases: number;
  /** Receive or bookkeeping calls that failed (storage unavailable…). */
  errors: number;
}

export interface OutboxWorker {
  start(): void;
  /** Stop receiving, wait for the sends in flight (up to `graceMs`, default 10 s). */
  stop(graceMs?: number): Promise<void>;
  /** Receive and process until the queue answers empty once (tests, benchmarks). */
  drain(): Promise<void>;
  stats(): OutboxCounters & { inFlight: number; waiting: number; running: boolean };
}

type Outcome = 'sent' | 'duplicate' | 'undeliverable' | 'parked' | 'retry' | 'lost';

/**
 * Holding a delivery: its visibility is extended every half timeout while the work lasts (a send
 * can wait in the pacer or in Retry-After longer than the timeout; without this the key would
 * show again and be sent twice). The store orders the queue calls on one queue message.
 */
class Lease {
  private readonly timer: NodeJS.Timeout;
  constructor(
    private readonly store: OutboxStore,
    readonly delivery: OutboxDelivery,
    visibilityTimeoutMs: number,
    logger: Logger,
  ) {
    this.timer = setInterval(() => {
      store.extend(delivery, visibilityTimeoutMs).catch((error: unknown) => {
        logger.warn({ key: delivery.key, err: describeError(error) }, 'outbox: could not extend a delivery');
      });
    }, Math.max(500, visibilityTimeoutMs / 2));
    this.timer.unref();
  }
  /** The last queue call on the delivery: no extension after it. */
  finish<T>(op: (store: OutboxStore, d: OutboxDelivery) => Promise<T>): Promise<T> {
    clearInterval(this.timer);
    return op(this.store, this.delivery);
  }
  end(): void {
    clearInterval(this.timer);
  }
}

/**
 * The outbox worker: receives keys, claims their ledger record under its etag, sends through the
 * Messenger (paced, retried, bounded), records the outcome under the etag, then removes the key
 * from the queue. Several workers (instances) can share one queue: the queue hides a key while one
 * holds it and the etag decides any race on the record.
 */
export function createOutboxWorker(deps: OutboxWorkerDeps): OutboxWorker {
  const opts: OutboxWorkerOptions = { ...DEFAULT_OUTBOX_WORKER_OPTIONS, ...deps.options };
  const { store, logger, clock } = deps;
  const counters: OutboxCounters = { sent: 0, duplicatesSuppressed: 0, takenOver: 0, parked: 0, undeliverable: 0, retried: 0, lostLeases: 0, errors: 0 };
  const inFlight = new Set<Promise<void>>();
  /** Received, not started yet (a pack had more keys than free slots): their leases are kept alive meanwhile. */
  const waiting: Lease[] = [];
  let running = false;
  let loop: Promise<void> | undefined;
  let wake: (() => void) | undefined;

  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        wake = undefined;
        resolve();
      }
      wake = done;
    });

  /** A call that failed because the delivery or the record is another worker's now. */
  const lostLease = (error: unknown) => isAppError(error, ErrorCodes.StorageNotFound) || isAppError(error, ErrorCodes.StorageConflict);

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

  async function process(lease: Lease): Promise<void> {
    const d = lease.delivery;
    try {
      const outcome = await handle(lease);
      const counter: Record<Outcome, keyof OutboxCounters> = {
        sent: 'sent',
        duplicate: 'duplicatesSuppressed',
        undeliverable: 'undeliverable',
        parked: 'parked',
        retry: 'retried',
        lost: 'lostLeases',
      };
      counters[counter[outcome]] += 1;
    } catch (error) {
      if (lostLease(error)) {
        counters.lostLeases += 1;
        return;
      }
      // Left as is: the key shows again after the visibility timeout and is tried again.
      counters.errors += 1;
      logger.warn({ key: d.key, err: describeError(error) }, 'outbox delivery failed; it will be redelivered');
    } finally {
      lease.end();
    }
  }

  /** Fill the free slots, from the waiting deliveries first, else from one receive. Answers how many started. */
  async function receiveOnce(): Promise<number> {
    const free = opts.concurrency - inFlight.size;
    if (free <= 0) {
      await Promise.race(inFlight);
      return 1;
    }
    if (waiting.length === 0) {
      const deliveries = await store.receive(free, opts.visibilityTimeoutMs);
      for (const d of deliveries) waiting.push(new Lease(store, d, opts.visibilityTimeoutMs, logger));
    }
    const started = waiting.splice(0, free);
    for (const lease of started) {
      const task: Promise<void> = process(lease).finally(() => inFlight.delete(task));
      inFlight.add(task);
    }
    return started.length;
  }

  /**
   * Hand back what was received but not started, to show again in a second for another instance
   * (a restart would otherwise hold those keys for a whole visibility timeout). If that fails, they
   * show again after the timeout anyway.
   */
  async function releaseWaiting(): Promise<void> {
    await Promise.all(
      waiting.splice(0).map((lease) =>
        lease.finish((st, d) => st.retryLater(d, 0)).catch((error: unknown) => {
          logger.warn({ key: lease.delivery.key, err: describeError(error) }, 'outbox: could not hand back a key on stop; it shows again after its visibility timeout');
        }),
      ),
    );
  }

  async function run(): Promise<void> {
    while (running) {
      let got = 0;
      try {
        got = await receiveOnce();
      } catch (error) {
        counters.errors += 1;
        logger.warn({ err: describeError(error) }, 'outbox receive failed');
      }
      if (got === 0 && running) await sleep(opts.idlePollMs);
    }
  }

  return {
    start() {
      if (running) return;
      running = true;
      loop = run();
    },
    async stop(graceMs = 10_000) {
      running = false;
      wake?.();
      await loop;
      await releaseWaiting();
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<void>((resolve) => (timer = setTimeout(resolve, graceMs)));
      await Promise.race([Promise.all(inFlight), late]);
      clearTimeout(timer);
      if (inFlight.size > 0) logger.warn({ inFlight: inFlight.size }, 'outbox worker stopped with sends in flight; they will be redelivered');
    },
    async drain() {
      for (;;) {
        const got = await receiveOnce();
        if (got === 0 && inFlight.size === 0) return;
        if (got === 0) await Promise.race(inFlight);
      }
    },
    stats: () => ({ ...counters, inFlight: inFlight.size, waiting: waiting.length, running }),
  };
}
