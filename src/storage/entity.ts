import type { TableEntity, TableEntityResult } from '@azure/data-tables';
import type { ZodType, ZodTypeDef } from 'zod';
import { fromKey } from './keys';

/** An entity as read back: properties of unknown shape, plus keys and etag. */
export type StoredEntity = TableEntityResult<Record<string, unknown>>;
export type NewEntity = TableEntity<Record<string, unknown>>;

/**
 * Typed reads of stored properties. A property of the wrong type means the stored data is not
 * what this code wrote: that is a bug or tampering, never an outcome, so it throws.
 */
export class EntityReader {
  constructor(
    private readonly entity: StoredEntity,
    private readonly table: string,
  ) {}

  private fail(name: string, expected: string): never {
    throw new Error(
      `Stored entity ${this.table}(${this.entity.partitionKey}, ${this.entity.rowKey}) has no valid ${name} (expected ${expected})`,
    );
  }

  get partitionKey(): string {
    return fromKey(this.entity.partitionKey ?? this.fail('PartitionKey', 'string'));
  }

  get rowKey(): string {
    return fromKey(this.entity.rowKey ?? this.fail('RowKey', 'string'));
  }

  get etag(): string {
    return this.entity.etag;
  }

  optionalString(name: string): string | undefined {
    const v = this.entity[name];
    if (v === undefined || v === null) return undefined;
    return typeof v === 'string' ? v : this.fail(name, 'string');
  }

  string(name: string): string {
    return this.optionalString(name) ?? this.fail(name, 'string');
  }

  /** A string property where '' means "cleared" (a Merge cannot remove a property). */
  clearableString(name: string): string | undefined {
    const v = this.optionalString(name);
    return v === '' ? undefined : v;
  }

  oneOf<T extends string>(name: string, allowed: readonly T[]): T {
    const v = this.string(name);
    return (allowed as readonly string[]).includes(v) ? (v as T) : this.fail(name, allowed.join(' | '));
  }

  optionalOneOf<T extends string>(name: string, allowed: readonly T[]): T | undefined {
    return this.optionalString(name) === undefined ? undefined : this.oneOf(name, allowed);
  }

  optionalDate(name: string): Date | undefined {
    const v = this.entity[name];
    if (v === undefined || v === null) return undefined;
    if (v instanceof Date && !Number.isNaN(v.getTime())) return v;
    return this.fail(name, 'Edm.DateTime');
  }

  date(name: string): Date {
    return this.optionalDate(name) ?? this.fail(name, 'Edm.DateTime');
  }

  optionalInt(name: string): number | undefined {
    const v = this.entity[name];
    if (v === undefined || v === null) return undefined;
    return typeof v === 'number' && Number.isInteger(v) ? v : this.fail(name, 'integer');
  }

  int(name: string): number {
    return this.optionalInt(name) ?? this.fail(name, 'integer');
  }

  optionalBoolean(name: string): boolean | undefined {
    const v = this.entity[name];
    if (v === undefined || v === null) return undefined;
    return typeof v === 'boolean' ? v : this.fail(name, 'boolean');
  }

  /** A property holding JSON, validated with a schema; required (JSON `null` is a value). */
  json<T>(name: string, schema: ZodType<T, ZodTypeDef, unknown>): T {
    const text = this.optionalString(name);
    if (text === undefined || text === '') return this.fail(name, 'JSON');
    return this.optionalJson(name, schema) as T;
  }

  /** A property holding JSON, validated with a schema. */
  optionalJson<T>(name: string, schema: ZodType<T, ZodTypeDef, unknown>): T | undefined {
    const text = this.optionalString(name);
    if (text === undefined || text === '') return undefined;
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      return this.fail(name, 'JSON');
    }
    const result = schema.safeParse(parsed);
    return result.success ? result.data : this.fail(name, `JSON matching its schema: ${result.error.issues[0]?.message ?? ''}`);
  }
}

/** Drop undefined properties: absent optional fields are omitted, not stored as null. */
export function compact<T extends Record<string, unknown>>(properties: T): T {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(properties)) if (v !== undefined) out[k] = v;
  return out as T;
}

/** The etag a write returned; the service always sends one. */
export function requireEtag(etag: string | undefined, table: string): string {
  if (etag === undefined || etag === '') throw new Error(`Storage: a write to ${table} returned no etag`);
  return etag;
}
