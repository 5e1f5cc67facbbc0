import { createBusinessCalendar } from '../../../src/domain/calendar';
import { closedDays } from '../../../src/domain/nudge';
import { addBusinessDays, nextAllowedMoment, type WorkingTime } from '../../../src/domain/nudge/working-time';
import { label, localTime, simulate } from './simulate';

/**
 * Reminders count business days on the organisation's calendar: its public holidays (date-holidays,
 * Germany here) and admin closures are no business days, in the recipient's own zone and working
 * hours. Dates worked out by hand: Easter 2026 is Sunday 5 April, so Good Friday is 3 April and
 * Easter Monday 6 April; both are public holidays everywhere in Germany.
 */
const germany = createBusinessCalendar({ zone: 'Europe/Berlin', holidays: { country: 'DE' } });
const offsite = createBusinessCalendar({ zone: 'Europe/Berlin', closures: [{ from: '2026-01-12', to: '2026-01-14', reason: 'Offsite' }] });

describe('nudges on the business calendar (holidays and closures)', () => {
  it('when reminder 1 would fall on Good Friday, then Good Friday and Easter Monday do not count: it comes on Tuesday', () => {
    const without = simulate({ zone: 'Europe/Berlin', firstNotice: '2026-04-01T10:00', end: '2026-04-10T17:00' });
    expect(without.sent.slice(0, 2)).toEqual(['reminder Fri 2026-04-03 10:00', 'reminder Tue 2026-04-07 10:00']);

    const withHolidays = simulate({ zone: 'Europe/Berlin', firstNotice: '2026-04-01T10:00', end: '2026-04-10T17:00', calendar: germany });
    // Thu 2 April is business day 1; Fri 3 and Mon 6 April are holidays; Tue 7 April is day 2.
    expect(withHolidays.sent).toEqual(['reminder Tue 2026-04-07 10:00', 'reminder Thu 2026-04-09 10:00']);
  });

  it('when an admin closure covers Monday to Wednesday, then reminders skip it like a weekend', () => {
    const without = simulate({ zone: 'Europe/Berlin', firstNotice: '2026-01-08T10:00', end: '2026-01-16T17:00' });
    expect(without.sent[0]).toBe('reminder Mon 2026-01-12 10:00');
    const closed = simulate({ zone: 'Europe/Berlin', firstNotice: '2026-01-08T10:00', end: '2026-01-16T17:00', calendar: offsite });
    // Fri 9 January is day 1; 12–14 January are closed; Thu 15 January is day 2.
    expect(closed.sent).toEqual(['reminder Thu 2026-01-15 10:00']);
  });

  it("when the recipient is in New York, then the holiday is read on their own local date and the reminder keeps their working hours", () => {
    const ny = simulate({ zone: 'America/New_York', firstNotice: '2026-04-01T10:00', end: '2026-04-10T17:00', calendar: germany });
    expect(ny.sent).toEqual(['reminder Tue 2026-04-07 10:00', 'reminder Thu 2026-04-09 10:00']);
  });

  it('when a message is due on a holiday, then the next allowed moment is the next business day’s start', () => {
    const closed = closedDays(germany);
    const wt: WorkingTime = { zone: 'Europe/Berlin', workingDays: [1, 2, 3, 4, 5], workingHours: { start: '09:00', end: '17:00' }, ...(closed ? { closed } : {}) };
    expect(label(nextAllowedMoment(localTime('2026-04-03T11:00', 'Europe/Berlin'), wt), 'Europe/Berlin')).toBe('Tue 2026-04-07 09:00');
    expect(label(addBusinessDays(localTime('2026-04-02T11:00', 'Europe/Berlin'), 1, wt), 'Europe/Berlin')).toBe('Tue 2026-04-07 11:00');
  });

  it('when the calendar has neither holidays nor closures, then no predicate is built and nothing changes', () => {
    expect(closedDays(createBusinessCalendar({ zone: 'Europe/Berlin' }))).toBeUndefined();
    expect(closedDays(undefined)).toBeUndefined();
    expect(closedDays(germany)?.('2026-12-25')).toBe(true);
    expect(closedDays(germany)?.('2026-12-24')).toBe(false); // Christmas Eve is not a public holiday in Germany
  });

  it('when a closure lasts three weeks, then the search goes past two weeks instead of giving up', () => {
    const long = createBusinessCalendar({ zone: 'UTC', closures: [{ from: '2026-07-01', to: '2026-07-24', reason: 'Summer shutdown' }] });
    const sim = simulate({ zone: 'UTC', firstNotice: '2026-06-30T10:00', end: '2026-07-31T17:00', calendar: long });
    // Day 1 is Mon 27 July, day 2 Tue 28 July.
    expect(sim.sent[0]).toBe('reminder Tue 2026-07-28 10:00');
  });
});
