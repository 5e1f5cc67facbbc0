/**
 * The ledger of notices sent to users. A first notice is sent once per principal and episode,
 * restart or not: the ledger entry is claimed before sending (a unique key), so a second claim
 * — another instance, a retry, a restart — finds it and sends nothing.
 */
export type NoticeKind = 'first';
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
  etag?: string;
}

export function noticeId(key: Pick<NoticeKey, 'objectId' | 'kind' | 'episode'>): string {
  return `${key.objectId}|${key.kind}|${key.episode}`;
}

/** A claim may be taken over only from a failed delivery (the user was unreachable then). */
export function canReclaim(existing: Pick<Notice, 'status'>): boolean {
  return existing.status === 'unreachable';
}
