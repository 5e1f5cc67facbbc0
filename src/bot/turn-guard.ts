import type { Activity, TurnContext } from 'botbuilder';
import { ActivityTypes } from 'botbuilder';
import { canonicalId } from '../domain/principal';
import { describeError } from '../domain/errors';
import { actorOf, addressOf, isPersonal, localeOf, timezoneOf } from './activity';
import type { BotDeps } from './deps';

/**
 * Runs before every turn:
 * 0. Trust: only Microsoft Teams (`channelId` msteams) and only the partner's own tenant
 *    (PARTNER_TENANT_ID) are served, for messages, invokes and install events alike. Anyone else
 *    gets one polite refusal for the activity and nothing is stored: no claim, no contact, no draft.
 * 1. Teams redelivers an activity it thinks we missed (no answer within 15 s): the first delivery
 *    claims the activity id in storage, later ones are answered without doing the work again.
 * 2. The sender's 1:1 conversation address (and time zone) is captured on every activity, so
 *    proactive messages can reach them; a pending first notice goes out as soon as we can.
 */
export function createTurnGuard(deps: BotDeps) {
  return async function beforeTurn(context: TurnContext): Promise<boolean> {
    const activity = context.activity;
    const untrusted = untrustedBecause(activity, deps.tenantId);
    if (untrusted !== undefined) {
      deps.logger.warn({ why: untrusted, type: activity.type, channelId: String(activity.channelId ?? '').slice(0, 40) }, 'activity from outside the partner tenant refused');
      // A refusal that cannot be delivered changes nothing: no error card, no retry.
      await refuse(context, untrusted).catch((error: unknown) => deps.logger.info({ err: describeError(error) }, 'refusal not delivered'));
      return false;
    }
    const now = deps.clock.now();
    if (activity.id) {
      const key = claimKey(activity);
      const claim = await deps.dedup.claim(key, now, deps.instanceId);
      if (claim === 'duplicate') {
        deps.logger.info({ activityId: activity.id, type: activity.type }, 'duplicate activity ignored');
        if (activity.type === 'invoke') {
          await context.sendActivity({
            type: ActivityTypes.InvokeResponse,
            value: { status: 200, body: { statusCode: 200, type: 'application/vnd.microsoft.activity.message', value: 'Already done.' } },
          });
        }
        return false;
      }
      startHeartbeat(deps, context, key);
    }
    await captureContact(deps, context);
    return true;
  };
}

type Untrusted = 'channel' | 'tenant';

/**
 * Why the sender is outside what this bot serves, or undefined. Every tenant id the activity names
 * (Teams puts it in channelData.tenant and conversation.tenantId) must be the partner's; an
 * activity naming none is refused too. Guests invited into the partner tenant arrive with the
 * partner's tenant id: they are directory members the partner admitted, and the admin and
 * approver lists (not the tenant) decide what they may do.
 */
export function untrustedBecause(activity: Partial<Activity>, partnerTenantId: string): Untrusted | undefined {
  if (activity.channelId !== 'msteams') return 'channel';
  const channelData = activity.channelData as { tenant?: { id?: unknown } } | undefined;
  const named = [channelData?.tenant?.id, activity.conversation?.tenantId].filter((t) => t !== undefined && t !== null && t !== '');
  if (named.length === 0) return 'tenant';
  const partner = canonicalId(partnerTenantId);
  return named.every((t) => typeof t === 'string' && canonicalId(t) === partner) ? undefined : 'tenant';
}

const REFUSALS: Record<Untrusted, string> = {
  tenant:
    "Sorry, this MFA Shepherd serves only the organization that runs it, and your account belongs to another organization. It cannot act for you or keep anything about you. If you need help with MFA, contact your own organization's IT team.",
  channel: 'MFA Shepherd works only in Microsoft Teams.',
};

/** One answer for the activity: a message, or the invoke's own response; installs get the message once, on install. */
async function refuse(context: TurnContext, why: Untrusted): Promise<void> {
  const activity = context.activity;
  const text = REFUSALS[why];
  if (typeof activity.channelId !== 'string' || activity.channelId === '') return; // nowhere to answer
  const type: string = activity.type;
  if (type === 'invoke') {
    await context.sendActivity({
      type: ActivityTypes.InvokeResponse,
      value: { status: 200, body: { statusCode: 200, type: 'application/vnd.microsoft.activity.message', value: text } },
    });
    return;
  }
  const botId = activity.recipient?.id;
  const installed =
    (type === 'installationUpdate' && (activity.action === 'add' || activity.action === 'add-upgrade')) ||
    (type === 'conversationUpdate' && (activity.membersAdded ?? []).some((m) => m.id === botId));
  if (type === 'message' || installed) await context.sendActivity({ type: ActivityTypes.Message, text });
}

async function captureContact(deps: BotDeps, context: TurnContext): Promise<void> {
  const activity = context.activity;
  if (!isPersonal(activity)) return;
  const address = addressOf(activity);
  const actor = actorOf(activity);
  if (!address || !actor.aadObjectId) return;
  const before = await deps.contacts.get(deps.tenantId, actor.aadObjectId);
  await deps.contacts.recordActivity({
    tenantId: deps.tenantId,
    aadObjectId: actor.aadObjectId,
    address,
    timezone: timezoneOf(activity),
    locale: localeOf(activity),
    at: deps.clock.now(),
  });
  // A user we could not reach before (or never reached): their first notice can go out now.
  if (!before?.address || before.unreachable) {
    const objectId = actor.aadObjectId;
    deps.background.run('first notice on contact', async () => {
      const result = await deps.notices.notifyIfPending(objectId);
      deps.logger.info({ objectId, result }, 'first notice on contact');
    });
  }
}

const claimKey = (activity: Partial<Activity>): string => `${activity.conversation?.id ?? ''}|${activity.id ?? ''}`;
const HEARTBEAT = Symbol('activity claim heartbeat');

/** Renew the claim's lease while the turn runs, so only a dead process's claim runs out. */
function startHeartbeat(deps: BotDeps, context: TurnContext, key: string): void {
  const timer = setInterval(() => {
    deps.dedup.renew(key, deps.instanceId, deps.clock.now()).catch((error: unknown) => {
      deps.logger.warn({ err: describeError(error) }, 'could not renew an activity claim');
    });
  }, Math.max(1, Math.floor(deps.dedup.leaseMs / 3)));
  timer.unref();
  context.turnState.set(HEARTBEAT, () => clearInterval(timer));
}

function stopHeartbeat(context: TurnContext): void {
  const stop = context.turnState.get<(() => void) | undefined>(HEARTBEAT);
  stop?.();
  context.turnState.delete(HEARTBEAT);
}

/** The turn failed: give its claim up, so Teams' redelivery is processed instead of answered "already done". */
export async function releaseTurn(deps: BotDeps, context: TurnContext): Promise<void> {
  stopHeartbeat(context);
  if (!context.activity.id) return;
  try {
    await deps.dedup.release(claimKey(context.activity), deps.instanceId);
  } catch (error) {
    // The lease runs out on its own within seconds.
    deps.logger.warn({ activityId: context.activity.id, err: describeError(error) }, 'could not release an activity claim');
  }
}

export async function markTurnDone(deps: BotDeps, context: TurnContext): Promise<boolean> {
  stopHeartbeat(context);
  const id = context.activity.id;
  if (!id) return true;
  try {
    await deps.dedup.complete(claimKey(context.activity), deps.clock.now());
  } catch (error) {
    deps.logger.warn({ activityId: id, err: describeError(error) }, 'could not mark activity done');
  }
  return true;
}
