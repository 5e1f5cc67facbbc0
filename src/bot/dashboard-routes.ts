import { readFile, realpath } from 'node:fs/promises';
import path from 'node:path';
import type restify from 'restify';
import type { Dashboard, PrincipalQuery } from '../app/dashboard';
import { SORT_KEYS } from '../app/dashboard';
import type { DashboardActions } from '../app/dashboard-actions';
import type { RecordAdminAction } from '../app/admin-audit';
import type { Logger } from '../app/ports';
import type { Roles } from '../app/roles';
import { isAdmin } from '../domain/authorization';
import { AppError, describeError, ErrorCodes, isAppError } from '../domain/errors';
import { jsonBody as readJsonBody } from './json-body';
import type { ExceptionStatus } from '../domain/exception';
import type { TabIdentity, ValidateTabToken } from './tab-auth';

/**
 * The Compliance tab: its static page under /tab/ and its JSON API under /api/dashboard/. Every
 * API call carries the tab's SSO token (validated by `validate`); admin routes answer 403 to
 * everyone else, who may only read their own status (`/me`).
 */

export interface DashboardRouteDeps {
  validate: ValidateTabToken;
  roles: Pick<Roles, 'admins' | 'approvers' | 'refresh'>;
  dashboard: Dashboard;
  actions: DashboardActions;
  audit: RecordAdminAction;
  logger: Logger;
  /** The built page (vite's output). */
  staticDir: string;
  localMode: boolean;
  /** Local mode only: get a tab token for a user from the sandbox's Entra stand-in (the dev sign-in). */
  devToken?: (oid: string) => Promise<string>;
  /** Where users set up MFA (MFA_SETUP_URL), shown with their own status. */
  mfaSetupUrl: string;
  /** Local mode: the user the dev sign-in picks when the page does not name one (PLAYGROUND_USER). */
  devUser?: string;
}

const EXCEPTION_STATUSES: readonly ExceptionStatus[] = ['draft', 'inReview', 'changesRequested', 'approved', 'rejected', 'withdrawn', 'submittedToMicrosoft', 'granted', 'denied'];
const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.map': 'application/json; charset=utf-8',
};
const NO_STORE = { 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff' };
/** Teams (web, desktop, the new Outlook/M365 hosts) frames the tab; nobody else may. */
const FRAME_ANCESTORS = "'self' https://teams.microsoft.com https://*.teams.microsoft.com https://*.cloud.microsoft https://*.office.com https://outlook.office.com https://*.microsoft365.com";

function bad(message: string): AppError {
  return new AppError(ErrorCodes.InputInvalid, message, { status: 400 });
}

function status(error: unknown): number {
  if (!isAppError(error)) return 500;
  switch (error.code) {
    case ErrorCodes.Unauthenticated:
      return 401;
    case ErrorCodes.NotAdmin:
      return 403;
    case ErrorCodes.InputInvalid:
      return 400;
    case ErrorCodes.NotFound:
    case ErrorCodes.StorageNotFound:
      return 404;
    case ErrorCodes.StorageConflict:
      return 409;
    default:
      return error.retryable || error.code.startsWith('STORAGE_') || error.code === ErrorCodes.IdentityUnavailable ? 503 : 500;
  }
}

function query(req: restify.Request): URLSearchParams {
  return new URL(req.url ?? '/', 'http://localhost').searchParams;
}

function oneOf<T extends string>(params: URLSearchParams, name: string, allowed: readonly T[]): T | undefined {
  const value = params.get(name);
  if (value === null || value === '') return undefined;
  if (!(allowed as readonly string[]).includes(value)) throw bad(`${name} must be one of ${allowed.join(', ')}`);
  return value as T;
}

function yesNo(params: URLSearchParams, name: string): boolean | undefined {
  const value = oneOf(params, name, ['yes', 'no'] as const);
  return value === undefined ? undefined : value === 'yes';
}

function positiveInt(params: URLSearchParams, name: string, max: number): number | undefined {
  const value = params.get(name);
  if (value === null || value === '') return undefined;
  if (!/^\d{1,6}$/.test(value) || Number(value) < 1 || Number(value) > max) throw bad(`${name} must be a whole number from 1 to ${max}`);
  return Number(value);
}

export function principalQuery(params: URLSearchParams): PrincipalQuery {
  const search = params.get('q') ?? undefined;
  if (search !== undefined && search.length > 200) throw bad('q is at most 200 characters');
  const exception = oneOf(params, 'exception', ['any', 'none', ...EXCEPTION_STATUSES] as const);
  return {
    status: oneOf(params, 'status', ['nonCompliant', 'verificationPending', 'compliant', 'open'] as const),
    reachable: yesNo(params, 'reachable'),
    excluded: yesNo(params, 'excluded'),
    ...(exception ? { exception } : {}),
    ...(search ? { search } : {}),
    sort: oneOf(params, 'sort', SORT_KEYS),
    descending: oneOf(params, 'dir', ['asc', 'desc'] as const) === undefined ? undefined : params.get('dir') === 'desc',
    page: positiveInt(params, 'page', 100_000),
    pageSize: positiveInt(params, 'pageSize', 200),
  };
}

/** The JSON body the edge's reader (readJsonBody) parsed; also takes a string or a Buffer. */
function bodyObject(req: restify.Request): Record<string, unknown> {
  const raw: unknown = req.body;
  let value: unknown = raw;
  if (typeof raw === 'string' || Buffer.isBuffer(raw)) {
    try {
      value = JSON.parse(raw.toString());
    } catch {
      throw bad('The body is not valid JSON.');
    }
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw bad('The body must be a JSON object.');
  return value as Record<string, unknown>;
}

function stringList(body: Record<string, unknown>, name: string): string[] {
  const value = body[name];
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string' || v.length > 100)) throw bad(`${name} must be a list of object ids`);
  return value as string[];
}

function sendJson(res: restify.Response, code: number, value: unknown): void {
  res.sendRaw(code, JSON.stringify(value), { ...NO_STORE, 'Content-Type': 'application/json; charset=utf-8' });
}

function sendCsv(res: restify.Response, file: { filename: string; csv: string }): void {
  const filename = file.filename.replace(/[^A-Za-z0-9._-]/g, '_');
  res.sendRaw(200, file.csv, { ...NO_STORE, 'Content-Type': 'text/csv; charset=utf-8', 'Content-Disposition': `attachment; filename="${filename}"` });
}

export function registerDashboardRoutes(server: restify.Server, deps: DashboardRouteDeps): void {
  const { logger } = deps;

  type Handler = (req: restify.Request, res: restify.Response, who: TabIdentity) => Promise<void>;

  /** Authenticate, authorise, run; every failure becomes a JSON error with a stable code. */
  const route = (admin: boolean, handler: Handler) => async (req: restify.Request, res: restify.Response) => {
    try {
      const who = await deps.validate(req.header('authorization'));
      if (admin && !isAdmin(who.oid, deps.roles.admins)) {
        throw new AppError(ErrorCodes.NotAdmin, 'Only MFA Shepherd admins can see this. You can see your own status.', { status: 403 });
      }
      await handler(req, res, who);
    } catch (error) {
      const code = status(error);
      const { code: errorCode, message } = describeError(error);
      if (code >= 500) logger.error({ err: describeError(error), path: req.path() }, 'dashboard API failed');
      else logger.info({ code: errorCode, status: code, path: req.path() }, 'dashboard API refused');
      if (code === 401) res.header('WWW-Authenticate', 'Bearer error="invalid_token"');
      const details = isAppError(error) && error.details['fieldErrors'] !== undefined ? { fieldErrors: error.details['fieldErrors'] } : {};
      sendJson(res, code, { code: errorCode, message: code >= 500 && !isAppError(error) ? 'The dashboard could not answer. Try again later.' : message, ...details });
    }
  };

  server.get('/api/dashboard/me', route(false, async (_req, res, who) => {
    const me = await deps.dashboard.me(who.oid);
    sendJson(res, 200, { user: who, roles: { admin: isAdmin(who.oid, deps.roles.admins), approver: isAdmin(who.oid, deps.roles.approvers) }, links: { mfaSetup: deps.mfaSetupUrl }, ...me });
  }));

  server.get('/api/dashboard/summary', route(true, async (_req, res) => sendJson(res, 200, await deps.dashboard.summary())));

  server.get('/api/dashboard/principals', route(true, async (req, res, who) => {
    const params = query(req);
    const q = principalQuery(params);
    if (params.get('format') === 'csv') {
      sendCsv(res, await deps.dashboard.exportPrincipals(who.oid, q));
      return;
    }
    sendJson(res, 200, await deps.dashboard.principals(q));
  }));

  server.get('/api/dashboard/exceptions', route(true, async (_req, res) => sendJson(res, 200, { rows: await deps.dashboard.exceptionBoard() })));

  server.get('/api/dashboard/audit', route(true, async (req, res, who) => {
    const params = query(req);
    if (params.get('format') === 'csv') {
      sendCsv(res, await deps.dashboard.auditCsv(who.oid));
      return;
    }
    sendJson(res, 200, await deps.dashboard.audit(positiveInt(params, 'limit', 1000) ?? 200));
  }));

  server.post('/api/dashboard/actions/remind', readJsonBody(), route(true, async (req, res, who) => {
    sendJson(res, 200, await deps.actions.remindNow(who.oid, stringList(bodyObject(req), 'objectIds')));
  }));

  server.post('/api/dashboard/actions/exclude', readJsonBody(), route(true, async (req, res, who) => {
    const body = bodyObject(req);
    const reason = body['reason'];
    const until = typeof body['until'] === 'string' ? new Date(body['until']) : undefined;
    if (typeof reason !== 'string') throw bad('reason is required');
    if (until === undefined || Number.isNaN(until.getTime())) throw bad('until must be a date (ISO 8601)');
    sendJson(res, 200, await deps.actions.exclude(who.oid, stringList(body, 'objectIds'), reason, until));
  }));

  server.post('/api/dashboard/actions/end-exclusion', readJsonBody(), route(true, async (req, res, who) => {
    const objectId = bodyObject(req)['objectId'];
    if (typeof objectId !== 'string') throw bad('objectId is required');
    sendJson(res, 200, await deps.actions.endExclusion(who.oid, objectId));
  }));

  server.post('/api/dashboard/roles/refresh', route(true, async (_req, res, who) => {
    const report = await deps.roles.refresh();
    await deps.audit({ actorId: who.oid, action: 'roles.refresh', channel: 'tab', to: `${report.admins} admins, ${report.approvers} approvers`, ...(report.failed.length > 0 ? { note: `failed: ${report.failed.map((f) => `${f.groupId} ${f.code}`).join('; ')}` } : {}) });
    sendJson(res, 200, report);
  }));

  if (deps.localMode && deps.devToken) {
    const devToken = deps.devToken;
    // Local mode only (loopback, no Teams host): the page's dev sign-in.
    server.post('/tab/dev-token', readJsonBody(), async (req, res) => {
      try {
        const oid = bodyObject(req)['oid'];
        const user = typeof oid === 'string' && oid.trim() !== '' ? oid.trim() : deps.devUser;
        if (user === undefined) throw bad('oid is required');
        sendJson(res, 200, { token: await devToken(user) });
      } catch (error) {
        sendJson(res, status(error) === 500 ? 502 : status(error), describeError(error));
      }
    });
  }

  server.get('/tab/config.json', (_req, res, next) => {
    sendJson(res, 200, { localMode: deps.localMode, ...(deps.localMode && deps.devUser ? { devUser: deps.devUser } : {}) });
    next();
  });

  const root = path.resolve(deps.staticDir);
  const serveStatic = async (req: restify.Request, res: restify.Response) => {
    const rel = decodeURIComponent((req.path() ?? '/').replace(/^\/tab\/?/, '')) || 'index.html';
    const file = path.resolve(root, rel);
    const headers = { 'X-Content-Type-Options': 'nosniff', 'Content-Security-Policy': `frame-ancestors ${FRAME_ANCESTORS}` };
    try {
      if (!file.startsWith(root + path.sep)) throw bad('outside the tab');
      const real = await realpath(file);
      if (!real.startsWith((await realpath(root)) + path.sep)) throw bad('outside the tab');
      const body = await readFile(real);
      const type = CONTENT_TYPES[path.extname(real)] ?? 'application/octet-stream';
      // Hashed assets are immutable; the page itself is always fetched fresh.
      const cache = rel.startsWith('assets/') ? 'public, max-age=31536000, immutable' : 'no-cache';
      res.sendRaw(200, body, { ...headers, 'Content-Type': type, 'Cache-Control': cache });
    } catch (error) {
      const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
      if (missing && rel === 'index.html') logger.error({ staticDir: root }, 'the Compliance tab is not built: run npm run build');
      res.sendRaw(missing || isAppError(error) ? 404 : 500, missing ? 'Not found\n' : 'Not available\n', { ...headers, 'Content-Type': 'text/plain; charset=utf-8' });
    }
  };
  server.get('/tab', (req, res, next) => {
    res.redirect(301, '/tab/', next);
  });
  server.get('/tab/*', serveStatic);
}
