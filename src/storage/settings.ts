import type { TableClient } from '@azure/data-tables';
import type { SettingName, SettingsStore } from '../app/ports';
import { EntityReader, requireEtag } from './entity';
import { isEntityNotFound, storageCall } from './errors';
import { toKey } from './keys';
import { assertEntityWithinLimits } from './limits';

/**
 * PartitionKey = 'setting', RowKey = the setting's name, `value` = JSON. Instants inside a value
 * are written as ISO strings and read back as Dates (a full ISO timestamp only; local dates such as
 * a closure's '2026-12-24' stay strings). Create without etag, replace under etag.
 */
const PARTITION = 'setting';
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

function revive(_key: string, value: unknown): unknown {
  return typeof value === 'string' && ISO_INSTANT.test(value) ? new Date(value) : value;
}

export function createSettingsStore(client: TableClient): SettingsStore {
  const table = client.tableName;
  const ctx = (operation: string, name: SettingName) => ({ operation, table, partitionKey: PARTITION, rowKey: toKey(name) });
  return {
    async get<T>(name: SettingName) {
      const c = ctx('getSetting', name);
      try {
        const entity = await storageCall(c, () => client.getEntity(PARTITION, c.rowKey));
        const r = new EntityReader(entity, table);
        return { value: JSON.parse(r.string('value'), revive) as T, etag: r.etag };
      } catch (error) {
        if (isEntityNotFound(error)) return undefined;
        throw error;
      }
    },
    async put<T>(name: SettingName, value: T, etag?: string) {
      const c = ctx(etag === undefined ? 'createSetting' : 'replaceSetting', name);
      const entity = { partitionKey: PARTITION, rowKey: c.rowKey, value: JSON.stringify(value) };
      assertEntityWithinLimits(entity, table);
      const response = await storageCall(c, () => (etag === undefined ? client.createEntity(entity) : client.updateEntity(entity, 'Replace', { etag })));
      return { value, etag: requireEtag(response.etag, table) };
    },
  };
}
