import { RestError } from '@azure/data-tables';
import { AppError, ErrorCodes, isAppError } from '../../src/domain/errors';
import { toStorageError, toTransactionError } from '../../src/storage/errors';

const ctx = { operation: 'getPrincipal', table: 'tPrincipals', partitionKey: 'p', rowKey: 'r' };

function restError(statusCode: number | undefined, code?: string, message = 'failed'): RestError {
  return new RestError(message, { statusCode, code });
}

function mapped(error: unknown): AppError {
  const result = toStorageError(error, ctx);
  if (!(result instanceof AppError)) throw new Error(`not mapped: ${String(result)}`);
  return result;
}

describe('storage error mapping', () => {
  it.each([
    [404, 'ResourceNotFound', ErrorCodes.StorageNotFound],
    [409, 'EntityAlreadyExists', ErrorCodes.StorageAlreadyExists],
    [412, 'UpdateConditionNotSatisfied', ErrorCodes.StorageConflict],
    [413, 'RequestBodyTooLarge', ErrorCodes.StorageLimit],
    [400, 'EntityTooLarge', ErrorCodes.StorageLimit],
    [400, 'PropertyValueTooLarge', ErrorCodes.StorageLimit],
    [503, 'ServerBusy', ErrorCodes.StorageUnavailable],
    [500, 'InternalError', ErrorCodes.StorageUnavailable],
  ])('when the service answers %i %s, then %s', (status, code, expected) => {
    const error = mapped(restError(status, code));

    expect(error.code).toBe(expected);
    expect(error.status).toBe(status);
    expect(error.details).toMatchObject({ operation: 'getPrincipal', table: 'tPrincipals', storageCode: code });
  });

  it('when a single request fails, then the service code is read from the details the SDK parsed', () => {
    const error = restError(404);
    error.details = { errorCode: 'TableNotFound', odataError: { code: 'TableNotFound' } };

    expect(mapped(error).details['storageCode']).toBe('TableNotFound');
  });

  it.each(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'REQUEST_SEND_ERROR'])('when the request fails with %s, then STORAGE_UNAVAILABLE, retryable', (code) => {
    const error = mapped(restError(undefined, code));

    expect(error.code).toBe(ErrorCodes.StorageUnavailable);
    expect(error.retryable).toBe(true);
  });

  it('when the socket hangs up, then STORAGE_UNAVAILABLE', () => {
    expect(mapped(new RestError('socket hang up', {})).code).toBe(ErrorCodes.StorageUnavailable);
  });

  it('when the request is aborted by our deadline, then STORAGE_UNAVAILABLE', () => {
    const abort = Object.assign(new Error('The operation was aborted.'), { name: 'AbortError' });

    expect(mapped(abort).code).toBe(ErrorCodes.StorageUnavailable);
  });

  it.each([
    ['CredentialUnavailableError', 'ManagedIdentityCredential: Network unreachable. Message: network_error'],
    ['CredentialUnavailableError', 'ManagedIdentityCredential: Authentication failed. Message Unable to load the proper Managed Identity.'],
    ['AuthenticationError', 'ManagedIdentityCredential authentication failed. Status code: 500'],
  ])('when the token credential fails with %s, then STORAGE_UNAVAILABLE that names the managed identity, retryable', (name, message) => {
    const credentialError = Object.assign(new Error(message), { name });

    const error = mapped(credentialError);

    expect(error.code).toBe(ErrorCodes.StorageUnavailable);
    expect(error.retryable).toBe(true);
    expect(error.message).toContain('the managed identity gave no token for Azure Storage');
    expect(error.message).toContain(message);
    expect(error.message).toContain('MANAGED_IDENTITY_CLIENT_ID');
    expect(error.details).toMatchObject({ operation: 'getPrincipal', table: 'tPrincipals', credential: name });
    expect(error.cause).toBe(credentialError);
  });

  it.each([
    [403, 'AuthorizationPermissionMismatch'],
    [403, 'AuthenticationFailed'],
    [401, 'InvalidAuthenticationInfo'],
  ])('when storage refuses the credentials with %i %s, then STORAGE_UNAVAILABLE that names the roles and the key, retryable', (status, code) => {
    const error = mapped(restError(status, code));

    expect(error.code).toBe(ErrorCodes.StorageUnavailable);
    expect(error.retryable).toBe(true);
    expect(error.status).toBe(status);
    expect(error.message).toContain(`storage refused our credentials (${status} ${code})`);
    expect(error.message).toContain('Storage Table Data Contributor and Storage Queue Data Contributor');
    expect(error.message).toContain('account key');
    expect(error.details).toMatchObject({ storageCode: code });
  });

  it('when the error is a 400 bad request or a plain bug, then it is rethrown unchanged, not disguised', () => {
    const bad = restError(400, 'InvalidInput');
    const bug = new TypeError('x is undefined');

    expect(toStorageError(bad, ctx)).toBe(bad);
    expect(toStorageError(bug, ctx)).toBe(bug);
  });

  it('when an AppError passes through, then it is kept as is', () => {
    const appError = new AppError(ErrorCodes.StorageLimit, 'too big');

    expect(toStorageError(appError, ctx)).toBe(appError);
  });

  it.each([404, 409, 412])('when a transaction action fails with %i, then STORAGE_CONFLICT with the batch ids', (status) => {
    const error = toTransactionError(restError(status), ctx, { ids: ['a', 'b'], idsKey: 'objectIds', index: 2, count: 5 });

    expect(isAppError(error, ErrorCodes.StorageConflict)).toBe(true);
    expect((error as AppError).details).toMatchObject({ objectIds: ['a', 'b'], batchIndex: 2, batchCount: 5 });
  });

  it('when a transaction cannot be sent, then STORAGE_UNAVAILABLE still names the batch ids', () => {
    const error = toTransactionError(restError(undefined, 'ECONNREFUSED'), ctx, { ids: ['a'], idsKey: 'objectIds', index: 0, count: 1 });

    expect(isAppError(error, ErrorCodes.StorageUnavailable)).toBe(true);
    expect((error as AppError).details['objectIds']).toEqual(['a']);
  });
});
