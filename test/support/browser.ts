/**
 * Headless Chromium through playwright-core, for end-to-end tests.
 *
 * Which Chromium: CHROMIUM_PATH when set; else a system Chromium when one is installed
 * (/usr/bin/chromium, Debian's package); else the one npm installed with @sparticuz/chromium, so
 * `npm ci && npm test` needs no apt step. That package is ESM-only and unpacks its brotli'd binary
 * into the temp directory on first use, so it is asked for its path in a plain Node child (jest's
 * CommonJS loader cannot import it), once per test process.
 *
 * Playwright gives every `launch()` a fresh temporary --user-data-dir and deletes it on close. Each page gets
 * its own context (no shared storage, its own time zone) and can reach only loopback addresses: everything
 * else is aborted at once (the Playground asks a CDN for fonts; without network that costs seconds).
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { chromium, type Browser, type BrowserContextOptions, type Page } from 'playwright-core';

const PROJECT_ROOT = resolve(__dirname, '..', '..');

const SYSTEM_CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];

const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/**
 * Of @sparticuz/chromium's own `chromium.args` (tuned for AWS Lambda) only these matter on a Linux
 * host: no zygote (its binary ships without a setuid sandbox helper) and no WebGL (no GPU stack
 * unpacked). Left out on purpose: --single-process (Lambda's prctl limit; here it makes a second
 * browser context crash the whole browser, and the exception test opens two Playgrounds),
 * --disable-web-security and --allow-running-insecure-content (would hide a real CORS or
 * mixed-content fault in the Playground), --headless='shell' (Playwright passes --headless itself).
 */
const NPM_CHROMIUM_ARGS = ['--no-zygote', '--disable-webgl', '--font-render-hinting=none'];

interface ResolvedChromium {
  executablePath: string;
  source: 'CHROMIUM_PATH' | 'system' | '@sparticuz/chromium';
  args: string[];
  env?: Record<string, string>;
}

let npmChromium: Promise<ResolvedChromium> | undefined;

/** The Chromium the e2e tests launch, and where it came from. */
export async function resolveChromium(): Promise<ResolvedChromium> {
  const fromEnv = process.env.CHROMIUM_PATH;
  if (fromEnv) {
    if (!existsSync(fromEnv)) throw new Error(`CHROMIUM_PATH=${fromEnv} does not exist`);
    return { executablePath: fromEnv, source: 'CHROMIUM_PATH', args: CHROMIUM_ARGS };
  }
  const system = SYSTEM_CHROMIUM.find((path) => existsSync(path));
  if (system) return { executablePath: system, source: 'system', args: CHROMIUM_ARGS };
  npmChromium ??= unpackNpmChromium();
  return npmChromium;
}

/**
 * Unpacks @sparticuz/chromium (binary and its fonts) in a Node child and returns the binary's path.
 * Its fonts (Open Sans and a fonts.conf) serve only when the host has no fontconfig of its own: a
 * bare container without /etc/fonts would otherwise render every screenshot without text.
 */
async function unpackNpmChromium(): Promise<ResolvedChromium> {
  const script = `
    import { dirname, join } from 'node:path';
    import { fileURLToPath } from 'node:url';
    import chromium, { inflate } from '@sparticuz/chromium';
    const executablePath = await chromium.executablePath();
    // executablePath() returns at once when an earlier run left the binary, without the fonts.
    const bin = join(dirname(fileURLToPath(import.meta.resolve('@sparticuz/chromium'))), '..', 'bin');
    const fonts = await inflate(join(bin, 'fonts.tar.br'));
    console.log(JSON.stringify({ executablePath, fonts }));
  `;
  const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script], {
    cwd: PROJECT_ROOT,
    timeout: 120_000,
  });
  const { executablePath, fonts } = JSON.parse(stdout) as { executablePath: string; fonts: string };
  const hostHasFontconfig = existsSync('/etc/fonts/fonts.conf');
  return {
    executablePath,
    source: '@sparticuz/chromium',
    args: [...CHROMIUM_ARGS, ...NPM_CHROMIUM_ARGS],
    env: hostHasFontconfig || process.env.FONTCONFIG_PATH ? undefined : { FONTCONFIG_PATH: fonts },
  };
}

export interface NewPageOptions {
  /** IANA zone the page renders dates in (Adaptive Card DATE()/TIME(), message times). */
  timezoneId?: string;
  locale?: string;
  viewport?: { width: number; height: number };
  /** Let the page reach non-loopback hosts (default false: aborted). */
  allowExternal?: boolean;
}

export interface LaunchedBrowser {
  browser: Browser;
  newPage(options?: NewPageOptions): Promise<Page>;
  close(): Promise<void>;
}

export async function launchBrowser(): Promise<LaunchedBrowser> {
  const resolved = await resolveChromium();
  const browser = await chromium.launch({
    executablePath: resolved.executablePath,
    headless: true,
    args: resolved.args,
    env: resolved.env ? { ...process.env, ...resolved.env } : undefined,
  });
  return {
    browser,
    async newPage(options: NewPageOptions = {}) {
      const contextOptions: BrowserContextOptions = {
        viewport: options.viewport ?? { width: 1280, height: 800 },
        locale: options.locale ?? 'en-US',
        timezoneId: options.timezoneId,
      };
      const context = await browser.newContext(contextOptions);
      if (!options.allowExternal) {
        await context.route((url) => !isLoopback(url), (route) => route.abort('internetdisconnected'));
      }
      return context.newPage();
    },
    async close() {
      await browser.close();
    },
  };
}

function isLoopback(url: URL): boolean {
  if (url.protocol === 'data:' || url.protocol === 'blob:' || url.protocol === 'about:') return true;
  return ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);
}
