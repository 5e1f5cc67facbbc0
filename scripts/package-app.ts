/**
 * npm run package [-- <env>]   (default env: dev)
 *
 * Builds appPackage/build/appPackage.<env>.zip the way the Agents Toolkit's teamsApp/zipAppPackage
 * does: appPackage/manifest.json with its ${{NAME}} placeholders filled from env/.env.<env> (and
 * .env.<env>.user), plus the icons it names. The manifest is validated offline against the Teams
 * schema shipped in @microsoft/app-manifest before anything is written.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildAppPackage } from './lib/app-package';

const ROOT = join(__dirname, '..');
const envName = process.argv[2] ?? 'dev';

buildAppPackage({ root: ROOT, envName }).then(
  (result) => {
    mkdirSync(join(ROOT, 'appPackage', 'build'), { recursive: true });
    writeFileSync(result.zipPath, result.zip);
    writeFileSync(join(ROOT, 'appPackage', 'build', `manifest.${envName}.json`), result.manifestText);
    process.stdout.write(`${result.zipPath} (${result.zip.length} bytes): ${result.files.join(', ')}\n`);
  },
  (error: unknown) => {
    process.stderr.write(`npm run package: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
