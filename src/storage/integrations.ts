import { odata, type TableClient } from '@azure/data-tables';
import { z } from 'zod';
import type {
  IncidentsChannel,
  IncidentStore,
  IntakeKey,
  IntakeKeyStore,
  IntegrationSettingsStore,
  IntegrationStore,
} from '../app/integration-ports';
import { AUTH_METHODS, IMPACTS, type Incident, type Integration } from '../domain/integrations';
import { createTableClient, DEFAULT_REQUEST_TIMEOUT_MS, DEFAULT_RETRY_OPTIONS, ensureTable, tableName, type ClientSettings, type StorageRetryOptions } from './client';
import { compact, EntityReader, requireEtag, type NewEntity, type StoredEntity } from './entity';
import { isEntityNotFound, storageCall, toStorageError } from './errors';
import { toKey } from './keys';
import { assertEntityWithinLimits } from './limits';
import { instant } from './settings';

/**
 * The integration watch's tables, created beside the others with the same prefix:
 * - Integrations: PartitionKey 'integration', RowKey = the integration's key; lists as JSON
 *   (dates tagged as in Settings). Also PartitionKey 'setting' for the operations channel.
 * - Incidents: PartitionKey 'incident', RowKey = incident id (ids sort newest first).
 * - IntakeKeys: PartitionKey 'key', RowKey = key id; only the secret's hash is stored.
 * Every write is conditional: create without etag, replace under etag.
 */

export const INTEGRATION_TABLES = { integrations: 'Integrations', incidents: 'Incidents', intakeKeys: 'IntakeKeys' } as const;

const INTEGRATION = 'integration';
const INCIDENT = 'incident';
const KEY = 'key';
const SETTING = 'setting';

/** Instants in the JSON columns: ISO strings (JSON's own Date), or the `$date` tag earlier rows carry. */
const date = instant;
const dayCounts = z.object({ mfa: z.number().int(), nonMfa: z.number().int() });
const counted = { lastAt: date, requests: z.number().int(), nonMfa: z.number().int() };
const principalUses = z.array(z.object({ objectId: z.string(), upn: z.string(), ...counted }));
const operationUses = z.array(z.object({ name: z.string(), ...counted }));
const fieldsSchema = z.object({
  owner: z.object({ aadObjectId: z.string().optional(), name: z.string() }).optional(),
  authMethod: z.enum(AUTH_METHODS).optional(),
  businessFunction: z.string().optional(),
  impact: z.enum(IMPACTS).optional(),
  notes: z.string().optional(),
  runbookUrl: z.string().optional(),
  playbookSteps: z.array(z.string()).optional(),
});
const alertsSchema = z.object({ newNonMfaAt: date.optional(), risingShareAlerted: z.number().optional(), risingShareAt: date.optional() });
const samples = z.array(z.object({ requestId: z.string(), correlationId: z.string(), operationName: z.string(), upn: z.string(), at: date }));

function json<T>(r: EntityReader, entity: StoredEntity, name: string, schema: z.ZodType<T, z.ZodTypeDef, unknown>, fallback: T): T {
  const text = r.optionalString(name);
  if (text === undefined || text === '') return fallback;
  const parsed = schema.safeParse(JSON.parse(text));
  if (!parsed.success) throw new Error(`Stored entity (${entity.partitionKey}, ${entity.rowKey}) has no valid ${name}: ${parsed.error.issues[0]?.message ?? ''}`);
  return parsed.data;
}

export function integrationToEntity(i: Integration): NewEntity {
  return compact({
    partitionKey: INTEGRATION,
    rowKey: toKey(i.key),
    name: i.name,
    applicationId: i.applicationId,
    manual: i.manual,
    firstSeen: i.firstSeen,
    lastSeen: i.lastSeen,
    days: JSON.stringify(i.days),
    principals: JSON.stringify(i.principals),
    operations: JSON.stringify(i.operations),
    sourceIps: JSON.stringify(i.sourceIps),
    recentNonMfa: JSON.stringify(i.recentNonMfa),
    fields: JSON.stringify(i.fields),
    alerts: JSON.stringify(i.alerts),
  });
}

export function integrationFromEntity(entity: StoredEntity, table: string): Integration {
  const r = new EntityReader(entity, table);
  return compact({
    key: r.rowKey,
    name: r.string('name'),
    applicationId: r.optionalString('applicationId'),
    manual: r.optionalBoolean('manual') ?? false,
    firstSeen: r.optionalDate('firstSeen'),
    lastSeen: r.optionalDate('lastSeen'),
    days: json(r, entity, 'days', z.record(z.string(), dayCounts), {}),
    principals: json(r, entity, 'principals', principalUses, []),
    operations: json(r, entity, 'operations', operationUses, []),
    sourceIps: json(r, entity, 'sourceIps', z.array(z.string()), []),
    recentNonMfa: json(r, entity, 'recentNonMfa', samples, []),
    fields: json(r, entity, 'fields', fieldsSchema, {}),
    alerts: json(r, entity, 'alerts', alertsSchema, {}),
    etag: r.etag,
  });
}

export function incidentToEntity(i: Incident): NewEntity {
  return compact({
    partitionKey: INCIDENT,
    rowKey: toKey(i.id),
    integrationKey: i.integrationKey,
    applicationId: i.applicationId,
    name: i.name,
    status: i.status,
    errorCode: i.errorCode,
    correlationId: i.correlationId,
    operationName: i.operationName,
    occurredAt: i.occurredAt,
    receivedAt: i.receivedAt,
    source: i.source,
    alertBucket: i.alertBucket,
    acknowledgedBy: i.acknowledgedBy,
    acknowledgedByName: i.acknowledgedByName,
    acknowledgedAt: i.acknowledgedAt,
  });
}

export function incidentFromEntity(entity: StoredEntity, table: string): Incident {
  const r = new EntityReader(entity, table);
  return compact({
    id: r.rowKey,
    integrationKey: r.string('integrationKey'),
    applicationId: r.optionalString('applicationId'),
    name: r.optionalString('name'),
    status: r.int('status'),
    errorCode: r.string('errorCode'),
    correlationId: r.optionalString('correlationId'),
    operationName: r.optionalString('operationName'),
    occurredAt: r.date('occurredAt'),
    receivedAt: r.date('receivedAt'),
    source: r.string('source'),
    alertBucket: r.string('alertBucket'),
    acknowledgedBy: r.optionalString('acknowledgedBy'),
    acknowledgedByName: r.optionalString('acknowledgedByName'),
    acknowledgedAt: r.optionalDate('acknowledgedAt'),
    etag: r.etag,
  });
}

export function intakeKeyToEntity(k: IntakeKey): NewEntity {
  return compact({ partitionKey: KEY, rowKey: toKey(k.id), label: k.label, hash: k.hash, createdBy: k.createdBy, createdAt: k.createdAt, revokedAt: k.revokedAt, revokedBy: k.revokedBy });
}

export function intakeKeyFromEntity(entity: StoredEntity, table: string): IntakeKey {
  const r = new EntityReader(entity, table);
  return compact({
    id: r.rowKey,
    label: r.string('label'),
    hash: r.string('hash'),
    createdBy: r.string('createdBy'),
    createdAt: r.date('createdAt'),
    revokedAt: r.optionalDate('revokedAt'),
    revokedBy: r.optionalString('revokedBy'),
    etag: r.etag,
  });
}

/** Create (no etag) or replace under etag; the stored value with its new etag. */
async function write<T extends { etag?: string }>(client: TableClient, operation: string, value: T, entity: NewEntity): Promise<T> {
  assertEntityWithinLimits(entity, client.tableName);
  const ctx = { operation: value.etag === undefined ? `create${operation}` : `replace${operation}`, table: client.tableName, partitionKey: entity.partitionKey, rowKey: entity.rowKey };
  const response = await storageCall(ctx, () => (value.etag === undefined ? client.createEntity(entity) : client.updateEntity(entity, 'Replace', { etag: value.etag })));
  return { ...value, etag: requireEtag(response.etag, client.tableName) };
}

async function read<T>(client: TableClient, operation: string, partitionKey: string, id: string, from: (e: StoredEntity, table: string) => T): Promise<T | undefined> {
  const ctx = { operation, table: client.tableName, partitionKey, rowKey: toKey(id) };
  try {
    return from(await storageCall(ctx, () => client.getEntity(partitionKey, ctx.rowKey)), client.tableName);
  } catch (error) {
    if (isEntityNotFound(error)) return undefined;
    throw error;
  }
}

async function list<T>(client: TableClient, operation: string, partitionKey: string, from: (e: StoredEntity, table: string) => T, max = Number.POSITIVE_INFINITY): Promise<T[]> {
  const out: T[] = [];
  try {
    for await (const entity of client.listEntities({ queryOptions: { filter: odata`PartitionKey eq ${partitionKey}` } })) {
      out.push(from(entity, client.tableName));
      if (out.length >= max) break;
    }
  } catch (error) {
    throw toStorageError(error, { operation, table: client.tableName, partitionKey });
  }
  return out;
}

export function createIntegrationStore(client: TableClient): IntegrationStore {
  return {
    listAll: () => list(client, 'listIntegrations', INTEGRATION, integrationFromEntity),
    get: (key) => read(client, 'getIntegration', INTEGRATION, key, integrationFromEntity),
    save: (integration) => write(client, 'Integration', integration, integrationToEntity(integration)),
  };
}

export function createIncidentStore(client: TableClient): IncidentStore {
  return {
    create: (incident) => write(client, 'Incident', { ...incident, etag: undefined }, incidentToEntity(incident)),
    get: (id) => read(client, 'getIncident', INCIDENT, id, incidentFromEntity),
    save: (incident) => write(client, 'Incident', incident, incidentToEntity(incident)),
    latest: (count) => list(client, 'latestIncidents', INCIDENT, incidentFromEntity, count),
  };
}

export function createIntakeKeyStore(client: TableClient): IntakeKeyStore {
  return {
    create: (key) => write(client, 'IntakeKey', { ...key, etag: undefined }, intakeKeyToEntity(key)),
    get: (id) => read(client, 'getIntakeKey', KEY, id, intakeKeyFromEntity),
    save: (key) => write(client, 'IntakeKey', key, intakeKeyToEntity(key)),
    list: () => list(client, 'listIntakeKeys', KEY, intakeKeyFromEntity),
  };
}

const channelSchema = z.object({
  address: z.object({ conversationId: z.string(), serviceUrl: z.string() }).passthrough(),
  setBy: z.string(),
  setAt: date,
});

export function createIntegrationSettingsStore(client: TableClient): IntegrationSettingsStore {
  const rowKey = 'incidentsChannel';
  return {
    async getChannel() {
      const found = await read(client, 'getIncidentsChannel', SETTING, rowKey, (entity, table) => {
        const r = new EntityReader(entity, table);
        const value = json(r, entity, 'value', channelSchema.nullable(), null) as IncidentsChannel | null;
        return { value, etag: r.etag };
      });
      return found;
    },
    async putChannel(value, etag) {
      await write(client, 'IncidentsChannel', { etag }, { partitionKey: SETTING, rowKey, value: JSON.stringify(value) });
    },
  };
}

export interface IntegrationStorage {
  integrations: IntegrationStore;
  incidents: IncidentStore;
  intakeKeys: IntakeKeyStore;
  settings: IntegrationSettingsStore;
}

export interface IntegrationStorageOptions {
  /** Exactly one of the two, as for the other tables (see createStorage). */
  connectionString?: string;
  tokenAccess?: ClientSettings['tokenAccess'];
  tablePrefix: string;
  retryOptions?: Partial<StorageRetryOptions>;
  requestTimeoutMs?: number;
}

/** Connect, create the feature's tables when missing, and return its stores. */
export async function createIntegrationStorage(opts: IntegrationStorageOptions): Promise<IntegrationStorage> {
  const settings: ClientSettings = {
    connectionString: opts.connectionString,
    tokenAccess: opts.tokenAccess,
    retryOptions: { ...DEFAULT_RETRY_OPTIONS, ...opts.retryOptions },
    requestTimeoutMs: opts.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS,
  };
  const client = (name: string) => createTableClient(settings, tableName(opts.tablePrefix, name));
  const integrations = client(INTEGRATION_TABLES.integrations);
  const incidents = client(INTEGRATION_TABLES.incidents);
  const intakeKeys = client(INTEGRATION_TABLES.intakeKeys);
  await Promise.all([integrations, incidents, intakeKeys].map((c) => ensureTable(c)));
  return {
    integrations: createIntegrationStore(integrations),
    incidents: createIncidentStore(incidents),
    intakeKeys: createIntakeKeyStore(intakeKeys),
    settings: createIntegrationSettingsStore(integrations),
  };
}
