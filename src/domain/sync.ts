import { aggregateRecords, type AggregatedPrincipal, type NonMfaRecord } from './principal';
import { applySync, detectPrincipal, type Principal, type SyncChange } from './compliance';

export interface SyncCounts {
  /** Raw records Partner Center returned. */
  records: number;
  /** Distinct principals in those records. */
  listed: number;
  /** Principals needing action after this sync (non-compliant or verification pending). */
  nonCompliant: number;
  /** Principals seen for the first time. */
  new: number;
  /** Compliant principals with new non-MFA requests (a new episode). */
  reappeared: number;
  resolved: number;
}

export interface SyncPlan {
  /** Principals to write (created when they carry no etag, else updated under their etag). */
  writes: Principal[];
  changes: Map<string, SyncChange>;
  counts: SyncCounts;
}

/**
 * Compare what Partner Center lists now with what we know, and decide what to write.
 * Pure: no I/O, the sync time is passed in.
 */
export function planSync(known: readonly Principal[], records: readonly NonMfaRecord[], syncAt: Date): SyncPlan {
  const listed = new Map<string, AggregatedPrincipal>();
  for (const p of aggregateRecords(records)) listed.set(p.objectId, p);

  const writes: Principal[] = [];
  const changes = new Map<string, SyncChange>();
  const counts: SyncCounts = { records: records.length, listed: listed.size, nonCompliant: 0, new: 0, reappeared: 0, resolved: 0 };
  const record = (next: Principal, change: SyncChange): void => {
    changes.set(next.objectId, change);
    if (change !== 'unchanged') writes.push(next);
    if (change === 'new') counts.new += 1;
    if (change === 'reappeared') counts.reappeared += 1;
    if (change === 'resolved') counts.resolved += 1;
    if (next.status !== 'compliant') counts.nonCompliant += 1;
  };

  const seen = new Set<string>();
  for (const current of known) {
    seen.add(current.objectId);
    const { next, change } = applySync(current, listed.get(current.objectId), syncAt);
    record(next, change);
  }
  for (const p of listed.values()) {
    if (!seen.has(p.objectId)) record(detectPrincipal(p, syncAt), 'new');
  }
  return { writes, changes, counts };
}
