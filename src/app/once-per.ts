import type { Clock } from '../domain/clock';

/**
 * Lets an alert through once per key per period in this instance, so a failing check that
 * every user triggers does not flood the admins. (Several instances may each alert once.)
 */
export function oncePer(periodMs: number, clock: Clock) {
  const last = new Map<string, number>();
  return function shouldSend(key: string): boolean {
    const now = clock.now().getTime();
    const previous = last.get(key);
    if (previous !== undefined && now - previous < periodMs) return false;
    last.set(key, now);
    return true;
  };
}
