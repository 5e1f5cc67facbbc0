import type { SecretStore } from '../../../src/app/ports';
import { createHttpClient, type AttemptReport, type HttpClient } from '../../../src/integrations/http';
import { startSandbox, type FaultSpec, type RawRecord, type RequestLogEntry, type SandboxHandle, type Target } from '../../../sandbox';

/**
 * Test support for the integration clients: the sandbox over real HTTP, its control API
 * (/_sandbox, also over HTTP), an in-memory SecretStore, and an HTTP layer with small delays
 * whose waits are recorded.
 */

export class ControlApi {
  constructor(private readonly url: string) {}

  private async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const response = await fetch(`${this.url}/_sandbox${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`sandbox control ${method} ${path}: ${response.status} ${text}`);
    return (text === '' ? undefined : JSON.parse(text)) as T;
  }

  reset(): Promise<unknown> {
    return this.call('POST', '/reset');
  }
  fault(spec: FaultSpec): Promise<unknown> {
    return this.call('POST', '/faults', spec);
  }
  configure(update: { pageSize?: number; premium?: boolean; autoApproveDeviceCodes?: boolean }): Promise<unknown> {
    return this.call('POST', '/config', update);
  }
  putRecords(records: RawRecord[]): Promise<unknown> {
    return this.call('PUT', '/records', records);
  }
  requests(target: Target): Promise<RequestLogEntry[]> {
    return this.call('GET', `/requests?target=${target}`);
  }
  approveDeviceCode(userCode: string, mfa: boolean): Promise<unknown> {
    return this.call('POST', '/devicecodes/approve', { userCode, mfa });
  }
  revokeRefreshTokens(): Promise<{ revoked: number }> {
    return this.call('POST', '/refreshTokens/revoke');
  }
  setRegistration(objectId: string, update: { isMfaRegistered: boolean; methods?: string[] }): Promise<unknown> {
    return this.call('POST', `/users/${encodeURIComponent(objectId)}/registration`, update);
  }
  addSignIn(objectId: string, spec: { kind: 'mfa' | 'tokenClaim' | 'providerClaim' | 'passwordOnly' | 'failed'; at?: string; app?: string; method?: string }): Promise<unknown> {
    return this.call('POST', `/users/${encodeURIComponent(objectId)}/signIns`, spec);
  }
  setManager(objectId: string, managerId: string | null): Promise<unknown> {
    return this.call('POST', `/users/${encodeURIComponent(objectId)}/manager`, { managerId });
  }
  async mintToken(request: { audience: 'partnerCenter' | 'graph'; mfa?: boolean }): Promise<string> {
    return (await this.call<{ access_token: string }>('POST', '/tokens', request)).access_token;
  }
}

export interface SandboxFixture {
  sandbox: SandboxHandle;
  control: ControlApi;
}

/** Starts one sandbox for the file (beforeAll), resets it before each test, stops it after all. */
export function useSandbox(): () => SandboxFixture {
  let fixture: SandboxFixture | undefined;
  beforeAll(async () => {
    const sandbox = await startSandbox({ port: 0 });
    fixture = { sandbox, control: new ControlApi(sandbox.url) };
  });
  beforeEach(async () => {
    await fixture?.control.reset();
  });
  afterAll(async () => {
    await fixture?.sandbox.stop();
  });
  return () => {
    if (!fixture) throw new Error('sandbox not started');
    return fixture;
  };
}

export class MemorySecretStore implements SecretStore {
  readonly values = new Map<string, string>();
  async get(name: string): Promise<string | undefined> {
    return this.values.get(name);
  }
  async put(name: string, value: string): Promise<void> {
    this.values.set(name, value);
  }
  async delete(name: string): Promise<void> {
    this.values.delete(name);
  }
}

export interface RecordingHttp {
  http: HttpClient;
  /** Every wait the retry loop asked for, in ms. */
  waits: number[];
  attempts: AttemptReport[];
}

/** The real HTTP layer with tiny backoff; waits are recorded and shortened to 1 ms. */
export function recordingHttp(options: { maxAttempts?: number; timeoutMs?: number } = {}): RecordingHttp {
  const waits: number[] = [];
  const attempts: AttemptReport[] = [];
  const http = createHttpClient({
    retry: { maxAttempts: options.maxAttempts ?? 3, baseDelayMs: 10, maxDelayMs: 50, maxRetryAfterMs: 5000 },
    timeoutMs: options.timeoutMs ?? 5000,
    sleep: async (ms) => {
      waits.push(ms);
      await new Promise((resolve) => setTimeout(resolve, 1));
    },
    onAttempt: (report) => attempts.push(report),
  });
  return { http, waits, attempts };
}

/** Partner Center's time format: ISO without zone (UTC). */
export function pcTime(date: Date): string {
  return date.toISOString().slice(0, 23);
}

/** Rejection of a promise, for asserting on AppError fields. */
export async function failure(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the promise to reject, but it resolved');
}
