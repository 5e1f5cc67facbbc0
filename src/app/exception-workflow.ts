import { DateTime } from 'luxon';
import {
  type PartnerIdentity,
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
} from '../cards';
import type { AdaptiveCard as Card } from '../cards/render';
import { slaStatus } from '../domain/calendar';
import type { Clock } from '../domain/clock';
import type { ConversationAddress } from '../domain/conversation';
import { AppError, ErrorCodes } from '../domain/errors';
import {
  availableCommands,
  effectiveStatus,
  isExceptionRefusal,
  sameId,
  unacceptableReason,
  type DraftFields,
  type DraftInput,
  type ExceptionCommand,
  type ExceptionRefusedError,
  type ExceptionRequest,
  type FieldError,
} from '../domain/exception';
import { parseClosure, type Closures } from './closures';
import { DOWNLOAD_LINK_LIFETIME_MS, type DownloadLinks } from './download-links';
import { approvalModel, decisionOf, slaItem, submissionPackFor, type Directory } from './exception-views';
import { coversRequester, normaliseRequestId, type Exceptions } from './exceptions';
import type { Logger, SettingsStore } from './ports';
import type { RecordAdminAction } from './admin-audit';
import type { Sla } from './sla';

/**
 * The technical-exception workflow as the people in Teams see it: each use case takes who is
 * asking (`Reader`) and what a card or command sent, runs at most one command of the domain, and
 * answers with the card to show (or a sentence). Refusals that concern what was typed come back
 * on the card they came from, with the input kept; the others are thrown for the caller to show.
 */
export interface Reader {
  /** The actor: the AAD object id from the activity, never from card data. */
  actor: string;
  /** The name Teams gave the actor (a fallback for the request's UPN). */
  name?: string;
  /** The zone to show times in (asked only when a card shows a time). */
  zone(): Promise<string>;
}

export interface ExceptionWorkflowDeps {
  exceptions: Exceptions;
  sla: Sla;
  closures: Closures;
  directory: Directory;
  settings: Pick<SettingsStore, 'get' | 'put'>;
  links: DownloadLinks;
  /** Base of the bot's own links (PUBLIC_BASE_URL, else where it listens). */
  publicBaseUrl: () => string;
  /** The requester's UPN as Partner Center listed it, if it did. */
  upnOf: (aadObjectId: string) => Promise<string | undefined>;
  /** The partner tenant id and Partner ID, for the submission to Microsoft. */
  partner?: PartnerIdentity;
  clock: Clock;
  logger: Logger;
  /** The admin audit: closures, the approvals channel and export links are recorded (absent in tests that do not wire it). */
  audit?: RecordAdminAction;
}

/** What a form card sends (every field optional; the domain checks them). */
export type FormData = Partial<Record<keyof DraftInput, unknown>> & { requestId?: string; round?: number };

/** Where `approvals here` was typed: a channel's address, or a 1:1 chat. */
export interface Place {
  personal: boolean;
  address?: ConversationAddress;
}

type FormErrors = NonNullable<Parameters<typeof exceptionFormCard>[0]['errors']>;

/** What the form sent, as the domain's DraftInput (the multi-select arrives as "a,b"). */
export function draftInputOf(data: FormData): DraftInput {
  const text = (v: unknown) => (typeof v === 'string' ? v : undefined);
  const evidence = Array.isArray(data.evidence)
    ? data.evidence.map(String)
    : typeof data.evidence === 'string' && data.evidence.trim() !== ''
      ? data.evidence.split(',').map((s) => s.trim())
      : undefined;
  const input: DraftInput = {};
  for (const key of [
    'reasonCategory',
    'technicalDescription',
    'blockedScenario',
    'otherScenario',
    'workaroundTried',
    'businessImpact',
    'affected',
    'integrationMethod',
    'contact',
    'mfaProduct',
    'requestedDuration',
    'evidenceLinks',
  ] as const) {
    const value = text(data[key]);
    if (value !== undefined) input[key] = value;
  }
  if (evidence) input.evidence = evidence;
  return input;
}

function inputOf(fields: DraftFields): DraftInput {
  return { ...fields, ...(fields.evidence ? { evidence: [...fields.evidence] } : {}), ...(fields.evidenceLinks ? { evidenceLinks: fields.evidenceLinks.join('\n') } : {}) };
}

/** Whom the request is for is set when it is opened, not on the form: the stored subject goes with every save. */
function withSubject(values: DraftInput, request: ExceptionRequest): DraftInput {
  const { subjectKind, subjectName } = request.fields;
  return { ...values, ...(subjectKind ? { subjectKind } : {}), ...(subjectName ? { subjectName } : {}) };
}

/** `exception for <name>`: a UPN-like name is a service account, anything else an integration or app. */
export function subjectOf(name: string): { subjectKind: 'serviceAccount' | 'integration'; subjectName: string } {
  const subjectName = name.trim().replace(/\s+/g, ' ');
  return { subjectKind: /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(subjectName) ? 'serviceAccount' : 'integration', subjectName };
}

const errorText = (refused: ExceptionRefusedError): string => refused.facts.fieldErrors?.map((e: FieldError) => e.message).join(' ') ?? refused.message;

/** The closures as a chat message (reasons escaped: they are the admins' own text). */
export function closuresText(list: readonly { from: string; to: string; reason: string }[], change: 'added' | 'removed' | undefined): string {
  const lines = list.map((c) => `- ${c.from === c.to ? c.from : `${c.from} to ${c.to}`}: ${c.reason.replace(/[\\`*_[\]<>#|~]/g, (ch) => `\\${ch}`)}`);
  const head = change === 'added' ? 'Closure added. ' : change === 'removed' ? 'Closure removed. ' : '';
  const body =
    lines.length === 0
      ? 'No closures: the business calendar has weekends and public holidays only.'
      : `Closures of the business calendar: nudges and your own deadlines (approval, filing with Microsoft) pause on them. Microsoft's 3 business days do not: Microsoft counts its own business days and public holidays.\n\n${lines.join('\n')}`;
  return `${head}${body}\n\nAdd one with "closure add YYYY-MM-DD [YYYY-MM-DD] reason", remove one with "closure remove YYYY-MM-DD".`;
}

export function createExceptionWorkflow(deps: ExceptionWorkflowDeps) {
  const { exceptions, directory } = deps;

  const requestIdFrom = (value: unknown): string => {
    const id = normaliseRequestId(typeof value === 'string' ? value : undefined);
    if (!id) throw new AppError(ErrorCodes.InputInvalid, 'That is not a request id (they look like EXC-7K3F-9QA2). Type "my requests" to see yours.', { expected: true });
    return id;
  };

  const requireAdmin = (reader: Reader, what: string): string => {
    if (exceptions.isAdmin(reader.actor)) return reader.actor;
    deps.logger.warn({ actor: reader.actor, action: what }, 'non-admin refused');
    throw new AppError(ErrorCodes.NotAdmin, `Only MFA Shepherd admins can ${what}. Ask your security admin if you need this.`);
  };

  async function formCard(reader: Reader, request: ExceptionRequest, extra: { values?: DraftInput; errors?: FormErrors; message?: string; success?: boolean } = {}): Promise<Card> {
    const decision = request.status === 'changesRequested' ? await decisionOf(request, directory) : undefined;
    return exceptionFormCard({
      requestId: request.id,
      round: request.reviewRound,
      values: extra.values ?? inputOf(request.fields),
      errors: extra.errors ?? [],
      ...(extra.message ? { message: extra.message, messageIsSuccess: extra.success ?? false } : {}),
      canWithdraw: availableCommands(request, exceptions.contextFor(reader.actor, 'withdraw')).includes('withdraw'),
      ...(decision?.comment ? { changesRequested: { comment: decision.comment, byName: decision.byName, at: decision.at } } : {}),
      savedAt: request.updatedAt,
      readerZone: await reader.zone(),
    });
  }

  /** The approval card for this reader: the buttons for an approver while it waits; the decision or status otherwise. */
  async function approvalCardFor(reader: Reader, request: ExceptionRequest): Promise<Card> {
    const approvedAlready = (request.approvals ?? []).some((a) => sameId(a.by, reader.actor));
    if (request.status === 'inReview' && exceptions.isApprover(reader.actor) && request.requesterId !== reader.actor && !approvedAlready) {
      return exceptionApprovalCard(await approvalModel(request, 'approver', directory));
    }
    return exceptionApprovalCard(await approvalModel(request, request.decidedBy ? 'decided' : 'status', directory));
  }

  /** The right card for a request and this reader: the form while the requester can edit, else where it stands. */
  async function present(reader: Reader, request: ExceptionRequest): Promise<Card> {
    const isRequester = request.requesterId === reader.actor;
    if (isRequester && (request.status === 'draft' || request.status === 'changesRequested')) {
      if (!request.fields.reasonCategory) return exceptionReasonCard({ requestId: request.id });
      return formCard(reader, request);
    }
    if (request.status === 'approved' && exceptions.isAdmin(reader.actor)) return packCard(request);
    if (request.status === 'submittedToMicrosoft' && exceptions.isAdmin(reader.actor)) return answerCard(request);
    return approvalCardFor(reader, request);
  }

  const packCard = (request: ExceptionRequest, extra: { caseNumber?: string; error?: string } = {}): Promise<Card> => submissionPackFor(request, directory, deps.partner, extra);


  async function answerCard(request: ExceptionRequest, extra: { endDate?: string; reviewDate?: string; noEndDate?: boolean; deniedReason?: string; errors?: FormErrors } = {}): Promise<Card> {
    const calendar = await deps.sla.calendar();
    const submittedAt = request.submittedToMicrosoftAt ?? request.updatedAt;
    return recordAnswerCard({
      requestId: request.id,
      requesterName: await directory.nameOf(request.requesterId),
      requesterUpn: request.requesterUpn,
      caseNumber: request.supportCaseNumber ?? '',
      submittedAt,
      dueAt: slaStatus(calendar, submittedAt, deps.clock.now()).dueAt,
      ...extra,
    });
  }

  /** Run a command; a refusal about the input (or a lost race) comes back as `{ refused }` for the card to show. */
  async function run(reader: Reader, requestId: string, command: ExceptionCommand) {
    try {
      return { ok: true as const, ...(await exceptions.execute(reader.actor, requestId, command)) };
    } catch (error) {
      if (
        isExceptionRefusal(error) &&
        (error.facts.fieldErrors?.length || error.refusal === 'ALREADY_DECIDED' || error.refusal === 'ALREADY_APPROVED' || error.refusal === 'CATEGORY_NOT_ACCEPTED')
      ) {
        return { ok: false as const, refused: error };
      }
      throw error;
    }
  }

  /** "YYYY-MM-DD" (Input.Date): the exception holds through that day, to 23:59:59.999 of it on the business calendar. */
  async function endOfDay(value: unknown): Promise<Date | undefined | 'invalid'> {
    if (typeof value !== 'string' || value.trim() === '') return undefined;
    const day = DateTime.fromISO(value.trim(), { zone: (await deps.sla.calendar()).zone });
    if (!day.isValid || !/^\d{4}-\d{2}-\d{2}$/.test(value.trim())) return 'invalid';
    return day.endOf('day').toJSDate();
  }

  return {
    /** `exception` or the notice card's button: the open request, or a new one starting with the reason. */
    async start(reader: Reader): Promise<Card> {
      const upn = (await deps.upnOf(reader.actor)) ?? reader.name ?? '';
      return present(reader, (await exceptions.open(reader.actor, upn)).request);
    },

    /** `exception for <account or app>` (admins): a request for a service account or an integration, beside their own. */
    async startFor(reader: Reader, name: string | undefined): Promise<Card> {
      const subject = subjectOf(name ?? '');
      if (subject.subjectName === '') {
        throw new AppError(ErrorCodes.InputInvalid, 'Name the service account (its UPN) or the integration: "exception for svc-billing@contoso.com" or "exception for PSA billing sync".', { expected: true });
      }
      if (subject.subjectName.length > 200) throw new AppError(ErrorCodes.InputInvalid, 'That name is too long: at most 200 characters.', { expected: true });
      const upn = (await deps.upnOf(reader.actor)) ?? reader.name ?? '';
      return present(reader, (await exceptions.open(reader.actor, upn, subject)).request);
    },

    /** "Renew" on a granted or expired exception: a new request, pre-filled from it, opened on its form. */
    async renew(reader: Reader, data: { requestId?: string }): Promise<Card> {
      const { request, created } = await exceptions.renew(reader.actor, requestIdFrom(data.requestId));
      if (!request.fields.reasonCategory) return exceptionReasonCard({ requestId: request.id });
      return formCard(reader, request, {
        message: created ? `Renewal opened from ${data.requestId ?? 'the granted request'}: check every field, bring the evidence up to date, then submit it for review.` : 'You already have an open request for this: here it is.',
        success: true,
      });
    },

    async chooseReason(reader: Reader, data: { requestId?: string; reasonCategory?: string }): Promise<Card> {
      const category = (data.reasonCategory ?? '').trim();
      const on = data.requestId ? { requestId: data.requestId } : {};
      if (category === '') return exceptionReasonCard({ ...on, error: 'Choose the reason that fits best.' });
      if (unacceptableReason(category)) return exceptionNotAcceptedCard({ ...on, reasonCategory: category as never });
      const request = data.requestId ? await exceptions.view(requestIdFrom(data.requestId), reader.actor) : (await exceptions.open(reader.actor, reader.name ?? '')).request;
      const values = withSubject({ ...inputOf(request.fields), reasonCategory: category }, request);
      const result = await run(reader, request.id, { type: 'saveDraft', fields: values });
      if (!result.ok) return formCard(reader, request, { values, errors: result.refused.facts.fieldErrors ?? [], message: result.refused.message });
      return formCard(reader, result.request);
    },

    async open(reader: Reader, requestId: string): Promise<Card> {
      return present(reader, await exceptions.view(requestIdFrom(requestId), reader.actor));
    },

    async save(reader: Reader, data: FormData): Promise<Card> {
      const id = requestIdFrom(data.requestId);
      const values = withSubject(draftInputOf(data), await exceptions.view(id, reader.actor));
      const result = await run(reader, id, { type: 'saveDraft', fields: values });
      if (!result.ok) return formCard(reader, await exceptions.view(id, reader.actor), { values, errors: result.refused.facts.fieldErrors ?? [], message: result.refused.message });
      return formCard(reader, result.request, { message: result.changed ? 'Draft saved. Submit it for review when it is complete.' : 'Nothing changed since the last save.', success: true });
    },

    async submit(reader: Reader, data: FormData): Promise<Card> {
      const id = requestIdFrom(data.requestId);
      const values = withSubject(draftInputOf(data), await exceptions.view(id, reader.actor));
      const result = await run(reader, id, { type: 'submitForReview', fields: values });
      if (result.ok) return exceptionApprovalCard(await approvalModel(result.request, 'status', directory));
      if (result.refused.refusal === 'CATEGORY_NOT_ACCEPTED' && values.reasonCategory) return exceptionNotAcceptedCard({ requestId: id, reasonCategory: values.reasonCategory as never });
      return formCard(reader, await exceptions.view(id, reader.actor), { values, errors: result.refused.facts.fieldErrors ?? [], message: result.refused.message });
    },

    async withdraw(reader: Reader, data: { requestId?: string; comment?: string }): Promise<Card> {
      const result = await run(reader, requestIdFrom(data.requestId), { type: 'withdraw', ...(data.comment ? { comment: data.comment } : {}) });
      if (!result.ok) throw result.refused;
      const r = result.request;
      return exceptionOutcomeCard({ outcome: 'withdrawn', requestId: r.id, round: r.reviewRound, at: r.updatedAt, readerZone: await reader.zone() });
    },

    /** Approve, reject or request changes: the card becomes the decision for everyone; the loser of a race sees who won. */
    async decide(reader: Reader, action: 'approve' | 'reject' | 'requestChanges', data: { requestId?: string; round?: number; comment?: string }): Promise<Card> {
      const id = requestIdFrom(data.requestId);
      const comment = data.comment ?? '';
      const command: ExceptionCommand =
        action === 'reject' ? { type: 'reject', reason: comment, round: data.round } : action === 'approve' ? { type: 'approve', comment, round: data.round } : { type: 'requestChanges', comment, round: data.round };
      const result = await run(reader, id, command);
      // An approval that still needs another approver's keeps the request in review: the card shows who has approved.
      if (result.ok) return exceptionApprovalCard(await approvalModel(result.request, result.request.status === 'inReview' ? 'status' : 'decided', directory));
      const current = await exceptions.view(id, reader.actor);
      if (result.refused.refusal === 'ALREADY_DECIDED') return exceptionApprovalCard(await approvalModel(current, 'alreadyDecided', directory));
      if (result.refused.refusal === 'ALREADY_APPROVED') return exceptionApprovalCard(await approvalModel(current, 'status', directory));
      return exceptionApprovalCard(await approvalModel(current, 'approver', directory, { comment, error: errorText(result.refused) }));
    },

    /** Universal Actions refresh: approvers see the buttons while it waits; everyone sees the decision after. */
    async refreshApproval(reader: Reader, data: { requestId?: string }): Promise<Card> {
      return approvalCardFor(reader, await exceptions.view(requestIdFrom(data.requestId), reader.actor));
    },

    async recordSubmitted(reader: Reader, data: { requestId?: string; caseNumber?: string }): Promise<Card> {
      const id = requestIdFrom(data.requestId);
      const result = await run(reader, id, { type: 'recordSubmittedToMicrosoft', caseNumber: data.caseNumber ?? '' });
      if (result.ok) return answerCard(result.request);
      if (result.refused.refusal === 'ALREADY_DECIDED') throw result.refused;
      return packCard(await exceptions.view(id, reader.actor), { caseNumber: data.caseNumber ?? '', error: errorText(result.refused) });
    },

    async recordAnswer(reader: Reader, granted: boolean, data: { requestId?: string; endDate?: string; noEndDate?: string; reviewDate?: string; reason?: string }): Promise<Card> {
      const id = requestIdFrom(data.requestId);
      const noEndDate = data.noEndDate?.trim().toLowerCase() === 'true';
      const kept = { endDate: data.endDate ?? '', reviewDate: data.reviewDate ?? '', noEndDate, deniedReason: data.reason ?? '' };
      let command: ExceptionCommand;
      if (granted) {
        const endDate = await endOfDay(data.endDate);
        const reviewDate = await endOfDay(data.reviewDate);
        if (endDate === 'invalid' || reviewDate === 'invalid') {
          const field = endDate === 'invalid' ? 'endDate' : 'reviewDate';
          return answerCard(await exceptions.view(id, reader.actor), { ...kept, errors: [{ field, problem: 'format', message: `The ${field === 'endDate' ? 'end' : 'review'} date must be a date (YYYY-MM-DD).` }] });
        }
        command = { type: 'recordGranted', ...(endDate ? { endDate } : {}), ...(noEndDate ? { noEndDate } : {}), ...(noEndDate && reviewDate ? { reviewDate } : {}) };
      } else {
        command = { type: 'recordDenied', reason: data.reason ?? '' };
      }
      const result = await run(reader, id, command);
      if (!result.ok) {
        if (result.refused.refusal === 'ALREADY_DECIDED') throw result.refused;
        return answerCard(await exceptions.view(id, reader.actor), { ...kept, errors: result.refused.facts.fieldErrors ?? [] });
      }
      const r = result.request;
      return exceptionOutcomeCard({
        outcome: granted ? 'granted' : 'denied',
        requestId: r.id,
        round: r.reviewRound,
        byName: await directory.nameOf(reader.actor),
        at: r.updatedAt,
        ...(r.grantedUntil ? { grantedUntil: r.grantedUntil } : {}),
        ...(r.deniedReason ? { comment: r.deniedReason } : r.reviewBy ? { comment: `No end date given by Microsoft: to be reviewed by ${r.reviewBy.toISOString().slice(0, 10)}.` } : {}),
        readerZone: await reader.zone(),
      });
    },

    async mine(reader: Reader): Promise<Card> {
      const now = deps.clock.now();
      const requests = await exceptions.mine(reader.actor);
      return myRequestsCard({
        requests: requests.map((r) => ({ requestId: r.id, ...(r.fields.reasonCategory ? { reasonCategory: r.fields.reasonCategory } : {}), status: effectiveStatus(r, now), updatedAt: r.updatedAt })),
        canStartNew: !requests.some((r) => coversRequester(r, now)),
        readerZone: await reader.zone(),
      });
    },

    async sla(reader: Reader): Promise<Card> {
      requireAdmin(reader, 'see the SLA of exception requests');
      const entries = await deps.sla.board();
      return slaListCard({
        items: await Promise.all(entries.map((e) => slaItem(e.request, e.clock.status, directory, e.clock.kind))),
        approvalBusinessDays: deps.sla.deadlines.approvalBusinessDays,
        readerZone: await reader.zone(),
      });
    },

    async history(reader: Reader, requestId: string | undefined): Promise<Card> {
      const { request, entries } = await exceptions.history(requestIdFrom(requestId), reader.actor);
      return exceptionHistoryCard({
        requestId: request.id,
        requesterName: await directory.nameOf(request.requesterId),
        status: effectiveStatus(request, deps.clock.now()),
        entries,
        names: await directory.names(entries.map((e) => e.actor)),
        readerZone: await reader.zone(),
      });
    },

    async exportLinks(reader: Reader): Promise<Card> {
      const actor = requireAdmin(reader, 'export exception requests');
      await deps.audit?.({ actorId: actor, action: 'export.exceptions', channel: 'chat', to: 'download links made (5 minutes, single use)' });
      return exceptionExportCard({
        requestsCsvUrl: deps.links.url(deps.publicBaseUrl(), 'requests', actor),
        auditCsvUrl: deps.links.url(deps.publicBaseUrl(), 'audit', actor),
        expiresAt: new Date(deps.clock.now().getTime() + DOWNLOAD_LINK_LIFETIME_MS),
        readerZone: await reader.zone(),
      });
    },

    /** `closures`, `closure add …`, `closure remove …` (admins): the list after the change, as a message. */
    async closures(reader: Reader, change?: { add?: string; remove?: string }): Promise<string> {
      requireAdmin(reader, 'change the business calendar');
      if (change?.add !== undefined) {
        const text = closuresText(await deps.closures.add(parseClosure(change.add)), 'added');
        await deps.audit?.({ actorId: reader.actor, action: 'closures.change', channel: 'chat', target: 'closures', to: `added ${change.add}` });
        return text;
      }
      if (change?.remove !== undefined) {
        const text = closuresText(await deps.closures.remove(change.remove.trim()), 'removed');
        await deps.audit?.({ actorId: reader.actor, action: 'closures.change', channel: 'chat', target: 'closures', from: change.remove.trim(), to: 'removed' });
        return text;
      }
      return closuresText(await deps.closures.list(), undefined);
    },

    /** `approvals here` in a channel: approval cards are also posted there (approvers get the buttons by refresh); `approvals off`. */
    async approvalsChannel(reader: Reader, on: boolean, place: Place): Promise<string> {
      const actor = requireAdmin(reader, 'choose the approvals channel');
      const stored = await deps.settings.get('approvalsChannel');
      if (!on) {
        if (stored) await deps.settings.put('approvalsChannel', null, stored.etag);
        await deps.audit?.({ actorId: actor, action: 'approvalsChannel.set', channel: 'chat', target: 'approvalsChannel', from: stored?.value ? 'a channel' : 'none', to: 'none' });
        return 'Approval cards now go to the approvers only (no channel).';
      }
      if (place.personal) return 'Type "approvals here" in the channel where approval cards should be posted (not in a 1:1 chat).';
      if (!place.address) throw new AppError(ErrorCodes.InputInvalid, 'This conversation cannot be used for approval cards.', { expected: true });
      await deps.settings.put('approvalsChannel', { address: place.address, setBy: actor, setAt: deps.clock.now() }, stored?.etag);
      await deps.audit?.({ actorId: actor, action: 'approvalsChannel.set', channel: 'chat', target: 'approvalsChannel', from: stored?.value ? 'a channel' : 'none', to: `conversation ${place.address.conversationId}` });
      return 'Approval cards will also be posted in this channel. Approvers see the buttons; everyone else sees the status.';
    },
  };
}

export type ExceptionWorkflow = ReturnType<typeof createExceptionWorkflow>;
