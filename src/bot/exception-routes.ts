import type { TurnContext } from 'botbuilder';
import { Verbs } from '../cards/verbs';
import { parseExceptionCardData } from './card-data';
import type { ExceptionHandlers } from './exception-handlers';
import type { Card } from './replies';

type CardAction = (context: TurnContext, data: Record<string, unknown>) => Promise<Card | string>;

/** The exc.* buttons: each validates its data (zod), then calls its handler; the actor is always activity.from. */
export function exceptionActions(exc: ExceptionHandlers) {
  return {
    [Verbs.ExceptionStart]: async (c, data) => (parseExceptionCardData(Verbs.ExceptionStart, data), exc.start(c)),
    [Verbs.ExceptionChooseReason]: async (c, data) => exc.chooseReason(c, parseExceptionCardData(Verbs.ExceptionChooseReason, data)),
    [Verbs.ExceptionEdit]: async (c, data) => exc.open(c, parseExceptionCardData(Verbs.ExceptionEdit, data).requestId),
    [Verbs.ExceptionOpen]: async (c, data) => exc.open(c, parseExceptionCardData(Verbs.ExceptionOpen, data).requestId),
    [Verbs.ExceptionSaveDraft]: async (c, data) => exc.save(c, parseExceptionCardData(Verbs.ExceptionSaveDraft, data)),
    [Verbs.ExceptionSubmit]: async (c, data) => exc.submit(c, parseExceptionCardData(Verbs.ExceptionSubmit, data)),
    [Verbs.ExceptionWithdraw]: async (c, data) => exc.withdraw(c, parseExceptionCardData(Verbs.ExceptionWithdraw, data)),
    [Verbs.ExceptionApprove]: async (c, data) => exc.decide(c, 'approve', parseExceptionCardData(Verbs.ExceptionApprove, data)),
    [Verbs.ExceptionReject]: async (c, data) => exc.decide(c, 'reject', parseExceptionCardData(Verbs.ExceptionReject, data)),
    [Verbs.ExceptionRequestChanges]: async (c, data) => exc.decide(c, 'requestChanges', parseExceptionCardData(Verbs.ExceptionRequestChanges, data)),
    [Verbs.ExceptionApprovalRefresh]: async (c, data) => exc.refreshApproval(c, parseExceptionCardData(Verbs.ExceptionApprovalRefresh, data)),
    [Verbs.ExceptionRecordSubmitted]: async (c, data) => exc.recordSubmitted(c, parseExceptionCardData(Verbs.ExceptionRecordSubmitted, data)),
    [Verbs.ExceptionRecordGranted]: async (c, data) => exc.recordAnswer(c, true, parseExceptionCardData(Verbs.ExceptionRecordGranted, data)),
    [Verbs.ExceptionRecordDenied]: async (c, data) => exc.recordAnswer(c, false, parseExceptionCardData(Verbs.ExceptionRecordDenied, data)),
    [Verbs.ExceptionMyRequests]: async (c) => exc.mine(c),
    [Verbs.ExceptionSla]: async (c) => exc.sla(c),
    [Verbs.ExceptionHistory]: async (c, data) => exc.history(c, parseExceptionCardData(Verbs.ExceptionHistory, data).requestId),
  } satisfies Record<string, CardAction>;
}
