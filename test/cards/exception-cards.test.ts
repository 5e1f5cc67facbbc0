import {
  MAX_REFRESH_USERS,
  MFA_EXCEPTION_ISSUE_TYPE,
  Verbs,
  buildSubmissionPack,
  businessTimeLeftText,
  exceptionApprovalCard,
  exceptionExportCard,
  exceptionFormCard,
  exceptionHistoryCard,
  exceptionNotAcceptedCard,
  exceptionOutcomeCard,
  exceptionReasonCard,
  myRequestsCard,
  recordAnswerCard,
  slaAlertCard,
  slaListCard,
  submissionPackCard,
  type AdaptiveCard,
  type RequesterOutcome,
} from '../../src/cards';
import {
  DRAFT_FIELD_LABELS,
  DRAFT_LIMITS,
  EVIDENCE_LABELS,
  NOT_ACCEPTED_CATEGORIES,
  REASON_CATEGORIES,
  REASON_CATEGORY_LABELS,
  readDraft,
  unacceptableReason,
  type DraftInput,
} from '../../src/domain/exception';
import { TEAMS_CARD_BYTES, actionsOf, allText, bytes, elements, input, inputs, textsOf, titlesOf } from './card-inspect';
import { completeFields, exceptionSamples as s } from './exception-samples';

const VERBS: ReadonlySet<string> = new Set(Object.values(Verbs));

const executes = (card: AdaptiveCard) =>
  actionsOf(card)
    .filter((a) => a.type === 'Action.Execute')
    .map((a) => ({ verb: a.verb, data: a.data }));

const SETUP = { verb: Verbs.SetupMfa, data: { step: 1 } };
const REQ = { requestId: 'req-7f3a' };
const decision = { outcome: 'approved' as const, byName: 'Megan Bowen', at: new Date('2026-11-23T10:00:00Z'), comment: 'Looks right.' };

/** Every exception card, in every variant its templates branch on. */
const variants: [string, () => AdaptiveCard][] = [
  ['reason step', () => exceptionReasonCard({})],
  ['reason step, chosen before, with an error', () => exceptionReasonCard({ requestId: 'req-7f3a', selected: 'serviceAccount', error: 'Choose a reason.' })],
  ...NOT_ACCEPTED_CATEGORIES.map((c): [string, () => AdaptiveCard] => [`not accepted: ${c}`, () => exceptionNotAcceptedCard({ reasonCategory: c })]),
  ['form, complete draft', () => exceptionFormCard(s.form())],
  ['form, empty, cannot withdraw', () => exceptionFormCard(s.form({ values: {}, canWithdraw: false }))],
  ['form, saved', () => exceptionFormCard(s.form({ message: 'Draft saved.', messageIsSuccess: true, savedAt: new Date('2026-11-23T09:00:00Z') }))],
  ['form, refused with errors', () => exceptionFormCard(s.form({ values: { technicalDescription: 'short' }, errors: readDraft({ technicalDescription: 'short' }, 'complete').errors, message: 'Not submitted yet.' }))],
  ['form, changes requested', () => exceptionFormCard(s.form({ round: 1, changesRequested: { comment: 'Add the vendor ticket.', byName: 'Megan Bowen', at: new Date('2026-11-23T10:00:00Z') } }))],
  ['approval, approver view', () => exceptionApprovalCard(s.approval())],
  ['approval, approver view after a refused click', () => exceptionApprovalCard(s.approval({ comment: 'typed', error: 'A reason is required.' }))],
  ['approval, status view', () => exceptionApprovalCard(s.approval({ view: 'status' }))],
  ['approval, status view without approvers', () => exceptionApprovalCard(s.approval({ view: 'status', refreshUserIds: [] }))],
  ...(['approved', 'rejected', 'changesRequested'] as const).map((outcome): [string, () => AdaptiveCard] => [
    `approval, decided ${outcome}`,
    () => exceptionApprovalCard(s.approval({ view: 'decided', decision: { ...decision, outcome } })),
  ]),
  ['approval, decided without comment', () => exceptionApprovalCard(s.approval({ view: 'decided', decision: { ...decision, comment: undefined } }))],
  ['approval, already decided', () => exceptionApprovalCard(s.approval({ view: 'alreadyDecided', decision: { ...decision, outcome: 'rejected', comment: 'No.' } }))],
  ...(['approved', 'rejected', 'changesRequested', 'granted', 'denied', 'withdrawn'] as const).map((outcome): [string, () => AdaptiveCard] => [
    `outcome ${outcome}`,
    () => exceptionOutcomeCard(s.outcome({ outcome, comment: 'Because.' })),
  ]),
  ['outcome granted until a date', () => exceptionOutcomeCard(s.outcome({ outcome: 'granted', grantedUntil: new Date('2027-05-31T22:00:00Z') }))],
  ['outcome withdrawn, no zone', () => exceptionOutcomeCard(s.outcome({ outcome: 'withdrawn', byName: undefined, readerZone: undefined }))],
  ['submission pack', () => submissionPackCard(s.pack())],
  ['submission pack, refused case number', () => submissionPackCard(s.pack({ caseNumber: 'abc def', error: 'The support case number can contain only letters, digits and hyphens (-).' }))],
  ['record answer', () => recordAnswerCard(s.answer())],
  ['record answer, refused', () => recordAnswerCard(s.answer({ dueAt: undefined, endDate: '2020-01-01', deniedReason: '', errors: [{ field: 'reason', problem: 'required', message: 'A reason is required.' }] }))],
  ['sla list', () => slaListCard({ items: [s.slaItem(), s.slaItem({ state: 'breached', businessMinutesLeft: -90 })], readerZone: 'Europe/Berlin' })],
  ['sla list, empty', () => slaListCard({ items: [] })],
  ...(['onTrack', 'dueSoon', 'dueToday', 'breached'] as const).flatMap((state) =>
    (['admin', 'requester'] as const).map((audience): [string, () => AdaptiveCard] => [
      `sla alert ${state} to ${audience}`,
      () => slaAlertCard({ audience, item: s.slaItem({ state }), readerZone: 'Europe/Berlin' }),
    ]),
  ),
  ['history', () => exceptionHistoryCard(s.history())],
  ['history, empty', () => exceptionHistoryCard(s.history({ entries: [] }))],
  ['my requests', () => myRequestsCard({ requests: [{ requestId: 'req-1', status: 'inReview', updatedAt: new Date('2026-11-23T09:15:00Z'), reasonCategory: 'other' }], canStartNew: false })],
  ['my requests, none', () => myRequestsCard({ requests: [], canStartNew: true })],
  ['export', () => exceptionExportCard({ requestsCsvUrl: 'https://bot.example/export/requests.csv?t=1', auditCsvUrl: 'https://bot.example/export/audit.csv?t=1', expiresAt: new Date('2026-11-23T11:00:00Z') })],
  ['export, bad links', () => exceptionExportCard({ requestsCsvUrl: 'javascript:alert(1)', auditCsvUrl: '' })],
];

describe.each(variants)('%s', (_name, render) => {
  const card = render();

  it('when rendered, then it is an Adaptive Card 1.5 with a schema and full width', () => {
    expect(card).toMatchObject({ type: 'AdaptiveCard', version: '1.5', $schema: 'http://adaptivecards.io/schemas/adaptive-card.json', msteams: { width: 'Full' } });
  });

  it('when rendered, then no template expression is left', () => {
    const json = JSON.stringify(card);
    expect(json).not.toContain('${');
    expect(json).not.toContain('$when');
    expect(json).not.toContain('$data');
    expect(json).not.toContain('"refresh":null');
  });

  it('when rendered, then every Action.Execute (refresh included) has a known verb and an Action.Submit fallback with the same verb and data', () => {
    for (const action of actionsOf(card).filter((a) => a.type === 'Action.Execute')) {
      expect(VERBS.has(action.verb ?? '')).toBe(true);
      expect(typeof action.data).toBe('object');
      expect(action.fallback).toEqual({ type: 'Action.Submit', title: action.title, data: { verb: action.verb, ...action.data } });
    }
  });

  it('when rendered, then no action data names a user (the actor is the activity sender) and links are http(s)', () => {
    for (const action of actionsOf(card)) {
      expect(Object.keys(action.data ?? {}).filter((k) => /actor|user|aad|objectid|upn/i.test(k))).toEqual([]);
      expect(['Action.Execute', 'Action.OpenUrl']).toContain(action.type);
      if (action.type === 'Action.OpenUrl') expect(action.url).toMatch(/^https?:\/\/\S+$/);
    }
  });

  it('when rendered, then it stays far below Teams\' 28 KB', () => {
    expect(bytes(card)).toBeLessThan(TEAMS_CARD_BYTES / 2);
  });
});

describe('reason step', () => {
  it('when opened, then the reason comes first: every domain label is a choice, refused ones marked, and the refused list is spelled out', () => {
    const card = exceptionReasonCard({});
    const choiceSet = input(card, 'reasonCategory');
    const choices = choiceSet?.['choices'] as { title: string; value: string }[];
    expect(choices.map((c) => c.value)).toEqual([...REASON_CATEGORIES]);
    for (const c of choices) {
      expect(c.title.startsWith(REASON_CATEGORY_LABELS[c.value as keyof typeof REASON_CATEGORY_LABELS])).toBe(true);
      expect(c.title.endsWith("(Microsoft won't accept this)")).toBe(unacceptableReason(c.value) !== undefined);
    }
    const text = allText(card);
    expect(text).toContain('Microsoft will NOT accept');
    for (const c of NOT_ACCEPTED_CATEGORIES) expect(text).toContain(`- ${REASON_CATEGORY_LABELS[c]}`);
    expect(inputs(card).map((i) => i.id)).toEqual(['reasonCategory']);
    expect(executes(card)).toEqual([{ verb: Verbs.ExceptionChooseReason, data: { requestId: '' } }, SETUP]);
  });

  it('when a reason was chosen before, then it is preselected and the request id travels; an unknown one is not', () => {
    const card = exceptionReasonCard({ requestId: 'req-7f3a', selected: 'other' });
    expect(input(card, 'reasonCategory')?.value).toBe('other');
    expect(executes(card)[0]).toEqual({ verb: Verbs.ExceptionChooseReason, data: REQ });
    expect(input(exceptionReasonCard({ selected: 'made-up' }), 'reasonCategory')?.value).toBe('');
  });
});

describe('not accepted', () => {
  it.each(NOT_ACCEPTED_CATEGORIES)('when the reason is %s, then the card gives the domain explanation and offers MFA or another reason', (category) => {
    const card = exceptionNotAcceptedCard({ requestId: 'req-7f3a', reasonCategory: category });
    const text = allText(card);
    expect(text).toContain(REASON_CATEGORY_LABELS[category]);
    expect(text).toContain(unacceptableReason(category));
    expect(titlesOf(card)).toEqual(['Set up MFA instead', 'Choose another reason']);
    expect(executes(card)).toEqual([SETUP, { verb: Verbs.ExceptionStart, data: REQ }]);
  });
});

describe('form', () => {
  it('when shown, then every draft field has an input, text fields capped at the domain maxima', () => {
    const card = exceptionFormCard(s.form());
    // Whom it is for (subjectKind, subjectName) is fixed when the request is opened: text on the card, not inputs.
    const onForm = (field: string) => field !== 'subjectKind' && field !== 'subjectName';
    expect(inputs(card).map((i) => i.id).sort()).toEqual(Object.keys(DRAFT_FIELD_LABELS).filter(onForm).sort());
    for (const [field, limit] of Object.entries(DRAFT_LIMITS).filter(([f]) => onForm(f))) expect(input(card, field)?.['maxLength']).toBe(limit.max);
    expect(input(card, 'evidence')).toMatchObject({ type: 'Input.ChoiceSet', isMultiSelect: true });
    expect((input(card, 'evidence')?.['choices'] as { title: string }[]).map((c) => c.title)).toEqual(Object.values(EVIDENCE_LABELS));
    expect(input(card, 'integrationMethod')?.type).toBe('Input.ChoiceSet');
  });

  it('when a draft is shown, then every value is bound back into its input', () => {
    const card = exceptionFormCard(s.form());
    const f = completeFields();
    expect(input(card, 'reasonCategory')?.value).toBe(f.reasonCategory);
    expect(input(card, 'technicalDescription')?.value).toBe(f.technicalDescription);
    expect(input(card, 'blockedScenario')?.value).toBe('appUserApi');
    expect(input(card, 'workaroundTried')?.value).toBe(f.workaroundTried);
    expect(input(card, 'businessImpact')?.value).toBe(f.businessImpact);
    expect(input(card, 'affected')?.value).toBe(f.affected);
    expect(input(card, 'evidence')?.value).toBe('vendorConfirmation,integrationMethod,purchaseOrder');
    expect(input(card, 'integrationMethod')?.value).toBe('federation');
    expect(input(card, 'otherScenario')?.value).toBeUndefined();
  });

  it('when the domain refuses the submission, then each error shows right after its field, a summary on top, and what was typed is kept', () => {
    const values: DraftInput = { reasonCategory: 'other', technicalDescription: 'Too short, *really*', blockedScenario: 'other', evidence: ['purchaseOrder', 'forged'] };
    const { errors } = readDraft(values, 'complete');
    const card = exceptionFormCard(s.form({ values, errors, message: 'Not submitted yet.' }));
    expect(input(card, 'technicalDescription')?.value).toBe('Too short, *really*');
    expect(input(card, 'reasonCategory')?.value).toBe('other');
    expect(input(card, 'evidence')?.value).toBe('purchaseOrder');

    const all = elements(card);
    const byField = new Map<string, string>();
    for (const e of errors) if (!byField.has(e.field)) byField.set(e.field, e.message);
    expect(byField.size).toBeGreaterThanOrEqual(5);
    for (const [field, message] of byField) {
      const at = all.findIndex((e) => e.id === field);
      const next = all[at + 1];
      expect({ field, next: next?.['text'], color: next?.['color'] }).toEqual({ field, next: message, color: 'Attention' });
    }
    const text = allText(card);
    expect(text).toContain(`Please fix ${errors.length} problems:`);
    expect(text).toContain('Not submitted yet.');
    for (const e of errors) expect(text).toContain(`- ${e.message}`);
  });

  it('when there are no errors, then no error line or summary shows', () => {
    const card = exceptionFormCard(s.form());
    expect(elements(card).filter((e) => e['color'] === 'Attention')).toEqual([]);
    expect(allText(card)).not.toContain('Please fix');
  });

  it('when buttons are shown, then Save, Submit and Withdraw carry the request id (and round) and Withdraw needs the domain\'s leave', () => {
    const card = exceptionFormCard(s.form({ round: 2 }));
    expect(titlesOf(card)).toEqual(['Save draft', 'Submit for review', 'Withdraw']);
    expect(executes(card)).toEqual([
      { verb: Verbs.ExceptionSaveDraft, data: { requestId: 'req-7f3a', round: 2 } },
      { verb: Verbs.ExceptionSubmit, data: { requestId: 'req-7f3a', round: 2 } },
      { verb: Verbs.ExceptionWithdraw, data: REQ },
    ]);
    expect(titlesOf(exceptionFormCard(s.form({ canWithdraw: false })))).toEqual(['Save draft', 'Submit for review']);
  });

  it('when changes were requested, then the approver\'s comment, name and time (reader\'s zone) lead the form', () => {
    const text = allText(exceptionFormCard(s.form({ changesRequested: { comment: 'Add the vendor ticket.', byName: 'Megan Bowen', at: new Date('2026-11-23T10:00:00Z') } })));
    expect(text).toContain('**Megan Bowen** asked for changes on Mon 23 Nov 2026, 11:00 CET:');
    expect(text).toContain('Add the vendor ticket.');
  });
});

describe('approval card', () => {
  it('when an approver sees it, then the summary, the round, a comment input and three buttons with separate verbs show', () => {
    const card = exceptionApprovalCard(s.approval());
    const text = allText(card);
    expect(text).toContain('From **Alex Wilber** (alexw@example.com) · review round 1');
    expect(text).toContain('Submitted {{DATE(2026-11-23T09:15:00Z, SHORT)}}, {{TIME(2026-11-23T09:15:00Z)}}');
    for (const label of ['Reason', 'Blocked scenario', 'Technical description', 'Workaround tried, and why it fails', 'Business impact', 'Affected users or integrations', 'Evidence they can provide', 'Integration method']) {
      expect(textsOf(card)).toContain(label);
    }
    expect(text).toContain(completeFields().technicalDescription);
    expect(input(card, 'comment')).toMatchObject({ type: 'Input.Text', isMultiline: true, maxLength: 2000 });
    expect(executes(card)).toEqual([
      { verb: Verbs.ExceptionApprovalRefresh, data: { requestId: 'req-7f3a', round: 1 } },
      { verb: Verbs.ExceptionApprove, data: { requestId: 'req-7f3a', round: 1 } },
      { verb: Verbs.ExceptionReject, data: { requestId: 'req-7f3a', round: 1 } },
      { verb: Verbs.ExceptionRequestChanges, data: { requestId: 'req-7f3a', round: 1 } },
    ]);
    expect((card['actions'] as { title: string }[]).map((a) => a.title)).toEqual(['Approve', 'Reject', 'Request changes']);
  });

  it('when waiting, then the card refreshes for the approvers (Action.Execute refresh verb, their user ids) and others see the status without buttons', () => {
    const card = exceptionApprovalCard(s.approval({ view: 'status' }));
    expect(card['refresh']).toMatchObject({
      action: { type: 'Action.Execute', verb: Verbs.ExceptionApprovalRefresh, data: { requestId: 'req-7f3a', round: 1 } },
      userIds: ['29:megan', '29:nestor'],
    });
    expect(card['actions']).toEqual([]);
    expect(input(card, 'comment')).toBeUndefined();
    expect(allText(card)).toContain('Waiting for an approver.');
  });

  it('when there are more than 60 approvers (with duplicates and blanks), then refresh.userIds holds the first 60 distinct ones', () => {
    const ids = [' ', '29:a', '29:a', ...Array.from({ length: 80 }, (_, i) => `29:user-${i}`)];
    const card = exceptionApprovalCard(s.approval({ view: 'status', refreshUserIds: ids }));
    const userIds = (card['refresh'] as { userIds: string[] }).userIds;
    expect(userIds).toHaveLength(MAX_REFRESH_USERS);
    expect(userIds[0]).toBe('29:a');
    expect(userIds[1]).toBe('29:user-0');
    expect(new Set(userIds).size).toBe(60);
  });

  it('when nobody can approve, then no refresh is attached', () => {
    expect(exceptionApprovalCard(s.approval({ view: 'status', refreshUserIds: [] }))).not.toHaveProperty('refresh');
  });

  it.each([
    ['approved', 'Approved', 'good', 'Comment: Looks right.', 'Next: an admin files it with Microsoft.'],
    ['rejected', 'Rejected', 'attention', 'Reason: Looks right.', 'The requester has been told.'],
    ['changesRequested', 'Changes requested', 'warning', 'What to change: Looks right.', 'comes back for review as round 2'],
  ] as const)('when decided (%s), then everyone sees who decided, when (reader\'s zone), the comment, no buttons and no refresh', (outcome, label, style, comment, next) => {
    const card = exceptionApprovalCard(s.approval({ view: 'decided', decision: { ...decision, outcome } }));
    const text = allText(card);
    expect(text).toContain(`**${label}** by Megan Bowen on {{DATE(2026-11-23T10:00:00Z, SHORT)}}, {{TIME(2026-11-23T10:00:00Z)}}`);
    expect(text).toContain(comment);
    expect(text).toContain(next);
    expect(JSON.stringify(card)).toContain(`"style":"${style}"`);
    expect(card).not.toHaveProperty('refresh');
    expect(actionsOf(card)).toEqual([]);
    expect(text).not.toContain('already');
  });

  it('when a second approver lost the race, then the card says who already decided and when', () => {
    const card = exceptionApprovalCard(s.approval({ view: 'alreadyDecided', decision: { ...decision, outcome: 'rejected', comment: 'Not a technical reason.' } }));
    const text = allText(card);
    expect(text).toContain('**Megan Bowen** already rejected it on {{DATE(2026-11-23T10:00:00Z, SHORT)}}, {{TIME(2026-11-23T10:00:00Z)}}. Your click changed nothing.');
    expect(text).toContain('Reason: Not a technical reason.');
    expect(actionsOf(card)).toEqual([]);
  });

  it('when a click was refused, then the error shows and the typed comment is kept', () => {
    const card = exceptionApprovalCard(s.approval({ comment: 'needs **more** ${x}', error: 'A reason is required.' }));
    expect(allText(card)).toContain('A reason is required.');
    expect(input(card, 'comment')?.value).toBe('needs **more** ${x}');
  });
});

describe('requester outcomes', () => {
  const cases: [RequesterOutcome, string, string[], { verb: string; data: object }[]][] = [
    ['approved', 'Your exception request was approved', ['Megan Bowen approved it on Mon 23 Nov 2026, 11:00 CET.', 'an admin files it with Microsoft'], [{ verb: Verbs.ExceptionMyRequests, data: {} }]],
    ['rejected', 'Your exception request was rejected', ['Reason: Because.', 'set up MFA'], [SETUP, { verb: Verbs.ExceptionMyRequests, data: {} }]],
    ['changesRequested', 'Changes requested to your exception request', ['What to change: Because.', 'as round 2'], [{ verb: Verbs.ExceptionEdit, data: REQ }]],
    ['granted', 'Microsoft granted your exception', ['Microsoft gave no end date'], [{ verb: Verbs.ExceptionMyRequests, data: {} }]],
    ['denied', 'Microsoft denied your exception request', ["Microsoft's reason: Because.", 'set up MFA now'], [SETUP, { verb: Verbs.ExceptionMyRequests, data: {} }]],
    ['withdrawn', 'You withdrew your exception request', ['You withdrew it on Mon 23 Nov 2026, 11:00 CET.'], [SETUP, { verb: Verbs.ExceptionStart, data: {} }, { verb: Verbs.ExceptionMyRequests, data: {} }]],
  ];
  it.each(cases)('when %s, then the headline, the text and the next steps match', (outcome, headline, says, buttons) => {
    const card = exceptionOutcomeCard(s.outcome({ outcome, comment: 'Because.' }));
    const text = allText(card);
    expect(text).toContain(headline);
    for (const other of cases.map((c) => c[1]).filter((h) => h !== headline)) expect(text).not.toContain(other);
    for (const part of says) expect(text).toContain(part);
    expect(executes(card)).toEqual(buttons);
  });

  it('when granted until a date, then the date shows in the reader\'s zone and reminders resume after it', () => {
    const text = allText(exceptionOutcomeCard(s.outcome({ outcome: 'granted', grantedUntil: new Date('2027-05-31T22:00:00Z') })));
    expect(text).toContain("I won't remind you about MFA until **Tue 1 Jun 2027, 00:00 CEST**");
    expect(text).not.toContain('no end date');
  });

  it('when the reader\'s zone is unknown, then Teams renders the time (DATE/TIME)', () => {
    expect(allText(exceptionOutcomeCard(s.outcome({ readerZone: undefined })))).toContain('{{DATE(2026-11-23T10:00:00Z, SHORT)}}, {{TIME(2026-11-23T10:00:00Z)}}');
  });
});

describe('submission pack', () => {
  it('when built, then it is a Partner Center "MFA - Request for exception" with every field filled from the draft', () => {
    const f = completeFields();
    const pack = buildSubmissionPack({ requesterName: 'Alex Wilber', requesterUpn: 'alexw@example.com', fields: f, partner: { tenantId: 'tenant-1', partnerId: '4871234' } });
    expect(pack.issueType).toBe('MFA - Request for exception');
    expect(pack.title).toBe(`MFA technical exception for alexw@example.com: ${REASON_CATEGORY_LABELS.thirdPartyMfaCannotPassClaim}`);
    for (const part of [
      'Affected account: Alex Wilber (alexw@example.com)',
      `Reason: ${REASON_CATEGORY_LABELS.thirdPartyMfaCannotPassClaim}`,
      'Blocked scenario: An App+User Partner Center API integration',
      'Integration method of the third-party MFA provider: Federation',
      `Technical description:\n${f.technicalDescription}`,
      `Workaround tried, and why it fails:\n${f.workaroundTried}`,
      `Business impact:\n${f.businessImpact}`,
      `Affected users or integrations:\n${f.affected}`,
      `- ${EVIDENCE_LABELS.vendorConfirmation}\n- ${EVIDENCE_LABELS.integrationMethod}\n- ${EVIDENCE_LABELS.purchaseOrder}`,
      'Partner tenant ID: tenant-1',
      'Partner ID (MPN ID): 4871234',
      `Contact: ${f.contact}`,
      `MFA provider or product: ${f.mfaProduct}`,
      'Requested duration: 3 months',
      `Attachments and evidence links:\n- ${f.evidenceLinks?.[0]}`,
    ]) {
      expect(pack.description).toContain(part);
    }
    expect(pack.description).not.toContain('Not given');
  });

  it('when an admin filed it for an integration, then the pack names the integration and who asked', () => {
    const pack = buildSubmissionPack({ requesterName: 'Ada Admin', requesterUpn: 'ada@example.com', fields: { ...completeFields(), subjectKind: 'integration', subjectName: 'PSA billing sync' } });
    expect(pack.title).toContain('MFA technical exception for PSA billing sync');
    expect(pack.description).toContain('Affected integration or app: PSA billing sync');
    expect(pack.description).toContain('Requested by: Ada Admin (ada@example.com) (admin)');
  });

  it('when a field is missing or the scenario is "other", then the pack says "Not given" or names the other scenario', () => {
    const pack = buildSubmissionPack({ requesterName: 'Alex', requesterUpn: '', fields: { blockedScenario: 'other', otherScenario: 'Azure Lighthouse onboarding' } });
    expect(pack.description).toContain('Blocked scenario: Other: Azure Lighthouse onboarding');
    expect(pack.description).toContain('Business impact:\nNot given');
    expect(pack.title).toContain('for Alex');
  });

  it('when the admin sees it, then issue type, title and description are monospace blocks, with a case number input and "record submitted"', () => {
    const card = submissionPackCard(s.pack());
    const mono = elements(card).filter((e) => e['fontType'] === 'Monospace').map((e) => String(e['text']));
    expect(mono[0]).toBe(MFA_EXCEPTION_ISSUE_TYPE);
    expect(mono[1]).toContain('MFA technical exception for alexw@example.com');
    expect(mono[2]).toContain('Technical description:\n\nWe use Contoso Secure MFA 4.2');
    expect(mono[2]).toContain(`\\- ${EVIDENCE_LABELS.purchaseOrder}`);
    expect(allText(card)).toContain('approved by Megan Bowen on Mon 23 Nov 2026, 11:00 CET');
    expect(input(card, 'caseNumber')).toMatchObject({ type: 'Input.Text', maxLength: 50 });
    expect(executes(card)).toEqual([{ verb: Verbs.ExceptionRecordSubmitted, data: REQ }]);
  });

  it('when the case number was refused, then the error shows and the typed number is kept', () => {
    const card = submissionPackCard(s.pack({ caseNumber: 'abc def', error: 'Only letters, digits and hyphens.' }));
    expect(input(card, 'caseNumber')?.value).toBe('abc def');
    expect(allText(card)).toContain('Only letters, digits and hyphens.');
  });
});

describe('record Microsoft\'s answer', () => {
  it('when shown, then an optional end date (Input.Date), a reason, and Granted / Denied buttons', () => {
    const card = recordAnswerCard(s.answer());
    expect(input(card, 'endDate')?.type).toBe('Input.Date');
    expect(input(card, 'reason')).toMatchObject({ type: 'Input.Text', isMultiline: true });
    expect(allText(card)).toContain('support case **2611230040001234**');
    expect(allText(card)).toContain("Microsoft's answer is due by Thu 26 Nov 2026, 12:00 CET.");
    expect(executes(card)).toEqual([
      { verb: Verbs.ExceptionRecordGranted, data: REQ },
      { verb: Verbs.ExceptionRecordDenied, data: REQ },
      { verb: Verbs.ExceptionHistory, data: REQ },
    ]);
  });

  it('when refused, then each error shows after its field and the typed values are kept (a malformed date is dropped)', () => {
    const card = recordAnswerCard(s.answer({ endDate: '2020-01-01', deniedReason: 'They said *no*', errors: [{ field: 'endDate', problem: 'notAfter', message: 'The end date must be after now.' }] }));
    expect(input(card, 'endDate')?.value).toBe('2020-01-01');
    expect(input(card, 'reason')?.value).toBe('They said *no*');
    const all = elements(card);
    expect(all[all.findIndex((e) => e.id === 'endDate') + 1]?.['text']).toBe('The end date must be after now.');
    expect(input(recordAnswerCard(s.answer({ endDate: 'tomorrow' })), 'endDate')?.value).toBeUndefined();
  });
});

describe('SLA', () => {
  it('when listed, then the most urgent come first, each with a state word, colour, business time left and due time', () => {
    const card = slaListCard({
      readerZone: 'Europe/Berlin',
      items: [
        s.slaItem({ requestId: 'on-track', state: 'onTrack', businessMinutesLeft: 1500 }),
        s.slaItem({ requestId: 'soon', state: 'dueSoon', businessMinutesLeft: 400 }),
        s.slaItem({ requestId: 'breached-a', state: 'breached', businessMinutesLeft: -30 }),
        s.slaItem({ requestId: 'today', state: 'dueToday', businessMinutesLeft: 45 }),
        s.slaItem({ requestId: 'breached-b', state: 'breached', businessMinutesLeft: -600 }),
      ],
    });
    const order = textsOf(card).filter((t) => t.startsWith('Request ')).map((t) => t.split(' ')[1]);
    expect(order).toEqual(['breached-b', 'breached-a', 'today', 'soon', 'on-track']);
    const states = elements(card).filter((e) => String(e['text']).startsWith('**')).map((e) => [String(e['text']).split('**')[1], e['color']]);
    expect(states).toEqual([['Breached', 'Attention'], ['Breached', 'Attention'], ['Due today', 'Warning'], ['Due soon', 'Warning'], ['On track', 'Good']]);
    const text = allText(card);
    expect(text).toContain('overdue by 10 h of business time · due Thu 26 Nov 2026, 12:00 CET');
    expect(text).toContain('45 min of business time left');
    expect(text).toContain('25 h of business time left');
  });

  it('when more than 25 are open, then 25 show and "and N more" follows', () => {
    const items = Array.from({ length: 30 }, (_, i) => s.slaItem({ requestId: `r${i}` }));
    const card = slaListCard({ items });
    expect(textsOf(card).filter((t) => t.startsWith('Request '))).toHaveLength(25);
    expect(allText(card)).toContain('and 5 more');
  });

  it('when hours are formatted, then the business time reads plainly', () => {
    expect(businessTimeLeftText(200)).toBe('3 h 20 min of business time left');
    expect(businessTimeLeftText(0)).toBe('no business time left');
    expect(businessTimeLeftText(-61)).toBe('overdue by 1 h 1 min of business time');
  });

  it('when a breach is announced to admins, then it says how to escalate on the support case in Partner Center', () => {
    const card = slaAlertCard({ audience: 'admin', item: s.slaItem({ state: 'breached', businessMinutesLeft: -90 }), readerZone: 'Europe/Berlin' });
    const text = allText(card);
    expect(text).toContain("Microsoft's answer is overdue");
    expect(text).toContain('Overdue by 1 h 30 min of business time; due Thu 26 Nov 2026, 12:00 CET.');
    expect(text).toContain('find support case **2611230040001234**');
    expect(text).toContain('Reply on the case: reference the case number');
    expect(text).toContain('escalated to the MFA exception team');
    expect(executes(card)).toEqual([{ verb: Verbs.ExceptionSla, data: {} }]);
  });

  it('when a breach is announced to the requester, then no escalation steps, and an admin follows up', () => {
    const card = slaAlertCard({ audience: 'requester', item: s.slaItem({ state: 'breached', businessMinutesLeft: -90 }) });
    expect(allText(card)).not.toContain('How to escalate');
    expect(allText(card)).toContain('An admin is following up with Microsoft.');
    expect(executes(card)).toEqual([{ verb: Verbs.ExceptionMyRequests, data: {} }]);
  });

  it.each([
    ['dueSoon', "Microsoft's answer is due soon", 'Warning'],
    ['dueToday', "Microsoft's answer is due today", 'Warning'],
  ] as const)('when the state becomes %s, then the headline and colour say so without escalation', (state, headline, color) => {
    const card = slaAlertCard({ audience: 'admin', item: s.slaItem({ state }) });
    expect(allText(card)).toContain(headline);
    expect(allText(card)).not.toContain('How to escalate');
    expect(JSON.stringify(card)).toContain(`"color":"${color}"`);
  });
});

describe('history, my requests, export', () => {
  it('when the history is shown, then entries are oldest first, named, with times in the reader\'s zone', () => {
    const texts = textsOf(exceptionHistoryCard(s.history()));
    const first = texts.indexOf('Mon 23 Nov 2026, 10:15 CET');
    expect(first).toBeGreaterThan(0);
    expect(texts[first + 1]).toBe('Alex Wilber submitted it for review (draft → in review)');
    expect(texts[first + 2]).toBe('Mon 23 Nov 2026, 11:00 CET');
    expect(texts[first + 3]).toBe('Megan Bowen approved it (in review → approved): “Looks right.”');
  });

  it('when the history is long, then the newest 50 show and the rest is counted', () => {
    const entries = Array.from({ length: 60 }, (_, i) => ({ ...s.history().entries[0]!, at: new Date(Date.UTC(2026, 10, 23, 0, i)) }));
    const card = exceptionHistoryCard(s.history({ entries, names: {} }));
    expect(allText(card)).toContain('10 earlier entries are not shown.');
    expect(textsOf(card).filter((t) => t.startsWith('aad-megan approved it'))).toHaveLength(50);
  });

  it('when the user lists their requests, then newest first, each with status, reason and an Open button', () => {
    const card = myRequestsCard({
      canStartNew: true,
      readerZone: 'Europe/Berlin',
      requests: [
        { requestId: 'old', status: 'withdrawn', updatedAt: new Date('2026-11-01T09:00:00Z') },
        { requestId: 'new', status: 'inReview', reasonCategory: 'other', updatedAt: new Date('2026-11-23T09:00:00Z') },
      ],
    });
    expect(textsOf(card)).toContain(`**In review** · ${REASON_CATEGORY_LABELS.other}`);
    expect(textsOf(card)).toContain('**Withdrawn** · No reason chosen yet');
    expect(executes(card)).toEqual([
      { verb: Verbs.ExceptionOpen, data: { requestId: 'new' } },
      { verb: Verbs.ExceptionOpen, data: { requestId: 'old' } },
      { verb: Verbs.ExceptionStart, data: {} },
    ]);
  });

  it('when exporting, then two download links (http(s) only) for requests and audit CSV', () => {
    const card = exceptionExportCard({ requestsCsvUrl: 'https://bot.example/r.csv', auditCsvUrl: 'https://bot.example/a.csv' });
    expect(actionsOf(card)).toEqual([
      { type: 'Action.OpenUrl', title: 'Download requests (CSV)', url: 'https://bot.example/r.csv' },
      { type: 'Action.OpenUrl', title: 'Download audit log (CSV)', url: 'https://bot.example/a.csv' },
    ]);
    const bad = exceptionExportCard({ requestsCsvUrl: 'javascript:alert(1)', auditCsvUrl: 'nope' });
    expect(actionsOf(bad)).toEqual([]);
    expect(allText(bad)).toContain("download links aren't available");
    expect(JSON.stringify(bad)).not.toContain('javascript:');
  });
});
