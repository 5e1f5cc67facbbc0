import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';

/**
 * The Compliance tab's page is built by vite into dist/tab (`npm run build:tab`; `npm test` runs it
 * first). Tests that load the page call this too, so a single test file run on a fresh clone, or
 * after the page's sources changed, builds it.
 */

const ROOT = path.join(__dirname, '..', '..');
const SOURCES = path.join(ROOT, 'tab');
const BUILT = path.join(ROOT, 'dist', 'tab', 'index.html');

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(full) : statSync(full).mtimeMs);
  }
  return newest;
}

export function ensureTabBuilt(): void {
  if (existsSync(BUILT) && statSync(BUILT).mtimeMs >= newestMtime(SOURCES)) return;
  execFileSync(process.execPath, [path.join(ROOT, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--config', path.join(SOURCES, 'vite.config.ts')], { cwd: ROOT, stdio: 'pipe' });
}
