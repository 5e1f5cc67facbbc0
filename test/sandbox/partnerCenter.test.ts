import {
  LOGIN_TIME_FIELD,
  PARTNER_TENANT_ID,
  PLAYGROUND_USER_ID,
  REQUEST_TIME_FIELD,
  startSandbox,
  type RawRecord,
  type SandboxHandle,
} from '../../sandbox';
import { getJson, http } from './helpers';

interface Envelope {
  totalCount: number;
  items: RawRecord[];
  links: { next?: { uri: string; method: string; headers: { key: string; value: string }[] } };
  attributes: { objectType: string };
}

const NOW = new Date('2026-11-21T12:00:00.000Z');
const PATH = '/pc/v1/nonMfaCompliantPartnerPrincipals';

describe('sandbox Partner Center', () => {
  let sandbox: SandboxHandle;
  let mfaToken: string;

  beforeAll(async () => {
    sandbox = await startSandbox({ now: () => NOW });
    mfaToken = sandbox.control.mintToken({ audience: 'partnerCenter', mfa: true });
  });
  afterAll(async () => {
    await sandbox.stop();
  });
  beforeEach(() => sandbox.control.reset());

  const auth = (token = mfaToken): Record<string, string> => ({ authorization: `Bearer ${token}` });

  async function readAll(path = PATH): Promise<{ pages: Envelope[]; items: RawRecord[] }> {
    const pages: Envelope[] = [];
    let headers = auth();
    let url = `${sandbox.url}${path}`;
    for (;;) {
      const page = await getJson<Envelope>(url, headers);
      expect(page.status).toBe(200);
      pages.push(page.body);
      const next = page.body.links.next;
      if (next === undefined) break;
      url = `${sandbox.url}/pc${next.uri}`;
      headers = { ...auth(), ...Object.fromEntries(next.headers.map((h) => [h.key, h.value])) };
    }
    return { pages, items: pages.flatMap((p) => p.items) };
  }

  it('when called with an MFA token, then it answers the collection envelope with the seed: mixed field names, times without zone, the Playground user ~2 hours old', async () => {
    const { pages, items } = await readAll();

    expect(pages).toHaveLength(1);
    expect(pages[0]?.attributes).toEqual({ objectType: 'Collection' });
    expect(pages[0]?.totalCount).toBe(items.length);
    expect(items.some((i) => LOGIN_TIME_FIELD in i)).toBe(true);
    expect(items.some((i) => REQUEST_TIME_FIELD in i)).toBe(true);
    for (const item of items) {
      expect(item['tenantId']).toBe(PARTNER_TENANT_ID);
      const time = String(item[LOGIN_TIME_FIELD] ?? item[REQUEST_TIME_FIELD]);
      expect(time).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}$/);
    }
    const principals = new Set(items.map((i) => i['objectId']));
    expect(principals.size).toBeGreaterThanOrEqual(30);
    const alex = items.filter((i) => i['objectId'] === PLAYGROUND_USER_ID);
    expect(alex[0]?.['upn']).toBe('alexw@example.com');
    const alexLatest = Math.max(...alex.map((i) => Date.parse(`${String(i[LOGIN_TIME_FIELD] ?? i[REQUEST_TIME_FIELD])}Z`)));
    expect(NOW.getTime() - alexLatest).toBeGreaterThanOrEqual(2 * 3600_000);
    expect(NOW.getTime() - alexLatest).toBeLessThan(2.1 * 3600_000);
  });

  it('when records are older than 7 days, then they are not returned', async () => {
    const { items } = await readAll();
    const stored = sandbox.control.records();

    expect(stored.length).toBeGreaterThan(items.length);
    expect(items.some((i) => String(i['upn']).startsWith('svc-legacy@'))).toBe(false);
  });

  it('when there are more records than a page, then links.next carries MS-ContinuationToken and the pages add up to every record, most recent first', async () => {
    sandbox.control.configure({ pageSize: 50 });
    const expected = (await readAll()).items.length;
    sandbox.control.configure({ pageSize: 7 });

    const { pages, items } = await readAll('/pc/pcapi/v1/nonMfaCompliantPartnerPrincipals');

    expect(pages.length).toBe(Math.ceil(expected / 7));
    expect(items).toHaveLength(expected);
    expect(pages[0]?.totalCount).toBe(7);
    expect(pages[0]?.links.next?.method).toBe('GET');
    expect(pages[0]?.links.next?.uri).toMatch(/^\/pcapi\/v1\/nonMfaCompliantPartnerPrincipals/);
    expect(pages[0]?.links.next?.headers[0]?.key).toBe('MS-ContinuationToken');
    const times = items.map((i) => Date.parse(`${String(i[LOGIN_TIME_FIELD] ?? i[REQUEST_TIME_FIELD])}Z`));
    expect([...times].sort((a, b) => b - a)).toEqual(times);
  });

  it('when more than 10,000 records exist, then only the most recent 10,000 are returned', async () => {
    sandbox.control.generate({ records: 10_050, principals: 800 });
    sandbox.control.configure({ pageSize: 5000 });

    const { pages, items } = await readAll();

    expect(pages).toHaveLength(2);
    expect(items).toHaveLength(10_000);
  });

  it('when the token has no MFA claim, then it answers 401 with code 900421 and a WWW-Authenticate naming MFA', async () => {
    const token = sandbox.control.mintToken({ audience: 'partnerCenter', mfa: false });

    const res = await getJson<{ code: number; description: string; source: string; data: unknown[] }>(`${sandbox.url}${PATH}`, auth(token));

    expect(res.status).toBe(401);
    expect(res.body).toMatchObject({ code: 900421, source: 'PartnerCenter', data: [] });
    expect(res.body.description).toMatch(/MFA required/);
    expect(res.headers.get('www-authenticate')).toMatch(/MFA/);
  });

  it('when the token is missing, unknown or for Graph, then it answers 401 without 900421', async () => {
    const graphToken = sandbox.control.mintToken({ audience: 'graph' });
    for (const headers of [{}, auth('forged.token.value'), auth(graphToken)]) {
      const res = await getJson<{ code: number; source: string }>(`${sandbox.url}${PATH}`, headers);
      expect(res.status).toBe(401);
      expect(res.body.code).not.toBe(900421);
      expect(res.body.source).toBe('PartnerCenter');
    }
  });

  it('when ValidateMfa: true is sent, then isMfaCompliant tells the token MFA state, and request ids are echoed', async () => {
    const headers = { ValidateMfa: 'true', 'MS-RequestId': 'req-1', 'MS-CorrelationId': 'corr-1' };

    const good = await http(`${sandbox.url}${PATH}`, { headers: { ...auth(), ...headers } });
    const bad = await http(`${sandbox.url}${PATH}`, { headers: { ...auth(sandbox.control.mintToken({ audience: 'partnerCenter', mfa: false })), ...headers } });

    expect(good.headers.get('isMfaCompliant')).toBe('true');
    expect(bad.headers.get('isMfaCompliant')).toBe('false');
    expect(good.headers.get('MS-RequestId')).toBe('req-1');
    expect(good.headers.get('MS-CorrelationId')).toBe('corr-1');
    const plain = await http(`${sandbox.url}${PATH}`, { headers: auth() });
    expect(plain.headers.get('isMfaCompliant')).toBeNull();
  });

  it('when requests arrive, then the request log keeps method, path, headers and sandbox time', async () => {
    await http(`${sandbox.url}${PATH}?x=1`, { headers: { ...auth(), 'MS-CorrelationId': 'corr-log' } });

    const [entry] = sandbox.control.requests('partnerCenter');
    expect(entry).toMatchObject({ method: 'GET', path: `${PATH}?x=1`, status: 200, time: NOW.toISOString(), target: 'partnerCenter' });
    expect(entry?.headers['ms-correlationid']).toBe('corr-log');
    expect(entry?.headers['authorization']).toBe(`Bearer ${mfaToken}`);
    const viaHttp = await getJson<unknown[]>(`${sandbox.url}/_sandbox/requests?target=partnerCenter`);
    expect(viaHttp.body).toHaveLength(1);
  });

  describe('faults', () => {
    it('when throttled twice, then two answers are 429 with Retry-After and the third is normal', async () => {
      sandbox.control.addFault({ target: 'partnerCenter', kind: 'throttle', times: 2, retryAfterSeconds: 3 });

      const statuses: (number | null)[] = [];
      for (let i = 0; i < 3; i++) {
        const res = await http(`${sandbox.url}${PATH}`, { headers: auth() });
        statuses.push(res.status);
        if (res.status === 429) expect(res.headers.get('retry-after')).toBe('3');
      }

      expect(statuses).toEqual([429, 429, 200]);
      expect(sandbox.control.state().faults).toEqual([]);
    });

    it('when a server error is set until cleared, then every answer is 500 with the generic body until the faults are cleared over HTTP', async () => {
      sandbox.control.addFault({ target: 'partnerCenter', kind: 'serverError' });

      for (let i = 0; i < 2; i++) {
        const res = await getJson<{ code: number; source: string; data: unknown[] }>(`${sandbox.url}${PATH}`, auth());
        expect(res.status).toBe(500);
        expect(res.body).toMatchObject({ source: 'PartnerCenter', data: [] });
      }
      expect((await http(`${sandbox.url}/_sandbox/faults`, { method: 'DELETE' })).status).toBe(204);
      expect((await http(`${sandbox.url}${PATH}`, { headers: auth() })).status).toBe(200);
    });

    it('when malformed, then the answer is 200 with a body that is not valid JSON', async () => {
      sandbox.control.addFault({ target: 'partnerCenter', kind: 'malformed', times: 1 });

      const res = await http(`${sandbox.url}${PATH}`, { headers: auth() });

      expect(res.status).toBe(200);
      expect(res.text.startsWith('{')).toBe(true);
      expect(() => JSON.parse(res.text) as unknown).toThrow(SyntaxError);
    });

    it('when mfaRequired, then even an MFA token gets 401/900421', async () => {
      sandbox.control.addFault({ target: 'partnerCenter', kind: 'mfaRequired', times: 1 });

      const res = await getJson<{ code: number }>(`${sandbox.url}${PATH}`, auth());

      expect(res.status).toBe(401);
      expect(res.body.code).toBe(900421);
    });

    it('when slow, then the answer is normal but comes after the delay (a client with a shorter timeout gives up)', async () => {
      sandbox.control.addFault({ target: 'partnerCenter', kind: 'slow', times: 1, delayMs: 30 });
      const delayed = await http(`${sandbox.url}${PATH}`, { headers: auth() });
      expect(delayed.status).toBe(200);
      expect(sandbox.control.requests('partnerCenter')[0]?.fault).toBe('slow');

      sandbox.control.addFault({ target: 'partnerCenter', kind: 'slow', times: 1, delayMs: 10_000 });
      await expect(http(`${sandbox.url}${PATH}`, { headers: auth(), signal: AbortSignal.timeout(200) })).rejects.toThrow();
    });

    it('when a fault kind does not fit the target, then the control API refuses it with 400', async () => {
      const res = await http(`${sandbox.url}/_sandbox/faults`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ target: 'partnerCenter', kind: 'nonPremium' }),
      });

      expect(res.status).toBe(400);
      expect(JSON.parse(res.text)).toMatchObject({ error: { code: 'fault_not_applicable' } });
    });
  });
});
