import { share, windowCounts } from './inventory';
import type { Integration } from './types';

/**
 * Alert rules, pure and evaluated after each inventory sync:
 * - newNonMfaApp: an app we had never seen calling without MFA now does (raised once per app);
 * - risingShare: an app's non-MFA share over the last 7 days is at least RISE_POINTS above the 7
 *   days before, with enough requests to mean something, and above what we last alerted.
 */

export const RISE_POINTS = 0.1;
export const MIN_REQUESTS_FOR_SHARE = 5;

export type IntegrationAlert =
  | { kind: 'newNonMfaApp'; key: string; name: string; nonMfa: number }
  | { kind: 'risingShare'; key: string; name: string; previousShare: number; currentShare: number };

export interface AlertEvaluation {
  alerts: IntegrationAlert[];
  /** The integrations whose alert memory changed (save them with their etags). */
  updated: Integration[];
}

function hadNonMfa(i: Integration | undefined): boolean {
  return i !== undefined && Object.values(i.days).some((d) => d.nonMfa > 0);
}

export function evaluateAlerts(before: ReadonlyMap<string, Integration>, after: readonly Integration[], at: Date): AlertEvaluation {
  const alerts: IntegrationAlert[] = [];
  const updated: Integration[] = [];
  for (const i of after) {
    let memory = i.alerts;
    const current = windowCounts(i, at, 7);
    if (current.nonMfa > 0 && !hadNonMfa(before.get(i.key)) && memory.newNonMfaAt === undefined) {
      alerts.push({ kind: 'newNonMfaApp', key: i.key, name: i.name, nonMfa: current.nonMfa });
      memory = { ...memory, newNonMfaAt: at };
    }
    const previous = windowCounts(i, at, 7, 7);
    const now = share(current);
    const was = share(previous);
    const enough = current.mfa + current.nonMfa >= MIN_REQUESTS_FOR_SHARE && previous.mfa + previous.nonMfa >= MIN_REQUESTS_FOR_SHARE;
    const alerted = memory.risingShareAlerted ?? was;
    if (enough && now - was >= RISE_POINTS && now - alerted >= RISE_POINTS - 1e-9) {
      alerts.push({ kind: 'risingShare', key: i.key, name: i.name, previousShare: was, currentShare: now });
      memory = { ...memory, risingShareAlerted: now, risingShareAt: at };
    } else if (memory.risingShareAlerted !== undefined && now < memory.risingShareAlerted - RISE_POINTS) {
      // The share came down again: a later rise is news again.
      memory = { ...memory, risingShareAlerted: undefined, risingShareAt: undefined };
    }
    if (memory !== i.alerts) updated.push({ ...i, alerts: memory });
  }
  return { alerts, updated };
}
