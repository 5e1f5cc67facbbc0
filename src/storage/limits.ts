import type { TableEntity } from '@azure/data-tables';
import { AppError, ErrorCodes } from '../domain/errors';

/**
 * Azure Table storage limits. Azurite accepts more than Azure does, so we enforce them ourselves:
 * what passes the tests locally must pass in Azure.
 */
export const TABLE_LIMITS = {
  /** Entity size as Azure computes it (UTF-16 strings), PartitionKey and RowKey included. */
  maxEntityBytes: 1024 * 1024,
  /** A string property holds at most 64 KiB, i.e. 32 K UTF-16 code units. */
  maxStringChars: 32 * 1024,
  maxBinaryBytes: 64 * 1024,
  /** 255 including PartitionKey, RowKey and Timestamp. */
  maxCustomProperties: 252,
  /** One batch transaction: at most 100 actions and a 4 MiB request body. */
  maxTransactionActions: 100,
  maxTransactionBytes: 4 * 1024 * 1024,
} as const;

type EntityValue = TableEntity<Record<string, unknown>>[string];

function isEdmObject(value: unknown): value is { value: unknown; type: string } {
  return typeof value === 'object' && value !== null && !(value instanceof Date) && !(value instanceof Uint8Array) && 'type' in value;
}

/** Azure's documented size of a property value (strings count 2 bytes per UTF-16 code unit). */
function storedValueBytes(value: EntityValue): number {
  const v = isEdmObject(value) ? value.value : value;
  if (typeof v === 'string') return 4 + v.length * 2;
  if (v instanceof Uint8Array) return 4 + v.byteLength;
  if (typeof v === 'boolean') return 1;
  if (v instanceof Date || typeof v === 'bigint') return 8;
  if (typeof v === 'number') return 8;
  return 0;
}

/**
 * The entity's size by Azure's formula:
 * 4 + 2 × len(PartitionKey + RowKey) + Σ (8 + 2 × len(name) + size(value)).
 */
export function entityStorageBytes(entity: TableEntity<Record<string, unknown>>): number {
  let bytes = 4 + (entity.partitionKey.length + entity.rowKey.length) * 2;
  for (const [name, value] of Object.entries(entity)) {
    if (name === 'partitionKey' || name === 'rowKey' || value === undefined || value === null) continue;
    bytes += 8 + name.length * 2 + storedValueBytes(value);
  }
  return bytes;
}

function limitError(message: string, details: Record<string, unknown>): AppError {
  return new AppError(ErrorCodes.StorageLimit, message, { expected: false, details });
}

/** Throws STORAGE_LIMIT when Azure would reject the entity (size, a property's size, property count). */
export function assertEntityWithinLimits(entity: TableEntity<Record<string, unknown>>, table: string): void {
  const where = { table, partitionKey: entity.partitionKey, rowKey: entity.rowKey };
  let properties = 0;
  for (const [name, raw] of Object.entries(entity)) {
    if (name === 'partitionKey' || name === 'rowKey' || raw === undefined || raw === null) continue;
    properties += 1;
    const value = isEdmObject(raw) ? raw.value : raw;
    if (typeof value === 'string' && value.length > TABLE_LIMITS.maxStringChars) {
      throw limitError(`Storage: property ${name} holds ${value.length} characters, Table storage allows ${TABLE_LIMITS.maxStringChars}`, {
        ...where,
        property: name,
        chars: value.length,
      });
    }
    if (value instanceof Uint8Array && value.byteLength > TABLE_LIMITS.maxBinaryBytes) {
      throw limitError(`Storage: property ${name} holds ${value.byteLength} bytes, Table storage allows ${TABLE_LIMITS.maxBinaryBytes}`, {
        ...where,
        property: name,
        bytes: value.byteLength,
      });
    }
  }
  if (properties > TABLE_LIMITS.maxCustomProperties) {
    throw limitError(`Storage: entity has ${properties} properties, Table storage allows ${TABLE_LIMITS.maxCustomProperties}`, {
      ...where,
      properties,
    });
  }
  const bytes = entityStorageBytes(entity);
  if (bytes > TABLE_LIMITS.maxEntityBytes) {
    throw limitError(`Storage: entity is ${bytes} bytes, Table storage allows ${TABLE_LIMITS.maxEntityBytes}`, {
      ...where,
      bytes,
      limitBytes: TABLE_LIMITS.maxEntityBytes,
    });
  }
}

/**
 * Per action in a batch body: changeset boundary and MIME headers, the request line with the
 * entity URL (account, table, percent-encoded keys), If-Match, Content-Type, Prefer, … Measured at
 * about 450 bytes with short keys; 1 KiB keeps a wide margin.
 */
const ACTION_OVERHEAD_BYTES = 1024;
/** `"name@odata.type":"Edm.DateTime",` and the like. */
const TYPE_ANNOTATION_BYTES = 40;

function jsonBytes(value: string): number {
  return Buffer.byteLength(JSON.stringify(value), 'utf8');
}

function wireValueBytes(value: EntityValue): number {
  const v = isEdmObject(value) ? value.value : value;
  if (typeof v === 'string') return jsonBytes(v);
  if (v instanceof Uint8Array) return Math.ceil(v.byteLength / 3) * 4 + 2;
  if (v instanceof Date) return 30;
  if (typeof v === 'bigint') return v.toString().length + 2;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v).length;
  return 4;
}

function needsTypeAnnotation(value: EntityValue): boolean {
  return isEdmObject(value) || value instanceof Date || value instanceof Uint8Array || typeof value === 'bigint';
}

/**
 * A conservative estimate of what one action adds to a batch request body (UTF-8 JSON plus the
 * MIME part around it). Over-estimating only makes batches a little smaller.
 */
export function estimateActionBytes(entity: TableEntity<Record<string, unknown>>): number {
  const keys = entity.partitionKey + entity.rowKey;
  // Keys appear in the URL (a quote is doubled, then each UTF-8 byte percent-encoded: at most ×6)
  // and in the body.
  let bytes = ACTION_OVERHEAD_BYTES + Buffer.byteLength(keys, 'utf8') * 6 + jsonBytes(keys) + 40;
  for (const [name, value] of Object.entries(entity)) {
    if (name === 'partitionKey' || name === 'rowKey' || value === undefined) continue;
    const nameBytes = jsonBytes(name);
    bytes += nameBytes + 2 + wireValueBytes(value);
    if (needsTypeAnnotation(value)) bytes += nameBytes + TYPE_ANNOTATION_BYTES;
  }
  return bytes;
}
