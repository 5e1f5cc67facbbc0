import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { isBuiltin } from 'node:module';
import https from 'node:https';
import net, { type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { startAzurite, type AzuriteHandle } from '../../scripts/lib/azurite';
import { delay, nodeCommand, spawnChild, waitForLine, type Child, type ChildExit } from '../../scripts/lib/children';
import { startManagedIdentityEndpoint, type ManagedIdentityEndpoint } from '../support/managed-identity-endpoint';
import { makeLoopbackCert, type SelfSignedCert } from '../support/self-signed-cert';

/**
 * The production start, as App Service runs it: the compiled build (`npm run build`, then
 * `node dist/src/main.js`), BOT_TYPE=UserAssignedMSI, storage by account endpoints with no
 * connection string, and the real @azure/identity ManagedIdentityCredential getting its tokens from
 * a local stand-in of App Service's identity endpoint (IDENTITY_ENDPOINT / IDENTITY_HEADER, plain
 * http on loopback as in App Service).
 *
 * Storage is Azurite over https in its OAuth mode (`--oauth basic`: it checks each bearer token's
 * issuer, audience and lifetime), with a self-signed certificate the app trusts through
 * NODE_EXTRA_CA_CERTS. Nothing here is a double of our own code: if the token does not reach
 * storage, /readyz cannot say ready.
 *
 * The build goes to a private folder under .data/ (git-ignored, next to node_modules so the
 * compiled code resolves its dependencies), not to dist/: the test does not overwrite what a
 * developer may be about to deploy.
 */

const ROOT = resolve(__dirname, '..', '..');
const CLIENT_ID = '5b8f3c1e-7a2d-4c9e-9f10-2a3b4c5d6e7f';
const TENANT_ID = '0b5a3f27-9c1d-4e8b-a6f2-7d4c3b2a1908';
const STORAGE_RESOURCE = 'https://storage.azure.com';
/** Generous: a loaded 2-core machine compiles, starts and stops slowly; a pass never waits this long. */
const BUILD_TIMEOUT_MS = 8 * 60_000;
const START_TIMEOUT_MS = 3 * 60_000;
const STOP_TIMEOUT_MS = 2 * 60_000;

jest.setTimeout(START_TIMEOUT_MS + STOP_TIMEOUT_MS);

interface LogLine {
  level: number;
  msg: string;
  [key: string]: unknown;
}

/** The app's pino JSON lines (stdout); anything else (Node's warnings, stderr) is skipped. */
function logLines(child: Child): LogLine[] {
  return child
    .tail()
    .split('\n')
    .flatMap((line) => {
      if (!line.startsWith('{')) return [];
      try {
        return [JSON.parse(line) as LogLine];
      } catch {
        return [];
      }
    });
}

/** Polls until `check` returns a value (not undefined); fails with `what` only after the deadline. */
async function eventually<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: string | undefined;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      last = error instanceof Error ? error.message : JSON.stringify(error);
    }
    if (Date.now() > deadline) throw new Error(`${what}: not reached within ${timeoutMs / 1000} s${last ? ` (last error: ${last})` : ''}`);
    await delay(250);
  }
}

async function getJson(url: string): Promise<{ status: number; body: unknown }> {
  const response = await fetch(url, { signal: AbortSignal.timeout(20_000) });
  return { status: response.status, body: await response.json() };
}

/** An https GET without any credential, trusting only the test certificate. */
function anonymousStatus(url: string, cert: SelfSignedCert): Promise<number | undefined> {
  return new Promise((resolveStatus, reject) => {
    const request = https.get(url, { ca: readFileSync(cert.certPath), timeout: 20_000 }, (response) => {
      response.resume();
      resolveStatus(response.statusCode);
    });
    request.on('timeout', () => request.destroy(new Error(`no answer from ${url}`)));
    request.on('error', reject);
  });
}

/** `promise`'s value, or 'still running' after `ms` (the timer is cleared either way: no open handle). */
async function within<T>(promise: Promise<T>, ms: number): Promise<T | 'still running'> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'still running'>((resolveLate) => {
    timer = setTimeout(() => resolveLate('still running'), ms);
  });
  try {
    return await Promise.race([promise, late]);
  } finally {
    clearTimeout(timer);
  }
}

/** A loopback port nothing listens on (bound, then released). */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((ready) => server.listen(0, '127.0.0.1', ready));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((closed) => server.close(() => closed()));
  return port;
}

const run = promisify(execFile);

const workDir = mkdtempSync(join(tmpdir(), 'mfa-shepherd-production-start-'));
const buildDir = join(ROOT, '.data', `production-start-build-${randomBytes(4).toString('hex')}`);
const cert: SelfSignedCert = makeLoopbackCert(workDir);
let started: { azurite: AzuriteHandle; identity: ManagedIdentityEndpoint } | undefined;
const children: Child[] = [];

function rig(): { azurite: AzuriteHandle; identity: ManagedIdentityEndpoint } {
  if (started === undefined) throw new Error('the rig did not start (see beforeAll)');
  return started;
}

beforeAll(async () => {
  // The server half of `npm run build` (`build:server`: tsc -p tsconfig.build.json), only with another
  // output folder; the tab's static page (`build:tab`) is not needed to start.
  const build = run('npm', ['run', 'build:server', '--', '--outDir', buildDir], { cwd: ROOT, timeout: BUILD_TIMEOUT_MS, env: { ...process.env, NODE_OPTIONS: '' } });
  const [azurite, identity] = await Promise.all([
    startAzurite({ inMemory: true, tls: cert, oauth: 'basic' }),
    startManagedIdentityEndpoint({ clientId: CLIENT_ID, tenantId: TENANT_ID }),
  ]);
  started = { azurite, identity };
  await build;
}, BUILD_TIMEOUT_MS + 60_000);

afterAll(async () => {
  await Promise.all(children.map((child) => child.stop(5_000)));
  await started?.identity.close();
  await started?.azurite.stop();
  rmSync(buildDir, { recursive: true, force: true });
  rmSync(workDir, { recursive: true, force: true });
});

/**
 * The process App Service would start: only the environment it would give (our app settings from
 * infra/modules/webapp.bicep plus its identity variables), nothing inherited from the test run.
 * Every outbound URL points at a closed loopback port: nothing may leave the machine.
 */
function startApp(env: Record<string, string>): Child {
  const { azurite, identity } = rig();
  const nowhere = 'http://127.0.0.1:9';
  const child = spawnChild({
    name: 'mfa-shepherd',
    ...nodeCommand([join(buildDir, 'src', 'main.js')]),
    cwd: ROOT,
    silent: true,
    tailLines: 400,
    registry: null,
    env: {
      PATH: process.env['PATH'] ?? '',
      NODE_EXTRA_CA_CERTS: cert.certPath,
      NODE_ENV: 'production',
      RUNNING_ON_AZURE: '1',
      PORT: '0',
      BIND_HOST: '127.0.0.1',
      BOT_ID: CLIENT_ID,
      BOT_TENANT_ID: TENANT_ID,
      BOT_TYPE: 'UserAssignedMSI',
      MANAGED_IDENTITY_CLIENT_ID: CLIENT_ID,
      PUBLIC_BASE_URL: 'https://mfa-shepherd-test.azurewebsites.net',
      AZURE_STORAGE_ACCOUNT_NAME: 'devstoreaccount1',
      AZURE_STORAGE_TABLE_ENDPOINT: azurite.tableUrl,
      AZURE_STORAGE_QUEUE_ENDPOINT: azurite.queueUrl,
      STORAGE_TABLE_PREFIX: `prod${randomBytes(3).toString('hex')}`,
      TOKEN_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
      PARTNER_TENANT_ID: TENANT_ID,
      PARTNER_CENTER_BASE_URL: nowhere,
      GRAPH_BASE_URL: nowhere,
      TEAMS_SERVICE_URL: `${nowhere}/teams/`,
      LOG_LEVEL: 'info',
      IDENTITY_ENDPOINT: identity.url,
      IDENTITY_HEADER: identity.secret,
      ...env,
    },
  });
  children.push(child);
  return child;
}

describe('production start from the build, with the managed identity and Azurite over https with OAuth', () => {
  let app: Child;
  let url: string;

  beforeAll(async () => {
    app = startApp({});
    await waitForLine(app, /"msg":"MFA Shepherd is listening"/, { timeoutMs: START_TIMEOUT_MS, what: 'the listening log line' });
    const listening = logLines(app).find((line) => line.msg === 'MFA Shepherd is listening');
    url = String(listening?.['url']);
  }, START_TIMEOUT_MS);

  it('when the process has started, then /healthz answers and it runs outside local mode', async () => {
    const health = await getJson(`${url}/healthz`);

    expect(health).toEqual({ status: 200, body: { status: 'ok', localMode: false } });
  });

  it('when /readyz is asked, then it is ready: storage answered a request signed with the identity token', async () => {
    // The rig's guard: this Azurite refuses a request that carries no token, so "ready" below can
    // only come from the token the app got from the identity endpoint.
    expect(await anonymousStatus(`${rig().azurite.tableUrl}/Tables`, cert)).toBe(403);

    const ready = await eventually('/readyz to answer 200', async () => {
      const answer = await getJson(`${url}/readyz`);
      return answer.status === 200 ? answer : undefined;
    });

    expect(ready.body).toEqual({ status: 'ready' });
  });

  it("when storage was reached, then the identity endpoint was asked for a storage token for the configured client id, with App Service's secret header", () => {
    const { identity } = rig();
    expect(identity.requests.length).toBeGreaterThan(0);
    for (const request of identity.requests) {
      expect(request).toEqual({ apiVersion: '2019-08-01', resource: STORAGE_RESOURCE, clientId: CLIENT_ID, headerMatched: true, status: 200 });
    }
  });

  it('when App Service sends SIGTERM, then it drains, logs that it stopped and exits with code 0', async () => {
    app.process.kill('SIGTERM');
    const exit = await within(app.exited, STOP_TIMEOUT_MS);

    expect(exit).toEqual({ code: 0, signal: null });
    const lines = logLines(app);
    expect(lines).toContainEqual(expect.objectContaining({ msg: 'stopping', signal: 'SIGTERM', deadlineMs: 25_000 }));
    expect(lines).toContainEqual(expect.objectContaining({ msg: 'stopped' }));
    // Nothing went wrong on the way: no error or fatal line (pino levels 50 and 60).
    expect(lines.filter((line) => line.level >= 50)).toEqual([]);
  });
});

describe('the build App Service runs', () => {
  it('when it is staged with production dependencies only (npm ci --omit=dev), then every package the compiled code requires is a production dependency', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
    const files = readdirSync(join(buildDir, 'src'), { recursive: true, encoding: 'utf8' }).filter((file) => file.endsWith('.js'));
    const required = new Map<string, string>();
    for (const file of files) {
      for (const match of readFileSync(join(buildDir, 'src', file), 'utf8').matchAll(/\brequire\(["']([^"']+)["']\)/g)) {
        const specifier = match[1] ?? '';
        if (specifier.startsWith('.') || isBuiltin(specifier)) continue;
        const parts = specifier.split('/');
        const name = specifier.startsWith('@') ? parts.slice(0, 2).join('/') : (parts[0] ?? specifier);
        required.set(name, file);
      }
    }

    expect(files.length).toBeGreaterThan(20);
    // The scan sees what it must (a scan that found nothing would pass for nothing).
    expect([...required.keys()]).toEqual(expect.arrayContaining(['@azure/identity', '@azure/data-tables', 'botbuilder', 'restify', 'zod']));
    expect([...required].filter(([name]) => !(name in pkg.dependencies)).map(([name, file]) => `${name} (required by ${file})`)).toEqual([]);
  });
});

describe('production start when the managed identity cannot give a usable token', () => {
  /**
   * Decided: the start fails (exit code 1) with a message that names the managed identity, rather
   * than serving a /readyz that stays 503. Storage is checked (its tables created) before the app
   * listens, so a deployment whose identity is missing never looks healthy, and App Service's log
   * stream shows the reason.
   */
  async function failedStart(env: Record<string, string>): Promise<{ exit: ChildExit; output: string; app: Child }> {
    const app = startApp(env);
    const exit = await within(app.exited, START_TIMEOUT_MS);
    if (exit === 'still running') throw new Error(`the app neither failed nor exited:\n${app.tail()}`);
    return { exit, output: app.tail(), app };
  }

  it('when IDENTITY_ENDPOINT does not answer, then the start fails with exit code 1 and a message naming the managed identity, and it never listens', async () => {
    const port = await closedPort();

    const { exit, output } = await failedStart({ IDENTITY_ENDPOINT: `http://127.0.0.1:${port}/msi/token` });

    expect(exit).toEqual({ code: 1, signal: null });
    expect(output).toMatch(/MFA Shepherd failed to start: STORAGE_UNAVAILABLE Storage \w+ on table \w+: the managed identity gave no token for Azure Storage \(ManagedIdentityCredential: /);
    expect(output).toContain('MANAGED_IDENTITY_CLIENT_ID');
    expect(output).not.toContain('MFA Shepherd is listening');
  });

  it('when storage refuses the token, then the start fails with exit code 1 and a message naming the storage roles', async () => {
    // Azurite checks no roles; a token for another audience gets the same 403 from it that a
    // missing Storage Table Data Contributor role gets from Azure Storage.
    const wrongAudience = await startManagedIdentityEndpoint({ clientId: CLIENT_ID, tenantId: TENANT_ID, tokenAudience: 'https://vault.azure.net' });
    try {
      const { exit, output } = await failedStart({ IDENTITY_ENDPOINT: wrongAudience.url, IDENTITY_HEADER: wrongAudience.secret });

      expect(exit).toEqual({ code: 1, signal: null });
      expect(wrongAudience.requests).toContainEqual(expect.objectContaining({ resource: STORAGE_RESOURCE, clientId: CLIENT_ID, status: 200 }));
      expect(output).toMatch(/MFA Shepherd failed to start: STORAGE_UNAVAILABLE Storage \w+ on table \w+: storage refused our credentials \(403 AuthenticationFailed\)/);
      expect(output).toContain('Storage Table Data Contributor and Storage Queue Data Contributor');
      expect(output).not.toContain('MFA Shepherd is listening');
    } finally {
      await wrongAudience.close();
    }
  });

  it('when MANAGED_IDENTITY_CLIENT_ID names an identity not attached to the app, then the start fails with exit code 1 and the identity endpoint\'s refusal in the message', async () => {
    const wrongClientId = '99999999-8888-4777-8666-555555555555';
    const { identity } = rig();
    const asked = identity.requests.length;

    const { exit, output } = await failedStart({ MANAGED_IDENTITY_CLIENT_ID: wrongClientId });

    expect(exit).toEqual({ code: 1, signal: null });
    expect(identity.requests.slice(asked)).toContainEqual({ apiVersion: '2019-08-01', resource: STORAGE_RESOURCE, clientId: wrongClientId, headerMatched: true, status: 400 });
    expect(output).toMatch(/MFA Shepherd failed to start: STORAGE_UNAVAILABLE .*the managed identity gave no token for Azure Storage .*Unable to load the proper Managed Identity/);
    expect(output).not.toContain('MFA Shepherd is listening');
  });
});
