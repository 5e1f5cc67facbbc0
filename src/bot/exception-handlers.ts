import type { TurnContext } from 'botbuilder';
import { DateTime } from 'luxon';
import { approvalModel, decisionOf, slaItem } from '../app/exception-views';
import {
  exceptionApprovalCard,
  exceptionExportCard,
  exceptionFormCard,
  exceptionHistoryCard,
  exceptionNotAcceptedCard,
  exceptionOutcomeCard,
  exceptionReasonCard,
  myRequestsCard,
  recordAnswerCard,
  slaListCard,
  submissionPackCard,
  buildSubmissionPack,
} from '../cards';
import { slaStatus } from '../domain/calendar';
import { AppError, ErrorCodes } from '../domain/errors';
import {
  availableCommands,
  effectiveStatus,
  isExceptionRefusal,
  unacceptableReason,
  type DraftFields,
  type DraftInput,
  type ExceptionCommand,
  type ExceptionRequest,
} from '../domain/exception';
import { coversRequester, normaliseRequestId } from '../app/exceptions';
import { parseClosure } from '../app/closures';
import { addressOf, isPersonal, requireActorId, requireAdminActor } from './activity';
import type { BotDeps } from './deps';
import { timezoneFor, type Card } from './replies';

type FormData = Partial<Record<keyof DraftInput, unknown>> & { requestId?: string; round?: number };

/** What the form sent, as the domain's DraftInput (the multi-select arrives as "a,b"). */
export function draftInputOf(data: FormData): DraftInput {
  const text = (v: unknown) => (typeof v === 'string' ? v : undefined);
  const evidence = Array.isArray(data.evidence)
    ? data.evidence.map(String)
    : typeof data.evidence === 'string' && data.evidence.trim() !== ''
      ? data.evidence.split(',').map((s) => s.trim())
      : undefined;
  const input: DraftInput = {};
  for (const key of ['reasonCategory', 'technicalDescription', 'blockedScenario', 'otherScenario', 'workaroundTried', 'businessImpact', 'affected', 'integrationMethod'] as const) {
    const value = text(data[key]);
    if (value !== undefined) input[key] = value;
  }
  if (evidence) input.evidence = evidence;
  return input;
}

function inputOf(fields: DraftFields): DraftInput {
  return { ...fields, ...(fields.evidence ? { evidence: [...fields.evidence] } : {}) };
}

/**
 * The technical-exception workflow in Teams: the requester's form, the approvers' card, the admins'
 * Partner Center side, and the `sla`, `history`, `export`, `closures` commands. Every answer is a card
 * (or a sentence); refusals from the domain are shown on the card they came from, with what was typed kept.
 */
export function createExceptionHandlers(deps: BotDeps) {
  const x = deps.exceptions;
  const actorId = (context: TurnContext): string => requireActorId(context.activity);
  const requireAdmin = (context: TurnContext, what: string): string => requireAdminActor(context.activity, (id) => x.exceptions.isAdmin(id), what, deps.logger);
  const requestIdFrom = (value: unknown): string => {
    const id = normaliseRequestId(typeof value === 'string' ? value : undefined);
    if (!id) throw new AppError(ErrorCodes.InputInvalid, 'That is not a request id (they look like EXC-7K3F9QA). Type "my requests" to see yours.', { expected: true });
    return id;
  };

  async function formCard(context: TurnContext, request: ExceptionRequest, extra: { values?: DraftInput; errors?: ExceptionFormErrors; message?: string; success?: boolean } = {}): Promise<Card> {
    const actor = actorId(context);
    const ctx = x.exceptions.contextFor(actor, 'withdraw');
    const decision = request.status === 'changesRequested' ? await decisionOf(request, x.directory) : undefined;
    return exceptionFormCard({
      requestId: request.id,
      round: request.reviewRound,
      values: extra.values ?? inputOf(request.fields),
      errors: extra.errors ?? [],
      ...(extra.message ? { message: extra.message, messageIsSuccess: extra.success ?? false } : {}),
      canWithdraw: availableCommands(request, ctx).includes('withdraw'),
      ...(decision?.comment ? { changesRequested: { comment: decision.comment, byName: decision.byName, at: decision.at } } : {}),
      savedAt: request.updatedAt,
      readerZone: await timezoneFor(deps, context),
    });
  }

  /** The right card for a request and this reader: the form while the requester can edit, else where it stands. */
  async function present(context: TurnContext, request: ExceptionRequest): Promise<Card> {
    const actor = actorId(context);
    const isRequester = request.requesterId === actor;
    if (isRequester && (request.status === 'draft' || request.status === 'changesRequested')) {
      if (!request.fields.reasonCategory) return exceptionReasonCard({ requestId: request.id });
      return formCard(context, request);
    }
    if (request.status === 'inReview' && x.exceptions.isApprover(actor) && !isRequester) {
      return exceptionApprovalCard(await approvalModel(request, 'approver', x.directory));
    }
    if (request.status === 'approved' && x.exceptions.isAdmin(actor)) return packCard(request);
    if (request.status === 'submittedToMicrosoft' && x.exceptions.isAdmin(actor)) return answerCard(request);
    return exceptionApprovalCard(await approvalModel(request, request.decidedBy ? 'decided' : 'status', x.directory));
  }

  async function packCard(request: ExceptionRequest, extra: { caseNumber?: string; error?: string } = {}): Promise<Card> {
    const requesterName = await x.directory.nameOf(request.requesterId);
    return submissionPackCard({
      requestId: request.id,
      requesterName,
      requesterUpn: request.requesterUpn,
      approvedByName: request.decidedBy ? await x.directory.nameOf(request.decidedBy) : 'an approver',
      approvedAt: request.decidedAt ?? request.updatedAt,
      pack: buildSubmissionPack({ requesterName, requesterUpn: request.requesterUpn, fields: request.fields }),
      ...extra,
    });
  }

  async function answerCard(request: ExceptionRequest, extra: { endDate?: string; deniedReason?: string; errors?: ExceptionFormErrors } = {}): Promise<Card> {
    const calendar = await x.sla.calendar();
    const submittedAt = request.submittedToMicrosoftAt ?? request.updatedAt;
    return recordAnswerCard({
      requestId: request.id,
      requesterName: await x.directory.nameOf(request.requesterId),
      requesterUpn: request.requesterUpn,
      caseNumber: request.supportCaseNumber ?? '',
      submittedAt,
      dueAt: slaStatus(calendar, submittedAt, deps.clock.now()).dueAt,
      ...extra,
    });
  }

  /** Run a command; a refusal with field errors comes back as `{ refused }` for the card to show. */
  async function run(context: TurnContext, requestId: string, command: ExceptionCommand) {
    try {
      return { ok: true as const, ...(await x.exceptions.execute(actorId(context), requestId, command)) };
    } catch (error) {
      if (isExceptionRefusal(error) && (error.facts.fieldErrors?.length || error.refusal === 'ALREADY_DECIDED' || error.refusal === 'CATEGORY_NOT_ACCEPTED')) {
        return { ok: false as const, refused: error };
      }
      throw error;
    }
  }

  /** "YYYY-MM-DD" (Input.Date): the exception holds through that day: it ends at 23:59:59.999 of it on the business calendar. */
  const endOfDay = async (value: unknown): Promise<Date | undefined | 'invalid'> => {
    if (typeof value !== 'string' || value.trim() === '') return undefined;
    const zone = (await x.sla.calendar()).zone;
    const day = DateTime.fromISO(value.trim(), { zone });
    if (!day.isValid || !/^\d{4}-\d{2}-\d{2}$/.test(value.trim())) return 'invalid';
    return day.endOf('day').toJSDate();
  };

  return {
    /** `exception` or the notice card's button: the open request, or a new one starting with the reason. */
    async start(context: TurnContext): Promise<Card> {
      const actor = actorId(context);
      const upn = (await deps.status.userStatus(actor)).principal?.upn ?? context.activity.from?.name ?? '';
      const { request } = await x.exceptions.open(actor, upn);
      return present(context, request);
    },

    async chooseReason(context: TurnContext, data: { requestId?: string; reasonCategory?: string }): Promise<Card> {
      const category = (data.reasonCategory ?? '').trim();
      if (category === '') return exceptionReasonCard({ ...(data.requestId ? { requestId: data.requestId } : {}), error: 'Choose the reason that fits best.' });
      if (unacceptableReason(category)) return exceptionNotAcceptedCard({ ...(data.requestId ? { requestId: data.requestId } : {}), reasonCategory: category as never });
      const actor = actorId(context);
      const request = data.requestId ? await x.exceptions.view(requestIdFrom(data.requestId), actor) : (await x.exceptions.open(actor, context.activity.from?.name ?? '')).request;
      const values = { ...inputOf(request.fields), reasonCategory: category };
      const result = await run(context, request.id, { type: 'saveDraft', fields: values });
      if (!result.ok) return formCard(context, request, { values, errors: result.refused.facts.fieldErrors ?? [], message: result.refused.message });
      return formCard(context, result.request);
    },

    async open(context: TurnContext, requestId: string): Promise<Card> {
      return present(context, await x.exceptions.view(requestIdFrom(requestId), actorId(context)));
    },

    async save(context: TurnContext, data: FormData): Promise<Card> {
      const id = requestIdFrom(data.requestId);
      const values = draftInputOf(data);
      const result = await run(context, id, { type: 'saveDraft', fields: values });
      if (!result.ok) return formCard(context, await x.exceptions.view(id, actorId(context)), { values, errors: result.refused.facts.fieldErrors ?? [], message: result.refused.message });
      return formCard(context, result.request, { message: result.changed ? 'Draft saved. Submit it for review when it is complete.' : 'Nothing changed since the last save.', success: true });
    },

    async submit(context: TurnContext, data: FormData): Promise<Card> {
      const id = requestIdFrom(data.requestId);
      const values = draftInputOf(data);
      const result = await run(context, id, { type: 'submitForReview', fields: values });
      if (!result.ok) {
        if (result.refused.refusal === 'CATEGORY_NOT_ACCEPTED' && values.reasonCategory) return exceptionNotAcceptedCard({ requestId: id, reasonCategory: values.reasonCategory as never });
        return formCard(context, await x.exceptions.view(id, actorId(context)), { values, errors: result.refused.facts.fieldErrors ?? [], message: result.refused.message });
      }
      return exceptionApprovalCard(await approvalModel(result.request, 'status', x.directory));
    },

    async withdraw(context: TurnContext, data: { requestId?: string; comment?: string }): Promise<Card> {
      const result = await run(context, requestIdFrom(data.requestId), { type: 'withdraw', ...(data.comment ? { comment: data.comment } : {}) });
      if (!result.ok) throw result.refused;
      return exceptionOutcomeCard({ outcome: 'withdrawn', requestId: result.request.id, round: result.request.reviewRound, at: result.request.updatedAt, readerZone: await timezoneFor(deps, context) });
    },

    /** Approve, reject or request changes: the card becomes the decision for everyone; the loser of a race sees who won. */
    async decide(context: TurnContext, action: 'approve' | 'reject' | 'requestChanges', data: { requestId?: string; round?: number; comment?: string }): Promise<Card> {
      const id = requestIdFrom(data.requestId);
      const comment = data.comment ?? '';
      const command: ExceptionCommand =
        action === 'reject' ? { type: 'reject', reason: comment, round: data.round } : action === 'approve' ? { type: 'approve', comment, round: data.round } : { type: 'requestChanges', comment, round: data.round };
      const result = await run(context, id, command);
      if (result.ok) return exceptionApprovalCard(await approvalModel(result.request, 'decided', x.directory));
      const current = await x.exceptions.view(id, actorId(context));
      if (result.refused.refusal === 'ALREADY_DECIDED') return exceptionApprovalCard(await approvalModel(current, 'alreadyDecided', x.directory));
      return exceptionApprovalCard(await approvalModel(current, 'approver', x.directory, { comment, error: result.refused.facts.fieldErrors?.map((e) => e.message).join(' ') ?? result.refused.message }));
    },

    /** Universal Actions refresh: approvers see the buttons while it waits; everyone sees the decision after. */
    async refreshApproval(context: TurnContext, data: { requestId?: string }): Promise<Card> {
      const actor = actorId(context);
      const request = await x.exceptions.view(requestIdFrom(data.requestId), actor).catch(() => undefined);
      if (!request) throw new AppError(ErrorCodes.NotFound, 'This request is not available to you.', { expected: true });
      if (request.status === 'inReview' && x.exceptions.isApprover(actor) && request.requesterId !== actor) {
        return exceptionApprovalCard(await approvalModel(request, 'approver', x.directory));
      }
      return exceptionApprovalCard(await approvalModel(request, request.decidedBy ? 'decided' : 'status', x.directory));
    },

    async recordSubmitted(context: TurnContext, data: { requestId?: string; caseNumber?: string }): Promise<Card> {
      const id = requestIdFrom(data.requestId);
      const result = await run(context, id, { type: 'recordSubmittedToMicrosoft', caseNumber: data.caseNumber ?? '' });
      if (!result.ok) {
        if (result.refused.refusal === 'ALREADY_DECIDED') throw result.refused;
        return packCard(await x.exceptions.view(id, actorId(context)), { caseNumber: data.caseNumber ?? '', error: result.refused.facts.fieldErrors?.map((e) => e.message).join(' ') ?? result.refused.message });
      }
      return answerCard(result.request);
    },

    async recordAnswer(context: TurnContext, granted: boolean, data: { requestId?: string; endDate?: string; reason?: string }): Promise<Card> {
      const id = requestIdFrom(data.requestId);
      let command: ExceptionCommand;
      if (granted) {
        const endDate = await endOfDay(data.endDate);
        if (endDate === 'invalid') {
          return answerCard(await x.exceptions.view(id, actorId(context)), { endDate: data.endDate ?? '', errors: [{ field: 'endDate', problem: 'format', message: 'The end date must be a date (YYYY-MM-DD).' }] });
        }
        command = { type: 'recordGranted', ...(endDate ? { endDate } : {}) };
      } else {
        command = { type: 'recordDenied', reason: data.reason ?? '' };
      }
      const result = await run(context, id, command);
      if (!result.ok) {
        if (result.refused.refusal === 'ALREADY_DECIDED') throw result.refused;
        return answerCard(await x.exceptions.view(id, actorId(context)), { endDate: data.endDate ?? '', deniedReason: data.reason ?? '', errors: result.refused.facts.fieldErrors ?? [] });
      }
      const r = result.request;
      return exceptionOutcomeCard({
        outcome: granted ? 'granted' : 'denied',
        requestId: r.id,
        round: r.reviewRound,
        byName: await x.directory.nameOf(actorId(context)),
        at: r.updatedAt,
        ...(r.grantedUntil ? { grantedUntil: r.grantedUntil } : {}),
        ...(r.deniedReason ? { comment: r.deniedReason } : {}),
        readerZone: await timezoneFor(deps, context),
      });
    },

    async mine(context: TurnContext): Promise<Card> {
      const actor = actorId(context);
      const now = deps.clock.now();
      const requests = await x.exceptions.mine(actor);
      const open = requests.some((r) => coversRequester(r, now));
      return myRequestsCard({
        requests: requests.map((r) => ({ requestId: r.id, ...(r.fields.reasonCategory ? { reasonCategory: r.fields.reasonCategory } : {}), status: effectiveStatus(r, now), updatedAt: r.updatedAt })),
        canStartNew: !open,
        readerZone: await timezoneFor(deps, context),
      });
    },

    async sla(context: TurnContext): Promise<Card> {
      requireAdmin(context, 'see the SLA of exception requests');
      const entries = await x.sla.open();
      return slaListCard({ items: await Promise.all(entries.map((e) => slaItem(e.request, e.status, x.directory))), readerZone: await timezoneFor(deps, context) });
    },

    async history(context: TurnContext, requestId: string | undefined): Promise<Card> {
      const { request, entries } = await x.exceptions.history(requestIdFrom(requestId), actorId(context));
      return exceptionHistoryCard({
        requestId: request.id,
        requesterName: await x.directory.nameOf(request.requesterId),
        status: effectiveStatus(request, deps.clock.now()),
        entries,
        names: await x.directory.names(entries.map((e) => e.actor)),
        readerZone: await timezoneFor(deps, context),
      });
    },

    async exportLinks(context: TurnContext): Promise<Card> {
      const actor = requireAdmin(context, 'export exception requests');
      await deps.audit?.({ actorId: actor, action: 'export.exceptions', channel: 'chat', to: 'download links made (15 minutes)' });
      return exceptionExportCard({
        requestsCsvUrl: x.links.url(x.publicBaseUrl(), 'requests', actor),
        auditCsvUrl: x.links.url(x.publicBaseUrl(), 'audit', actor),
        expiresAt: new Date(deps.clock.now().getTime() + 15 * 60_000),
        readerZone: await timezoneFor(deps, context),
      });
    },

    async closures(context: TurnContext, change?: { add?: string; remove?: string }): Promise<string> {
      const actor = requireAdmin(context, 'change the business calendar');
      const list = change?.add !== undefined ? await x.closures.add(parseClosure(change.add)) : change?.remove !== undefined ? await x.closures.remove(change.remove.trim()) : await x.closures.list();
      if (change?.add !== undefined || change?.remove !== undefined) {
        await deps.audit?.({ actorId: actor, action: 'closures.change', channel: 'chat', target: 'closures', ...(change.add !== undefined ? { to: `added ${change.add}` } : { from: `${change.remove ?? ''}`, to: 'removed' }) });
      }
      const lines = list.map((c) => `- ${c.from === c.to ? c.from : `${c.from} to ${c.to}`}: ${c.reason.replace(/[\\`*_[\]<>#|~]/g, (ch) => `\\${ch}`)}`);
      const head = change?.add !== undefined ? 'Closure added. ' : change?.remove !== undefined ? 'Closure removed. ' : '';
      return `${head}${lines.length === 0 ? 'No closures: the business calendar has weekends and public holidays only.' : `Closures of the business calendar (Microsoft's 3-business-day clock does not run on them):\n\n${lines.join('\n')}`}\n\nAdd one with "closure add YYYY-MM-DD [YYYY-MM-DD] reason", remove one with "closure remove YYYY-MM-DD".`;
    },

    /** `approvals here` in a channel: approval cards are also posted there (approvers get the buttons by refresh). */
    async approvalsChannel(context: TurnContext, on: boolean): Promise<string> {
      const actor = requireAdmin(context, 'choose the approvals channel');
      const stored = await x.settings.get('approvalsChannel');
      if (!on) {
        if (stored) await x.settings.put('approvalsChannel', null, stored.etag);
        await deps.audit?.({ actorId: actor, action: 'approvalsChannel.set', channel: 'chat', target: 'approvalsChannel', from: stored?.value ? 'a channel' : 'none', to: 'none' });
        return 'Approval cards now go to the approvers only (no channel).';
      }
      if (isPersonal(context.activity)) return 'Type "approvals here" in the channel where approval cards should be posted (not in a 1:1 chat).';
      const address = addressOf(context.activity);
      if (!address) throw new AppError(ErrorCodes.InputInvalid, 'This conversation cannot be used for approval cards.', { expected: true });
      await x.settings.put('approvalsChannel', { address, setBy: actor, setAt: deps.clock.now() }, stored?.etag);
      await deps.audit?.({ actorId: actor, action: 'approvalsChannel.set', channel: 'chat', target: 'approvalsChannel', from: stored?.value ? 'a channel' : 'none', to: `conversation ${address.conversationId}` });
      return 'Approval cards will also be posted in this channel. Approvers see the buttons; everyone else sees the status.';
    },
  };
}

type ExceptionFormErrors = NonNullable<Parameters<typeof exceptionFormCard>[0]['errors']>;

export type ExceptionHandlers = ReturnType<typeof createExceptionHandlers>;
