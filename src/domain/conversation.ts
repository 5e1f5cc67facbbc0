/**
 * Where to reach a user 1:1 in Teams, without depending on botbuilder's types.
 * Captured on install and on every activity, keyed by the user's AAD object ID.
 */
export interface ConversationAddress {
  channelId: string;
  serviceUrl: string;
  conversationId: string;
  tenantId: string;
  /** Teams user id (29:…) */
  userId: string;
  aadObjectId: string;
  userName?: string;
  botId: string;
  botName?: string;
}

export type UnreachableReason =
  /** The app is not installed for the user and could not be installed (or installing is not configured). */
  | 'notInstalled'
  /** 403 MessageWritesBlocked: the user blocked the bot. */
  | 'blocked'
  /** 403 BotNotInConversationRoster: the app was uninstalled. */
  | 'notInRoster'
  /** 404: the conversation no longer exists. */
  | 'conversationGone';

export interface UserContact {
  tenantId: string;
  aadObjectId: string;
  address?: ConversationAddress;
  /** IANA zone from the user's Teams client (`localTimezone`), when an activity carried it. */
  timezone?: string;
  locale?: string;
  lastActivityAt?: Date;
  unreachable?: { reason: UnreachableReason; at: Date; detail?: string };
  etag?: string;
}

const REASON_TEXT: Record<UnreachableReason, string> = {
  notInstalled: 'Has not installed MFA Shepherd in Teams, and the bot could not install it for them',
  blocked: 'Blocked MFA Shepherd in Teams',
  notInRoster: 'Removed MFA Shepherd from Teams (uninstalled)',
  conversationGone: 'The 1:1 chat with MFA Shepherd no longer exists',
};

export function describeUnreachable(reason: UnreachableReason): string {
  return REASON_TEXT[reason];
}
