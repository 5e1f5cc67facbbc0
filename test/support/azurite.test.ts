import { randomUUID } from 'node:crypto';
import { odata, TableClient } from '@azure/data-tables';
import { AzuriteError, startAzurite } from '../../scripts/lib/azurite';

/** The harness contract other tests rely on: one shared Azurite, reached through this variable. */
function connectionString(): string {
  const value = process.env['AZURE_STORAGE_CONNECTION_STRING'];
  if (value === undefined || value === '') {
    throw new Error('AZURE_STORAGE_CONNECTION_STRING is not set: is jest globalSetup configured?');
  }
  return value;
}

function uniqueTableName(prefix: string): string {
  // Table names: letters and digits, starting with a letter, 3-63 characters.
  return `${prefix}${randomUUID().replace(/-/g, '')}`.slice(0, 63);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('test harness: shared Azurite', () => {
  let table: TableClient;

  beforeAll(async () => {
    table = TableClient.fromConnectionString(connectionString(), uniqueTableName('harness'), {
      allowInsecureConnection: true,
    });
    await table.createTable();
  });

  afterAll(async () => {
    await table.deleteTable();
  });

  it('when the connection string comes from globalSetup, then it points at loopback Azurite', () => {
    expect(connectionString()).toMatch(/TableEndpoint=http:\/\/127\.0\.0\.1:\d+\/devstoreaccount1/);
  });

  it('when an entity is upserted, then it reads back with the same fields and types', async () => {
    const when = new Date('2024-04-21T22:09:53.051Z');
    await table.upsertEntity({ partitionKey: 'p1', rowKey: 'r1', upn: 'alex@example.com', count: 3, when });

    const read = await table.getEntity<{ upn: string; count: number; when: Date }>('p1', 'r1');

    expect(read.upn).toBe('alex@example.com');
    expect(read.count).toBe(3);
    expect(read.when).toEqual(when);
    expect(read.etag).toEqual(expect.any(String));
  });

  it('when listEntities gets an odata $filter, then only matching entities come back', async () => {
    const partitionKey = 'filter';
    for (const [rowKey, state] of [
      ['a', 'open'],
      ['b', 'closed'],
      ['c', 'open'],
      ['d', 'closed'],
    ] as const) {
      await table.createEntity({ partitionKey, rowKey, state });
    }

    const rowKeys: string[] = [];
    const query = { filter: odata`PartitionKey eq ${partitionKey} and state eq ${'open'}` };
    for await (const entity of table.listEntities<{ state: string }>({ queryOptions: query })) {
      rowKeys.push(entity.rowKey ?? '');
      expect(entity.state).toBe('open');
    }

    expect(rowKeys.sort()).toEqual(['a', 'c']);
  });
});

describe('startAzurite', () => {
  it('when stopped, then the child process is gone', async () => {
    const azurite = await startAzurite({ inMemory: true });
    expect(isAlive(azurite.pid)).toBe(true);

    await azurite.stop();

    expect(isAlive(azurite.pid)).toBe(false);
    await expect(azurite.stop()).resolves.toBeUndefined();
  });

  it('when Azurite cannot bind its address, then start fails with its output in the error', async () => {
    // 192.0.2.1 (TEST-NET-1) is never a local address, so the child exits during start-up.
    const error: unknown = await startAzurite({ inMemory: true, host: '192.0.2.1' }).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(AzuriteError);
    expect((error as AzuriteError).code).toBe('AZURITE_START_FAILED');
    expect((error as AzuriteError).message).toContain('EADDRNOTAVAIL');
  });

  it('when both location and inMemory are given, then start is refused', async () => {
    await expect(startAzurite({ inMemory: true, location: '/tmp/x' })).rejects.toMatchObject({
      code: 'AZURITE_BAD_OPTIONS',
    });
  });
});
