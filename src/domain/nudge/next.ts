import { businessDayInfo, type BusinessCalendar } from '../calendar';
import { invalidNudgeInput, type EscalationStep, type EscalationTarget, type NudgePolicy } from './policy';
import { activeStop, snoozesLeft, type NudgeState, type NudgeStop } from './state';
import { businessDaysAfter, isValidZone, localLabel, nextAllowed, type WorkingTime } from './working-time';

/**
 * Who gets what next, and when. The story, in order:
 * 1. Nothing while nudging is stopped (compliant, exception pending or granted, gone, blocked),
 *    paused for this user, or paused for everyone; nothing before the first notice went out.
 * 2. A reminder every N business days after the previous one (or after the first notice), up to M.
 * 3. Then the escalation steps in order, each once, each its delay after the step before; the first
 *    starts when reminder M+1 would have been due. A manager step for a user without a manager is
 *    skipped at once and the next step takes its place and time.
 * 4. After the last step (the admins), nothing more goes out automatically: the admins own it.
 * A snooze, a granted exception's end and a manual resume only ever push the next step later. The
 * result is moved to the next moment inside the recipient's working hours, outside quiet hours.
 */
export type NudgeAction = 'none' | 'reminder' | 'escalate';

export interface NudgeContext {
  now: Date;
  /** The recipient's IANA zone (from Teams when known), else the organisation's default. */
  zone: string;
  /** Whether Entra ID lists a manager for the user (Graph /manager answered 200). */
  hasManager: boolean;
  /** An admin ran `pause nudges` for the whole organisation. */
  globallyPaused: boolean;
  /**
   * The organisation's business calendar: its public holidays and closures are no business days
   * for reminders either (counted on the recipient's local date). Its zone, working days and hours
   * are not used: the recipient's zone and the policy's working time are.
   */
  calendar?: Pick<BusinessCalendar, 'holidays' | 'closures'>;
}

/** The calendar's holidays and closures as a `closed` predicate on local dates (weekends are the policy's business). */
export function closedDays(calendar: Pick<BusinessCalendar, 'holidays' | 'closures'> | undefined): ((date: string) => boolean) | undefined {
  if (!calendar || (calendar.holidays === undefined && calendar.closures.length === 0)) return undefined;
  // businessDayInfo needs a whole calendar; only holidays and closures matter here, so every weekday works.
  const full: BusinessCalendar = { zone: 'UTC', workingDays: [1, 2, 3, 4, 5, 6, 7], workingHours: { start: '00:00', end: '23:59' }, closures: calendar.closures, ...(calendar.holidays ? { holidays: calendar.holidays } : {}) };
  const memo = new Map<string, boolean>();
  return (date) => {
    let closed = memo.get(date);
    if (closed === undefined) {
      closed = !businessDayInfo(full, date).isBusinessDay;
      memo.set(date, closed);
    }
    return closed;
  };
}

export interface NudgeDecision {
  action: NudgeAction;
  step?: EscalationTarget;
  /** Steps passed over on the way to `step` (a missing manager): record them with `recordSent`. */
  skipped?: EscalationTarget[];
  /** When it is due: never before `now`; send when `at <= now`. For 'none': when to look again, or `now`. */
  at: Date;
  why: string;
}

interface Floor {
  at: Date;
  /** Text only when this floor decides the time (labels cost a time-zone conversion each). */
  why: () => string;
}

interface Plan {
  action: 'reminder' | 'escalate';
  step?: EscalationTarget;
  skipped?: EscalationTarget[];
  due: Date;
  why: string;
}

const STOP_WHY: Record<NudgeStop['reason'], string> = {
  compliant: 'the user is compliant',
  exceptionPending: 'an exception request is pending',
  exceptionGranted: 'an exception is granted',
  notInTenant: 'the user is no longer in the tenant',
  blocked: 'the user blocked the bot (unreachable)',
};

const TARGET_NAME: Record<EscalationTarget, string> = { manager: 'the manager', admins: 'the admins' };

function later(a: Date, b: Date): Date {
  return a.getTime() >= b.getTime() ? a : b;
}

/** Everything that holds the next step back, whichever step it is. */
function floors(state: NudgeState, policy: NudgePolicy, wt: WorkingTime): Floor[] {
  const out: Floor[] = [];
  const { snoozedUntil, resumedAt } = state;
  if (snoozedUntil) out.push({ at: snoozedUntil, why: () => `snoozed until ${localLabel(snoozedUntil, wt.zone)}` });
  const until = state.stopped?.reason === 'exceptionGranted' ? state.stopped.until : undefined;
  if (until) out.push({ at: until, why: () => `exception ended ${localLabel(until, wt.zone)}` });
  if (resumedAt) {
    const at = businessDaysAfter(resumedAt, policy.reminderEveryBusinessDays, wt);
    out.push({ at, why: () => `resumed ${localLabel(resumedAt, wt.zone)}, next ${policy.reminderEveryBusinessDays} business days later` });
  }
  return out;
}

/** The latest of `due` and the floors, with the floor that decided it named. */
function holdBack(due: Date, why: string, held: Floor[]): { due: Date; why: string } {
  let latest: Floor | undefined;
  for (const floor of held) {
    if (floor.at.getTime() > (latest ?? { at: due }).at.getTime()) latest = floor;
  }
  return latest ? { due: latest.at, why: `${why}; ${latest.why()}` } : { due, why };
}

function escalationPlan(state: NudgeState, steps: readonly EscalationStep[], slot: Date, wt: WorkingTime, hasManager: boolean, held: Floor[], lead: string): Plan | string {
  const done = new Set(state.escalations.map((e) => e.step));
  const index = steps.findIndex((s) => !done.has(s.to));
  const step = steps[index];
  const previous = state.escalations[state.escalations.length - 1];
  if (!step) {
    return previous
      ? `escalated to ${TARGET_NAME[previous.step]} on ${localLabel(previous.at, wt.zone)}; nothing more is sent automatically: the admins own it now`
      : 'all reminders sent and the policy has no escalation; nothing more is sent automatically';
  }
  const base = previous ? previous.at : slot;
  const after = previous ? `after the escalation to ${TARGET_NAME[previous.step]}` : 'after the last reminder slot';
  // A manager step for a user without a manager is skipped at once: its successor (validated
  // policies end with 'admins') takes its place and its time.
  const skip = step.to === 'manager' && !hasManager;
  const target: EscalationTarget = skip ? (steps[index + 1]?.to ?? 'admins') : step.to;
  const { due, why } = holdBack(
    businessDaysAfter(base, step.afterBusinessDays, wt),
    `${lead}${skip ? 'no manager, skipped; ' : ''}escalation to ${TARGET_NAME[target]}, ${step.afterBusinessDays} business days ${after}`,
    held,
  );
  return skip ? { action: 'escalate', step: target, skipped: ['manager'], due, why } : { action: 'escalate', step: target, due, why };
}

function plan(state: NudgeState & { firstNoticeAt: Date }, policy: NudgePolicy, wt: WorkingTime, hasManager: boolean): Plan | string {
  const every = policy.reminderEveryBusinessDays;
  const max = policy.maxRemindersBeforeEscalation;
  const slot = businessDaysAfter(state.lastReminderAt ?? state.firstNoticeAt, every, wt);
  const held = floors(state, policy, wt);
  // Like Entra's campaign: once the user has used every snooze, the next step is escalation.
  const snoozesExhausted = policy.escalation.length > 0 && state.snoozesUsed > 0 && snoozesLeft(state, policy) === 0;
  if (state.remindersSent < max && !snoozesExhausted) {
    const previous = state.remindersSent === 0 ? 'the first notice' : `reminder ${state.remindersSent}`;
    const { due, why } = holdBack(slot, `reminder ${state.remindersSent + 1} of ${max}, ${every} business days after ${previous}`, held);
    return { action: 'reminder', due, why };
  }
  const lead = state.remindersSent < max ? `all ${policy.snooze.maxTimes} snoozes used; ` : '';
  return escalationPlan(state, policy.escalation, slot, wt, hasManager, held, lead);
}

export function nextNudge(state: NudgeState, policy: NudgePolicy, ctx: NudgeContext): NudgeDecision {
  const { now, zone } = ctx;
  if (!(now instanceof Date) || Number.isNaN(now.getTime())) throw invalidNudgeInput('now', 'a valid instant (Date) is required');
  if (!isValidZone(zone)) throw invalidNudgeInput('zone', `"${zone}" is not an IANA time zone`);
  const closed = closedDays(ctx.calendar);
  const wt: WorkingTime = { zone, workingDays: policy.workingDays, workingHours: policy.workingHours, quietHours: policy.quietHours, ...(closed ? { closed } : {}) };

  const stop = activeStop(state, now);
  if (stop) {
    const until = stop.until ? ` until ${localLabel(stop.until, zone)}` : '';
    return { action: 'none', at: stop.until ?? now, why: `stopped: ${STOP_WHY[stop.reason]}${until}` };
  }
  if (state.paused) return { action: 'none', at: now, why: `paused for this user since ${localLabel(state.paused.since, zone)}` };
  if (ctx.globallyPaused) return { action: 'none', at: now, why: 'nudges are paused for everyone' };
  const { firstNoticeAt } = state;
  if (!firstNoticeAt) return { action: 'none', at: now, why: 'no first notice yet: reminders count from it' };

  const next = plan({ ...state, firstNoticeAt }, policy, wt, ctx.hasManager);
  if (typeof next === 'string') return { action: 'none', at: now, why: next };
  const { at, label } = nextAllowed(later(next.due, now), wt);
  const moved = at.getTime() > next.due.getTime() ? '; at the next allowed moment' : '';
  const decision: NudgeDecision = { action: next.action, at, why: `${next.why}${moved}: ${label} ${zone}` };
  if (next.step) decision.step = next.step;
  if (next.skipped) decision.skipped = next.skipped;
  return decision;
}
