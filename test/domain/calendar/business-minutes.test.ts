import { businessMinutesBetween, type BusinessCalendar } from '../../../src/domain/calendar';
import { at, berlinDE, berlinEveryDay, berlinNightShift, tokyoJP } from './calendars';

/** Expected minutes worked out by hand; working hours 09:00-17:00 unless the calendar says otherwise. */
const rows: { case: string; calendar: BusinessCalendar; from: string; to: string; minutes: number }[] = [
  // Wed 10:00 -> Wed 12:30, all inside working hours.
  { case: 'inside one working day', calendar: berlinDE, from: '2026-06-10T10:00+02:00', to: '2026-06-10T12:30+02:00', minutes: 150 },
  // Wed 16:00 -> Thu 10:00: Wed 60 + Thu 60; the night does not count.
  { case: 'overnight', calendar: berlinDE, from: '2026-06-10T16:00+02:00', to: '2026-06-11T10:00+02:00', minutes: 120 },
  // Fri 16:00 -> Mon 10:00: Fri 60 + Mon 60.
  { case: 'across a weekend', calendar: berlinDE, from: '2026-06-12T16:00+02:00', to: '2026-06-15T10:00+02:00', minutes: 120 },
  // The same, reversed.
  { case: 'across a weekend, backwards', calendar: berlinDE, from: '2026-06-15T10:00+02:00', to: '2026-06-12T16:00+02:00', minutes: -120 },
  // Saturday to Sunday: nothing.
  { case: 'over a weekend only', calendar: berlinDE, from: '2026-06-13T08:00+02:00', to: '2026-06-14T20:00+02:00', minutes: 0 },
  { case: 'between the same instant', calendar: berlinDE, from: '2026-06-10T10:00+02:00', to: '2026-06-10T10:00+02:00', minutes: 0 },
  // Mon 00:00 -> next Mon 00:00: five days of 480.
  { case: 'over a whole week', calendar: berlinDE, from: '2026-06-08T00:00+02:00', to: '2026-06-15T00:00+02:00', minutes: 2400 },
  // Thu 12-24 16:00 -> Mon 12-28 10:00: Thu 60, Fri Christmas, weekend, Mon 60.
  { case: 'across Christmas', calendar: berlinDE, from: '2026-12-24T16:00+01:00', to: '2026-12-28T10:00+01:00', minutes: 120 },
  // Fri 03-27 16:00 CET -> Mon 03-30 10:00 CEST: Fri 60 + Mon 60; the lost hour is on Sunday night.
  {
    case: 'across the spring-forward weekend',
    calendar: berlinDE,
    from: '2026-03-27T16:00+01:00',
    to: '2026-03-30T10:00+02:00',
    minutes: 120,
  },
  // Fri 10-23 16:00 CEST -> Mon 10-26 10:00 CET: Fri 60 + Mon 60; the extra hour is on Sunday night.
  {
    case: 'across the fall-back weekend',
    calendar: berlinDE,
    from: '2026-10-23T16:00+02:00',
    to: '2026-10-26T10:00+01:00',
    minutes: 120,
  },
  // Open every day: the 23-hour Sunday 03-29 still has 09:00-17:00 = 480.
  {
    case: 'over the whole spring-forward day, open every day',
    calendar: berlinEveryDay,
    from: '2026-03-29T00:00+01:00',
    to: '2026-03-30T00:00+02:00',
    minutes: 480,
  },
  // Open every day: the 25-hour Sunday 10-25 still has 09:00-17:00 = 480.
  {
    case: 'over the whole fall-back day, open every day',
    calendar: berlinEveryDay,
    from: '2026-10-25T00:00+02:00',
    to: '2026-10-26T00:00+01:00',
    minutes: 480,
  },
  // Working hours 00:00-08:00 contain the change: real time is counted, 02:00-03:00 does not exist -> 7 h.
  {
    case: 'over working hours that contain the spring-forward gap',
    calendar: berlinNightShift,
    from: '2026-03-29T00:00+01:00',
    to: '2026-03-29T08:00+02:00',
    minutes: 420,
  },
  // Working hours 00:00-08:00 contain the change: 02:00-03:00 happens twice -> 9 h of real time.
  {
    case: 'over working hours that contain the repeated fall-back hour',
    calendar: berlinNightShift,
    from: '2026-10-25T00:00+02:00',
    to: '2026-10-25T08:00+01:00',
    minutes: 540,
  },
  // Tokyo, no DST: Fri 03-27 16:00 JST -> Mon 03-30 10:00 JST = 60 + 60.
  { case: 'across a weekend in a zone without DST', calendar: tokyoJP, from: '2026-03-27T16:00+09:00', to: '2026-03-30T10:00+09:00', minutes: 120 },
  // 59.9 seconds are not a whole minute.
  { case: 'less than a minute apart', calendar: berlinDE, from: '2026-06-10T10:00:00.000+02:00', to: '2026-06-10T10:00:59.900+02:00', minutes: 0 },
  { case: 'less than a minute apart, backwards', calendar: berlinDE, from: '2026-06-10T10:00:59.900+02:00', to: '2026-06-10T10:00:00.000+02:00', minutes: 0 },
];

describe('businessMinutesBetween', () => {
  it.each(rows)('when measuring $case, then it is $minutes business minutes', ({ calendar, from, to, minutes }) => {
    expect(businessMinutesBetween(calendar, at(from), at(to))).toBe(minutes);
  });
});
