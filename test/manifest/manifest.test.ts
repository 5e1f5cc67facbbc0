import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { AppManifestUtils, type TeamsManifest } from '@microsoft/app-manifest';
import { colorIcon, outlineIcon } from '../../appPackage/scripts/make-icons';
import { loadEnvFiles } from '../../scripts/lib/env-file';
import { decodeRgbaPng, readPngHeader } from './png';
import { loadConfig } from '../../src/config';

const MINIMAL_ENV = {
  AZURE_STORAGE_CONNECTION_STRING: 'UseDevelopmentStorage=true',
  PARTNER_TENANT_ID: '00000000-0000-0000-0000-000000000001',
  TOKEN_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
};

const ROOT = join(__dirname, '..', '..');
const APP_PACKAGE = join(ROOT, 'appPackage');
const MANIFEST_TEXT = readFileSync(join(APP_PACKAGE, 'manifest.json'), 'utf8');
const PLACEHOLDER = /\$\{\{([A-Z0-9_]+)\}\}/g;

/** Stand-ins for what the Agents Toolkit writes into env/.env.<name> when it provisions. */
const SAMPLE_VALUES: Record<string, string> = {
  TEAMS_APP_ID: '6f1c2d3e-4b5a-4c6d-8e7f-9a0b1c2d3e4f',
  BOT_ID: '0a1b2c3d-4e5f-4a6b-8c7d-8e9f0a1b2c3d',
  APP_NAME_SUFFIX: ' (local)',
  BOT_DOMAIN: 'mfa-shepherd.example.com',
};

type Schema = NonNullable<Parameters<typeof AppManifestUtils.validateAgainstSchema>[1]>;

function placeholdersIn(text: string): string[] {
  return [...new Set([...text.matchAll(PLACEHOLDER)].map((m) => m[1] ?? ''))].sort();
}

function substitute(text: string, values: Record<string, string>): string {
  return text.replace(PLACEHOLDER, (_match, name: string) => {
    const value = values[name];
    if (value === undefined) throw new Error(`no sample value for placeholder ${name}`);
    return value;
  });
}

/** The parts of the manifest these tests look at (the schema checks the rest). */
interface ManifestView {
  $schema: string;
  manifestVersion: string;
  icons: { color: string; outline: string };
  bots?: {
    botId?: string;
    scopes: string[];
    supportsFiles?: boolean;
    isNotificationOnly?: boolean;
    commandLists?: { scopes: string[]; commands: { title: string }[] }[];
  }[];
}

function parseManifest(text: string): ManifestView {
  return JSON.parse(text) as ManifestView;
}

/** The schema named by the manifest's $schema, from the copy shipped inside the package (offline). */
function localSchemaFor(schemaUrl: string): Schema {
  const prefix = 'https://developer.microsoft.com/json-schemas/teams/';
  if (!schemaUrl.startsWith(prefix)) throw new Error(`unexpected $schema ${schemaUrl}`);
  const packageDir = dirname(require.resolve('@microsoft/app-manifest/package.json'));
  const file = join(packageDir, 'build', 'json-schemas', 'teams', schemaUrl.slice(prefix.length));
  return JSON.parse(readFileSync(file, 'utf8')) as Schema;
}

async function validate(manifest: ManifestView): Promise<string[]> {
  // Whatever the JSON holds goes to the validator: that is the point of validating it.
  return AppManifestUtils.validateAgainstSchema(manifest as unknown as TeamsManifest, localSchemaFor(manifest.$schema));
}

describe('Teams app manifest', () => {
  const manifest = parseManifest(substitute(MANIFEST_TEXT, SAMPLE_VALUES));

  it('when placeholders are filled in, then it validates against its schema offline', async () => {
    expect(manifest.manifestVersion).toBe('1.22');
    expect(manifest.$schema).toContain(`/v${manifest.manifestVersion}/`);

    await expect(validate(manifest)).resolves.toEqual([]);
  });

  it('when the manifest is read, then the Compliance tab is a personal static tab on the bot\'s own host, and its SSO resource is the audience the bot expects', () => {
    const view = manifest as unknown as { staticTabs: { entityId: string; contentUrl: string; scopes: string[] }[]; webApplicationInfo: { id: string; resource: string } };
    expect(view.staticTabs).toEqual([expect.objectContaining({ entityId: 'compliance', contentUrl: `https://${SAMPLE_VALUES['BOT_DOMAIN']}/tab/`, scopes: ['personal'] })]);
    expect(view.webApplicationInfo).toEqual({ id: SAMPLE_VALUES['BOT_ID'], resource: `api://${SAMPLE_VALUES['BOT_DOMAIN']}/${SAMPLE_VALUES['BOT_ID']}` });
    const config = loadConfig({ ...MINIMAL_ENV, BOT_ID: SAMPLE_VALUES['BOT_ID'], BOT_PASSWORD: 'x', BOT_TENANT_ID: MINIMAL_ENV.PARTNER_TENANT_ID, PUBLIC_BASE_URL: `https://${SAMPLE_VALUES['BOT_DOMAIN']}` });
    expect(config.tab.audiences).toContain(view.webApplicationInfo.resource);
  });

  it('when the manifest is read, then it uses exactly the Agents Toolkit placeholders we provide', () => {
    expect(placeholdersIn(MANIFEST_TEXT)).toEqual(Object.keys(SAMPLE_VALUES).sort());
  });

  it('when the toolkit fills the dev and local environments, then every placeholder is declared there', () => {
    for (const envName of ['dev', 'local']) {
      const declared = Object.keys(loadEnvFiles([envName], join(ROOT, 'env')));
      expect({ envName, missing: placeholdersIn(MANIFEST_TEXT).filter((p) => !declared.includes(p)) }).toEqual({
        envName,
        missing: [],
      });
    }
  });

  it('when bots[0].botId is missing, then validation fails and names it', async () => {
    const broken = parseManifest(substitute(MANIFEST_TEXT, SAMPLE_VALUES));
    const bot = broken.bots?.[0];
    expect(bot?.botId).toBe(SAMPLE_VALUES['BOT_ID']);
    delete bot?.botId;

    const errors = await validate(broken);

    expect(errors.join('\n')).toContain('botId');
  });

  it('when placeholders are left unfilled, then validation fails (the app id must be a GUID)', async () => {
    const errors = await validate(parseManifest(MANIFEST_TEXT));

    expect(errors.join('\n')).toMatch(/\/id .*pattern/);
  });

  it('when the bot is installed, then it works 1:1 and in teams, with the documented commands', () => {
    const bot = manifest.bots?.[0];
    expect(bot?.scopes).toEqual(['personal', 'team']);
    expect(bot?.supportsFiles).toBe(false);
    expect(bot?.isNotificationOnly).toBe(false);
    const commands = (scope: string): string[] =>
      bot?.commandLists
        ?.filter((list) => list.scopes.includes(scope))
        .flatMap((list) => list.commands.map((c) => c.title)) ?? [];
    expect(commands('personal')).toEqual(['help', 'status', 'sync now', 'connect partner center']);
    expect(commands('team')).toEqual(['help', 'status']);
  });
});

describe('Teams app icons', () => {
  const read = (name: string): Buffer => readFileSync(join(APP_PACKAGE, name));

  it('when the colour icon is read, then it is a 192x192 opaque RGBA PNG', () => {
    const png = read(manifestIcon('color'));

    expect(readPngHeader(png)).toMatchObject({ width: 192, height: 192, bitDepth: 8, colorType: 6 });
    const { pixels } = decodeRgbaPng(png);
    expect(pixels.filter((_, i) => i % 4 === 3 && pixels[i] !== 255)).toHaveLength(0);
  });

  it('when the outline icon is read, then it is 32x32 and only white on transparent', () => {
    const png = read(manifestIcon('outline'));

    expect(readPngHeader(png)).toMatchObject({ width: 32, height: 32, bitDepth: 8, colorType: 6 });
    const { pixels } = decodeRgbaPng(png);
    let opaque = 0;
    let notWhite = 0;
    for (let i = 0; i < pixels.length; i += 4) {
      const alpha = pixels[i + 3] ?? 0;
      if (alpha === 0) continue;
      if (alpha === 255) opaque++;
      if (pixels[i] !== 255 || pixels[i + 1] !== 255 || pixels[i + 2] !== 255) notWhite++;
    }
    expect(notWhite).toBe(0);
    expect(opaque).toBeGreaterThan(50);
  });

  it('when the icon script runs, then it draws exactly the committed PNGs', () => {
    expect(Buffer.from(decodeRgbaPng(read('color.png')).pixels).equals(Buffer.from(colorIcon().pixels))).toBe(true);
    expect(Buffer.from(decodeRgbaPng(read('outline.png')).pixels).equals(Buffer.from(outlineIcon().pixels))).toBe(
      true,
    );
  });
});

function manifestIcon(kind: 'color' | 'outline'): string {
  return parseManifest(MANIFEST_TEXT).icons[kind];
}
