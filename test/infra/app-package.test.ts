import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { inflateRawSync } from 'node:zlib';
import { buildAppPackage } from '../../scripts/lib/app-package';
import { crc32 } from '../../scripts/lib/zip';

const ROOT = join(__dirname, '..', '..');
/** What provision writes into env/.env.dev (sample values). */
const PROVISIONED = {
  TEAMS_APP_ID: '6f1c2d3e-4b5a-4c6d-8e7f-9a0b1c2d3e4f',
  BOT_ID: '0a1b2c3d-4e5f-4a6b-8c7d-8e9f0a1b2c3d',
  BOT_DOMAIN: 'mfashepabc123.azurewebsites.net',
  APP_NAME_SUFFIX: ' (dev)',
};

/** Read a zip through its central directory (APPNOTE 4.3.12), checking sizes and CRCs. */
function unzip(zip: Buffer): Map<string, Buffer> {
  const end = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  if (end < 0) throw new Error('no end of central directory');
  const count = zip.readUInt16LE(end + 10);
  let at = zip.readUInt32LE(end + 16);
  const files = new Map<string, Buffer>();
  for (let i = 0; i < count; i++) {
    if (zip.readUInt32LE(at) !== 0x02014b50) throw new Error('bad central directory entry');
    const method = zip.readUInt16LE(at + 10);
    const crc = zip.readUInt32LE(at + 16);
    const size = zip.readUInt32LE(at + 24);
    const compressedSize = zip.readUInt32LE(at + 20);
    const nameLength = zip.readUInt16LE(at + 28);
    const extra = zip.readUInt16LE(at + 30) + zip.readUInt16LE(at + 32);
    const name = zip.toString('utf8', at + 46, at + 46 + nameLength);
    const local = zip.readUInt32LE(at + 42);
    if (zip.readUInt32LE(local) !== 0x04034b50) throw new Error('bad local header');
    const start = local + 30 + zip.readUInt16LE(local + 26) + zip.readUInt16LE(local + 28);
    const raw = zip.subarray(start, start + compressedSize);
    const data = method === 8 ? inflateRawSync(raw) : raw;
    if (data.length !== size || crc32(data) !== crc) throw new Error(`corrupt entry ${name}`);
    files.set(name, data);
    at += 46 + nameLength + extra;
  }
  return files;
}

describe('npm run package: the Teams app package', () => {
  it('when provision has written the ids, then the zip holds the filled manifest and both icons, and the manifest validates', async () => {
    const result = await buildAppPackage({ root: ROOT, envName: 'dev', values: PROVISIONED });
    expect(result.zipPath).toBe(join(ROOT, 'appPackage', 'build', 'appPackage.dev.zip'));
    const files = unzip(result.zip);
    expect([...files.keys()].sort()).toEqual(['color.png', 'manifest.json', 'outline.png']);
    const manifest = JSON.parse((files.get('manifest.json') as Buffer).toString('utf8')) as { id: string; bots: { botId: string }[]; validDomains: string[]; name: { short: string } };
    expect(manifest.id).toBe(PROVISIONED.TEAMS_APP_ID);
    expect(manifest.bots[0]?.botId).toBe(PROVISIONED.BOT_ID);
    expect(manifest.validDomains).toEqual([PROVISIONED.BOT_DOMAIN]);
    expect(manifest.name.short).toBe('MFA Shepherd (dev)');
    expect(files.get('color.png')?.equals(readFileSync(join(ROOT, 'appPackage', 'color.png')))).toBe(true);
    expect(files.get('outline.png')?.equals(readFileSync(join(ROOT, 'appPackage', 'outline.png')))).toBe(true);
    // Deterministic: the same inputs give the same bytes.
    expect((await buildAppPackage({ root: ROOT, envName: 'dev', values: PROVISIONED })).zip.equals(result.zip)).toBe(true);
  });

  it('when provision has not run yet (ids empty), then packaging fails and names what is missing', async () => {
    await expect(buildAppPackage({ root: ROOT, envName: 'dev', values: { ...PROVISIONED, BOT_ID: '' } })).rejects.toThrow(/BOT_ID/);
  });

  it('when a filled value breaks the schema, then packaging fails before writing a zip', async () => {
    await expect(buildAppPackage({ root: ROOT, envName: 'dev', values: { ...PROVISIONED, TEAMS_APP_ID: 'not-a-guid' } })).rejects.toThrow(/does not validate/);
  });
});
