import { Template } from 'adaptivecards-templating';

/** An expanded Adaptive Card, ready to send as an attachment or an invoke response. */
export type AdaptiveCard = Record<string, unknown> & { type: 'AdaptiveCard'; version: string };

export const ADAPTIVE_CARD_CONTENT_TYPE = 'application/vnd.microsoft.card.adaptive';

/** Thrown when a template and its data do not fit (a bug in this folder, never a user's input). */
export class CardRenderError extends Error {
  readonly code = 'CARD_RENDER_FAILED';
  constructor(
    readonly template: string,
    message: string,
  ) {
    super(`Card template "${template}": ${message}`);
    this.name = 'CardRenderError';
  }
}

/**
 * Card data: every field present and of a JSON type. Templating renders an undefined field as its
 * literal `${field}` and treats `$when` on null as true, so optional values must be mapped to ''
 * plus an explicit `has…` boolean before they get here. The type rules out `undefined` and `null`.
 */
type CardValue = string | number | boolean | readonly CardValue[] | { readonly [key: string]: CardValue };
export type CardData = { readonly [key: string]: CardValue };

const compiled = new Map<string, Template>();
const whenFieldsByTemplate = new Map<string, readonly string[]>();

const EXPRESSION = /\$\{([^}]*)\}/g;
const IDENTIFIER = /(?<![\w.$'])([A-Za-z_]\w*)(?![\w(])/g;
const LITERALS = new Set(['true', 'false', 'null']);

/**
 * The root fields that `$when` conditions outside any `$data` scope refer to. Templating drops an
 * element whose `$when` names a missing field without a word, so rendering checks they are present.
 */
export function whenFields(json: unknown): string[] {
  const fields = new Set<string>();
  const visit = (node: unknown, inDataScope: boolean): void => {
    if (Array.isArray(node)) {
      for (const item of node) visit(item, inDataScope);
      return;
    }
    if (typeof node !== 'object' || node === null) return;
    const record = node as Record<string, unknown>;
    const scoped = inDataScope || '$data' in record;
    const when = record['$when'];
    if (!scoped && typeof when === 'string') {
      for (const [, expression] of when.matchAll(EXPRESSION)) {
        const withoutStrings = (expression ?? '').replace(/'[^']*'/g, "''");
        for (const [, name] of withoutStrings.matchAll(IDENTIFIER)) {
          if (name !== undefined && !LITERALS.has(name)) fields.add(name);
        }
      }
    }
    for (const [key, value] of Object.entries(record)) if (key !== '$when') visit(value, scoped);
  };
  visit(json, false);
  return [...fields].sort();
}

function templateFor(name: string, json: object): Template {
  let template = compiled.get(name);
  if (!template) {
    // A deep copy: the imported JSON module object is shared and must never be touched.
    template = new Template(structuredClone(json));
    compiled.set(name, template);
  }
  return template;
}

/**
 * Expand a JSON template with `data` bound as `$root`. User text is data only, never part of the
 * template. A result still holding `${` means a field was missing: that is a bug, and it throws
 * rather than showing `${field}` to a user (escaped user text never contains `${`).
 */
export function renderTemplate(name: string, json: object, data: CardData): AdaptiveCard {
  const template = templateFor(name, json);
  let fields = whenFieldsByTemplate.get(name);
  if (!fields) {
    fields = whenFields(json);
    whenFieldsByTemplate.set(name, fields);
  }
  const missing = fields.filter((field) => typeof data[field] !== 'boolean');
  if (missing.length > 0) throw new CardRenderError(name, `$when needs boolean data: ${missing.join(', ')}`);
  const expanded: unknown = template.expand({ $root: data });
  // getLastTemplateExpansionWarnings() is not checked: adaptivecards-templating 2.3.1 also warns for
  // every `$when` that is simply false. A missing field shows up as a leftover `${…}` instead.
  if (typeof expanded !== 'object' || expanded === null || (expanded as { type?: unknown }).type !== 'AdaptiveCard') {
    throw new CardRenderError(name, 'the expansion is not an AdaptiveCard');
  }
  if (JSON.stringify(expanded).includes('${')) throw new CardRenderError(name, 'an unbound ${…} expression is left');
  return expanded as AdaptiveCard;
}

/** A card as a Bot Framework attachment (`{ contentType, content }`), without importing botbuilder. */
export function toAttachment(card: AdaptiveCard): { contentType: typeof ADAPTIVE_CARD_CONTENT_TYPE; content: AdaptiveCard } {
  return { contentType: ADAPTIVE_CARD_CONTENT_TYPE, content: card };
}

/**
 * Put values into a rendered card's inputs, by input id. Input values are what a user typed and
 * sends back with the next click: they are not Markdown (shown as typed, so never escaped) and must
 * come back unchanged, even when they hold `${`. So they never pass through the templating engine:
 * they are set as properties of the expanded card, never concatenated into a template. Throws when
 * an id is not an input of the card (a bug in this folder).
 */
export function setInputValues(name: string, card: AdaptiveCard, values: Readonly<Record<string, string>>): AdaptiveCard {
  const pending = new Set(Object.keys(values));
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(visit);
    if (typeof node !== 'object' || node === null) return;
    const record = node as Record<string, unknown>;
    const id = record['id'];
    if (typeof record['type'] === 'string' && record['type'].startsWith('Input.') && typeof id === 'string' && pending.has(id)) {
      const value = values[id];
      if (value !== undefined && value !== '') record['value'] = value;
      pending.delete(id);
    }
    for (const value of Object.values(record)) visit(value);
  };
  visit(card);
  if (pending.size > 0) throw new CardRenderError(name, `no input with id: ${[...pending].join(', ')}`);
  return card;
}
