import { coverageEnd, effectiveStatus, isForOther, type ExceptionRequest } from '../exception';
import { resumeNudges, stopFor, type NudgeState, type NudgeStop } from './state';

/**
 * The stop rules: what should hold a user's nudges now (the user blocked the bot, or an
 * exception request is pending or granted), and how a stored stop follows that.
 */

/** Exception statuses that hold reminders while Microsoft or the admins decide. */
const PENDING = new Set(['inReview', 'approved', 'submittedToMicrosoft']);

/**
 * The stop a user's exception requests impose at `now`: pending (in review, approved, at Microsoft)
 * or granted until its end (Microsoft's end date, or the review date of a grant without one); at the
 * end it is expired and imposes nothing, so notices and nudges resume. A request an admin filed for
 * a service account or an integration is not about the admin's own account: it holds nothing.
 */
export function exceptionStop(requests: readonly ExceptionRequest[], now: Date): NudgeStop | undefined {
  let granted: NudgeStop | undefined;
  for (const r of requests) {
    if (isForOther(r.fields)) continue;
    const status = effectiveStatus(r, now);
    if (PENDING.has(status)) return { reason: 'exceptionPending' };
    if (status === 'granted') {
      const end = coverageEnd(r);
      if (!end) return { reason: 'exceptionGranted' };
      if (!granted?.until || granted.until.getTime() < end.getTime()) granted = { reason: 'exceptionGranted', until: end };
    }
  }
  return granted;
}

/** The stop that should hold now: blocking the bot comes first, then the user's exception requests. */
export function wantedStop(facts: { blocked: boolean; requests: readonly ExceptionRequest[] }, now: Date): NudgeStop | undefined {
  return facts.blocked ? { reason: 'blocked' } : exceptionStop(facts.requests, now);
}

export function sameStop(a: NudgeStop | undefined, b: NudgeStop | undefined): boolean {
  return a?.reason === b?.reason && a?.until?.getTime() === b?.until?.getTime();
}

/**
 * The state with its stop brought in line with `wanted`. A user no longer in the tenant stays
 * stopped. A new or different stop replaces the stored one. No stop wanted any more lifts the
 * stored one (the exception was rejected or withdrawn, or the user can be reached again), except a
 * granted exception with an end date, which lifts on its own at that date. `changed` tells whether
 * the state needs saving; `newlyBlocked` whether the user has just blocked the bot (the admins are told once).
 */
export function reconcileStop<S extends NudgeState>(state: S, wanted: NudgeStop | undefined, now: Date): { state: S; changed: boolean; newlyBlocked: boolean } {
  const had = state.stopped;
  const newlyBlocked = wanted?.reason === 'blocked' && had?.reason !== 'blocked';
  if (had?.reason === 'notInTenant' || sameStop(had, wanted)) return { state, changed: false, newlyBlocked };
  if (wanted) return { state: stopFor(state, wanted.reason, wanted.until) as S, changed: true, newlyBlocked };
  if (had && !(had.reason === 'exceptionGranted' && had.until)) return { state: resumeNudges(state, now) as S, changed: true, newlyBlocked };
  return { state, changed: false, newlyBlocked };
}
