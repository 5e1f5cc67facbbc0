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

  /** Wait for every task started so far (and those they start), e.g. at shutdown or in tests. */
  async drain(): Promise<void> {
    while (this.running.size > 0) await Promise.all([...this.running]);
  }
}
