import type { RequestLogEntry, Target } from './types';

/** Oldest entries are dropped beyond this, so a long dev session stays small. */
const MAX_ENTRIES = 20_000;

export class RequestLog {
  private entries: RequestLogEntry[] = [];
  private nextSeq = 1;

  get size(): number {
    return this.entries.length;
  }

  add(entry: Omit<RequestLogEntry, 'seq'>): RequestLogEntry {
    const stored: RequestLogEntry = { seq: this.nextSeq++, ...entry };
    this.entries.push(stored);
    if (this.entries.length > MAX_ENTRIES) this.entries.splice(0, this.entries.length - MAX_ENTRIES);
    return stored;
  }

  list(target?: Target): RequestLogEntry[] {
    return this.entries
      .filter((e) => target === undefined || e.target === target)
      .map((e) => ({ ...e, headers: { ...e.headers } }));
  }

  clear(): void {
    this.entries = [];
  }
}
