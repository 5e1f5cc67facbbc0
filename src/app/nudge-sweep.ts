import { type BusinessCalendar } from '../domain/calendar';
import { NO_CALENDAR, partnerCalendar } from './closures';
import type { Clock } from '../domain/clock';
import type { Principal } from '../domain/compliance';
import type { UserContact } from '../domain/conversation';
import { ErrorCodes, describeError, isAppError } from '../domain/errors';
import { sameId, type ExceptionRequest } from '../domain/exception';
import { noticeId, type Notice } from '../domain/notice';
import {
  activeStop,
  isValidZone,
  newNudgeState,
  nextNudge,
  reconcileStop,
  recordFirstNotice,
  recordSent,
  stopFor,
  wantedStop,
  type NudgeDecision,
  type NudgePolicy,
} from '../domain/nudge';
import { adminsMessage, managerMessage, reminderMessage } from './nudge-messages';
import { withLease } from './with-lease';
import type {
  ContactStore,
  ExceptionStore,
  Graph,
  LeaseStore,
  Logger,
  NoticeLedger,
  NudgeStore,
  Outbox,
  OutboxMessage,
  PrincipalStore,
  SettingsStore,
  StoredNudgeState,
} from './ports';

export interface NudgeSweepDeps {
  tenantId: string;
  principals: Pick<PrincipalStore, 'listAll'>;
  nudges: NudgeStore;
  notices: Pick<NoticeLedger, 'list'>;
  contacts: Pick<ContactStore, 'get'>;
  /** Without it (a caller with no exception workflow), no exception stops reminders. */
  exceptions?: Pick<ExceptionStore, 'listAll'>;
  settings: Pick<SettingsStore, 'get'>;
  graph: Required<Pick<Graph, 'getManager'>>;
  outbox: Outbox;
  leases: LeaseStore;
  policy: NudgePolicy;
  /** The configured calendar (public holidays); the admins' closures are added at each sweep. Without it: weekends only. */
  calendar?: BusinessCalendar;
  adminIds: readonly string[];
  defaultTimezone: string;
  clock: Clock;
  logger: Logger;
  instanceId: string;
  /**
   * How long a sweep's lease lasts when its process dies before releasing it (default 10 minutes):
   * no other sweep runs until then. The crash test shortens it so a restarted process sweeps at once.
   */
  leaseTtlMs?: number;
}

export interface NudgeSweepSummary {
  /** false: another run held the lease (this or another instance), nothing was done. */
  ran: boolean;
  paused: boolean;
  /** Non-compliant users looked at. */
  users: number;
  /** A step was due. */
  due: number;
  /** Enqueued and recorded. */
  sent: number;
  /** Due, but another instance recorded it first (etag conflict): nothing recorded here. */
  skipped: number;
  /** Not nudged because a stop condition holds (verification pending, exception, blocked, gone). */
  stopped: number;
  errors: number;
}

const LEASE = 'nudge-sweep';
const LEASE_TTL_MS = 10 * 60_000;
/**
 * Due users whose messages are enqueued together, before their states are saved: the outbox
 * queues their keys in one queue message instead of one each.
 */
const COMMIT_BATCH = 32;

/** A due step, decided: its messages go to the outbox, then `next` is saved. */
interface Commit {
  objectId: string;
  messages: OutboxMessage[];
  next: StoredNudgeState;
}

/** What one sweep knows, shared by every user it looks at. */
interface SweepRun {
  now: Date;
  calendar: BusinessCalendar;
  stateOf: ReadonlyMap<string, StoredNudgeState>;
  firstNotices: ReadonlyMap<string, Notice>;
  exceptions: readonly ExceptionRequest[];
  /** The user's manager from Graph, asked at most once per user and sweep. */
  managerOf: (objectId: string) => ReturnType<NudgeSweepDeps['graph']['getManager']>;
  summary: NudgeSweepSummary;
}

/** The idempotency key of one outgoing nudge: a redelivered or repeated enqueue sends nothing twice. */
export function nudgeKey(objectId: string, episode: number, what: string, recipient?: string): string {
  return `nudge:${objectId}:${episode}:${what}${recipient ? `:${recipient}` : ''}`;
}

/**
 * One nudge sweep over the tenant's non-compliant users, once across instances (a storage lease).
 * Per user, in order: the state of the current episode (created on first sight), the stop
 * conditions, then `nextNudge`. A due step is enqueued through the outbox under a deterministic
 * key FIRST, then recorded under the state's etag: a crash in between re-enqueues the same key
 * (the outbox sends it once), and a conflict means another instance recorded it. Due steps are
 * enqueued COMMIT_BATCH users at a time, each batch before any of its states is saved.
 *
 * Where reminders count from: the first notice's `sentAt` when the ledger confirms it; its claim
 * time when it was claimed but never confirmed ('sending': it most likely went out); otherwise
 * (never delivered, or no notice yet) the episode start, so a user the first notice never reached
 * still gets reminders, the first one N business days after detection.
 *
 * Graph is asked only when a step is due: /manager, once per user and sweep. It also tells whether
 * the user is still in the tenant (GRAPH_NOT_FOUND: stop for good). If Graph fails otherwise, a
 * reminder still goes out (Partner Center lists the user); a manager step waits for the next sweep.
 */
export function createNudgeSweep(deps: NudgeSweepDeps) {
  const { tenantId, logger, policy } = deps;

  return async function sweepNudges(): Promise<NudgeSweepSummary> {
    const now = deps.clock.now();
    const summary: NudgeSweepSummary = { ran: false, paused: false, users: 0, due: 0, sent: 0, skipped: 0, stopped: 0, errors: 0 };
    const outcome = await withLease(deps, { name: LEASE, instanceId: deps.instanceId, hold: { whileRunning: { ttlMs: deps.leaseTtlMs ?? LEASE_TTL_MS } } }, () => sweep(now, summary));
    if (!outcome.ran) logger.debug({}, 'nudge sweep skipped: another run holds the lease');
    return outcome.ran ? outcome.result : summary;
  };

  async function sweep(now: Date, summary: NudgeSweepSummary): Promise<NudgeSweepSummary> {
    summary.ran = true;
    const pause = await deps.settings.get('nudgesPaused');
    if (pause?.value.paused) {
      summary.paused = true;
      logger.info({ summary, pausedBy: pause.value.by }, 'nudge sweep: nudges are paused for everyone');
      return summary;
    }
    const [principals, states, notices, exceptions, calendar] = await Promise.all([
      deps.principals.listAll(tenantId),
      deps.nudges.listAll(tenantId),
      deps.notices.list(tenantId),
      deps.exceptions?.listAll() ?? Promise.resolve([]),
      partnerCalendar(deps.settings, deps.calendar ?? NO_CALENDAR),
    ]);
    const stateOf = new Map(states.map((s) => [s.objectId, s]));
    const firstNotices = new Map(notices.filter((n) => n.kind === 'first').map((n) => [noticeId(n), n]));
    const managers = new Map<string, Promise<Awaited<ReturnType<NudgeSweepDeps['graph']['getManager']>>>>();
    const managerOf = (objectId: string) => {
      let lookup = managers.get(objectId);
      if (!lookup) {
        lookup = deps.graph.getManager(objectId);
        managers.set(objectId, lookup);
      }
      return lookup;
    };

    const run: SweepRun = { now, calendar, stateOf, firstNotices, exceptions, managerOf, summary };
    const due: Commit[] = [];
    for (const p of principals) {
      if (p.status === 'compliant') continue;
      summary.users += 1;
      try {
        const step = await nudgeOne(p, run);
        if (step) due.push(step);
      } catch (error) {
        // One user's failure (storage blip, Graph down) must not stop everyone else's.
        summary.errors += 1;
        logger.warn({ objectId: p.objectId, err: describeError(error) }, 'nudge failed for a user; the next sweep tries again');
      }
      if (due.length >= COMMIT_BATCH) await commit(due.splice(0), summary);
    }
    await commit(due.splice(0), summary);
    logger.info({ summary }, 'nudge sweep finished');
    return summary;
  }

  /** Enqueue the batch's messages, then save each state; an enqueue failure leaves them all for the next sweep. */
  async function commit(batch: readonly Commit[], summary: NudgeSweepSummary): Promise<void> {
    if (batch.length === 0) return;
    const messages = batch.flatMap((c) => c.messages);
    try {
      if (messages.length > 0) await deps.outbox.enqueue(messages);
    } catch (error) {
      summary.errors += batch.length;
      logger.warn({ users: batch.length, err: describeError(error) }, 'nudges could not be enqueued; the next sweep tries again');
      return;
    }
    for (const c of batch) {
      try {
        const saved = await save(c.next);
        if (saved === 'conflict') {
          summary.skipped += 1;
          logger.info({ objectId: c.objectId }, 'nudge recorded by another instance first; skipped');
          continue;
        }
        summary.sent += 1;
      } catch (error) {
        // Enqueued but not recorded: the next sweep enqueues the same key, which sends nothing twice.
        summary.errors += 1;
        logger.warn({ objectId: c.objectId, err: describeError(error) }, 'nudge enqueued but its state not saved; the next sweep tries again');
      }
    }
  }

  async function save(state: StoredNudgeState): Promise<StoredNudgeState | 'conflict'> {
    try {
      return await deps.nudges.save(tenantId, state);
    } catch (error) {
      if (isAppError(error, ErrorCodes.StorageConflict) || isAppError(error, ErrorCodes.StorageAlreadyExists)) return 'conflict';
      throw error;
    }
  }

  function firstNoticeAt(p: Principal, notices: ReadonlyMap<string, Notice>): Date {
    const notice = notices.get(noticeId({ objectId: p.objectId, kind: 'first', episode: p.episode }));
    if (notice?.status === 'sent') return notice.sentAt ?? notice.claimedAt;
    if (notice?.status === 'sending') return notice.claimedAt;
    return p.episodeStartedAt;
  }

  /** One user's step in a sweep: the state saved when it changed, and the due step's commit, if any. */
  async function nudgeOne(p: Principal, run: SweepRun): Promise<Commit | undefined> {
    const { now, calendar, managerOf, summary } = run;
    const stored = run.stateOf.get(p.objectId);
    // A new episode starts from a fresh state, replacing the old row under its etag.
    const current: StoredNudgeState = stored && stored.episode === p.episode ? stored : { ...newNudgeState(p.objectId, p.episode), etag: stored?.etag };
    let state: StoredNudgeState = recordFirstNotice(current, firstNoticeAt(p, run.firstNotices));
    let dirty = state !== stored;

    if (p.status === 'verificationPending') {
      // Graph confirmed registration: no reminders while the next sync confirms it.
      summary.stopped += 1;
      if (dirty) await save(state);
      return;
    }

    const contact = await deps.contacts.get(tenantId, p.objectId);
    const requests = run.exceptions.filter((r) => sameId(r.requesterId, p.objectId));
    const stop = reconcileStop(state, wantedStop({ blocked: contact?.unreachable?.reason === 'blocked', requests }, now), now);
    state = stop.state;
    dirty ||= stop.changed;
    if (stop.newlyBlocked) {
      // Tell the admins once per episode: the key makes a repeat after a crash a no-op.
      await deps.outbox.enqueue(adminMessages('blocked', p, state, contact, 'blocked'));
    }
    if (activeStop(state, now)) {
      summary.stopped += 1;
      if (dirty) await save(state);
      return;
    }

    const zone = contact?.timezone && isValidZone(contact.timezone) ? contact.timezone : deps.defaultTimezone;
    const ctx = { now, zone, hasManager: true, globallyPaused: false, calendar };
    let decision: NudgeDecision = nextNudge(state, policy, ctx);
    if (decision.action === 'none' || decision.at.getTime() > now.getTime()) {
      if (dirty) await save(state);
      return;
    }

    summary.due += 1;
    let manager: Awaited<ReturnType<typeof managerOf>>;
    try {
      manager = await managerOf(p.objectId);
    } catch (error) {
      if (isAppError(error, ErrorCodes.GraphNotFound)) {
        summary.stopped += 1;
        logger.info({ objectId: p.objectId }, 'user no longer in the tenant: nudges stopped');
        await save(stopFor(state, 'notInTenant'));
        return;
      }
      if (decision.step === 'manager') throw error;
      logger.warn({ objectId: p.objectId, err: describeError(error) }, 'Graph could not confirm the user; the reminder goes out anyway');
    }
    if (decision.step === 'manager' && !manager) {
      decision = nextNudge(state, policy, { ...ctx, hasManager: false });
      if (decision.action === 'none' || decision.at.getTime() > now.getTime()) {
        if (dirty) await save(state);
        return;
      }
    }

    const next = recordSent(state, decision, now);
    // The admins' card shows the history including this step (and a skipped manager).
    return { objectId: p.objectId, messages: messagesFor(decision, p, decision.action === 'reminder' ? state : next, contact, zone, manager), next };
  }

  function adminMessages(kind: 'escalation' | 'blocked', p: Principal, state: StoredNudgeState, contact: UserContact | undefined, what: string): OutboxMessage[] {
    return deps.adminIds.map((adminId) => ({
      key: nudgeKey(p.objectId, p.episode, what, adminId),
      tenantId,
      to: { aadObjectId: adminId },
      message: adminsMessage(kind, p, state, deps.defaultTimezone, contact?.address?.userName),
      kind: kind === 'blocked' ? 'nudge.blocked' : 'nudge.escalate.admins',
    }));
  }

  function messagesFor(
    decision: NudgeDecision,
    p: Principal,
    state: StoredNudgeState,
    contact: UserContact | undefined,
    zone: string,
    manager: { id: string } | undefined,
  ): OutboxMessage[] {
    if (decision.action === 'reminder') {
      return [
        {
          key: nudgeKey(p.objectId, p.episode, `reminder:${state.remindersSent + 1}`),
          tenantId,
          to: { aadObjectId: p.objectId },
          message: reminderMessage(p, state, policy, zone, contact?.address?.userName),
          kind: 'nudge.reminder',
        },
      ];
    }
    if (decision.step === 'manager' && manager) {
      return [
        {
          key: nudgeKey(p.objectId, p.episode, 'escalate:manager'),
          tenantId,
          to: { aadObjectId: manager.id },
          message: managerMessage(p, state, deps.defaultTimezone, contact?.address?.userName),
          kind: 'nudge.escalate.manager',
        },
      ];
    }
    return adminMessages('escalation', p, state, contact, 'escalate:admins');
  }
}

export type NudgeSweep = ReturnType<typeof createNudgeSweep>;
