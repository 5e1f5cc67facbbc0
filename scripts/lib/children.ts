/**
 * Child processes for scripts and end-to-end tests: spawn with prefixed, line-buffered output (or silently,
 * keeping the last lines for error messages), wait until a child is ready, stop it (SIGTERM, then SIGKILL),
 * and stop every child when the parent goes away.
 *
 * Each child runs in its own process group (`detached`), so a stop reaches its own children too (e.g. the
 * node process that `tsx` starts) and a Ctrl+C in the terminal reaches only the parent, which then stops the
 * children in order. If the parent is killed with SIGKILL nothing can run: the children would stay.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import http from 'node:http';
import net from 'node:net';

export type ChildErrorCode =
  | 'CHILD_SPAWN_FAILED'
  | 'CHILD_EXITED_DURING_START'
  | 'CHILD_START_TIMEOUT'
  | 'PORT_IN_USE';

export class ChildProcessError extends Error {
  constructor(
    readonly code: ChildErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'ChildProcessError';
  }
}

export interface ChildExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface SpawnChildOptions {
  /** Short name used as the log prefix and in error messages, e.g. "bot". */
  name: string;
  command: string;
  args?: readonly string[];
  cwd?: string;
  /** Full environment of the child (defaults to the parent's). */
  env?: NodeJS.ProcessEnv;
  /** Print nothing; the last `tailLines` lines are still kept for error messages. */
  silent?: boolean;
  tailLines?: number;
  /** Where prefixed lines go when not silent (default: process.stdout). */
  output?: NodeJS.WritableStream;
  /** Registry that stops this child with the others (default: the process-wide one). `null`: none. */
  registry?: ChildRegistry | null;
  /**
   * Give the child a stdin pipe that closes when this process dies, however it dies. A node child that
   * loads `PARENT_WATCHDOG_IMPORT` (see `nodeCommand`) then stops itself instead of living on as an orphan.
   */
  watchParent?: boolean;
}

export type LineListener = (line: string, stream: 'stdout' | 'stderr') => void;

export interface Child {
  readonly name: string;
  readonly pid: number;
  readonly process: ChildProcess;
  /** Resolves when the child has exited (never rejects). */
  readonly exited: Promise<ChildExit>;
  isRunning(): boolean;
  /** The last captured output lines, joined with newlines. */
  tail(): string;
  /** Calls `listener` for every later output line; returns a function that removes it. */
  onLine(listener: LineListener): () => void;
  /** SIGTERM to the process group, SIGKILL after `graceMs` (default 5000). Idempotent. */
  stop(graceMs?: number): Promise<ChildExit>;
}

const COLORS = [36, 35, 33, 32, 34, 91, 96, 95];
let colorIndex = 0;

function prefixFor(name: string, output: NodeJS.WritableStream): string {
  const isTty = (output as NodeJS.WriteStream).isTTY === true && !process.env.NO_COLOR;
  const label = `[${name}]`;
  if (!isTty) return label;
  const color = COLORS[colorIndex++ % COLORS.length] ?? 36;
  return `\u001b[${color}m${label}\u001b[0m`;
}

export function spawnChild(options: SpawnChildOptions): Child {
  const tailLines = options.tailLines ?? 60;
  const output = options.output ?? process.stdout;
  const prefix = prefixFor(options.name, output);
  const lines: string[] = [];
  const listeners = new Set<LineListener>();

  const proc = spawn(options.command, [...(options.args ?? [])], {
    cwd: options.cwd,
    env: options.env ?? process.env,
    stdio: [options.watchParent ? 'pipe' : 'ignore', 'pipe', 'pipe'],
    detached: true,
  });
  if (proc.pid === undefined) {
    proc.once('error', () => undefined); // reported by the throw below, not as an unhandled 'error' event
    throw new ChildProcessError('CHILD_SPAWN_FAILED', `${options.name}: could not start "${options.command}"`);
  }
  const pid = proc.pid;
  let running = true;

  const exited = new Promise<ChildExit>((resolve) => {
    proc.once('exit', (code, signal) => {
      running = false;
      // Let the last output lines (often the reason) reach the tail: wait for the pipes to close, briefly
      // (a grandchild could hold them open).
      const timer = setTimeout(() => resolve({ code, signal }), 300);
      proc.once('close', () => {
        clearTimeout(timer);
        resolve({ code, signal });
      });
    });
    proc.once('error', (error) => {
      running = false;
      record(`spawn error: ${error.message}`, 'stderr');
      resolve({ code: null, signal: null });
    });
  });

  function record(line: string, stream: 'stdout' | 'stderr'): void {
    lines.push(line);
    if (lines.length > tailLines) lines.shift();
    if (!options.silent) output.write(`${prefix} ${line}\n`);
    for (const listener of listeners) listener(line, stream);
  }

  for (const [stream, readable] of [
    ['stdout', proc.stdout],
    ['stderr', proc.stderr],
  ] as const) {
    if (readable) createInterface({ input: readable }).on('line', (line) => record(line, stream));
  }

  let stopping: Promise<ChildExit> | undefined;
  const child: Child = {
    name: options.name,
    pid,
    process: proc,
    exited,
    isRunning: () => running,
    tail: () => lines.join('\n'),
    onLine(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    stop(graceMs = 5000) {
      stopping ??= stopProcessGroup(pid, () => running, exited, graceMs);
      return stopping;
    },
  };

  const registry = options.registry === undefined ? defaultRegistry : options.registry;
  registry?.add(child);
  void exited.then(() => registry?.remove(child));
  return child;
}

async function stopProcessGroup(
  pid: number,
  isRunning: () => boolean,
  exited: Promise<ChildExit>,
  graceMs: number,
): Promise<ChildExit> {
  if (!isRunning()) return exited;
  signalGroup(pid, 'SIGTERM');
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), graceMs);
  });
  const first = await Promise.race([exited, timedOut]);
  clearTimeout(timer);
  if (first === 'timeout') {
    signalGroup(pid, 'SIGKILL');
    return exited;
  }
  // The leader is gone; make sure nothing it started lingers in its group.
  signalGroup(pid, 'SIGKILL');
  return first;
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // ESRCH: the group is already gone. Fall back to the single process in case it left its group.
    try {
      process.kill(pid, signal);
    } catch {
      /* already gone */
    }
  }
}

// ---------------------------------------------------------------------------------------------------------
// Readiness

export interface WaitOptions {
  timeoutMs?: number;
  /** Fail at once (with its output tail) when this child exits while waiting. */
  child?: Child;
  /** What the error message calls the thing being waited for. */
  what?: string;
}

/** Resolves when `child` prints a line (stdout or stderr) matching `pattern`. */
export function waitForLine(child: Child, pattern: RegExp, options: Omit<WaitOptions, 'child'> = {}): Promise<RegExpMatchArray> {
  const timeoutMs = options.timeoutMs ?? 30_000;
  const what = options.what ?? `a line matching ${String(pattern)}`;
  return new Promise((resolve, reject) => {
    for (const line of child.tail().split('\n')) {
      const match = pattern.exec(line);
      if (match) return resolve(match);
    }
    let settled = false;
    const settle = (fn: () => void): void => {
      if (settled) return;
      settled = true;
      removeListener();
      clearTimeout(timer);
      fn();
    };
    const removeListener = child.onLine((line) => {
      const match = pattern.exec(line);
      if (match) settle(() => resolve(match));
    });
    const timer = setTimeout(
      () => settle(() => reject(startTimeout(child.name, what, timeoutMs, child.tail()))),
      timeoutMs,
    );
    void child.exited.then((exit) => settle(() => reject(exitedDuringStart(child.name, exit, child.tail()))));
  });
}

/** Polls `url` with GET until it answers 2xx. */
export async function waitForHttp(url: string, options: WaitOptions = {}): Promise<void> {
  const timeoutMs = options.timeoutMs ?? 30_000;
  const deadline = Date.now() + timeoutMs;
  const name = options.child?.name ?? url;
  for (;;) {
    if (options.child && !options.child.isRunning()) {
      throw exitedDuringStart(name, await options.child.exited, options.child.tail());
    }
    if (isOk(await httpStatus(url))) return;
    if (Date.now() >= deadline) {
      throw startTimeout(name, options.what ?? `GET ${url} to answer 2xx`, timeoutMs, options.child?.tail() ?? '');
    }
    await delay(150);
  }
}

function isOk(status: number | undefined): boolean {
  return status !== undefined && status >= 200 && status < 300;
}

/** The status code of a GET, or undefined when nothing answers. */
export function httpStatus(url: string, timeoutMs = 2000): Promise<number | undefined> {
  return new Promise((resolve) => {
    const request = http.get(url, { timeout: timeoutMs }, (response) => {
      response.resume();
      resolve(response.statusCode);
    });
    request.on('timeout', () => request.destroy());
    request.on('error', () => resolve(undefined));
  });
}

function exitedDuringStart(name: string, exit: ChildExit, tail: string): ChildProcessError {
  const how = exit.signal ? `signal ${exit.signal}` : `exit code ${String(exit.code)}`;
  return new ChildProcessError(
    'CHILD_EXITED_DURING_START',
    `${name} stopped during start-up (${how}).${tail ? `\nLast output of ${name}:\n${indent(tail)}` : ''}`,
  );
}

function startTimeout(name: string, what: string, timeoutMs: number, tail: string): ChildProcessError {
  return new ChildProcessError(
    'CHILD_START_TIMEOUT',
    `${name} was not ready after ${Math.round(timeoutMs / 1000)} s (waited for ${what}).` +
      (tail ? `\nLast output of ${name}:\n${indent(tail)}` : ''),
  );
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((line) => `  | ${line}`)
    .join('\n');
}

export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

// ---------------------------------------------------------------------------------------------------------
// Ports

/** True when nothing listens on `port` (checked on `host`; undefined = all interfaces, as most servers bind). */
export function isPortFree(port: number, host?: string): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.unref();
    server.once('error', () => resolve(false));
    server.listen({ port, host, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

/** Throws PORT_IN_USE naming the port and the setting that changes it. */
export async function assertPortFree(port: number, what: string, setting: string): Promise<void> {
  if (!(await isPortFree(port))) {
    throw new ChildProcessError(
      'PORT_IN_USE',
      `Port ${port} (${what}) is already in use. Stop whatever uses it, or choose another port: ${setting}.`,
    );
  }
}

// ---------------------------------------------------------------------------------------------------------
// Registry

/** Something the registry can stop: a `Child`, or a process started elsewhere (e.g. `startAzurite`). */
export interface Stoppable {
  readonly name: string;
  /** Process (group) id for the synchronous last-resort kill. */
  readonly pid?: number;
  stop(graceMs?: number): Promise<unknown>;
  isRunning?(): boolean;
}

export interface SignalHandlerOptions {
  /** Runs first, e.g. to print "stopping…". */
  onSignal?: (signal: NodeJS.Signals) => void;
  /** Runs after everything stopped, before the exit with code 0. */
  onStopped?: () => void;
}

/** Children (and other stoppables) to stop together, newest first. */
export class ChildRegistry {
  private readonly entries: Stoppable[] = [];
  private exitHookInstalled = false;
  private stopping: Promise<void> | undefined;

  add(entry: Stoppable): void {
    this.entries.push(entry);
    this.installExitHook();
  }

  remove(entry: Stoppable): void {
    const index = this.entries.indexOf(entry);
    if (index >= 0) this.entries.splice(index, 1);
  }

  /** True once `stopAll` began (a child exiting then is expected, not a crash). */
  isStopping(): boolean {
    return this.stopping !== undefined;
  }

  /** Stops everything, newest first (the bot before its storage), each with the grace period. Idempotent. */
  stopAll(graceMs = 5000): Promise<void> {
    this.stopping ??= (async () => {
      for (const entry of [...this.entries].reverse()) await entry.stop(graceMs);
    })();
    return this.stopping;
  }

  /**
   * On SIGINT/SIGTERM/SIGHUP: stop everything, then exit with code 0. A second signal kills what is left
   * at once and exits with 130.
   */
  installSignalHandlers(options: SignalHandlerOptions = {}): void {
    let signalled = false;
    const handler = (signal: NodeJS.Signals): void => {
      if (signalled) {
        this.killAllNow();
        process.exit(130);
      }
      signalled = true;
      options.onSignal?.(signal);
      void this.stopAll().finally(() => {
        options.onStopped?.();
        process.exit(0);
      });
    };
    for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, handler);
  }

  /** Synchronous last resort (the 'exit' event cannot wait): SIGKILL every running entry's process group. */
  killAllNow(): void {
    for (const entry of this.entries) {
      if (entry.pid !== undefined && entry.pid > 0 && (entry.isRunning?.() ?? true)) signalGroup(entry.pid, 'SIGKILL');
    }
  }

  private installExitHook(): void {
    if (this.exitHookInstalled) return;
    this.exitHookInstalled = true;
    process.once('exit', () => this.killAllNow());
  }
}

export const defaultRegistry = new ChildRegistry();

/**
 * Preloaded into node children: when the parent's end of stdin closes (the parent exited or was killed,
 * even with SIGKILL), the child sends itself SIGTERM. `unref()` keeps the pipe from holding its event loop.
 */
/**
 * Preloaded into a child: when our end of its stdin pipe closes (this process exited or was
 * killed, even with SIGKILL), the child shuts itself down instead of living on as an orphan.
 * `unref()` keeps the pipe from holding the child's event loop open after a normal SIGTERM.
 * Only on the main thread: `--import` also runs in worker threads (pino's pretty transport is one),
 * whose process.stdin is not the pipe.
 */
export const PARENT_WATCHDOG_IMPORT: readonly string[] = [
  '--import',
  'data:text/javascript,' +
    encodeURIComponent(
      "import{isMainThread}from'node:worker_threads';if(isMainThread){" +
        "process.stdin.on('end',()=>process.kill(process.pid,'SIGTERM'));" +
        "process.stdin.on('error',()=>{});process.stdin.resume();process.stdin.unref();}",
    ),
];

export interface NodeCommand {
  command: string;
  args: string[];
  watchParent: true;
}

/**
 * A node child with the parent watchdog; `tsx: true` runs a TypeScript entry in that same process
 * (`node --import tsx`, no tsx wrapper process in between). Spread it into `spawnChild`.
 */
export function nodeCommand(args: readonly string[], options: { tsx?: boolean; nodeArgs?: readonly string[] } = {}): NodeCommand {
  return {
    command: process.execPath,
    args: [...PARENT_WATCHDOG_IMPORT, ...(options.tsx ? ['--import', 'tsx'] : []), ...(options.nodeArgs ?? []), ...args],
    watchParent: true,
  };
}
