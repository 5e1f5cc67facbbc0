import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { AppError, ErrorCodes } from '../domain/errors';

/**
 * AES-256-GCM for secrets at rest. A fresh 12-byte IV per write; the 16-byte auth tag is kept
 * beside the ciphertext; the secret's name is bound in as additional authenticated data, so a
 * value copied under another name does not decrypt either.
 */
export const CIPHER_ALGORITHM = 'aes-256-gcm';
const IV_BYTES = 12;
const TAG_BYTES = 16;
const KEY_BYTES = 32;

export interface SealedSecret {
  iv: Buffer;
  tag: Buffer;
  ciphertext: Buffer;
}

export function assertEncryptionKey(key: Buffer): void {
  if (key.length !== KEY_BYTES) {
    throw new AppError(ErrorCodes.ConfigInvalid, `TOKEN_ENCRYPTION_KEY must be ${KEY_BYTES} bytes (base64 encoded), got ${key.length}`, {
      expected: false,
    });
  }
}

function aad(name: string): Buffer {
  return Buffer.from(`mfa-shepherd/secret/${name}`, 'utf8');
}

export function seal(key: Buffer, name: string, plaintext: string): SealedSecret {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv(CIPHER_ALGORITHM, key, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(aad(name));
  const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return { iv, tag: cipher.getAuthTag(), ciphertext };
}

/**
 * Throws CONFIG_INVALID when authentication fails: the key is not the one the value was written
 * with (TOKEN_ENCRYPTION_KEY changed), or the stored value was altered. The message names the
 * secret, never its value.
 */
export function unseal(key: Buffer, name: string, sealed: SealedSecret): string {
  try {
    if (sealed.iv.length !== IV_BYTES || sealed.tag.length !== TAG_BYTES) throw new Error('bad iv or tag length');
    const decipher = createDecipheriv(CIPHER_ALGORITHM, key, sealed.iv, { authTagLength: TAG_BYTES });
    decipher.setAAD(aad(name));
    decipher.setAuthTag(sealed.tag);
    return Buffer.concat([decipher.update(sealed.ciphertext), decipher.final()]).toString('utf8');
  } catch (error) {
    throw new AppError(
      ErrorCodes.ConfigInvalid,
      `Cannot decrypt stored secret '${name}': TOKEN_ENCRYPTION_KEY does not match the key it was encrypted with, or the stored value was altered. Restore the original key, or delete the secret and reconnect.`,
      { expected: false, cause: error, details: { secret: name } },
    );
  }
}
