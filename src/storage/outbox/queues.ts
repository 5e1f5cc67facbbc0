import { QueueClient, QueueServiceClient, type StoragePipelineOptions } from '@azure/storage-queue';
import { AppError, ErrorCodes } from '../../domain/errors';
import { assertEndpoint, requireConnectionString, type ClientSettings } from '../client';
import { isRestError, toStorageError, type StorageContext } from '../errors';

/** The outbox's two queues: their names, their clients, and how a failed queue call reads. */

const QUEUE_NAME = /^[a-z0-9](?!.*--)[a-z0-9-]{1,61}[a-z0-9]$/;

export function outboxQueueNames(prefix: string): { queue: string; poison: string } {
  const base = `${prefix.toLowerCase()}-outbox`;
  const names = { queue: base, poison: `${base}-poison` };
  for (const name of Object.values(names)) {
    if (!QUEUE_NAME.test(name)) {
      throw new AppError(ErrorCodes.ConfigInvalid, `STORAGE_TABLE_PREFIX '${prefix}' gives the queue name '${name}', which is not a valid queue name (3-63 lower-case letters, digits and single hyphens)`, {
        expected: false,
        details: { prefix, queue: name },
      });
    }
  }
  return names;
}

function queueOptions(settings: ClientSettings): StoragePipelineOptions {
  return {
    retryOptions: {
      // The SDK counts the first try.
      maxTries: settings.retryOptions.maxRetries + 1,
      retryDelayInMs: settings.retryOptions.retryDelayInMs,
      maxRetryDelayInMs: settings.retryOptions.maxRetryDelayInMs,
      tryTimeoutInMs: settings.requestTimeoutMs,
    },
  };
}

export function createQueueClient(settings: ClientSettings, name: string): QueueClient {
  if (settings.tokenAccess !== undefined) {
    const { queueEndpoint, credential } = settings.tokenAccess;
    assertEndpoint(queueEndpoint, 'AZURE_STORAGE_QUEUE_ENDPOINT', { loopbackHttp: false });
    return new QueueServiceClient(queueEndpoint, credential, queueOptions(settings)).getQueueClient(name);
  }
  const connectionString = requireConnectionString(settings);
  try {
    return QueueServiceClient.fromConnectionString(connectionString, queueOptions(settings)).getQueueClient(name);
  } catch (error) {
    throw new AppError(ErrorCodes.ConfigInvalid, 'AZURE_STORAGE_CONNECTION_STRING is not a valid storage connection string (queue endpoint)', {
      expected: false,
      cause: error,
    });
  }
}

/** Seconds, 1 s to 7 days (the service's bounds for a visibility timeout). */
export function visibilitySeconds(ms: number): number {
  return Math.min(7 * 24 * 3600, Math.max(1, Math.ceil(ms / 1000)));
}

/**
 * A call on a received message. A pop receipt that no longer matches (400 PopReceiptMismatch:
 * the visibility ran out and another worker received the message) is a lost lease, STORAGE_CONFLICT,
 * like a 404 (deleted meanwhile) is STORAGE_NOT_FOUND.
 */
export async function queueCall<T>(ctx: StorageContext, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    const details: unknown = isRestError(error) ? error.details : undefined;
    const code = typeof details === 'object' && details !== null ? (details as Record<string, unknown>)['errorCode'] : undefined;
    if (isRestError(error) && error.statusCode === 400 && code === 'PopReceiptMismatch') {
      throw new AppError(ErrorCodes.StorageConflict, `Storage ${ctx.operation} on queue ${ctx.table}: the message is held by another worker now`, { cause: error, status: 400, details: { ...ctx } });
    }
    throw toStorageError(error, ctx);
  }
}
