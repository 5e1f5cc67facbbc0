import type { TurnContext } from 'botbuilder';
import type { ExceptionWorkflow, Reader } from '../app/exception-workflow';
import { Verbs } from '../cards/verbs';
import { addressOf, isPersonal, requireActorId } from './activity';
import { parseCardData, type ExceptionCardVerb } from './card-data';
import type { BotDeps } from './deps';
import { timezoneFor, type Card } from './replies';

type CardAction = (context: TurnContext, data: Record<string, unknown>) => Promise<Card | string>;

/** Who is asking, from the activity (never from card data); the zone is looked up only when a card shows a time. */
export function readerOf(deps: BotDeps, context: TurnContext): Reader {
  const actor = requireActorId(context.activity);
  const name = context.activity.from?.name;
  return { actor, ...(name ? { name } : {}), zone: () => timezoneFor(deps, context) };
}

/**
 * The exc.* buttons of the technical-exception workflow: each parses its data (zod), calls one use
 * case of the workflow (src/app/exception-workflow.ts) and returns its card.
 */
export function exceptionActions(deps: BotDeps): Record<ExceptionCardVerb, CardAction> {
  const wf: ExceptionWorkflow = deps.exceptions;
  const who = (c: TurnContext) => readerOf(deps, c);
  return {
    [Verbs.ExceptionStart]: async (c, data) => (parseCardData(Verbs.ExceptionStart, data), wf.start(who(c))),
    [Verbs.ExceptionChooseReason]: async (c, data) => wf.chooseReason(who(c), parseCardData(Verbs.ExceptionChooseReason, data)),
    [Verbs.ExceptionEdit]: async (c, data) => wf.open(who(c), parseCardData(Verbs.ExceptionEdit, data).requestId),
    [Verbs.ExceptionOpen]: async (c, data) => wf.open(who(c), parseCardData(Verbs.ExceptionOpen, data).requestId),
    [Verbs.ExceptionSaveDraft]: async (c, data) => wf.save(who(c), parseCardData(Verbs.ExceptionSaveDraft, data)),
    [Verbs.ExceptionSubmit]: async (c, data) => wf.submit(who(c), parseCardData(Verbs.ExceptionSubmit, data)),
    [Verbs.ExceptionWithdraw]: async (c, data) => wf.withdraw(who(c), parseCardData(Verbs.ExceptionWithdraw, data)),
    [Verbs.ExceptionApprove]: async (c, data) => wf.decide(who(c), 'approve', parseCardData(Verbs.ExceptionApprove, data)),
    [Verbs.ExceptionReject]: async (c, data) => wf.decide(who(c), 'reject', parseCardData(Verbs.ExceptionReject, data)),
    [Verbs.ExceptionRequestChanges]: async (c, data) => wf.decide(who(c), 'requestChanges', parseCardData(Verbs.ExceptionRequestChanges, data)),
    [Verbs.ExceptionApprovalRefresh]: async (c, data) => wf.refreshApproval(who(c), parseCardData(Verbs.ExceptionApprovalRefresh, data)),
    [Verbs.ExceptionRecordSubmitted]: async (c, data) => wf.recordSubmitted(who(c), parseCardData(Verbs.ExceptionRecordSubmitted, data)),
    [Verbs.ExceptionRecordGranted]: async (c, data) => wf.recordAnswer(who(c), true, parseCardData(Verbs.ExceptionRecordGranted, data)),
    [Verbs.ExceptionRecordDenied]: async (c, data) => wf.recordAnswer(who(c), false, parseCardData(Verbs.ExceptionRecordDenied, data)),
    [Verbs.ExceptionMyRequests]: async (c, data) => (parseCardData(Verbs.ExceptionMyRequests, data), wf.mine(who(c))),
    [Verbs.ExceptionSla]: async (c, data) => (parseCardData(Verbs.ExceptionSla, data), wf.sla(who(c))),
    [Verbs.ExceptionHistory]: async (c, data) => wf.history(who(c), parseCardData(Verbs.ExceptionHistory, data).requestId),
    [Verbs.ExceptionRenew]: async (c, data) => wf.renew(who(c), parseCardData(Verbs.ExceptionRenew, data)),
  };
}

/** The typed commands of the workflow (`exception`, `exception for …`, `my requests`, `history …`, `sla`, `export`, `closures …`, `approvals here|off`). */
export function exceptionCommands(deps: BotDeps) {
  const wf: ExceptionWorkflow = deps.exceptions;
  const who = (c: TurnContext) => readerOf(deps, c);
  return {
    start: (c: TurnContext) => wf.start(who(c)),
    startFor: (c: TurnContext, name: string | undefined) => wf.startFor(who(c), name),
    mine: (c: TurnContext) => wf.mine(who(c)),
    history: (c: TurnContext, requestId: string | undefined) => wf.history(who(c), requestId),
    sla: (c: TurnContext) => wf.sla(who(c)),
    exportLinks: async (c: TurnContext): Promise<Card | string> => {
      // The links are bearer links: everyone in a group chat or channel would read them.
      if (!isPersonal(c.activity)) return 'For security, export links are only sent in your 1:1 chat with MFA Shepherd. Type "export" there.';
      deps.commandLimits.take(c.activity.from?.aadObjectId ?? '', 'export');
      return wf.exportLinks(who(c));
    },
    closures: (c: TurnContext, change?: { add?: string; remove?: string }) => wf.closures(who(c), change),
    approvalsChannel: (c: TurnContext, on: boolean) => {
      const address = addressOf(c.activity);
      return wf.approvalsChannel(who(c), on, { personal: isPersonal(c.activity), ...(address ? { address } : {}) });
    },
  };
}

export type ExceptionCommands = ReturnType<typeof exceptionCommands>;
