/**
 * Checks on TOKEN_ENCRYPTION_KEY for a deployed bot (BOT_ID set). A key must be 32 random bytes
 * (`openssl rand -base64 32`). Refused: a key published with this repository (the Playground's
 * development key), and keys that are plainly not random — text typed by a person, a repeated
 * byte, a short pattern. Random 32 bytes fail these checks with a probability below 10^-12.
 */

/** Keys published in this repository (env/*). A test keeps this list in step with the env files. */
export const PUBLISHED_KEYS: readonly string[] = [
  'REVWLU9OTFktTk9ULUEtU0VDUkVULTAxMjM0NTY3ODk=', // env/.env.playground ("DEV-ONLY-NOT-A-SECRET-…")
];

/** Why `key` must not protect real data, or undefined when it looks like 32 random bytes. */
export function weakKeyReason(key: Buffer): string | undefined {
  if (PUBLISHED_KEYS.some((published) => Buffer.from(published, 'base64').equals(key))) {
    return 'is a published development key (from env/.env.playground); generate your own with `openssl rand -base64 32` and keep it in Key Vault';
  }
  // Random 32 bytes: about 30 distinct values on average; fewer than 20 is a pattern, not chance.
  if (new Set(key).size < 20) return 'has too little entropy (repeated bytes or a short pattern): use 32 random bytes, `openssl rand -base64 32`';
  // Every byte printable ASCII: somebody's text, base64 of base64 or a password, not random bytes.
  if (key.every((b) => b >= 0x20 && b <= 0x7e)) return 'is ASCII text, not random bytes: use 32 random bytes, `openssl rand -base64 32`';
  return undefined;
}
