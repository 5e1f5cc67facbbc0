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

/** Partner Center returns at most the most recent 10,000 records. */
export const PARTNER_CENTER_RECORD_CAP = 10_000;
/** More unreadable items than this share means the format changed: trust nothing. */
const MAX_SKIPPED_SHARE = 0.05;

export interface ListingAssessment {
  /** False: do not use this listing at all (it would resolve people who are still listed). */
  usable: boolean;
  /**
   * False when Partner Center may have left people out (its 10,000-record cap was reached):
   * nobody missing from it is resolved.
   */
  complete: boolean;
  reason?: string;
}

/** Whether a listing can be trusted to resolve the principals it does not contain. */
export function assessListing(records: number, skipped: number): ListingAssessment {
  const total = records + skipped;
  if (skipped > 0 && skipped / total > MAX_SKIPPED_SHARE) {
    return {
      usable: false,
      complete: false,
      reason: `${skipped} of ${total} items from Partner Center had no objectId or no readable time (has the format changed?); nothing was changed`,
    };
  }
  return { usable: true, complete: total < PARTNER_CENTER_RECORD_CAP };
}

/**
 * Compare what Partner Center lists now with what we know, and decide what to write.
 * Pure: no I/O, the sync time is passed in. With an incomplete listing (`complete: false`),
 * principals it does not contain are left as they are.
 */
export function planSync(
  known: readonly Principal[],
  records: readonly NonMfaRecord[],
  syncAt: Date,
  options: { complete?: boolean } = {},
): SyncPlan {
  const complete = options.complete ?? true;
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
    const listing = listed.get(current.objectId);
    if (!listing && !complete) {
      record(current, 'unchanged');
      continue;
    }
    const { next, change } = applySync(current, listing, syncAt);
    record(next, change);
  }
  for (const p of listed.values()) {
    if (!seen.has(p.objectId)) record(detectPrincipal(p, syncAt), 'new');
  }
  return { writes, changes, counts };
}
