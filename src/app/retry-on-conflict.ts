import { isAppError, ErrorCodes } from '../domain/errors';

/**
 * Optimistic concurrency: read, decide, write under the etag; when someone else wrote first
 * (STORAGE_CONFLICT / STORAGE_ALREADY_EXISTS) read again and decide again. Bounded. Only those two
 * codes are retried: a refusal of the rules (an EXCEPTION_* code, a NOT_ADMIN…) is the answer,
 * and asking again would only give it again.
 */
export async function retryOnConflict<T>(attempt: () => Promise<T>, maxAttempts = 4): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await attempt();
    } catch (error) {
      const conflict = isAppError(error, ErrorCodes.StorageConflict) || isAppError(error, ErrorCodes.StorageAlreadyExists);
      if (!conflict || i >= maxAttempts) throw error;
    }
  }
}
