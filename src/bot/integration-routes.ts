import type { TurnContext } from 'botbuilder';
import type { Application } from '@microsoft/teams-ai';
import type { BotDeps } from './deps';
import { parseIntegrationCommand } from './integration-commands';
import { createIntegrationHandlers, type IntegrationVerb } from './integration-handlers';
import { answerInvoke, replyCard, type Card } from './replies';

type Failure = (error: unknown) => Card;

async function send(context: TurnContext, answer: Card | string): Promise<void> {
  if (typeof answer === 'string') await context.sendActivity(answer);
  else await replyCard(context, answer);
}

/**
 * The integration watch in the bot: its card actions (registered before the catch-all route) and
 * a command runner the message route tries first. Absent feature: nothing is registered.
 */
export function integrationRoutes(app: Application, deps: BotDeps, failure: Failure) {
  const feature = deps.integrations;
  if (!feature) return { tryCommand: async () => false };
  const handlers = createIntegrationHandlers(deps, feature);

  for (const [verb, action] of Object.entries(handlers.actions) as [IntegrationVerb, (c: TurnContext, d: Record<string, unknown>) => Promise<Card | string>][]) {
    app.adaptiveCards.actionExecute(verb, async (context, _state, data) => {
      let answer: Card | string;
      try {
        answer = await action(context, (data ?? {}) as Record<string, unknown>);
      } catch (error) {
        answer = failure(error);
      }
      await answerInvoke(context, answer);
      return answer;
    });
    app.adaptiveCards.actionSubmit(verb, async (context, _state, data) => {
      try {
        await send(context, await action(context, (data ?? {}) as Record<string, unknown>));
      } catch (error) {
        await replyCard(context, failure(error));
      }
    });
  }

  return {
    /** True when the text was an integration command (answered, or refused with a card). */
    async tryCommand(context: TurnContext): Promise<boolean> {
      const command = parseIntegrationCommand(context.activity.text);
      if (!command) return false;
      try {
        await send(context, await handlers.command(context, command));
      } catch (error) {
        await replyCard(context, failure(error));
      }
      return true;
    },
  };
}
