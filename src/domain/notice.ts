/**
 * The ledger of notices sent to users. A first notice is claimed once per principal and episode,
 * restart or not: the ledger entry is claimed before it is handed to the outbox (a unique key), so
 * a second claim (another instance, a retry, a restart) finds it and queues nothing.
 *
 * First notices travel through the durable outbox under a key per claim (`attempt`): 'sending'
 * means "queued", and the outbox's outcome comes back as 'sent' or 'unreachable'. An unreachable
 * notice may be claimed again (the user opened the bot, or the outbox gave up): a new attempt,
 * hence a new outbox key, because the old one is final in the outbox.
 */
/** 'first': the first notice of an episode; 'welcome': the one welcome on install (episode 0). */
export type NoticeKind = 'first' | 'welcome';
export type NoticeStatus = 'sending' | 'sent' | 'unreachable';

export interface NoticeKey {
  tenantId: string;
  objectId: string;
  kind: NoticeKind;
  episode: number;
}

export interface Notice extends NoticeKey {
  status: NoticeStatus;
  /** Claims of this notice so far (1 on the first); each is one outbox key. Rows written before attempts were counted read as 1. */
  attempt: number;
  claimedAt: Date;
  sentAt?: Date;
  activityId?: string;
  reason?: string;
  /** When the last delivery attempt failed. */
  failedAt?: Date;
  etag?: string;
}

export function noticeId(key: Pick<NoticeKey, 'objectId' | 'kind' | 'episode'>): string {
  return `${key.objectId}|${key.kind}|${key.episode}`;
}

/** A claim may be taken over only from a failed delivery (the user was unreachable then). */
export function canReclaim(existing: Pick<Notice, 'status'>): boolean {
  return existing.status === 'unreachable';
}

const FIRST_NOTICE_PREFIX = 'notice:first:';

/** The outbox key of one attempt at a first notice: a redelivered or repeated enqueue of it sends once. */
export function firstNoticeOutboxKey(key: Pick<NoticeKey, 'objectId' | 'episode'>, attempt: number): string {
  return `${FIRST_NOTICE_PREFIX}${key.objectId}:${key.episode}:${attempt}`;
}

/** The notice and attempt behind a first notice's outbox key; undefined for any other key. */
export function parseFirstNoticeOutboxKey(tenantId: string, outboxKey: string): { key: NoticeKey; attempt: number } | undefined {
  if (!outboxKey.startsWith(FIRST_NOTICE_PREFIX)) return undefined;
  const parts = outboxKey.slice(FIRST_NOTICE_PREFIX.length).split(':');
  if (parts.length !== 3) return undefined;
  const [objectId, episodeText, attemptText] = parts as [string, string, string];
  const episode = Number(episodeText);
  const attempt = Number(attemptText);
  if (objectId === '' || !Number.isSafeInteger(episode) || !Number.isSafeInteger(attempt) || attempt < 1) return undefined;
  return { key: { tenantId, objectId, kind: 'first', episode }, attempt };
}
