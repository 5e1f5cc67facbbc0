/**
 * Making text from users or Partner Center safe to show in a card. Adaptive Cards render TextBlock
 * and FactSet text as (a subset of CommonMark) Markdown, so a name like `[x](https://evil.example)`
 * would become a link and `**x**` bold. `escapeMarkdown` backslash-escapes every character that can
 * start Markdown (or an HTML entity), and `$` `{` `}` too: the result never contains `${`, so it
 * stays inert even if a card were expanded by the templating engine again.
 */

export const DEFAULT_MAX_TEXT = 500;

/**
 * Characters that can start markup anywhere: emphasis (`*` `_` `~`), links and images (`[` `]`;
 * with those escaped, `(` `)` `!` cannot form a link and stay readable), code, HTML and autolinks
 * (`<` `>`), entities (`&`), and the templating engine's `${`. Escaped with a backslash (CommonMark).
 */
const MARKDOWN_SPECIAL = /[\\`*_~[\]<>&${}]/g;
/** What is markup only at the start of a line: a heading `#`, a list item `- x`, `+ x`, `1. x`, `1) x`. */
const LINE_START_MARKER = /^(\s*)(#|[-+]|\d+[.)])(?=\s|$|#)/;
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F\u200B-\u200F\u202A-\u202E\u2066-\u2069]/g;

/**
 * Escape text for a Markdown-rendered Adaptive Card field. Line breaks become spaces (user text is
 * always shown inline), control and bidirectional-override characters are removed.
 */
export function escapeMarkdown(text: string): string {
  const oneLine = text.replace(CONTROL, '').replace(/\r\n|[\r\n\u2028\u2029]/g, ' ');
  const escaped = oneLine.replace(MARKDOWN_SPECIAL, (c) => `\\${c}`);
  return escaped.replace(LINE_START_MARKER, (_all, space: string, marker: string) =>
    marker.length === 1 ? `${space}\\${marker}` : `${space}${marker.slice(0, -1)}\\${marker.slice(-1)}`,
  );
}

/**
 * At most `max` characters (code points, so a surrogate pair is never split), ending in "…" when
 * shortened. `max` below 1 yields ''.
 */
export function clip(text: string, max: number = DEFAULT_MAX_TEXT): string {
  if (max < 1) return '';
  const points = Array.from(text);
  if (points.length <= max) return text;
  return `${points.slice(0, max - 1).join('')}…`;
}

/** Text from outside (users, Partner Center, Graph) as it goes into a card: trimmed, clipped, escaped. */
export function safeText(text: string | undefined | null, max: number = DEFAULT_MAX_TEXT): string {
  if (text === undefined || text === null) return '';
  return escapeMarkdown(clip(String(text).trim(), max));
}

/**
 * Multi-line outside text for a Markdown TextBlock, for text whose line breaks matter (a support
 * request to paste): clipped first, then each line escaped like `escapeMarkdown` (plus a leading
 * `-` or `=`, which could underline the line above into a heading), blank lines dropped, and lines
 * joined as paragraphs ("\n\n", which every Teams client renders as a break).
 */
export function safeMultiline(text: string | undefined | null, max: number = DEFAULT_MAX_TEXT): string {
  if (text === undefined || text === null) return '';
  return clip(String(text).trim(), max)
    .split(/\r\n|[\r\n\u2028\u2029]/)
    .map((line) => line.trim())
    .filter((line) => line !== '')
    .map((line) => escapeMarkdown(line).replace(/^([=-])/, '\\$1'))
    .join('\n\n');
}

/**
 * An error code or correlation id, shown so support can match logs: only letters, digits and
 * `_ . : -` are kept (nothing that can form Markdown there), then clipped.
 */
export function safeIdentifier(text: string | undefined | null, max = 100): string {
  if (text === undefined || text === null) return '';
  return clip(String(text).replace(/[^\w.:-]/g, ''), max);
}

/** "1 request", "3 requests". */
export function plural(count: number, one: string, many: string): string {
  return `${count} ${count === 1 ? one : many}`;
}

/** A URL for Action.OpenUrl: http(s) only; anything else yields undefined (the button is hidden). */
export function safeUrl(url: string | undefined | null): string | undefined {
  if (!url) return undefined;
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'https:' || parsed.protocol === 'http:' ? parsed.toString() : undefined;
  } catch {
    return undefined;
  }
}
