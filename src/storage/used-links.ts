import type { TableClient } from '@azure/data-tables';
import type { UsedLinkStore } from '../app/ports';
import { ErrorCodes, isAppError } from '../domain/errors';
import { storageCall } from './errors';
import { spreadPartition, toKey } from './keys';

/**
 * PartitionKey = spread of the nonce, RowKey = the nonce; `usedAt`, `expiresAt`. Insert-only: the
 * table's own uniqueness (409 on a second insert) is what makes a link single use, across
 * instances and concurrent requests alike. A row is kept after the link's expiry (a few bytes).
 */
export function createUsedLinkStore(client: TableClient): UsedLinkStore {
  const table = client.tableName;
  return {
    async use(nonce, at, expiresAt) {
      const partitionKey = spreadPartition(nonce);
      const rowKey = toKey(nonce);
      try {
        await storageCall({ operation: 'useLink', table, partitionKey, rowKey }, () => client.createEntity({ partitionKey, rowKey, usedAt: at, expiresAt }));
        return 'first';
      } catch (error) {
        if (isAppError(error, ErrorCodes.StorageAlreadyExists)) return 'used';
        throw error;
      }
    },
  };
}
