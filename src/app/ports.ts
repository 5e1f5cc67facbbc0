/**
 * The ports the use cases depend on. Adapters live in src/storage, src/integrations and src/bot.
 * Every method that changes state is conditional on an etag where a concurrent writer can exist;
 * adapters map 404/409/412 to AppError codes (STORAGE_NOT_FOUND / STORAGE_ALREADY_EXISTS /
 * STORAGE_CONFLICT) and never swallow them.
 */
import type { SignInRecord } from '../domain/verification';
import type { Principal } from '../domain/compliance';
import type { ConversationAddress, UnreachableReason, UserContact } from '../domain/conversation';
import type { Notice, NoticeKey } from '../domain/notice';
import type { NonMfaRecord } from '../domain/principal';
import type { SyncRun } from '../domain/sync-run';
import type { AuditEntry, ExceptionRequest } from '../domain/exception';
import type { Closure } from '../domain/calendar';
import type { NudgeState } from '../domain/nudge';
import type { Delivery, OutboxRecipient, OutboxRecord } from '../domain/outbox';
import type { AdminAuditEntry } from '../domain/admin-audit';
import type { Exclusion } from '../domain/exclusion';

// ---------------------------------------------------------------- storage

export interface PrincipalStore {
  /** Every principal of the tenant, with etags. */
  listAll(tenantId: string): Promise<Principal[]>;
  get(tenantId: string, objectId: string): Promise<Principal | undefined>;
  /**
   * Write many principals in Table batch transactions (one partition, at most 100 actions and 4 MiB
   * each). A principal without etag is created (fails if it exists), one with etag is replaced only
   * if unchanged. On a conflict the failing batch is rejected with STORAGE_CONFLICT whose
   * `details.objectIds` lists that batch's principals; other batches may be written, so callers
   * re-list before retrying.
   */
  saveMany(principals: readonly Principal[]): Promise<void>;
  /** Create (no etag) or replace under etag; returns the stored principal with its new etag. */
  save(principal: Principal): Promise<Principal>;
}

export interface ContactActivity {
  tenantId: string;
  aadObjectId: string;
  address: ConversationAddress;
  timezone?: string;
  locale?: string;
  at: Date;
}

export interface ContactStore {
  get(tenantId: string, aadObjectId: string): Promise<UserContact | undefined>;
  /**
   * Upsert the latest conversation address, and the time zone and locale when the activity carried
   * them (a known zone is kept otherwise); clears any unreachable mark (the user is here).
   */
  recordActivity(activity: ContactActivity): Promise<void>;
  markUnreachable(tenantId: string, aadObjectId: string, reason: UnreachableReason, at: Date, detail?: string): Promise<void>;
  listUnreachable(tenantId: string): Promise<UserContact[]>;
}

/** `claimed`: go ahead (this is the notice's `attempt`-th claim). Not claimed: it was sent, is queued, or another instance claimed it first. */
export type NoticeClaim = { claimed: true; attempt: number } | { claimed: false; notice: Notice };

export interface NoticeLedger {
  /** Claim the right to send a notice: a new one, or one whose last attempt was unreachable. */
  claim(key: NoticeKey, at: Date): Promise<NoticeClaim>;
  /**
   * Record an attempt's outcome. With `attempt`, only while that attempt is the current one (a late
   * report about an older attempt changes nothing: false). STORAGE_NOT_FOUND for a notice never claimed.
   */
  markSent(key: NoticeKey, at: Date, activityId?: string, attempt?: number): Promise<boolean>;
  markUnreachable(key: NoticeKey, reason: string, at: Date, attempt?: number): Promise<boolean>;
  get(key: NoticeKey): Promise<Notice | undefined>;
  list(tenantId: string): Promise<Notice[]>;
}

export interface SyncRunStore {
  add(run: SyncRun): Promise<void>;
  /** Newest first. */
  latest(tenantId: string, count: number): Promise<SyncRun[]>;
  /** Runs started at or after `from`, newest first (the trend over 90 days). */
  since(tenantId: string, from: Date): Promise<SyncRun[]>;
}

/** Secrets at rest (the Partner Center token cache), encrypted by the adapter. */
export interface SecretStore {
  get(name: string): Promise<string | undefined>;
  put(name: string, value: string): Promise<void>;
  delete(name: string): Promise<void>;
}

/** Teams may deliver the same activity twice; the first delivery claims its id. */
export interface ActivityDeduplicator {
  /**
   * 'first' when this delivery should be processed; 'duplicate' when another already did or is.
   * With `owner` (the process's boot id) the claim holds a lease of `leaseMs`, which the owner
   * renews while it works; an expired lease (its owner died) is taken over.
   */
  claim(activityId: string, at: Date, owner?: string): Promise<'first' | 'duplicate'>;
  /** How long an owned claim lasts without renewal. */
  readonly leaseMs: number;
  /** Extend the owner's lease; false when the claim is no longer theirs (done, or taken over). */
  renew(activityId: string, owner: string, at: Date): Promise<boolean>;
  /** Give up the owner's unfinished claim (the turn failed): a redelivery is processed. */
  release(activityId: string, owner: string): Promise<void>;
  /** Mark processing finished, so a stale claim is not taken over. */
  complete(activityId: string, at: Date): Promise<void>;
  /** Forget claims made before `cutoff` (Teams redelivers within minutes); answers how many. */
  purgeClaimedBefore(cutoff: Date): Promise<number>;
}

/** Nonces of single-use links (CSV exports): the first use records one, every later use is refused. */
export interface UsedLinkStore {
  /** 'first' for the one use that recorded `nonce` (a conditional insert: of concurrent uses exactly one wins); 'used' after. */
  use(nonce: string, at: Date, expiresAt: Date): Promise<'first' | 'used'>;
}

/** A lease in storage so that one instance runs a sweep at a time. */
export interface LeaseStore {
  tryAcquire(name: string, holder: string, ttlMs: number, at: Date): Promise<boolean>;
  release(name: string, holder: string): Promise<void>;
}

/**
 * Technical-exception requests and their append-only audit log. A request and its audit entries
 * share one partition, so a state change and its audit entry are written in one transaction.
 */
export interface ExceptionStore {
  /** Store a new request (no etag) with the audit entry of its creation, if any. STORAGE_ALREADY_EXISTS when the id is taken. */
  create(request: ExceptionRequest, audit?: AuditEntry): Promise<ExceptionRequest>;
  get(id: string): Promise<ExceptionRequest | undefined>;
  /**
   * Replace the request under `next.etag` and append `audit`, in one transaction: both or neither.
   * STORAGE_CONFLICT when the request changed since it was read (nothing is written).
   * With `followUp`, its row is written in the same transaction: the messages the change owes
   * (approval cards, the requester told, …) survive a crash right after the write.
   */
  apply(next: ExceptionRequest, audit: AuditEntry, followUp?: ExceptionFollowUpRecord): Promise<ExceptionRequest>;
  /** Replace the request under its etag without an audit entry: bookkeeping only (e.g. the SLA state announced). */
  touch(next: ExceptionRequest): Promise<ExceptionRequest>;
  listByRequester(requesterId: string): Promise<ExceptionRequest[]>;
  /** Every request (exports, the SLA sweep, nudge stop conditions). */
  listAll(): Promise<ExceptionRequest[]>;
  /** The request's audit log, oldest first. */
  history(id: string): Promise<AuditEntry[]>;
  /** Every audit entry of every request, oldest first (the CSV export). */
  listAudit(): Promise<AuditEntry[]>;
  /** Remember a posted approval card, so a decision can update it for everyone. Idempotent per (request, round, activityId). */
  addApprovalCard(ref: ApprovalCardRef): Promise<void>;
  listApprovalCards(requestId: string, round: number): Promise<ApprovalCardRef[]>;
  /** Follow-ups written with their change and not yet done, oldest first; of one request, or of all. */
  listFollowUps(requestId?: string): Promise<ExceptionFollowUp[]>;
  /** The follow-up is done (its messages are in the outbox); gone already is fine. */
  deleteFollowUp(followUp: ExceptionFollowUp): Promise<void>;
  /**
   * Claim the requester's `slot`-th request for `id`: answers the id that holds the slot, `id` when
   * this call took it, the other one when a concurrent open took it first (one draft, not two).
   */
  claimRequestSlot(requesterId: string, slot: number, id: string): Promise<string>;
}

/** What a stored change still owes, as written with it: the request as the change left it, and the change. */
export interface ExceptionFollowUpRecord {
  /** The command that made the change. */
  action: AuditEntry['action'];
  actor: string;
  at: Date;
  /** The request before the change: its status and review round. */
  before: { status: ExceptionRequest['status']; reviewRound: number };
}

export interface ExceptionFollowUp extends ExceptionFollowUpRecord {
  /** The row, for deleteFollowUp. */
  id: string;
  /** The request as the change stored it (not as it may be now). */
  request: ExceptionRequest;
}

export interface ApprovalCardRef {
  requestId: string;
  round: number;
  address: ConversationAddress;
  activityId: string;
}

/** The admin audit: append-only (no update, no delete). */
export interface AdminAuditStore {
  append(entry: AdminAuditEntry): Promise<void>;
  /** Newest first, at most `limit`, optionally only entries at or after `since`. */
  list(tenantId: string, options: { limit: number; since?: Date }): Promise<AdminAuditEntry[]>;
}

/** Admins' exclusions from notices and nudges, one per account (ETag on every change). */
export interface ExclusionStore {
  listAll(tenantId: string): Promise<Exclusion[]>;
  get(tenantId: string, objectId: string): Promise<Exclusion | undefined>;
  /** Create (no etag; STORAGE_ALREADY_EXISTS) or replace under etag (STORAGE_CONFLICT). */
  save(exclusion: Exclusion): Promise<Exclusion>;
}

/** Small named settings with etags: admin closures, the approvals channel, the global nudge pause. */
export interface SettingsStore {
  /** The setting as stored, checked against its key's schema; undefined when never written. */
  get<K extends SettingName>(name: K): Promise<{ value: Settings[K]; etag: string } | undefined>;
  /** Create (no etag: fails with STORAGE_ALREADY_EXISTS if present) or replace under etag (STORAGE_CONFLICT). */
  put<K extends SettingName>(name: K, value: Settings[K], etag?: string): Promise<{ value: Settings[K]; etag: string }>;
}

/** Every setting by name, with the type of its value. */
export interface Settings {
  closures: ClosuresSetting;
  /** null: switched off by an admin ("approvals off"). */
  approvalsChannel: ApprovalsChannelSetting | null;
  nudgesPaused: NudgesPausedSetting;
}
export type SettingName = keyof Settings;
export type ClosuresSetting = Closure[];
export interface ApprovalsChannelSetting {
  address: ConversationAddress;
  setBy: string;
  setAt: Date;
}
export interface NudgesPausedSetting {
  paused: boolean;
  by: string;
  at: Date;
}

/** One nudge state per user and non-compliance episode (the domain's NudgeState plus its etag). */
export type StoredNudgeState = NudgeState & { etag?: string };

export interface NudgeStore {
  /** Every user's current state (PartitionKey = tenant). */
  listAll(tenantId: string): Promise<StoredNudgeState[]>;
  get(tenantId: string, objectId: string): Promise<StoredNudgeState | undefined>;
  /** Create (no etag) or replace under etag; STORAGE_ALREADY_EXISTS / STORAGE_CONFLICT on a race. */
  save(tenantId: string, state: StoredNudgeState): Promise<StoredNudgeState>;
}

// ---------------------------------------------------------------- outbox

/** A message to deliver later, at least once, through the durable outbox (Azure Storage Queues). */
export interface OutboxMessage {
  /**
   * Idempotency key: one key is delivered at most once as far as the ledger can tell (a redelivered
   * queue message or a second enqueue with the same key sends nothing). E.g. `nudge:<objectId>:<episode>:reminder:2`.
   */
  key: string;
  tenantId: string;
  /** A user's 1:1 chat (address looked up at send time) or a known conversation (an admin channel). */
  to: OutboxRecipient;
  message: OutboundMessage;
  /** What it is, for logs and reports (e.g. 'nudge.reminder', 'sla.breached'). */
  kind: string;
}

export interface Outbox {
  /**
   * Durably enqueue; resolves once every message has its ledger record and its key is on the queue.
   * A key already known is not delivered a second time (its key is queued again only while it is
   * still pending, i.e. an earlier enqueue may have stopped between the two steps). Callers record
   * their own state only after this resolved. Rejects with STORAGE_* (nothing to undo: enqueue again),
   * STORAGE_LIMIT for a message too big for a Table entity, INPUT_INVALID for a bad key.
   */
  enqueue(messages: readonly OutboxMessage[]): Promise<void>;
}

/** A key as the queue delivered it (at least once, possibly to several workers over time). */
export interface OutboxDelivery extends Delivery {
  /** Undefined when the queue message could not be read (poison). */
  key?: string;
  /** The message as queued, for the poison queue. */
  raw: string;
}

/**
 * The outbox's storage side as the worker sees it: the queue of keys and the ledger of records.
 * Queue calls on a delivery another worker now holds (its visibility ran out) reject with
 * STORAGE_NOT_FOUND or STORAGE_CONFLICT (pop receipt no longer valid). The store runs the queue
 * calls on the deliveries of one queue message one after another (each visibility change gives
 * the message a new pop receipt); callers need not.
 */
export interface OutboxStore {
  /** Deliveries from about `max / 32` queue messages (at least one; a message can carry up to 32 keys), each invisible to others for `visibilityTimeoutMs`. */
  receive(max: number, visibilityTimeoutMs: number): Promise<OutboxDelivery[]>;
  /** Done with it (an outcome is recorded): its queue message is removed once all its keys are. */
  remove(delivery: OutboxDelivery): Promise<void>;
  /** Keep it invisible to others for another `visibilityTimeoutMs` (a send still in progress). */
  extend(delivery: OutboxDelivery, visibilityTimeoutMs: number): Promise<void>;
  /** Show it again after `delayMs` (a transient failure). */
  retryLater(delivery: OutboxDelivery, delayMs: number): Promise<void>;
  /** Copy it to the poison queue, then let go of it on the main queue. */
  park(delivery: OutboxDelivery): Promise<void>;
  get(key: string): Promise<OutboxRecord | undefined>;
  /** Replace under `record.etag`; STORAGE_CONFLICT when it changed since it was read. */
  save(record: OutboxRecord): Promise<OutboxRecord>;
}

// ---------------------------------------------------------------- Partner Center

export interface PrincipalListing {
  records: NonMfaRecord[];
  pages: number;
  /** Items without objectId or a readable time. */
  skipped: number;
  /** Partner Center's answer to `ValidateMfa: true`, when it gave one. */
  isMfaCompliant?: boolean;
}

export interface PartnerCenter {
  /** Throws AppError PC_MFA_REQUIRED (never retried), PC_THROTTLED, PC_UNAVAILABLE, PC_BAD_RESPONSE, PC_UNAUTHORIZED. */
  listNonMfaCompliantPrincipals(context: { correlationId: string; accessToken: string }): Promise<PrincipalListing>;
}

export interface AccessToken {
  token: string;
  expiresOn: Date;
  /** `amr` contains "mfa". */
  hasMfa: boolean;
  account?: string;
}

export interface DeviceCodePrompt {
  userCode: string;
  verificationUri: string;
  message: string;
  expiresAt: Date;
}

/** The Secure Application Model connection to Partner Center. */
export interface PartnerCenterAuth {
  /**
   * Silent redemption of the stored refresh token. Throws PC_NOT_CONNECTED when there is none or it
   * expired. `forceRefresh`: skip the cached access token and redeem the refresh token now (after
   * Partner Center refused the cached one: it may be revoked, or its signing key rolled).
   */
  getAccessToken(options?: { forceRefresh?: boolean }): Promise<AccessToken>;
  /**
   * One-time admin consent with MFA via device code. `onPrompt` is called with the code to show;
   * resolves when the admin completed sign-in (or rejects: expired, declined).
   */
  connectWithDeviceCode(onPrompt: (prompt: DeviceCodePrompt) => Promise<void>): Promise<AccessToken>;
  /** `connectedAt`: when an admin last connected with MFA, when known. */
  status(): Promise<{ connected: boolean; account?: string; connectedAt?: Date }>;
}

// ---------------------------------------------------------------- Graph

export interface RegistrationDetails {
  isMfaRegistered: boolean;
  isMfaCapable: boolean;
  methodsRegistered: string[];
  preferredMethod?: string;
}

/** A domain of the tenant: `Federated` means an identity provider outside Entra signs its users in. */
export interface TenantDomain {
  id: string;
  /** "Managed" or "Federated" (compared case-insensitively). */
  authenticationType: string;
  isVerified: boolean;
}

export interface Graph {
  /** Throws GRAPH_NOT_PREMIUM (tenant lacks Entra ID P1/P2), GRAPH_FORBIDDEN, GRAPH_NOT_FOUND, GRAPH_THROTTLED, GRAPH_UNAVAILABLE. */
  getRegistrationDetails(objectId: string): Promise<RegistrationDetails>;
  /**
   * The user's successful and failed sign-ins after `since`, newest first (at most `top`).
   * Throws GRAPH_NOT_PREMIUM without Entra ID P1/P2, like the registration report.
   */
  listSignIns?(objectId: string, options: { since: Date; top: number }): Promise<SignInRecord[]>;
  /** A domain of the tenant by name; undefined when the tenant has no such domain (404). */
  getDomain?(domain: string): Promise<TenantDomain | undefined>;
  /** The user's UPN and display name. GRAPH_NOT_FOUND when the user does not exist. */
  getUser?(objectId: string): Promise<{ id: string; displayName?: string; userPrincipalName?: string }>;
  /** `@odata.type` of each registered method. */
  listAuthenticationMethods(objectId: string): Promise<string[]>;
  /** The user's manager in Entra ID, or undefined when none (404). GRAPH_NOT_FOUND when the user does not exist. */
  getManager?(objectId: string): Promise<{ id: string; displayName?: string; userPrincipalName?: string } | undefined>;
  /** Install the Teams app for a user; 409 (already installed) is success. */
  installAppForUser(objectId: string, catalogAppId: string): Promise<'installed' | 'alreadyInstalled'>;
}

// ---------------------------------------------------------------- Teams

export interface OutboundMessage {
  /** Plain text shown in notifications and where cards do not render. */
  text: string;
  /** An Adaptive Card (already expanded JSON). */
  card?: Record<string, unknown>;
}

export interface Messenger {
  /**
   * Send to a 1:1 conversation. Paced under Teams' limits; retries 429/412/502/503/504 (bounded).
   * Throws TEAMS_BLOCKED, TEAMS_NOT_IN_ROSTER, TEAMS_CONVERSATION_GONE, TEAMS_THROTTLED, TEAMS_UNAVAILABLE.
   */
  send(to: ConversationAddress, message: OutboundMessage): Promise<{ activityId?: string }>;
  /** Replace a message the bot sent earlier (an approval card after a decision). */
  update?(to: ConversationAddress, activityId: string, message: OutboundMessage): Promise<void>;
  /** Create the 1:1 conversation with a user who has the app installed. */
  createPersonalConversation(user: { tenantId: string; aadObjectId: string }): Promise<ConversationAddress>;
}

// ---------------------------------------------------------------- misc

export interface IdGenerator {
  newId(): string;
}

export interface Logger {
  debug(obj: Record<string, unknown>, msg: string): void;
  info(obj: Record<string, unknown>, msg: string): void;
  warn(obj: Record<string, unknown>, msg: string): void;
  error(obj: Record<string, unknown>, msg: string): void;
}

// ---------------------------------------------------------------- telemetry

/**
 * Counters an operator alerts on (Azure Monitor in production; a no-op when telemetry is off).
 * Fire-and-forget: a metric never fails or slows the work it counts.
 */
export interface Metrics {
  /** A Partner Center sync finished, with its outcome (succeeded, mfaRequired, throttled, …). */
  syncFinished(outcome: string, trigger: string): void;
  /** Partner Center refused the bot's token for lack of MFA (401 / 900421). */
  mfaRejected(): void;
  /** The outbox delivered one message. */
  outboxSent(kind: string | undefined): void;
  /** The outbox gave up on a message after repeated failures (poison queue). */
  outboxParked(kind: string | undefined): void;
  /** An exception request's 3-business-day SLA at Microsoft was announced as breached. */
  slaBreached(): void;
}

export const noMetrics: Metrics = {
  syncFinished: () => undefined,
  mfaRejected: () => undefined,
  outboxSent: () => undefined,
  outboxParked: () => undefined,
  slaBreached: () => undefined,
};
