import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { AppError, ErrorCodes } from '../domain/errors';

/**
 * AES-256-GCM for secrets at rest. A fresh 12-byte IV per write; the 16-byte auth tag is kept
 * beside the ciphertext; the secret's name is bound in as additional authenticated data, so a
 * value copied under another name does not decrypt either.
 *
 * Key rotation: every ciphertext names the key that sealed it (`kid`, derived from the key, so an
 * operator never names keys). The current key seals; the current and the previous keys
 * (TOKEN_ENCRYPTION_KEYS_PREVIOUS) unseal. A ciphertext written before key ids existed carries
 * none: each configured key is tried, current first.
 */
export const CIPHER_ALGORITHM = 'aes-256-gcm';
const IV_BYTES = 12;
const TAG_BYTES = 16;
const KEY_BYTES = 32;

export interface SealedSecret {
  iv: Buffer;
  tag: Buffer;
  ciphertext: Buffer;
  /** The key that sealed it; absent on values written before rotation existed. */
  kid?: string;
}

/** The keys of the deployment: `current` encrypts, all of them decrypt. */
export interface KeyRing {
  current: { kid: string; key: Buffer };
  /** Current first, then the previous keys in the configured order. */
  all: readonly { kid: string; key: Buffer }[];
}

export function assertEncryptionKey(key: Buffer): void {
  if (key.length !== KEY_BYTES) {
    throw new AppError(ErrorCodes.ConfigInvalid, `TOKEN_ENCRYPTION_KEY must be ${KEY_BYTES} bytes (base64 encoded), got ${key.length}`, {
      expected: false,
    });
  }
}

/** A short public name for a key: 12 hex digits of a hash of it (reveals nothing usable about the key). */
export function keyId(key: Buffer): string {
  return createHash('sha256').update('mfa-shepherd key id\0').update(key).digest('hex').slice(0, 12);
}

export function createKeyRing(current: Buffer, previous: readonly Buffer[] = []): KeyRing {
  assertEncryptionKey(current);
  previous.forEach(assertEncryptionKey);
  const entry = (key: Buffer) => ({ kid: keyId(key), key });
  const all = [entry(current)];
  for (const key of previous) if (!all.some((e) => e.key.equals(key))) all.push(entry(key));
  return { current: all[0] as KeyRing['current'], all };
}

/** A Buffer (one key, as before rotation) or a key ring. */
export type Keys = Buffer | KeyRing;
const ringOf = (keys: Keys): KeyRing => (Buffer.isBuffer(keys) ? createKeyRing(keys) : keys);

function aad(name: string): Buffer {
  return Buffer.from(`mfa-shepherd/secret/${name}`, 'utf8');
}

export function seal(keys: Keys, name: string, plaintext: string): SealedSecret {
  const { kid, key } = ringOf(keys).current;
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv(CIPHER_ALGORITHM, key, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(aad(name));
  const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return { iv, tag: cipher.getAuthTag(), ciphertext, kid };
}

function open(key: Buffer, name: string, sealed: SealedSecret): string {
  if (sealed.iv.length !== IV_BYTES || sealed.tag.length !== TAG_BYTES) throw new Error('bad iv or tag length');
  const decipher = createDecipheriv(CIPHER_ALGORITHM, key, sealed.iv, { authTagLength: TAG_BYTES });
  decipher.setAAD(aad(name));
  decipher.setAuthTag(sealed.tag);
  return Buffer.concat([decipher.update(sealed.ciphertext), decipher.final()]).toString('utf8');
}

/**
 * Throws CONFIG_INVALID when authentication fails: the key is not the one the value was written
 * with (TOKEN_ENCRYPTION_KEY changed without keeping the old one in TOKEN_ENCRYPTION_KEYS_PREVIOUS),
 * or the stored value was altered. The message names the secret and key id, never a value.
 */
export function unseal(keys: Keys, name: string, sealed: SealedSecret): string {
  const ring = ringOf(keys);
  const candidates = sealed.kid === undefined ? ring.all : ring.all.filter((k) => k.kid === sealed.kid);
  if (candidates.length === 0) {
    throw new AppError(
      ErrorCodes.ConfigInvalid,
      `Cannot decrypt stored secret '${name}': it was encrypted with key ${sealed.kid ?? ''}, which is neither TOKEN_ENCRYPTION_KEY nor in TOKEN_ENCRYPTION_KEYS_PREVIOUS. Add that key back to TOKEN_ENCRYPTION_KEYS_PREVIOUS, or delete the secret and reconnect.`,
      { expected: false, details: { secret: name, kid: sealed.kid } },
    );
  }
  let last: unknown;
  for (const { key } of candidates) {
    try {
      return open(key, name, sealed);
    } catch (error) {
      last = error;
    }
  }
  throw new AppError(
    ErrorCodes.ConfigInvalid,
    `Cannot decrypt stored secret '${name}': TOKEN_ENCRYPTION_KEY does not match the key it was encrypted with, or the stored value was altered. Restore the original key (or list it in TOKEN_ENCRYPTION_KEYS_PREVIOUS), or delete the secret and reconnect.`,
    { expected: false, cause: last, details: { secret: name } },
  );
}
