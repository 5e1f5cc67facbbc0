import type { TurnContext } from 'botbuilder';
import type { OutboundMessage } from '../app/ports';
import type { AdaptiveCard as Card } from '../cards/render';
import { actorOf, timezoneOf } from './activity';
import type { BotDeps } from './deps';
import { toActivity } from './teams-messenger';

export type { AdaptiveCard as Card } from '../cards/render';

export async function reply(context: TurnContext, message: OutboundMessage): Promise<void> {
  await context.sendActivity(toActivity(message));
}

/** Answer an Action.Execute invoke: a card replaces the clicked card for the clicker; a string shows as a message. */
export async function answerInvoke(context: TurnContext, answer: Card | string): Promise<void> {
  const body =
    typeof answer === 'string'
      ? { statusCode: 200, type: 'application/vnd.microsoft.activity.message', value: answer }
      : { statusCode: 200, type: 'application/vnd.microsoft.card.adaptive', value: answer };
  await context.sendActivity({ type: 'invokeResponse', value: { status: 200, body } });
}

export async function replyCard(context: TurnContext, card: Card, text = ''): Promise<void> {
  await reply(context, { text, card });
}

/** The user's zone: from this activity's client, else what we stored, else the organisation default. */
export async function timezoneFor(deps: BotDeps, context: TurnContext): Promise<string> {
  const direct = timezoneOf(context.activity);
  if (direct) return direct;
  const objectId = actorOf(context.activity).aadObjectId;
  if (!objectId) return deps.defaultTimezone;
  return (await deps.contacts.get(deps.tenantId, objectId))?.timezone ?? deps.defaultTimezone;
}
