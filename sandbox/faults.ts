import { SandboxError, type ActiveFault, type FaultKind, type FaultSpec, type Target } from './types';

const DEFAULT_RETRY_AFTER_SECONDS = 1;
const DEFAULT_DELAY_MS = 2000;

/** Kinds that only make sense for one target. */
const ONLY_FOR: Partial<Record<FaultKind, Target>> = {
  mfaRequired: 'partnerCenter',
  tokenRefused: 'partnerCenter',
  nonPremium: 'graph',
};

/**
 * The switchable faults. A request takes the first active fault of its target whose kind it
 * accepts (in the order faults were added); each take counts against `times`.
 */
export class FaultBook {
  private faults: ActiveFault[] = [];
  private nextId = 1;

  add(spec: FaultSpec): ActiveFault {
    const only = ONLY_FOR[spec.kind];
    if (only !== undefined && only !== spec.target) {
      throw new SandboxError(
        'fault_not_applicable',
        `fault kind "${spec.kind}" applies to target "${only}" only`,
        400,
      );
    }
    const fault: ActiveFault = {
      id: `fault-${this.nextId++}`,
      target: spec.target,
      kind: spec.kind,
      remaining: spec.times ?? null,
      retryAfterSeconds: spec.retryAfterSeconds ?? DEFAULT_RETRY_AFTER_SECONDS,
      delayMs: spec.delayMs ?? DEFAULT_DELAY_MS,
      hits: 0,
    };
    this.faults.push(fault);
    return { ...fault };
  }

  /** Finds, counts and returns the fault for a request; undefined = answer normally. */
  take(target: Target, accepts: (kind: FaultKind) => boolean): ActiveFault | undefined {
    const fault = this.faults.find((f) => f.target === target && accepts(f.kind));
    if (fault === undefined) return undefined;
    fault.hits += 1;
    if (fault.remaining !== null) {
      fault.remaining -= 1;
      if (fault.remaining <= 0) this.faults = this.faults.filter((f) => f !== fault);
    }
    return { ...fault };
  }

  list(): ActiveFault[] {
    return this.faults.map((f) => ({ ...f }));
  }

  clear(): void {
    this.faults = [];
  }
}
