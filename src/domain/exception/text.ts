/**
 * User text as the domain keeps it: literal (the domain renders nothing, so `${...}` and markdown stay
 * as typed), with control characters removed except newlines, and trimmed. Lengths are counted in
 * Unicode code points after cleaning, so an emoji counts as one character, as people count them.
 */

// C0 and C1 control characters except \n (0x0A); \t and \r are handled before this runs.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0009\u000B-\u001F\u007F-\u009F]/g;

/** Clean one piece of user text. Anything that is not a string reads as empty. */
export function cleanText(value: unknown): string {
  if (typeof value !== 'string') return '';
  return value
    .replace(/\r\n?/g, '\n')
    .replace(/\t/g, ' ')
    .replace(CONTROL, '')
    .trim();
}

export function textLength(text: string): number {
  let n = 0;
  for (const _ of text) n += 1;
  return n;
}

/** 4000 → "4,000": fixed format, independent of the machine's locale. */
export function formatCount(n: number): string {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

export function isOneOf<T extends string>(choices: readonly T[], value: unknown): value is T {
  return typeof value === 'string' && (choices as readonly string[]).includes(value);
}
