import type { TurnContext } from 'botbuilder';
import { ActivityTypes } from 'botbuilder';
import { describeError } from '../domain/errors';
import { actorOf, addressOf, isPersonal, localeOf, timezoneOf } from './activity';
import type { BotDeps } from './deps';

/**
 * Runs before every turn:
 * 1. Teams redelivers an activity it thinks we missed (no answer within 15 s): the first delivery
 *    claims the activity id in storage, later ones are answered without doing the work again.
 * 2. The sender's 1:1 conversation address (and time zone) is captured on every activity, so
 *    proactive messages can reach them; a pending first notice goes out as soon as we can.
 */
export function createTurnGuard(deps: BotDeps) {
  return async function beforeTurn(context: TurnContext): Promise<boolean> {
    const activity = context.activity;
    const now = deps.clock.now();
    if (activity.id) {
      const claim = await deps.dedup.claim(`${activity.conversation?.id ?? ''}|${activity.id}`, now);
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
    }
    await captureContact(deps, context);
    return true;
  };
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

export async function markTurnDone(deps: BotDeps, context: TurnContext): Promise<boolean> {
  const id = context.activity.id;
  if (!id) return true;
  try {
    await deps.dedup.complete(`${context.activity.conversation?.id ?? ''}|${id}`, deps.clock.now());
  } catch (error) {
    deps.logger.warn({ activityId: id, err: describeError(error) }, 'could not mark activity done');
  }
  return true;
}
