import { createNudgePolicy, DEFAULT_NUDGE_POLICY, newNudgeState, nextNudge, recordFirstNotice, type NudgePolicyInput } from '../../../src/domain/nudge';
import { appErrorOf } from './simulate';

function rejected(input: NudgePolicyInput): { field: unknown; message: string } {
  const error = appErrorOf(() => createNudgePolicy(input));
  expect(error.code).toBe('INPUT_INVALID');
  return { field: error.details.field, message: error.message };
}

describe('createNudgePolicy', () => {
  it('when nothing is given, then the defaults follow Entra (14 days, 3 snoozes) and escalate to the manager, then the admins', () => {
    const policy = createNudgePolicy();
    expect(policy).toEqual({
      reminderEveryBusinessDays: 2,
      workingHours: { start: '09:00', end: '17:00' },
      workingDays: [1, 2, 3, 4, 5],
      maxRemindersBeforeEscalation: 3,
      snooze: { maxDays: 14, maxTimes: 3 },
      escalation: [
        { to: 'manager', afterBusinessDays: 0 },
        { to: 'admins', afterBusinessDays: 2 },
      ],
    });
    expect(policy.quietHours).toBeUndefined();
    expect(createNudgePolicy({})).toEqual(DEFAULT_NUDGE_POLICY);
  });

  it('when only part of a nested setting is given, then the rest keeps its default', () => {
    const policy = createNudgePolicy({ snooze: { maxDays: 7 }, workingHours: { end: '18:30' }, workingDays: [5, 1, 2, 1] });
    expect(policy.snooze).toEqual({ maxDays: 7, maxTimes: 3 });
    expect(policy.workingHours).toEqual({ start: '09:00', end: '18:30' });
    expect(policy.workingDays).toEqual([1, 2, 5]);
  });

  it('when quiet hours are given, then they are kept', () => {
    expect(createNudgePolicy({ quietHours: { start: '12:00', end: '13:00' } }).quietHours).toEqual({ start: '12:00', end: '13:00' });
  });

  it('when a value is invalid, then INPUT_INVALID names the field', () => {
    expect(rejected({ reminderEveryBusinessDays: 0 })).toMatchObject({ field: 'reminderEveryBusinessDays', message: expect.stringMatching(/whole number from 1 to 30 is required \(got 0\)/) as unknown });
    expect(rejected({ reminderEveryBusinessDays: 1.5 }).field).toBe('reminderEveryBusinessDays');
    expect(rejected({ workingHours: { start: '9am' } }).field).toBe('workingHours.start');
    expect(rejected({ workingHours: { end: '24:00' } }).field).toBe('workingHours.end');
    expect(rejected({ workingHours: { start: '17:00', end: '09:00' } })).toMatchObject({ field: 'workingHours', message: expect.stringMatching(/across midnight/) as unknown });
    expect(rejected({ workingDays: [] }).field).toBe('workingDays');
    expect(rejected({ workingDays: [0, 1] }).field).toBe('workingDays');
    expect(rejected({ quietHours: { start: '13:00', end: '12:00' } }).field).toBe('quietHours');
    expect(rejected({ quietHours: { start: '08:00', end: '18:00' } })).toMatchObject({ field: 'quietHours', message: expect.stringMatching(/nothing could ever be sent/) as unknown });
    expect(rejected({ maxRemindersBeforeEscalation: -1 }).field).toBe('maxRemindersBeforeEscalation');
    expect(rejected({ snooze: { maxDays: 0 } }).field).toBe('snooze.maxDays');
    expect(rejected({ snooze: { maxTimes: Number.NaN } }).field).toBe('snooze.maxTimes');
  });

  it('when the escalation steps are malformed, then INPUT_INVALID names the step', () => {
    expect(rejected({ escalation: [{ to: 'ceo' as 'admins', afterBusinessDays: 0 }] }).field).toBe('escalation[0].to');
    expect(rejected({ escalation: [{ to: 'manager', afterBusinessDays: 0 }, { to: 'admins', afterBusinessDays: -2 }] }).field).toBe('escalation[1].afterBusinessDays');
    expect(rejected({ escalation: [{ to: 'admins', afterBusinessDays: 0 }, { to: 'admins', afterBusinessDays: 1 }] })).toMatchObject({ field: 'escalation', message: expect.stringMatching(/once/) as unknown });
    expect(rejected({ escalation: [{ to: 'admins', afterBusinessDays: 0 }, { to: 'manager', afterBusinessDays: 1 }] })).toMatchObject({ field: 'escalation', message: expect.stringMatching(/last step must be 'admins'/) as unknown });
    expect(rejected({ escalation: [{ to: 'manager', afterBusinessDays: 0 }] }).field).toBe('escalation');
  });

  it('when escalation is turned off or goes straight to the admins, then the policy is accepted', () => {
    expect(createNudgePolicy({ escalation: [] }).escalation).toEqual([]);
    expect(createNudgePolicy({ escalation: [{ to: 'admins', afterBusinessDays: 1 }] }).escalation).toEqual([{ to: 'admins', afterBusinessDays: 1 }]);
  });
});

describe('nextNudge input', () => {
  const state = recordFirstNotice(newNudgeState('user-1', 1), new Date('2026-01-05T10:00:00Z'));
  const ctx = { now: new Date('2026-01-05T10:00:00Z'), hasManager: true, globallyPaused: false };

  it('when the zone is not an IANA zone, then INPUT_INVALID names the zone (the caller falls back to the organisation default)', () => {
    for (const zone of ['Mars/Olympus', '', 'system']) {
      const error = appErrorOf(() => nextNudge(state, createNudgePolicy(), { ...ctx, zone }));
      expect(error).toMatchObject({ code: 'INPUT_INVALID', details: { field: 'zone' } });
    }
  });

  it('when the clock gives an invalid instant, then INPUT_INVALID names it', () => {
    const error = appErrorOf(() => nextNudge(state, createNudgePolicy(), { ...ctx, now: new Date(Number.NaN), zone: 'UTC' }));
    expect(error.details.field).toBe('now');
  });
});
