/**
 * The ledger of notices sent to users. A first notice is sent once per principal and episode,
 * restart or not: the ledger entry is claimed before sending (a unique key), so a second claim
 * — another instance, a retry, a restart — finds it and sends nothing.
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
