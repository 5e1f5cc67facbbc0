import {
  applyCommand,
  approve,
  availableCommands,
  formatHistory,
  isExceptionRefusal,
  newExceptionRequest,
  recordGranted,
  recordSubmittedToMicrosoft,
  reject,
  requestChanges,
  saveDraft,
  submitForReview,
  withdraw,
  type ApproveCommand,
  type AuditEntry,
  type ExceptionRefusedError,
  type ExceptionRequest,
} from '../../../src/domain/exception';
import { ErrorCodes, isAppError } from '../../../src/domain/errors';
import {
  APPROVER,
  asApprover,
  asRequester,
  ctx,
  deepFreeze,
  OTHER_APPROVER,
  REQUESTER,
  REQUESTER_UPN,
  requestIn,
  STRANGER,
  T,
  text,
  VALID_FIELDS,
} from './builders';

/** Run `fn`, expect an ExceptionRefusedError, and return it. */
function refusedBy(fn: () => unknown): ExceptionRefusedError {
  let error: unknown;
  try {
    fn();
  } catch (e) {
    error = e;
  }
  if (!isExceptionRefusal(error)) throw new Error(`expected a refusal, got ${String(error)}`);
  return error;
}

describe('newExceptionRequest', () => {
  it('when a request is created, then it is an empty draft of its requester, in review round 0', () => {
    const r = newExceptionRequest({ id: 'EX-7', requesterId: REQUESTER, requesterUpn: REQUESTER_UPN, at: T('2026-11-02T08:00:00Z') });
    expect(r).toEqual({
      id: 'EX-7',
      requesterId: REQUESTER,
      requesterUpn: REQUESTER_UPN,
      status: 'draft',
      fields: {},
      createdAt: T('2026-11-02T08:00:00Z'),
      updatedAt: T('2026-11-02T08:00:00Z'),
      reviewRound: 0,
    });
  });

  it('when the id or the requester is empty, then it is refused as invalid input', () => {
    const at = T('2026-11-02T08:00:00Z');
    expect(() => newExceptionRequest({ id: ' ', requesterId: REQUESTER, requesterUpn: '', at })).toThrow(/needs an id and a requester/);
    let error: unknown;
    try {
      newExceptionRequest({ id: 'EX-8', requesterId: '', requesterUpn: '', at });
    } catch (e) {
      error = e;
    }
    expect(isAppError(error, ErrorCodes.InputInvalid)).toBe(true);
  });
});

describe('the whole story', () => {
  it('when a request goes draft → review → changes → review → approved → Microsoft → granted, then each step records who, when and the audit', () => {
    const audit: AuditEntry[] = [];
    const step = (r: ExceptionRequest, result: { next: ExceptionRequest; audit: AuditEntry }): ExceptionRequest => {
      audit.push(result.audit);
      expect(result.audit.requestId).toBe(r.id);
      return deepFreeze(result.next);
    };
    let r = deepFreeze(newExceptionRequest({ id: 'EX-1', requesterId: REQUESTER, requesterUpn: REQUESTER_UPN, at: T('2026-11-02T08:00:00Z') }));

    r = step(r, saveDraft(r, { fields: { reasonCategory: 'thirdPartyMfaCannotPassClaim' } }, asRequester('2026-11-02T08:01:00Z')));
    expect(r).toMatchObject({ status: 'draft', fields: { reasonCategory: 'thirdPartyMfaCannotPassClaim' } });

    r = step(r, submitForReview(r, { fields: VALID_FIELDS }, asRequester('2026-11-02T09:00:00Z')));
    expect(r).toMatchObject({ status: 'inReview', reviewRound: 1, submittedForReviewAt: T('2026-11-02T09:00:00Z') });
    expect(r.fields.technicalDescription).toBe(VALID_FIELDS.technicalDescription);

    r = step(r, requestChanges(r, { comment: 'Attach the vendor letter.', round: 1 }, asApprover('2026-11-02T10:00:00Z')));
    expect(r).toMatchObject({ status: 'changesRequested', decidedBy: APPROVER, decidedAt: T('2026-11-02T10:00:00Z'), decisionComment: 'Attach the vendor letter.' });

    r = step(r, saveDraft(r, { fields: { ...VALID_FIELDS, evidence: ['vendorConfirmation', 'integrationMethod', 'purchaseOrder'] } }, asRequester('2026-11-02T11:00:00Z')));
    expect(r.status).toBe('changesRequested');

    r = step(r, submitForReview(r, {}, asRequester('2026-11-02T11:05:00Z')));
    expect(r).toMatchObject({ status: 'inReview', reviewRound: 2 });
    expect(r.decidedBy).toBeUndefined();
    expect(r.decisionComment).toBeUndefined();
    expect(r.fields.evidence).toEqual(['vendorConfirmation', 'integrationMethod', 'purchaseOrder']);

    r = step(r, approve(r, { round: 2 }, ctx(OTHER_APPROVER, true, '2026-11-02T12:00:00Z')));
    expect(r).toMatchObject({ status: 'approved', decidedBy: OTHER_APPROVER, decidedAt: T('2026-11-02T12:00:00Z') });
    expect('decisionComment' in r).toBe(false);

    r = step(r, recordSubmittedToMicrosoft(r, { caseNumber: ' 2611020040001234 ' }, asApprover('2026-11-02T13:00:00Z')));
    expect(r).toMatchObject({
      status: 'submittedToMicrosoft',
      supportCaseNumber: '2611020040001234',
      submittedToMicrosoftAt: T('2026-11-02T13:00:00Z'),
      submittedToMicrosoftBy: APPROVER,
    });

    r = step(r, recordGranted(r, { endDate: T('2027-06-30T00:00:00Z') }, asApprover('2026-11-04T15:00:00Z')));
    expect(r).toMatchObject({ status: 'granted', grantedUntil: T('2027-06-30T00:00:00Z'), answerRecordedBy: APPROVER, answerRecordedAt: T('2026-11-04T15:00:00Z') });

    expect(audit.map((a) => `${a.action}: ${a.from} → ${a.to} by ${a.actor === REQUESTER ? 'requester' : a.actor === APPROVER ? 'approver' : 'other approver'}`)).toEqual([
      'saveDraft: draft → draft by requester',
      'submitForReview: draft → inReview by requester',
      'requestChanges: inReview → changesRequested by approver',
      'saveDraft: changesRequested → changesRequested by requester',
      'submitForReview: changesRequested → inReview by requester',
      'approve: inReview → approved by other approver',
      'recordSubmittedToMicrosoft: approved → submittedToMicrosoft by approver',
      'recordGranted: submittedToMicrosoft → granted by approver',
    ]);
    expect(audit[2]?.comment).toBe('Attach the vendor letter.');
    expect(audit[6]?.caseNumber).toBe('2611020040001234');
    expect(audit[7]?.grantedUntil).toEqual(T('2027-06-30T00:00:00Z'));
    expect(formatHistory(audit, (id) => (id === REQUESTER ? 'Alex Wilber' : id === APPROVER ? 'Megan Bowen' : 'Lee Gu'))).toEqual([
      '2026-11-02 08:01 UTC · Alex Wilber saved the draft',
      '2026-11-02 09:00 UTC · Alex Wilber submitted it for review (draft → in review)',
      '2026-11-02 10:00 UTC · Megan Bowen requested changes (in review → changes requested): “Attach the vendor letter.”',
      '2026-11-02 11:00 UTC · Alex Wilber saved the draft',
      '2026-11-02 11:05 UTC · Alex Wilber submitted it for review (changes requested → in review)',
      '2026-11-02 12:00 UTC · Lee Gu approved it (in review → approved)',
      '2026-11-02 13:00 UTC · Megan Bowen recorded it as submitted to Microsoft (case 2611020040001234) (approved → submitted to Microsoft)',
      '2026-11-04 15:00 UTC · Megan Bowen recorded that Microsoft granted it until 2027-06-30 00:00 UTC (submitted to Microsoft → granted by Microsoft)',
    ]);
  });

  it('when Microsoft denies a request, then the reason and who recorded it are kept', () => {
    const submitted = requestIn('submittedToMicrosoft');
    const { next, audit } = applyCommand(submitted, { type: 'recordDenied', reason: ' Use a FIDO2 key instead. ' }, asApprover('2026-11-05T09:00:00Z'));
    expect(next).toMatchObject({ status: 'denied', deniedReason: 'Use a FIDO2 key instead.', answerRecordedBy: APPROVER });
    expect(audit).toMatchObject({ action: 'recordDenied', from: 'submittedToMicrosoft', to: 'denied', comment: 'Use a FIDO2 key instead.' });
  });

  it('when the requester withdraws with a comment, then the time is kept and the comment goes to the audit', () => {
    const { next, audit } = withdraw(requestIn('inReview'), { comment: 'Set up MFA after all.' }, asRequester('2026-11-03T09:00:00Z'));
    expect(next).toMatchObject({ status: 'withdrawn', withdrawnAt: T('2026-11-03T09:00:00Z') });
    expect(audit.comment).toBe('Set up MFA after all.');
  });
});

describe('who decides', () => {
  it('when an admin approves their own request, then it is refused as self-approval and nothing changes', () => {
    const inReview = deepFreeze(requestIn('inReview'));
    const error = refusedBy(() => approve(inReview, {}, ctx(REQUESTER, true, '2026-11-02T10:00:00Z')));
    expect(error.refusal).toBe('SELF_APPROVAL');
    expect(error.code).toBe(ErrorCodes.ExceptionSelfApproval);
    expect(error.message).toMatch(/^You cannot approve it: it is your own request, so another approver decides\./);
    expect(error.facts.possibleNow).toEqual(['withdraw']);
  });

  it('when the requester id arrives in another letter case, then it is still recognised as the requester', () => {
    const inReview = requestIn('inReview');
    expect(refusedBy(() => reject(inReview, { reason: 'no' }, ctx(REQUESTER.toUpperCase(), true, '2026-11-02T10:00:00Z'))).refusal).toBe('SELF_APPROVAL');
    expect(withdraw(inReview, {}, ctx(` ${REQUESTER.toUpperCase()} `, false, '2026-11-02T10:00:00Z')).next.status).toBe('withdrawn');
  });

  it('when a command carries an actor of its own, then it is ignored: the actor is the context', () => {
    const inReview = requestIn('inReview');
    const forged = { comment: 'ok', actor: OTHER_APPROVER, decidedBy: OTHER_APPROVER } as unknown as ApproveCommand;
    expect(refusedBy(() => approve(inReview, forged, ctx(REQUESTER, true, '2026-11-02T10:00:00Z'))).refusal).toBe('SELF_APPROVAL');
    const { next, audit } = approve(inReview, forged, asApprover('2026-11-02T10:00:00Z'));
    expect(next.decidedBy).toBe(APPROVER);
    expect(audit.actor).toBe(APPROVER);
  });

  it('when an empty actor acts, then it is neither the requester nor an approver', () => {
    expect(refusedBy(() => withdraw(requestIn('draft'), {}, ctx('', false, '2026-11-02T10:00:00Z'))).refusal).toBe('NOT_REQUESTER');
  });

  it('when someone who is not an admin clicks Approve, then the refusal says only approvers can and what is possible', () => {
    const error = refusedBy(() => approve(requestIn('inReview'), {}, ctx(STRANGER, false, '2026-11-02T10:00:00Z')));
    expect(error.refusal).toBe('NOT_APPROVER');
    expect(error.message).toBe(
      'Only an approver can approve it: you are not one of the configured admins. The request is in review since 2026-11-02 09:00 UTC. ' +
        'Possible now: the requester can withdraw it; an approver other than the requester can approve it, reject it or request changes.',
    );
    expect(error.facts.possibleNow).toEqual([]);
  });

  it('when another admin tries to edit the draft, then only the requester (named by UPN) can', () => {
    const error = refusedBy(() => saveDraft(requestIn('draft'), { fields: {} }, asApprover('2026-11-02T10:00:00Z')));
    expect(error.refusal).toBe('NOT_REQUESTER');
    expect(error.message).toMatch(/^Only the requester \(alexw@example\.com\) can save the draft\. The request is a draft\./);
  });
});

describe('two approvers clicking at once', () => {
  it('when a second approver decides on a request already decided, then it is refused naming who decided and when', () => {
    const inReview = requestIn('inReview');
    const first = approve(inReview, { comment: 'Yes.' }, asApprover('2026-11-02T10:00:00Z')).next;
    // The second click lost the storage race (etag); the app reloads the request and runs the command again.
    for (const second of [
      () => reject(first, { reason: 'No.' }, ctx(OTHER_APPROVER, true, '2026-11-02T10:00:01Z')),
      () => approve(first, {}, ctx(OTHER_APPROVER, true, '2026-11-02T10:00:01Z')),
      () => requestChanges(first, { comment: 'More.' }, ctx(OTHER_APPROVER, true, '2026-11-02T10:00:01Z')),
    ]) {
      const error = refusedBy(second);
      expect(error.refusal).toBe('ALREADY_DECIDED');
      expect(error.code).toBe(ErrorCodes.ExceptionAlreadyDecided);
      expect(error.retryable).toBe(false);
      expect(error.facts).toMatchObject({ decidedBy: APPROVER, decidedAt: T('2026-11-02T10:00:00Z'), status: 'approved' });
      expect(error.message).toBe(
        `${APPROVER} already approved it at 2026-11-02 10:00 UTC. Possible now: an admin can record it as submitted to Microsoft.`,
      );
    }
  });

  it('when the first decision was a rejection, then the late approval names the rejection', () => {
    const rejected = requestIn('rejected');
    const error = refusedBy(() => approve(rejected, {}, ctx(OTHER_APPROVER, true, '2026-11-02T11:00:00Z')));
    expect(error.message).toBe(`${APPROVER} already rejected it at 2026-11-02 10:00 UTC. Nothing more can be done with it.`);
  });

  it('when two admins record the submission to Microsoft, then the second sees who recorded it, with the case number', () => {
    const error = refusedBy(() =>
      recordSubmittedToMicrosoft(requestIn('submittedToMicrosoft'), { caseNumber: '999' }, ctx(OTHER_APPROVER, true, '2026-11-02T11:00:01Z')),
    );
    expect(error.refusal).toBe('ALREADY_DECIDED');
    expect(error.facts).toMatchObject({ decidedBy: APPROVER, decidedAt: T('2026-11-02T11:00:00Z') });
    expect(error.message).toMatch(/already recorded it as submitted to Microsoft \(case 2611020040001234\) at 2026-11-02 11:00 UTC/);
  });

  it('when an approval card from an earlier review round is clicked, then it is refused as stale', () => {
    const changes = requestIn('changesRequested');
    const resubmitted = submitForReview(changes, {}, asRequester('2026-11-03T09:00:00Z')).next;
    expect(resubmitted.reviewRound).toBe(2);
    const error = refusedBy(() => approve(resubmitted, { round: 1 }, ctx(OTHER_APPROVER, true, '2026-11-03T09:30:00Z')));
    expect(error.refusal).toBe('STALE_REVIEW');
    expect(error.message).toMatch(/^This card shows review round 1, but the requester has changed and resubmitted the request since \(round 2\)/);
    expect(approve(resubmitted, { round: 2 }, ctx(OTHER_APPROVER, true, '2026-11-03T09:30:00Z')).next.status).toBe('approved');
  });
});

describe('what each command needs', () => {
  const inReview = requestIn('inReview');
  const at = '2026-11-02T10:00:00Z';

  it('when a rejection has no reason (blank or control characters only), then it is refused naming the reason field', () => {
    for (const reason of ['', '   \n ', '\u0000\u0007']) {
      const error = refusedBy(() => reject(inReview, { reason }, asApprover(at)));
      expect(error.refusal).toBe('INPUT_INVALID');
      expect(error.facts.fieldErrors).toEqual([{ field: 'reason', problem: 'required', message: 'A reason is required.' }]);
    }
  });

  it('when changes are requested without a comment, then it is refused; approving without one is fine', () => {
    expect(refusedBy(() => requestChanges(inReview, { comment: ' ' }, asApprover(at))).facts.fieldErrors?.[0]?.field).toBe('comment');
    const { next, audit } = approve(inReview, {}, asApprover(at));
    expect(next.status).toBe('approved');
    expect(audit.comment).toBeUndefined();
  });

  it('when a comment has 2,000 characters, then it is kept; at 2,001 it is refused', () => {
    expect(requestChanges(inReview, { comment: text(2000) }, asApprover(at)).next.decisionComment).toHaveLength(2000);
    const error = refusedBy(() => requestChanges(inReview, { comment: text(2001) }, asApprover(at)));
    expect(error.facts.fieldErrors).toEqual([
      { field: 'comment', problem: 'tooLong', message: 'A comment can have at most 2,000 characters (it has 2,001).' },
    ]);
  });

  it.each([
    ['', 'required'],
    ['   ', 'required'],
    [text(51, '1'), 'tooLong'],
    ['2611 0200', 'format'],
    ['26/11', 'format'],
    ['${case}', 'format'],
    ['case\n1', 'format'],
  ])('when the support case number is %j, then it is refused as %s', (caseNumber, problem) => {
    const error = refusedBy(() => recordSubmittedToMicrosoft(requestIn('approved'), { caseNumber }, asApprover(at)));
    expect(error.refusal).toBe('INPUT_INVALID');
    expect(error.facts.fieldErrors).toMatchObject([{ field: 'caseNumber', problem }]);
  });

  it.each([[text(50, '7')], ['TrackingID-2611020040001234'], ['  abc-123  ']])('when the support case number is %j, then it is recorded trimmed', (caseNumber) => {
    expect(recordSubmittedToMicrosoft(requestIn('approved'), { caseNumber }, asApprover(at)).next.supportCaseNumber).toBe(caseNumber.trim());
  });

  it('when a grant has an end date at or before the moment it is recorded, then it is refused; after it, it is kept', () => {
    const submitted = requestIn('submittedToMicrosoft');
    const now = '2026-11-04T15:00:00Z';
    for (const endDate of [T(now), T('2026-11-04T14:59:59Z')]) {
      expect(refusedBy(() => recordGranted(submitted, { endDate }, asApprover(now))).facts.fieldErrors).toMatchObject([{ field: 'endDate', problem: 'notAfter' }]);
    }
    expect(refusedBy(() => recordGranted(submitted, { endDate: new Date('not a date') }, asApprover(now))).facts.fieldErrors).toMatchObject([
      { field: 'endDate', problem: 'format' },
    ]);
    expect(recordGranted(submitted, { endDate: T('2026-11-04T15:00:01Z') }, asApprover(now)).next.grantedUntil).toEqual(T('2026-11-04T15:00:01Z'));
    // Without an end date it is refused: "no end date given" must be chosen explicitly (see lifecycle.test.ts).
    expect(refusedBy(() => recordGranted(submitted, {}, asApprover(now))).facts.fieldErrors).toMatchObject([{ field: 'endDate', problem: 'required' }]);
  });
});

describe('drafts through the commands', () => {
  it('when a draft is saved with only some fields, then it is kept; the fields sent replace the old ones', () => {
    const draft = requestIn('draft');
    const { next } = saveDraft(draft, { fields: { reasonCategory: 'other', technicalDescription: 'short for now' } }, asRequester('2026-11-02T09:00:00Z'));
    expect(next.fields).toEqual({ reasonCategory: 'other', technicalDescription: 'short for now' });
  });

  it('when a saved draft has a field over its limit, then nothing is saved and the error names the field', () => {
    const draft = deepFreeze(requestIn('draft'));
    const error = refusedBy(() => saveDraft(draft, { fields: { ...VALID_FIELDS, businessImpact: text(2001) } }, asRequester('2026-11-02T09:00:00Z')));
    expect(error.refusal).toBe('DRAFT_INVALID');
    expect(error.facts.fieldErrors).toMatchObject([{ field: 'businessImpact', problem: 'tooLong' }]);
    expect(error.message).toBe('The draft was not saved: Business impact can have at most 2,000 characters (it has 2,001).');
  });

  it('when a draft on a reason Microsoft does not accept is saved, then it is saved; submitting it is refused with the explanation', () => {
    const draft = requestIn('draft');
    const saved = saveDraft(draft, { fields: { ...VALID_FIELDS, reasonCategory: 'serviceAccount' } }, asRequester('2026-11-02T09:00:00Z')).next;
    expect(saved.fields.reasonCategory).toBe('serviceAccount');
    const error = refusedBy(() => submitForReview(saved, {}, asRequester('2026-11-02T09:01:00Z')));
    expect(error.refusal).toBe('CATEGORY_NOT_ACCEPTED');
    expect(error.message).toMatch(/^This request cannot succeed: Microsoft does not grant technical exceptions for service accounts/);
    expect(error.facts.fieldErrors).toMatchObject([{ field: 'reasonCategory', problem: 'notAccepted' }]);
  });

  it('when an incomplete draft is submitted, then it stays a draft and every missing field is named', () => {
    const draft = deepFreeze(requestIn('draft'));
    const error = refusedBy(() => submitForReview(draft, { fields: { reasonCategory: 'other', technicalDescription: text(49) } }, asRequester('2026-11-02T09:00:00Z')));
    expect(error.refusal).toBe('DRAFT_INVALID');
    expect(error.facts.fieldErrors?.map((e) => `${e.field}:${e.problem}`)).toEqual([
      'technicalDescription:tooShort',
      'blockedScenario:required',
      'workaroundTried:required',
      'businessImpact:required',
    ]);
    expect(draft.status).toBe('draft');
  });

  it('when a justification holds ${...}, markdown and HTML, then the domain keeps it literally', () => {
    const literal = [
      'Our IdP ${user.secret} and {{DATE(2026-01-01)}} and $root.adminIds, see [docs](https://evil.example/phish)',
      '**bold** <script>alert(1)</script> ![img](https://evil.example/x.png) | table | --- |',
    ].join('\n');
    const { next } = saveDraft(requestIn('draft'), { fields: { ...VALID_FIELDS, technicalDescription: literal } }, asRequester('2026-11-02T09:00:00Z'));
    expect(next.fields.technicalDescription).toBe(literal);
    const submitted = submitForReview(next, {}, asRequester('2026-11-02T09:01:00Z'));
    expect(submitted.next.fields.technicalDescription).toBe(literal);
  });

  it('when a justification has 10,000 characters, then it is refused by its limit and the error does not echo it', () => {
    const huge = '${x} [link](https://evil.example) '.padEnd(10_000, 'x');
    expect(huge).toHaveLength(10_000);
    const error = refusedBy(() => saveDraft(requestIn('draft'), { fields: { ...VALID_FIELDS, technicalDescription: huge } }, asRequester('2026-11-02T09:00:00Z')));
    expect(error.facts.fieldErrors).toEqual([
      { field: 'technicalDescription', problem: 'tooLong', message: 'Technical description can have at most 4,000 characters (it has 10,000).' },
    ]);
    expect(error.message).not.toContain('evil.example');
    expect(error.message.length).toBeLessThan(200);
  });
});

describe('availableCommands', () => {
  const at = '2026-11-02T10:00:00Z';
  it('when a request is in review, then the requester may withdraw, another admin may decide, the requester-admin only withdraw', () => {
    const inReview = requestIn('inReview');
    expect(availableCommands(inReview, asRequester(at))).toEqual(['withdraw']);
    expect(availableCommands(inReview, ctx(REQUESTER, true, at))).toEqual(['withdraw']);
    expect(availableCommands(inReview, asApprover(at))).toEqual(['approve', 'reject', 'requestChanges']);
    expect(availableCommands(inReview, ctx(STRANGER, false, at))).toEqual([]);
  });

  it('when a request is approved, then any admin, the requester-admin included, may record the submission', () => {
    const approved = requestIn('approved');
    expect(availableCommands(approved, ctx(REQUESTER, true, at))).toEqual(['recordSubmittedToMicrosoft']);
    expect(availableCommands(approved, asRequester(at))).toEqual([]);
  });
});
