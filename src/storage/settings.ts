import type { TableClient } from '@azure/data-tables';
import { z, type ZodType, type ZodTypeDef } from 'zod';
import type { SettingName, Settings, SettingsStore } from '../app/ports';
import { conversationAddressSchema } from './address-schema';
import { EntityReader, requireEtag, type NewEntity } from './entity';
import { storageCall } from './errors';
import { toKey } from './keys';
import { assertEntityWithinLimits } from './limits';
import { getEntityOrUndefined } from './get-entity';

/**
 * PartitionKey = 'setting', RowKey = the setting's name, `value` = the value as JSON, read back
 * through its key's schema (below). Every write is conditional: create without etag
 * (STORAGE_ALREADY_EXISTS when present), replace under etag (STORAGE_CONFLICT).
 */

const PARTITION = 'setting';

/**
 * An instant in a setting: written as an ISO 8601 string (JSON's own Date), read from that or
 * from `{"$date": "<ISO 8601>"}`, the tag earlier versions wrote; both read back as a Date.
 */
export const instant = z
  .union([z.string(), z.object({ $date: z.string() }).strict()])
  .transform((v, ctx) => {
    const date = new Date(typeof v === 'string' ? v : v.$date);
    if (Number.isNaN(date.getTime())) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, message: `"${typeof v === 'string' ? v : v.$date}" is not an instant` });
      return z.NEVER;
    }
    return date;
  });

const localDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/);

/** One schema per setting: what a stored value must be to be read at all. */
const SCHEMAS: { [K in SettingName]: ZodType<Settings[K], ZodTypeDef, unknown> } = {
  closures: z.array(z.object({ from: localDate, to: localDate, reason: z.string() })),
  approvalsChannel: z.object({ address: conversationAddressSchema, setBy: z.string(), setAt: instant }).nullable(),
  nudgesPaused: z.object({ paused: z.boolean(), by: z.string(), at: instant }),
};

export function createSettingsStore(client: TableClient): SettingsStore {
  const table = client.tableName;
  const ctx = (operation: string, name: SettingName) => ({ operation, table, partitionKey: PARTITION, rowKey: toKey(name) });

  return {
    async get<K extends SettingName>(name: K) {
      const entity = await getEntityOrUndefined(client, ctx('getSetting', name));
      if (!entity) return undefined;
      const r = new EntityReader(entity, table);
      const value = r.json('value', SCHEMAS[name]);
      return { value, etag: r.etag };
    },

    async put<K extends SettingName>(name: K, value: Settings[K], etag?: string) {
      const checked = SCHEMAS[name].safeParse(JSON.parse(JSON.stringify(value)));
      if (!checked.success) throw new Error(`Setting ${name} does not match its schema: ${checked.error.issues[0]?.message ?? ''}`);
      const entity: NewEntity = { partitionKey: PARTITION, rowKey: toKey(name), value: JSON.stringify(value) };
      assertEntityWithinLimits(entity, table);
      const c = ctx(etag === undefined ? 'createSetting' : 'replaceSetting', name);
      const response = await storageCall(c, () =>
        etag === undefined ? client.createEntity(entity) : client.updateEntity(entity, 'Replace', { etag }),
      );
      return { value, etag: requireEtag(response.etag, table) };
    },
  };
}
