/**
 * `npm run dev`: the whole product on this machine, on the embedded defaults of env/.env.playground.
 *
 * Starts, as child processes: Azurite (data in .data/azurite, kept across restarts), the Partner Center +
 * Graph + Entra sandbox, the bot, and the Microsoft 365 Agents Playground pointed at the bot. Prints where
 * to click. Ctrl+C stops everything (newest first) and exits with code 0.
 *
 * Settings (shell environment first, then env/.env.playground.user, then env/.env.playground):
 *   PORT               the bot's port (default 3978 from env/.env.playground)
 *   SANDBOX_PORT       the sandbox's port (default 3979; the sandbox URLs in the env file follow it)
 *   PLAYGROUND_PORT    the Playground's port (default 56150; keep it fixed: the bot stores the serviceUrl)
 *   PLAYGROUND_USER    who sits at the keyboard: alias, e.g. meganb, or AAD object id (default alexw)
 *   SECOND_PLAYGROUND_USER  a second Teams client for another user, on PLAYGROUND_PORT + 1 (default meganb,
 *                      an approver of exception requests; "none" to skip)
 *   PLAYGROUND_TIMEZONE  IANA zone the Playground reports as the user's (default: this machine's)
 */
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { startAzurite } from './lib/azurite';
import {
  ChildProcessError,
  assertPortFree,
  defaultRegistry,
  nodeCommand,
  spawnChild,
  waitForHttp,
  type Child,
} from './lib/children';
import { loadEnvFiles } from './lib/env-file';
import { playgroundConfig, startPlayground, writePlaygroundConfig } from './lib/playground';
import { connectSandboxPartnerCenter } from './lib/sandbox-consent';

const ROOT = path.resolve(__dirname, '..');
const DATA = path.join(ROOT, '.data');
const HOST = '127.0.0.1';
const DEFAULT_SANDBOX_PORT = 3979;
const DEFAULT_PLAYGROUND_PORT = 56150;

function say(line = ''): void {
  process.stdout.write(`${line}\n`);
}

function port(value: string | undefined, fallback: number, name: string): number {
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 65535) throw new DevError(`${name} must be a port number (1-65535), got "${value}".`);
  return n;
}

class DevError extends Error {}

async function main(): Promise<void> {
  const fileEnv = loadEnvFiles(['playground'], path.join(ROOT, 'env'));
  const setting = (key: string): string | undefined => process.env[key] ?? fileEnv[key];

  const botPort = port(setting('PORT'), 3978, 'PORT');
  const sandboxPort = port(setting('SANDBOX_PORT'), DEFAULT_SANDBOX_PORT, 'SANDBOX_PORT');
  const playgroundPort = port(setting('PLAYGROUND_PORT'), DEFAULT_PLAYGROUND_PORT, 'PLAYGROUND_PORT');
  const config = playgroundConfig({ currentUser: setting('PLAYGROUND_USER') });
  const secondUser = setting('SECOND_PLAYGROUND_USER') ?? 'meganb';
  const secondConfig = secondUser === 'none' ? undefined : playgroundConfig({ currentUser: secondUser });
  if (secondConfig && secondConfig.currentUser.aadObjectId === config.currentUser.aadObjectId) {
    throw new DevError(`SECOND_PLAYGROUND_USER is the same user as PLAYGROUND_USER (${secondConfig.currentUser.name}): pick another, or "none".`);
  }

  // Fail before starting anything when a fixed port is taken.
  const howTo = (key: string, example: number): string =>
    `set ${key} in the shell (${key}=${example} npm run dev) or in env/.env.playground.user`;
  await assertPortFree(botPort, 'the bot', howTo('PORT', botPort + 1000));
  await assertPortFree(sandboxPort, 'the sandbox', howTo('SANDBOX_PORT', sandboxPort + 1000));
  await assertPortFree(playgroundPort, 'the Agents Playground', howTo('PLAYGROUND_PORT', playgroundPort + 2));
  if (secondConfig) await assertPortFree(playgroundPort + 1, 'the second Agents Playground (PLAYGROUND_PORT + 1)', howTo('PLAYGROUND_PORT', playgroundPort + 2));

  say('Starting MFA Shepherd locally: storage, sandbox, bot, Teams Playground…');
  // The Compliance tab's page (vite), served by the bot from dist/tab.
  execFileSync(process.execPath, [path.join(ROOT, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--config', path.join(ROOT, 'tab', 'vite.config.ts')], { cwd: ROOT, stdio: 'inherit' });
  say('[tab] Compliance tab built (dist/tab)');

  const azurite = await startAzurite({ location: path.join(DATA, 'azurite'), silent: true });
  let azuriteRunning = true;
  defaultRegistry.add({
    name: 'azurite',
    pid: azurite.pid,
    isRunning: () => azuriteRunning,
    stop: () => azurite.stop().finally(() => (azuriteRunning = false)),
  });
  say(`[azurite] local Azure Storage ready (data in .data/azurite)`);

  const sandboxUrl = `http://${HOST}:${sandboxPort}`;
  const sandbox = spawnChild({
    name: 'sandbox',
    ...nodeCommand(['sandbox/main.ts', '--port', String(sandboxPort), '--host', HOST, '--state-dir', path.join(DATA, 'sandbox')], { tsx: true }),
    cwd: ROOT,
  });
  await waitForHttp(`${sandboxUrl}/`, { child: sandbox, timeoutMs: 60_000, what: `GET ${sandboxUrl}/` });

  const botEnv: NodeJS.ProcessEnv = {
    ...withSandboxPort(fileEnv, sandboxPort),
    ...process.env,
    PORT: String(botPort),
    AZURE_STORAGE_CONNECTION_STRING: azurite.connectionString,
  };
  const consent = await connectSandboxPartnerCenter(botEnv);
  say(`[sandbox] Partner Center ${consent.already ? 'already connected' : 'connected'} as ${consent.account ?? 'the admin agent'}, with MFA (the one-time consent an admin gives with "connect partner center")`);
  // --no-deprecation: restify 11 touches process.binding('http_parser') on every start; the warning is noise here.
  const bot = spawnChild({ name: 'bot', ...nodeCommand(['src/main.ts'], { tsx: true, nodeArgs: ['--no-deprecation'] }), cwd: ROOT, env: botEnv });
  const readyz = `http://${HOST}:${botPort}/readyz`;
  await waitForHttp(readyz, { child: bot, timeoutMs: 90_000, what: `GET ${readyz} to answer 200` });

  const configFile = writePlaygroundConfig(path.join(DATA, 'playground', 'config.yml'), config);
  const playground = await startPlayground({
    botEndpoint: `http://${HOST}:${botPort}/api/messages`,
    port: playgroundPort,
    portSetting: howTo('PLAYGROUND_PORT', playgroundPort + 1),
    configFile,
    timezone: setting('PLAYGROUND_TIMEZONE'),
    logFile: path.join(DATA, 'playground', 'playground.log'),
    silent: true,
    startTimeoutMs: 60_000,
  });

  const second = secondConfig
    ? await startPlayground({
        botEndpoint: `http://${HOST}:${botPort}/api/messages`,
        port: playgroundPort + 1,
        portSetting: howTo('PLAYGROUND_PORT', playgroundPort + 2),
        configFile: writePlaygroundConfig(path.join(DATA, 'playground-2', 'config.yml'), secondConfig),
        timezone: setting('PLAYGROUND_TIMEZONE'),
        logFile: path.join(DATA, 'playground-2', 'playground.log'),
        silent: true,
        startTimeoutMs: 60_000,
        name: 'playground-2',
      })
    : undefined;

  // From here on a child that stops takes the others down too (during start-up, errors say why).
  for (const child of [sandbox, bot, playground.child, ...(second ? [second.child] : [])]) watchUnexpectedExit(child);
  banner({
    playgroundUrl: playground.url,
    second: second && secondConfig ? { url: second.url, user: `${secondConfig.currentUser.name} (${secondConfig.currentUser.email})` } : undefined,
    sandboxUrl,
    tabUrl: `http://${HOST}:${botPort}/tab/?user=${config.currentUser.aadObjectId}`,
    user: `${config.currentUser.name} (${config.currentUser.email})`,
    isAdmin: (setting('ADMIN_AAD_OBJECT_IDS') ?? '')
      .split(',')
      .map((id) => id.trim())
      .includes(config.currentUser.aadObjectId),
  });
}

/** The env file points the bot at http://127.0.0.1:3979/...; follow SANDBOX_PORT when it differs. */
function withSandboxPort(env: Record<string, string>, sandboxPort: number): Record<string, string> {
  if (sandboxPort === DEFAULT_SANDBOX_PORT) return env;
  const from = `//${HOST}:${DEFAULT_SANDBOX_PORT}`;
  const to = `//${HOST}:${sandboxPort}`;
  return Object.fromEntries(Object.entries(env).map(([k, v]) => [k, v.split(from).join(to)]));
}

interface BannerInfo {
  playgroundUrl: string;
  second?: { url: string; user: string };
  sandboxUrl: string;
  tabUrl: string;
  user: string;
  isAdmin: boolean;
}

function banner(info: BannerInfo): void {
  const bold = (s: string): string => (process.stdout.isTTY ? `\u001b[1m${s}\u001b[0m` : s);
  say();
  say(bold('MFA Shepherd is running on this machine.'));
  say();
  say(`  Open Teams (the Agents Playground):  ${bold(info.playgroundUrl)}`);
  say(`      you are ${info.user}${info.isAdmin ? ', a security admin (ADMIN_AAD_OBJECT_IDS)' : ''}; PLAYGROUND_USER=meganb picks someone else`);
  if (info.second) {
    say(`  A second Teams client:               ${bold(info.second.url)}`);
    say(`      you are ${info.second.user}, who approves exception requests (APPROVER_AAD_OBJECT_IDS)`);
  }
  say(`  The Compliance tab (admin console):   ${bold(info.tabUrl)}`);
  say('      local dev sign-in as the same user (a token from the sandbox\'s Entra); ?user=<object id> for another');
  say(`  Sandbox overview:                    ${info.sandboxUrl}/`);
  say('      Partner Center + Graph stand-ins: switch faults (429, 500, slow, 401/900421), MFA registration stand-in');
  say();
  say('  What to expect: within a minute of opening the Playground, the bot messages you with a card about');
  say('  your non-MFA sign-ins. Click "Set up MFA now" to walk through the fix, or type "help".');
  say('  Exception workflow: as Alex click "MFA is technically impossible for me" (or type "exception"),');
  say('  fill in and submit the form; open the second client to approve it as Megan.');
  say('  State is kept in .data/ (delete it to start fresh). Playground log: .data/playground/playground.log');
  say();
  say(`  ${bold('Ctrl+C')} to stop.`);
  say();
}

function watchUnexpectedExit(child: Child): void {
  void child.exited.then((exit) => {
    if (defaultRegistry.isStopping()) return;
    const how = exit.signal ? `signal ${exit.signal}` : `exit code ${String(exit.code)}`;
    process.stderr.write(`\n${child.name} stopped unexpectedly (${how}). Stopping everything.\n`);
    void defaultRegistry.stopAll().finally(() => process.exit(1));
  });
}

// Ctrl+C: stop the Playground, the bot, the sandbox, then storage (newest first), and exit with code 0.
defaultRegistry.installSignalHandlers({
  onSignal: () => say('\nStopping MFA Shepherd…'),
  onStopped: () => say('Stopped.'),
});

main().catch(async (error: unknown) => {
  if (defaultRegistry.isStopping()) return; // Ctrl+C during start-up
  const message = error instanceof Error ? error.message : String(error);
  const code = error instanceof ChildProcessError ? ` (${error.code})` : '';
  process.stderr.write(`\nnpm run dev could not start${code}:\n${message}\n`);
  await defaultRegistry.stopAll();
  process.exit(1);
});
