import type { SlaState } from '../domain/calendar';
import {
  BLOCKED_SCENARIO_LABELS,
  CASE_NUMBER_MAX,
  COMMENT_MAX,
  describeAuditEntry,
  EVIDENCE_LABELS,
  INTEGRATION_METHOD_LABELS,
  REASON_CATEGORY_LABELS,
  REQUESTED_DURATION_LABELS,
  SUBJECT_KIND_LABELS,
  STATUS_LABELS,
  type DraftFields,
} from '../domain/exception';
import { formatCount, reasonLabel } from './exception-cards';
import type {
  PartnerIdentity,
  ExceptionExportModel,
  ExceptionHistoryModel,
  MyRequestsModel,
  RecordAnswerModel,
  SlaAlertModel,
  SlaItemModel,
  SlaListModel,
  SubmissionPack,
  SubmissionPackModel,
} from './exception-models';
import { renderTemplate, setInputValues, type AdaptiveCard } from './render';
import { clip, safeIdentifier, safeMultiline, safeText, safeUrl } from './text';
import { readerTime } from './time';
import packTemplate from './templates/exception-pack.json';
import answerTemplate from './templates/exception-answer.json';
import slaTemplate from './templates/exception-sla.json';
import slaAlertTemplate from './templates/exception-sla-alert.json';
import historyTemplate from './templates/exception-history.json';
import myRequestsTemplate from './templates/exception-my-requests.json';
import exportTemplate from './templates/exception-export.json';

const NAME_MAX = 200;
const UPN_MAX = 320;
/** The description in the pack card: every field at its domain maximum fits (about 9,500 characters). */
const PACK_DESCRIPTION_MAX = 12_000;
/**
 * What the description may take of Teams' 28 KB, as UTF-8 JSON. Ordinary text at the domain's
 * limits needs about 10 KB; text made of Markdown characters or backslashes grows 2-4 times when
 * escaped, and is then cut further (with the note) rather than making the card undeliverable.
 */
const PACK_DESCRIPTION_BYTES = 18_000;
export const SLA_ITEMS_SHOWN = 25;
export const HISTORY_ENTRIES_SHOWN = 50;
export const MY_REQUESTS_SHOWN = 15;

/** Partner Center's support request issue type for an MFA technical exception. */
export const MFA_EXCEPTION_ISSUE_TYPE = 'MFA - Request for exception';

const requestIdOf = (id: string): string => safeIdentifier(id, 100);

// ─── 6. The submission pack ──────────────────────────────────────────────────────────────────────

/**
 * The Partner Center support request, as plain text, from the approved draft: every field filled,
 * "Not given" where the draft has nothing. User text stays literal (this is what is pasted). It
 * carries what Microsoft's form asks for: the partner tenant id and Partner ID, a contact, the
 * account or integration concerned, the MFA provider or product, the duration asked for, and the
 * evidence links.
 */
export function buildSubmissionPack(input: { requesterName: string; requesterUpn: string; fields: DraftFields; partner?: PartnerIdentity }): SubmissionPack {
  const f = input.fields;
  const requester = input.requesterUpn.trim() === '' ? input.requesterName.trim() : `${input.requesterName.trim()} (${input.requesterUpn.trim()})`;
  const forOther = f.subjectKind !== undefined && f.subjectKind !== 'self';
  const who = forOther ? `${SUBJECT_KIND_LABELS[f.subjectKind ?? 'self'].replace(/^A(n)? /, '')}: ${f.subjectName?.trim() || 'Not given'}` : requester;
  const links = (f.evidenceLinks ?? []).map((l) => `- ${l}`);
  const given = (text: string | undefined): string => (text === undefined || text.trim() === '' ? 'Not given' : text.trim());
  const scenario = f.blockedScenario
    ? BLOCKED_SCENARIO_LABELS[f.blockedScenario] + (f.blockedScenario === 'other' && f.otherScenario ? `: ${f.otherScenario.trim()}` : '')
    : 'Not given';
  const evidence = (f.evidence ?? []).map((e) => `- ${EVIDENCE_LABELS[e]}`);
  const lines = [
    'We request a technical exception to the MFA requirement for Partner Center: MFA is technically impossible for the account below, as described.',
    '',
    `Partner tenant ID: ${input.partner?.tenantId.trim() || 'Not given'}`,
    `Partner ID (MPN ID): ${input.partner?.partnerId?.trim() || 'Not configured: find it in Partner Center under Account settings, Identifiers'}`,
    `Contact: ${f.contact?.trim() || requester || 'Not given'}`,
    `Affected ${forOther ? '' : 'account: '}${who || 'Not given'}`,
    ...(forOther ? [`Requested by: ${requester || 'Not given'} (admin)`] : []),
    `Reason: ${f.reasonCategory ? REASON_CATEGORY_LABELS[f.reasonCategory] : 'Not given'}`,
    `Blocked scenario: ${scenario}`,
    ...(f.integrationMethod ? [`Integration method of the third-party MFA provider: ${INTEGRATION_METHOD_LABELS[f.integrationMethod]}`] : []),
    `MFA provider or product: ${given(f.mfaProduct)}`,
    `Requested duration: ${f.requestedDuration ? REQUESTED_DURATION_LABELS[f.requestedDuration] : 'Not given'}`,
    '',
    'Technical description:',
    given(f.technicalDescription),
    '',
    'Workaround tried, and why it fails:',
    given(f.workaroundTried),
    '',
    'Business impact:',
    given(f.businessImpact),
    '',
    'Affected users or integrations:',
    given(f.affected),
    '',
    'Evidence we can provide on request:',
    ...(evidence.length > 0 ? evidence : ['Not given']),
    '',
    'Attachments and evidence links:',
    ...(links.length > 0 ? links : ['Not given']),
  ];
  const reason = f.reasonCategory ? REASON_CATEGORY_LABELS[f.reasonCategory] : 'technical exception';
  return {
    issueType: MFA_EXCEPTION_ISSUE_TYPE,
    title: `MFA technical exception for ${(forOther ? f.subjectName?.trim() : undefined) || input.requesterUpn.trim() || input.requesterName.trim() || 'a user'}: ${reason}`,
    description: lines.join('\n'),
  };
}

const jsonBytes = (text: string): number => Buffer.byteLength(JSON.stringify(text), 'utf8');

/** `safeMultiline(text)`, cut until it takes at most `budget` bytes as JSON; and whether it was cut. */
function fitMultiline(text: string, maxChars: number, budget: number): { text: string; cut: boolean } {
  let max = maxChars;
  let escaped = safeMultiline(text, max);
  while (jsonBytes(escaped) > budget && max > 1) {
    max = Math.max(1, Math.floor((max * budget) / jsonBytes(escaped) * 0.95));
    escaped = safeMultiline(text, max);
  }
  return { text: escaped, cut: Array.from(text.trim()).length > max };
}

/** To the admin after approval: the ready-to-paste request, the case number input, "Record as submitted". */
export function submissionPackCard(model: SubmissionPackModel): AdaptiveCard {
  const description = model.pack.description;
  const length = Array.from(description).length;
  const fitted = fitMultiline(description, PACK_DESCRIPTION_MAX, PACK_DESCRIPTION_BYTES);
  const error = safeText(model.error, 400);
  const card = renderTemplate('exception-pack', packTemplate, {
    requestId: requestIdOf(model.requestId),
    requesterName: safeText(model.requesterName, NAME_MAX) || 'Unknown user',
    requesterUpn: safeText(model.requesterUpn, UPN_MAX),
    approvedByName: safeText(model.approvedByName, NAME_MAX) || 'an approver',
    approvedAtText: readerTime(model.approvedAt, model.readerZone, model.locale),
    issueType: safeText(model.pack.issueType, 100),
    title: safeText(model.pack.title, 300),
    description: fitted.text,
    packNote: `the full description has ${formatCount(length)} characters.`,
    hasPackNote: fitted.cut,
    error,
    hasError: error !== '',
    caseNumberMax: CASE_NUMBER_MAX,
  });
  return setInputValues('exception-pack', card, { caseNumber: clip(model.caseNumber?.trim() ?? '', CASE_NUMBER_MAX) });
}

// ─── 7. Microsoft's answer ───────────────────────────────────────────────────────────────────────

/** To admins once filed: Granted (optional end date) or Denied (reason required). */
export function recordAnswerCard(model: RecordAnswerModel): AdaptiveCard {
  const errorOf = (field: string): string => safeText(model.errors?.find((e) => e.field === field)?.message, 400);
  const endDateError = errorOf('endDate');
  const reviewDateError = errorOf('reviewDate');
  const reasonError = errorOf('reason');
  const card = renderTemplate('exception-answer', answerTemplate, {
    requestId: requestIdOf(model.requestId),
    requesterName: safeText(model.requesterName, NAME_MAX) || 'Unknown user',
    requesterUpn: safeText(model.requesterUpn, UPN_MAX),
    caseNumber: safeText(model.caseNumber, 60),
    submittedText: readerTime(model.submittedAt, model.readerZone, model.locale),
    dueText: model.dueAt ? readerTime(model.dueAt, model.readerZone, model.locale) : '',
    hasDue: model.dueAt !== undefined,
    endDateError,
    hasEndDateError: endDateError !== '',
    reviewDateError,
    hasReviewDateError: reviewDateError !== '',
    reasonError,
    hasReasonError: reasonError !== '',
    reasonMax: COMMENT_MAX,
  });
  const endDate = model.endDate?.trim() ?? '';
  const reviewDate = model.reviewDate?.trim() ?? '';
  return setInputValues('exception-answer', card, {
    endDate: /^\d{4}-\d{2}-\d{2}$/.test(endDate) ? endDate : '',
    reviewDate: /^\d{4}-\d{2}-\d{2}$/.test(reviewDate) ? reviewDate : '',
    noEndDate: model.noEndDate === true ? 'true' : 'false',
    reason: clip(model.deniedReason ?? '', COMMENT_MAX),
  });
}

// ─── 8. SLA ──────────────────────────────────────────────────────────────────────────────────────

const URGENCY: Record<SlaState, number> = { breached: 0, dueToday: 1, dueSoon: 2, onTrack: 3 };
const STATE_WORD: Record<SlaState, string> = { onTrack: 'On track', dueSoon: 'Due soon', dueToday: 'Due today', breached: 'Breached' };
const STATE_COLOR: Record<SlaState, string> = { onTrack: 'Good', dueSoon: 'Warning', dueToday: 'Warning', breached: 'Attention' };

/** Business minutes as "3 h 20 min", "45 min". */
function hoursText(minutes: number): string {
  const m = Math.abs(Math.trunc(minutes));
  const h = Math.floor(m / 60);
  const rest = m % 60;
  if (h === 0) return `${rest} min`;
  return rest === 0 ? `${h} h` : `${h} h ${rest} min`;
}

/** "12 h 30 min of business time left", "no business time left", "overdue by 2 h of business time". */
export function businessTimeLeftText(minutes: number): string {
  if (!Number.isFinite(minutes)) return 'business time left unknown';
  if (minutes < 0) return `overdue by ${hoursText(minutes)} of business time`;
  if (Math.trunc(minutes) === 0) return 'no business time left';
  return `${hoursText(minutes)} of business time left`;
}

/** Most urgent first: breached, due today, due soon, on track; then the least time left. */
export function sortByUrgency<T extends Pick<SlaItemModel, 'state' | 'businessMinutesLeft'>>(items: readonly T[]): T[] {
  return [...items].sort((a, b) => URGENCY[a.state] - URGENCY[b.state] || a.businessMinutesLeft - b.businessMinutesLeft);
}

const CLOCK_WORD = { microsoft: "Microsoft's answer", approval: 'Approval (your deadline)', filing: 'Filing with Microsoft (your deadline)' } as const;
const STARTED_WORD = { microsoft: 'filed with Microsoft', approval: 'submitted for review', filing: 'approved' } as const;

function slaItem(item: SlaItemModel, zone: string | undefined, locale: string | undefined): Record<string, string> {
  const clock = item.clock ?? 'microsoft';
  const caseNumber = safeText(item.caseNumber, 60) || 'unknown';
  return {
    clockWord: CLOCK_WORD[clock],
    caseText: clock === 'microsoft' ? ` · case ${caseNumber}` : '',
    startedWord: STARTED_WORD[clock],
    requestId: requestIdOf(item.requestId),
    requesterName: safeText(item.requesterName, NAME_MAX) || 'Unknown user',
    requesterUpn: safeText(item.requesterUpn, UPN_MAX),
    caseNumber: safeText(item.caseNumber, 60) || 'unknown',
    stateWord: STATE_WORD[item.state],
    stateColor: STATE_COLOR[item.state],
    leftText: businessTimeLeftText(item.businessMinutesLeft),
    dueText: readerTime(item.dueAt, zone, locale),
    submittedText: readerTime(item.submittedAt, zone, locale),
  };
}

/** `sla`: every running clock (approval, filing, Microsoft's answer), most urgent first, at most 25 then "and N more". */
export function slaListCard(model: SlaListModel): AdaptiveCard {
  const sorted = sortByUrgency(model.items);
  const shown = sorted.slice(0, SLA_ITEMS_SHOWN).map((item) => slaItem(item, model.readerZone, model.locale));
  const more = sorted.length - shown.length;
  return renderTemplate('exception-sla', slaTemplate, {
    approvalDays: formatCount(model.approvalBusinessDays ?? 2),
    items: shown,
    isEmpty: shown.length === 0,
    moreCount: formatCount(more),
    hasMore: more > 0,
  });
}

const ALERT_HEADLINE: Record<SlaState, string> = {
  onTrack: "Microsoft's answer is on track",
  dueSoon: "Microsoft's answer is due soon",
  dueToday: "Microsoft's answer is due today",
  breached: "Microsoft's answer is overdue",
};

/** An SLA state change, to the requester or the admins; to admins, a breach says how to escalate. */
export function slaAlertCard(model: SlaAlertModel): AdaptiveCard {
  const item = slaItem(model.item, model.readerZone, model.locale);
  const leftText = item['leftText'] ?? '';
  const breached = model.item.state === 'breached';
  return renderTemplate('exception-sla-alert', slaAlertTemplate, {
    ...item,
    leftText: leftText.charAt(0).toUpperCase() + leftText.slice(1),
    headline: ALERT_HEADLINE[model.item.state],
    showEscalation: breached && model.audience === 'admin',
    isRequesterBreached: breached && model.audience === 'requester',
    isAdmin: model.audience === 'admin',
    isRequester: model.audience === 'requester',
  });
}

// ─── 9. History, my requests, export ─────────────────────────────────────────────────────────────

const statusLabel = (s: keyof typeof STATUS_LABELS): string => {
  const label = STATUS_LABELS[s];
  return label.charAt(0).toUpperCase() + label.slice(1);
};

/** `history <request>`: the audit lines, oldest first, each with its time in the reader's zone. */
export function exceptionHistoryCard(model: ExceptionHistoryModel): AdaptiveCard {
  const nameOf = (id: string): string => {
    const name = Object.prototype.hasOwnProperty.call(model.names, id) ? model.names[id] : undefined;
    return name !== undefined && name.trim() !== '' ? name : id;
  };
  const sorted = model.entries
    .map((entry, index) => ({ entry, index }))
    .sort((a, b) => a.entry.at.getTime() - b.entry.at.getTime() || a.index - b.index)
    .map(({ entry }) => entry);
  const shown = sorted.slice(-HISTORY_ENTRIES_SHOWN);
  const omitted = sorted.length - shown.length;
  return renderTemplate('exception-history', historyTemplate, {
    requestId: requestIdOf(model.requestId),
    requesterName: safeText(model.requesterName, NAME_MAX) || 'Unknown user',
    statusLabel: STATUS_LABELS[model.status],
    entries: shown.map((entry) => ({
      timeText: readerTime(entry.at, model.readerZone, model.locale),
      text: safeText(describeAuditEntry(entry, nameOf), 700),
    })),
    isEmpty: shown.length === 0,
    omittedCount: formatCount(omitted),
    hasOmitted: omitted > 0,
  });
}

/** The user's own requests, newest first, each with Open; "New request" when allowed. */
export function myRequestsCard(model: MyRequestsModel): AdaptiveCard {
  const sorted = [...model.requests].sort((a, b) => b.updatedAt.getTime() - a.updatedAt.getTime());
  const shown = sorted.slice(0, MY_REQUESTS_SHOWN);
  const more = sorted.length - shown.length;
  return renderTemplate('exception-my-requests', myRequestsTemplate, {
    requests: shown.map((r) => ({
      requestId: requestIdOf(r.requestId),
      statusLabel: statusLabel(r.status),
      reasonLabel: safeText(reasonLabel(r.reasonCategory), 200),
      updatedText: readerTime(r.updatedAt, model.readerZone, model.locale),
    })),
    isEmpty: shown.length === 0,
    moreCount: formatCount(more),
    hasMore: more > 0,
    canStartNew: model.canStartNew === true,
  });
}

/** Admins: the two CSV downloads (http(s) links only; a bad one is left out and the card says so). */
export function exceptionExportCard(model: ExceptionExportModel): AdaptiveCard {
  const requestsUrl = safeUrl(model.requestsCsvUrl);
  const auditUrl = safeUrl(model.auditCsvUrl);
  return renderTemplate('exception-export', exportTemplate, {
    requestsCsvUrl: requestsUrl ?? '',
    auditCsvUrl: auditUrl ?? '',
    hasRequestsUrl: requestsUrl !== undefined,
    hasAuditUrl: auditUrl !== undefined,
    hasNoUrls: requestsUrl === undefined && auditUrl === undefined,
    expiresText: model.expiresAt ? readerTime(model.expiresAt, model.readerZone, model.locale) : '',
    hasExpires: model.expiresAt !== undefined,
  });
}
