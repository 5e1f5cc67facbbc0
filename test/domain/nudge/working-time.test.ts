import { addBusinessDays, clockStart, isAllowedMoment, isValidZone, nextAllowedMoment, type WorkingTime } from '../../../src/domain/nudge/working-time';
import { label, localTime } from './simulate';

const zone = 'Europe/Berlin';
const wt: WorkingTime = { zone, workingDays: [1, 2, 3, 4, 5], workingHours: { start: '09:00', end: '17:00' }, quietHours: { start: '12:00', end: '13:00' } };
const at = (local: string) => localTime(local, zone);
const show = (d: Date) => label(d, zone);

describe('working time (working days and hours; holidays and closures: holidays.test.ts)', () => {
  it('when an instant is inside working hours, then the business-day clock starts there, even in quiet hours', () => {
    expect(show(clockStart(at('2026-01-07T10:20'), wt))).toBe('Wed 2026-01-07 10:20');
    expect(show(clockStart(at('2026-01-07T12:30'), wt))).toBe('Wed 2026-01-07 12:30');
  });

  it('when an instant is before hours, after hours or on a weekend, then the clock starts at the next working start', () => {
    expect(show(clockStart(at('2026-01-07T07:00'), wt))).toBe('Wed 2026-01-07 09:00');
    expect(show(clockStart(at('2026-01-07T17:00'), wt))).toBe('Thu 2026-01-08 09:00');
    expect(show(clockStart(at('2026-01-09T18:00'), wt))).toBe('Mon 2026-01-12 09:00');
    expect(show(clockStart(at('2026-01-10T11:00'), wt))).toBe('Mon 2026-01-12 09:00');
  });

  it('when an instant falls in quiet hours, then the next allowed moment is their end; otherwise the instant itself', () => {
    expect(show(nextAllowedMoment(at('2026-01-07T12:00'), wt))).toBe('Wed 2026-01-07 13:00');
    expect(nextAllowedMoment(at('2026-01-07T11:59'), wt)).toEqual(at('2026-01-07T11:59'));
    expect(isAllowedMoment(at('2026-01-07T13:00'), wt)).toBe(true);
    expect(isAllowedMoment(at('2026-01-07T16:59'), wt)).toBe(true);
    expect(isAllowedMoment(at('2026-01-07T17:00'), wt)).toBe(false);
    expect(isAllowedMoment(at('2026-01-10T10:00'), wt)).toBe(false);
  });

  it('when business days are added over a weekend, then weekends do not count and the wall-clock time stays', () => {
    expect(show(addBusinessDays(at('2026-01-09T16:45'), 1, wt))).toBe('Mon 2026-01-12 16:45');
    expect(show(addBusinessDays(at('2026-01-08T10:00'), 2, wt))).toBe('Mon 2026-01-12 10:00');
    expect(show(addBusinessDays(at('2026-01-08T10:00'), 5, wt))).toBe('Thu 2026-01-15 10:00');
    expect(addBusinessDays(at('2026-01-08T10:00'), 0, wt)).toEqual(at('2026-01-08T10:00'));
  });

  it('when the days cross a DST change, then 10:00 stays 10:00 local and the UTC hour moves', () => {
    const friday = at('2026-03-27T10:00');
    expect(friday.toISOString()).toBe('2026-03-27T09:00:00.000Z');
    expect(addBusinessDays(friday, 1, wt).toISOString()).toBe('2026-03-30T08:00:00.000Z');
    const everyDay = { zone, workingDays: [1, 2, 3, 4, 5, 6, 7] };
    // 02:30 does not exist on Sun 2026-03-29 in Berlin: it moves forward by the gap.
    expect(addBusinessDays(at('2026-03-28T02:30'), 1, everyDay).toISOString()).toBe('2026-03-29T01:30:00.000Z');
  });

  it('when the wall-clock time occurs twice (clocks fall back), then it is its first occurrence, whatever the date today', () => {
    const everyDay = { workingDays: [1, 2, 3, 4, 5, 6, 7] };
    expect(addBusinessDays(at('2026-10-24T02:30'), 1, { ...everyDay, zone }).toISOString()).toBe('2026-10-25T00:30:00.000Z');
    const ny = 'America/New_York';
    expect(addBusinessDays(localTime('2026-10-31T01:30', ny), 1, { ...everyDay, zone: ny }).toISOString()).toBe('2026-11-01T05:30:00.000Z');
    // Spring forward in New York: 02:30 does not exist and becomes 03:30 EDT.
    expect(addBusinessDays(localTime('2026-03-07T02:30', ny), 1, { ...everyDay, zone: ny }).toISOString()).toBe('2026-03-08T07:30:00.000Z');
  });

  it('when a zone is checked, then only named IANA zones count', () => {
    expect(isValidZone('Asia/Tokyo')).toBe(true);
    expect(isValidZone('UTC')).toBe(true);
    expect(isValidZone('Mars/Olympus')).toBe(false);
    expect(isValidZone('system')).toBe(false);
    expect(isValidZone('')).toBe(false);
  });
});
