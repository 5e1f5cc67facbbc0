import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { handleControl } from './controlRoutes';
import { createEntra } from './entra';
import { createGraph } from './graph';
import {
  BodyTooLargeError,
  flattenHeaders,
  html,
  json,
  readBody,
  redirect,
  writeReply,
  empty,
  type Reply,
  type SandboxRequest,
} from './http';
import { mfaSetupPage, overviewPage } from './pages';
import { createPartnerCenter } from './partnerCenter';
import type { SandboxState } from './state';
import { answerWithFaults, type TargetHandler } from './target';
import { SandboxError, type SandboxControl } from './types';

/** The one HTTP server: routes each request to a stand-in, the control API or a page. */

export interface RunningServer {
  server: Server;
  url: string;
  port: number;
  stop(): Promise<void>;
}

const MASKED_FORM_FIELDS = ['client_secret', 'client_assertion'];

function loggedBody(req: SandboxRequest): string | undefined {
  if (req.method === 'GET' || req.method === 'HEAD' || req.body === '') return undefined;
  if (!(req.headers['content-type'] ?? '').includes('application/x-www-form-urlencoded')) return req.body.slice(0, 8192);
  const form = new URLSearchParams(req.body);
  for (const field of MASKED_FORM_FIELDS) if (form.has(field)) form.set(field, '***');
  return form.toString().slice(0, 8192);
}

function underPrefix(path: string, prefix: string): boolean {
  const lower = path.toLowerCase();
  return lower === prefix || lower.startsWith(`${prefix}/`);
}

export async function startServer(input: { host: string; port: number; state: SandboxState; control: SandboxControl }): Promise<RunningServer> {
  const { state, control } = input;
  const targets: TargetHandler[] = [createPartnerCenter(state), createGraph(state), createEntra(state)];
  const stopping = new AbortController();
  let baseUrl = '';

  async function answerTarget(handler: TargetHandler, req: SandboxRequest): Promise<Reply> {
    const body = loggedBody(req);
    const entry = state.requestLog.add({
      target: handler.target,
      method: req.method,
      path: `${req.url.pathname}${req.url.search}`,
      headers: { ...req.headers },
      time: state.now().toISOString(),
      status: null,
      fault: null,
      ...(body === undefined ? {} : { body }),
    });
    const { reply, fault } = await answerWithFaults(handler, state, req);
    entry.status = reply.status;
    entry.fault = fault;
    return reply;
  }

  function mfaSetup(req: SandboxRequest): Reply {
    if (req.method === 'POST') {
      const objectId = new URLSearchParams(req.body).get('objectId') ?? '';
      const user = state.directory.find(objectId);
      if (user === undefined) return html(404, mfaSetupPage(state.directory.list(), undefined));
      const methods = [...new Set([...user.methods, 'microsoftAuthenticatorPush' as const])];
      control.setRegistration(user.objectId, { isMfaRegistered: true, methods });
      // Registering signs the user in with the new method: that sign-in carries MFA.
      control.addSignIn(user.objectId, { kind: 'mfa', app: 'My Signins', method: 'Mobile app notification' });
      return redirect(`/mfasetup?done=${encodeURIComponent(user.objectId)}`);
    }
    const done = req.url.searchParams.get('done');
    return html(200, mfaSetupPage(state.directory.list(), done === null ? undefined : state.directory.find(done)));
  }

  async function dispatch(req: SandboxRequest): Promise<Reply> {
    const handler = targets.find((t) => underPrefix(req.path, t.prefix));
    if (handler !== undefined) return answerTarget(handler, req);
    if (underPrefix(req.path, '/_sandbox')) return handleControl(control, req);
    if (req.path === '/' && req.method === 'GET') return html(200, overviewPage(control.state(), baseUrl));
    if (req.path === '/mfasetup' && (req.method === 'GET' || req.method === 'POST')) return mfaSetup(req);
    if (req.path === '/favicon.ico') return empty(204);
    return json(404, { error: { code: 'sandbox_route_not_found', message: `no route for ${req.method} ${req.path}` } });
  }

  async function onRequest(raw: IncomingMessage, res: ServerResponse): Promise<void> {
    let reply: Reply;
    try {
      const url = new URL(raw.url ?? '/', baseUrl);
      const req: SandboxRequest = {
        method: (raw.method ?? 'GET').toUpperCase(),
        url,
        path: url.pathname,
        headers: flattenHeaders(raw),
        body: await readBody(raw),
        baseUrl,
        signal: stopping.signal,
      };
      reply = await dispatch(req);
    } catch (err) {
      if (err instanceof BodyTooLargeError) reply = json(413, { error: { code: 'invalid_request', message: err.message } });
      else if (err instanceof SandboxError) reply = json(err.status, { error: { code: err.code, message: err.message } });
      else {
        console.error('[sandbox] unexpected error', err);
        reply = json(500, { error: { code: 'sandbox_internal_error', message: err instanceof Error ? err.message : String(err) } });
      }
    }
    if (!res.destroyed) writeReply(res, reply);
  }

  const server = createServer((req, res) => {
    void onRequest(req, res);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(input.port, input.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  baseUrl = `http://${input.host}:${port}`;

  let stopped: Promise<void> | undefined;
  return {
    server,
    url: baseUrl,
    port,
    stop(): Promise<void> {
      stopped ??= new Promise<void>((resolve, reject) => {
        stopping.abort();
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      });
      return stopped;
    },
  };
}
