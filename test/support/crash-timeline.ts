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
  /** When the test spawned it (before it printed anything). */
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
 * A request already on the wire when the last killed process died still arrives: Teams may accept
 * it a moment after the kill (loopback: milliseconds; this is generous). Other processes are
 * bounded by their successor's start instead.
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
      const killer = generations.find((g, n) => g.killedAt !== undefined && g.startedAt <= accepted && accepted < spanEnd(g, generations[n + 1], inFlightMs));
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

/**
 * A killed process's sends are those accepted from its start until the next process started: the
 * next one is spawned only after the kill reaped this one, so whatever was still on the wire and
 * accepted in between is this one's, however slowly a loaded machine let the connector read it.
 * The last process of a run is not killed; a killed one with no successor gets `inFlightMs`.
 */
function spanEnd(g: Generation, next: Generation | undefined, inFlightMs: number): number {
  return next ? next.startedAt : g.killedAt! + inFlightMs;
}

export function describeGaps(gaps: readonly number[]): string {
  return gaps.length ? `${Math.min(...gaps)} to ${Math.max(...gaps)} ms` : 'n/a';
}

export interface KillTrigger {
  /** A human account of what fired, for the test's log. */
  why: string;
}

/**
 * Kills `child` (SIGKILL, from inside the event that fired, so the process dies at that point of its
 * work) when `arm` fires its `fire` callback: progress the child printed, or a send of its accepted
 * by the connector. Not a timer: where the kill lands follows what the process did, however slowly
 * a loaded machine lets it run. Fails after `timeoutMs` when nothing fired (the work ran out early).
 */
export function killWhen(
  child: { process: { kill(signal: NodeJS.Signals): boolean }; exited: Promise<unknown>; tail(): string },
  generation: Generation,
  arm: (fire: (why: string) => void) => () => void,
  timeoutMs = 60_000,
): Promise<KillTrigger> {
  return new Promise<KillTrigger>((resolve, reject) => {
    let disarm: () => void = () => undefined;
    const timer = setTimeout(() => {
      disarm();
      reject(new Error(`no kill trigger within ${timeoutMs} ms\n${child.tail()}`));
    }, timeoutMs);
    disarm = arm((why) => {
      if (generation.killedAt !== undefined) return;
      generation.killedAt = Date.now();
      child.process.kill('SIGKILL');
      clearTimeout(timer);
      disarm();
      resolve({ why });
    });
    void child.exited.then(() => {
      if (generation.killedAt !== undefined) return;
      clearTimeout(timer);
      disarm();
      reject(new Error(`the process exited before its kill\n${child.tail()}`));
    });
  });
}
