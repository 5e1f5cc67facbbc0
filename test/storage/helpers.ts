import { randomBytes, randomUUID } from 'node:crypto';
import { TableClient } from '@azure/data-tables';
import type { Principal } from '../../src/domain/compliance';
import { createStorage, tableName, TABLES, type Storage, type StorageOptions, type TableKey } from '../../src/storage';

/** The shared in-memory Azurite started by jest's globalSetup. */
export function connectionString(): string {
  const value = process.env['AZURE_STORAGE_CONNECTION_STRING'];
  if (value === undefined || value === '') {
    throw new Error('AZURE_STORAGE_CONNECTION_STRING is not set: is jest globalSetup configured?');
  }
  return value;
}

/** A table prefix of its own per test file (or test): letters and digits, starting with a letter. */
export function randomPrefix(): string {
  return `t${randomUUID().replace(/-/g, '').slice(0, 16)}`;
}

export function randomKey(): Buffer {
  return randomBytes(32);
}

export async function newStorage(overrides: Partial<StorageOptions> = {}): Promise<Storage> {
  return createStorage({
    connectionString: connectionString(),
    tablePrefix: randomPrefix(),
    encryptionKey: randomKey(),
    ...overrides,
  });
}

/** A plain SDK client on one of the tables, to look at what is really stored. */
export function rawTable(prefix: string, table: TableKey, connection = connectionString()): TableClient {
  return TableClient.fromConnectionString(connection, tableName(prefix, TABLES[table]), { allowInsecureConnection: true });
}

export const TENANT = '00000000-0000-0000-0000-0000000000001';

export function principal(objectId: string, overrides: Partial<Principal> = {}): Principal {
  const at = new Date('2025-03-01T10:00:00.000Z');
  return {
    tenantId: TENANT,
    objectId,
    upn: `${objectId}@example.com`,
    status: 'nonCompliant',
    firstDetectedAt: at,
    episode: 1,
    episodeStartedAt: at,
    recordCount: 3,
    firstNonMfaAt: new Date('2025-02-27T08:30:00.123Z'),
    lastNonMfaAt: new Date('2025-02-28T17:45:10.456Z'),
    ...overrides,
  };
}

/** `obj-000`, `obj-001`, …: ids whose order is the same as their RowKeys'. */
export function objectIds(count: number, prefix = 'obj'): string[] {
  return Array.from({ length: count }, (_, i) => `${prefix}-${String(i).padStart(3, '0')}`);
}

/** Await a promise expected to reject, and return what it rejected with. */
export async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the promise to reject, but it resolved');
}
