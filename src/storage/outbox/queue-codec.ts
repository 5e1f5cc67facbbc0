import { z } from 'zod';

/**
 * What a queue message carries: only keys (queue messages are limited to 64 KiB; cards can be
 * bigger, so the payload stays in the ledger row). A pack of up to 32 keys is base64 of
 * `{"v":2,"keys":[…]}`; `{"v":1,"key":…}` is the format queued before packs, still read.
 */

/** Generous for `nudge:<objectId>:<episode>:reminder:2`-like keys; RowKey allows 1 KiB after escaping. */
export const MAX_KEY_CHARS = 256;
/** Keys per queue message: 32 × 256 characters encode to about 11 KiB, well under the 64 KiB a queue message holds. */
export const PACK_KEYS = 32;

const keySchema = z.string().min(1).max(MAX_KEY_CHARS);
const queuedSchema = z.union([
  z.object({ v: z.literal(1), key: keySchema }).transform(({ key }) => ({ keys: [key] })),
  z.object({ v: z.literal(2), keys: z.array(keySchema).min(1).max(PACK_KEYS) }),
]);

/** A queue message carrying one key (the format before packs; still read). */
export function encodeQueued(key: string): string {
  return Buffer.from(JSON.stringify({ v: 1, key }), 'utf8').toString('base64');
}

/** A queue message carrying up to PACK_KEYS keys. */
export function encodePack(keys: readonly string[]): string {
  if (keys.length === 0 || keys.length > PACK_KEYS) throw new Error(`a pack holds 1-${PACK_KEYS} keys (got ${keys.length})`);
  return Buffer.from(JSON.stringify({ v: 2, keys }), 'utf8').toString('base64');
}

export interface QueuedPack {
  keys: string[];
}

/** The keys in a queue message, or undefined when it is not one of ours. */
export function decodeQueued(text: string): QueuedPack | undefined {
  try {
    const parsed = queuedSchema.safeParse(JSON.parse(Buffer.from(text, 'base64').toString('utf8')));
    return parsed.success ? { keys: parsed.data.keys } : undefined;
  } catch {
    return undefined; // not base64 JSON: unreadable, the worker parks it
  }
}

/** Split keys into packs of at most PACK_KEYS. */
export function packsOf(keys: readonly string[]): string[][] {
  const packs: string[][] = [];
  for (let i = 0; i < keys.length; i += PACK_KEYS) packs.push(keys.slice(i, i + PACK_KEYS));
  return packs;
}
