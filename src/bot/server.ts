import restify from 'restify';
import type { Application } from '@microsoft/teams-ai';
import type { TeamsAdapter } from '@microsoft/teams-ai';
import type { Logger } from '../app/ports';
import { MAX_DOWNLOAD_TOKEN_CHARS } from '../app/download-links';
import { describeError } from '../domain/errors';
import { registerExportRoute, type ExportsHandler } from './export-route';
import { registerDashboardRoutes, type DashboardRouteDeps } from './dashboard-routes';

export interface ServerOptions {
  adapter: TeamsAdapter;
  app: Application;
  logger: Logger;
  /** Storage reachability for /readyz. */
  ready: () => Promise<void>;
  localMode: boolean;
  /** GET /exports/:token (signed CSV download links); the route is absent when not given. */
  exports?: ExportsHandler;
  /** The Compliance tab (/tab/) and its API (/api/dashboard/); absent when not given. */
  dashboard?: DashboardRouteDeps;
}

/**
 * HTTP entry points: POST /api/messages (validated by botbuilder when BOT_ID is set: an unsigned
 * request gets 401), GET /healthz (process up), GET /readyz (storage reachable) and, when
 * `exports` is given, GET /exports/:token (see export-route.ts).
 */
export function createHttpServer(options: ServerOptions): restify.Server {
  // The router refuses (404) a path parameter over 100 characters by default; a download token is longer.
  const server = restify.createServer({ name: 'mfa-shepherd', handleUncaughtExceptions: false, maxParamLength: MAX_DOWNLOAD_TOKEN_CHARS });
  server.use(restify.plugins.bodyParser({ maxBodySize: 1024 * 1024, mapParams: false }));

  server.post('/api/messages', async (req, res) => {
    try {
      await options.adapter.process(req, res, async (context) => {
        await options.app.run(context);
      });
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

  server.get('/readyz', async (_req, res) => {
    try {
      await options.ready();
      res.json({ status: 'ready' });
    } catch (error) {
      const { code, message } = describeError(error);
      res.status(503);
      res.json({ status: 'not ready', code, message });
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
