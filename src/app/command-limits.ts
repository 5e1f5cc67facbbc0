import type { Clock } from '../domain/clock';
import { AppError, ErrorCodes } from '../domain/errors';

/**
 * Per-user limits on the commands that cost the most: a Partner Center sync, the CSV export
 * links, the Graph registration check. A sliding window per (user, command); beyond it the user
 * is told, kindly, how many seconds to wait. Per process (each instance counts its own turns),
 * which is enough to stop one person from flooding the bot; the shared budgets (Graph's queue,
 * the sync lease) hold across instances.
 */
export type LimitedCommand = 'syncNow' | 'export' | 'verify';

export interface CommandRule {
  max: number;
  windowMs: number;
  /** For the message: what the user asked for. */
  label: string;
}

export const DEFAULT_COMMAND_RULES: Record<LimitedCommand, CommandRule> = {
  syncNow: { max: 1, windowMs: 60_000, label: 'a sync' },
  export: { max: 3, windowMs: 60_000, label: 'export links' },
  verify: { max: 4, windowMs: 60_000, label: 'a registration check' },
};

/** Keys remembered at most (users × commands); the oldest are forgotten first. */
const MAX_KEYS = 10_000;

export interface CommandLimits {
  /** Counts one use of `command` by `actor`; RATE_LIMITED (with retryAfterSeconds) when over the limit. */
  take(actor: string, command: LimitedCommand): void;
}

export function createCommandLimits(deps: { clock: Clock; rules?: Partial<Record<LimitedCommand, CommandRule>> }): CommandLimits {
  const rules = { ...DEFAULT_COMMAND_RULES, ...deps.rules };
  const uses = new Map<string, number[]>();
  return {
    take(actor, command) {
      const rule = rules[command];
      const now = deps.clock.now().getTime();
      const key = `${command}|${actor}`;
      const recent = (uses.get(key) ?? []).filter((at) => now - at < rule.windowMs);
      if (recent.length >= rule.max) {
        const seconds = Math.max(1, Math.ceil(((recent[0] ?? now) + rule.windowMs - now) / 1000));
        throw new AppError(ErrorCodes.RateLimited, `You asked for ${rule.label} a moment ago. Please try again in ${seconds} s.`, {
          expected: true,
          retryAfterSeconds: seconds,
          details: { command },
        });
      }
      recent.push(now);
      uses.delete(key); // re-inserted last: the map's order is least recently used first
      uses.set(key, recent);
      if (uses.size > MAX_KEYS) {
        const oldest = uses.keys().next().value;
        if (oldest !== undefined) uses.delete(oldest);
      }
    },
  };
}
