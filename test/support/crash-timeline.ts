/**
 * The crash tests' account of duplicates. At-least-once delivery allows exactly one kind: the
 * process died after Teams accepted a send and before the outbox ledger recorded it, and a later
 * process sent it again. Each duplicate must be explained by such a kill: the connector knows when
 * it accepted each copy, the test when it killed each process, and each process printed every send
 * its ledger recorded (stdout to a pipe is synchronous on Linux, so a printed line happened before
 * any later kill).
 */

/** One process of a crash test, from its start to its kill (none: it was stopped at the end). */
export interface Generation {
  startedAt: number;
  killedAt?: number;
  /** Outbox keys this process recorded as sent in the ledger (before it died). */
  recorded: Set<string>;
}

export interface DuplicateAudit {
  /** Copies beyond the first, over all keys. */
  duplicates: number;
  /** Per explained duplicate: ms from Teams accepting the first copy to the kill (negative: the request was on the wire). */
  gaps: number[];
  /** Duplicates no kill explains: each a defect. */
  unexplained: string[];
}

/**
 * A request already on the wire when its process died still arrives: Teams may accept it a moment
 * after the kill (loopback: milliseconds; this is generous).
 */
export const IN_FLIGHT_MS = 250;

/** `acceptedAt`: per outbox key, when Teams accepted each copy, oldest first. */
export function auditDuplicates(acceptedAt: ReadonlyMap<string, readonly number[]>, generations: readonly Generation[], inFlightMs = IN_FLIGHT_MS): DuplicateAudit {
  const audit: DuplicateAudit = { duplicates: 0, gaps: [], unexplained: [] };
  for (const [key, times] of acceptedAt) {
    if (times.length < 2) continue;
    audit.duplicates += times.length - 1;
    for (let i = 0; i + 1 < times.length; i++) {
      const accepted = times[i]!;
      const killer = generations.find((g) => g.killedAt !== undefined && g.startedAt <= accepted && accepted <= g.killedAt + inFlightMs);
      const explained = killer !== undefined && !killer.recorded.has(key) && times[i + 1]! > killer.killedAt!;
      if (explained) audit.gaps.push(killer.killedAt! - accepted);
      else {
        const alive = generations.map((g) => `${g.startedAt}-${g.killedAt ?? 'end'}`).join(', ');
        audit.unexplained.push(`${key}: accepted at ${accepted}, again at ${times[i + 1]}; recorded by ${generations.filter((g) => g.recorded.has(key)).length} process(es); processes ${alive}`);
      }
    }
  }
  return audit;
}

export function describeGaps(gaps: readonly number[]): string {
  return gaps.length ? `${Math.min(...gaps)} to ${Math.max(...gaps)} ms` : 'n/a';
}
