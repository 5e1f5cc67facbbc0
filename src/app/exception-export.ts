import { slaStatus, type BusinessCalendar, type SlaStatus } from '../domain/calendar';
import { effectiveStatus, type AuditEntry, type ExceptionRequest } from '../domain/exception';
import { toCsv, type CsvCell, type CsvOptions } from './csv';

/**
 * The admin exports: every request, and every audit entry, as CSV for Excel. Pure: the caller
 * reads the store and passes the calendar and the current time. Dates are ISO 8601 UTC.
 */

export type ExportKind = 'requests' | 'audit';

interface Column<T> {
  header: string;
  value: (row: T) => CsvCell;
}

interface RequestRow {
  request: ExceptionRequest;
  /** Present once the request was submitted to Microsoft. */
  sla?: SlaStatus;
  now: Date;
}

/**
 * The SLA of a request submitted to Microsoft: while Microsoft has not answered, as of `now`;
 * once the answer was recorded, as of that moment (breached then = answered late).
 */
export function exportSla(request: ExceptionRequest, calendar: BusinessCalendar, now: Date): SlaStatus | undefined {
  const submittedAt = request.submittedToMicrosoftAt;
  if (submittedAt === undefined) return undefined;
  const answered = request.status !== 'submittedToMicrosoft' ? request.answerRecordedAt : undefined;
  return slaStatus(calendar, submittedAt, answered ?? now);
}

const REQUEST_COLUMNS: readonly Column<RequestRow>[] = [
  { header: 'Request id', value: (r) => r.request.id },
  { header: 'Requester id', value: (r) => r.request.requesterId },
  { header: 'Requester UPN', value: (r) => r.request.requesterUpn },
  { header: 'Status', value: (r) => r.request.status },
  { header: 'Effective status', value: (r) => effectiveStatus(r.request, r.now) },
  { header: 'Reason category', value: (r) => r.request.fields.reasonCategory },
  { header: 'Technical description', value: (r) => r.request.fields.technicalDescription },
  { header: 'Blocked scenario', value: (r) => r.request.fields.blockedScenario },
  { header: 'Other scenario', value: (r) => r.request.fields.otherScenario },
  { header: 'Workaround tried', value: (r) => r.request.fields.workaroundTried },
  { header: 'Business impact', value: (r) => r.request.fields.businessImpact },
  { header: 'Affected', value: (r) => r.request.fields.affected },
  { header: 'Evidence', value: (r) => r.request.fields.evidence?.join('; ') },
  { header: 'Integration method', value: (r) => r.request.fields.integrationMethod },
  { header: 'Created at', value: (r) => r.request.createdAt },
  { header: 'Updated at', value: (r) => r.request.updatedAt },
  { header: 'Review round', value: (r) => r.request.reviewRound },
  { header: 'Submitted for review at', value: (r) => r.request.submittedForReviewAt },
  { header: 'Decided by', value: (r) => r.request.decidedBy },
  { header: 'Decided at', value: (r) => r.request.decidedAt },
  { header: 'Decision comment', value: (r) => r.request.decisionComment },
  { header: 'Withdrawn at', value: (r) => r.request.withdrawnAt },
  { header: 'Support case number', value: (r) => r.request.supportCaseNumber },
  { header: 'Submitted to Microsoft at', value: (r) => r.request.submittedToMicrosoftAt },
  { header: 'Submitted to Microsoft by', value: (r) => r.request.submittedToMicrosoftBy },
  { header: 'Granted until', value: (r) => r.request.grantedUntil },
  { header: 'Denied reason', value: (r) => r.request.deniedReason },
  { header: 'Answer recorded by', value: (r) => r.request.answerRecordedBy },
  { header: 'Answer recorded at', value: (r) => r.request.answerRecordedAt },
  { header: 'SLA announced', value: (r) => r.request.slaAnnounced },
  { header: 'SLA clock started at', value: (r) => r.sla?.clockStartedAt },
  { header: 'SLA due at', value: (r) => r.sla?.dueAt },
  { header: 'SLA state', value: (r) => r.sla?.state },
  { header: 'SLA business minutes left', value: (r) => r.sla?.businessMinutesLeft },
];

const AUDIT_COLUMNS: readonly Column<AuditEntry>[] = [
  { header: 'Request id', value: (e) => e.requestId },
  { header: 'At', value: (e) => e.at },
  { header: 'Actor', value: (e) => e.actor },
  { header: 'Action', value: (e) => e.action },
  { header: 'From', value: (e) => e.from },
  { header: 'To', value: (e) => e.to },
  { header: 'Comment', value: (e) => e.comment },
  { header: 'Case number', value: (e) => e.caseNumber },
  { header: 'Granted until', value: (e) => e.grantedUntil },
];

function tableCsv<T>(columns: readonly Column<T>[], rows: readonly T[], options: CsvOptions): string {
  return toCsv(
    columns.map((c) => c.header),
    rows.map((row) => columns.map((c) => c.value(row))),
    options,
  );
}

/** One row per request, in the order given. Excel-ready (BOM) unless `bom: false`. */
export function requestsCsv(
  requests: readonly ExceptionRequest[],
  context: { calendar: BusinessCalendar; now: Date },
  options: CsvOptions = { bom: true },
): string {
  const rows = requests.map((request) => ({ request, sla: exportSla(request, context.calendar, context.now), now: context.now }));
  return tableCsv(REQUEST_COLUMNS, rows, options);
}

/** One row per audit entry, in the order given (the store lists them oldest first). */
export function auditCsv(entries: readonly AuditEntry[], options: CsvOptions = { bom: true }): string {
  return tableCsv(AUDIT_COLUMNS, entries, options);
}

function pad(n: number): string {
  return String(n).padStart(2, '0');
}

/** `mfa-shepherd-requests-20250303-0915.csv` (UTC). */
export function exportFilename(kind: ExportKind, at: Date): string {
  const stamp = `${at.getUTCFullYear()}${pad(at.getUTCMonth() + 1)}${pad(at.getUTCDate())}-${pad(at.getUTCHours())}${pad(at.getUTCMinutes())}`;
  return `mfa-shepherd-${kind}-${stamp}.csv`;
}
