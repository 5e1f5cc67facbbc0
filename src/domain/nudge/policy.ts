import { AppError, ErrorCodes } from '../errors';

/**
 * The nudge policy: how often a non-compliant user is reminded, when, how often they may snooze,
 * and who is brought in afterwards. Defaults follow Microsoft Entra's registration campaign
 * (snooze up to 14 days, at most 3 times) and PagerDuty-style escalation (ordered steps, each with
 * a delay counted from the step before).
 */
export type EscalationTarget = 'manager' | 'admins';

export interface EscalationStep {
  to: EscalationTarget;
  /** Business days after the previous step (the first step: after the reminder slot that follows the last reminder). */
  afterBusinessDays: number;
}

/** A wall-clock window `HH:mm`–`HH:mm` within one day; the end is exclusive. */
export interface TimeWindow {
  start: string;
  end: string;
}

export interface NudgePolicy {
  /** A reminder every N business days after the previous one (or after the first notice). */
  reminderEveryBusinessDays: number;
  /** The recipient's working hours, in their own time zone. */
  workingHours: TimeWindow;
  /** ISO weekdays, 1 = Monday … 7 = Sunday. */
  workingDays: readonly number[];
  /** Never send inside this window (e.g. lunch), even within working hours. */
  quietHours?: TimeWindow;
  /** After this many reminders the escalation steps begin. 0: escalate at the first reminder slot. */
  maxRemindersBeforeEscalation: number;
  snooze: { maxDays: number; maxTimes: number };
  /** Either empty (no escalation) or ending with 'admins'; each target at most once. */
  escalation: readonly EscalationStep[];
}

export interface NudgePolicyInput {
  reminderEveryBusinessDays?: number;
  workingHours?: Partial<TimeWindow>;
  workingDays?: readonly number[];
  quietHours?: TimeWindow;
  maxRemindersBeforeEscalation?: number;
  snooze?: Partial<NudgePolicy['snooze']>;
  escalation?: readonly EscalationStep[];
}

export const DEFAULT_NUDGE_POLICY: NudgePolicy = Object.freeze({
  reminderEveryBusinessDays: 2,
  workingHours: Object.freeze({ start: '09:00', end: '17:00' }),
  workingDays: Object.freeze([1, 2, 3, 4, 5]),
  maxRemindersBeforeEscalation: 3,
  snooze: Object.freeze({ maxDays: 14, maxTimes: 3 }),
  escalation: Object.freeze([
    Object.freeze({ to: 'manager', afterBusinessDays: 0 }),
    Object.freeze({ to: 'admins', afterBusinessDays: 2 }),
  ] as const),
});

const LIMITS = {
  reminderEveryBusinessDays: { min: 1, max: 30 },
  maxRemindersBeforeEscalation: { min: 0, max: 20 },
  snoozeMaxDays: { min: 1, max: 30 },
  snoozeMaxTimes: { min: 0, max: 10 },
  afterBusinessDays: { min: 0, max: 30 },
} as const;

const TIME_OF_DAY = /^([01]\d|2[0-3]):([0-5]\d)$/;

/** INPUT_INVALID naming the offending field, in the message and in `details.field`. */
export function invalidNudgeInput(field: string, message: string): AppError {
  return new AppError(ErrorCodes.InputInvalid, `${field}: ${message}`, { details: { field } });
}

/** Minutes after midnight of an `HH:mm` time, or undefined when it is not one. */
export function minutesOfDay(value: unknown): number | undefined {
  if (typeof value !== 'string') return undefined;
  const match = TIME_OF_DAY.exec(value);
  if (!match) return undefined;
  return Number(match[1]) * 60 + Number(match[2]);
}

function wholeNumber(field: string, value: unknown, limits: { min: number; max: number }): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < limits.min || value > limits.max) {
    throw invalidNudgeInput(field, `a whole number from ${limits.min} to ${limits.max} is required (got ${String(value)})`);
  }
  return value;
}

function window(field: string, value: Partial<TimeWindow> | undefined): TimeWindow {
  const start = minutesOfDay(value?.start);
  const end = minutesOfDay(value?.end);
  if (start === undefined) throw invalidNudgeInput(`${field}.start`, `"${String(value?.start)}" is not an HH:mm time`);
  if (end === undefined) throw invalidNudgeInput(`${field}.end`, `"${String(value?.end)}" is not an HH:mm time`);
  if (end <= start) throw invalidNudgeInput(field, `must end after it starts (${String(value?.start)}–${String(value?.end)}); windows across midnight are not supported`);
  return { start: value?.start as string, end: value?.end as string };
}

function workingDays(value: readonly unknown[]): number[] {
  if (!Array.isArray(value) || value.length === 0) throw invalidNudgeInput('workingDays', 'at least one ISO weekday (1 = Monday … 7 = Sunday) is required');
  for (const day of value) {
    if (typeof day !== 'number' || !Number.isInteger(day) || day < 1 || day > 7) {
      throw invalidNudgeInput('workingDays', `${String(day)} is not an ISO weekday (1 = Monday … 7 = Sunday)`);
    }
  }
  return [...new Set(value as number[])].sort((a, b) => a - b);
}

function escalation(value: readonly EscalationStep[]): EscalationStep[] {
  if (!Array.isArray(value)) throw invalidNudgeInput('escalation', 'a list of steps is required');
  const steps = value.map((step: Partial<EscalationStep> | undefined, i): EscalationStep => {
    const to: unknown = step?.to;
    if (to !== 'manager' && to !== 'admins') throw invalidNudgeInput(`escalation[${i}].to`, `"${String(to)}" is not 'manager' or 'admins'`);
    return { to, afterBusinessDays: wholeNumber(`escalation[${i}].afterBusinessDays`, step?.afterBusinessDays, LIMITS.afterBusinessDays) };
  });
  if (new Set(steps.map((s) => s.to)).size !== steps.length) throw invalidNudgeInput('escalation', 'each target may appear once');
  // A skipped manager hands over to the next step at once, so someone must always follow: the admins.
  if (steps.length > 0 && steps[steps.length - 1]?.to !== 'admins') throw invalidNudgeInput('escalation', "the last step must be 'admins'");
  return steps;
}

/** A complete, validated policy: defaults for what `input` leaves out. Throws INPUT_INVALID naming the field. */
export function createNudgePolicy(input: NudgePolicyInput = {}): NudgePolicy {
  const d = DEFAULT_NUDGE_POLICY;
  const workingHours = window('workingHours', { ...d.workingHours, ...input.workingHours });
  const policy: NudgePolicy = {
    reminderEveryBusinessDays: wholeNumber('reminderEveryBusinessDays', input.reminderEveryBusinessDays ?? d.reminderEveryBusinessDays, LIMITS.reminderEveryBusinessDays),
    workingHours,
    workingDays: workingDays(input.workingDays ?? d.workingDays),
    maxRemindersBeforeEscalation: wholeNumber('maxRemindersBeforeEscalation', input.maxRemindersBeforeEscalation ?? d.maxRemindersBeforeEscalation, LIMITS.maxRemindersBeforeEscalation),
    snooze: {
      maxDays: wholeNumber('snooze.maxDays', input.snooze?.maxDays ?? d.snooze.maxDays, LIMITS.snoozeMaxDays),
      maxTimes: wholeNumber('snooze.maxTimes', input.snooze?.maxTimes ?? d.snooze.maxTimes, LIMITS.snoozeMaxTimes),
    },
    escalation: escalation(input.escalation ?? d.escalation),
  };
  if (input.quietHours !== undefined) {
    const quiet = window('quietHours', input.quietHours);
    const [ws, we, qs, qe] = [workingHours.start, workingHours.end, quiet.start, quiet.end].map((t) => minutesOfDay(t) ?? 0) as [number, number, number, number];
    if (qs <= ws && qe >= we) throw invalidNudgeInput('quietHours', `${quiet.start}–${quiet.end} covers all working hours (${workingHours.start}–${workingHours.end}): nothing could ever be sent`);
    policy.quietHours = quiet;
  }
  return policy;
}
