import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseEnv } from 'node:util';

/**
 * Reads Agents-Toolkit style env files without touching `process.env` (the caller decides).
 *
 * For each name, in order: `<dir>/.env.<name>` then `<dir>/.env.<name>.user` (secrets, git-ignored).
 * Later files win. Missing files are skipped; `envFilePaths()` tells which ones exist.
 * An empty value (`KEY=`) is kept as an empty string, so it can deliberately blank out an
 * earlier value; callers that treat "" as unset should do so themselves.
 */
export function loadEnvFiles(names: string[], dir = 'env'): Record<string, string> {
  const result: Record<string, string> = {};
  for (const file of envFilePaths(names, dir)) {
    if (!existsSync(file)) continue;
    const parsed = parseEnv(readFileSync(file, 'utf8'));
    for (const [key, value] of Object.entries(parsed)) {
      if (value !== undefined) result[key] = value;
    }
  }
  return result;
}

/** The files `loadEnvFiles` would read, in the order it reads them (existing or not). */
export function envFilePaths(names: string[], dir = 'env'): string[] {
  return names.flatMap((name) => [join(dir, `.env.${name}`), join(dir, `.env.${name}.user`)]);
}
