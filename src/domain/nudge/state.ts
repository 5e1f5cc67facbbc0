import { invalidNudgeInput, type EscalationTarget, type NudgePolicy } from './policy';

/**
 * What MFA Shepherd has done so far to nudge one user in one non-compliance episode. A new episode
 * (the user became non-compliant again) starts from a fresh state. Every function here returns a
 * new state; none reads the clock.
 */
export type StopReason = 'compliant' | 'exceptionPending' | 'exceptionGranted' | 'notInTenant' | 'blocked';

export interface NudgeStop {
  reason: StopReason;
  /** Only for 'exceptionGranted': the exception's end; nudging resumes from then on. */
  until?: Date;
}

export interface EscalationRecord {
  step: EscalationTarget;
  at: Date;
  /** The step was passed over, e.g. the user has no manager in Entra ID. */
  skipped?: 'noManager';
}

export interface NudgeState {
  objectId: string;
  episode: number;
  /** When the first notice of the episode went out; reminders count from it. */
  firstNoticeAt?: Date;
  remindersSent: number;
  lastReminderAt?: Date;
  snoozedUntil?: Date;
  snoozesUsed: number;
  /** In the order they happened; each target at most once. */
  escalations: EscalationRecord[];
  stopped?: NudgeStop;
  /** An admin paused nudges for this user (the whole organisation's pause is not stored here). */
  paused?: { since: Date };
  /** When a stop or pause was lifted by hand: the next step comes no earlier than one reminder interval later. */
  resumedAt?: Date;
}

/** What was sent: a decision from `nextNudge` fits. */
export interface SentNudge {
  action: 'none' | 'reminder' | 'escalate';
  step?: EscalationTarget;
  /** Steps passed over on the way to `step`, recorded as skipped at the same instant. */
  skipped?: readonly EscalationTarget[];
}

const FINAL_STOPS: ReadonlySet<StopReason> = new Set(['compliant', 'notInTenant', 'blocked']);

export function isFinalStop(reason: StopReason): boolean {
  return FINAL_STOPS.has(reason);
}

/** The stop in effect at `now`, if any: a granted exception stops nudging only until its end. */
export function activeStop(state: Pick<NudgeState, 'stopped'>, now: Date): NudgeStop | undefined {
  const stop = state.stopped;
  if (!stop) return undefined;
  if (stop.reason === 'exceptionGranted' && stop.until && stop.until.getTime() <= now.getTime()) return undefined;
  return stop;
}

function assertInstant(value: unknown, field: string): asserts value is Date {
  if (!(value instanceof Date) || Number.isNaN(value.getTime())) throw invalidNudgeInput(field, 'a valid instant (Date) is required');
}

export function newNudgeState(objectId: string, episode: number): NudgeState {
  if (objectId.trim() === '') throw invalidNudgeInput('objectId', 'is required');
  if (!Number.isInteger(episode) || episode < 1) throw invalidNudgeInput('episode', `a whole number from 1 is required (got ${episode})`);
  return { objectId, episode, remindersSent: 0, snoozesUsed: 0, escalations: [] };
}

/** The episode's first notice went out (sent on detection, outside this policy): reminders count from it. */
export function recordFirstNotice(state: NudgeState, at: Date): NudgeState {
  assertInstant(at, 'at');
  if (state.firstNoticeAt) return state;
  return { ...state, firstNoticeAt: at };
}

/** A reminder or an escalation went out at `at`. Recording an escalation step twice is refused. */
export function recordSent(state: NudgeState, sent: SentNudge, at: Date): NudgeState {
  assertInstant(at, 'at');
  if (sent.action === 'reminder') {
    return { ...state, remindersSent: state.remindersSent + 1, lastReminderAt: at };
  }
  if (sent.action !== 'escalate' || sent.step === undefined) {
    throw invalidNudgeInput('action', `only a reminder or an escalation with a step can be recorded (got ${sent.action}${sent.step ? ` ${sent.step}` : ''})`);
  }
  const done = new Set(state.escalations.map((e) => e.step));
  const records: EscalationRecord[] = [
    ...(sent.skipped ?? []).map((step): EscalationRecord => ({ step, at, skipped: 'noManager' })),
    { step: sent.step, at },
  ];
  for (const record of records) {
    if (done.has(record.step)) throw invalidNudgeInput('step', `the escalation to ${record.step} is already recorded; each step happens once`);
    done.add(record.step);
  }
  return { ...state, escalations: [...state.escalations, ...records] };
}

/**
 * Stop nudging. 'exceptionGranted' may carry the exception's end (`until`): nudging resumes on its
 * own from then. Other stops last until `resumeNudges` (an exception rejected, the user reachable
 * again); 'compliant' and 'notInTenant' normally end the episode.
 */
export function stopFor(state: NudgeState, reason: StopReason, until?: Date): NudgeState {
  if (until !== undefined) {
    if (reason !== 'exceptionGranted') throw invalidNudgeInput('until', `only a granted exception has an end date (reason: ${reason})`);
    assertInstant(until, 'until');
  }
  return { ...state, stopped: until === undefined ? { reason } : { reason, until } };
}

/** An admin pauses nudges for this one user. */
export function pauseNudges(state: NudgeState, at: Date): NudgeState {
  assertInstant(at, 'at');
  return state.paused ? state : { ...state, paused: { since: at } };
}

/**
 * Lift a stop or a pause at `at` (an exception rejected, an admin resuming). The next step comes no
 * earlier than one reminder interval after `at`: whoever resumed has just been in touch.
 */
export function resumeNudges(state: NudgeState, at: Date): NudgeState {
  assertInstant(at, 'at');
  const { stopped: _stopped, paused: _paused, ...rest } = state;
  return { ...rest, resumedAt: at };
}

export function snoozesLeft(state: Pick<NudgeState, 'snoozesUsed'>, policy: Pick<NudgePolicy, 'snooze'>): number {
  return Math.max(0, policy.snooze.maxTimes - state.snoozesUsed);
}

/**
 * The user snoozes for `days` calendar days (24 h each) from `now`, like Entra's registration
 * campaign: 1 to `snooze.maxDays` days, at most `snooze.maxTimes` times per episode. A new snooze
 * replaces a running one. After the last allowed snooze the next step is escalation.
 */
export function applySnooze(state: NudgeState, days: number, ctx: { now: Date }, policy: Pick<NudgePolicy, 'snooze' | 'escalation'>): NudgeState {
  assertInstant(ctx.now, 'now');
  const { maxDays, maxTimes } = policy.snooze;
  if (activeStop(state, ctx.now) || state.paused) throw invalidNudgeInput('snooze', 'there is nothing to snooze: nudges are stopped for this user');
  if (!Number.isInteger(days) || days < 1 || days > maxDays) {
    throw invalidNudgeInput('days', `a snooze lasts 1 to ${maxDays} days (asked: ${String(days)})`);
  }
  if (state.snoozesUsed >= maxTimes) {
    const next = policy.escalation.length > 0 ? 'the next step is escalation' : 'reminders continue';
    throw invalidNudgeInput('snoozesUsed', maxTimes === 0 ? 'snoozing is turned off' : `all ${maxTimes} snoozes are used; ${next}`);
  }
  const until = new Date(ctx.now.getTime() + days * 24 * 60 * 60 * 1000);
  return { ...state, snoozedUntil: until, snoozesUsed: state.snoozesUsed + 1 };
}
