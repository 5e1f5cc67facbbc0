/**
 * Bundles a crash test's child (TypeScript) into one CommonJS file with esbuild (tsx's own
 * compiler, already installed with it), so each of the many restarted processes boots in well
 * under a second instead of having tsx compile the whole app on every start (seconds each, far
 * more on a loaded machine). node_modules stay external: the child loads the same packages.
 */
import { mkdirSync, mkdtempSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { buildSync } from 'esbuild';

const ROOT = resolve(__dirname, '..', '..');

/** Returns the path of the bundled `.js` for `entry` (a path relative to the repository root). */
export function bundleChild(entry: string): string {
  // Inside the repository (node_modules/.cache), so the bundle resolves the same node_modules.
  const cache = join(ROOT, 'node_modules', '.cache', 'mfa-shepherd-children');
  mkdirSync(cache, { recursive: true });
  const outdir = mkdtempSync(join(cache, 'child-'));
  buildSync({
    entryPoints: [resolve(ROOT, entry)],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    packages: 'external',
    sourcemap: 'inline',
    outdir,
    absWorkingDir: ROOT,
    logLevel: 'warning',
  });
  return join(outdir, basename(entry).replace(/\.ts$/, '.js'));
}
