import type { TableClient } from '@azure/data-tables';
import type { SettingName, SettingsStore } from '../app/ports';
import { EntityReader, requireEtag, type NewEntity } from './entity';
import { storageCall } from './errors';
import { toKey } from './keys';
import { assertEntityWithinLimits } from './limits';
import { getEntityOrUndefined } from './get-entity';

/**
 * PartitionKey = 'setting', RowKey = the setting's name, `value` = the value as JSON. Dates are
 * written as `{"$date": "<ISO 8601>"}` and read back as Dates, so a setting round-trips with its
 * types (an object whose only key is `$date` is therefore reserved). Every write is conditional:
 * create without etag (STORAGE_ALREADY_EXISTS when present), replace under etag (STORAGE_CONFLICT).
 */

const PARTITION = 'setting';
const DATE_TAG = '$date';

function isDateTag(value: unknown): value is { [DATE_TAG]: string } {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const keys = Object.keys(value);
  return keys.length === 1 && keys[0] === DATE_TAG && typeof (value as Record<string, unknown>)[DATE_TAG] === 'string';
}

/** JSON with Dates tagged. The replacer looks at the holder's raw value: JSON.stringify has already called Date#toJSON. */
export function serializeSetting(value: unknown): string {
  if (value === undefined) throw new Error('A setting value cannot be undefined');
  return JSON.stringify(value, function (this: Record<string, unknown>, key: string, v: unknown) {
    const raw = this[key];
    if (raw instanceof Date) {
      if (Number.isNaN(raw.getTime())) throw new Error(`Setting value has an invalid Date at '${key}'`);
      return { [DATE_TAG]: raw.toISOString() };
    }
    return v;
  });
}

export function deserializeSetting(text: string): unknown {
  return JSON.parse(text, (_key, v: unknown) => {
    if (!isDateTag(v)) return v;
    const date = new Date(v[DATE_TAG]);
    if (Number.isNaN(date.getTime())) throw new Error(`Stored setting has an invalid date '${v[DATE_TAG]}'`);
    return date;
  });
}

export function createSettingsStore(client: TableClient): SettingsStore {
  const table = client.tableName;
  const ctx = (operation: string, name: SettingName) => ({ operation, table, partitionKey: PARTITION, rowKey: toKey(name) });

  return {
    async get<T>(name: SettingName) {
      const c = ctx('getSetting', name);
      const entity = await getEntityOrUndefined(client, { ...c, partitionKey: PARTITION });
      if (!entity) return undefined;
      const r = new EntityReader(entity, table);
      return { value: deserializeSetting(r.string('value')) as T, etag: r.etag };
    },

    async put<T>(name: SettingName, value: T, etag?: string) {
      const entity: NewEntity = { partitionKey: PARTITION, rowKey: toKey(name), value: serializeSetting(value) };
      assertEntityWithinLimits(entity, table);
      const c = ctx(etag === undefined ? 'createSetting' : 'replaceSetting', name);
      const response = await storageCall(c, () =>
        etag === undefined ? client.createEntity(entity) : client.updateEntity(entity, 'Replace', { etag }),
      );
      return { value, etag: requireEtag(response.etag, table) };
    },
  };
}
