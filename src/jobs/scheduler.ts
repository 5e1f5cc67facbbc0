import { describeError } from '../domain/errors';
import type { Logger } from '../app/ports';

export interface ScheduledJob {
  name: string;
  intervalMs: number;
  /** Delay before the first run (0 = right after start). */
  initialDelayMs: number;
  run: () => Promise<void>;
}

/**
 * Runs each job on its interval in this instance. A run never overlaps the previous one of the
 * same job here; across instances the jobs coordinate through storage (the sync lease, the notice
 * ledger), not through memory. stop() waits for running jobs.
 */
export function createScheduler(jobs: readonly ScheduledJob[], logger: Logger) {
  const timers = new Set<NodeJS.Timeout>();
  const running = new Map<string, Promise<void>>();
  let stopped = true;

  function schedule(job: ScheduledJob, delayMs: number): void {
    if (stopped) return;
    const timer = setTimeout(() => {
      timers.delete(timer);
      const started = Date.now();
      const run = job
        .run()
        .catch((error: unknown) => logger.error({ job: job.name, err: describeError(error) }, 'scheduled job failed'))
        .finally(() => {
          running.delete(job.name);
          logger.debug({ job: job.name, ms: Date.now() - started }, 'scheduled job finished');
          schedule(job, job.intervalMs);
        });
      running.set(job.name, run);
    }, delayMs);
    timer.unref();
    timers.add(timer);
  }

  return {
    start(): void {
      if (!stopped) return;
      stopped = false;
      for (const job of jobs) schedule(job, job.initialDelayMs);
    },
    async stop(): Promise<void> {
      stopped = true;
      for (const t of timers) clearTimeout(t);
      timers.clear();
      await Promise.all(running.values());
    },
  };
}
