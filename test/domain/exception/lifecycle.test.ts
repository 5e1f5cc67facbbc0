import { createBusinessCalendar } from '../../../src/domain/calendar';
import {
  applyCommand,
  approve,
  availableCommands,
  effectiveStatus,
  expiryNoticeDue,
  isExceptionRefusal,
  recordGranted,
  renewalOf,
  REVIEW_WITHIN_MS,
  submitForReview,
  type ExceptionRefusedError,
  type ExceptionRequest,
} from '../../../src/domain/exception';
import { exceptionStop } from '../../../src/domain/nudge';
import { APPROVER, asApprover, ctx, OTHER_APPROVER, REQUESTER, requestIn, STRANGER, T } from './builders';

function refusedBy(fn: () => unknown): ExceptionRefusedError {
  try {
    fn();
  } catch (e) {
    if (isExceptionRefusal(e)) return e;
    throw e;
  }
  throw new Error('expected a refusal');
}

/** Monday to Friday, 09:00-17:00 in Berlin; Friday 2027-06-18 is a closure. */
const calendar = createBusinessCalendar({
  zone: 'Europe/Berlin',
  workingDays: [1, 2, 3, 4, 5],
  workingHours: { start: '09:00', end: '17:00' },
  closures: [{ from: '2027-06-18', to: '2027-06-18', reason: 'Team day' }],
});

const RECORDED = '2026-11-04T15:00:00Z';

describe('granting: an end date, or an explicit "no end date given" with a review date', () => {
  const submitted = requestIn('submittedToMicrosoft');

  it('when a grant is recorded without an end date and without "no end date given", then it is refused and names both choices', () => {
    const error = refusedBy(() => recordGranted(submitted, {}, asApprover(RECORDED)));
    expect(error.refusal).toBe('INPUT_INVALID');
    expect(error.facts.fieldErrors).toMatchObject([{ field: 'endDate', problem: 'required' }]);
    expect(error.message).toMatch(/No end date given/);
  });

  it('when "no end date given" is chosen without a review date, then the review date is one year out, and the audit says so', () => {
    const { next, audit } = recordGranted(submitted, { noEndDate: true }, asApprover(RECORDED));
    expect(next.status).toBe('granted');
    expect(next.grantedUntil).toBeUndefined();
    expect(next.reviewBy).toEqual(new Date(T(RECORDED).getTime() + REVIEW_WITHIN_MS));
    expect(audit.reviewBy).toEqual(next.reviewBy);
  });

  it.each([
    ['a year and a day out', new Date(T(RECORDED).getTime() + REVIEW_WITHIN_MS + 86_400_000)],
    ['in the past', T('2026-11-01T00:00:00Z')],
  ])('when the review date is %s, then it is refused: a review is due within a year', (_, reviewDate) => {
    const error = refusedBy(() => recordGranted(submitted, { noEndDate: true, reviewDate }, asApprover(RECORDED)));
    expect(error.facts.fieldErrors).toMatchObject([{ field: 'reviewDate', problem: 'notAfter' }]);
  });

  it('when both an end date and "no end date given" are sent, then it is refused', () => {
    const error = refusedBy(() => recordGranted(submitted, { endDate: T('2027-06-30T00:00:00Z'), noEndDate: true }, asApprover(RECORDED)));
    expect(error.facts.fieldErrors).toMatchObject([{ field: 'endDate' }]);
  });

  it('when the review date of a grant without an end date passes, then the request reads as expired', () => {
    const { next } = recordGranted(submitted, { noEndDate: true, reviewDate: T('2027-03-01T00:00:00Z') }, asApprover(RECORDED));
    expect(effectiveStatus(next, T('2027-02-28T23:59:59Z'))).toBe('granted');
    expect(effectiveStatus(next, T('2027-03-01T00:00:00Z'))).toBe('expired');
  });
});

describe('the end of a granted exception: notices at 10 and 2 business days, once each, and the end', () => {
  // Ends at the end of Wednesday 2027-06-30 in Berlin.
  const granted = (): ExceptionRequest => recordGranted(requestIn('submittedToMicrosoft'), { endDate: T('2027-06-30T21:59:59.999Z') }, asApprover(RECORDED)).next;

  it.each([
    ['a month before', '2027-05-31T08:00:00Z', undefined],
    ['11 business days before (the closure on Friday 18 June does not count)', '2027-06-14T08:00:00Z', undefined],
    ['10 business days before', '2027-06-15T08:00:00Z', 'tenDays'],
    ['3 business days before', '2027-06-25T08:00:00Z', 'tenDays'],
    ['2 business days before', '2027-06-28T08:00:00Z', 'twoDays'],
    ['on the last day', '2027-06-30T12:00:00Z', 'twoDays'],
    ['at the end', '2027-06-30T22:00:00Z', 'ended'],
  ])('when it is %s, then the notice due is %s', (_, now, due) => {
    expect(expiryNoticeDue(granted(), calendar, T(now))).toBe(due);
  });

  it('when each notice has been sent, then it is not due again; only the next one is', () => {
    const sentTen = { ...granted(), expiryNotified: 'tenDays' as const };
    expect(expiryNoticeDue(sentTen, calendar, T('2027-06-16T08:00:00Z'))).toBeUndefined();
    expect(expiryNoticeDue(sentTen, calendar, T('2027-06-28T08:00:00Z'))).toBe('twoDays');
    const sentTwo = { ...granted(), expiryNotified: 'twoDays' as const };
    expect(expiryNoticeDue(sentTwo, calendar, T('2027-06-30T12:00:00Z'))).toBeUndefined();
    expect(expiryNoticeDue(sentTwo, calendar, T('2027-07-01T08:00:00Z'))).toBe('ended');
    expect(expiryNoticeDue({ ...granted(), expiryNotified: 'ended' }, calendar, T('2027-08-01T08:00:00Z'))).toBeUndefined();
  });

  it('when a grant recorded before an end was required has none, then no notice is ever due', () => {
    const legacy: ExceptionRequest = { ...requestIn('granted'), grantedUntil: undefined };
    expect(expiryNoticeDue(legacy, calendar, T('2030-01-01T00:00:00Z'))).toBeUndefined();
  });

  it('when the exception has expired, then it no longer holds the user\'s nudges; before, it holds them until the end', () => {
    const r = granted();
    expect(exceptionStop([r], T('2027-06-29T08:00:00Z'))).toEqual({ reason: 'exceptionGranted', until: r.grantedUntil });
    expect(exceptionStop([r], T('2027-07-01T08:00:00Z'))).toBeUndefined();
  });

  it('when a request is for a service account an admin filed, then it never holds the admin\'s own nudges', () => {
    const r = { ...granted(), fields: { ...granted().fields, subjectKind: 'serviceAccount' as const, subjectName: 'svc@contoso.example' } };
    expect(exceptionStop([r], T('2027-06-29T08:00:00Z'))).toBeUndefined();
  });

  it('when the requester renews an expired exception, then a new draft opens with the same justification and says what it renews; nobody else can', () => {
    const old = granted();
    const at = T('2027-07-02T08:00:00Z');
    const { next, audit } = renewalOf(old, { id: 'EX-2', ctx: ctx(REQUESTER, false, at) });
    expect(next).toMatchObject({ id: 'EX-2', status: 'draft', requesterId: REQUESTER, renewalOf: old.id, reviewRound: 0, fields: old.fields });
    expect(audit.comment).toContain(old.id);
    expect(refusedBy(() => renewalOf(old, { id: 'EX-3', ctx: ctx(STRANGER, true, at) })).refusal).toBe('NOT_REQUESTER');
    expect(refusedBy(() => renewalOf(requestIn('denied'), { id: 'EX-4', ctx: ctx(REQUESTER, false, at) })).refusal).toBe('TRANSITION_REFUSED');
  });
});

describe('two approvals', () => {
  const AT = '2026-11-02T09:30:00Z';
  const inReviewNeedingTwo = (): ExceptionRequest =>
    submitForReview(requestIn('draft'), {}, { ...ctx(REQUESTER, false, '2026-11-02T09:00:00Z'), approvalsRequired: 2 }).next;

  it('when the first approver approves, then the request stays in review with their approval recorded; the second approval approves it', () => {
    const first = approve(inReviewNeedingTwo(), { comment: 'Vendor letter checked.' }, ctx(APPROVER, true, AT));
    expect(first.next.status).toBe('inReview');
    expect(first.next.approvals).toEqual([{ by: APPROVER, at: T(AT), comment: 'Vendor letter checked.' }]);
    expect(first.audit).toMatchObject({ action: 'approve', from: 'inReview', to: 'inReview' });
    const second = approve(first.next, {}, ctx(OTHER_APPROVER, true, '2026-11-02T10:00:00Z'));
    expect(second.next.status).toBe('approved');
    expect(second.next.approvals?.map((a) => a.by)).toEqual([APPROVER, OTHER_APPROVER]);
    expect(second.next.decidedBy).toBe(OTHER_APPROVER);
  });

  it('when the same approver approves twice, then the second is refused, changes nothing, and Approve is no longer among their buttons', () => {
    const first = approve(inReviewNeedingTwo(), {}, ctx(APPROVER, true, AT)).next;
    const error = refusedBy(() => approve(first, {}, ctx(APPROVER, true, '2026-11-02T09:31:00Z')));
    expect(error.refusal).toBe('ALREADY_APPROVED');
    expect(availableCommands(first, ctx(APPROVER, true, AT))).not.toContain('approve');
    expect(availableCommands(first, ctx(OTHER_APPROVER, true, AT))).toContain('approve');
  });

  it('when the requester is an approver too, then they can never be one of the two', () => {
    const first = approve(inReviewNeedingTwo(), {}, ctx(APPROVER, true, AT)).next;
    expect(refusedBy(() => approve(first, {}, ctx(REQUESTER, true, AT))).refusal).toBe('SELF_APPROVAL');
  });

  it('when changes are requested after one approval and the request is resubmitted, then the approvals start again', () => {
    const first = approve(inReviewNeedingTwo(), {}, ctx(APPROVER, true, AT)).next;
    const changes = applyCommand(first, { type: 'requestChanges', comment: 'Attach the letter.' }, ctx(OTHER_APPROVER, true, AT)).next;
    const again = submitForReview(changes, {}, { ...ctx(REQUESTER, false, '2026-11-03T09:00:00Z'), approvalsRequired: 2 }).next;
    expect(again.approvals).toBeUndefined();
    expect(approve(again, {}, ctx(APPROVER, true, '2026-11-03T10:00:00Z')).next.status).toBe('inReview');
  });

  it('when a request was submitted needing one approval, then one approves it whatever the setting is later', () => {
    expect(approve(requestIn('inReview'), {}, { ...ctx(APPROVER, true, AT), approvalsRequired: 2 }).next.status).toBe('approved');
  });
});
