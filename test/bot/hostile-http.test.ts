import { readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { gzipSync, deflateSync, brotliCompressSync } from 'node:zlib';
import type { Application } from '@microsoft/teams-ai';
import { PARTNER_TENANT_ID, PLAYGROUND_USERS } from '../../sandbox';
import type { Logger } from '../../src/app/ports';
import type { ShepherdAdapter } from '../../src/bot/adapter';
import { closeServer, createHttpServer, listen } from '../../src/bot/server';
import type { TestUser } from '../support/activities';
import { startBotHarness, type BotHarness } from '../support/bot-harness';
import { healthy, rawRequest, storedRows, type RawRequest } from '../support/edge-probe';

/**
 * The HTTP edge against the real server in local mode (no incoming auth, so the body reader and
 * the Host guard are all that stand between a hostile request and a turn). Every case gets a
 * clear 4xx with a stable code, and afterwards the process still answers /healthz, nothing was
 * sent to the connector and no row was stored.
 */

const [alexUser] = PLAYGROUND_USERS;
const ALEX: TestUser = { aadObjectId: alexUser.objectId, name: alexUser.displayName, tenantId: PARTNER_TENANT_ID };
const BODY_TIMEOUT_MS = 300;
const MAX_BYTES = 1024 * 1024;

const uploads = () => readdirSync(tmpdir()).filter((name) => name.startsWith('upload_'));

function nested(depth: number): string {
  return `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
}

/** An object as a form body with bracketed keys (conversation[id]=…), as qs-style form readers nest them back. */
function formEncode(value: Record<string, unknown>): string {
  const pairs: string[] = [];
  const walk = (prefix: string, v: unknown) => {
    if (v === undefined || v === null) return;
    if (typeof v === 'object') {
      for (const [k, child] of Object.entries(v)) walk(prefix === '' ? k : `${prefix}[${k}]`, child);
      return;
    }
    if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') pairs.push(`${encodeURIComponent(prefix)}=${encodeURIComponent(String(v))}`);
  };
  walk('', value);
  return pairs.join('&');
}

function multipart(activity: object, padding: number): { body: Buffer; type: string } {
  const boundary = '----shepherd-hostile';
  const body = Buffer.concat([
    Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="activity"\r\n\r\n${JSON.stringify(activity)}\r\n`),
    Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.bin"\r\nContent-Type: application/octet-stream\r\n\r\n`),
    Buffer.alloc(padding, 0x61),
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ]);
  return { body, type: `multipart/form-data; boundary=${boundary}` };
}

describe('hostile HTTP against /api/messages (local mode)', () => {
  let h: BotHarness;
  beforeAll(async () => {
    h = await startBotHarness({ overrides: { bodyLimits: { timeoutMs: BODY_TIMEOUT_MS } } });
  });
  afterAll(async () => {
    await h.stop();
  });

  const activity = () => h.a.message(ALEX, 'status');
  const json = () => JSON.stringify(activity());

  type Case = [string, () => RawRequest, number, string];
  const cases: Case[] = [
    // Content encodings: refused, never decoded (finding: a non-gzip body marked gzip killed the process).
    ['a body marked gzip that is not gzip', () => ({ headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' }, body: json() }), 415, 'ENCODING_NOT_ACCEPTED'],
    ['a real gzip body', () => ({ headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' }, body: gzipSync(json()) }), 415, 'ENCODING_NOT_ACCEPTED'],
    ['a gzip bomb (10 MB of zeros in a few kB)', () => ({ headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' }, body: gzipSync(Buffer.alloc(10 * MAX_BYTES)) }), 415, 'ENCODING_NOT_ACCEPTED'],
    ['a deflate body', () => ({ headers: { 'content-type': 'application/json', 'content-encoding': 'deflate' }, body: deflateSync(json()) }), 415, 'ENCODING_NOT_ACCEPTED'],
    ['a brotli body', () => ({ headers: { 'content-type': 'application/json', 'content-encoding': 'br' }, body: brotliCompressSync(json()) }), 415, 'ENCODING_NOT_ACCEPTED'],
    ['an unknown encoding', () => ({ headers: { 'content-type': 'application/json', 'content-encoding': 'x-shepherd' }, body: json() }), 415, 'ENCODING_NOT_ACCEPTED'],
    // Content types: JSON only (finding: a form post was processed in local mode).
    [
      'a form post (what any web page can make a browser send)',
      () => ({ headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: formEncode(activity()) }),
      415,
      'UNSUPPORTED_MEDIA_TYPE',
    ],
    ['a small multipart post', () => ({ headers: { 'content-type': multipart(activity(), 10).type }, body: multipart(activity(), 10).body }), 415, 'UNSUPPORTED_MEDIA_TYPE'],
    ['JSON sent as text/plain (a "simple" cross-site request)', () => ({ headers: { 'content-type': 'text/plain' }, body: json() }), 415, 'UNSUPPORTED_MEDIA_TYPE'],
    ['JSON without a content type', () => ({ headers: {}, body: json() }), 415, 'UNSUPPORTED_MEDIA_TYPE'],
    ['application/json with a non-UTF-8 charset', () => ({ headers: { 'content-type': 'application/json; charset=iso-8859-1' }, body: json() }), 415, 'UNSUPPORTED_MEDIA_TYPE'],
    ['application/xml', () => ({ headers: { 'content-type': 'application/xml' }, body: '<activity type="message"/>' }), 415, 'UNSUPPORTED_MEDIA_TYPE'],
    ['application/octet-stream', () => ({ headers: { 'content-type': 'application/octet-stream' }, body: Buffer.from(json()) }), 415, 'UNSUPPORTED_MEDIA_TYPE'],
    // Sizes: one limit, declared or counted.
    [
      'a JSON body over the limit (Content-Length)',
      () => ({ headers: { 'content-type': 'application/json' }, body: JSON.stringify({ ...activity(), text: 'x'.repeat(MAX_BYTES) }) }),
      413,
      'BODY_TOO_LARGE',
    ],
    [
      'a chunked JSON body over the limit (no Content-Length)',
      () => ({ headers: { 'content-type': 'application/json', 'transfer-encoding': 'chunked' }, body: JSON.stringify({ ...activity(), text: 'x'.repeat(2 * MAX_BYTES) }) }),
      413,
      'BODY_TOO_LARGE',
    ],
    // Malformed JSON.
    ['JSON nested 100 000 levels deep', () => ({ headers: { 'content-type': 'application/json' }, body: nested(100_000) }), 400, 'INVALID_JSON'],
    ['JSON nested 65 levels deep (one past the limit)', () => ({ headers: { 'content-type': 'application/json' }, body: nested(65) }), 400, 'INVALID_JSON'],
    ['a truncated JSON body', () => ({ headers: { 'content-type': 'application/json' }, body: json().slice(0, 40) }), 400, 'INVALID_JSON'],
    ['an empty body', () => ({ headers: { 'content-type': 'application/json' }, body: '' }), 400, 'INVALID_JSON'],
    ['a JSON array', () => ({ headers: { 'content-type': 'application/json' }, body: `[${json()}]` }), 400, 'INVALID_JSON'],
    ['a JSON string', () => ({ headers: { 'content-type': 'application/json' }, body: '"message"' }), 400, 'INVALID_JSON'],
    ['a body that is not UTF-8', () => ({ headers: { 'content-type': 'application/json' }, body: Buffer.concat([Buffer.from('{"type":"message","text":"'), Buffer.from([0xff, 0xfe]), Buffer.from('"}')]) }), 400, 'INVALID_JSON'],
    ['a __proto__ key', () => ({ headers: { 'content-type': 'application/json' }, body: json().replace('{', '{"__proto__":{"isAdmin":true},') }), 400, 'INVALID_JSON'],
    // JSON, but not an activity.
    ['an activity without a type', () => ({ headers: { 'content-type': 'application/json' }, body: JSON.stringify({ ...activity(), type: undefined }) }), 400, 'ACTIVITY_INVALID'],
    ['an activity whose type is a number', () => ({ headers: { 'content-type': 'application/json' }, body: JSON.stringify({ ...activity(), type: 5 }) }), 400, 'ACTIVITY_INVALID'],
    ['an activity whose serviceUrl is javascript:', () => ({ headers: { 'content-type': 'application/json' }, body: JSON.stringify({ ...activity(), serviceUrl: 'javascript:alert(1)' }) }), 400, 'ACTIVITY_INVALID'],
    ['an activity without a conversation', () => ({ headers: { 'content-type': 'application/json' }, body: JSON.stringify({ ...activity(), conversation: null }) }), 400, 'ACTIVITY_INVALID'],
    ['an activity whose timestamp is not a date', () => ({ headers: { 'content-type': 'application/json' }, body: JSON.stringify({ ...activity(), timestamp: 'yesterday-ish' }) }), 400, 'ACTIVITY_INVALID'],
    // Host and Origin (local mode: DNS rebinding, cross-site pages).
    ['a Host that is not loopback (DNS rebinding)', () => ({ headers: { 'content-type': 'application/json', host: `rebind.attacker.example:${new URL(h.url).port}` }, body: json() }), 421, 'HOST_NOT_ALLOWED'],
    ['a loopback Host on another port', () => ({ headers: { 'content-type': 'application/json', host: '127.0.0.1:1' }, body: json() }), 421, 'HOST_NOT_ALLOWED'],
    ['a loopback Host without the port', () => ({ headers: { 'content-type': 'application/json', host: 'localhost' }, body: json() }), 421, 'HOST_NOT_ALLOWED'],
    ['a Host that is an address of another machine', () => ({ headers: { 'content-type': 'application/json', host: `10.0.0.1:${new URL(h.url).port}` }, body: json() }), 421, 'HOST_NOT_ALLOWED'],
    ['a Host with junk in it', () => ({ headers: { 'content-type': 'application/json', host: `127.0.0.1:${new URL(h.url).port}@attacker.example` }, body: json() }), 421, 'HOST_NOT_ALLOWED'],
    ['a request from a page on another origin', () => ({ headers: { 'content-type': 'application/json', origin: 'https://attacker.example' }, body: json() }), 403, 'ORIGIN_NOT_ALLOWED'],
    ['a request from an opaque origin (sandboxed frame, file://)', () => ({ headers: { 'content-type': 'application/json', origin: 'null' }, body: json() }), 403, 'ORIGIN_NOT_ALLOWED'],
    ['a GET /healthz for a rebinding Host', () => ({ method: 'GET', path: '/healthz', headers: { host: `rebind.attacker.example:${new URL(h.url).port}` } }), 421, 'HOST_NOT_ALLOWED'],
    ['a GET /readyz for a rebinding Host', () => ({ method: 'GET', path: '/readyz', headers: { host: `rebind.attacker.example:${new URL(h.url).port}` } }), 421, 'HOST_NOT_ALLOWED'],
    // A slow client: the body never finishes.
    ['a body that stops half way', () => ({ headers: { 'content-type': 'application/json', 'content-length': String(json().length) }, stallAfter: json().slice(0, 30) }), 408, 'BODY_TIMEOUT'],
    ['a chunked body that never ends', () => ({ headers: { 'content-type': 'application/json', 'transfer-encoding': 'chunked' }, stallAfter: json().slice(0, 30) }), 408, 'BODY_TIMEOUT'],
  ];

  const titled = cases.map(([what, request, status, code]) => [what, status, code, request] as const);
  it.each(titled)('when the request is %s, then the answer is %i %s and nothing is sent or stored', async (_what, status, code, request) => {
    const before = await storedRows(h);

    const response = await rawRequest(h.url, request());
    await h.settle();

    expect({ status: response.status, code: response.json?.code }).toEqual({ status, code });
    expect(response.text).not.toMatch(/Error|at \/|node_modules/); // no stack or raw error text
    expect(await healthy(h.url)).toBe(true);
    expect(h.connector.sent).toHaveLength(0);
    expect(await storedRows(h)).toEqual(before);
  });

  it('when an 8 MB multipart upload arrives, then it is refused with 415 before it is read and no temp file is written', async () => {
    const before = uploads();
    const { body, type } = multipart(activity(), 8 * MAX_BYTES);

    const response = await rawRequest(h.url, { headers: { 'content-type': type }, body });

    expect({ status: response.status, code: response.json?.code }).toEqual({ status: 415, code: 'UNSUPPORTED_MEDIA_TYPE' });
    expect(uploads().filter((name) => !before.includes(name))).toEqual([]);
    expect(await healthy(h.url)).toBe(true);
    expect(h.connector.sent).toHaveLength(0);
  });

  it('when a refused request is followed by a good one on loopback names, then the good one is served (the guard is no blanket refusal)', async () => {
    const port = new URL(h.url).port;
    for (const name of [`localhost:${port}`, `127.0.0.1:${port}`, `[::1]:${port}`, `LOCALHOST:${port}`]) {
      h.connector.clear();
      const response = await rawRequest(h.url, { headers: { 'content-type': 'application/json; charset=utf-8', host: name, origin: `http://localhost:${port}` }, body: json() });
      await h.settle();
      expect([name, response.status]).toEqual([name, 200]);
      expect(h.connector.sent.length).toBeGreaterThan(0);
    }
  });
});

describe('GET /readyz when storage is down', () => {
  const logged: Array<Record<string, unknown>> = [];
  const logger: Logger = { debug: () => undefined, info: () => undefined, warn: (obj) => logged.push(obj), error: (obj) => logged.push(obj) };

  it('when the readiness check fails, then the answer is a generic 503 NOT_READY and the cause goes to the log only', async () => {
    const server = createHttpServer({
      adapter: {} as ShepherdAdapter,
      app: {} as Application,
      logger,
      localMode: true,
      ready: () => Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:10002 (table shepherdabc, account devstoreaccount1)')),
    });
    const { url } = await listen(server, 0, '127.0.0.1');
    try {
      const response = await fetch(`${url}/readyz`);
      const text = await response.text();

      expect(response.status).toBe(503);
      expect(JSON.parse(text)).toEqual({ status: 'not ready', code: 'NOT_READY' });
      expect(text).not.toMatch(/ECONNREFUSED|10002|shepherd|devstoreaccount/);
      expect(JSON.stringify(logged)).toMatch(/ECONNREFUSED/);
    } finally {
      await closeServer(server);
    }
  });
});
