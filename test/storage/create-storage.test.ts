import { ErrorCodes, isAppError, type AppError } from '../../src/domain/errors';
import { createStorage, tableName, TABLES } from '../../src/storage';
import { connectionString, randomKey, randomPrefix, rawTable, rejectionOf } from './helpers';

describe('createStorage', () => {
  it('when started twice on the same prefix, then the existing tables are reused and ping succeeds', async () => {
    const prefix = randomPrefix();
    const first = await createStorage({ connectionString: connectionString(), tablePrefix: prefix, encryptionKey: randomKey() });
    await first.leases.tryAcquire('x', 'a', 1000, new Date());

    const second = await createStorage({ connectionString: connectionString(), tablePrefix: prefix, encryptionKey: randomKey() });

    await expect(second.ping()).resolves.toBeUndefined();
    expect(await second.leases.tryAcquire('x', 'b', 1000, new Date())).toBe(false);
  });

  it('when started, then every table exists under prefix + name', async () => {
    const prefix = randomPrefix();
    await createStorage({ connectionString: connectionString(), tablePrefix: prefix, encryptionKey: randomKey() });

    for (const key of Object.keys(TABLES) as (keyof typeof TABLES)[]) {
      const page = await rawTable(prefix, key).listEntities().byPage({ maxPageSize: 1 }).next();
      expect(page.done === true || Array.isArray(page.value)).toBe(true);
    }
    expect(tableName(prefix, TABLES.syncRuns)).toBe(`${prefix}SyncRuns`);
  });

  it('when a table was deleted after start, then ping fails instead of pretending to be ready', async () => {
    const prefix = randomPrefix();
    const storage = await createStorage({ connectionString: connectionString(), tablePrefix: prefix, encryptionKey: randomKey() });
    await rawTable(prefix, 'leases').deleteTable();

    const error = await rejectionOf(storage.ping());

    expect(isAppError(error, ErrorCodes.StorageNotFound)).toBe(true);
  });

  it('when a table is missing, then a read fails with STORAGE_NOT_FOUND (TableNotFound) rather than answering "absent"', async () => {
    const prefix = randomPrefix();
    const storage = await createStorage({ connectionString: connectionString(), tablePrefix: prefix, encryptionKey: randomKey() });
    await rawTable(prefix, 'principals').deleteTable();
    await rawTable(prefix, 'secrets').deleteTable();

    const principalError = await rejectionOf(storage.principals.get('t', 'o'));
    const secretError = await rejectionOf(storage.secrets.get('token-cache'));

    expect(isAppError(principalError, ErrorCodes.StorageNotFound)).toBe(true);
    expect((principalError as AppError).details['storageCode']).toBe('TableNotFound');
    expect(isAppError(secretError, ErrorCodes.StorageNotFound)).toBe(true);
  });

  it('when the prefix would make an invalid table name, then CONFIG_INVALID naming the prefix', async () => {
    const error = await rejectionOf(createStorage({ connectionString: connectionString(), tablePrefix: 'bad-prefix', encryptionKey: randomKey() }));

    expect(isAppError(error, ErrorCodes.ConfigInvalid)).toBe(true);
    expect(String(error)).toContain('bad-prefix');
  });
});
