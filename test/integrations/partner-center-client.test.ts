import { randomUUID } from 'node:crypto';
import { AppError } from '../../src/domain/errors';
import { createPartnerCenterClient, type PartnerCenterClient } from '../../src/integrations/partner-center';
import type { Logger } from '../../src/app/ports';
import type { RawRecord, RequestLogEntry } from '../../sandbox';
import { failure, pcTime, recordingHttp, useSandbox, type RecordingHttp } from './support/harness';

const PATH = '/v1/nonMfaCompliantPartnerPrincipals';
const HOUR = 3_600_000;

describe('Partner Center client over HTTP against the sandbox', () => {
  const env = useSandbox();
  let rec: RecordingHttp;
  let client: PartnerCenterClient;
  let token: string;
  const warnings: Array<{ obj: Record<string, unknown>; msg: string }> = [];
  const logger: Logger = {
    debug: () => undefined,
    info: () => undefined,
    warn: (obj, msg) => warnings.push({ obj, msg }),
    error: () => undefined,
  };

  const context = (correlationId = randomUUID()): { correlationId: string; accessToken: string } => ({ correlationId, accessToken: token });
  const pcRequests = (): Promise<RequestLogEntry[]> => env().control.requests('partnerCenter');
  const record = (objectId: string, at: Date, field = 'lastNonMfaCompliantLoginDateTime'): RawRecord => ({
    objectId,
    tenantId: 'partner-tenant',
    upn: `${objectId}@contoso.example`,
    [field]: pcTime(at),
  });

  beforeEach(async () => {
    warnings.length = 0;
    rec = recordingHttp();
    client = createPartnerCenterClient({ baseUrl: `${env().sandbox.url}/pc`, principalsPath: PATH, http: rec.http, logger });
    token = await env().control.mintToken({ audience: 'partnerCenter', mfa: true });
  });

  it('when the listing spans several pages, then links.next is followed with its MS-ContinuationToken and every record is returned', async () => {
    const now = Date.now();
    const records = Array.from({ length: 5 }, (_, i) => record(`user-${i}`, new Date(now - (i + 1) * HOUR)));
    await env().control.putRecords(records);
    await env().control.configure({ pageSize: 2 });

    const listing = await client.listNonMfaCompliantPrincipals(context());

    expect(listing.pages).toBe(3);
    expect(listing.records.map((r) => r.objectId)).toEqual(['user-0', 'user-1', 'user-2', 'user-3', 'user-4']);
    const log = await pcRequests();
    expect(log).toHaveLength(3);
    expect(log[0]?.headers['ms-continuationtoken']).toBeUndefined();
    expect(log[1]?.headers['ms-continuationtoken']).toEqual(expect.any(String));
    expect(log[2]?.headers['ms-continuationtoken']).toEqual(expect.any(String));
    expect(log[2]?.headers['ms-continuationtoken']).not.toBe(log[1]?.headers['ms-continuationtoken']);
    expect(log[1]?.path).toBe(`/pc${PATH}?seekOperation=Next`);
  });

  it('when a page is requested, then the App+User headers are sent: one correlation id per operation, a new request id per page', async () => {
    await env().control.configure({ pageSize: 10 });
    const correlationId = randomUUID();

    await client.listNonMfaCompliantPrincipals(context(correlationId));
    await client.listNonMfaCompliantPrincipals(context());

    const log = await pcRequests();
    expect(log.length).toBeGreaterThanOrEqual(4);
    const first = log.filter((e) => e.headers['ms-correlationid'] === correlationId);
    expect(first.length).toBeGreaterThanOrEqual(2);
    for (const entry of log) {
      expect(entry.headers['authorization']).toBe(`Bearer ${token}`);
      expect(entry.headers['accept']).toBe('application/json');
      expect(entry.headers['ms-contract-version']).toBe('v1');
      expect(entry.headers['validatemfa']).toBe('true');
      expect(entry.headers['ms-requestid']).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    }
    const requestIds = new Set(log.map((e) => e.headers['ms-requestid']));
    expect(requestIds.size).toBe(log.length);
    const secondOperation = new Set(log.slice(first.length).map((e) => e.headers['ms-correlationid']));
    expect(secondOperation.size).toBe(1);
    expect(secondOperation.has(correlationId)).toBe(false);
  });

  it('when items use both time field names without a zone, then they are read as UTC instants', async () => {
    const login = new Date(Math.floor(Date.now() / 1000) * 1000 - 2 * HOUR + 51);
    const request = new Date(login.getTime() - HOUR);
    await env().control.putRecords([
      record('login-user', login, 'lastNonMfaCompliantLoginDateTime'),
      record('request-user', request, 'lastNonMfaCompliantRequestDateTime'),
    ]);
    // What the sandbox sends really has no zone.
    expect(pcTime(login)).not.toMatch(/Z|[+-]\d\d:\d\d$/);

    const listing = await client.listNonMfaCompliantPrincipals(context());

    expect(listing.records).toEqual([
      { objectId: 'login-user', tenantId: 'partner-tenant', upn: 'login-user@contoso.example', lastNonMfaAt: login },
      { objectId: 'request-user', tenantId: 'partner-tenant', upn: 'request-user@contoso.example', lastNonMfaAt: request },
    ]);
  });

  it('when an item has no time or an unreadable one, then it is skipped, counted and logged, and the rest is returned', async () => {
    const at = new Date(Date.now() - HOUR);
    await env().control.putRecords([
      record('good', at),
      // (The sandbox refuses items without objectId; the wire parser's unit test covers those.)
      { objectId: 'no-time-at-all', tenantId: 't', upn: 'nobody@contoso.example' },
      { objectId: 'no-time', upn: 'x@contoso.example', lastNonMfaCompliantLoginDateTime: 'last tuesday' },
    ]);

    const listing = await client.listNonMfaCompliantPrincipals(context());

    expect(listing.records.map((r) => r.objectId)).toEqual(['good']);
    expect(listing.skipped).toBe(2);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]?.obj).toMatchObject({ skipped: 2 });
  });

  it('when the token carries MFA, then Partner Center\'s isMfaCompliant answer (a header) is reported', async () => {
    const listing = await client.listNonMfaCompliantPrincipals(context());
    expect(listing.isMfaCompliant).toBe(true);
  });

  it('when the older /pcapi path is configured, then it is used', async () => {
    const legacy = createPartnerCenterClient({ baseUrl: `${env().sandbox.url}/pc/`, principalsPath: '/pcapi/v1/nonMfaCompliantPartnerPrincipals', http: rec.http });
    const listing = await legacy.listNonMfaCompliantPrincipals(context());
    expect(listing.records.length).toBeGreaterThan(0);
    expect((await pcRequests())[0]?.path).toBe('/pc/pcapi/v1/nonMfaCompliantPartnerPrincipals');
  });

  describe('retries', () => {
    it('when Partner Center throttles once with Retry-After, then the client waits that long and succeeds, reusing the MS-RequestId', async () => {
      await env().control.fault({ target: 'partnerCenter', kind: 'throttle', times: 1, retryAfterSeconds: 2 });

      const listing = await client.listNonMfaCompliantPrincipals(context());

      expect(listing.records.length).toBeGreaterThan(0);
      expect(rec.waits).toEqual([2000]);
      const log = await pcRequests();
      expect(log.map((e) => e.status)).toEqual([429, 200]);
      expect(log[1]?.headers['ms-requestid']).toBe(log[0]?.headers['ms-requestid']);
      expect(log[1]?.headers['ms-correlationid']).toBe(log[0]?.headers['ms-correlationid']);
    });

    it('when Partner Center throttles every attempt, then PC_THROTTLED carries Retry-After after the bounded attempts', async () => {
      await env().control.fault({ target: 'partnerCenter', kind: 'throttle', retryAfterSeconds: 1 });
      const correlationId = randomUUID();

      const error = await failure(client.listNonMfaCompliantPrincipals(context(correlationId)));

      expect(error).toBeInstanceOf(AppError);
      expect(error).toMatchObject({ code: 'PC_THROTTLED', retryable: true, retryAfterSeconds: 1, status: 429 });
      expect((error as AppError).message).toContain(correlationId);
      expect((error as AppError).message).toContain('Rate limit is exceeded');
      expect(await pcRequests()).toHaveLength(3);
      expect(rec.waits).toEqual([1000, 1000]);
    });

    it('when Retry-After is longer than the client will wait, then PC_THROTTLED at once, carrying the wait Partner Center asked for', async () => {
      await env().control.fault({ target: 'partnerCenter', kind: 'throttle', retryAfterSeconds: 600 });

      const error = await failure(client.listNonMfaCompliantPrincipals(context()));

      expect(error).toMatchObject({ code: 'PC_THROTTLED', retryAfterSeconds: 600 });
      expect(await pcRequests()).toHaveLength(1);
      expect(rec.waits).toEqual([]);
    });

    it('when Partner Center fails with 500 once, then the request is retried with the same MS-RequestId and succeeds', async () => {
      await env().control.fault({ target: 'partnerCenter', kind: 'serverError', times: 1 });

      const listing = await client.listNonMfaCompliantPrincipals(context());

      expect(listing.records.length).toBeGreaterThan(0);
      const log = await pcRequests();
      expect(log.map((e) => e.status)).toEqual([500, 200]);
      expect(new Set(log.map((e) => e.headers['ms-requestid'])).size).toBe(1);
      expect(rec.waits).toHaveLength(1);
      expect(rec.waits[0]).toBeLessThan(10);
    });

    it('when Partner Center fails with 500 on every attempt, then PC_UNAVAILABLE names the correlation id and the error code', async () => {
      await env().control.fault({ target: 'partnerCenter', kind: 'serverError' });
      const correlationId = randomUUID();

      const error = await failure(client.listNonMfaCompliantPrincipals(context(correlationId)));

      expect(error).toMatchObject({ code: 'PC_UNAVAILABLE', retryable: true, status: 500 });
      expect((error as AppError).message).toContain(correlationId);
      expect((error as AppError).message).toContain('500: An unexpected error occurred');
      expect(await pcRequests()).toHaveLength(3);
    });

    it('when Partner Center is slower than the timeout once, then the request is retried with the same MS-RequestId and succeeds', async () => {
      rec = recordingHttp({ timeoutMs: 300 });
      client = createPartnerCenterClient({ baseUrl: `${env().sandbox.url}/pc`, principalsPath: PATH, http: rec.http });
      await env().control.fault({ target: 'partnerCenter', kind: 'slow', times: 1, delayMs: 3000 });

      const listing = await client.listNonMfaCompliantPrincipals(context());

      expect(listing.records.length).toBeGreaterThan(0);
      expect(rec.attempts.map((a) => a.failure ?? a.status)).toEqual(['timeout', 200]);
      const log = await pcRequests();
      expect(log).toHaveLength(2);
      expect(log[1]?.headers['ms-requestid']).toBe(log[0]?.headers['ms-requestid']);
    });

    it('when Partner Center stays slower than the timeout, then PC_UNAVAILABLE after the bounded attempts', async () => {
      rec = recordingHttp({ timeoutMs: 200 });
      client = createPartnerCenterClient({ baseUrl: `${env().sandbox.url}/pc`, principalsPath: PATH, http: rec.http });
      await env().control.fault({ target: 'partnerCenter', kind: 'slow', delayMs: 3000 });

      const error = await failure(client.listNonMfaCompliantPrincipals(context()));

      expect(error).toMatchObject({ code: 'PC_UNAVAILABLE', retryable: true, details: { kind: 'timeout', attempts: 3 } });
      expect(await pcRequests()).toHaveLength(3);
    });

    it('when nothing listens at the base URL, then PC_UNAVAILABLE after the bounded attempts', async () => {
      const nowhere = createPartnerCenterClient({ baseUrl: 'http://127.0.0.1:9', principalsPath: PATH, http: rec.http });
      const error = await failure(nowhere.listNonMfaCompliantPrincipals(context()));
      expect(error).toMatchObject({ code: 'PC_UNAVAILABLE', details: { kind: 'network', attempts: 3 } });
    });
  });

  describe('rejections', () => {
    it('when Partner Center answers 401 with 900421, then PC_MFA_REQUIRED is thrown after exactly one request', async () => {
      await env().control.fault({ target: 'partnerCenter', kind: 'mfaRequired' });
      const correlationId = randomUUID();

      const error = await failure(client.listNonMfaCompliantPrincipals(context(correlationId)));

      expect(error).toMatchObject({ code: 'PC_MFA_REQUIRED', retryable: false, status: 401, details: { pcCode: '900421' } });
      expect((error as AppError).message).toContain(correlationId);
      expect((error as AppError).message).toContain('connect partner center');
      expect(await pcRequests()).toHaveLength(1);
      expect(rec.waits).toEqual([]);
    });

    it('when the token has no MFA claim, then Partner Center rejects it and PC_MFA_REQUIRED reports isMfaCompliant false, after one request', async () => {
      token = await env().control.mintToken({ audience: 'partnerCenter', mfa: false });

      const error = await failure(client.listNonMfaCompliantPrincipals(context()));

      expect(error).toMatchObject({ code: 'PC_MFA_REQUIRED', details: { isMfaCompliant: false } });
      expect(await pcRequests()).toHaveLength(1);
    });

    it('when the token is not accepted for another reason, then PC_UNAUTHORIZED without retry', async () => {
      token = 'not-a-token-the-sandbox-issued';

      const error = await failure(client.listNonMfaCompliantPrincipals(context()));

      expect(error).toMatchObject({ code: 'PC_UNAUTHORIZED', retryable: false, status: 401 });
      expect(await pcRequests()).toHaveLength(1);
    });

    it('when the body is cut-off JSON, then PC_BAD_RESPONSE without retry', async () => {
      await env().control.fault({ target: 'partnerCenter', kind: 'malformed', times: 1 });
      const correlationId = randomUUID();

      const error = await failure(client.listNonMfaCompliantPrincipals(context(correlationId)));

      expect(error).toMatchObject({ code: 'PC_BAD_RESPONSE', retryable: false });
      expect((error as AppError).message).toContain('not JSON');
      expect((error as AppError).message).toContain(correlationId);
      expect(await pcRequests()).toHaveLength(1);
    });

    it('when the path does not exist, then PC_BAD_RESPONSE names the setting to check', async () => {
      const wrong = createPartnerCenterClient({ baseUrl: `${env().sandbox.url}/pc`, principalsPath: '/v2/nothing', http: rec.http });
      const error = await failure(wrong.listNonMfaCompliantPrincipals(context()));
      expect(error).toMatchObject({ code: 'PC_BAD_RESPONSE', status: 404 });
      expect((error as AppError).message).toContain('PARTNER_CENTER_PRINCIPALS_PATH');
    });

    it('when links.next would be followed more often than the page cap, then PC_BAD_RESPONSE instead of a partial listing', async () => {
      await env().control.configure({ pageSize: 1 });
      const capped = createPartnerCenterClient({ baseUrl: `${env().sandbox.url}/pc`, principalsPath: PATH, http: rec.http, maxPages: 3 });

      const error = await failure(capped.listNonMfaCompliantPrincipals(context()));

      expect(error).toMatchObject({ code: 'PC_BAD_RESPONSE' });
      expect((error as AppError).message).toContain('more than 3 pages');
      expect(await pcRequests()).toHaveLength(3);
    });
  });
});
