import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { AppManifestUtils, type TeamsManifest } from '@microsoft/app-manifest';
import { loadEnvFiles } from './env-file';
import { createZip } from './zip';

const PLACEHOLDER = /\$\{\{([A-Z0-9_]+)\}\}/g;
const SCHEMA_PREFIX = 'https://developer.microsoft.com/json-schemas/teams/';

type Schema = NonNullable<Parameters<typeof AppManifestUtils.validateAgainstSchema>[1]>;

export interface AppPackage {
  zipPath: string;
  zip: Buffer;
  manifestText: string;
  files: string[];
}

/** Fill `${{NAME}}` from `values`; every placeholder must have a non-empty value. */
export function fillPlaceholders(text: string, values: Record<string, string>): string {
  const missing = new Set<string>();
  const filled = text.replace(PLACEHOLDER, (_match, name: string) => {
    const value = values[name];
    if (value === undefined || (value === '' && name !== 'APP_NAME_SUFFIX')) missing.add(name);
    return value ?? '';
  });
  if (missing.size > 0) throw new Error(`no value for ${[...missing].join(', ')} in the environment files (provision writes them)`);
  return filled;
}

/** The Teams schema named by `$schema`, from the copy inside @microsoft/app-manifest (offline). */
export function localManifestSchema(schemaUrl: string): Schema {
  if (!schemaUrl.startsWith(SCHEMA_PREFIX)) throw new Error(`unexpected manifest $schema ${schemaUrl}`);
  const packageDir = dirname(require.resolve('@microsoft/app-manifest/package.json'));
  return JSON.parse(readFileSync(join(packageDir, 'build', 'json-schemas', 'teams', schemaUrl.slice(SCHEMA_PREFIX.length)), 'utf8')) as Schema;
}

/**
 * The Teams app package for one environment. `values` defaults to env/.env.<envName> (+ .user),
 * which provision fills in.
 */
export async function buildAppPackage(options: { root: string; envName: string; values?: Record<string, string> }): Promise<AppPackage> {
  const appDir = join(options.root, 'appPackage');
  const values = options.values ?? loadEnvFiles([options.envName], join(options.root, 'env'));
  const manifestText = fillPlaceholders(readFileSync(join(appDir, 'manifest.json'), 'utf8'), values);
  const manifest = JSON.parse(manifestText) as { $schema: string; icons: { color: string; outline: string } };
  const errors = await AppManifestUtils.validateAgainstSchema(manifest as unknown as TeamsManifest, localManifestSchema(manifest.$schema));
  if (errors.length > 0) throw new Error(`the manifest does not validate against ${manifest.$schema}: ${errors.join('; ')}`);
  const icons = [manifest.icons.color, manifest.icons.outline];
  const zip = createZip([
    { name: 'manifest.json', data: Buffer.from(manifestText, 'utf8') },
    ...icons.map((icon) => ({ name: icon, data: readFileSync(join(appDir, icon)) })),
  ]);
  return { zipPath: join(appDir, 'build', `appPackage.${options.envName}.zip`), zip, manifestText, files: ['manifest.json', ...icons] };
}
