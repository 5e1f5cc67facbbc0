import { describeError } from '../domain/errors';
import type { ExceptionFollowUp, ExceptionStore, Logger } from './ports';

/**
 * Runs the follow-ups that changes of exception requests wrote with themselves (see
 * exception-effects.ts), then deletes each row. Right after a change (`afterChange`, in the
 * background so the turn is not held up), and as a sweep at start and on a schedule, which picks
 * up whatever a crash, a stop past the drain or a storage blip left. Oldest first per request.
 *
 * Two instances may run the same row at once (a sweep and another's fast path): the outbox
 * enqueues each key once, the card updates repeat the same content, and deleting is idempotent.
 */
export interface ExceptionFollowUpsDeps {
  store: Pick<ExceptionStore, 'listFollowUps' | 'deleteFollowUp'>;
  effects: { run(followUp: ExceptionFollowUp): Promise<void> };
  background: { run(name: string, work: () => Promise<unknown>): void };
  logger: Logger;
}

export function createExceptionFollowUps(deps: ExceptionFollowUpsDeps) {
  /** Per request, one drain at a time in this instance (a later change waits for the earlier one's messages). */
  const chains = new Map<string, Promise<void>>();

  async function runAll(followUps: readonly ExceptionFollowUp[]): Promise<{ done: number; failed: number }> {
    let done = 0;
    let failed = 0;
    const blocked = new Set<string>();
    for (const followUp of followUps) {
      const id = followUp.request.id;
      if (blocked.has(id)) continue; // keep a request's follow-ups in order: a failed one holds the later ones back
      try {
        await deps.effects.run(followUp);
        await deps.store.deleteFollowUp(followUp);
        done += 1;
      } catch (error) {
        failed += 1;
        blocked.add(id);
        deps.logger.warn({ requestId: id, action: followUp.action, err: describeError(error) }, 'exception follow-up failed; it runs again with the next sweep');
      }
    }
    return { done, failed };
  }

  function drainRequest(requestId: string): Promise<{ done: number; failed: number }> {
    const previous = chains.get(requestId) ?? Promise.resolve();
    const next = previous.then(async () => runAll(await deps.store.listFollowUps(requestId)));
    const tail = next.then(
      () => undefined,
      () => undefined,
    );
    chains.set(requestId, tail);
    void tail.then(() => {
      if (chains.get(requestId) === tail) chains.delete(requestId);
    });
    return next;
  }

  return {
    /** A change was stored with its follow-up: run it now, without holding up the turn. */
    afterChange(requestId: string): void {
      deps.background.run(`exception follow-ups ${requestId}`, () => drainRequest(requestId));
    },

    /** Every follow-up still owed (at start, then on a schedule). */
    async sweep(): Promise<{ done: number; failed: number }> {
      // Listed once to find the requests; each is then drained from a fresh read (a fast path may have done some).
      const ids = [...new Set((await deps.store.listFollowUps()).map((f) => f.request.id))];
      let done = 0;
      let failed = 0;
      for (const id of ids) {
        const result = await drainRequest(id);
        done += result.done;
        failed += result.failed;
      }
      if (done + failed > 0) deps.logger.info({ done, failed }, 'exception follow-ups swept');
      return { done, failed };
    },
  };
}

export type ExceptionFollowUps = ReturnType<typeof createExceptionFollowUps>;
