import { describeError } from '../../domain/errors';
import type { Logger, OutboxDelivery, OutboxStore } from '../ports';

/**
 * Holding a delivery: its visibility is extended every half timeout while the work lasts (a send
 * can wait in the pacer or in Retry-After longer than the timeout; without this the key would
 * show again and be sent twice). The store orders the queue calls on one queue message.
 */
export class Lease {
  private readonly timer: NodeJS.Timeout;
  constructor(
    private readonly store: OutboxStore,
    readonly delivery: OutboxDelivery,
    visibilityTimeoutMs: number,
    logger: Logger,
  ) {
    this.timer = setInterval(() => {
      store.extend(delivery, visibilityTimeoutMs).catch((error: unknown) => {
        logger.warn({ key: delivery.key, err: describeError(error) }, 'outbox: could not extend a delivery');
      });
    }, Math.max(500, visibilityTimeoutMs / 2));
    this.timer.unref();
  }
  /** The last queue call on the delivery: no extension after it. */
  finish<T>(op: (store: OutboxStore, d: OutboxDelivery) => Promise<T>): Promise<T> {
    clearInterval(this.timer);
    return op(this.store, this.delivery);
  }
  end(): void {
    clearInterval(this.timer);
  }
}

