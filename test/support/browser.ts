/**
 * Headless Chromium (Debian's /usr/bin/chromium) through playwright-core, for end-to-end tests.
 *
 * Playwright gives every `launch()` a fresh temporary --user-data-dir and deletes it on close. Each page gets
 * its own context (no shared storage, its own time zone) and can reach only loopback addresses: everything
 * else is aborted at once (the Playground asks a CDN for fonts; without network that costs seconds).
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chromium, type Browser, type BrowserContextOptions, type Page } from 'playwright-core';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

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

/**
 * Without Debian's Chromium: @sparticuz/chromium's build (ESM-only, so asked through a plain Node
 * child, which can load it where Jest's module loader cannot).
 */
function sparticuzChromium(): { executablePath: string; args: string[] } {
  const script = "const c = require('@sparticuz/chromium').default; c.executablePath().then((p) => process.stdout.write(JSON.stringify({ executablePath: p, args: c.args })))";
  return JSON.parse(execFileSync(process.execPath, ['-e', script], { encoding: 'utf8' })) as { executablePath: string; args: string[] };
}

export async function launchBrowser(): Promise<LaunchedBrowser> {
  const launch = existsSync(CHROMIUM_PATH) ? { executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS } : sparticuzChromium();
  const browser = await chromium.launch({ executablePath: launch.executablePath, headless: true, args: launch.args });
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
