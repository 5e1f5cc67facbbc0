import type { TurnContext } from 'botbuilder';
import { connectResultMessage, deviceCodeMessage, syncResultMessage, userStatusMessageCard, adminSummaryMessageCard, verificationCard } from '../app/messages';
import { errorCard, formatInstant, helpCard, nudgeOverviewCard, walkthroughCard, whyCard } from '../cards';
import { isAdmin } from '../domain/authorization';
import { AppError, ErrorCodes, describeError, isAppError } from '../domain/errors';
import { actorOf, addressOf, isPersonal, requireActorId, requireAdminActor } from './activity';
import type { BotDeps } from './deps';
import { timezoneFor, type Card } from './replies';

/**
 * What each command or button does, as cards. Routes decide whether a card answers an invoke
 * (replacing the clicked card) or goes out as a new message.
 */
export function createHandlers(deps: BotDeps) {
  const actorId = (context: TurnContext): string => requireActorId(context.activity);
  const requireAdmin = (context: TurnContext, what: string): string => requireAdminActor(context.activity, (id) => isAdmin(id, deps.adminIds), what, deps.logger);
  const displayName = (context: TurnContext) => context.activity.from?.name || 'there';

  /** Send later to the conversation this turn came from (after the 15 s turn window). */
  const sendLater = (context: TurnContext) => {
    const address = addressOf(context.activity);
    return async (message: Parameters<BotDeps['messenger']['send']>[1]) => {
      if (!address) throw new AppError(ErrorCodes.TeamsNoConversation, 'No conversation to answer in.');
      await deps.messenger.send(address, message);
    };
  };

  /** Run a sync for an admin and post its result (or why it could not run) to their chat. */
  async function syncAndReport(requestedBy: string, send: ReturnType<typeof sendLater>): Promise<void> {
    try {
      const run = await deps.syncPrincipals({ trigger: 'admin', requestedBy });
      await deps.audit?.({ actorId: requestedBy, action: 'sync.now', channel: 'chat', to: run.outcome, correlationId: run.correlationId });
      await send(syncResultMessage(run));
      if (run.outcome === 'succeeded') await deps.afterSync();
    } catch (error) {
      const { code, message } = describeError(error);
      const busy = isAppError(error, ErrorCodes.SyncInProgress);
      await send({ text: message, card: errorCard({ title: busy ? 'A sync is already running' : 'The sync could not run', message, code }) });
    }
  }

  return {
    help(context: TurnContext): Card {
      return helpCard({ isAdmin: isAdmin(actorOf(context.activity).aadObjectId, deps.adminIds) });
    },

    why(): Card {
      return whyCard({ mfaSetupUrl: deps.links.mfaSetup });
    },

    /** Federated users get their own step 1: MFA at their identity provider, which must pass the claim. */
    async walkthrough(context: TurnContext, step: 1 | 2 | 3): Promise<Card> {
      const objectId = actorId(context);
      const upn = (await deps.status.userStatus(objectId)).principal?.upn;
      // A slow Graph must not hold the step: without an answer in time, the ordinary path shows
      // (the lookup goes on and fills the cache for the next click).
      const lookup = await withinDeadline(deps.federation.federatedDomainOf(objectId, upn), Math.min(FEDERATION_LOOKUP_MS, deps.interactiveDeadlineMs));
      const federatedDomain = lookup.done ? lookup.value : undefined;
      return walkthroughCard({ step, mfaSetupUrl: deps.links.mfaSetup, securityInfoUrl: deps.links.securityInfo, ...(federatedDomain ? { federatedDomain } : {}) });
    },

    /**
     * Graph can be slow (throttling, Retry-After): the answer must reach Teams within 15 s. What
     * Graph answers in time replaces the card; a later answer is posted to the chat when it comes.
     */
    async verify(context: TurnContext, fromAlreadyMfa: boolean): Promise<Card | string> {
      const objectId = actorId(context);
      deps.commandLimits.take(objectId, 'verify');
      const timezone = await timezoneFor(deps, context);
      const send = sendLater(context);
      const render = (result: Awaited<ReturnType<BotDeps['verifyRegistration']>>) =>
        verificationCard(result, { timezone, fromAlreadyMfa, mfaSetupUrl: deps.links.mfaSetup });
      const check = deps.verifyRegistration(objectId);
      const inTime = await withinDeadline(check, deps.interactiveDeadlineMs);
      if (inTime.done) return render(inTime.value);
      deps.background.run('registration check (late answer)', async () => {
        const card = render(await check);
        await send({ text: 'Your MFA registration check', card });
      });
      return 'Microsoft Graph is taking a while to answer. I will post the result here in a moment.';
    },

    async myStatus(context: TurnContext): Promise<Card> {
      const { principal } = await deps.status.userStatus(actorId(context));
      return userStatusMessageCard(displayName(context), principal, await timezoneFor(deps, context));
    },

    /** Admins see the compliance summary; everyone else their own state. */
    async status(context: TurnContext): Promise<Card> {
      if (!isAdmin(actorOf(context.activity).aadObjectId, deps.adminIds)) return this.myStatus(context);
      return adminSummaryMessageCard(await deps.status.adminSummary(), await timezoneFor(deps, context));
    },

    async adminSummary(context: TurnContext): Promise<Card> {
      requireAdmin(context, 'see the compliance summary');
      return adminSummaryMessageCard(await deps.status.adminSummary(), await timezoneFor(deps, context));
    },

    /** Starts a sync; the result is posted to this chat when it is done. */
    syncNow(context: TurnContext): string {
      const requestedBy = requireAdmin(context, 'start a sync');
      deps.commandLimits.take(requestedBy, 'syncNow');
      const send = sendLater(context);
      deps.background.run('sync now', () => syncAndReport(requestedBy, send));
      return 'Syncing with Partner Center… I will post the result here.';
    },

    /** Starts the Secure Application Model consent; the device code and the result come as messages. */
    async connect(context: TurnContext): Promise<string> {
      // Everything from the turn is read now: the TurnContext is revoked when the turn ends.
      const requestedBy = requireAdmin(context, 'connect Partner Center');
      if (!isPersonal(context.activity)) {
        // Anyone in a channel could type the sign-in code first and become the bot's Partner Center identity.
        throw new AppError(ErrorCodes.InputInvalid, 'For security, connect Partner Center in your 1:1 chat with MFA Shepherd, not in a channel: the sign-in code must stay private.');
      }
      const send = sendLater(context);
      const timezone = await timezoneFor(deps, context);
      deps.background.run('connect partner center', async () => {
        const outcome = await deps.connectPartnerCenter((prompt) => send(deviceCodeMessage(prompt, timezone)));
        if (outcome.ok) {
          await deps.audit?.({ actorId: requestedBy, action: 'partnerCenter.connect', channel: 'chat', to: `connected as ${outcome.token.account ?? 'unknown account'}${outcome.token.hasMfa ? ' with MFA' : ' WITHOUT MFA'}` });
        }
        await send(connectResultMessage(outcome));
        if (outcome.ok) await syncAndReport(requestedBy, send);
      });
      return 'Starting the Partner Center connection. I will send you a sign-in code in a moment.';
    },

    /** The user snoozes their reminders (the domain enforces the limits; its refusal is shown as is). */
    async snooze(context: TurnContext, days: number): Promise<Card> {
      const objectId = actorId(context);
      const message = await deps.nudges.snooze(objectId, days, await timezoneFor(deps, context));
      return message.card as Card;
    },

    /** `nudges` (admins): who gets what next and when, in the admin's zone. */
    async nudgeOverview(context: TurnContext): Promise<Card> {
      requireAdmin(context, 'see who gets nudged next');
      return nudgeOverviewCard(await deps.nudges.overview(await timezoneFor(deps, context)));
    },

    /** `pause nudges` / `resume nudges` (admins): recorded who and when; answers with the overview. */
    async setNudgesPaused(context: TurnContext, paused: boolean): Promise<Card> {
      const by = requireAdmin(context, paused ? 'pause nudges' : 'resume nudges');
      const zone = await timezoneFor(deps, context);
      const result = await deps.nudges.setPaused(paused, by);
      deps.logger.info({ actor: by, paused }, paused ? 'nudges paused' : 'nudges resumed');
      await deps.audit?.({ actorId: by, action: paused ? 'nudges.pause' : 'nudges.resume', channel: 'chat', target: 'nudgesPaused', from: String(!paused), to: String(paused) });
      const card = nudgeOverviewCard(await deps.nudges.overview(zone));
      return { ...card, body: [{ type: 'TextBlock', wrap: true, weight: 'Bolder', text: `${paused ? 'Nudges paused' : 'Nudges resumed'} (${formatInstant(result.at, zone)}).` }, ...(card['body'] as unknown[])] };
    },

    /** A friendly card for any failure, with the stable code so support can match logs. */
    failure(error: unknown): Card {
      const { code, message } = describeError(error);
      if (code === ErrorCodes.StorageUnavailable) {
        deps.logger.error({ err: { code, message } }, 'storage unavailable during a turn');
        return errorCard({
          title: 'MFA Shepherd cannot reach its storage right now',
          message: 'Nothing was changed. Please try again in a few minutes; if it keeps happening, tell your admin (the bot reports it on /readyz).',
          code,
        });
      }
      if (isAppError(error) && error.expected) {
        return errorCard({ title: titleFor(code), message, code });
      }
      deps.logger.error({ err: { code, message } }, 'turn failed');
      return errorCard({ title: 'Something went wrong', message: 'MFA Shepherd hit an unexpected problem. Please try again in a minute; if it keeps happening, tell your admin.', code });
    },
  };
}

/** Refusals of the exception workflow, titled for what they are (the message says the details). */
const REFUSAL_TITLES: Partial<Record<string, string>> = {
  [ErrorCodes.ExceptionStaleReview]: 'This card is from an earlier review round',
  [ErrorCodes.ExceptionAlreadyDecided]: 'Someone already did this',
  [ErrorCodes.ExceptionAlreadyApproved]: 'You already approved this',
  [ErrorCodes.ExceptionTransitionRefused]: 'Not possible at this stage',
  [ErrorCodes.ExceptionNotRequester]: 'Only the requester can do this',
  [ErrorCodes.ExceptionNotApprover]: 'Approvers only',
  [ErrorCodes.ExceptionNotAdmin]: 'Admins only',
  [ErrorCodes.ExceptionSelfApproval]: 'Another approver decides on your own request',
  [ErrorCodes.ExceptionDraftInvalid]: 'The request needs a few fixes',
  [ErrorCodes.ExceptionInputInvalid]: 'That needs a fix',
  [ErrorCodes.ExceptionCategoryNotAccepted]: 'Microsoft does not accept this reason',
};
/** How long a walkthrough step waits for the federation lookup (a cached answer is immediate). */
const FEDERATION_LOOKUP_MS = 3000;

function titleFor(code: string): string {
  const refusal = REFUSAL_TITLES[code];
  if (refusal) return refusal;
  if (code === ErrorCodes.NotAdmin) return 'Admins only';
  if (code === ErrorCodes.InputInvalid) return 'That did not work';
  if (code === ErrorCodes.NotFound) return 'Not found';
  if (code === ErrorCodes.StorageConflict) return 'Someone changed this at the same moment';
  if (code === ErrorCodes.RateLimited || code === ErrorCodes.Busy) return 'Please wait a moment';
  if (code.startsWith('STORAGE')) return 'MFA Shepherd cannot reach its storage';
  if (code.startsWith('GRAPH')) return 'Microsoft Graph did not answer';
  return 'That did not work';
}

export type Handlers = ReturnType<typeof createHandlers>;

/** The value if `work` settles within `ms`; otherwise { done: false } and `work` keeps running. */
async function withinDeadline<T>(work: Promise<T>, ms: number): Promise<{ done: true; value: T } | { done: false }> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<{ done: false }>((resolve) => (timer = setTimeout(() => resolve({ done: false }), ms)));
  try {
    return await Promise.race([work.then((value) => ({ done: true as const, value })), late]);
  } finally {
    clearTimeout(timer);
  }
}
