/**
 * What the benchmark's parent (run.ts) sends to a scenario child (scenario.ts), and what comes back.
 * Each scenario runs in a fresh child process so its peak memory is its own.
 */

/** The real sync path: createSyncPrincipals with the real storage and the real Partner Center client. */
export interface SyncSpec {
  kind: 'sync';
  connectionString: string;
  /** Fresh for an initial sync; the same as an earlier run's for the steady state. */
  tablePrefix: string;
  /** e.g. http://127.0.0.1:PORT/pc */
  partnerCenterBaseUrl: string;
  principalsPath: string;
  tenantId: string;
  /** A sandbox-minted Partner Center token (amr carries "mfa"). */
  accessToken: string;
  tokenExpiresOn: string;
  tokenHasMfa: boolean;
}

/** Raw `TableClient.submitTransaction` of the entities the sync writes, nothing else. */
export interface FloorSpec {
  kind: 'floor';
  connectionString: string;
  /** A fresh table, created by the child before the clock starts. */
  table: string;
  records: number;
  principals: number;
  /** Transactions in flight at once (PrincipalStore's default). */
  parallelism: number;
  /** Actions per transaction (Azure's maximum). */
  batchSize: number;
}

/** The outbox: enqueue to `users` users, then drain through the real Messenger to the limit-enforcing connector (in the parent). */
export interface OutboxSpec {
  kind: 'outbox';
  connectionString: string;
  tablePrefix: string;
  connectorUrl: string;
  users: number;
  /** Worker sends in flight. */
  concurrency: number;
  /**
   * 'messages' (default): one message per user, enqueued before the clock starts, then drained.
   * 'firstNotices': that many newly listed users, notified end to end (the notice sweep claims and
   * enqueues while the worker drains), timed from the sweep's start to the last notice recorded sent.
   */
  mode?: 'messages' | 'firstNotices';
}

export type ScenarioSpec = SyncSpec | FloorSpec | OutboxSpec;

/** Seconds spent in each part of a sync (wrapped ports around the real adapters). */
export interface SyncPhases {
  /** Token + Partner Center listing over HTTP (all pages, parsing included). */
  fetch: number;
  /** The part of `fetch` spent in HTTP requests (until the body is read); the rest is parsing. */
  http: number;
  /** PrincipalStore.listAll. */
  list: number;
  /** From the end of listAll to the start of saveMany: aggregation + planSync. */
  plan: number;
  /** PrincipalStore.saveMany (batch transactions). */
  save: number;
  /** Lease, previous run, sync-run record, lease release. */
  other: number;
}

export interface ScenarioResult {
  kind: ScenarioSpec['kind'];
  /** The timed section only (set-up such as table creation is outside it). */
  seconds: number;
  /** `process.resourceUsage().maxRSS` at the end, in MiB. */
  peakRssMiB: number;
  /** RSS just before the timed section, in MiB (the process's baseline: Node, tsx, SDKs). */
  rssBeforeMiB: number;
  entitiesWritten: number;
  transactions: number;
  /** Summed request-body estimates of the transactions (our store's own estimate; floor: same function). */
  estimatedBytes: number;
  /** Outbox only: the worker's own view (the parent counts deliveries at the connector). */
  outbox?: {
    enqueueSeconds: number;
    seedSeconds: number;
    sent: number;
    duplicatesSuppressed: number;
    takenOver: number;
    retried: number;
    parked: number;
    undeliverable: number;
    errors: number;
    /** First notices: the sweep's own time (claims and enqueues, while the worker already sends). */
    sweepSeconds?: number;
    /** First notices: notices the notice ledger records as sent at the end. */
    ledgerSent?: number;
  };
  /** Sync only. */
  sync?: {
    outcome: string;
    errorCode?: string;
    errorMessage?: string;
    records: number;
    listed: number;
    new: number;
    pages: number;
    known: number;
    planAttempts: number;
    phases: SyncPhases;
    warnings: number;
  };
}

export type ChildMessage = { ok: true; result: ScenarioResult } | { ok: false; error: string };
