/**
 * The three clocks of an exception request with a fixed clock, on a Berlin calendar with German
 * public holidays: Microsoft's on the business calendar alone, the partner's approval and filing
 * deadlines on the calendar plus the admins' closures; reminders owed once each, in business hours.
 */
import { createBusinessCalendar, dueReminders, runningClock, withClosures, type ClockedRequest } from '../../../src/domain/calendar';

const business = createBusinessCalendar({ zone: 'Europe/Berlin', holidays: { country: 'DE' } });
/** The admins closed the office on Wednesday 25 Nov 2026 (an offsite). */
const partner = withClosures(business, [{ from: '2026-11-25', to: '2026-11-25', reason: 'Company offsite' }]);
const calendars = { microsoft: business, partner };
const policy = { approvalBusinessDays: 2, filingBusinessDays: 1 };
/** Monday 23 Nov 2026, 10:00 Berlin. */
const MONDAY_10 = new Date('2026-11-23T09:00:00Z');

const inReview: ClockedRequest = { status: 'inReview', reviewRound: 1, submittedForReviewAt: MONDAY_10 };
const approved: ClockedRequest = { status: 'approved', reviewRound: 1, submittedForReviewAt: MONDAY_10, decidedAt: new Date('2026-11-24T09:00:00Z') };
const filed: ClockedRequest = { ...approved, status: 'submittedToMicrosoft', submittedToMicrosoftAt: MONDAY_10 };

describe("exception clocks: Microsoft's and the partner's own", () => {
  it("when the office is closed on Wednesday, then Microsoft's due date does not move but the approval deadline does", () => {
    const now = new Date('2026-11-23T10:00:00Z');
    expect(runningClock(filed, calendars, policy, now)?.status.dueAt.toISOString()).toBe('2026-11-26T09:00:00.000Z'); // Thu 10:00, as without the closure
    expect(runningClock(inReview, calendars, policy, now)?.status.dueAt.toISOString()).toBe('2026-11-26T09:00:00.000Z'); // Wed closed: Thu 10:00, not Wed 10:00
    expect(runningClock(inReview, { microsoft: business, partner: business }, policy, now)?.status.dueAt.toISOString()).toBe('2026-11-25T09:00:00.000Z');
  });

  it('when approved on Tuesday 10:00 before the closed Wednesday, then filing is due Thursday 10:00', () => {
    const clock = runningClock(approved, calendars, policy, new Date('2026-11-24T10:00:00Z'));
    expect(clock).toMatchObject({ kind: 'filing' });
    expect(clock?.status.dueAt.toISOString()).toBe('2026-11-26T09:00:00.000Z');
  });

  it('when a request is a draft, rejected or answered by Microsoft, then no clock runs', () => {
    for (const status of ['draft', 'changesRequested', 'rejected', 'withdrawn', 'granted', 'denied']) {
      expect(runningClock({ ...filed, status }, calendars, policy, MONDAY_10)).toBeUndefined();
    }
  });

  it('when the approval deadline comes and goes, then the approvers are reminded on the day it is due and the admins once it is overdue, each once', () => {
    const owed = (iso: string, sent: string[] = []) => {
      const now = new Date(iso);
      return dueReminders(inReview, runningClock(inReview, calendars, policy, now), partner, sent, now).map((r) => r.key);
    };
    expect(owed('2026-11-24T15:00:00Z')).toEqual([]); // Tuesday: on track
    expect(owed('2026-11-25T10:00:00Z')).toEqual([]); // Wednesday, the closure: nothing, it does not count and nobody is reminded
    expect(owed('2026-11-26T05:00:00Z')).toEqual([]); // Thursday 06:00 Berlin, due today, but before business hours
    expect(owed('2026-11-26T08:00:00Z')).toEqual(['approval:1:approvers']); // Thursday 09:00 Berlin
    expect(owed('2026-11-26T08:30:00Z', ['approval:1:approvers'])).toEqual([]); // once
    expect(owed('2026-11-26T09:30:00Z', ['approval:1:approvers'])).toEqual(['approval:1:admins']); // overdue
    expect(owed('2026-11-27T09:30:00Z', ['approval:1:approvers', 'approval:1:admins'])).toEqual([]);
    expect(owed('2026-11-27T09:30:00Z')).toEqual(['approval:1:approvers', 'approval:1:admins']); // a sweep that saw neither sends both
  });

  it('when a request is resubmitted (round 2), then its approval deadline and reminders start again', () => {
    const round2: ClockedRequest = { ...inReview, reviewRound: 2, submittedForReviewAt: new Date('2026-11-30T09:00:00Z') };
    const now = new Date('2026-12-02T09:30:00Z'); // Wednesday after, overdue
    const clock = runningClock(round2, calendars, policy, now);
    expect(dueReminders(round2, clock, partner, ['approval:1:approvers', 'approval:1:admins'], now).map((r) => r.key)).toEqual(['approval:2:approvers', 'approval:2:admins']);
  });

  it('when filing falls due, then the admins are reminded once; Microsoft’s clock owes no reminder (it has its announcements)', () => {
    const now = new Date('2026-11-26T08:15:00Z');
    expect(dueReminders(approved, runningClock(approved, calendars, policy, now), partner, [], now)).toEqual([{ key: 'filing:1:admins', clock: 'filing', audience: 'admins' }]);
    expect(dueReminders(approved, runningClock(approved, calendars, policy, now), partner, ['filing:1:admins'], now)).toEqual([]);
    const late = new Date('2026-11-30T09:00:00Z');
    expect(dueReminders(filed, runningClock(filed, calendars, policy, late), partner, [], late)).toEqual([]);
  });
});
