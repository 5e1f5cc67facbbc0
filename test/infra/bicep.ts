/**
 * A small reader for the Bicep we write (no compiler is available offline): declarations at the
 * start of a line, bodies found by brace matching that skips strings (with their ${...}) and
 * comments. It refuses unbalanced text, so a typo in a brace or a quote fails the tests.
 */
import { readFileSync } from 'node:fs';

export interface BicepResource {
  symbol: string;
  type: string;
  apiVersion: string;
  body: string;
  loop: boolean;
}
export interface BicepModule {
  symbol: string;
  path: string;
  body: string;
}
export interface BicepFile {
  text: string;
  params: Map<string, { type: string; default?: string; secure: boolean }>;
  resources: BicepResource[];
  modules: BicepModule[];
  outputs: Map<string, { type: string; value: string }>;
}

/** The text with comments and string contents blanked (same length), for structure checks. */
export function blankStringsAndComments(text: string): string {
  let out = '';
  let i = 0;
  while (i < text.length) {
    const c = text[i] as string;
    if (c === '/' && text[i + 1] === '/') {
      while (i < text.length && text[i] !== '\n') {
        out += ' ';
        i++;
      }
    } else if (c === '/' && text[i + 1] === '*') {
      const end = text.indexOf('*/', i + 2);
      if (end < 0) throw new Error('unterminated /* comment');
      out += text.slice(i, end + 2).replace(/[^\n]/g, ' ');
      i = end + 2;
    } else if (c === "'") {
      out += "'";
      i++;
      let depth = 0; // inside ${...}
      while (i < text.length) {
        const d = text[i] as string;
        if (depth === 0 && d === '\\') {
          out += '  ';
          i += 2;
          continue;
        }
        if (depth === 0 && d === "'") break;
        if (d === '\n' && depth === 0) throw new Error(`unterminated string at offset ${i}`);
        if (d === '$' && text[i + 1] === '{') {
          depth++;
          out += '  ';
          i += 2;
          continue;
        }
        if (depth > 0 && d === '}') depth--;
        out += d === '\n' ? '\n' : ' ';
        i++;
      }
      if (i >= text.length) throw new Error('unterminated string');
      out += "'";
      i++;
    } else {
      out += c;
      i++;
    }
  }
  return out;
}

function matchingClose(blank: string, open: number): number {
  const pairs: Record<string, string> = { '{': '}', '[': ']', '(': ')' };
  const stack: string[] = [];
  for (let i = open; i < blank.length; i++) {
    const c = blank[i] as string;
    if (c in pairs) stack.push(pairs[c] as string);
    else if (c === '}' || c === ']' || c === ')') {
      if (stack.pop() !== c) throw new Error(`unbalanced '${c}' at offset ${i}`);
      if (stack.length === 0) return i;
    }
  }
  throw new Error(`no closing bracket for offset ${open}`);
}

export function assertBalanced(text: string): void {
  const blank = blankStringsAndComments(text);
  const stack: string[] = [];
  const pairs: Record<string, string> = { '{': '}', '[': ']', '(': ')' };
  for (let i = 0; i < blank.length; i++) {
    const c = blank[i] as string;
    if (c in pairs) stack.push(pairs[c] as string);
    else if (c === '}' || c === ']' || c === ')') {
      if (stack.pop() !== c) throw new Error(`unbalanced '${c}' at offset ${i}`);
    }
  }
  if (stack.length > 0) throw new Error(`unclosed brackets: ${stack.join('')}`);
}

export function parseBicep(path: string): BicepFile {
  const text = readFileSync(path, 'utf8');
  assertBalanced(text);
  const blank = blankStringsAndComments(text);
  const params: BicepFile['params'] = new Map();
  const resources: BicepResource[] = [];
  const modules: BicepModule[] = [];
  const outputs: BicepFile['outputs'] = new Map();

  for (const m of text.matchAll(/^param (\w+) (\w+)(?: = (.+))?$/gm)) {
    const before = text.slice(Math.max(0, (m.index ?? 0) - 200), m.index);
    const lastLines = before.split('\n').slice(-4).join('\n');
    params.set(m[1] as string, { type: m[2] as string, default: m[3], secure: /@secure\(\)\s*$/.test(lastLines) });
  }
  for (const m of text.matchAll(/^resource (\w+) '([^'@]+)@([^']+)'( existing)? = (\[for [^\]]*?: )?\{/gm)) {
    const open = (m.index ?? 0) + m[0].length - 1;
    const close = matchingClose(blank, open);
    resources.push({ symbol: m[1] as string, type: m[2] as string, apiVersion: m[3] as string, body: text.slice(open, close + 1), loop: m[5] !== undefined });
  }
  for (const m of text.matchAll(/^module (\w+) '([^']+)' = \{/gm)) {
    const open = (m.index ?? 0) + m[0].length - 1;
    modules.push({ symbol: m[1] as string, path: m[2] as string, body: text.slice(open, matchingClose(blank, open) + 1) });
  }
  for (const m of text.matchAll(/^output (\w+) (\w+) = (.+)$/gm)) outputs.set(m[1] as string, { type: m[2] as string, value: (m[3] as string).trim() });
  return { text, params, resources, modules, outputs };
}

/** The `{ ... }` block that follows `key:` inside a body (first occurrence). */
export function block(body: string, key: string): string {
  const blank = blankStringsAndComments(body);
  const at = new RegExp(`\\b${key}: [{\\[]`).exec(blank);
  if (!at) throw new Error(`no ${key}: block`);
  const open = at.index + at[0].length - 1;
  return body.slice(open, matchingClose(blank, open) + 1);
}

/** `key: value` lines directly in a flat block (values as written). */
export function entries(flatBlock: string): Map<string, string> {
  const result = new Map<string, string>();
  for (const m of flatBlock.matchAll(/^\s+'?([A-Za-z_][\w.-]*)'?: (.+)$/gm)) result.set(m[1] as string, (m[2] as string).trim());
  return result;
}

export function value(body: string, key: string): string | undefined {
  return new RegExp(`^\\s+${key}: (.+)$`, 'm').exec(body)?.[1]?.trim();
}
