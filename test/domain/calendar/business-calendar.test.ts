import { ErrorCodes, isAppError } from '../../../src/domain/errors';
import {
  businessDayInfo,
  businessDayInfoRange,
  clockStart,
  createBusinessCalendar,
  dueAt,
  isBusinessDay,
  type BusinessCalendar,
  type BusinessCalendarInput,
  type NonBusinessReason,
} from '../../../src/domain/calendar';
import { at, berlinBY, berlinDE, berlinWithClosure, dubaiAE, tokyoJP } from './calendars';

/** The field an INPUT_INVALID error names, or a description of what was thrown instead. */
function invalidField(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    if (isAppError(error, ErrorCodes.InputInvalid)) return error.details.field;
    return error;
  }
  return 'nothing thrown';
}

describe('createBusinessCalendar', () => {
  it('when only a zone is given, then Monday-Friday 09:00-17:00 without holidays or closures is the default', () => {
    expect(createBusinessCalendar({ zone: 'Europe/Berlin' })).toEqual({
      zone: 'Europe/Berlin',
      workingDays: [1, 2, 3, 4, 5],
      workingHours: { start: '09:00', end: '17:00' },
      closures: [],
    });
  });

  it('when codes are spelled loosely, then the calendar spells them canonically', () => {
    const calendar = createBusinessCalendar({
      zone: 'europe/berlin',
      workingDays: [5, 1, 3, 1],
      holidays: { country: 'de', state: 'by', region: 'a' },
      closures: [
        { from: '2026-12-28', to: '2026-12-31', reason: ' Year end ' },
        { from: '2026-08-03', to: '2026-08-03', reason: 'Office move' },
      ],
    });
    expect(calendar).toEqual({
      zone: 'Europe/Berlin',
      workingDays: [1, 3, 5],
      workingHours: { start: '09:00', end: '17:00' },
      holidays: { country: 'DE', state: 'BY', region: 'A' },
      closures: [
        { from: '2026-08-03', to: '2026-08-03', reason: 'Office move' },
        { from: '2026-12-28', to: '2026-12-31', reason: 'Year end' },
      ],
    });
  });

  const zone = 'Europe/Berlin';
  const invalid: { case: string; input: BusinessCalendarInput; field: string }[] = [
    { case: 'an unknown time zone', input: { zone: 'Mars/Olympus_Mons' }, field: 'zone' },
    { case: 'an empty time zone', input: { zone: '' }, field: 'zone' },
    { case: 'an unknown country', input: { zone, holidays: { country: 'XX' } }, field: 'holidays.country' },
    { case: 'an unknown state', input: { zone, holidays: { country: 'DE', state: 'ZZ' } }, field: 'holidays.state' },
    {
      case: 'an unknown region',
      input: { zone, holidays: { country: 'DE', state: 'BY', region: 'NOPE' } },
      field: 'holidays.region',
    },
    { case: 'a region without a state', input: { zone, holidays: { country: 'DE', region: 'A' } }, field: 'holidays.region' },
    { case: 'no working days', input: { zone, workingDays: [] }, field: 'workingDays' },
    { case: 'weekday 0', input: { zone, workingDays: [0, 1] }, field: 'workingDays' },
    { case: 'weekday 8', input: { zone, workingDays: [1, 8] }, field: 'workingDays' },
    { case: 'a fractional weekday', input: { zone, workingDays: [1.5] }, field: 'workingDays' },
    {
      case: 'working hours ending before they start',
      input: { zone, workingHours: { start: '17:00', end: '09:00' } },
      field: 'workingHours.end',
    },
    {
      case: 'working hours ending when they start',
      input: { zone, workingHours: { start: '09:00', end: '09:00' } },
      field: 'workingHours.end',
    },
    { case: 'a start time not in HH:mm', input: { zone, workingHours: { start: '9:00', end: '17:00' } }, field: 'workingHours.start' },
    { case: 'an end time of 24:00', input: { zone, workingHours: { start: '09:00', end: '24:00' } }, field: 'workingHours.end' },
    {
      case: 'a closure ending before it starts',
      input: { zone, closures: [{ from: '2026-08-07', to: '2026-08-03', reason: 'Office move' }] },
      field: 'closures[0].to',
    },
    {
      case: 'a closure starting on a date that does not exist',
      input: { zone, closures: [{ from: '2026-02-30', to: '2026-03-02', reason: 'Office move' }] },
      field: 'closures[0].from',
    },
    {
      case: 'a second closure without a reason',
      input: {
        zone,
        closures: [
          { from: '2026-08-03', to: '2026-08-03', reason: 'Office move' },
          { from: '2026-12-28', to: '2026-12-31', reason: '   ' },
        ],
      },
      field: 'closures[1].reason',
    },
  ];

  it.each(invalid)('when the input has $case, then INPUT_INVALID names $field', ({ input, field }) => {
    expect(invalidField(() => createBusinessCalendar(input))).toBe(field);
  });

  it('when the input is invalid, then the message names the field too', () => {
    expect(() => createBusinessCalendar({ zone: 'Europe/Berlin', holidays: { country: 'XX' } })).toThrow(
      /^holidays\.country: "XX"/,
    );
  });
});

describe('businessDayInfo', () => {
  const rows: { case: string; calendar: BusinessCalendar; date: string; reasons: NonBusinessReason[] }[] = [
    // 2026-06-10 is a Wednesday with no German holiday.
    { case: 'an ordinary Wednesday', calendar: berlinDE, date: '2026-06-10', reasons: [] },
    { case: 'a Saturday', calendar: berlinDE, date: '2026-06-13', reasons: [{ kind: 'weekend', weekday: 6 }] },
    // Christmas Day 2026 is a Friday.
    { case: 'Christmas Day', calendar: berlinDE, date: '2026-12-25', reasons: [{ kind: 'holiday', name: 'Christmas Day' }] },
    // Boxing Day 2026 is a Saturday: both reasons are given.
    {
      case: 'a holiday on a Saturday',
      calendar: berlinDE,
      date: '2026-12-26',
      reasons: [
        { kind: 'weekend', weekday: 6 },
        { kind: 'holiday', name: 'Boxing Day' },
      ],
    },
    // Christmas Eve is a bank holiday from 14:00 in date-holidays, not a public one: a working day.
    { case: 'Christmas Eve', calendar: berlinDE, date: '2026-12-24', reasons: [] },
    // Epiphany (Wed 2027-01-06) is a public holiday in Bavaria, not in Germany as a whole.
    { case: 'Epiphany in Germany as a whole', calendar: berlinDE, date: '2027-01-06', reasons: [] },
    { case: 'Epiphany in Bavaria', calendar: berlinBY, date: '2027-01-06', reasons: [{ kind: 'holiday', name: 'Epiphany' }] },
    {
      case: 'a day inside an admin closure',
      calendar: berlinWithClosure,
      date: '2026-08-03',
      reasons: [{ kind: 'closure', reason: 'Office move', from: '2026-07-31', to: '2026-08-04' }],
    },
    // Last day of the closure is Tuesday 08-04; Wednesday 08-05 is open again.
    { case: 'the day after an admin closure', calendar: berlinWithClosure, date: '2026-08-05', reasons: [] },
    // Silver Week 2026: Tue 09-22 is Japan's "Citizens' Holiday" between two holidays.
    { case: "Japan's Citizens' Holiday", calendar: tokyoJP, date: '2026-09-22', reasons: [{ kind: 'holiday', name: "Citizens' Holiday" }] },
    // Sunday is a working day in a Sunday-Thursday week, Friday is not.
    { case: 'a Sunday in a Sunday-Thursday week', calendar: dubaiAE, date: '2026-06-14', reasons: [] },
    { case: 'a Friday in a Sunday-Thursday week', calendar: dubaiAE, date: '2026-06-12', reasons: [{ kind: 'weekend', weekday: 5 }] },
    // The third day of Eid al-Fitr (listed from Fri 03-20 for 3 days) is Sunday 03-22.
    {
      case: 'the third day of Eid al-Fitr',
      calendar: dubaiAE,
      date: '2026-03-22',
      reasons: [{ kind: 'holiday', name: 'End of Ramadan (Eid al-Fitr)' }],
    },
  ];

  it.each(rows)('when the date is $case ($date), then the reasons it is closed are listed', ({ calendar, date, reasons }) => {
    const info = businessDayInfo(calendar, date);
    expect(info.reasons).toEqual(reasons);
    expect(info.isBusinessDay).toBe(reasons.length === 0);
    expect(isBusinessDay(calendar, date)).toBe(reasons.length === 0);
  });

  it('when a range of dates is asked for, then each day is explained in order', () => {
    // Thu 2026-12-24 to Mon 2026-12-28 (German holidays).
    expect(businessDayInfoRange(berlinDE, '2026-12-24', '2026-12-28').map((d) => [d.date, d.weekday, d.isBusinessDay])).toEqual([
      ['2026-12-24', 4, true],
      ['2026-12-25', 5, false],
      ['2026-12-26', 6, false],
      ['2026-12-27', 7, false],
      ['2026-12-28', 1, true],
    ]);
  });

  it.each(['2026-02-30', '2026-6-1', '10.06.2026', ''])('when the date is "%s", then INPUT_INVALID names the date', (date) => {
    expect(invalidField(() => businessDayInfo(berlinDE, date))).toBe('date');
  });
});

describe('unusable inputs to the clock', () => {
  it('when the submission instant is not a valid date, then INPUT_INVALID names submittedAt', () => {
    expect(invalidField(() => clockStart(berlinDE, at('not a date')))).toBe('submittedAt');
  });

  it.each([-1, Number.NaN, Number.POSITIVE_INFINITY])('when the SLA is %s business days, then INPUT_INVALID names businessDays', (days) => {
    expect(invalidField(() => dueAt(berlinDE, at('2026-06-10T11:30+02:00'), days))).toBe('businessDays');
  });

  it('when a closure leaves no business day for ten years, then INPUT_INVALID names the calendar', () => {
    const closed = createBusinessCalendar({
      zone: 'Europe/Berlin',
      closures: [{ from: '2026-01-01', to: '2037-12-31', reason: 'Closed for good' }],
    });
    expect(invalidField(() => clockStart(closed, at('2026-06-10T11:30+02:00')))).toBe('calendar');
  });
});
