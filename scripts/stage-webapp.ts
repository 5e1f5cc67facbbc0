/**
 * npm run stage:webapp — after `npm run build`: build/webapp holds what App Service runs (dist/,
 * package.json, package-lock.json and the production dependencies only), for
 * azureAppService/zipDeploy. The working tree keeps its dev dependencies.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(__dirname, '..');
const out = join(ROOT, 'build', 'webapp');

if (!existsSync(join(ROOT, 'dist', 'src', 'main.js'))) {
  process.stderr.write('dist/src/main.js is missing: run `npm run build` first\n');
  process.exit(1);
}
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
cpSync(join(ROOT, 'dist'), join(out, 'dist'), { recursive: true });
for (const file of ['package.json', 'package-lock.json', '.npmrc']) {
  if (existsSync(join(ROOT, file))) cpSync(join(ROOT, file), join(out, file));
}
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
execFileSync(npm, ['ci', '--omit=dev', '--ignore-scripts', '--no-audit', '--no-fund'], { cwd: out, stdio: 'inherit' });
process.stdout.write(`staged ${out}\n`);
