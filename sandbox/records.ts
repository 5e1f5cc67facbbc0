import type { RawRecord } from './types';

export const LOGIN_TIME_FIELD = 'lastNonMfaCompliantLoginDateTime';
export const REQUEST_TIME_FIELD = 'lastNonMfaCompliantRequestDateTime';

/** Partner Center returns the most recent 10,000 records of the last 7 days. */
export const MAX_RECORDS_RETURNED = 10_000;
export const WINDOW_MS = 7 * 24 * 3600 * 1000;

interface StoredRecord {
  raw: RawRecord;
  objectId: string;
  /** Epoch ms of the record's time; null when missing or unreadable (kept, sorted last). */
  at: number | null;
  /** Insertion order, to keep sorting stable. */
  seq: number;
}

/** `2026-11-20T22:09:53.051` (no zone, meaning UTC), as Partner Center writes it. */
export function formatPartnerCenterTime(epochMs: number): string {
  return new Date(epochMs).toISOString().slice(0, 23);
}

/** Reads either time field; a value without zone is UTC; fractions beyond ms are cut. */
export function recordTime(raw: RawRecord): number | null {
  const value = raw[LOGIN_TIME_FIELD] ?? raw[REQUEST_TIME_FIELD];
  if (typeof value !== 'string') return null;
  const match = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2})?)(\.\d+)?(Z|[+-]\d{2}:?\d{2})?$/i.exec(value.trim());
  if (match === null) return null;
  const fraction = match[2] === undefined ? '' : match[2].slice(0, 4);
  const ms = Date.parse(`${match[1]}${fraction}${match[3] ?? 'Z'}`);
  return Number.isNaN(ms) ? null : ms;
}

export class RecordStore {
  private items: StoredRecord[] = [];
  private nextSeq = 0;

  get size(): number {
    return this.items.length;
  }

  append(raws: readonly RawRecord[]): void {
    for (const raw of raws) {
      this.items.push({
        raw: { ...raw },
        objectId: String(raw['objectId']),
        at: recordTime(raw),
        seq: this.nextSeq++,
      });
    }
  }

  replace(raws: readonly RawRecord[]): void {
    this.items = [];
    this.append(raws);
  }

  all(): RawRecord[] {
    return this.items.map((r) => ({ ...r.raw }));
  }

  /**
   * What Partner Center returns at `asOfMs`: records not older than 7 days (and those without a
   * readable time), most recent first, at most 10,000.
   */
  window(asOfMs: number): RawRecord[] {
    const since = asOfMs - WINDOW_MS;
    return this.items
      .filter((r) => r.at === null || r.at >= since)
      .sort((a, b) => {
        if (a.at === b.at) return a.seq - b.seq;
        if (a.at === null) return 1;
        if (b.at === null) return -1;
        return b.at - a.at;
      })
      .slice(0, MAX_RECORDS_RETURNED)
      .map((r) => ({ ...r.raw }));
  }

  /** Per objectId: record count, last time, the UPN last seen. */
  summarize(): Map<string, { count: number; lastAt: number | null; upn: string }> {
    const out = new Map<string, { count: number; lastAt: number | null; upn: string }>();
    for (const r of this.items) {
      const entry = out.get(r.objectId) ?? { count: 0, lastAt: null, upn: '' };
      entry.count += 1;
      if (r.at !== null && (entry.lastAt === null || r.at > entry.lastAt)) entry.lastAt = r.at;
      const upn = r.raw['upn'];
      if (typeof upn === 'string' && upn !== '') entry.upn = upn;
      out.set(r.objectId, entry);
    }
    return out;
  }
}
