/**
 * Bundles a crash test's child (TypeScript) into one CommonJS file with esbuild (tsx's own
 * compiler, already installed with it), so each of the many restarted processes boots in well
 * under a second instead of having tsx compile the whole app on every start (seconds each, far
 * more on a loaded machine). node_modules stay external: the child loads the same packages.
 *
 * Bundles are kept by content hash: the same sources give the same directory, reused by the next
 * run; a changed source gives a new one. Directories nobody used for a day are removed, so the
 * cache holds what current tests use, not one directory per run.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { buildSync } from 'esbuild';

const ROOT = resolve(__dirname, '..', '..');
// Inside the repository (node_modules/.cache), so the bundle resolves the same node_modules.
export const BUNDLE_CACHE = join(ROOT, 'node_modules', '.cache', 'mfa-shepherd-children');
/** Unused this long, a bundle directory is stale. Long enough that no running test still needs it. */
export const STALE_AFTER_MS = 24 * 3600 * 1000;

/** Removes bundle directories not used for `STALE_AFTER_MS` (by their modification time, touched on each use). */
export function removeStaleBundles(cache = BUNDLE_CACHE, nowMs = Date.now()): string[] {
  if (!existsSync(cache)) return [];
  const removed: string[] = [];
  for (const name of readdirSync(cache)) {
    const dir = join(cache, name);
    try {
      if (nowMs - statSync(dir).mtimeMs > STALE_AFTER_MS) {
        rmSync(dir, { recursive: true, force: true });
        removed.push(name);
      }
    } catch {
      // Another run removed it first.
    }
  }
  return removed;
}

/** Returns the path of the bundled `.js` for `entry` (a path relative to the repository root). */
export function bundleChild(entry: string, cache = BUNDLE_CACHE): string {
  const result = buildSync({
    entryPoints: [resolve(ROOT, entry)],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    packages: 'external',
    sourcemap: 'inline',
    write: false,
    outdir: cache,
    absWorkingDir: ROOT,
    logLevel: 'warning',
  });
  const output = result.outputFiles[0];
  if (output === undefined) throw new Error(`esbuild produced no output for ${entry}`);
  const hash = createHash('sha256').update(output.contents).digest('hex').slice(0, 16);
  const dir = join(cache, `${basename(entry, '.ts')}-${hash}`);
  const file = join(dir, basename(entry).replace(/\.ts$/, '.js'));
  mkdirSync(dir, { recursive: true });
  if (!existsSync(file)) {
    // Through a rename: a parallel run never loads half a file.
    const temp = `${file}.${process.pid}.tmp`;
    writeFileSync(temp, output.contents);
    renameSync(temp, file);
  }
  const now = new Date();
  utimesSync(dir, now, now);
  removeStaleBundles(cache, now.getTime());
  return file;
}
