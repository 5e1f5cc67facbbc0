import { RestError, type TableClient, type TableEntity, type TransactionAction } from '@azure/data-tables';
import { AppError, ErrorCodes } from '../domain/errors';
import { toTransactionError } from './errors';
import { fromKey } from './keys';
import { assertEntityWithinLimits, estimateActionBytes, TABLE_LIMITS } from './limits';

/**
 * Batch transactions within Azure's limits, enforced here because Azurite accepts batches that
 * Azure rejects: one partition per transaction, at most 100 actions, at most 4 MiB of request body,
 * no entity twice, no entity over Azure's entity limits.
 */

export interface BatchLimits {
  maxActions: number;
  /** Budget for the summed action estimates; the rest of 4 MiB covers the batch envelope. */
  maxBytes: number;
}

const ENVELOPE_MARGIN_BYTES = 64 * 1024;

export const DEFAULT_BATCH_LIMITS: BatchLimits = {
  maxActions: TABLE_LIMITS.maxTransactionActions,
  maxBytes: TABLE_LIMITS.maxTransactionBytes - ENVELOPE_MARGIN_BYTES,
};

export interface PlannedTransaction {
  partitionKey: string;
  actions: TransactionAction[];
  /** Conservative estimate of the request body, in bytes. */
  estimatedBytes: number;
}

/** Reported after each transaction settles (benchmarks and tests count requests with it). */
export interface TransactionReport {
  table: string;
  partitionKey: string;
  index: number;
  count: number;
  actions: number;
  estimatedBytes: number;
  ok: boolean;
}

export type TransactionObserver = (report: TransactionReport) => void;

function entityOf(action: TransactionAction): TableEntity<Record<string, unknown>> {
  return action[1];
}

/**
 * Split actions of ONE partition into transactions that Azure accepts, keeping their order.
 * Mixed partitions or an entity written twice are programming errors (thrown as plain Errors);
 * an entity Azure would refuse is STORAGE_LIMIT.
 */
export function planTransactions(
  actions: readonly TransactionAction[],
  table: string,
  limits: BatchLimits = DEFAULT_BATCH_LIMITS,
): PlannedTransaction[] {
  const first = actions[0];
  if (first === undefined) return [];
  const partitionKey = entityOf(first).partitionKey;
  const seen = new Set<string>();
  const planned: PlannedTransaction[] = [];
  let current: PlannedTransaction | undefined;

  for (const action of actions) {
    const entity = entityOf(action);
    if (entity.partitionKey !== partitionKey) {
      throw new Error(
        `planTransactions(${table}): actions span partitions '${partitionKey}' and '${entity.partitionKey}'; a transaction holds one partition`,
      );
    }
    if (seen.has(entity.rowKey)) {
      throw new Error(`planTransactions(${table}): row '${entity.rowKey}' appears twice; a transaction may touch an entity once`);
    }
    seen.add(entity.rowKey);
    if (action[0] !== 'delete') assertEntityWithinLimits(entity, table);

    const bytes = estimateActionBytes(entity);
    if (bytes > limits.maxBytes) {
      throw new AppError(ErrorCodes.StorageLimit, `Storage: one entity of table ${table} exceeds a batch's ${limits.maxBytes} bytes`, {
        expected: false,
        details: { table, partitionKey, rowKey: entity.rowKey, bytes },
      });
    }
    if (current === undefined || current.actions.length >= limits.maxActions || current.estimatedBytes + bytes > limits.maxBytes) {
      current = { partitionKey, actions: [], estimatedBytes: 0 };
      planned.push(current);
    }
    current.actions.push(action);
    current.estimatedBytes += bytes;
  }
  return planned;
}

export interface SubmitOptions {
  table: string;
  /** Transactions in flight at once (each is one partition; different ones do not conflict). */
  parallelism: number;
  /** Name of the `details` key that lists the failed transaction's ids (decoded RowKeys). */
  idsKey: string;
  onTransaction?: TransactionObserver;
}

async function submitOne(client: TableClient, tx: PlannedTransaction): Promise<void> {
  const response = await client.submitTransaction(tx.actions);
  // The SDK throws for a failed sub-response that has a body; make sure none slipped through.
  const failed = response.subResponses.find((r) => r.status >= 300);
  if (failed !== undefined) {
    throw new RestError(`Transaction action for row '${failed.rowKey ?? '?'}' failed with status ${failed.status}`, {
      statusCode: failed.status,
    });
  }
}

/**
 * Submit planned transactions with bounded parallelism. When one fails, no further transaction
 * starts; those in flight finish (they are independent); the failure of the lowest-numbered
 * transaction is thrown, mapped once (see `toTransactionError`). Transactions that succeeded stay
 * written.
 */
export async function submitTransactions(
  client: TableClient,
  transactions: readonly PlannedTransaction[],
  options: SubmitOptions,
): Promise<void> {
  let next = 0;
  const failures: { index: number; error: unknown }[] = [];
  const count = transactions.length;

  const worker = async (): Promise<void> => {
    while (failures.length === 0 && next < count) {
      const index = next;
      next += 1;
      const tx = transactions[index];
      if (tx === undefined) return;
      let ok = false;
      try {
        await submitOne(client, tx);
        ok = true;
      } catch (error) {
        failures.push({ index, error });
      }
      options.onTransaction?.({
        table: options.table,
        partitionKey: tx.partitionKey,
        index,
        count,
        actions: tx.actions.length,
        estimatedBytes: tx.estimatedBytes,
        ok,
      });
    }
  };

  const workers = Math.max(1, Math.min(options.parallelism, count));
  await Promise.all(Array.from({ length: workers }, worker));

  const failure = failures.sort((a, b) => a.index - b.index)[0];
  if (failure !== undefined) {
    const tx = transactions[failure.index];
    const ids = (tx?.actions ?? []).map((a) => fromKey(entityOf(a).rowKey));
    throw toTransactionError(
      failure.error,
      { operation: 'submitTransaction', table: options.table, partitionKey: tx?.partitionKey },
      { ids, idsKey: options.idsKey, index: failure.index, count },
    );
  }
}
