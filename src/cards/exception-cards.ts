import {
  BLOCKED_SCENARIO_LABELS,
  BLOCKED_SCENARIOS,
  COMMENT_MAX,
  DRAFT_FIELD_LABELS,
  DRAFT_LIMITS,
  EVIDENCE_ITEMS,
  EVIDENCE_LABELS,
  INTEGRATION_METHOD_LABELS,
  INTEGRATION_METHODS,
  NOT_ACCEPTED_CATEGORIES,
  REASON_CATEGORIES,
  REASON_CATEGORY_LABELS,
  REQUESTED_DURATION_LABELS,
  REQUESTED_DURATIONS,
  SUBJECT_KIND_LABELS,
  SUBJECT_KINDS,
  EVIDENCE_LINKS_MAX,
  EVIDENCE_LINK_MAX,
  unacceptableReason,
  type DraftFields,
  type ReasonCategory,
} from '../domain/exception';
import type {
  ExceptionApprovalModel,
  ExceptionFormModel,
  ExceptionNotAcceptedModel,
  ExceptionOutcomeModel,
  ExceptionReasonModel,
  RequesterOutcome,
  ReviewOutcome,
} from './exception-models';
import { renderTemplate, setInputValues, type AdaptiveCard } from './render';
import { clip, plural, safeIdentifier, safeText } from './text';
import { readerTime } from './time';
import reasonTemplate from './templates/exception-reason.json';
import notAcceptedTemplate from './templates/exception-not-accepted.json';
import formTemplate from './templates/exception-form.json';
import approvalTemplate from './templates/exception-approval.json';
import outcomeTemplate from './templates/exception-outcome.json';

/** Teams shows a user-specific view (`refresh.userIds`) to at most 60 users. */
export const MAX_REFRESH_USERS = 60;
/** At most this many problems are listed in the form's summary (each also shows beside its field). */
const ERRORS_LISTED = 12;
const NAME_MAX = 200;
const UPN_MAX = 320;

/** How much of each field the approval card shows; the rest is announced by a "shortened" note. */
export const APPROVAL_DISPLAY_MAX = {
  technicalDescription: 2000,
  otherScenario: 300,
  workaroundTried: 1000,
  businessImpact: 1000,
  affected: 600,
} as const;

const NOT_ACCEPTED_MARK = " (Microsoft won't accept this)";

/** The reason choices, in the domain's order: the accepted ones first, each refused one marked. */
function reasonChoices(): { title: string; value: string }[] {
  return REASON_CATEGORIES.map((value) => ({
    title: REASON_CATEGORY_LABELS[value] + (unacceptableReason(value) === undefined ? '' : NOT_ACCEPTED_MARK),
    value,
  }));
}

export function reasonLabel(category: string | undefined): string {
  return category !== undefined && Object.prototype.hasOwnProperty.call(REASON_CATEGORY_LABELS, category)
    ? REASON_CATEGORY_LABELS[category as ReasonCategory]
    : 'No reason chosen yet';
}

/** A known choice, or '' (a tampered or stale value is not shown as selected). */
function knownChoice(choices: readonly string[], value: string | undefined): string {
  const v = value?.trim() ?? '';
  return choices.includes(v) ? v : '';
}

function requestIdOf(id: string | undefined): string {
  return safeIdentifier(id, 100);
}

function round(n: number): number {
  return Number.isFinite(n) ? Math.max(0, Math.trunc(n)) : 0;
}

// ─── 1. The reason step ──────────────────────────────────────────────────────────────────────────

/** Step 1 of a request: the reason first, with what Microsoft will not accept listed plainly. */
export function exceptionReasonCard(model: ExceptionReasonModel): AdaptiveCard {
  const error = safeText(model.error, 300);
  return renderTemplate('exception-reason', reasonTemplate, {
    requestId: requestIdOf(model.requestId),
    selected: knownChoice(REASON_CATEGORIES, model.selected),
    reasons: reasonChoices(),
    notAccepted: NOT_ACCEPTED_CATEGORIES.map((c) => ({ label: REASON_CATEGORY_LABELS[c] })),
    error,
    hasError: error !== '',
  });
}

// ─── 2. Not accepted ─────────────────────────────────────────────────────────────────────────────

/** The chosen reason cannot succeed: Microsoft's explanation, the MFA walkthrough, or another reason. */
export function exceptionNotAcceptedCard(model: ExceptionNotAcceptedModel): AdaptiveCard {
  const explanation = unacceptableReason(model.reasonCategory) ?? 'Microsoft may not accept this reason.';
  return renderTemplate('exception-not-accepted', notAcceptedTemplate, {
    requestId: requestIdOf(model.requestId),
    reasonLabel: safeText(reasonLabel(model.reasonCategory), 200),
    explanation: safeText(explanation, 600),
  });
}

// ─── 3. The form ─────────────────────────────────────────────────────────────────────────────────

type TextField = keyof typeof DRAFT_LIMITS;
/** What the form's text inputs may take of Teams' 28 KB together, as UTF-8 JSON. */
const FORM_VALUES_BYTES = 18_000;
const jsonBytes = (text: string): number => Buffer.byteLength(JSON.stringify(text), 'utf8');

/** Cut every value by the same share until together they take at most `budget` bytes as JSON. */
function fitInputs(values: Record<string, string>, budget: number): void {
  const total = (): number => Object.values(values).reduce((sum, v) => sum + jsonBytes(v), 0);
  for (let size = total(); size > budget; size = total()) {
    const share = (budget / size) * 0.98;
    for (const [key, value] of Object.entries(values)) {
      const points = Array.from(value);
      values[key] = points.slice(0, Math.floor(points.length * share)).join('');
    }
  }
}
const TEXT_FIELDS: readonly TextField[] = ['technicalDescription', 'otherScenario', 'workaroundTried', 'businessImpact', 'affected', 'mfaProduct', 'contact'];
const FORM_FIELDS = [
  'reasonCategory',
  'technicalDescription',
  'blockedScenario',
  'otherScenario',
  'workaroundTried',
  'businessImpact',
  'affected',
  'evidence',
  'integrationMethod',
  'mfaProduct',
  'requestedDuration',
  'contact',
  'evidenceLinks',
] as const;
/** The evidence links input: every link at its maximum, one per line. */
const EVIDENCE_LINKS_INPUT_MAX = EVIDENCE_LINKS_MAX * (EVIDENCE_LINK_MAX + 1);

const capitalized = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);
const codePoints = (s: string): number => Array.from(s).length;
/** 10000 → "10,000", whatever the machine's locale. */
export const formatCount = (n: number): string => String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');

/**
 * The justification form. What was typed comes back in the inputs unchanged (set after expansion,
 * see `setInputValues`), cut only to each field's maximum length (the input's maxLength; a note
 * says so). Each error shows beside its field and in a summary at the top.
 */
export function exceptionFormCard(model: ExceptionFormModel): AdaptiveCard {
  const values = model.values;
  const data: Record<string, string | boolean | number | object> = {};

  // Errors: the first per field beside it, all of them (bounded) in the summary.
  const byField = new Map<string, string>();
  for (const e of model.errors) if (!byField.has(e.field)) byField.set(e.field, e.message);
  for (const field of FORM_FIELDS) {
    const message = safeText(byField.get(field), 400);
    data[`${field}Error`] = message;
    data[`has${capitalized(field)}Error`] = message !== '';
  }
  const listed = model.errors.slice(0, ERRORS_LISTED).map((e) => ({ text: safeText(e.message, 400) }));
  const more = model.errors.length - listed.length;
  if (more > 0) listed.push({ text: `and ${plural(more, 'more problem', 'more problems')}` });

  // Text inputs: kept as typed, cut to the field's maximum (a note says so), then, if all of them
  // together would not fit in a Teams card (long text in a script of 3-4 bytes a character), the
  // longest cut further: a card Teams refuses to deliver would lose the whole form.
  const inputValues: Record<string, string> = {};
  const lengths: Partial<Record<TextField, number>> = {};
  for (const field of TEXT_FIELDS) {
    const value = values[field];
    const raw = typeof value === 'string' ? value : '';
    lengths[field] = codePoints(raw);
    inputValues[field] = Array.from(raw).slice(0, DRAFT_LIMITS[field].max).join('');
  }
  const links = values.evidenceLinks;
  inputValues['evidenceLinks'] = Array.from(typeof links === 'string' ? links : (links ?? []).join('\n')).slice(0, EVIDENCE_LINKS_INPUT_MAX).join('');
  fitInputs(inputValues, FORM_VALUES_BYTES);
  for (const field of TEXT_FIELDS) {
    const length = lengths[field] ?? 0;
    const shownLength = codePoints(inputValues[field] ?? '');
    const cut = shownLength < length;
    const why = shownLength < DRAFT_LIMITS[field].max ? 'to fit in a Teams card' : 'the most this field takes';
    data[`${field}Note`] = cut
      ? `Shown cut to ${formatCount(shownLength)} characters, ${why}: the text had ${formatCount(length)}. Shorten it before you save, or the rest is lost.`
      : '';
    data[`has${capitalized(field)}Note`] = cut;
  }

  const message = safeText(model.message, 600);
  const success = message !== '' && model.messageIsSuccess === true;
  const evidence = [...new Set((values.evidence ?? []).map((e) => knownChoice(EVIDENCE_ITEMS, e)).filter((e) => e !== ''))];
  const changes = model.changesRequested;
  const subjectKind = knownChoice(SUBJECT_KINDS, values.subjectKind);
  const card = renderTemplate('exception-form', formTemplate, {
    ...data,
    requestId: requestIdOf(model.requestId),
    round: round(model.round),
    statusText: changes ? 'changes requested' : 'draft',
    limits: Object.fromEntries(TEXT_FIELDS.map((f) => [f, DRAFT_LIMITS[f].max])),
    reasons: reasonChoices(),
    reasonCategory: knownChoice(REASON_CATEGORIES, values.reasonCategory),
    scenarios: BLOCKED_SCENARIOS.map((value) => ({ title: BLOCKED_SCENARIO_LABELS[value], value })),
    blockedScenario: knownChoice(BLOCKED_SCENARIOS, values.blockedScenario),
    evidenceChoices: EVIDENCE_ITEMS.map((value) => ({ title: EVIDENCE_LABELS[value], value })),
    evidence: evidence.join(','),
    methods: INTEGRATION_METHODS.map((value) => ({ title: INTEGRATION_METHOD_LABELS[value], value })),
    integrationMethod: knownChoice(INTEGRATION_METHODS, values.integrationMethod),
    durations: REQUESTED_DURATIONS.map((value) => ({ title: REQUESTED_DURATION_LABELS[value], value })),
    requestedDuration: knownChoice(REQUESTED_DURATIONS, values.requestedDuration),
    evidenceLinksMax: EVIDENCE_LINKS_INPUT_MAX,
    hasSubject: subjectKind !== '' && subjectKind !== 'self',
    subjectText: subjectKind !== '' && subjectKind !== 'self' ? `${SUBJECT_KIND_LABELS[subjectKind as keyof typeof SUBJECT_KIND_LABELS].toLowerCase()} ${safeText(values.subjectName, 200)}` : '',
    hasChangesRequested: changes !== undefined,
    changesByName: safeText(changes?.byName, NAME_MAX),
    changesAtText: changes ? readerTime(changes.at, model.readerZone, model.locale) : '',
    changesComment: safeText(changes?.comment, COMMENT_MAX),
    message,
    hasSuccessMessage: success,
    hasErrorMessage: message !== '' && !success,
    hasErrors: model.errors.length > 0,
    hasErrorsOrErrorMessage: model.errors.length > 0 || (message !== '' && !success),
    errorCountText: `Please fix ${plural(model.errors.length, 'problem', 'problems')}:`,
    errorList: listed,
    savedAtText: model.savedAt ? readerTime(model.savedAt, model.readerZone, model.locale) : '',
    hasSavedAt: model.savedAt !== undefined,
    canWithdraw: model.canWithdraw === true,
  });
  return setInputValues('exception-form', card, inputValues);
}

// ─── 4. The approval card ────────────────────────────────────────────────────────────────────────

export interface ShownField {
  label: string;
  text: string;
  note: string;
  hasNote: boolean;
}

/** One field as a card shows it: escaped, clipped to `max`, with a note when clipped. */
function shown(label: string, text: string | undefined, max: number): ShownField {
  const full = text?.trim() ?? '';
  const length = codePoints(full);
  const cut = length > max;
  return {
    label,
    text: full === '' ? 'Not given' : safeText(full, max),
    note: cut ? `Shortened for this card: the full text has ${formatCount(length)} characters.` : '',
    hasNote: cut,
  };
}

/** The draft's fields, in form order, as an approver reads them. */
export function shownFields(fields: DraftFields): ShownField[] {
  const L = DRAFT_FIELD_LABELS;
  const scenario = fields.blockedScenario ? BLOCKED_SCENARIO_LABELS[fields.blockedScenario] : undefined;
  const list: ShownField[] = [
    shown(L.reasonCategory, fields.reasonCategory ? REASON_CATEGORY_LABELS[fields.reasonCategory] : undefined, 300),
    shown(L.blockedScenario, scenario, 300),
  ];
  if (fields.subjectKind && fields.subjectKind !== 'self') list.unshift(shown(L.subjectKind, `${SUBJECT_KIND_LABELS[fields.subjectKind]}: ${fields.subjectName ?? ''}`, 230));
  if (fields.blockedScenario === 'other' || fields.otherScenario) list.push(shown(L.otherScenario, fields.otherScenario, APPROVAL_DISPLAY_MAX.otherScenario));
  list.push(
    shown(L.technicalDescription, fields.technicalDescription, APPROVAL_DISPLAY_MAX.technicalDescription),
    shown('Workaround tried, and why it fails', fields.workaroundTried, APPROVAL_DISPLAY_MAX.workaroundTried),
    shown(L.businessImpact, fields.businessImpact, APPROVAL_DISPLAY_MAX.businessImpact),
    shown(L.affected, fields.affected, APPROVAL_DISPLAY_MAX.affected),
    shown('Evidence they can provide', (fields.evidence ?? []).map((e) => EVIDENCE_LABELS[e]).join('; '), 1000),
  );
  if (fields.integrationMethod) list.push(shown(L.integrationMethod, INTEGRATION_METHOD_LABELS[fields.integrationMethod], 100));
  // Kept short here (Teams' 28 KB): the submission pack carries them in full.
  if (fields.mfaProduct) list.push(shown(L.mfaProduct, fields.mfaProduct, 150));
  if (fields.requestedDuration) list.push(shown(L.requestedDuration, REQUESTED_DURATION_LABELS[fields.requestedDuration], 100));
  if (fields.contact) list.push(shown(L.contact, fields.contact, 150));
  if (fields.evidenceLinks?.length) list.push(shown(`${L.evidenceLinks} (${fields.evidenceLinks.length})`, fields.evidenceLinks.join('\n'), 600));
  return list;
}

const DECISION_TEXT: Record<ReviewOutcome, { label: string; what: string; style: string; commentLabel: string }> = {
  approved: { label: 'Approved', what: 'approved it', style: 'good', commentLabel: 'Comment' },
  rejected: { label: 'Rejected', what: 'rejected it', style: 'attention', commentLabel: 'Reason' },
  changesRequested: { label: 'Changes requested', what: 'requested changes', style: 'warning', commentLabel: 'What to change' },
};

/** The approvers' user ids for `refresh.userIds`: trimmed, without duplicates, at most 60. */
export function refreshUserIds(ids: readonly string[]): string[] {
  return [...new Set(ids.map((id) => id.trim()).filter((id) => id !== ''))].slice(0, MAX_REFRESH_USERS);
}

/**
 * The approval card, in one of four views (see ExceptionApprovalModel). While the request waits, the
 * card carries `refresh` (Action.Execute `exc.approval.refresh`, userIds = the approvers): Teams asks
 * the bot for each approver's view, everyone else keeps the status view. Once decided, `refresh` is
 * left out and the card is the same for everyone.
 */
export function exceptionApprovalCard(model: ExceptionApprovalModel): AdaptiveCard {
  const view = model.view;
  const decided = view === 'decided' || view === 'alreadyDecided';
  const decision = decided ? model.decision : undefined;
  const text = decision ? DECISION_TEXT[decision.outcome] : undefined;
  const r = round(model.round);
  const userIds = decided ? [] : refreshUserIds(model.refreshUserIds);
  const decisionComment = safeText(decision?.comment, 600);
  const error = view === 'approver' ? safeText(model.error, 600) : '';
  const decisionNext =
    decision?.outcome === 'approved'
      ? 'Next: an admin files it with Microsoft.'
      : decision?.outcome === 'rejected'
        ? 'The requester has been told.'
        : `The requester can edit it and submit it again; it comes back for review as round ${r + 1}.`;
  const approvals = model.approvals ?? [];
  const required = Math.max(1, model.approvalsRequired ?? 1);
  const approvalsLine =
    approvals.length === 0 || (required === 1 && decided)
      ? ''
      : `Approved by ${approvals.map((a) => `${safeText(a.byName, NAME_MAX) || 'an approver'} (${readerTime(a.at)})`).join(' and ')}: ${approvals.length} of ${required} approvals${approvals.length < required ? `, waiting for ${required - approvals.length} more` : ''}.`;
  const card = renderTemplate('exception-approval', approvalTemplate, {
    approvalsLine,
    hasApprovalsLine: approvalsLine !== '',
    requestId: requestIdOf(model.requestId),
    round: r,
    requesterName: safeText(model.requesterName, NAME_MAX) || 'Unknown user',
    requesterUpn: safeText(model.requesterUpn, UPN_MAX),
    submittedText: readerTime(model.submittedAt),
    fields: shownFields(model.fields).map((f) => ({ label: f.label, text: f.text, note: f.note, hasNote: f.hasNote })),
    isApproverView: view === 'approver',
    isStatusView: view === 'status',
    isAlreadyDecided: view === 'alreadyDecided' && decision !== undefined,
    hasDecision: decision !== undefined,
    decisionLabel: text?.label ?? '',
    decidedWhat: text?.what ?? '',
    decisionStyle: text?.style ?? 'default',
    decidedByName: safeText(decision?.byName, NAME_MAX) || 'An approver',
    decidedAtText: decision ? readerTime(decision.at) : '',
    decisionComment,
    hasDecisionComment: decisionComment !== '',
    decisionCommentLabel: text?.commentLabel ?? 'Comment',
    decisionNext,
    error,
    hasError: error !== '',
    commentMax: COMMENT_MAX,
    hasRefresh: !decided && userIds.length > 0,
    refreshUserIds: userIds,
  });
  // Templating leaves `refresh: null` when its $when is false: drop it.
  if (card['refresh'] === null || card['refresh'] === undefined) delete card['refresh'];
  return view === 'approver' ? setInputValues('exception-approval', card, { comment: clip(model.comment ?? '', COMMENT_MAX) }) : card;
}

// ─── 5. The requester's outcomes ─────────────────────────────────────────────────────────────────

const OUTCOME_COMMENT_LABEL: Record<RequesterOutcome, string> = {
  approved: 'Comment',
  rejected: 'Reason',
  changesRequested: 'What to change',
  granted: 'Note',
  denied: "Microsoft's reason",
  withdrawn: 'Your note',
};

/** To the requester, 1:1: approved, rejected, changes requested, granted, denied or withdrawn. */
export function exceptionOutcomeCard(model: ExceptionOutcomeModel): AdaptiveCard {
  const o = model.outcome;
  const at = readerTime(model.at, model.readerZone, model.locale);
  const by = safeText(model.byName, NAME_MAX) || (o === 'granted' || o === 'denied' ? 'An admin' : 'An approver');
  const byText: Record<RequesterOutcome, string> = {
    approved: `${by} approved it on ${at}.`,
    rejected: `${by} rejected it on ${at}.`,
    changesRequested: `${by} asked for changes on ${at}.`,
    granted: `${by} recorded Microsoft's answer on ${at}.`,
    denied: `${by} recorded Microsoft's answer on ${at}.`,
    withdrawn: `You withdrew it on ${at}.`,
  };
  const comment = safeText(model.comment, COMMENT_MAX);
  const grantedUntil = o === 'granted' && model.grantedUntil !== undefined;
  return renderTemplate('exception-outcome', outcomeTemplate, {
    requestId: requestIdOf(model.requestId),
    reasonLabel: safeText(reasonLabel(model.reasonCategory), 200),
    byText: byText[o],
    comment,
    hasComment: comment !== '',
    commentLabel: OUTCOME_COMMENT_LABEL[o],
    nextRound: round(model.round) + 1,
    grantedUntilText: grantedUntil && model.grantedUntil ? readerTime(model.grantedUntil, model.readerZone, model.locale) : '',
    isApproved: o === 'approved',
    isRejected: o === 'rejected',
    isChangesRequested: o === 'changesRequested',
    isGranted: o === 'granted',
    isGrantedUntil: grantedUntil,
    isGrantedOpen: o === 'granted' && !grantedUntil,
    isDenied: o === 'denied',
    isWithdrawn: o === 'withdrawn',
    offersMfa: o === 'rejected' || o === 'denied' || o === 'withdrawn',
    offersMyRequests: o !== 'changesRequested',
  });
}
