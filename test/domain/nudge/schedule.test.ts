import { createNudgePolicy, newNudgeState, nextNudge, recordFirstNotice, recordSent } from '../../../src/domain/nudge';
import { label, localTime, simulate } from './simulate';

/**
 * Weeks of simulated time under the default policy (a reminder every 2 business days, 09:00–17:00
 * Monday to Friday, 3 reminders, then the manager at once, then the admins 2 business days later).
 * Expected sequences are written by hand from a calendar.
 */
describe('nudge schedule over weeks of simulated time', () => {
  it('when a New York user ignores every reminder, then 3 reminders, the manager and the admins follow in order, at the same local time across the DST change, and nothing more', () => {
    const { sent, ticks } = simulate({ zone: 'America/New_York', firstNotice: '2026-03-02T10:00', end: '2026-03-30T10:00' });
    // Four weeks of 15-minute ticks, one hour short: the DST change skips 02:00–03:00.
    expect(ticks).toBe((4 * 7 * 24 - 1) * 4 + 1);
    expect(sent).toEqual([
      'reminder Wed 2026-03-04 10:00',
      'reminder Fri 2026-03-06 10:00',
      // US daylight saving time starts Sun 2026-03-08: still 10:00 local, one hour earlier in UTC.
      'reminder Tue 2026-03-10 10:00',
      'escalate manager Thu 2026-03-12 10:00',
      'escalate admins Mon 2026-03-16 10:00',
    ]);
  });

  it('when the first notice reaches New York at 09:00 and Tokyo at 22:00 (the same instant), then each recipient is reminded inside their own working hours', () => {
    const sameInstant = '2026-06-01T13:00:00Z';
    const ny = simulate({ zone: 'America/New_York', firstNotice: '2026-06-01T09:00', end: '2026-06-29T09:00' });
    const tokyo = simulate({ zone: 'Asia/Tokyo', firstNotice: '2026-06-01T22:00', end: '2026-06-29T22:00' });
    expect(localTime('2026-06-01T09:00', 'America/New_York').toISOString()).toBe(new Date(sameInstant).toISOString());
    expect(localTime('2026-06-01T22:00', 'Asia/Tokyo').toISOString()).toBe(new Date(sameInstant).toISOString());
    expect(ny.sent).toEqual([
      'reminder Wed 2026-06-03 09:00',
      'reminder Fri 2026-06-05 09:00',
      'reminder Tue 2026-06-09 09:00',
      'escalate manager Thu 2026-06-11 09:00',
      'escalate admins Mon 2026-06-15 09:00',
    ]);
    // 22:00 is after hours in Tokyo: the 2 business days count from Tuesday 09:00.
    expect(tokyo.sent).toEqual([
      'reminder Thu 2026-06-04 09:00',
      'reminder Mon 2026-06-08 09:00',
      'reminder Wed 2026-06-10 09:00',
      'escalate manager Fri 2026-06-12 09:00',
      'escalate admins Tue 2026-06-16 09:00',
    ]);
  });

  it('when the first notice lands 5 minutes before the end of a Friday, then the first reminder comes at that time 2 business days on (Tuesday), and the rest follow', () => {
    const { sent } = simulate({ zone: 'Europe/London', firstNotice: '2026-12-04T16:55', end: '2026-12-28T09:00' });
    expect(sent).toEqual([
      'reminder Tue 2026-12-08 16:55',
      'reminder Thu 2026-12-10 16:55',
      'reminder Mon 2026-12-14 16:55',
      'escalate manager Wed 2026-12-16 16:55',
      'escalate admins Fri 2026-12-18 16:55',
    ]);
  });

  it("when the sweep after a late Friday notice only runs once that Tuesday's working hours are over, then the reminder goes out at Wednesday 09:00, not never", () => {
    const policy = createNudgePolicy();
    const state = recordFirstNotice(newNudgeState('user-1', 1), new Date('2026-12-04T16:55:00Z'));
    const base = { hasManager: true, globallyPaused: false, zone: 'Europe/London' };
    const early = nextNudge(state, policy, { ...base, now: new Date('2026-12-08T11:00:00Z') });
    expect(early.action).toBe('reminder');
    expect(early.at.toISOString()).toBe('2026-12-08T16:55:00.000Z');
    const late = nextNudge(state, policy, { ...base, now: new Date('2026-12-08T17:05:00Z') });
    expect(late.action).toBe('reminder');
    expect(late.at.toISOString()).toBe('2026-12-09T09:00:00.000Z');
  });

  it('when it is 09:00 in New York and 22:00 in Tokyo, then only the New York recipient is due now', () => {
    const policy = createNudgePolicy();
    const notice = new Date('2026-06-01T13:00:00Z');
    const state = recordFirstNotice(newNudgeState('user-1', 1), notice);
    const now = new Date('2026-06-03T13:00:00Z');
    const base = { now, hasManager: true, globallyPaused: false };
    const ny = nextNudge(state, policy, { ...base, zone: 'America/New_York' });
    const tokyo = nextNudge(state, policy, { ...base, zone: 'Asia/Tokyo' });
    expect(ny).toMatchObject({ action: 'reminder', at: now });
    expect(tokyo.action).toBe('reminder');
    expect(tokyo.at.toISOString()).toBe('2026-06-04T00:00:00.000Z');
    expect(label(tokyo.at, 'Asia/Tokyo')).toBe('Thu 2026-06-04 09:00');
    expect(tokyo.why).toMatch(/reminder 1 of 3.*Thu 2026-06-04 09:00 Asia\/Tokyo/);
  });

  it('when Berlin switches to summer time (Sun 2026-03-29), then a Friday 10:00 notice is followed by reminders at 10:00 local, 08:00 UTC', () => {
    const { sent } = simulate({ zone: 'Europe/Berlin', firstNotice: '2026-03-27T10:00', end: '2026-04-24T10:00' });
    expect(sent).toEqual([
      'reminder Tue 2026-03-31 10:00',
      'reminder Thu 2026-04-02 10:00',
      // Easter Monday: the minimal working-days helper knows no public holidays.
      'reminder Mon 2026-04-06 10:00',
      'escalate manager Wed 2026-04-08 10:00',
      'escalate admins Fri 2026-04-10 10:00',
    ]);
    const state = recordFirstNotice(newNudgeState('user-1', 1), new Date('2026-03-27T09:00:00Z'));
    const first = nextNudge(state, createNudgePolicy(), { now: new Date('2026-03-27T09:00:00Z'), zone: 'Europe/Berlin', hasManager: true, globallyPaused: false });
    expect(first.at.toISOString()).toBe('2026-03-31T08:00:00.000Z');
  });

  it('when every day is a working day and the 23-hour DST day comes, then a daily reminder keeps 10:00 local', () => {
    const policy = createNudgePolicy({ reminderEveryBusinessDays: 1, workingDays: [1, 2, 3, 4, 5, 6, 7] });
    const notice = localTime('2026-03-28T10:00', 'Europe/Berlin');
    const state = recordFirstNotice(newNudgeState('user-1', 1), notice);
    const next = nextNudge(state, policy, { now: notice, zone: 'Europe/Berlin', hasManager: true, globallyPaused: false });
    expect(label(next.at, 'Europe/Berlin')).toBe('Sun 2026-03-29 10:00');
    expect(next.at.getTime() - notice.getTime()).toBe(23 * 60 * 60 * 1000);
  });

  it('when New York falls back to winter time (Sun 2026-11-01), then a Friday 16:30 notice is followed by reminders at 16:30 local', () => {
    const { sent } = simulate({ zone: 'America/New_York', firstNotice: '2026-10-30T16:30', end: '2026-11-27T16:30' });
    expect(sent).toEqual([
      'reminder Tue 2026-11-03 16:30',
      'reminder Thu 2026-11-05 16:30',
      'reminder Mon 2026-11-09 16:30',
      'escalate manager Wed 2026-11-11 16:30',
      'escalate admins Fri 2026-11-13 16:30',
    ]);
    const state = recordFirstNotice(newNudgeState('user-1', 1), localTime('2026-10-30T16:30', 'America/New_York'));
    const first = nextNudge(state, createNudgePolicy(), { now: new Date('2026-10-30T20:30:00Z'), zone: 'America/New_York', hasManager: true, globallyPaused: false });
    expect(first.at.toISOString()).toBe('2026-11-03T21:30:00.000Z');
  });

  it('when the first notice goes out on a Saturday, then the business days count from Monday 09:00', () => {
    const { sent } = simulate({ zone: 'Europe/London', firstNotice: '2026-01-10T11:00', end: '2026-01-31T11:00' });
    expect(sent).toEqual([
      'reminder Wed 2026-01-14 09:00',
      'reminder Fri 2026-01-16 09:00',
      'reminder Tue 2026-01-20 09:00',
      'escalate manager Thu 2026-01-22 09:00',
      'escalate admins Mon 2026-01-26 09:00',
    ]);
  });

  it('when a reminder falls in the lunch quiet hours, then it goes out when they end', () => {
    const policy = createNudgePolicy({ quietHours: { start: '12:00', end: '13:00' } });
    const { sent } = simulate({ policy, zone: 'Europe/Berlin', firstNotice: '2026-01-05T12:15', end: '2026-01-24T12:15' });
    expect(sent).toEqual([
      'reminder Wed 2026-01-07 13:00',
      'reminder Fri 2026-01-09 13:00',
      'reminder Tue 2026-01-13 13:00',
      'escalate manager Thu 2026-01-15 13:00',
      'escalate admins Mon 2026-01-19 13:00',
    ]);
  });

  it('when quiet hours run to the end of the working day, then a reminder due in them waits for the next morning', () => {
    const policy = createNudgePolicy({ quietHours: { start: '16:00', end: '17:00' } });
    const { sent } = simulate({ policy, zone: 'Europe/Berlin', firstNotice: '2026-01-05T16:30', end: '2026-01-24T16:30' });
    expect(sent).toEqual([
      'reminder Thu 2026-01-08 09:00',
      'reminder Mon 2026-01-12 09:00',
      'reminder Wed 2026-01-14 09:00',
      'escalate manager Fri 2026-01-16 09:00',
      'escalate admins Tue 2026-01-20 09:00',
    ]);
  });

  it('when a reminder is overdue and the sweep runs at night, then it waits for the next working moment instead of going out at once', () => {
    const policy = createNudgePolicy();
    const state = recordFirstNotice(newNudgeState('user-1', 1), localTime('2026-01-05T10:00', 'Europe/Berlin'));
    const night = localTime('2026-01-07T23:40', 'Europe/Berlin');
    const next = nextNudge(state, policy, { now: night, zone: 'Europe/Berlin', hasManager: true, globallyPaused: false });
    expect(next.action).toBe('reminder');
    expect(label(next.at, 'Europe/Berlin')).toBe('Thu 2026-01-08 09:00');
    expect(next.why).toMatch(/next allowed moment/);
  });

  it('when no first notice has gone out, then no reminder is planned', () => {
    const next = nextNudge(newNudgeState('user-1', 1), createNudgePolicy(), { now: new Date('2026-01-05T10:00:00Z'), zone: 'UTC', hasManager: true, globallyPaused: false });
    expect(next).toMatchObject({ action: 'none', why: expect.stringMatching(/no first notice/) as unknown });
  });

  it('when reminders are recorded at the time they went out, then the next one counts from that time', () => {
    const policy = createNudgePolicy();
    let state = recordFirstNotice(newNudgeState('user-1', 1), localTime('2026-01-05T10:00', 'Europe/Berlin'));
    state = recordSent(state, { action: 'reminder' }, localTime('2026-01-07T14:10', 'Europe/Berlin'));
    const next = nextNudge(state, policy, { now: localTime('2026-01-07T14:10', 'Europe/Berlin'), zone: 'Europe/Berlin', hasManager: true, globallyPaused: false });
    expect(label(next.at, 'Europe/Berlin')).toBe('Fri 2026-01-09 14:10');
    expect(next.why).toMatch(/reminder 2 of 3, 2 business days after reminder 1/);
  });
});
