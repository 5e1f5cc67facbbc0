import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { CardRenderError, Verbs, firstNoticeCard, helpCard, toAttachment } from '../../src/cards';
import { renderTemplate, whenFields } from '../../src/cards/render';
import firstNoticeTemplate from '../../src/cards/templates/first-notice.json';
import { samples } from './samples';

const TEMPLATE_DIR = join(__dirname, '../../src/cards/templates');
const templateFiles = readdirSync(TEMPLATE_DIR).filter((f) => f.endsWith('.json'));

function collect(node: unknown, key: string, found: unknown[] = []): unknown[] {
  if (Array.isArray(node)) node.forEach((n) => collect(n, key, found));
  else if (typeof node === 'object' && node !== null) {
    for (const [k, v] of Object.entries(node)) {
      if (k === key) found.push(v);
      collect(v, key, found);
    }
  }
  return found;
}

describe('the JSON templates', () => {
  it('when listed, then there is one per card (13, plus 13 for the technical exception, 5 for nudges and 7 for the integration watch)', () => {
    expect(templateFiles).toHaveLength(38);
    expect(templateFiles.filter((f) => f.startsWith('exception-'))).toHaveLength(13);
  });

  it.each(templateFiles)('when %s is read, then it is an Adaptive Card 1.5 and every verb it names is a known verb', (file) => {
    const json = JSON.parse(readFileSync(join(TEMPLATE_DIR, file), 'utf8')) as Record<string, unknown>;
    expect(json).toMatchObject({ $schema: 'http://adaptivecards.io/schemas/adaptive-card.json', type: 'AdaptiveCard', version: '1.5', msteams: { width: 'Full' } });
    const verbs = collect(json, 'verb');
    for (const verb of verbs) expect(Object.values(Verbs)).toContain(verb);
  });

  it('when cards are rendered, then the imported template objects are left untouched', () => {
    const before = JSON.stringify(firstNoticeTemplate);
    firstNoticeCard(samples.firstNotice());
    firstNoticeCard({ ...samples.firstNotice(), reappeared: true });
    expect(JSON.stringify(firstNoticeTemplate)).toBe(before);
  });

  it('when the same card is rendered twice with different data, then the results do not leak into each other', () => {
    const admin = helpCard({ isAdmin: true });
    const user = helpCard({ isAdmin: false });
    expect(JSON.stringify(admin)).toContain('For admins');
    expect(JSON.stringify(user)).not.toContain('For admins');
  });
});

describe('the verbs', () => {
  it('when compared, then none is part of another (teams-ai string routes match substrings)', () => {
    const verbs = Object.values(Verbs) as string[];
    expect(new Set(verbs).size).toBe(verbs.length);
    for (const a of verbs) for (const b of verbs) if (a !== b) expect({ a, b, inside: b.includes(a) }).toEqual({ a, b, inside: false });
  });

  it('when a template uses an exc.* verb, then every workflow verb has a button or the refresh on some card', () => {
    const used = new Set(templateFiles.flatMap((file) => collect(JSON.parse(readFileSync(join(TEMPLATE_DIR, file), 'utf8')), 'verb')));
    const exc = (Object.values(Verbs) as string[]).filter((v) => v.startsWith('exc.'));
    expect(exc.length).toBe(18);
    for (const verb of exc) expect({ verb, used: used.has(verb) }).toEqual({ verb, used: true });
  });
});

describe('renderTemplate guards', () => {
  const tiny = {
    type: 'AdaptiveCard',
    version: '1.5',
    body: [
      { type: 'TextBlock', text: 'Hello ${name}' },
      { $when: '${showMore && !hideAll}', type: 'TextBlock', text: 'more' },
      { type: 'FactSet', facts: [{ $data: '${items}', $when: '${visible}', title: '${t}', value: '${v}' }] },
    ],
  };

  it('when $when expressions are read, then root fields are found and fields inside $data scopes are not', () => {
    expect(whenFields(tiny)).toEqual(['hideAll', 'showMore']);
    expect(whenFields({ $when: "${a == 'b' || c}" })).toEqual(['a', 'c']);
  });

  it('when all data is present, then the card renders', () => {
    const card = renderTemplate('tiny-ok', tiny, { name: 'Alex', showMore: true, hideAll: false, items: [{ t: 'x', v: 'y', visible: true }] });
    expect(JSON.stringify(card)).toBe(
      '{"type":"AdaptiveCard","version":"1.5","body":[{"type":"TextBlock","text":"Hello Alex"},{"type":"TextBlock","text":"more"},{"type":"FactSet","facts":[{"title":"x","value":"y"}]}]}',
    );
  });

  it('when a bound field is missing, then rendering throws instead of showing ${name}', () => {
    expect(() => renderTemplate('tiny-missing', tiny, { showMore: true, hideAll: false, items: [] })).toThrow(CardRenderError);
    expect(() => renderTemplate('tiny-missing', tiny, { showMore: true, hideAll: false, items: [] })).toThrow(/unbound/);
  });

  it('when a $when field is missing or not a boolean, then rendering throws instead of silently dropping the element', () => {
    expect(() => renderTemplate('tiny-when', tiny, { name: 'A', showMore: true, items: [] })).toThrow(/\$when needs boolean data: hideAll/);
    expect(() => renderTemplate('tiny-when2', tiny, { name: 'A', showMore: 'yes', hideAll: false, items: [] })).toThrow(/showMore/);
  });

  it('when the template is not an Adaptive Card, then rendering throws', () => {
    expect(() => renderTemplate('not-a-card', { type: 'Other' }, {})).toThrow(/not an AdaptiveCard/);
  });
});

describe('toAttachment', () => {
  it('when a card is wrapped, then it carries the Adaptive Card content type', () => {
    const card = helpCard({ isAdmin: false });
    expect(toAttachment(card)).toEqual({ contentType: 'application/vnd.microsoft.card.adaptive', content: card });
  });
});
