import { DateTime } from 'luxon';
import { AppError } from '../../../src/domain/errors';
import {
  createNudgePolicy,
  newNudgeState,
  nextNudge,
  recordFirstNotice,
  recordSent,
  type NudgeContext,
  type NudgePolicy,
  type NudgeState,
} from '../../../src/domain/nudge';

/** A local wall-clock time in `zone` ('2026-03-02T10:00') as an instant. */
export function localTime(iso: string, zone: string): Date {
  const dt = DateTime.fromISO(iso, { zone });
  if (!dt.isValid) throw new Error(`bad local time ${iso} in ${zone}`);
  return dt.toJSDate();
}

/** An instant as the recipient reads it: 'Wed 2026-03-04 10:00'. */
export function label(at: Date, zone: string): string {
  return DateTime.fromJSDate(at, { zone }).setLocale('en-GB').toFormat('ccc yyyy-MM-dd HH:mm');
}

export interface SimEvent {
  /** Local time in the simulation's zone. */
  at: string;
  apply: (state: NudgeState, now: Date) => NudgeState;
}

export interface Simulation {
  zone: string;
  /** Local time of the first notice; the virtual clock starts there. */
  firstNotice: string;
  /** Local time where the virtual clock stops. */
  end: string;
  policy?: NudgePolicy;
  hasManager?: boolean;
  globallyPaused?: (now: Date) => boolean;
  events?: SimEvent[];
  /** The organisation's holidays and closures. */
  calendar?: NudgeContext['calendar'];
}

export interface SimResult {
  /** What went out, in order: 'reminder Wed 2026-03-04 10:00', 'escalate manager …', 'escalate admins (skipped manager) …'. */
  sent: string[];
  state: NudgeState;
  ticks: number;
}

const STEP_MS = 15 * 60 * 1000;

/**
 * Runs a virtual clock in 15-minute steps from the first notice to `end`: events (a snooze, an
 * exception, …) apply at their time, then the scheduler asks `nextNudge` and "sends" whatever is due,
 * as a sweep would. Several sends in one tick are allowed (and would show up in `sent`), so a policy
 * that fires twice cannot hide.
 */
export function simulate(sim: Simulation): SimResult {
  const policy = sim.policy ?? createNudgePolicy();
  const start = localTime(sim.firstNotice, sim.zone).getTime();
  const end = localTime(sim.end, sim.zone).getTime();
  const events = (sim.events ?? []).map((e) => ({ ...e, time: localTime(e.at, sim.zone).getTime() })).sort((a, b) => a.time - b.time);
  let state = recordFirstNotice(newNudgeState('user-1', 1), new Date(start));
  const sent: string[] = [];
  let ticks = 0;
  for (let t = start; t <= end; t += STEP_MS) {
    ticks++;
    const now = new Date(t);
    while (events.length > 0 && (events[0]?.time ?? Infinity) <= t) state = events.shift()!.apply(state, now);
    for (let sends = 0; sends < 5; sends++) {
      const ctx = { now, zone: sim.zone, hasManager: sim.hasManager ?? true, globallyPaused: sim.globallyPaused?.(now) ?? false, calendar: sim.calendar };
      const decision = nextNudge(state, policy, ctx);
      if (decision.action === 'none' || decision.at.getTime() > t) break;
      if (decision.at.getTime() !== t) throw new Error(`due ${decision.at.toISOString()} is not the tick ${now.toISOString()}`);
      const what = decision.action === 'reminder' ? 'reminder' : `escalate ${decision.step}${decision.skipped ? ` (skipped ${decision.skipped.join(', ')})` : ''}`;
      sent.push(`${what} ${label(now, sim.zone)}`);
      state = recordSent(state, decision, now);
    }
  }
  return { sent, state, ticks };
}

/** The AppError `fn` throws; fails the test when it throws nothing or something else. */
export function appErrorOf(fn: () => unknown): AppError {
  try {
    fn();
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
  throw new Error('expected an AppError');
}
