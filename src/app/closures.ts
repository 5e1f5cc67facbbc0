import { createBusinessCalendar, withClosures, type BusinessCalendar, type Closure } from '../domain/calendar';
import { AppError, ErrorCodes } from '../domain/errors';
import type { SettingsStore } from './ports';
import { retryOnConflict } from './retry-on-conflict';

/**
 * The admins' own closures of the business calendar (a company shutdown, a local holiday the
 * library does not know): days on which Microsoft's 3-business-day clock does not run for us.
 * Stored as one setting under its etag; two admins editing at once both land (read again, retry).
 */
export interface ClosuresDeps {
  settings: SettingsStore;
  calendar: BusinessCalendar;
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;
/** A closure longer than a year is a typo (2062 for 2026): refused, it would stall every deadline. */
const MAX_CLOSURE_DAYS = 366;

/** `2026-12-24 2026-12-26 Christmas shutdown` or `2026-12-24 Christmas Eve` (one day). */
export function parseClosure(text: string): Closure {
  const words = text.trim().split(/\s+/);
  const from = words[0] ?? '';
  const hasTo = DATE.test(words[1] ?? '');
  const to = hasTo ? (words[1] as string) : from;
  const reason = words.slice(hasTo ? 2 : 1).join(' ');
  if (DATE.test(from) && DATE.test(to) && (Date.parse(to) - Date.parse(from)) / 86_400_000 + 1 > MAX_CLOSURE_DAYS) {
    throw new AppError(ErrorCodes.InputInvalid, `A closure can last at most ${MAX_CLOSURE_DAYS} days (${from} to ${to} is longer). Check the dates.`, { expected: true });
  }
  if (!DATE.test(from)) {
    throw new AppError(ErrorCodes.InputInvalid, 'Write the closure as: closure add YYYY-MM-DD [YYYY-MM-DD] reason — for example "closure add 2026-12-24 2026-12-26 Christmas shutdown".', { expected: true });
  }
  return { from, to, reason };
}

/** For callers configured without a calendar (tests of nudges): no public holidays, weekends only. */
export const NO_CALENDAR: BusinessCalendar = createBusinessCalendar({ zone: 'UTC' });

/**
 * The partner's calendar as it stands now: `base` (from config) with the admins' closures. The one
 * place the two are combined; nudges and the partner's internal deadlines run on it.
 */
export async function partnerCalendar(settings: Pick<SettingsStore, 'get'>, base: BusinessCalendar): Promise<BusinessCalendar> {
  return withClosures(base, (await settings.get('closures'))?.value ?? []);
}

export function createClosures(deps: ClosuresDeps) {
  /** Validate through the calendar itself: the same rules the SLA uses (dates, order, a reason of ≤ 200 characters). */
  const validated = (closures: Closure[]): Closure[] => {
    const { zone, workingDays, workingHours, holidays } = deps.calendar;
    try {
      return [...createBusinessCalendar({ zone, workingDays, workingHours, ...(holidays ? { holidays } : {}), closures }).closures];
    } catch (error) {
      const message = error instanceof Error ? error.message.replace(/^closures\[\d+\]\./, '') : String(error);
      throw new AppError(ErrorCodes.InputInvalid, `That closure cannot be added: ${message}`, { expected: true });
    }
  };

  async function list(): Promise<Closure[]> {
    return (await deps.settings.get('closures'))?.value ?? [];
  }

  async function update(change: (current: Closure[]) => Closure[]): Promise<Closure[]> {
    return retryOnConflict(async () => {
      const stored = await deps.settings.get('closures');
      const next = validated(change(stored?.value ?? []));
      return (await deps.settings.put('closures', next, stored?.etag)).value;
    });
  }

  return {
    list,
    /** The partner's calendar with the closures as they stand now. */
    calendar: () => partnerCalendar(deps.settings, deps.calendar),
    add: (closure: Closure) =>
      update((current) => {
        if (current.some((c) => c.from === closure.from && c.to === closure.to)) return current; // added already (a double send)
        return [...current, closure];
      }),
    /** Remove the closures starting on `from`; NOT_FOUND when there is none. */
    async remove(from: string): Promise<Closure[]> {
      let found = false;
      const next = await update((current) => {
        found = current.some((c) => c.from === from);
        return current.filter((c) => c.from !== from);
      });
      if (!found) throw new AppError(ErrorCodes.NotFound, `There is no closure starting on ${from}. Type "closures" to see them.`, { expected: true });
      return next;
    },
  };
}

export type Closures = ReturnType<typeof createClosures>;
