import { TableClient, type TableServiceClientOptions } from '@azure/data-tables';
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

export interface ClientSettings {
  connectionString: string;
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
  let client: TableClient;
  try {
    client = TableClient.fromConnectionString(settings.connectionString, table, options);
  } catch (error) {
    throw new AppError(ErrorCodes.ConfigInvalid, 'AZURE_STORAGE_CONNECTION_STRING is not a valid storage connection string', {
      expected: false,
      cause: error,
    });
  }
  const url = new URL(client.url);
  if (url.protocol === 'https:') return client;
  if (url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname)) {
    return TableClient.fromConnectionString(settings.connectionString, table, { ...options, allowInsecureConnection: true });
  }
  throw new AppError(
    ErrorCodes.ConfigInvalid,
    `AZURE_STORAGE_CONNECTION_STRING points at ${url.protocol}//${url.host}: only https, or http on loopback (Azurite), is allowed`,
    { expected: false },
  );
}

/** Create the table if it is missing. The SDK treats TableAlreadyExists as success; anything else throws. */
export async function ensureTable(client: TableClient): Promise<void> {
  await storageCall({ operation: 'createTable', table: client.tableName }, () => client.createTable());
}
