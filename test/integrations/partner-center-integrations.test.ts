import { randomUUID } from 'node:crypto';
import { AppError } from '../../src/domain/errors';
import { createPartnerCenterClient, type PartnerCenterClient } from '../../src/integrations/partner-center';
import { SANDBOX_APPS, BILLING_SERVICE_ACCOUNT, type RawRecord } from '../../sandbox';
import { failure, pcTime, recordingHttp, useSandbox, type RecordingHttp } from './support/harness';

const HOUR = 3_600_000;

describe('Partner Center integration endpoints over HTTP against the sandbox', () => {
  const env = useSandbox();
  let rec: RecordingHttp;
  let client: PartnerCenterClient;
  let token: string;
  const context = () => ({ correlationId: randomUUID(), accessToken: token });

  beforeEach(async () => {
    rec = recordingHttp();
    client = createPartnerCenterClient({ baseUrl: `${env().sandbox.url}/pc`, principalsPath: '/v1/nonMfaCompliantPartnerPrincipals', http: rec.http });
    token = await env().control.mintToken({ audience: 'partnerCenter', mfa: true });
  });

  const request = (n: number, over: RawRecord = {}): RawRecord => ({
    requestId: `req-${n}`,
    correlationId: `corr-${n}`,
    operationName: 'Get /v1/customers',
    requestDateTime: pcTime(new Date(Date.now() - n * HOUR)),
    objectId: `user-${n}`,
    tenantId: 'partner',
    upn: `user-${n}@contoso.example`,
    applicationId: 'app-1',
    mfaCompliant: false,
    ...over,
  });

  it('when the seed is listed, then both endpoints answer with the four apps, consistent with the principals list', async () => {
    const adoption = await client.integrations.listAdoption(context());
    const requests = await client.integrations.listPartnerRequests(context());
    const principals = await client.listNonMfaCompliantPrincipals(context());

    const names = new Set(adoption.items.map((a) => a.applicationName));
    expect(names).toEqual(new Set(Object.values(SANDBOX_APPS).map((a) => a.applicationName)));
    const portal = requests.items.filter((r) => r.applicationId === SANDBOX_APPS.portal.applicationId);
    expect(portal.length).toBeGreaterThan(0);
    expect(portal.every((r) => r.mfaCompliant)).toBe(true);
    const billing = requests.items.filter((r) => r.applicationId === SANDBOX_APPS.billing.applicationId);
    expect(billing.every((r) => !r.mfaCompliant && r.objectId === BILLING_SERVICE_ACCOUNT.objectId)).toBe(true);
    const provisioning = requests.items.filter((r) => r.applicationId === SANDBOX_APPS.provisioning.applicationId);
    expect(new Set(provisioning.map((r) => r.mfaCompliant))).toEqual(new Set([true, false]));
    // Every non-MFA request is made by someone the principals list shows.
    const listed = new Set(principals.records.map((r) => r.objectId));
    expect(requests.items.filter((r) => !r.mfaCompliant).every((r) => listed.has(r.objectId))).toBe(true);
    expect(adoption.skipped + requests.skipped).toBe(0);
  });

  it('when requests span pages and use both IP field names, then every page is followed and both names are read', async () => {
    env().sandbox.control.replaceIntegrationData({
      adoption: [],
      requests: [request(1, { ipAddress: '198.51.100.1' }), request(2, { sourceIpAddress: '198.51.100.2' }), request(3, { mfaCompliant: 'true' }), request(4), request(5, { applicationId: '' })],
    });
    await env().control.configure({ pageSize: 2 });
    const listing = await client.integrations.listPartnerRequests(context());
    expect(listing.pages).toBe(3);
    expect(listing.items.map((r) => r.requestId)).toEqual(['req-1', 'req-2', 'req-3', 'req-4']);
    expect(listing.items.map((r) => r.sourceIp)).toEqual(['198.51.100.1', '198.51.100.2', undefined, undefined]);
    expect(listing.items[2]?.mfaCompliant).toBe(true);
    expect(listing.skipped).toBe(1);
    const log = await env().control.requests('partnerCenter');
    expect(log.map((l) => l.path)).toEqual(['/pc/v1/partnerRequests', '/pc/v1/partnerRequests?seekOperation=Next', '/pc/v1/partnerRequests?seekOperation=Next']);
    expect(log[1]?.headers['ms-continuationtoken']).toEqual(expect.any(String));
  });

  it('when adoption rows are listed, then days are UTC days and counts are numbers', async () => {
    env().sandbox.control.replaceIntegrationData({
      adoption: [{ loginDate: '2026-11-20T00:00:00', mfaCompliantRequestCount: '3', totalRequestCount: 5, applicationId: 'APP-1', applicationName: 'Billing' }, { loginDate: 'yesterday', applicationId: 'x' }],
      requests: [],
    });
    const listing = await client.integrations.listAdoption(context());
    expect(listing.items).toEqual([{ applicationId: 'APP-1', applicationName: 'Billing', day: '2026-11-20', mfaCompliantRequestCount: 3, totalRequestCount: 5 }]);
    expect(listing.skipped).toBe(1);
  });

  it('when Partner Center throttles once, then the call waits Retry-After and succeeds', async () => {
    await env().control.fault({ target: 'partnerCenter', kind: 'throttle', times: 1, retryAfterSeconds: 2 });
    const listing = await client.integrations.listAdoption(context());
    expect(listing.items.length).toBeGreaterThan(0);
    expect(rec.waits).toEqual([2000]);
  });

  it('when Partner Center keeps throttling, then PC_THROTTLED with its Retry-After', async () => {
    await env().control.fault({ target: 'partnerCenter', kind: 'throttle', retryAfterSeconds: 1 });
    const error = (await failure(client.integrations.listPartnerRequests(context()))) as AppError;
    expect(error.code).toBe('PC_THROTTLED');
    expect(error.retryAfterSeconds).toBe(1);
  });

  it('when Partner Center answers 5xx every time, then PC_UNAVAILABLE after bounded retries', async () => {
    await env().control.fault({ target: 'partnerCenter', kind: 'serverError' });
    const error = (await failure(client.integrations.listAdoption(context()))) as AppError;
    expect(error.code).toBe('PC_UNAVAILABLE');
    expect(rec.attempts).toHaveLength(3);
  });

  it('when Partner Center rejects the token with 900421, then PC_MFA_REQUIRED at once, never retried', async () => {
    const noMfa = await env().control.mintToken({ audience: 'partnerCenter', mfa: false });
    const error = (await failure(client.integrations.listPartnerRequests({ correlationId: 'c', accessToken: noMfa }))) as AppError;
    expect(error.code).toBe('PC_MFA_REQUIRED');
    expect(error.retryable).toBe(false);
    expect(rec.attempts).toHaveLength(1);
    await env().control.fault({ target: 'partnerCenter', kind: 'mfaRequired', times: 1 });
    expect(((await failure(client.integrations.listAdoption(context()))) as AppError).code).toBe('PC_MFA_REQUIRED');
  });

  it('when the body is malformed, then PC_BAD_RESPONSE', async () => {
    await env().control.fault({ target: 'partnerCenter', kind: 'malformed', times: 1 });
    const error = (await failure(client.integrations.listPartnerRequests(context()))) as AppError;
    expect(error.code).toBe('PC_BAD_RESPONSE');
  });

  it('when the probe runs with an MFA token, then Partner Center says isMfaCompliant true; without MFA the probe fails with 900421', async () => {
    const probe = await client.integrations.probe(context());
    expect([probe.status, probe.isMfaCompliant]).toEqual([200, true]);
    const log = await env().control.requests('partnerCenter');
    expect(log.at(-1)?.headers['validatemfa']).toBe('true');
    const noMfa = await env().control.mintToken({ audience: 'partnerCenter', mfa: false });
    const error = (await failure(client.integrations.probe({ correlationId: 'c', accessToken: noMfa }))) as AppError;
    expect(error.code).toBe('PC_MFA_REQUIRED');
    expect(error.details.isMfaCompliant).toBe(false);
  });
});
