import { auditCsv, exportFilename, requestsCsv } from '../../src/app/exception-export';
import { createBusinessCalendar } from '../../src/domain/calendar';
import type { AuditEntry, ExceptionRequest } from '../../src/domain/exception';
import { parseCsv } from './csv-parse';

/** London in March is UTC+0: 09:00–17:00 local is 09:00–17:00 UTC, Monday to Friday, no holidays. */
const calendar = createBusinessCalendar({ zone: 'Europe/London' });
const MONDAY_10 = new Date('2025-03-03T10:00:00.000Z');
const WEDNESDAY_10 = new Date('2025-03-05T10:00:00.000Z');

const HOSTILE = {
  formula: '=HYPERLINK("http://evil.example","click")',
  plus: '+cmd|" /C calc"!A0',
  quotes: 'He said "no", then left',
  lines: 'line one\r\nline two\nline three',
  template: '${process.env.SECRET} {{x}} [link](http://evil.example)',
  emoji: '👩🏽‍💻 ✅ 😀',
  long: 'é'.repeat(10_000),
};

function request(overrides: Partial<ExceptionRequest> = {}): ExceptionRequest {
  return {
    id: 'req-1',
    requesterId: 'user-1',
    requesterUpn: 'megan@contoso.example',
    status: 'draft',
    fields: {},
    createdAt: new Date('2025-03-01T08:00:00.000Z'),
    updatedAt: new Date('2025-03-01T08:00:00.000Z'),
    reviewRound: 0,
    ...overrides,
  };
}

/** The parsed export as one object per row, keyed by header. */
function records(csv: string): Record<string, string>[] {
  expect(csv.charCodeAt(0)).toBe(0xfeff);
  const [header, ...rows] = parseCsv(csv.slice(1));
  return rows.map((row) => {
    expect(row).toHaveLength(header?.length ?? 0);
    return Object.fromEntries((header ?? []).map((h, i) => [h, row[i] ?? '']));
  });
}

describe('requests export', () => {
  it('when requests hold hostile text, then every field comes back exactly, formulas neutralised, nothing truncated', () => {
    const csv = requestsCsv(
      [
        request({
          fields: {
            reasonCategory: 'other',
            technicalDescription: HOSTILE.long,
            otherScenario: HOSTILE.formula,
            workaroundTried: HOSTILE.lines,
            businessImpact: HOSTILE.template,
            affected: HOSTILE.emoji,
            evidence: ['vendorConfirmation', 'purchaseOrder'],
          },
          decisionComment: HOSTILE.quotes,
          deniedReason: HOSTILE.plus,
          requesterUpn: '@evil',
        }),
      ],
      { calendar, now: WEDNESDAY_10 },
    );

    const [row] = records(csv);
    expect(row?.['Technical description']).toBe(HOSTILE.long);
    expect(row?.['Other scenario']).toBe(`'${HOSTILE.formula}`);
    expect(row?.['Workaround tried']).toBe(HOSTILE.lines);
    expect(row?.['Business impact']).toBe(HOSTILE.template);
    expect(row?.['Affected']).toBe(HOSTILE.emoji);
    expect(row?.['Decision comment']).toBe(HOSTILE.quotes);
    expect(row?.['Denied reason']).toBe(`'${HOSTILE.plus}`);
    expect(row?.['Requester UPN']).toBe(`'@evil`);
    expect(row?.['Evidence']).toBe('vendorConfirmation; purchaseOrder');
  });

  it('when a request has every field, then each has a column, dates in ISO 8601 UTC', () => {
    const full = request({
      status: 'granted',
      fields: { reasonCategory: 'thirdPartyMfaCannotPassClaim', blockedScenario: 'portal', integrationMethod: 'federation' },
      reviewRound: 2,
      submittedForReviewAt: new Date('2025-03-01T09:00:00+01:00'),
      decidedBy: 'approver-1',
      decidedAt: new Date('2025-03-02T09:00:00.000Z'),
      withdrawnAt: new Date('2025-03-02T10:00:00.000Z'),
      supportCaseNumber: '2503030040001234',
      submittedToMicrosoftAt: MONDAY_10,
      submittedToMicrosoftBy: 'admin-1',
      grantedUntil: new Date('2025-03-04T00:00:00.000Z'),
      answerRecordedBy: 'admin-2',
      answerRecordedAt: new Date('2025-03-04T12:00:00.000Z'),
      slaAnnounced: 'dueSoon',
    });

    const [row] = records(requestsCsv([full], { calendar, now: WEDNESDAY_10 }));

    expect(row).toMatchObject({
      'Request id': 'req-1',
      'Requester id': 'user-1',
      Status: 'granted',
      'Effective status': 'expired',
      'Reason category': 'thirdPartyMfaCannotPassClaim',
      'Blocked scenario': 'portal',
      'Integration method': 'federation',
      'Created at': '2025-03-01T08:00:00.000Z',
      'Review round': '2',
      'Submitted for review at': '2025-03-01T08:00:00.000Z',
      'Decided by': 'approver-1',
      'Decided at': '2025-03-02T09:00:00.000Z',
      'Withdrawn at': '2025-03-02T10:00:00.000Z',
      'Support case number': '2503030040001234',
      'Submitted to Microsoft at': '2025-03-03T10:00:00.000Z',
      'Submitted to Microsoft by': 'admin-1',
      'Granted until': '2025-03-04T00:00:00.000Z',
      'Answer recorded by': 'admin-2',
      'Answer recorded at': '2025-03-04T12:00:00.000Z',
      'SLA announced': 'dueSoon',
    });
    expect(Object.keys(row ?? {})).toHaveLength(34);
  });

  it('when a request waits for Microsoft, then the SLA columns show the state now; 3 business days from Monday 10:00 is Thursday 10:00', () => {
    const waiting = request({ id: 'waiting', status: 'submittedToMicrosoft', submittedToMicrosoftAt: MONDAY_10 });
    const draft = request({ id: 'draft' });

    const [w, d] = records(requestsCsv([waiting, draft], { calendar, now: WEDNESDAY_10 }));

    // Wednesday 10:00 → Thursday 10:00 is one working day (8 h = 480 business minutes): due soon.
    expect(w).toMatchObject({
      'SLA clock started at': '2025-03-03T10:00:00.000Z',
      'SLA due at': '2025-03-06T10:00:00.000Z',
      'SLA state': 'dueSoon',
      'SLA business minutes left': '480',
    });
    expect([d?.['SLA clock started at'], d?.['SLA due at'], d?.['SLA state'], d?.['SLA business minutes left']]).toEqual(['', '', '', '']);
  });

  it('when Microsoft answered after the deadline, then the SLA columns show it breached as of the answer, not as of now', () => {
    const late = request({
      status: 'denied',
      submittedToMicrosoftAt: MONDAY_10,
      answerRecordedAt: new Date('2025-03-07T10:00:00.000Z'),
      deniedReason: 'Not a technical issue',
    });

    const [row] = records(requestsCsv([late], { calendar, now: new Date('2025-06-01T10:00:00.000Z') }));

    // Thursday 10:00 → Friday 10:00 is one working day late: −480 business minutes.
    expect(row).toMatchObject({ 'SLA state': 'breached', 'SLA business minutes left': '-480' });
  });

  it('when there are no requests, then the export is the header line only', () => {
    expect(records(requestsCsv([], { calendar, now: WEDNESDAY_10 }))).toEqual([]);
  });
});

describe('audit export', () => {
  it('when audit entries hold hostile comments, then there is one row per entry with every column, text exact and formulas neutralised', () => {
    const entries: AuditEntry[] = [
      { requestId: 'req-1', at: MONDAY_10, actor: 'user-1', from: 'draft', to: 'inReview', action: 'submitForReview' },
      {
        requestId: 'req-1',
        at: WEDNESDAY_10,
        actor: 'admin-1',
        from: 'inReview',
        to: 'rejected',
        action: 'reject',
        comment: `${HOSTILE.formula}\r\n${HOSTILE.quotes} ${HOSTILE.emoji} ${HOSTILE.template}`,
      },
      {
        requestId: 'req-2',
        at: WEDNESDAY_10,
        actor: 'admin-2',
        from: 'submittedToMicrosoft',
        to: 'granted',
        action: 'recordGranted',
        caseNumber: '-1',
        grantedUntil: new Date('2025-12-31T00:00:00.000Z'),
        comment: HOSTILE.long,
      },
    ];

    const rows = records(auditCsv(entries));

    expect(rows).toEqual([
      { 'Request id': 'req-1', At: '2025-03-03T10:00:00.000Z', Actor: 'user-1', Action: 'submitForReview', From: 'draft', To: 'inReview', Comment: '', 'Case number': '', 'Granted until': '' },
      {
        'Request id': 'req-1',
        At: '2025-03-05T10:00:00.000Z',
        Actor: 'admin-1',
        Action: 'reject',
        From: 'inReview',
        To: 'rejected',
        Comment: `'${HOSTILE.formula}\r\n${HOSTILE.quotes} ${HOSTILE.emoji} ${HOSTILE.template}`,
        'Case number': '',
        'Granted until': '',
      },
      {
        'Request id': 'req-2',
        At: '2025-03-05T10:00:00.000Z',
        Actor: 'admin-2',
        Action: 'recordGranted',
        From: 'submittedToMicrosoft',
        To: 'granted',
        Comment: HOSTILE.long,
        'Case number': `'-1`,
        'Granted until': '2025-12-31T00:00:00.000Z',
      },
    ]);
  });
});

describe('export file names', () => {
  it('when an export is named, then it carries the kind and the UTC minute', () => {
    expect(exportFilename('requests', new Date('2025-03-03T09:05:59.999+02:00'))).toBe('mfa-shepherd-requests-20250303-0705.csv');
    expect(exportFilename('audit', new Date('2025-12-31T23:59:00.000Z'))).toBe('mfa-shepherd-audit-20251231-2359.csv');
  });
});
