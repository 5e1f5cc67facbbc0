/**
 * The admin audit: one append-only entry per admin action, in chat or in the tab. Who, when, what,
 * from, to, and the correlation id that ties it to logs and to the sync run or export it caused.
 * Technical-exception audits stay in their own log (per request); the tab shows both.
 */

export const ADMIN_ACTIONS = [
  'partnerCenter.connect',
  'sync.now',
  'nudges.pause',
  'nudges.resume',
  'closures.change',
  'exclusion.add',
  'exclusion.end',
  'approvalsChannel.set',
  'incidentsChannel.set',
  'remind.now',
  'export.principals',
  'export.audit',
  'export.exceptions',
  'export.download',
  'roles.refresh',
] as const;

export type AdminAction = (typeof ADMIN_ACTIONS)[number];
export type AuditChannel = 'chat' | 'tab' | 'link';

export interface AdminAuditEntry {
  /** Unique; the row key orders entries newest first. */
  id: string;
  tenantId: string;
  at: Date;
  /** AAD object id of the admin who acted. */
  actorId: string;
  action: AdminAction;
  channel: AuditChannel;
  /** What the action was on: a user's object id, a setting's name, a file name. */
  target?: string;
  /** The value before and after, short text (e.g. "not excluded" → "excluded until 2027-01-31"). */
  from?: string;
  to?: string;
  correlationId: string;
  /** Free text for the reader (a reason, a count). Bounded by the store. */
  note?: string;
}

/** Row keys that sort newest first: 13-digit inverted epoch milliseconds, then the id. */
export function adminAuditRowKey(at: Date, id: string): string {
  return `${String(9_999_999_999_999 - at.getTime()).padStart(13, '0')}-${id}`;
}
