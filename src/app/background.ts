import { describeError } from '../domain/errors';
import type { Logger } from './ports';

/**
 * Work that must not hold up a Teams turn (the Bot Connector wants an answer within 15 s):
 * started now, tracked, logged on failure, and awaited at shutdown. Never a promise nobody awaits.
 */
export class BackgroundTasks {
  private readonly running = new Set<Promise<void>>();

  constructor(private readonly logger: Logger) {}

  run(name: string, work: () => Promise<unknown>): void {
    const task: Promise<void> = work().then(
      () => undefined,
      (error: unknown) => this.logger.error({ task: name, err: describeError(error) }, 'background task failed'),
    );
    this.running.add(task);
    void task.finally(() => this.running.delete(task));
  }

  get size(): number {
    return this.running.size;
  }

  /**
   * Wait for every task started so far (and those they start), e.g. at shutdown or in tests.
   * With a limit, give up after it (a device-code sign-in can wait 15 minutes for an admin) and
   * report how many were left.
   */
  async drain(limitMs?: number): Promise<{ unfinished: number }> {
    const deadline = limitMs === undefined ? undefined : Date.now() + limitMs;
    while (this.running.size > 0) {
      const all = Promise.all([...this.running]).then(() => true);
      if (deadline === undefined) {
        await all;
        continue;
      }
      const left = deadline - Date.now();
      if (left <= 0) break;
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), left)));
      const done = await Promise.race([all, timeout]);
      clearTimeout(timer);
      if (!done) break;
    }
    return { unfinished: this.running.size };
  }
}
