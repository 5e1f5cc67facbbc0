import type { Clock } from '../domain/clock';
import type { Principal } from '../domain/compliance';
import { describeError, isAppError } from '../domain/errors';
import { noticeId, type NoticeKey } from '../domain/notice';
import { firstNoticeMessage } from './messages';
import { UNREACHABLE_BY_CODE, createReachUser } from './reach-user';
import type { ContactStore, Graph, Logger, Messenger, NoticeLedger, PrincipalStore } from './ports';

export interface NoticeDeps {
  tenantId: string;
  principals: Pick<PrincipalStore, 'listAll' | 'get'>;
  contacts: ContactStore;
  ledger: NoticeLedger;
  messenger: Messenger;
  graph: Pick<Graph, 'installAppForUser'>;
  /** The app's org-catalog id; without it MFA Shepherd cannot install itself for a user. */
  appCatalogId?: string;
  clock: Clock;
  logger: Logger;
}

export type NoticeResult = 'sent' | 'alreadySent' | 'unreachable' | 'failed' | 'notNeeded';

/**
 * The first notice to each non-compliant principal, once per episode (a principal that comes back
 * after being compliant gets a new one). The ledger claim happens before sending, so a restart,
 * a second instance or a redelivered trigger sends nothing twice.
 */
export function createNotices(deps: NoticeDeps) {
  const { tenantId, logger } = deps;

  const reachUser = createReachUser(deps);
  const reach = (p: Principal) => reachUser(p.objectId);

  async function notify(p: Principal): Promise<NoticeResult> {
    if (!needsNotice(p)) return 'notNeeded';
    const key: NoticeKey = { tenantId, objectId: p.objectId, kind: 'first', episode: p.episode };
    const target = await reach(p);
    const now = deps.clock.now();
    if ('unreachable' in target) {
      if (!target.alreadyRecorded) await deps.contacts.markUnreachable(tenantId, p.objectId, target.unreachable, now, target.detail);
      logger.debug({ objectId: p.objectId, reason: target.unreachable }, 'user unreachable for first notice');
      return 'unreachable';
    }
    if ((await deps.ledger.claim(key, now)) === 'taken') return 'alreadySent';
    let sent: { activityId?: string };
    try {
      sent = await deps.messenger.send(target.address, firstNoticeMessage(p, target.timezone, target.address.userName));
    } catch (error) {
      const { code, message } = describeError(error);
      const reason = isAppError(error) ? UNREACHABLE_BY_CODE[error.code] : undefined;
      // Release the claim so a later sweep (or the user's next visit) tries again.
      await deps.ledger.markUnreachable(key, `${code}: ${message}`.slice(0, 500), deps.clock.now());
      if (reason) {
        await deps.contacts.markUnreachable(tenantId, p.objectId, reason, deps.clock.now(), message);
        logger.info({ objectId: p.objectId, reason }, 'user unreachable for first notice');
        return 'unreachable';
      }
      logger.warn({ objectId: p.objectId, err: { code, message } }, 'first notice failed; will retry');
      return 'failed';
    }
    // Sent. If recording that fails, the claim stays 'sending', which also means "never again":
    // releasing it here would send the notice a second time.
    await retryOnce(() => deps.ledger.markSent(key, deps.clock.now(), sent.activityId)).catch((error: unknown) => {
      logger.error({ objectId: p.objectId, err: describeError(error) }, 'first notice sent but not recorded as sent; it will not be resent');
    });
    logger.info({ objectId: p.objectId, notice: noticeId(key) }, 'first notice sent');
    return 'sent';
  }

  async function retryOnce(work: () => Promise<void>): Promise<void> {
    try {
      await work();
    } catch {
      await work(); // one more try for a passing storage blip; the second failure propagates
    }
  }

  /** Someone whose MFA registration Graph already verified is not told they lack it. */
  function needsNotice(p: Principal): boolean {
    return p.status === 'nonCompliant';
  }

  return {
    /**
     * The welcome on install, once per user however many install events arrive (Teams and the
     * Playground send installationUpdate and conversationUpdate together, each with its own id).
     */
    async welcomeOnce(objectId: string, send: () => Promise<void>): Promise<boolean> {
      const key: NoticeKey = { tenantId, objectId, kind: 'welcome', episode: 0 };
      if ((await deps.ledger.claim(key, deps.clock.now())) === 'taken') return false;
      try {
        await send();
      } catch (error) {
        await deps.ledger.markUnreachable(key, describeError(error).code, deps.clock.now());
        throw error;
      }
      await deps.ledger.markSent(key, deps.clock.now());
      return true;
    },

    /** Notify one user now if they still need their first notice (e.g. the moment they install the app). */
    async notifyIfPending(objectId: string): Promise<NoticeResult> {
      const p = await deps.principals.get(tenantId, objectId);
      return p ? notify(p) : 'notNeeded';
    },

    /** Every principal that needs action and has no notice for its current episode. */
    async sweep(): Promise<Record<NoticeResult, number>> {
      const [principals, notices] = await Promise.all([deps.principals.listAll(tenantId), deps.ledger.list(tenantId)]);
      const done = new Set(notices.filter((n) => n.kind === 'first' && n.status !== 'unreachable').map((n) => noticeId(n)));
      const tally: Record<NoticeResult, number> = { sent: 0, alreadySent: 0, unreachable: 0, failed: 0, notNeeded: 0 };
      for (const p of principals) {
        if (!needsNotice(p) || done.has(noticeId({ objectId: p.objectId, kind: 'first', episode: p.episode }))) continue;
        try {
          tally[await notify(p)] += 1;
        } catch (error) {
          // One user's failure (a storage blip) must not stop everyone else's notice.
          tally.failed += 1;
          logger.warn({ objectId: p.objectId, err: describeError(error) }, 'first notice failed; the next sweep tries again');
        }
      }
      logger.info({ tally }, 'notice sweep finished');
      return tally;
    },
  };
}

export type Notices = ReturnType<typeof createNotices>;
