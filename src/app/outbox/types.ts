import type { Clock } from '../../domain/clock';
import type { UnreachableReason } from '../../domain/conversation';
import type { OutboxRecord } from '../../domain/outbox';
import type { ContactStore, Graph, Logger, Messenger, OutboxStore } from '../ports';

/** The outbox worker's options, dependencies, reports and counters. */

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
  /** After Teams accepted a message and the ledger says so (tests, benchmarks). */
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


/** How one delivery ended; each outcome has its counter. */
export type Outcome = 'sent' | 'duplicate' | 'undeliverable' | 'parked' | 'retry' | 'lost';

export const COUNTER_OF: Record<Outcome, keyof OutboxCounters> = {
  sent: 'sent',
  duplicate: 'duplicatesSuppressed',
  undeliverable: 'undeliverable',
  parked: 'parked',
  retry: 'retried',
  lost: 'lostLeases',
};
