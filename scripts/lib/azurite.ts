import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { PARENT_WATCHDOG_IMPORT } from './children';
import { mkdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, resolve } from 'node:path';
import { createInterface } from 'node:readline';

/**
 * Azurite (the local Azure Storage emulator) as a CHILD process.
 *
 * It must not share a process with restify: restify patches Node's request object and Azurite
 * then ignores `$filter` on table queries. So tests, the dev script and benchmarks all start it
 * through here.
 */

export interface AzuriteOptions {
  /** Persist data in this folder (dev). Mutually exclusive with `inMemory`. */
  location?: string;
  /** Keep everything in memory (tests). The default when `location` is not given. */
  inMemory?: boolean;
  /** Loopback address to bind; default 127.0.0.1. */
  host?: string;
  /** When false, Azurite's access log is forwarded to this process's stderr. Default true. */
  silent?: boolean;
  /** Milliseconds to wait for start-up before giving up. Default 30 000. */
  startTimeoutMs?: number;
  /** Milliseconds between SIGTERM and SIGKILL in `stop()`. Default 5 000. */
  stopGraceMs?: number;
  /**
   * Serve https with this certificate and key (PEM files). Needed for `oauth`: Azurite accepts a
   * bearer token only over https. The endpoints (and the connection string) then say https.
   */
  tls?: { certPath: string; keyPath: string };
  /**
   * 'basic': accept Microsoft Entra bearer tokens, checking their issuer, audience and lifetime
   * (not the signature). Shared-key requests keep working.
   */
  oauth?: 'basic';
  /** Called if Azurite exits after a successful start without `stop()` having been called. */
  onUnexpectedExit?: (code: number | null, signal: NodeJS.Signals | null) => void;
}

export interface AzuriteHandle {
  connectionString: string;
  tableUrl: string;
  queueUrl: string;
  blobUrl: string;
  pid: number;
  /** SIGTERM, then SIGKILL after the grace period; resolves once the child has exited. Idempotent. */
  stop(): Promise<void>;
}

export type AzuriteErrorCode = 'AZURITE_BAD_OPTIONS' | 'AZURITE_START_FAILED' | 'AZURITE_START_TIMEOUT';

export class AzuriteError extends Error {
  override readonly name = 'AzuriteError';
  constructor(
    readonly code: AzuriteErrorCode,
    message: string,
  ) {
    super(`${code}: ${message}`);
  }
}

/** The emulator's well-known development account (public, documented by Microsoft). */
export const DEV_ACCOUNT_NAME = 'devstoreaccount1';
export const DEV_ACCOUNT_KEY =
  'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

type Service = 'Blob' | 'Queue' | 'Table';
const SERVICES: readonly Service[] = ['Blob', 'Queue', 'Table'];
const LISTENING = /Azurite (Blob|Queue|Table) service is successfully listening at https?:\/\/\S+:(\d+)/;
const TAIL_LINES = 40;


export function buildConnectionString(endpoints: {
  blobUrl: string;
  queueUrl: string;
  tableUrl: string;
}): string {
  return [
    `DefaultEndpointsProtocol=${endpoints.tableUrl.startsWith('https:') ? 'https' : 'http'}`,
    `AccountName=${DEV_ACCOUNT_NAME}`,
    `AccountKey=${DEV_ACCOUNT_KEY}`,
    `BlobEndpoint=${endpoints.blobUrl}`,
    `QueueEndpoint=${endpoints.queueUrl}`,
    `TableEndpoint=${endpoints.tableUrl}`,
  ].join(';');
}

function azuriteEntryPoint(): string {
  // The package's `bin.azurite` (what node_modules/.bin/azurite links to), run with our own
  // node binary so the watchdog can be preloaded and no shell is involved.
  const pkgJson = require.resolve('azurite/package.json');
  const pkg = JSON.parse(readFileSync(pkgJson, 'utf8')) as { bin?: Record<string, string> };
  const bin = pkg.bin?.['azurite'];
  if (bin === undefined) {
    throw new AzuriteError('AZURITE_START_FAILED', `no "azurite" bin in ${pkgJson}`);
  }
  return resolve(dirname(pkgJson), bin);
}

function buildArgs(opts: AzuriteOptions, host: string): string[] {
  const args = [
    '--skipApiVersionCheck',
    '--disableTelemetry',
    // Port 0: the OS picks free ports and Azurite prints the real ones, so there is no race
    // between choosing a port and binding it.
    ...['blob', 'queue', 'table'].flatMap((s) => [`--${s}Host`, host, `--${s}Port`, '0']),
  ];
  if (opts.location !== undefined) {
    args.push('--location', opts.location);
  } else {
    args.push('--inMemoryPersistence');
  }
  if (opts.tls !== undefined) args.push('--cert', opts.tls.certPath, '--key', opts.tls.keyPath);
  if (opts.oauth !== undefined) args.push('--oauth', opts.oauth);
  if (opts.silent ?? true) args.push('--silent');
  return args;
}

export async function startAzurite(opts: AzuriteOptions = {}): Promise<AzuriteHandle> {
  if (opts.location !== undefined && opts.inMemory === true) {
    throw new AzuriteError('AZURITE_BAD_OPTIONS', 'pass either location or inMemory, not both');
  }
  if (opts.oauth !== undefined && opts.tls === undefined) {
    throw new AzuriteError('AZURITE_BAD_OPTIONS', 'oauth needs tls: Azurite accepts bearer tokens only over https');
  }
  const host = opts.host ?? '127.0.0.1';
  const startTimeoutMs = opts.startTimeoutMs ?? 30_000;
  const stopGraceMs = opts.stopGraceMs ?? 5_000;
  const silent = opts.silent ?? true;

  let cwd = tmpdir();
  if (opts.location !== undefined) {
    cwd = resolve(opts.location);
    try {
      mkdirSync(cwd, { recursive: true });
    } catch (err) {
      throw new AzuriteError('AZURITE_START_FAILED', `cannot create location ${cwd}: ${String(err)}`);
    }
  }

  const child: ChildProcessWithoutNullStreams = spawn(
    process.execPath,
    [...PARENT_WATCHDOG_IMPORT, azuriteEntryPoint(), ...buildArgs(opts, host)],
    {
      cwd,
      stdio: ['pipe', 'pipe', 'pipe'],
      // Own process group: Ctrl+C in a terminal reaches only the parent, which stops Azurite
      // through stop() in its own order (Azurite shuts down twice, noisily, on SIGINT + SIGTERM).
      detached: true,
      // Cleared so e.g. an inherited --inspect does not also apply to the child.
      env: { ...process.env, NODE_OPTIONS: '' },
    },
  );

  const tail: string[] = [];
  const remember = (line: string): void => {
    tail.push(line);
    if (tail.length > TAIL_LINES) tail.shift();
  };
  const tailText = (): string => (tail.length ? `\n--- azurite output (last lines) ---\n${tail.join('\n')}` : '');

  let exited = false;
  const exitPromise = new Promise<void>((resolveExit) => {
    child.once('exit', () => {
      exited = true;
      resolveExit();
    });
    // A spawn failure emits 'error' and never 'exit'.
    child.once('error', () => {
      if (child.pid === undefined) {
        exited = true;
        resolveExit();
      }
    });
  });

  // If this process exits without calling stop(), ask the child to go too. (A hard kill of this
  // process is covered by the watchdog above.)
  const onParentExit = (): void => {
    if (!exited) child.kill('SIGTERM');
  };
  process.on('exit', onParentExit);

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      if (!exited) {
        child.kill('SIGTERM');
        const graceTimer = setTimeout(() => {
          if (!exited) child.kill('SIGKILL');
        }, stopGraceMs);
        try {
          await exitPromise;
        } finally {
          clearTimeout(graceTimer);
        }
      }
      process.removeListener('exit', onParentExit);
      child.stdin.destroy();
    })();
    return stopping;
  };

  return new Promise<AzuriteHandle>((resolveStart, rejectStart) => {
    const urls = new Map<Service, string>();
    let settled = false;

    const fail = (code: AzuriteErrorCode, message: string): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      const error = new AzuriteError(code, `${message}${tailText()}`);
      stop().then(
        () => rejectStart(error),
        () => rejectStart(error),
      );
    };

    const timer = setTimeout(() => {
      fail('AZURITE_START_TIMEOUT', `Azurite did not start all services within ${startTimeoutMs} ms`);
    }, startTimeoutMs);

    const onLine = (line: string, stream: 'stdout' | 'stderr'): void => {
      remember(line);
      if (settled && !silent) process.stderr.write(`[azurite] ${line}\n`);
      if (stream !== 'stdout' || settled) return;
      const match = LISTENING.exec(line);
      if (!match) return;
      const service = match[1] as Service;
      const port = match[2] ?? '';
      urls.set(service, `${opts.tls === undefined ? 'http' : 'https'}://${host}:${port}/${DEV_ACCOUNT_NAME}`);
      if (SERVICES.every((s) => urls.has(s))) {
        settled = true;
        clearTimeout(timer);
        const endpoints = {
          blobUrl: urls.get('Blob') ?? '',
          queueUrl: urls.get('Queue') ?? '',
          tableUrl: urls.get('Table') ?? '',
        };
        resolveStart({
          ...endpoints,
          connectionString: buildConnectionString(endpoints),
          pid: child.pid ?? -1,
          stop,
        });
      }
    };
    // Always keep reading both pipes: a full pipe would block the child.
    createInterface({ input: child.stdout }).on('line', (l) => onLine(l, 'stdout'));
    createInterface({ input: child.stderr }).on('line', (l) => onLine(l, 'stderr'));

    child.once('error', (err) => fail('AZURITE_START_FAILED', `could not spawn Azurite: ${err.message}`));
    // 'close' (not 'exit') so the last output lines have been read into the tail.
    child.once('close', (code, signal) => {
      if (settled && stopping === undefined) opts.onUnexpectedExit?.(code, signal);
      fail('AZURITE_START_FAILED', `Azurite exited during start-up (code ${String(code)}, signal ${String(signal)})`);
    });
  });
}
