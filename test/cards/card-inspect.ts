import type { AdaptiveCard } from '../../src/cards';

export interface FoundAction {
  type: string;
  title?: string;
  verb?: string;
  url?: string;
  data?: Record<string, unknown>;
  fallback?: unknown;
}

/** Every object in the card with a `type` starting with "Action." (card actions and ActionSets). */
export function actionsOf(card: AdaptiveCard): FoundAction[] {
  const found: FoundAction[] = [];
  const visit = (node: unknown, isFallback: boolean): void => {
    if (Array.isArray(node)) return node.forEach((n) => visit(n, isFallback));
    if (typeof node !== 'object' || node === null) return;
    const record = node as Record<string, unknown>;
    if (!isFallback && typeof record['type'] === 'string' && record['type'].startsWith('Action.')) {
      found.push(record as unknown as FoundAction);
    }
    for (const [key, value] of Object.entries(record)) visit(value, isFallback || key === 'fallback');
  };
  visit(card, false);
  return found;
}

/** All text a reader sees: TextBlock texts, fact titles and values, action titles. */
export function textsOf(card: AdaptiveCard): string[] {
  const texts: string[] = [];
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(visit);
    if (typeof node !== 'object' || node === null) return;
    const record = node as Record<string, unknown>;
    for (const key of ['text', 'title', 'value']) {
      const v = record[key];
      if (typeof v === 'string') texts.push(v);
    }
    for (const value of Object.values(record)) visit(value);
  };
  visit(card);
  return texts;
}

export function allText(card: AdaptiveCard): string {
  return textsOf(card).join('\n');
}

export function titlesOf(card: AdaptiveCard): string[] {
  return actionsOf(card).map((a) => a.title ?? '');
}

/** Teams' limit for a message carrying a card. */
export const TEAMS_CARD_BYTES = 28 * 1024;
export const bytes = (card: AdaptiveCard): number => Buffer.byteLength(JSON.stringify(card), 'utf8');

export interface Node {
  type?: string;
  id?: string;
  value?: unknown;
  [key: string]: unknown;
}

/** Every element of the card in document order (body, containers, columns, actions). */
export function elements(card: AdaptiveCard): Node[] {
  const found: Node[] = [];
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(visit);
    if (typeof node !== 'object' || node === null) return;
    const record = node as Node;
    if (typeof record.type === 'string') found.push(record);
    for (const value of Object.values(record)) visit(value);
  };
  visit(card);
  return found;
}

export const inputs = (card: AdaptiveCard): Node[] => elements(card).filter((e) => e.type?.startsWith('Input.'));
export const input = (card: AdaptiveCard, id: string): Node | undefined => inputs(card).find((e) => e.id === id);

/** The card as JSON without the inputs' values (user text carried back unchanged, see setInputValues). */
export function jsonWithoutInputValues(card: AdaptiveCard): string {
  const copy = structuredClone(card);
  for (const node of elements(copy)) if (node.type?.startsWith('Input.') && node.type !== 'Input.ChoiceSet') delete node.value;
  return JSON.stringify(copy);
}

