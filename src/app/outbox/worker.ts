import { describeError } from '../../domain/errors';
import { createDelivery, lostLease } from './delivery';
import { Lease } from './lease';
import { COUNTER_OF, DEFAULT_OUTBOX_WORKER_OPTIONS, type OutboxCounters, type OutboxWorker, type OutboxWorkerDeps, type OutboxWorkerOptions } from './types';

/**
 * The queue pump: receives keys, keeps their leases, runs each delivery (delivery.ts) within
 * `concurrency` slots, counts outcomes. Several workers (instances) can share one queue: the queue
 * hides a key while one holds it and the etag on the ledger record decides any race.
 */
export function createOutboxWorker(deps: OutboxWorkerDeps): OutboxWorker {
  const opts: OutboxWorkerOptions = { ...DEFAULT_OUTBOX_WORKER_OPTIONS, ...deps.options };
  const { store, logger } = deps;
  const counters: OutboxCounters = { sent: 0, duplicatesSuppressed: 0, takenOver: 0, parked: 0, undeliverable: 0, retried: 0, lostLeases: 0, errors: 0 };
  const inFlight = new Set<Promise<void>>();
  /** Received, not started yet (a pack had more keys than free slots): their leases are kept alive meanwhile. */
  const waiting: Lease[] = [];
  let running = false;
  let loop: Promise<void> | undefined;
  let wake: (() => void) | undefined;

  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        wake = undefined;
        resolve();
      }
      wake = done;
    });

  const deliver = createDelivery(deps, opts, counters);

  async function process(lease: Lease): Promise<void> {
    const d = lease.delivery;
    try {
      counters[COUNTER_OF[await deliver(lease)]] += 1;
    } catch (error) {
      if (lostLease(error)) {
        counters.lostLeases += 1;
        return;
      }
      // Left as is: the key shows again after the visibility timeout and is tried again.
      counters.errors += 1;
      logger.warn({ key: d.key, err: describeError(error) }, 'outbox delivery failed; it will be redelivered');
    } finally {
      lease.end();
    }
  }

  /** Fill the free slots, from the waiting deliveries first, else from one receive. Answers how many started. */
  async function receiveOnce(): Promise<number> {
    const free = opts.concurrency - inFlight.size;
    if (free <= 0) {
      await Promise.race(inFlight);
      return 1;
    }
    if (waiting.length === 0) {
      const deliveries = await store.receive(free, opts.visibilityTimeoutMs);
      for (const d of deliveries) waiting.push(new Lease(store, d, opts.visibilityTimeoutMs, logger));
    }
    const started = waiting.splice(0, free);
    for (const lease of started) {
      const task: Promise<void> = process(lease).finally(() => inFlight.delete(task));
      inFlight.add(task);
    }
    return started.length;
  }

  /**
   * Hand back what was received but not started, to show again in a second for another instance
   * (a restart would otherwise hold those keys for a whole visibility timeout). If that fails, they
   * show again after the timeout anyway.
   */
  async function releaseWaiting(): Promise<void> {
    await Promise.all(
      waiting.splice(0).map((lease) =>
        lease.finish((st, d) => st.retryLater(d, 0)).catch((error: unknown) => {
          logger.warn({ key: lease.delivery.key, err: describeError(error) }, 'outbox: could not hand back a key on stop; it shows again after its visibility timeout');
        }),
      ),
    );
  }

  async function run(): Promise<void> {
    while (running) {
      let got = 0;
      try {
        got = await receiveOnce();
      } catch (error) {
        counters.errors += 1;
        logger.warn({ err: describeError(error) }, 'outbox receive failed');
      }
      if (got === 0 && running) await sleep(opts.idlePollMs);
    }
  }

  return {
    start() {
      if (running) return;
      running = true;
      loop = run();
    },
    async stop(graceMs = 10_000) {
      running = false;
      wake?.();
      await loop;
      await releaseWaiting();
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<void>((resolve) => (timer = setTimeout(resolve, graceMs)));
      await Promise.race([Promise.all(inFlight), late]);
      clearTimeout(timer);
      if (inFlight.size > 0) logger.warn({ inFlight: inFlight.size }, 'outbox worker stopped with sends in flight; they will be redelivered');
    },
    async drain() {
      for (;;) {
        const got = await receiveOnce();
        if (got === 0 && inFlight.size === 0) return;
        if (got === 0) await Promise.race(inFlight);
      }
    },
    stats: () => ({ ...counters, inFlight: inFlight.size, waiting: waiting.length, running }),
  };
}
