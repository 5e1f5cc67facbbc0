import type { TableClient } from '@azure/data-tables';
import type { SecretStore } from '../app/ports';
import { EntityReader, type NewEntity, type StoredEntity } from './entity';
import { isEntityNotFound, storageCall } from './errors';
import { toKey } from './keys';
import { assertEntityWithinLimits } from './limits';
import { CIPHER_ALGORITHM, createKeyRing, seal, unseal, type Keys, type SealedSecret } from './secret-cipher';
import { getEntityOrUndefined } from './get-entity';

/**
 * PartitionKey = 'secret', RowKey = the secret's name. Stored: algorithm, IV, auth tag and the
 * base64 ciphertext split over `c0`, `c1`, … of at most 30,000 characters each (a string property
 * holds 64 KiB = 32 K UTF-16 characters), and since key rotation the id of the key that sealed it
 * (`kid`, format 2). Format 1 (no `kid`) is still read: every configured key is tried. Never the
 * plaintext; never logged.
 *
 * put() is an unconditional upsert (Replace): the port has no etag, and the only writer is the
 * token cache, whose latest state is the right one.
 */

const PARTITION = 'secret';
export const SECRET_CHUNK_CHARS = 30_000;
const FORMAT_VERSION = 2;
/** Written before key ids: no `kid`. */
const LEGACY_FORMAT_VERSION = 1;

export function sealedToEntity(name: string, sealed: SealedSecret): NewEntity {
  const text = sealed.ciphertext.toString('base64');
  const entity: NewEntity = {
    partitionKey: PARTITION,
    rowKey: toKey(name),
    v: sealed.kid === undefined ? LEGACY_FORMAT_VERSION : FORMAT_VERSION,
    alg: CIPHER_ALGORITHM,
    ...(sealed.kid === undefined ? {} : { kid: sealed.kid }),
    iv: sealed.iv.toString('base64'),
    tag: sealed.tag.toString('base64'),
    chunks: 0,
  };
  let chunks = 0;
  for (let at = 0; at < text.length || chunks === 0; at += SECRET_CHUNK_CHARS) {
    entity[`c${chunks}`] = text.slice(at, at + SECRET_CHUNK_CHARS);
    chunks += 1;
  }
  entity['chunks'] = chunks;
  return entity;
}

export function sealedFromEntity(entity: StoredEntity, table: string): SealedSecret {
  const r = new EntityReader(entity, table);
  const version = r.int('v');
  if ((version !== FORMAT_VERSION && version !== LEGACY_FORMAT_VERSION) || r.string('alg') !== CIPHER_ALGORITHM) {
    throw new Error(`Stored secret ${r.rowKey} in ${table} has an unknown format`);
  }
  const chunks = r.int('chunks');
  let text = '';
  for (let i = 0; i < chunks; i += 1) text += r.string(`c${i}`);
  return {
    iv: Buffer.from(r.string('iv'), 'base64'),
    tag: Buffer.from(r.string('tag'), 'base64'),
    ciphertext: Buffer.from(text, 'base64'),
    ...(version === FORMAT_VERSION ? { kid: r.string('kid') } : {}),
  };
}

export function createSecretStore(client: TableClient, keys: Keys): SecretStore {
  const key = Buffer.isBuffer(keys) ? createKeyRing(keys) : keys;
  const table = client.tableName;
  const ctx = (operation: string, name: string) => ({ operation, table, partitionKey: PARTITION, rowKey: toKey(name) });

  return {
    async get(name) {
      const c = ctx('getSecret', name);
      const entity = await getEntityOrUndefined(client, { ...c, partitionKey: PARTITION });
      if (!entity) return undefined;
      return unseal(key, name, sealedFromEntity(entity, table));
    },

    async put(name, value) {
      const entity = sealedToEntity(name, seal(key, name, value));
      assertEntityWithinLimits(entity, table);
      await storageCall(ctx('putSecret', name), () => client.upsertEntity(entity, 'Replace'));
    },

    async delete(name) {
      const c = ctx('deleteSecret', name);
      try {
        await storageCall(c, () => client.deleteEntity(PARTITION, c.rowKey));
      } catch (error) {
        // Deleting what is not there leaves the store as asked: no secret under that name.
        if (isEntityNotFound(error)) return;
        throw error;
      }
    },
  };
}
