import { createHash } from 'node:crypto';

/**
 * Table storage forbids `/ \ # ?` and control characters (U+0000–U+001F, U+007F–U+009F) in
 * PartitionKey and RowKey. Ids here are opaque strings (Teams and Playground ids are not even
 * valid GUIDs), so every key goes through `toKey()`: each forbidden character becomes `~XX`
 * (two upper-case hex digits). `~` itself is escaped so the mapping stays reversible, and `%` is
 * escaped too because percent signs in keys are mangled by some URL layers in front of the service.
 * The escape keeps ASCII order for unescaped keys (sync run ids sort as before).
 */
const ESCAPE = '~';
// eslint-disable-next-line no-control-regex
const FORBIDDEN = /[/\\#?%~\u0000-\u001f\u007f-\u009f]/g;
const ESCAPED = /~([0-9A-F]{2})/g;

export function toKey(id: string): string {
  return id.replace(FORBIDDEN, (ch) => `${ESCAPE}${ch.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);
}

/** The inverse of `toKey()`. */
export function fromKey(key: string): string {
  return key.replace(ESCAPED, (_match, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}

/**
 * A partition for ids that have no natural grouping (activity ids): the first two hex digits of
 * their SHA-1, so writes spread over 256 partitions instead of one hot partition.
 */
export function spreadPartition(id: string): string {
  return createHash('sha1').update(id, 'utf8').digest('hex').slice(0, 2);
}
