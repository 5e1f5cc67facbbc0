import { ActivityTypes, MemoryStorage, type TurnContext } from 'botbuilder';
import { Application, type TeamsAdapter } from '@microsoft/teams-ai';
import { Verbs } from '../cards/verbs';
import { welcomeCard } from '../cards';
import { AppError, ErrorCodes, describeError } from '../domain/errors';
import { parseCardData, type CardVerb } from './card-data';
import { parseCommandLine } from './commands';
import { exceptionActions, exceptionCommands, type ExceptionCommands } from './exception-routes';
import type { BotDeps } from './deps';
import { createHandlers, type Handlers } from './handlers';
import { answerInvoke, reply, replyCard, type Card } from './replies';
import { createTurnGuard, markTurnDone, releaseTurn, untrustedBecause } from './turn-guard';
import { actorOf } from './activity';
import { integrationRoutes } from './integration-routes';

type CardAction = (context: TurnContext, data: Record<string, unknown>) => Promise<Card | string>;

/**
 * The teams-ai Application: routes for text commands, install events and card buttons.
 * Card buttons are Action.Execute (the clicked card is replaced by the answer) with an
 * Action.Submit fallback (the answer comes as a new message).
 */
export function createBotApplication(adapter: TeamsAdapter, botAppId: string, deps: BotDeps): Application {
  const app = new Application({
    adapter,
    botAppId,
    storage: new MemoryStorage(),
    removeRecipientMention: true,
    startTypingTimer: false,
    longRunningMessages: false,
  });
  const handlers = createHandlers(deps);
  const exc = exceptionCommands(deps);

  app.turn('beforeTurn', createTurnGuard(deps));
  app.turn('afterTurn', (context) => markTurnDone(deps, context));

  app.conversationUpdate('membersAdded', async (context) => {
    const botId = context.activity.recipient?.id;
    const addedBot = (context.activity.membersAdded ?? []).some((m) => m.id === botId);
    const addedUser = (context.activity.membersAdded ?? []).some((m) => m.id !== botId);
    if (addedBot || addedUser) await welcome(context);
  });
  app.activity(ActivityTypes.InstallationUpdate, async (context) => {
    if (context.activity.action === 'add' || context.activity.action === 'add-upgrade') await welcome(context);
  });

  /** Welcome on install, once per user, unless a first notice goes out right now (the turn guard starts it). */
  async function welcome(context: TurnContext): Promise<void> {
    const objectId = actorOf(context.activity).aadObjectId;
    if (!objectId) return;
    const { principal } = await deps.status.userStatus(objectId);
    if (principal && principal.status !== 'compliant') return; // the first notice is the welcome
    const card = welcomeCard({ displayName: context.activity.from?.name || 'there' });
    await deps.notices.welcomeOnce(objectId, () => replyCard(context, card, 'Welcome to MFA Shepherd'));
  }

  const integrations = integrationRoutes(app, deps, (error) => handlers.failure(error));
  app.message(/.*/, async (context) => {
    const value = context.activity.value as { verb?: unknown } | undefined;
    if (!context.activity.text && value && typeof value.verb === 'string') return; // Action.Submit: handled below
    if (await integrations.tryCommand(context)) return;
    await runCommand(context, handlers, exc);
  });

  const actions: Record<CardVerb, CardAction> = {
    [Verbs.SetupMfa]: async (c, data) => handlers.walkthrough(c, parseCardData(Verbs.SetupMfa, data).step ?? 1),
    [Verbs.WalkthroughStep]: async (c, data) => handlers.walkthrough(c, parseCardData(Verbs.WalkthroughStep, data).step),
    [Verbs.VerifyMfa]: async (c, data) => (parseCardData(Verbs.VerifyMfa, data), handlers.verify(c, false)),
    [Verbs.AlreadyMfa]: async (c, data) => (parseCardData(Verbs.AlreadyMfa, data), handlers.verify(c, true)),
    [Verbs.Why]: async () => handlers.why(),
    [Verbs.Status]: async (c) => handlers.myStatus(c),
    [Verbs.AdminSummary]: async (c) => handlers.adminSummary(c),
    [Verbs.AdminSync]: async (c) => handlers.syncNow(c),
    [Verbs.Help]: async (c) => handlers.help(c),
    [Verbs.NudgeSnooze]: async (c, data) => handlers.snooze(c, parseCardData(Verbs.NudgeSnooze, data).days),
    [Verbs.NudgeOverview]: async (c) => handlers.nudgeOverview(c),
    [Verbs.NudgePause]: async (c) => handlers.setNudgesPaused(c, true),
    [Verbs.NudgeResume]: async (c) => handlers.setNudgesPaused(c, false),
    ...exceptionActions(deps),
  };

  for (const [verb, action] of Object.entries(actions) as [CardVerb, CardAction][]) {
    app.adaptiveCards.actionExecute(verb, async (context, _state, data) => {
      let answer: Card | string;
      try {
        answer = await action(context, (data ?? {}) as Record<string, unknown>);
      } catch (error) {
        answer = handlers.failure(error);
      }
      // We answer the invoke ourselves: teams-ai would switch a route to "replace for everyone" for
      // good once one of its cards carries a `refresh` (the approval card does), and a per-user view
      // must never replace the card others see.
      await answerInvoke(context, answer);
      return answer;
    });
    app.adaptiveCards.actionSubmit(verb, async (context, _state, data) => {
      try {
        const answer = await action(context, (data ?? {}) as Record<string, unknown>);
        if (typeof answer === 'string') await context.sendActivity(answer);
        else await replyCard(context, answer);
      } catch (error) {
        await replyCard(context, handlers.failure(error));
      }
    });
  }
  // Any other verb: an old card, or a forged or malformed submit. Answer clearly, change nothing.
  app.adaptiveCards.actionExecute(/.*/, async (context) => {
    const verb = (context.activity.value as { action?: { verb?: unknown } } | undefined)?.action?.verb;
    deps.logger.warn({ verb: typeof verb === 'string' ? verb.slice(0, 100) : typeof verb }, 'unknown card verb');
    return handlers.failure(new AppError(ErrorCodes.InputInvalid, 'That button is no longer supported. Type "help" to see what MFA Shepherd can do.'));
  });

  app.error(async (context, error) => {
    deps.logger.error({ err: describeError(error), type: context.activity.type }, 'unhandled turn error');
    await releaseTurn(deps, context);
    // Outsiders (other tenants, other channels) get no error card either: the turn guard's refusal is all they get.
    if (context.activity.type === 'message' && untrustedBecause(context.activity, deps.tenantId) === undefined) await replyCard(context, handlers.failure(error));
  });

  return app;
}

async function runCommand(context: TurnContext, handlers: Handlers, exc: ExceptionCommands): Promise<void> {
  try {
    const { command, argument } = parseCommandLine(context.activity.text);
    switch (command) {
      case 'exception':
        return await replyCard(context, await exc.start(context));
      case 'exceptionFor':
        return await replyCard(context, await exc.startFor(context, argument));
      case 'myRequests':
        return await replyCard(context, await exc.mine(context));
      case 'history':
        return await replyCard(context, await exc.history(context, argument));
      case 'sla':
        return await replyCard(context, await exc.sla(context));
      case 'export': {
        const answer = await exc.exportLinks(context);
        if (typeof answer === 'string') await context.sendActivity(answer);
        else await replyCard(context, answer);
        return;
      }
      case 'closures':
      case 'closureAdd':
      case 'closureRemove':
        await context.sendActivity(await exc.closures(context, command === 'closureAdd' ? { add: argument ?? '' } : command === 'closureRemove' ? { remove: argument ?? '' } : undefined));
        return;
      case 'approvalsHere':
      case 'approvalsOff':
        await context.sendActivity(await exc.approvalsChannel(context, command === 'approvalsHere'));
        return;
      case 'help':
        return await replyCard(context, handlers.help(context));
      case 'status':
        return await replyCard(context, await handlers.status(context));
      case 'myStatus':
        return await replyCard(context, await handlers.myStatus(context));
      case 'syncNow':
        await context.sendActivity(handlers.syncNow(context));
        return;
      case 'connect':
        await context.sendActivity(await handlers.connect(context));
        return;
      case 'nudges':
        return await replyCard(context, await handlers.nudgeOverview(context));
      case 'pauseNudges':
      case 'resumeNudges':
        return await replyCard(context, await handlers.setNudgesPaused(context, command === 'pauseNudges'));
      case 'unknown':
        await reply(context, { text: "Sorry, I didn't get that. Here is what I can do:" });
        return await replyCard(context, handlers.help(context));
    }
  } catch (error) {
    await replyCard(context, handlers.failure(error));
  }
}
