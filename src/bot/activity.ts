import { TurnContext, type Activity } from 'botbuilder';
import { AppError, ErrorCodes } from '../domain/errors';
import type { ConversationAddress } from '../domain/conversation';
import { canonicalId } from '../domain/principal';

/** Who is acting: always the activity's sender, never a value inside card data. */
export interface Actor {
  aadObjectId?: string;
  tenantId?: string;
  name?: string;
}

export function actorOf(activity: Partial<Activity>): Actor {
  const channelData = activity.channelData as { tenant?: { id?: string } } | undefined;
  const aadObjectId = activity.from?.aadObjectId;
  return {
    aadObjectId: aadObjectId ? canonicalId(aadObjectId) : undefined,
    tenantId: channelData?.tenant?.id ?? activity.conversation?.tenantId,
    name: activity.from?.name,
  };
}

/** A personal (1:1) conversation we can write to later. */
export function isPersonal(activity: Partial<Activity>): boolean {
  const type = activity.conversation?.conversationType;
  return type === undefined || type === 'personal';
}

/** The conversation address of a 1:1 activity, in our own type (no botbuilder types leak out). */
export function addressOf(activity: Activity): ConversationAddress | undefined {
  const ref = TurnContext.getConversationReference(activity);
  const actor = actorOf(activity);
  if (!ref.conversation?.id || !ref.serviceUrl || !ref.user?.id || !actor.aadObjectId || !ref.bot?.id) return undefined;
  return {
    channelId: ref.channelId ?? 'msteams',
    serviceUrl: ref.serviceUrl,
    conversationId: ref.conversation.id,
    tenantId: actor.tenantId ?? '',
    userId: ref.user.id,
    aadObjectId: actor.aadObjectId,
    userName: ref.user.name,
    botId: ref.bot.id,
    botName: ref.bot.name,
  };
}

/** The IANA zone the Teams client reported, when it did and it is valid. */
export function timezoneOf(activity: Partial<Activity>): string | undefined {
  const fromEntity = (activity.entities ?? []).find((e) => e.type === 'clientInfo') as { timezone?: unknown } | undefined;
  const candidate = activity.localTimezone ?? (typeof fromEntity?.timezone === 'string' ? fromEntity.timezone : undefined);
  if (!candidate) return undefined;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: candidate });
    return candidate;
  } catch {
    return undefined; // an unknown zone name from a client is ignored, not stored
  }
}

export function localeOf(activity: Partial<Activity>): string | undefined {
  const fromEntity = (activity.entities ?? []).find((e) => e.type === 'clientInfo') as { locale?: unknown } | undefined;
  return activity.locale ?? (typeof fromEntity?.locale === 'string' ? fromEntity.locale : undefined);
}

/** The sender's AAD object ID, or a clear refusal when the activity carries none. */
export function requireActorId(activity: Partial<Activity>): string {
  const id = actorOf(activity).aadObjectId;
  if (!id) throw new AppError(ErrorCodes.InputInvalid, 'This message carries no Microsoft Entra user, so MFA Shepherd cannot tell who you are.');
  return id;
}

/** The sender, when `allowed` says they are an admin; otherwise NOT_ADMIN (logged by the caller's logger). */
export function requireAdminActor(
  activity: Partial<Activity>,
  allowed: (aadObjectId: string) => boolean,
  what: string,
  logger: { warn(obj: Record<string, unknown>, msg: string): void },
): string {
  const id = requireActorId(activity);
  if (!allowed(id)) {
    logger.warn({ actor: id, action: what }, 'non-admin refused');
    throw new AppError(ErrorCodes.NotAdmin, `Only MFA Shepherd admins can ${what}. Ask your security admin if you need this.`);
  }
  return id;
}
