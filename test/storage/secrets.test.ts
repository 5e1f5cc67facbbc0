import { ErrorCodes, isAppError, type AppError } from '../../src/domain/errors';
import { createStorage } from '../../src/storage';
import { keyId, seal } from '../../src/storage/secret-cipher';
import { sealedToEntity } from '../../src/storage/secrets';
import { connectionString, randomKey, randomPrefix, rawTable, rejectionOf } from './helpers';

describe('SecretStore on Azurite', () => {
  const prefix = randomPrefix();
  const key = randomKey();
  const open = () => createStorage({ connectionString: connectionString(), tablePrefix: prefix, encryptionKey: key });
  const tokenCache = JSON.stringify({ RefreshToken: { x: { secret: 'refresh-token-PLAINTEXT-MARKER' } } });

  it('when a secret is put and read back, then the value round-trips', async () => {
    const storage = await open();
    await storage.secrets.put('pc-token-cache', tokenCache);

    await expect(storage.secrets.get('pc-token-cache')).resolves.toBe(tokenCache);
  });

  it('when an empty value or a name with forbidden key characters is used, then it round-trips too', async () => {
    const storage = await open();
    await storage.secrets.put('empty', '');
    await storage.secrets.put('tenant/a#b?c\\d', 'v');

    await expect(storage.secrets.get('empty')).resolves.toBe('');
    await expect(storage.secrets.get('tenant/a#b?c\\d')).resolves.toBe('v');
  });

  it('when the raw entity is read, then it holds no plaintext, and two writes of one value differ (fresh IV)', async () => {
    const storage = await open();
    const raw = rawTable(prefix, 'secrets');
    await storage.secrets.put('s1', tokenCache);
    const first = await raw.getEntity('secret', 's1');
    await storage.secrets.put('s1', tokenCache);
    const second = await raw.getEntity('secret', 's1');

    const dump = JSON.stringify(first);
    expect(dump).not.toContain('PLAINTEXT-MARKER');
    expect(dump).not.toContain(Buffer.from(tokenCache).toString('base64').slice(0, 24));
    expect(first['c0']).not.toBe(second['c0']);
    expect(first['iv']).not.toBe(second['iv']);
  });

  it('when a value is larger than one property holds, then it is split over several and still round-trips', async () => {
    const storage = await open();
    const big = 'é'.repeat(50_000) + 'end';
    await storage.secrets.put('big', big);

    const raw = await rawTable(prefix, 'secrets').getEntity('secret', 'big');

    expect(raw['chunks']).toBeGreaterThan(1);
    await expect(storage.secrets.get('big')).resolves.toBe(big);
  });

  it('when the key is not the one the value was written with, then a clear CONFIG_INVALID error, without the value', async () => {
    const storage = await open();
    await storage.secrets.put('wrong-key', tokenCache);
    const other = await createStorage({ connectionString: connectionString(), tablePrefix: prefix, encryptionKey: randomKey() });

    const error = await rejectionOf(other.secrets.get('wrong-key'));

    expect(isAppError(error, ErrorCodes.ConfigInvalid)).toBe(true);
    expect((error as AppError).message).toMatch(/neither TOKEN_ENCRYPTION_KEY nor in TOKEN_ENCRYPTION_KEYS_PREVIOUS/);
    expect((error as AppError).message).not.toContain('PLAINTEXT');
  });

  it('when the key rotates, then the old ciphertext still decrypts with the old key listed as previous, and a new write is sealed with the new key id', async () => {
    const oldKey = randomKey();
    const newKey = randomKey();
    const before = await createStorage({ connectionString: connectionString(), tablePrefix: prefix, encryptionKey: oldKey });
    await before.secrets.put('rotating', tokenCache);
    const raw = rawTable(prefix, 'secrets');
    expect((await raw.getEntity('secret', 'rotating'))['kid']).toBe(keyId(oldKey));

    const after = await createStorage({ connectionString: connectionString(), tablePrefix: prefix, encryptionKey: newKey, previousEncryptionKeys: [oldKey] });
    await expect(after.secrets.get('rotating')).resolves.toBe(tokenCache);
    await after.secrets.put('rotating', `${tokenCache} v2`);
    const rewritten = await raw.getEntity('secret', 'rotating');
    expect(rewritten['kid']).toBe(keyId(newKey));
    expect(rewritten['v']).toBe(2);

    // Once rewritten, the old key may go: the new key alone reads it.
    const newOnly = await createStorage({ connectionString: connectionString(), tablePrefix: prefix, encryptionKey: newKey });
    await expect(newOnly.secrets.get('rotating')).resolves.toBe(`${tokenCache} v2`);
  });

  it('when a secret was stored before key ids existed (format 1, no kid), then it still decrypts, with the current or a previous key', async () => {
    const oldKey = randomKey();
    const raw = rawTable(prefix, 'secrets');
    const legacy = sealedToEntity('legacy', { ...seal(oldKey, 'legacy', tokenCache), kid: undefined });
    expect(legacy['v']).toBe(1);
    expect(legacy['kid']).toBeUndefined();
    await raw.upsertEntity(legacy, 'Replace');

    const same = await createStorage({ connectionString: connectionString(), tablePrefix: prefix, encryptionKey: oldKey });
    await expect(same.secrets.get('legacy')).resolves.toBe(tokenCache);
    const rotated = await createStorage({ connectionString: connectionString(), tablePrefix: prefix, encryptionKey: randomKey(), previousEncryptionKeys: [oldKey] });
    await expect(rotated.secrets.get('legacy')).resolves.toBe(tokenCache);
    const lost = await rejectionOf(createStorage({ connectionString: connectionString(), tablePrefix: prefix, encryptionKey: randomKey() }).then((s) => s.secrets.get('legacy')));
    expect((lost as AppError).message).toMatch(/TOKEN_ENCRYPTION_KEY does not match/);
  });

  it('when the stored ciphertext is tampered with, then decryption fails instead of returning garbage', async () => {
    const storage = await open();
    await storage.secrets.put('tampered', tokenCache);
    const raw = rawTable(prefix, 'secrets');
    const entity = await raw.getEntity<Record<string, unknown>>('secret', 'tampered');
    const c0 = String(entity['c0']);
    await raw.updateEntity({ partitionKey: 'secret', rowKey: 'tampered', c0: (c0[0] === 'A' ? 'B' : 'A') + c0.slice(1) }, 'Merge');

    const error = await rejectionOf(storage.secrets.get('tampered'));

    expect(isAppError(error, ErrorCodes.ConfigInvalid)).toBe(true);
  });

  it('when a value is copied to another name, then it does not decrypt there (the name is authenticated)', async () => {
    const storage = await open();
    await storage.secrets.put('original', tokenCache);
    const raw = rawTable(prefix, 'secrets');
    const entity = await raw.getEntity<Record<string, unknown>>('secret', 'original');
    const { etag: _etag, timestamp: _timestamp, ...copy } = entity;
    await raw.createEntity({ ...copy, partitionKey: 'secret', rowKey: 'copy' });

    expect(isAppError(await rejectionOf(storage.secrets.get('copy')), ErrorCodes.ConfigInvalid)).toBe(true);
  });

  it('when a secret is deleted, then get answers undefined, and deleting again is fine', async () => {
    const storage = await open();
    await storage.secrets.put('gone', 'v');

    await storage.secrets.delete('gone');
    await storage.secrets.delete('gone');

    await expect(storage.secrets.get('gone')).resolves.toBeUndefined();
  });

  it('when the key is not 32 bytes, then createStorage fails with CONFIG_INVALID', async () => {
    const error = await rejectionOf(createStorage({ connectionString: connectionString(), tablePrefix: prefix, encryptionKey: Buffer.alloc(16) }));

    expect(isAppError(error, ErrorCodes.ConfigInvalid)).toBe(true);
  });
});
