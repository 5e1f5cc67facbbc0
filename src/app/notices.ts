import type { Clock } from '../domain/clock';
import type { Principal } from '../domain/compliance';
import type { UserContact } from '../domain/conversation';
import { describeError } from '../domain/errors';
import type { UserIntegration } from '../domain/integrations';
import type { OutboxRecord } from '../domain/outbox';
import { firstNoticeOutboxKey, noticeId, parseFirstNoticeOutboxKey, type Notice, type NoticeKey } from '../domain/notice';
import { firstNoticeMessage } from './messages';
import type { ContactStore, Logger, NoticeLedger, Outbox, OutboxMessage, OutboxStore, PrincipalStore } from './ports';

/** The outbox kind of first notices (logs, metrics, and how the outbox's reports find their way back here). */
export const FIRST_NOTICE_KIND = 'notice.first';

export interface NoticeDeps {
  tenantId: string;
  principals: Pick<PrincipalStore, 'listAll' | 'get'>;
  contacts: Pick<ContactStore, 'get' | 'markUnreachable'>;
  ledger: NoticeLedger;
  outbox: Pick<Outbox, 'enqueue'>;
  /** The outbox's ledger, read to settle a notice whose outcome report never arrived (a crash, a storage blip). */
  outboxLedger: Pick<OutboxStore, 'get'>;
  /**
   * The apps whose recent non-MFA requests ran as each user (the integration inventory), read once
   * per sweep. Absent: notices name no app.
   */
  integrationsOfUsers?: () => Promise<(objectId: string) => readonly UserIntegration[]>;
  /** The app's org-catalog id; without it MFA Shepherd cannot install itself for a user. */
  appCatalogId?: string;
  clock: Clock;
  logger: Logger;
}

/**
 * 'queued': handed to the outbox (it sends, at least once, and reports back). 'alreadyQueued':
 * this episode's notice was queued or sent before (here, by another instance, or on a redelivery).
 */
export type NoticeResult = 'queued' | 'alreadyQueued' | 'unreachable' | 'failed' | 'notNeeded';

/** Enqueued together: their keys share queue messages (the outbox packs up to 32 to one). */
const ENQUEUE_BATCH = 32;

interface Pending {
  key: NoticeKey;
  message: OutboxMessage;
}

/**
 * The first notice to each non-compliant principal, once per episode (a principal that comes back
 * after being compliant gets a new one), delivered through the durable outbox: at least once.
 *
 * The ledger claim comes first (one claim per user and episode across instances, redeliveries and
 * restarts), then the enqueue under the claim's key. The outbox reports each outcome back (sent;
 * undeliverable: the user is recorded unreachable with the reason; parked after repeated failures),
 * and a notice whose report never arrived is settled from the outbox's own ledger by the next sweep:
 * a claim whose enqueue did not happen is enqueued again under the same key, which the outbox sends
 * once. An unreachable notice is claimed again, under a new key, when the user opens the bot (or, for
 * a reason other than a block, at the next sweep).
 */
export function createNotices(deps: NoticeDeps) {
  const { tenantId, logger } = deps;
  const noApps = () => [] as const;

  async function appsLookup(): Promise<(objectId: string) => readonly UserIntegration[]> {
    if (!deps.integrationsOfUsers) return noApps;
    try {
      return await deps.integrationsOfUsers();
    } catch (error) {
      // The notice matters more than naming the app: it goes out without the names.
      logger.warn({ err: describeError(error) }, 'integration inventory unreadable; first notices name no app this time');
      return noApps;
    }
  }

  function messageFor(p: Principal, key: NoticeKey, attempt: number, contact: UserContact | undefined, apps: readonly UserIntegration[]): Pending {
    return {
      key,
      message: {
        key: firstNoticeOutboxKey(key, attempt),
        tenantId,
        to: { aadObjectId: p.objectId },
        message: firstNoticeMessage(p, contact?.timezone, contact?.address?.userName, apps),
        kind: FIRST_NOTICE_KIND,
      },
    };
  }

  /**
   * Someone nobody can reach: no chat with the bot and no catalog id to install it. Recorded once
   * (their first message to the bot delivers the notice); no outbox traffic for them meanwhile.
   */
  async function cannotReach(p: Principal, contact: UserContact | undefined): Promise<boolean> {
    if (contact?.address || deps.appCatalogId) return false;
    if (contact?.unreachable?.reason !== 'notInstalled') {
      await deps.contacts.markUnreachable(
        tenantId,
        p.objectId,
        'notInstalled',
        deps.clock.now(),
        'The user has not installed MFA Shepherd, and TEAMS_APP_CATALOG_ID is not set, so the bot cannot install it for them.',
      );
    }
    return true;
  }

  /**
   * A notice claimed earlier and still 'sending' in the ledger: ask the outbox what became of it.
   * No record (the enqueue never happened) or pending and never tried: enqueue the same key again
   * (sent once). Final: record the outcome the report should have brought.
   */
  async function settleQueued(p: Principal, notice: Notice, contact: UserContact | undefined, apps: readonly UserIntegration[]): Promise<{ requeue?: Pending; unreachable?: true }> {
    const key = noticeKeyOf(notice);
    const record = await deps.outboxLedger.get(firstNoticeOutboxKey(key, notice.attempt));
    // Pending and never tried: the enqueue may have stopped before its key reached the queue. Pending
    // after a try: the key is back on the queue with its backoff, which a copy would jump.
    if (!record || (record.status === 'pending' && record.attempts === 0)) return { requeue: messageFor(p, key, notice.attempt, contact, apps) };
    if (record.status === 'sent') await deps.ledger.markSent(key, record.sentAt ?? deps.clock.now(), record.activityId, notice.attempt);
    else if (record.status === 'undeliverable' || record.status === 'parked') {
      await deps.ledger.markUnreachable(key, `${record.lastErrorCode ?? record.status}: ${record.lastError ?? ''}`.slice(0, 500), record.finishedAt ?? deps.clock.now(), notice.attempt);
      return { unreachable: true };
    }
    return {};
  }

  /**
   * One user's notice, decided: what to enqueue, if anything. `existing` is the ledger's row for
   * this episode as last read, if any.
   */
  async function prepare(p: Principal, existing: Notice | undefined, apps: (objectId: string) => readonly UserIntegration[]): Promise<{ result: NoticeResult; pending?: Pending }> {
    if (p.status !== 'nonCompliant') return { result: 'notNeeded' }; // Graph verified them: not told they lack MFA
    if (existing?.status === 'sent') return { result: 'alreadyQueued' };
    const contact = await deps.contacts.get(tenantId, p.objectId);
    if (await cannotReach(p, contact)) return { result: 'unreachable' };
    if (existing?.status === 'sending') {
      const settled = await settleQueued(p, existing, contact, apps(p.objectId));
      if (settled.requeue) return { result: 'queued', pending: settled.requeue };
      if (!settled.unreachable) return { result: 'alreadyQueued' };
      existing = { ...existing, status: 'unreachable' };
    }
    // Blocked: only the user can undo it, and their next message to the bot brings the notice.
    if (existing?.status === 'unreachable' && contact?.unreachable?.reason === 'blocked') return { result: 'unreachable' };
    const key: NoticeKey = { tenantId, objectId: p.objectId, kind: 'first', episode: p.episode };
    const claim = await deps.ledger.claim(key, deps.clock.now());
    if (!claim.claimed) {
      return claim.notice.status === 'unreachable' ? { result: 'unreachable' } : { result: 'alreadyQueued' };
    }
    return { result: 'queued', pending: messageFor(p, key, claim.attempt, contact, apps(p.objectId)) };
  }

  /** Hand a batch to the outbox. On failure the claims stay 'sending': the next sweep enqueues them again. */
  async function enqueue(batch: readonly Pending[]): Promise<boolean> {
    if (batch.length === 0) return true;
    try {
      await deps.outbox.enqueue(batch.map((b) => b.message));
      for (const b of batch) logger.info({ objectId: b.key.objectId, notice: noticeId(b.key), key: b.message.key }, 'first notice queued');
      return true;
    } catch (error) {
      logger.warn({ users: batch.length, err: describeError(error) }, 'first notices could not be queued; the next sweep queues them again');
      return false;
    }
  }

  return {
    /**
     * The welcome on install, once per user however many install events arrive (Teams and the
     * Playground send installationUpdate and conversationUpdate together, each with its own id).
     * Sent in the turn, not through the outbox: it answers the install.
     */
    async welcomeOnce(objectId: string, send: () => Promise<void>): Promise<boolean> {
      const key: NoticeKey = { tenantId, objectId, kind: 'welcome', episode: 0 };
      const claim = await deps.ledger.claim(key, deps.clock.now());
      if (!claim.claimed) return false;
      try {
        await send();
      } catch (error) {
        await deps.ledger.markUnreachable(key, describeError(error).code, deps.clock.now());
        throw error;
      }
      await deps.ledger.markSent(key, deps.clock.now());
      return true;
    },

    /** Queue one user's notice now if they still need it (e.g. the moment they open the bot). */
    async notifyIfPending(objectId: string): Promise<NoticeResult> {
      const p = await deps.principals.get(tenantId, objectId);
      if (!p) return 'notNeeded';
      if (p.status !== 'nonCompliant') return 'notNeeded';
      const [existing, apps] = await Promise.all([deps.ledger.get({ tenantId, objectId: p.objectId, kind: 'first', episode: p.episode }), appsLookup()]);
      const { result, pending } = await prepare(p, existing, apps);
      if (!pending) return result;
      return (await enqueue([pending])) ? result : 'failed';
    },

    /** Every principal that needs action and whose notice for the current episode is not known sent. */
    async sweep(): Promise<Record<NoticeResult, number>> {
      const [principals, notices, apps] = await Promise.all([deps.principals.listAll(tenantId), deps.ledger.list(tenantId), appsLookup()]);
      const byId = new Map(notices.filter((n) => n.kind === 'first').map((n) => [noticeId(n), n]));
      const tally: Record<NoticeResult, number> = { queued: 0, alreadyQueued: 0, unreachable: 0, failed: 0, notNeeded: 0 };
      let batch: Pending[] = [];
      const flush = async () => {
        const ok = await enqueue(batch);
        tally[ok ? 'queued' : 'failed'] += batch.length;
        batch = [];
      };
      for (const p of principals) {
        const existing = byId.get(noticeId({ objectId: p.objectId, kind: 'first', episode: p.episode }));
        if (p.status !== 'nonCompliant' || existing?.status === 'sent') continue;
        try {
          const { result, pending } = await prepare(p, existing, apps);
          if (pending) batch.push(pending);
          else tally[result] += 1;
        } catch (error) {
          // One user's failure (a storage blip) must not stop everyone else's notice.
          tally.failed += 1;
          logger.warn({ objectId: p.objectId, err: describeError(error) }, 'first notice failed; the next sweep tries again');
        }
        if (batch.length >= ENQUEUE_BATCH) await flush();
      }
      await flush();
      logger.info({ tally }, 'notice sweep finished');
      return tally;
    },

    /**
     * The outbox's report on a first notice: sent, or undeliverable / parked (then the notice may be
     * claimed again). Not a first notice: false. A report about an older attempt changes nothing.
     */
    async recordOutcome(record: Pick<OutboxRecord, 'key' | 'kind'> & Partial<Pick<OutboxRecord, 'sentAt' | 'activityId'>>, outcome: { sent: true } | { sent: false; reason: string }): Promise<boolean> {
      if (record.kind !== FIRST_NOTICE_KIND) return false;
      const parsed = parseFirstNoticeOutboxKey(tenantId, record.key);
      if (!parsed) return false;
      const now = deps.clock.now();
      if (outcome.sent) return deps.ledger.markSent(parsed.key, record.sentAt ?? now, record.activityId, parsed.attempt);
      return deps.ledger.markUnreachable(parsed.key, outcome.reason.slice(0, 500), now, parsed.attempt);
    },
  };
}

function noticeKeyOf(n: Notice): NoticeKey {
  return { tenantId: n.tenantId, objectId: n.objectId, kind: n.kind, episode: n.episode };
}

export type Notices = ReturnType<typeof createNotices>;
