import {
  backoffDelayMs,
  DEFAULT_RETRY_POLICY,
  isRetryableStatus,
  parseRetryAfterMs,
  type RetryPolicy,
} from './retry-policy';

/**
 * One small HTTP layer over Node's global fetch, shared by the Partner Center and Graph clients:
 * a timeout per attempt, bounded retries (see retry-policy.ts), and hooks. It does not map
 * statuses to errors: the final response is returned whatever its status, and each API client
 * maps it. Only a failure without any response (timeout, network) throws, as HttpTransportError.
 *
 * Requests run one at a time per call; there is no parallelism here (callers page sequentially).
 */

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface HttpRequest {
  method: HttpMethod;
  url: string;
  /**
   * Sent unchanged on every attempt: a request id in here (Partner Center's `MS-RequestId`,
   * Graph's `client-request-id`) is therefore reused when the same request is retried.
   */
  headers?: Record<string, string>;
  body?: string;
  /** Overrides the client's timeout for this request (per attempt). */
  timeoutMs?: number;
  /** Awaited before each attempt (1-based), e.g. to take a token from a rate limiter. */
  beforeAttempt?: (attempt: number) => Promise<void>;
}

export interface HttpResponse {
  status: number;
  statusText: string;
  headers: Headers;
  /** The whole body as text (read within the timeout). */
  text: string;
  /** Attempts made, this one included. */
  attempts: number;
  /** The server's `Retry-After`, in whole seconds (rounded up), when it sent a readable one. */
  retryAfterSeconds?: number;
}

export type TransportFailure = 'timeout' | 'network';

export interface AttemptReport {
  method: HttpMethod;
  url: string;
  attempt: number;
  status?: number;
  failure?: TransportFailure;
  /** Whether another attempt follows, after `delayMs`. */
  willRetry: boolean;
  delayMs?: number;
}

/** No response at all after the last attempt. */
export class HttpTransportError extends Error {
  constructor(
    readonly kind: TransportFailure,
    readonly attempts: number,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'HttpTransportError';
  }
}

export interface HttpClientOptions {
  retry?: Partial<RetryPolicy>;
  /** Per-attempt timeout (default 30 s). */
  timeoutMs?: number;
  sleep?: (ms: number) => Promise<void>;
  /** In [0, 1): the jitter source. */
  random?: () => number;
  /** Epoch milliseconds, for `Retry-After` dates. */
  now?: () => number;
  /** Called after every attempt: log retries here. Never receives headers or bodies. */
  onAttempt?: (report: AttemptReport) => void;
}

export interface HttpClient {
  send(request: HttpRequest): Promise<HttpResponse>;
}

export const DEFAULT_TIMEOUT_MS = 30_000;

const defaultSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function classify(error: unknown): TransportFailure {
  const name = typeof error === 'object' && error !== null && 'name' in error ? String(error.name) : '';
  return name === 'TimeoutError' || name === 'AbortError' ? 'timeout' : 'network';
}

function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause instanceof Error ? `: ${error.cause.message}` : '';
  return `${error.message}${cause}`;
}

/** Strip query strings from URLs we report (continuation tokens, ids). */
function safeUrl(url: string): string {
  const q = url.indexOf('?');
  return q === -1 ? url : url.slice(0, q);
}

export function createHttpClient(options: HttpClientOptions = {}): HttpClient {
  const policy: RetryPolicy = { ...DEFAULT_RETRY_POLICY, ...options.retry };
  const maxAttempts = Math.max(1, Math.floor(policy.maxAttempts));
  const sleep = options.sleep ?? defaultSleep;
  const random = options.random ?? Math.random;
  const now = options.now ?? Date.now;
  const onAttempt = options.onAttempt ?? ((): void => undefined);

  async function attemptOnce(request: HttpRequest, attempt: number): Promise<{ response: HttpResponse; retryAfterMs?: number }> {
    const signal = AbortSignal.timeout(request.timeoutMs ?? options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
    const response = await fetch(request.url, {
      method: request.method,
      headers: request.headers,
      body: request.body,
      signal,
      redirect: 'manual',
    });
    const text = await response.text();
    const retryAfterMs = parseRetryAfterMs(response.headers.get('retry-after'), now());
    return {
      response: {
        status: response.status,
        statusText: response.statusText,
        headers: response.headers,
        text,
        attempts: attempt,
        retryAfterSeconds: retryAfterMs === undefined ? undefined : Math.ceil(retryAfterMs / 1000),
      },
      retryAfterMs,
    };
  }

  async function send(request: HttpRequest): Promise<HttpResponse> {
    const url = safeUrl(request.url);
    for (let attempt = 1; ; attempt += 1) {
      await request.beforeAttempt?.(attempt);
      const last = attempt >= maxAttempts;
      let answer: { response: HttpResponse; retryAfterMs?: number };
      try {
        answer = await attemptOnce(request, attempt);
      } catch (error) {
        const failure = classify(error);
        if (last) {
          onAttempt({ method: request.method, url, attempt, failure, willRetry: false });
          throw new HttpTransportError(
            failure,
            attempt,
            `${request.method} ${url} failed after ${attempt} attempt(s): ${failure === 'timeout' ? 'timed out' : describe(error)}`,
            { cause: error },
          );
        }
        const delayMs = backoffDelayMs(policy, attempt, random);
        onAttempt({ method: request.method, url, attempt, failure, willRetry: true, delayMs });
        await sleep(delayMs);
        continue;
      }

      const { response } = answer;
      const delayMs = retryDelay(response.status, answer.retryAfterMs, attempt);
      const willRetry = !last && delayMs !== undefined;
      onAttempt({ method: request.method, url, attempt, status: response.status, willRetry, delayMs: willRetry ? delayMs : undefined });
      if (!willRetry) return response;
      await sleep(delayMs);
    }
  }

  /** Undefined: do not retry this response. */
  function retryDelay(status: number, retryAfterMs: number | undefined, attempt: number): number | undefined {
    if (!isRetryableStatus(status)) return undefined;
    if ((status === 429 || status === 503) && retryAfterMs !== undefined) {
      return retryAfterMs > policy.maxRetryAfterMs ? undefined : retryAfterMs;
    }
    return backoffDelayMs(policy, attempt, random);
  }

  return { send };
}
