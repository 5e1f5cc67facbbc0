import { TableClient, type TableServiceClientOptions } from '@azure/data-tables';
import type { TokenCredential } from '@azure/identity';
import { AppError, ErrorCodes } from '../domain/errors';
import { storageCall } from './errors';

/** The SDK's retry settings: attempts after the first, and the exponential delay bounds. */
export interface StorageRetryOptions {
  maxRetries: number;
  retryDelayInMs: number;
  maxRetryDelayInMs: number;
}

/**
 * Bounded: a storage outage surfaces as STORAGE_UNAVAILABLE within a few seconds instead of the
 * SDK's default of 3 retries growing towards 64 s each.
 */
export const DEFAULT_RETRY_OPTIONS: StorageRetryOptions = { maxRetries: 3, retryDelayInMs: 200, maxRetryDelayInMs: 2_000 };
/** Per call, retries included: a hung connection becomes STORAGE_UNAVAILABLE instead of waiting forever. */
export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;

/** Storage reached with a Microsoft Entra token (the managed identity): no account key anywhere. */
export interface StorageTokenAccess {
  tableEndpoint: string;
  queueEndpoint: string;
  credential: TokenCredential;
}

/** Exactly one of `connectionString` (Azurite, account keys) and `tokenAccess`. */
export interface ClientSettings {
  connectionString?: string;
  tokenAccess?: StorageTokenAccess;
  retryOptions: StorageRetryOptions;
  requestTimeoutMs: number;
}

type PipelinePolicy = NonNullable<TableServiceClientOptions['additionalPolicies']>[number]['policy'];

/**
 * A deadline per call, retries included. Implemented with our own abort signal rather than the
 * SDK's `request.timeout`, whose timer is not cleared when a request fails (it would keep the
 * process alive for the whole timeout after every refused connection).
 */
function requestTimeoutPolicy(timeoutMs: number): PipelinePolicy {
  return {
    name: 'mfaShepherdRequestTimeout',
    async sendRequest(request, next) {
      const controller = new AbortController();
      const timer = setTimeout(() => controller.abort(), timeoutMs);
      const outer = request.abortSignal;
      const forward = (): void => controller.abort();
      outer?.addEventListener('abort', forward);
      request.abortSignal = controller.signal;
      try {
        return await next(request);
      } finally {
        clearTimeout(timer);
        outer?.removeEventListener('abort', forward);
        request.abortSignal = outer;
      }
    },
  };
}

const TABLE_NAME = /^[A-Za-z][A-Za-z0-9]{2,62}$/;

/** Table names are letters and digits, start with a letter, 3–63 characters. */
export function tableName(prefix: string, name: string): string {
  const full = `${prefix}${name}`;
  if (!TABLE_NAME.test(full)) {
    throw new AppError(
      ErrorCodes.ConfigInvalid,
      `STORAGE_TABLE_PREFIX '${prefix}' gives the table name '${full}', which is not a valid table name (letters and digits, starting with a letter, 3-63 characters)`,
      { expected: false, details: { prefix, table: full } },
    );
  }
  return full;
}

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

/**
 * A TableClient with bounded retries and a request timeout. Plain http is allowed only for a
 * loopback endpoint (Azurite); any other http:// endpoint is a configuration error.
 */
export function createTableClient(settings: ClientSettings, table: string): TableClient {
  const options: TableServiceClientOptions = {
    retryOptions: { ...settings.retryOptions },
    additionalPolicies: [{ policy: requestTimeoutPolicy(settings.requestTimeoutMs), position: 'perCall' }],
  };
  if (settings.tokenAccess !== undefined) {
    const { tableEndpoint, credential } = settings.tokenAccess;
    // Bearer tokens only ever travel over https (the SDK refuses http for a token credential too).
    assertEndpoint(tableEndpoint, 'AZURE_STORAGE_TABLE_ENDPOINT', { loopbackHttp: false });
    return new TableClient(tableEndpoint, table, credential, options);
  }
  const connectionString = requireConnectionString(settings);
  let client: TableClient;
  try {
    client = TableClient.fromConnectionString(connectionString, table, options);
  } catch (error) {
    throw new AppError(ErrorCodes.ConfigInvalid, 'AZURE_STORAGE_CONNECTION_STRING is not a valid storage connection string', {
      expected: false,
      cause: error,
    });
  }
  if (assertEndpoint(client.url, 'AZURE_STORAGE_CONNECTION_STRING', { loopbackHttp: true }) === 'https:') return client;
  return TableClient.fromConnectionString(connectionString, table, { ...options, allowInsecureConnection: true });
}

export function requireConnectionString(settings: Pick<ClientSettings, 'connectionString'>): string {
  if (settings.connectionString === undefined || settings.connectionString === '') {
    throw new AppError(ErrorCodes.ConfigInvalid, 'No storage configured: set AZURE_STORAGE_CONNECTION_STRING or AZURE_STORAGE_ACCOUNT_NAME', { expected: false });
  }
  return settings.connectionString;
}

/**
 * https anywhere; plain http only on loopback (Azurite) and only with a connection string.
 * Returns the endpoint's protocol.
 */
export function assertEndpoint(endpoint: string, key: string, rule: { loopbackHttp: boolean }): 'https:' | 'http:' {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch (error) {
    throw new AppError(ErrorCodes.ConfigInvalid, `${key} is not a valid URL`, { expected: false, cause: error });
  }
  if (url.protocol === 'https:') return 'https:';
  if (rule.loopbackHttp && url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname)) return 'http:';
  throw new AppError(
    ErrorCodes.ConfigInvalid,
    `${key} points at ${url.protocol}//${url.host}: only https${rule.loopbackHttp ? ', or http on loopback (Azurite),' : ''} is allowed`,
    { expected: false },
  );
}

/** Create the table if it is missing. The SDK treats TableAlreadyExists as success; anything else throws. */
export async function ensureTable(client: TableClient): Promise<void> {
  await storageCall({ operation: 'createTable', table: client.tableName }, () => client.createTable());
}
