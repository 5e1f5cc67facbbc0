import { isAppError, ErrorCodes } from '../domain/errors';

/**
 * Optimistic concurrency: read, decide, write under the etag; when someone else wrote first
 * (STORAGE_CONFLICT / STORAGE_ALREADY_EXISTS) read again and decide again. Bounded.
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
