import type { Application } from '@microsoft/teams-ai';
import type { ShepherdAdapter } from '../../src/bot/adapter';
import type restify from 'restify';
import { createDownloadLinks } from '../../src/app/download-links';
import { auditCsv, exportFilename } from '../../src/app/exception-export';
import { FixedClock } from '../../src/domain/clock';
import { AppError, ErrorCodes } from '../../src/domain/errors';
import { closeServer, createHttpServer, listen } from '../../src/bot/server';
import { randomBytes } from 'node:crypto';
import { silentLogger } from '../support/silent-logger';

/**
 * GET /exports/:token over real HTTP. The exports function is the one compose would wire, minus
 * storage: real signed links, a real CSV, an admin check on the link's actor.
 */

const START = '2025-03-03T09:05:00.000Z';
const ADMINS = new Set(['admin-1']);

describe('GET /exports/:token', () => {
  const clock = new FixedClock(START);
  const links = createDownloadLinks({ encryptionKey: randomBytes(32), clock });
  let server: restify.Server;
  let base: string;
  let failWith: Error | undefined;

  beforeAll(async () => {
    server = createHttpServer({
      adapter: {} as ShepherdAdapter,
      app: {} as Application,
      logger: silentLogger,
      ready: async () => undefined,
      localMode: true,
      exports: async (token) => {
        const { kind, actor } = links.verify(token);
        if (!ADMINS.has(actor)) throw new AppError(ErrorCodes.NotAdmin, 'not an admin');
        if (failWith !== undefined) throw failWith;
        const csv = auditCsv([{ requestId: 'r1', at: clock.now(), actor, from: 'draft', to: 'inReview', action: 'submitForReview', comment: '=1+1' }]);
        return { filename: exportFilename(kind, clock.now()), csv };
      },
    });
    ({ url: base } = await listen(server, 0, '127.0.0.1'));
  });

  afterAll(async () => {
    await closeServer(server);
  });

  beforeEach(() => {
    clock.set(START);
    failWith = undefined;
  });

  it('when an admin follows a fresh link, then the CSV comes back as a UTF-8 attachment that is never cached', async () => {
    // The token is longer than restify's default 100-character limit for a path parameter.
    expect(links.sign('audit', 'admin-1').length).toBeGreaterThan(100);
    const response = await fetch(`${base}/exports/${links.sign('audit', 'admin-1')}`);
    const body = Buffer.from(await response.arrayBuffer());

    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(response.headers.get('content-disposition')).toBe('attachment; filename="mfa-shepherd-audit-20250303-0905.csv"');
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(body.subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
    expect(body.toString('utf8')).toContain(`\r\nr1,2025-03-03T09:05:00.000Z,admin-1,submitForReview,draft,inReview,'=1+1,,\r\n`);
  });

  it('when the link has expired, then 410 with a short plain-text explanation', async () => {
    const token = links.sign('requests', 'admin-1');
    clock.advance(15 * 60 * 1000);

    const response = await fetch(`${base}/exports/${token}`);

    expect(response.status).toBe(410);
    expect(response.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(await response.text()).toMatch(/expired/);
  });

  it('when the link was tampered with or is garbage, then 403 and no CSV', async () => {
    const token = links.sign('audit', 'admin-1');
    const tampered = `${token.slice(0, -2)}${token.endsWith('AA') ? 'BA' : 'AA'}`;

    for (const path of [tampered, 'garbage', `${'A'.repeat(1500)}.${'B'.repeat(43)}`]) {
      const response = await fetch(`${base}/exports/${path}`);
      expect(response.status).toBe(403);
      expect(await response.text()).toBe('This download link is not valid.\n');
    }
  });

  it('when the link was made for someone who is not an admin, then 403', async () => {
    const response = await fetch(`${base}/exports/${links.sign('audit', 'user-1')}`);

    expect(response.status).toBe(403);
    expect(await response.text()).toMatch(/admins/);
  });

  it('when building the export fails (storage down), then 500 with a plain-text message and no details', async () => {
    failWith = new AppError(ErrorCodes.StorageUnavailable, 'Storage listExceptionAudit on table tXExceptions: ECONNREFUSED');

    const response = await fetch(`${base}/exports/${links.sign('audit', 'admin-1')}`);
    const text = await response.text();

    expect(response.status).toBe(500);
    expect(text).not.toMatch(/ECONNREFUSED|table/);
  });

  it('when createHttpServer is given no exports function, then there is no export route', async () => {
    const bare = createHttpServer({ adapter: {} as ShepherdAdapter, app: {} as Application, logger: silentLogger, ready: async () => undefined, localMode: true });
    const { url } = await listen(bare, 0, '127.0.0.1');
    try {
      const response = await fetch(`${url}/exports/${links.sign('audit', 'admin-1')}`);
      expect(response.status).toBe(404);
    } finally {
      await closeServer(bare);
    }
  });
});
