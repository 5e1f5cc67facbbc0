/**
 * The Microsoft 365 Agents Playground (`agentsplayground`, a local Teams client) as a child process.
 *
 * Facts this relies on (read from @microsoft/m365agentsplayground 0.2.28 dist/index.js and verified by running
 * it; details in /tmp/team/playground-findings.md):
 * - `-p PORT`: when PORT is taken the Playground silently picks a random one, so we check first and fail.
 * - `-e URL`: the bot endpoint. The bot need not be up first: when a page opens, the Playground waits up to
 *   15 s for the endpoint to answer (HEAD) before it sends installationUpdate + conversationUpdate.
 * - `--service-url URL`: the serviceUrl in every activity (default http://localhost:PORT/_connector).
 * - `--conversation-id ID`: the personal chat id; without it (and without a config file) a random UUID per
 *   start, which would orphan the conversation references a bot stored before a restart.
 * - Config file: env M365_AGENTS_PLAYGROUND_CONFIG_PATH (default ./.m365agentsplayground.yml in the cwd);
 *   YAML, so JSON works too. It sets the tenant, the current user and exactly 5 other users.
 * - The current user is fixed for the life of the process: to "switch user", start another Playground (its
 *   own port) with another config, or restart with one.
 * - `activity.localTimezone` comes from the Playground process's time zone: set `timezone` (env TZ).
 * - Not a TTY: only "Listening on PORT" goes to stdout; everything else to the log file
 *   (env M365_AGENTS_PLAYGROUND_LOGFILE, default ./devTools/m365agentsplayground.log).
 * - It listens on all interfaces; a small preload binds it to 127.0.0.1 instead.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  ChildProcessError,
  assertPortFree,
  nodeCommand,
  spawnChild,
  waitForHttp,
  waitForLine,
  type Child,
  type ChildRegistry,
} from './children';
import { freePort } from './ports';

const REPO_ROOT = path.resolve(__dirname, '..', '..');
const CLI = path.join(REPO_ROOT, 'node_modules', '@microsoft', 'm365agentsplayground', 'cli.js');
export const HOST = '127.0.0.1';

/** Binds every `listen(port[, cb])` of the Playground process to 127.0.0.1 (it passes no host itself). */
const LOOPBACK_PRELOAD =
  'data:text/javascript,' +
  encodeURIComponent(
    `import net from 'node:net';
const listen = net.Server.prototype.listen;
net.Server.prototype.listen = function (...args) {
  if (typeof args[0] === 'number' && (args.length === 1 || typeof args[1] === 'function')) args.splice(1, 0, '${HOST}');
  return listen.apply(this, args);
};`,
  );

export interface StartPlaygroundOptions {
  /** http://127.0.0.1:PORT/api/messages */
  botEndpoint: string;
  /** Default: a free port. A given port that is taken fails with PORT_IN_USE. */
  port?: number;
  /** A `.m365agentsplayground.yml` (YAML or JSON); see `writePlaygroundConfig`. Default: built-in users. */
  configFile?: string;
  /** Personal chat id when no config file is given (keep it fixed so a restart keeps the conversation). */
  conversationId?: string;
  /** IANA zone of the Playground process; it becomes `activity.localTimezone`. Default: inherited TZ. */
  timezone?: string;
  silent?: boolean;
  /** Where the Playground writes its log. Default: a temporary file, removed by stop(). */
  logFile?: string;
  startTimeoutMs?: number;
  /** Name of the setting that changes the port, for the PORT_IN_USE message. */
  portSetting?: string;
  registry?: ChildRegistry | null;
  /** Log prefix (default "playground"). */
  name?: string;
}

export interface Playground {
  /** http://127.0.0.1:PORT/ — open this in the browser. */
  url: string;
  port: number;
  /** The serviceUrl the Playground puts into activities (proactive messages go there). */
  serviceUrl: string;
  logFile: string;
  child: Child;
  stop(): Promise<void>;
}

export async function startPlayground(options: StartPlaygroundOptions): Promise<Playground> {
  const name = options.name ?? 'playground';
  if (options.configFile !== undefined && !existsSync(options.configFile)) {
    throw new ChildProcessError('CHILD_SPAWN_FAILED', `${name}: config file not found: ${options.configFile}`);
  }
  if (options.port !== undefined) {
    await assertPortFree(options.port, 'Agents Playground', options.portSetting ?? 'the `port` option');
    return launch(options, options.port);
  }
  // A free port can be taken between our check and the Playground's bind; it would then pick a random port
  // silently while activities carry the serviceUrl we gave it. Try again with another port in that case.
  for (let attempt = 1; ; attempt++) {
    try {
      return await launch(options, await freePort(HOST));
    } catch (error) {
      if (!(error instanceof ChildProcessError && error.code === 'PORT_IN_USE') || attempt >= 3) throw error;
    }
  }
}

async function launch(options: StartPlaygroundOptions, port: number): Promise<Playground> {
  const name = options.name ?? 'playground';
  const url = `http://${HOST}:${port}/`;
  const serviceUrl = `http://${HOST}:${port}/_connector`;
  // Without a given log file: a temporary one, deleted by stop() (kept when the start fails, for diagnosis).
  const tempLogDir = options.logFile ? undefined : mkdtempSync(path.join(os.tmpdir(), 'm365agentsplayground-'));
  const logFile = options.logFile ?? path.join(tempLogDir ?? '', 'playground.log');
  mkdirSync(path.dirname(logFile), { recursive: true });

  const args = [CLI, 'start', '-c', 'msteams', '-p', String(port)];
  args.push('-e', options.botEndpoint, '--service-url', serviceUrl, '--disable-telemetry');
  if (options.conversationId !== undefined && options.configFile === undefined) {
    args.push('--conversation-id', options.conversationId);
  }
  // A path that does not exist makes the Playground use its built-in config instead of a file in the cwd.
  const noConfig = path.join(os.tmpdir(), 'm365agentsplayground-no-config.yml');
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    TEAMSAPPTESTER_BROWSER: 'none',
    M365_AGENTS_PLAYGROUND_LOGFILE: logFile,
    M365_AGENTS_PLAYGROUND_CONFIG_PATH: options.configFile ? path.resolve(options.configFile) : noConfig,
    TEAMS_APP_TEST_TOOL_CONFIG_PATH: noConfig,
  };
  delete env.BOT_ENDPOINT;
  delete env.TEAMSAPPTESTER_PORT;
  if (options.timezone) env.TZ = options.timezone;

  const child = spawnChild({
    name,
    ...nodeCommand(args, { nodeArgs: ['--import', LOOPBACK_PRELOAD] }),
    cwd: REPO_ROOT,
    env,
    silent: options.silent,
    registry: options.registry,
  });
  const timeoutMs = options.startTimeoutMs ?? 30_000;
  try {
    const listening = await waitForLine(child, /^Listening on (\d+)/, { timeoutMs, what: '"Listening on PORT"' });
    if (listening[1] !== String(port)) {
      throw new ChildProcessError('PORT_IN_USE', `${name}: port ${port} was taken before the Playground could bind it`);
    }
    await waitForHttp(url, { child, timeoutMs, what: `GET ${url}` });
  } catch (error) {
    await child.stop(2000);
    throw withLogTail(error, logFile);
  }
  return {
    url,
    port,
    serviceUrl,
    logFile,
    child,
    async stop() {
      await child.stop(3000);
      if (tempLogDir) rmSync(tempLogDir, { recursive: true, force: true });
    },
  };
}

/** The Playground reports config errors only in its log file: add its end to the error message. */
function withLogTail(error: unknown, logFile: string): unknown {
  if (!(error instanceof Error) || !existsSync(logFile)) return error;
  const tail = readFileSync(logFile, 'utf8').trim().split('\n').slice(-15).join('\n');
  // eslint-disable-next-line no-control-regex
  error.message += `\nPlayground log (${logFile}):\n${tail.replace(/\u001b\[[0-9;]*m/g, '')}`;
  return error;
}

// ---------------------------------------------------------------------------------------------------------
// Config file (users, tenant, current user)

export interface PlaygroundUser {
  /** The channel account id (`activity.from.id`), e.g. "user-id-0". */
  id: string;
  name: string;
  /** Spelled like this in the Playground's schema. */
  userPrincipleName: string;
  aadObjectId: string;
  givenName: string;
  surname: string;
  email: string;
}

export const PLAYGROUND_TENANT_ID = '00000000-0000-0000-0000-0000000000001';
export const PLAYGROUND_BOT_ID = '00000000-0000-0000-0000-00000000000011';

function user(n: number, given: string, surname: string, alias: string): PlaygroundUser {
  return {
    id: `user-id-${n}`,
    name: `${given} ${surname}`,
    userPrincipleName: `${alias}@example.com`,
    aadObjectId: `00000000-0000-0000-0000-00000000000${20 + n}`,
    givenName: given,
    surname,
    email: `${alias}@example.com`,
  };
}

/** The Playground's built-in users (ids are opaque strings, not valid GUIDs). Alex is the default current user. */
export const PLAYGROUND_USERS: readonly PlaygroundUser[] = [
  user(0, 'Alex', 'Wilber', 'alexw'),
  user(1, 'Megan', 'Bowen', 'meganb'),
  user(2, 'Adele', 'Vance', 'adelev'),
  { ...user(3, 'Isaiah', 'Langer', 'isaiahl'), userPrincipleName: 'isaiah@example.com' },
  user(4, 'Patti', 'Fernandez', 'pattif'),
  user(5, 'Lynne', 'Robbins', 'lynner'),
];

export interface PlaygroundConfigOptions {
  /** The user at the keyboard: aadObjectId, channel id, email, UPN, display name or alias ("meganb"). Default Alex Wilber. */
  currentUser?: string;
  /** Exactly six users in all (the schema wants the current user plus exactly five others). */
  users?: readonly PlaygroundUser[];
  tenantId?: string;
  personalChatId?: string;
  botName?: string;
}

export interface PlaygroundConfigFile {
  version: '0.1.1';
  tenantId: string;
  bot: { id: string; name: string };
  currentUser: PlaygroundUser;
  users: PlaygroundUser[];
  personalChat: { id: string };
  groupChat: { id: string; name: string };
  team: { id: string; name: string; aadGroupId: string; channels: { id: string; name: string }[] };
}

export function playgroundConfig(options: PlaygroundConfigOptions = {}): PlaygroundConfigFile {
  const all = options.users ?? PLAYGROUND_USERS;
  const key = options.currentUser ?? PLAYGROUND_USERS[0]?.aadObjectId;
  const wanted = String(key).toLowerCase();
  const current = all.find((u) =>
    [u.aadObjectId, u.id, u.email, u.userPrincipleName, u.name, u.email.split('@')[0]].some((v) => v?.toLowerCase() === wanted),
  );
  if (!current) {
    const known = all.map((u) => `${u.email.split('@')[0] ?? u.id} (${u.name})`).join(', ');
    throw new Error(`Unknown Playground user "${String(key)}". Known users: ${known}`);
  }
  const others = all.filter((u) => u !== current);
  if (others.length !== 5) throw new Error(`playgroundConfig: needs exactly 6 users, got ${all.length}`);
  return {
    version: '0.1.1',
    tenantId: options.tenantId ?? PLAYGROUND_TENANT_ID,
    bot: { id: PLAYGROUND_BOT_ID, name: options.botName ?? 'MFA Shepherd' },
    currentUser: current,
    users: others,
    // One personal chat per user, stable across restarts.
    personalChat: { id: options.personalChatId ?? `personal-chat-${current.id}` },
    groupChat: { id: 'group-chat-id', name: 'Group Chat' },
    team: {
      id: 'team-id',
      name: 'My Team',
      aadGroupId: '00000000-0000-0000-0000-000000000031',
      channels: [{ id: 'channel-announcements-id', name: 'Announcements' }],
    },
  };
}

/** Writes a config file the Playground reads (JSON is valid YAML). Returns the path. */
export function writePlaygroundConfig(file: string, config: PlaygroundConfigFile): string {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(config, null, 2)}\n`);
  return file;
}
