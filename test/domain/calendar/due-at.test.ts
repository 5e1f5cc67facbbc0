import { clockStart, dueAt, type BusinessCalendar } from '../../../src/domain/calendar';
import { at, berlinBY, berlinDE, berlinEveryDay, berlinWithClosure, dubaiAE, tokyoJP } from './calendars';

/**
 * Every expected instant below was worked out by hand from a wall calendar (2026-06-10 is a
 * Wednesday; Berlin is CET +01:00 until 2026-03-29 02:00 and again from 2026-10-25 03:00, CEST +02:00
 * in between). Working day = 8 h (09:00–17:00), so 3 business days = 24 business hours; a
 * submission inside working hours is due at the same wall time on the 3rd business day after it.
 */
interface Row {
  case: string;
  calendar: BusinessCalendar;
  submittedAt: string;
  businessDays?: number;
  clockStart: string;
  due: string;
}

const rows: Row[] = [
  {
    // Wed 11:30 inside hours -> clock starts then; Thu (1), Fri (2), Mon (3) at 11:30.
    case: 'a weekday submission mid-day',
    calendar: berlinDE,
    submittedAt: '2026-06-10T11:30+02:00',
    clockStart: '2026-06-10T11:30+02:00',
    due: '2026-06-15T11:30+02:00',
  },
  {
    // Fri 15:00 -> Mon (1), Tue (2), Wed (3) at 15:00: the weekend does not count.
    case: 'a Friday afternoon submission',
    calendar: berlinDE,
    submittedAt: '2026-06-12T15:00+02:00',
    clockStart: '2026-06-12T15:00+02:00',
    due: '2026-06-17T15:00+02:00',
  },
  {
    // Sat -> clock starts Mon 09:00; Mon, Tue, Wed full days end exactly Wed 17:00 (not Thu 09:00).
    case: 'a Saturday submission',
    calendar: berlinDE,
    submittedAt: '2026-06-13T10:00+02:00',
    clockStart: '2026-06-15T09:00+02:00',
    due: '2026-06-17T17:00+02:00',
  },
  {
    // Tue 07:45, before opening -> Tue 09:00; Tue, Wed, Thu full -> Thu 17:00.
    case: 'a submission before opening time',
    calendar: berlinDE,
    submittedAt: '2026-06-16T07:45+02:00',
    clockStart: '2026-06-16T09:00+02:00',
    due: '2026-06-18T17:00+02:00',
  },
  {
    // Wed 23:59 -> Thu 09:00; Thu, Fri, Mon full -> Mon 17:00.
    case: 'a submission at 23:59',
    calendar: berlinDE,
    submittedAt: '2026-06-10T23:59+02:00',
    clockStart: '2026-06-11T09:00+02:00',
    due: '2026-06-15T17:00+02:00',
  },
  {
    // Wed 17:00 exactly is closing time (hours are [09:00, 17:00)) -> Thu 09:00; due Mon 17:00.
    case: 'a submission exactly at closing time',
    calendar: berlinDE,
    submittedAt: '2026-06-10T17:00+02:00',
    clockStart: '2026-06-11T09:00+02:00',
    due: '2026-06-15T17:00+02:00',
  },
  {
    // Wed 09:00 exactly is opening time -> starts then; Wed, Thu, Fri full -> Fri 17:00.
    case: 'a submission exactly at opening time',
    calendar: berlinDE,
    submittedAt: '2026-06-10T09:00+02:00',
    clockStart: '2026-06-10T09:00+02:00',
    due: '2026-06-12T17:00+02:00',
  },
  {
    // Wed 12-23 10:00 CET: Wed 7 h, Thu 24th 8 h (15; Christmas Eve is only a bank holiday from 14:00),
    // Fri 25th Christmas Day, Sat 26th, Sun 27th, Mon 28th 8 h (23), Tue 29th 1 h -> Tue 10:00.
    case: 'a submission before the German Christmas holidays',
    calendar: berlinDE,
    submittedAt: '2026-12-23T10:00+01:00',
    clockStart: '2026-12-23T10:00+01:00',
    due: '2026-12-29T10:00+01:00',
  },
  {
    // Fri 12-25 is Christmas Day -> clock starts Mon 28th 09:00; Mon, Tue, Wed full -> Wed 30th 17:00.
    case: 'a submission on a public holiday',
    calendar: berlinDE,
    submittedAt: '2026-12-25T11:00+01:00',
    clockStart: '2026-12-28T09:00+01:00',
    due: '2026-12-30T17:00+01:00',
  },
  {
    // Wed 12-30 14:00: Wed 3 h, Thu 31st 8 h (11), Fri 2027-01-01 New Year's Day, Mon 4th 8 h (19),
    // Tue 5th 5 h -> Tue 14:00.
    case: 'a submission over New Year',
    calendar: berlinDE,
    submittedAt: '2026-12-30T14:00+01:00',
    clockStart: '2026-12-30T14:00+01:00',
    due: '2027-01-05T14:00+01:00',
  },
  {
    // Mon 2027-01-04 10:00, Germany as a whole: Tue (1), Wed 6th (2; Epiphany is not national), Thu (3).
    case: 'a submission before Epiphany with national holidays only',
    calendar: berlinDE,
    submittedAt: '2027-01-04T10:00+01:00',
    clockStart: '2027-01-04T10:00+01:00',
    due: '2027-01-07T10:00+01:00',
  },
  {
    // Same, in Bavaria: Wed 6th is Epiphany -> Tue (1), Thu (2), Fri 8th (3).
    case: 'a submission before Epiphany in Bavaria',
    calendar: berlinBY,
    submittedAt: '2027-01-04T10:00+01:00',
    clockStart: '2027-01-04T10:00+01:00',
    due: '2027-01-08T10:00+01:00',
  },
  {
    // Spring forward on Sun 03-29. Thu 12:00 CET: Thu 5 h, Fri 8 h (13), Mon 8 h (21), Tue 3 h -> Tue
    // 12:00 CEST, i.e. 10:00Z, one hour earlier in UTC than the 11:00Z start.
    case: 'a submission across the spring-forward change',
    calendar: berlinDE,
    submittedAt: '2026-03-26T12:00+01:00',
    clockStart: '2026-03-26T12:00+01:00',
    due: '2026-03-31T12:00+02:00',
  },
  {
    // Fri 03-27 15:00 CET -> Mon (1), Tue (2), Wed 04-01 (3) at 15:00 CEST.
    case: 'a Friday submission over the spring-forward weekend',
    calendar: berlinDE,
    submittedAt: '2026-03-27T15:00+01:00',
    clockStart: '2026-03-27T15:00+01:00',
    due: '2026-04-01T15:00+02:00',
  },
  {
    // Fall back on Sun 10-25. Fri 10:00 CEST -> Mon (1), Tue (2), Wed 10-28 (3) at 10:00 CET (09:00Z).
    case: 'a Friday submission over the fall-back weekend',
    calendar: berlinDE,
    submittedAt: '2026-10-23T10:00+02:00',
    clockStart: '2026-10-23T10:00+02:00',
    due: '2026-10-28T10:00+01:00',
  },
  {
    // Open every day; 1 business day from Sat 03-28 12:00 CET: Sat 5 h, Sun (the 23-hour day) 3 h ->
    // Sun 12:00 CEST. 09:00-17:00 stays 8 business hours although the day is 23 hours long.
    case: 'a one-day SLA that ends on the spring-forward day itself',
    calendar: berlinEveryDay,
    submittedAt: '2026-03-28T12:00+01:00',
    businessDays: 1,
    clockStart: '2026-03-28T12:00+01:00',
    due: '2026-03-29T12:00+02:00',
  },
  {
    // Open every day; 1 business day from Sat 10-24 12:00 CEST: Sat 5 h, Sun (25 hours) 3 h -> Sun 12:00 CET.
    case: 'a one-day SLA that ends on the fall-back day itself',
    calendar: berlinEveryDay,
    submittedAt: '2026-10-24T12:00+02:00',
    businessDays: 1,
    clockStart: '2026-10-24T12:00+02:00',
    due: '2026-10-25T12:00+01:00',
  },
  {
    // Tokyo has no DST: Fri 03-27 15:00 JST -> Wed 04-01 15:00 JST, the same UTC time of day (06:00Z).
    case: 'a submission in a zone without DST while Europe changes',
    calendar: tokyoJP,
    submittedAt: '2026-03-27T15:00+09:00',
    clockStart: '2026-03-27T15:00+09:00',
    due: '2026-04-01T15:00+09:00',
  },
  {
    // Japan's Silver Week: Mon 09-21, Tue 22nd, Wed 23rd are public holidays. Fri 18th 10:00 JST:
    // Fri 7 h, Thu 24th 8 h (15), Fri 25th 8 h (23), Mon 28th 1 h -> Mon 10:00 JST.
    case: 'a submission before a run of Japanese holidays',
    calendar: tokyoJP,
    submittedAt: '2026-09-18T10:00+09:00',
    clockStart: '2026-09-18T10:00+09:00',
    due: '2026-09-28T10:00+09:00',
  },
  {
    // Closed Fri 07-31 to Tue 08-04. Thu 07-30 14:00: Thu 3 h, Wed 08-05 8 h (11), Thu 8 h (19),
    // Fri 08-07 5 h -> Fri 14:00.
    case: 'a submission before an admin closure spanning days',
    calendar: berlinWithClosure,
    submittedAt: '2026-07-30T14:00+02:00',
    clockStart: '2026-07-30T14:00+02:00',
    due: '2026-08-07T14:00+02:00',
  },
  {
    // Mon 08-03 is inside the closure -> clock starts Wed 08-05 09:00; Wed, Thu, Fri -> Fri 17:00.
    case: 'a submission during an admin closure',
    calendar: berlinWithClosure,
    submittedAt: '2026-08-03T10:00+02:00',
    clockStart: '2026-08-05T09:00+02:00',
    due: '2026-08-07T17:00+02:00',
  },
  {
    // Sunday-Thursday week. Thu 06-11 15:00 GST: Thu 2 h, Fri+Sat weekend, Sun 14th 8 h (10),
    // Mon 15th 8 h (18), Tue 16th Islamic New Year, Wed 17th 6 h -> Wed 15:00 GST.
    case: 'a Thursday submission in a Sunday-Thursday week',
    calendar: dubaiAE,
    submittedAt: '2026-06-11T15:00+04:00',
    clockStart: '2026-06-11T15:00+04:00',
    due: '2026-06-17T15:00+04:00',
  },
  {
    // Fri 06-12 is the Dubai weekend -> clock starts Sun 06-14 09:00; Sun (1), Mon (2), Tue holiday,
    // Wed 17th (3) full -> Wed 17:00.
    case: 'a Friday submission in a Sunday-Thursday week',
    calendar: dubaiAE,
    submittedAt: '2026-06-12T10:00+04:00',
    clockStart: '2026-06-14T09:00+04:00',
    due: '2026-06-17T17:00+04:00',
  },
  {
    // Eid al-Fitr is listed on Fri 03-20 for 3 days (Fri, Sat, Sun 22nd); it begins at sunset on Thu
    // 19th, but Thursday stays a working day. Thu 16:00: Thu 1 h, Mon 23rd 8 h (9), Tue 8 h (17),
    // Wed 25th 7 h -> Wed 16:00.
    case: 'a submission before a three-day holiday that starts at sunset',
    calendar: dubaiAE,
    submittedAt: '2026-03-19T16:00+04:00',
    clockStart: '2026-03-19T16:00+04:00',
    due: '2026-03-25T16:00+04:00',
  },
  {
    // Zero business days: due when the clock starts (Sat -> Mon 09:00).
    case: 'a zero-day SLA submitted on a Saturday',
    calendar: berlinDE,
    submittedAt: '2026-06-13T10:00+02:00',
    businessDays: 0,
    clockStart: '2026-06-15T09:00+02:00',
    due: '2026-06-15T09:00+02:00',
  },
  {
    // Half a working day = 4 h from Wed 15:00: Wed 2 h, Thu 2 h -> Thu 11:00.
    case: 'a half-day SLA in the afternoon',
    calendar: berlinDE,
    submittedAt: '2026-06-10T15:00+02:00',
    businessDays: 0.5,
    clockStart: '2026-06-10T15:00+02:00',
    due: '2026-06-11T11:00+02:00',
  },
];

describe('clockStart and dueAt', () => {
  it.each(rows)('when $case, then the clock starts at $clockStart and it is due at $due', (row) => {
    const submittedAt = at(row.submittedAt);
    expect(clockStart(row.calendar, submittedAt).toISOString()).toBe(at(row.clockStart).toISOString());
    expect(dueAt(row.calendar, submittedAt, row.businessDays).toISOString()).toBe(at(row.due).toISOString());
  });

  it('when seconds and milliseconds are given, then they carry through to the due instant', () => {
    // Wed 11:30:27.123 -> Mon 11:30:27.123 (see the mid-day row).
    expect(dueAt(berlinDE, at('2026-06-10T11:30:27.123+02:00')).toISOString()).toBe('2026-06-15T09:30:27.123Z');
  });
});
