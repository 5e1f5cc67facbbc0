/**
 * Headless Chromium (Debian's /usr/bin/chromium) through playwright-core, for end-to-end tests.
 *
 * Playwright gives every `launch()` a fresh temporary --user-data-dir and deletes it on close. Each page gets
 * its own context (no shared storage, its own time zone) and can reach only loopback addresses: everything
 * else is aborted at once (the Playground asks a CDN for fonts; without network that costs seconds).
 */
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

export async function launchBrowser(): Promise<LaunchedBrowser> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(`Chromium not found at ${CHROMIUM_PATH}: install it (apt-get install -y chromium) or set CHROMIUM_PATH`);
  }
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: CHROMIUM_ARGS });
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
