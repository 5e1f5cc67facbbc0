import type { TableClient } from '@azure/data-tables';
import type { StoredEntity } from './entity';
import { isEntityNotFound, storageCall, type StorageContext } from './errors';

/**
 * The one way to read a row that may not exist: the entity, or undefined when the row is not
 * there. A missing table, an outage or a throttle still throws (as storageCall maps it).
 */
export async function getEntityOrUndefined(client: TableClient, ctx: StorageContext & { partitionKey: string; rowKey: string }): Promise<StoredEntity | undefined> {
  try {
    return await storageCall(ctx, () => client.getEntity(ctx.partitionKey, ctx.rowKey));
  } catch (error) {
    if (isEntityNotFound(error)) return undefined;
    throw error;
  }
}
