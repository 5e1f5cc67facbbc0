import { RestError } from '@azure/data-tables';
import { AppError, ErrorCodes, isAppError } from '../domain/errors';

/**
 * The one place where Table storage failures become AppErrors. Every adapter call goes through
 * `storageCall()` (or `toStorageError()` for errors raised while iterating a query), so callers
 * only ever see STORAGE_* codes:
 *
 * - 404 → STORAGE_NOT_FOUND, 409 → STORAGE_ALREADY_EXISTS, 412 → STORAGE_CONFLICT
 * - 413, or a size error code (EntityTooLarge, …) → STORAGE_LIMIT
 * - no response (ECONNREFUSED, ECONNRESET, socket hang up, timeouts), 408, 429, 5xx →
 *   STORAGE_UNAVAILABLE, retryable
 * - 401/403 (the credentials were refused: a missing role assignment, a wrong key) →
 *   STORAGE_UNAVAILABLE, retryable (new role assignments take minutes to apply), worded for the admin
 * - no token from the Microsoft Entra credential (the managed identity; storage was never asked) →
 *   STORAGE_UNAVAILABLE, retryable, with a message that names the identity, not the account
 * - anything else (400 bad request, programming errors) is rethrown as is: a bug, not an outcome.
 */

/** What was being done, for messages and `details` (never entity values: they may be secrets). */
export interface StorageContext {
  operation: string;
  table: string;
  partitionKey?: string;
  rowKey?: string;
}

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'ESOCKETTIMEDOUT',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_SOCKET',
  RestError.REQUEST_SEND_ERROR,
]);

const SIZE_CODES = new Set(['RequestBodyTooLarge', 'EntityTooLarge', 'PropertyValueTooLarge', 'TooManyProperties']);

const TRANSIENT_STATUSES = new Set([408, 429, 500, 502, 503, 504]);

/** Narrow to the SDK's RestError (by class, or by name across duplicate package copies). */
export function isRestError(error: unknown): error is RestError {
  return error instanceof RestError || (error instanceof Error && error.name === 'RestError');
}

function stringProp(value: unknown, key: string): string | undefined {
  if (typeof value !== 'object' || value === null || !(key in value)) return undefined;
  const v = (value as Record<string, unknown>)[key];
  return typeof v === 'string' ? v : undefined;
}

/** Node's system error code (ECONNREFUSED, …) or the SDK's own (REQUEST_SEND_ERROR). */
function errorCode(error: unknown): string | undefined {
  return stringProp(error, 'code');
}

/**
 * The service's error code (TableNotFound, ResourceNotFound, EntityAlreadyExists, …). Single
 * requests carry it in `details` (parsed from the body and the x-ms-error-code header); batch
 * transactions in `code`.
 */
function serviceErrorCode(error: unknown): string | undefined {
  if (!isRestError(error)) return undefined;
  const details: unknown = error.details;
  const odataError = typeof details === 'object' && details !== null ? (details as Record<string, unknown>)['odataError'] : undefined;
  return (
    stringProp(details, 'errorCode') ??
    stringProp(odataError, 'code') ??
    error.response?.headers.get('x-ms-error-code') ??
    (error.statusCode !== undefined ? error.code : undefined)
  );
}

function isNetworkFailure(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  // Our request timeout aborts the request: the SDK throws an AbortError.
  if (error.name === 'AbortError') return true;
  const code = errorCode(error);
  if (code !== undefined && NETWORK_CODES.has(code)) return true;
  return /socket hang up|network|timed? ?out/i.test(error.message) && (!isRestError(error) || error.statusCode === undefined);
}

/**
 * @azure/identity's failures (by name: the class may come from another copy of the package). The
 * token policy throws them before any request reaches storage.
 */
const CREDENTIAL_ERRORS = new Set(['CredentialUnavailableError', 'AuthenticationError', 'AuthenticationRequiredError']);

function isCredentialFailure(error: unknown): error is Error {
  return error instanceof Error && CREDENTIAL_ERRORS.has(error.name);
}

function where(ctx: StorageContext): string {
  return `${ctx.operation} on table ${ctx.table}`;
}

function baseDetails(ctx: StorageContext, storageCode: string | undefined): Record<string, unknown> {
  const details: Record<string, unknown> = { operation: ctx.operation, table: ctx.table };
  if (ctx.partitionKey !== undefined) details['partitionKey'] = ctx.partitionKey;
  if (ctx.rowKey !== undefined) details['rowKey'] = ctx.rowKey;
  if (storageCode !== undefined) details['storageCode'] = storageCode;
  return details;
}

/**
 * Map a failure to an AppError with a STORAGE_* code; AppErrors pass through untouched and
 * unrecognised errors are returned unchanged (the caller rethrows them).
 */
export function toStorageError(error: unknown, ctx: StorageContext): unknown {
  if (isAppError(error)) return error;
  if (isCredentialFailure(error)) {
    // Retryable like an outage (the identity endpoint may be restarting), but worded for the admin
    // who has to fix a deployment: storage itself was never reached.
    return new AppError(
      ErrorCodes.StorageUnavailable,
      `Storage ${where(ctx)}: the managed identity gave no token for Azure Storage (${error.message}). ` +
        'In Azure: is the user-assigned identity attached to the web app, and MANAGED_IDENTITY_CLIENT_ID its client id?',
      { cause: error, details: { ...baseDetails(ctx, undefined), credential: error.name }, retryable: true, expected: false },
    );
  }
  const status = isRestError(error) ? error.statusCode : undefined;
  const storageCode = serviceErrorCode(error) ?? errorCode(error);
  const details = baseDetails(ctx, storageCode);
  const options = { cause: error, status, details };

  if (status === 413 || (storageCode !== undefined && SIZE_CODES.has(storageCode))) {
    return new AppError(ErrorCodes.StorageLimit, `Storage ${where(ctx)}: the request exceeds a Table storage size limit`, {
      ...options,
      expected: false,
    });
  }
  if (status === 401 || status === 403) {
    return new AppError(
      ErrorCodes.StorageUnavailable,
      `Storage ${where(ctx)}: storage refused our credentials (${status} ${storageCode ?? 'no error code'}). ` +
        'With the managed identity: does it hold Storage Table Data Contributor and Storage Queue Data Contributor on the account? ' +
        '(New role assignments take a few minutes to apply.) With a connection string: is its account key current?',
      { ...options, retryable: true, expected: false },
    );
  }
  switch (status) {
    case 404:
      return new AppError(ErrorCodes.StorageNotFound, `Storage ${where(ctx)}: not found`, options);
    case 409:
      return new AppError(ErrorCodes.StorageAlreadyExists, `Storage ${where(ctx)}: already exists`, options);
    case 412:
      return new AppError(ErrorCodes.StorageConflict, `Storage ${where(ctx)}: changed concurrently (etag mismatch)`, options);
    default:
      break;
  }
  if ((status !== undefined && TRANSIENT_STATUSES.has(status)) || (status === undefined && isNetworkFailure(error))) {
    const reason = error instanceof Error ? error.message : String(error);
    return new AppError(ErrorCodes.StorageUnavailable, `Storage ${where(ctx)}: storage is unavailable (${reason})`, {
      ...options,
      retryable: true,
      expected: false,
    });
  }
  return error;
}

/** Run one storage request; failures leave as mapped AppErrors. */
export async function storageCall<T>(ctx: StorageContext, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw toStorageError(error, ctx);
  }
}

/**
 * A failed batch transaction. Table storage rejects the whole transaction when one action fails;
 * a failed precondition inside it (404 gone, 409 exists, 412 changed) means the batch was based
 * on stale data: STORAGE_CONFLICT. `details[idsKey]` lists the ids of that transaction's entities.
 */
export function toTransactionError(
  error: unknown,
  ctx: StorageContext,
  batch: { ids: string[]; idsKey: string; index: number; count: number },
): unknown {
  const mapped = toStorageError(error, ctx);
  if (!isAppError(mapped)) return mapped;
  const details = { ...mapped.details, [batch.idsKey]: batch.ids, batchIndex: batch.index, batchCount: batch.count };
  const precondition: string[] = [ErrorCodes.StorageNotFound, ErrorCodes.StorageAlreadyExists, ErrorCodes.StorageConflict];
  const code = precondition.includes(mapped.code) ? ErrorCodes.StorageConflict : mapped.code;
  const message =
    code === ErrorCodes.StorageConflict
      ? `Storage ${where(ctx)}: batch ${batch.index + 1}/${batch.count} was rejected, one of its ${batch.ids.length} entities changed concurrently (${mapped.code})`
      : mapped.message;
  return new AppError(code, message, {
    cause: error,
    status: mapped.status,
    details,
    expected: mapped.expected,
    retryable: mapped.retryable,
  });
}

/** An entity-level 404 (not a missing table, which is a deployment error and stays an error). */
export function isEntityNotFound(error: unknown): boolean {
  return isAppError(error, ErrorCodes.StorageNotFound) && error.details['storageCode'] !== 'TableNotFound';
}
