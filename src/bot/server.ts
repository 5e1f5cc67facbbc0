import restify from 'restify';
import type { Application } from '@microsoft/teams-ai';
import type { AuthenticateRequestResult } from 'botframework-connector';
import type { Logger } from '../app/ports';
import { MAX_DOWNLOAD_TOKEN_CHARS } from '../app/download-links';
import { describeError } from '../domain/errors';
import { authFailure, type ShepherdAdapter } from './adapter';
import { registerExportRoute, type ExportsHandler } from './export-route';
import { loopbackGuard } from './host-guard';
import { validateActivity } from './incoming-activity';
import { jsonBody, refuse, type JsonBodyLimits } from './json-body';
import { registerDashboardRoutes, type DashboardRouteDeps } from './dashboard-routes';

export interface ServerOptions {
  adapter: ShepherdAdapter;
  app: Application;
  logger: Logger;
  /** Storage reachability for /readyz. */
  ready: () => Promise<void>;
  localMode: boolean;
  /** GET /exports/:token (signed CSV download links); the route is absent when not given. */
  exports?: ExportsHandler;
  /** Limits of the JSON body reader (defaults: DEFAULT_JSON_BODY_LIMITS). */
  bodyLimits?: Partial<JsonBodyLimits>;
  /** The Compliance tab (/tab/) and its API (/api/dashboard/); absent when not given. */
  dashboard?: DashboardRouteDeps;
}

/** Node's own backstop for a whole request (headers and body); the body reader's deadline comes first. */
const REQUEST_TIMEOUT_MS = 30_000;

/**
 * HTTP entry points: POST /api/messages, GET /healthz (process up), GET /readyz (storage
 * reachable) and, when `exports` is given, GET /exports/:token (see export-route.ts).
 *
 * Every POST body goes through `jsonBody` (JSON only, size and time limits, no temp files, no
 * decompression). In local mode (no BOT_ID) every route first checks that the request names a
 * loopback Host (DNS rebinding) and comes from no foreign web page (host-guard.ts).
 * /api/messages then authenticates (401 refused, 503 signing keys unreachable) before a turn runs.
 * No request error leaves a route: each answers a status with a stable code, never raw error text.
 */
export function createHttpServer(options: ServerOptions): restify.Server {
  // The router refuses (404) a path parameter over 100 characters by default; a download token is longer.
  const server = restify.createServer({ name: 'mfa-shepherd', handleUncaughtExceptions: false, maxParamLength: MAX_DOWNLOAD_TOKEN_CHARS });
  server.server.requestTimeout = REQUEST_TIMEOUT_MS;
  if (options.localMode) server.pre(loopbackGuard(options.logger));

  server.post('/api/messages', jsonBody(options.bodyLimits), async (req, res) => {
    const activity = req.body as Record<string, unknown>;
    const invalid = validateActivity(activity);
    if (invalid !== undefined) {
      refuse(res, invalid);
      return;
    }
    const header = req.headers.authorization;
    let auth: AuthenticateRequestResult;
    try {
      auth = await options.adapter.authenticate(activity, typeof header === 'string' ? header : '');
    } catch (error) {
      const failure = authFailure(error);
      options.logger.warn({ err: describeError(error), status: failure.status }, '/api/messages: request not authenticated');
      if (failure.status === 503) res.header('Retry-After', '30');
      refuse(res, { ...failure, message: failure.status === 503 ? 'The signing keys could not be checked; try again later.' : 'The request is not authorized.' });
      return;
    }
    try {
      const invokeResponse = await options.adapter.runTurn(auth, activity, async (context) => {
        await options.app.run(context);
      });
      res.status(invokeResponse?.status ?? 200);
      if (invokeResponse?.body !== undefined) res.json(invokeResponse.body);
      else res.end();
    } catch (error) {
      options.logger.error({ err: describeError(error) }, '/api/messages failed');
      if (!res.headersSent) {
        res.status(500);
        res.json({ code: 'UNEXPECTED', message: 'The bot could not process this activity.' });
      }
    }
  });

  server.get('/healthz', (_req, res, next) => {
    res.json({ status: 'ok', localMode: options.localMode });
    next();
  });

  // Anyone may ask: the answer says ready or not, never why (the log has the cause).
  server.get('/readyz', async (_req, res) => {
    try {
      await options.ready();
      res.json({ status: 'ready' });
    } catch (error) {
      options.logger.warn({ err: describeError(error) }, '/readyz: not ready');
      res.status(503);
      res.json({ status: 'not ready', code: 'NOT_READY' });
    }
  });

  if (options.exports !== undefined) registerExportRoute(server, options.exports, options.logger);
  if (options.dashboard !== undefined) registerDashboardRoutes(server, options.dashboard);

  return server;
}

export function listen(server: restify.Server, port: number, host: string): Promise<{ port: number; url: string }> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.removeListener('error', reject);
      const address = server.address();
      resolve({ port: address.port, url: `http://${host}:${address.port}` });
    });
  });
}

export function closeServer(server: restify.Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
  });
}
