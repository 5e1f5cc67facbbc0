import { TableClient, type TableEntity, type TransactionAction } from '@azure/data-tables';
import { ErrorCodes, isAppError, type AppError } from '../../src/domain/errors';
import { DEFAULT_BATCH_LIMITS, planTransactions, submitTransactions, type TransactionReport } from '../../src/storage';
import { connectionString, randomPrefix, rejectionOf } from './helpers';

const FOUR_MIB = 4 * 1024 * 1024;

function entity(partitionKey: string, rowKey: string, extra: Record<string, unknown> = {}): TableEntity<Record<string, unknown>> {
  return { partitionKey, rowKey, ...extra };
}

function creates(count: number, extra: (i: number) => Record<string, unknown> = () => ({})): TransactionAction[] {
  return Array.from({ length: count }, (_, i) => ['create', entity('p', `r${String(i).padStart(4, '0')}`, extra(i))]);
}

describe('batch planning (Azure limits enforced locally)', () => {
  it('when 250 small actions are planned, then they form transactions of 100, 100 and 50 in order', () => {
    const plan = planTransactions(creates(250), 'T');

    expect(plan.map((t) => t.actions.length)).toEqual([100, 100, 50]);
    expect(plan[2]?.actions[0]?.[1].rowKey).toBe('r0200');
  });

  it('when actions span two partitions, then planning throws (a programming error)', () => {
    const actions: TransactionAction[] = [['create', entity('a', '1')], ['create', entity('b', '2')]];

    expect(() => planTransactions(actions, 'T')).toThrow(/span partitions 'a' and 'b'/);
  });

  it('when the same entity appears twice, then planning throws', () => {
    const actions: TransactionAction[] = [['create', entity('a', '1')], ['update', entity('a', '1')]];

    expect(() => planTransactions(actions, 'T')).toThrow(/appears twice/);
  });

  it('when entities add up to more than 4 MiB, then each transaction stays under the byte budget', () => {
    const plan = planTransactions(creates(100, () => ({ a: 'x'.repeat(30_000), b: 'y'.repeat(30_000) })), 'T');

    expect(plan.length).toBeGreaterThanOrEqual(2);
    expect(plan.every((t) => t.estimatedBytes <= DEFAULT_BATCH_LIMITS.maxBytes)).toBe(true);
    expect(plan.reduce((n, t) => n + t.actions.length, 0)).toBe(100);
  });

  it("when a single entity is 1.5 MiB by Azure's measure, then STORAGE_LIMIT", () => {
    const props = Object.fromEntries(Array.from({ length: 25 }, (_, i) => [`p${i}`, 'z'.repeat(32_000)]));

    let thrown: unknown;
    try {
      planTransactions([['create', entity('p', 'big', props)]], 'T');
    } catch (error) {
      thrown = error;
    }

    expect(isAppError(thrown, ErrorCodes.StorageLimit)).toBe(true);
    expect((thrown as AppError).details['bytes']).toBeGreaterThan(1.5 * 1024 * 1024);
  });

  it('when a string property is longer than 32 K characters, then STORAGE_LIMIT', () => {
    let thrown: unknown;
    try {
      planTransactions([['create', entity('p', 'r', { s: 'x'.repeat(32 * 1024 + 1) })]], 'T');
    } catch (error) {
      thrown = error;
    }

    expect(isAppError(thrown, ErrorCodes.StorageLimit)).toBe(true);
    expect((thrown as AppError).details['property']).toBe('s');
  });
});

describe('batch submission on Azurite', () => {
  const requestBodies: number[] = [];
  let table: TableClient;

  beforeAll(async () => {
    // A plain client that records the size of every $batch request body actually sent.
    table = TableClient.fromConnectionString(connectionString(), `${randomPrefix()}Batch`, {
      allowInsecureConnection: true,
      additionalPolicies: [
        {
          position: 'perCall',
          policy: {
            name: 'recordBatchBodies',
            sendRequest(request, next) {
              if (request.url.endsWith('$batch') && typeof request.body === 'string') {
                requestBodies.push(Buffer.byteLength(request.body, 'utf8'));
              }
              return next(request);
            },
          },
        },
      ],
    });
    await table.createTable();
  });

  it('when a 6 MB set of entities is submitted, then every request body is under 4 MiB and within its estimate', async () => {
    const plan = planTransactions(
      creates(100, (i) => ({ a: `${i}é`.repeat(10_000), b: 'y'.repeat(30_000), at: new Date(), n: i })),
      table.tableName,
    );
    const reports: TransactionReport[] = [];

    // One at a time, so request bodies are recorded in plan order.
    await submitTransactions(table, plan, { table: table.tableName, parallelism: 1, idsKey: 'ids', onTransaction: (r) => reports.push(r) });

    expect(plan.length).toBeGreaterThanOrEqual(2);
    expect(reports.map((r) => r.ok)).toEqual(plan.map(() => true));
    expect(requestBodies).toHaveLength(plan.length);
    requestBodies.forEach((bytes, i) => {
      expect(bytes).toBeLessThan(FOUR_MIB);
      expect(bytes).toBeLessThanOrEqual(plan[i]?.estimatedBytes ?? 0);
    });
    const stored: string[] = [];
    for await (const e of table.listEntities()) stored.push(e.rowKey ?? '');
    expect(stored).toHaveLength(100);
  });

  it("when small entities with awkward keys are submitted, then the request body is within the estimate", async () => {
    requestBodies.length = 0;
    const actions: TransactionAction[] = Array.from({ length: 100 }, (_, i) => [
      'create',
      entity("small'ü", `k'${i}€ x`, { d1: new Date(), d2: new Date(), n: i, b: true, s: 'short' }),
    ]);
    const plan = planTransactions(actions, table.tableName);

    await submitTransactions(table, plan, { table: table.tableName, parallelism: 1, idsKey: 'ids' });

    expect(plan).toHaveLength(1);
    expect(requestBodies[0]).toBeLessThanOrEqual(plan[0]?.estimatedBytes ?? 0);
  });

  it('when a transaction fails, then no later transaction starts and the error names the failed one', async () => {
    const plan = planTransactions(creates(300), table.tableName); // r0000… exist already from the test above
    const reports: TransactionReport[] = [];

    const error = await rejectionOf(
      submitTransactions(table, plan, { table: table.tableName, parallelism: 1, idsKey: 'ids', onTransaction: (r) => reports.push(r) }),
    );

    expect(isAppError(error, ErrorCodes.StorageConflict)).toBe(true);
    expect((error as AppError).details['batchIndex']).toBe(0);
    expect((error as AppError).details['ids']).toHaveLength(100);
    expect(reports.map((r) => r.ok)).toEqual([false]);
  });
});
