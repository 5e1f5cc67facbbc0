import { clip, escapeMarkdown, formatInstant, formatRelative, readerTime, safeIdentifier, safeMultiline, safeText, safeUrl } from '../../src/cards';
import { CardRenderError, setInputValues, type AdaptiveCard } from '../../src/cards/render';

describe('escapeMarkdown', () => {
  it('when text holds Markdown, HTML or a template expression, then each is backslash-escaped', () => {
    expect(escapeMarkdown('[link](https://evil.example)')).toBe('\\[link\\](https://evil.example)');
    expect(escapeMarkdown('**bold** _it_ ~s~ `c`')).toBe('\\*\\*bold\\*\\* \\_it\\_ \\~s\\~ \\`c\\`');
    expect(escapeMarkdown('${upn} @{x}')).toBe('\\$\\{upn\\} @\\{x\\}');
    expect(escapeMarkdown('<b>&amp;</b>')).toBe('\\<b\\>\\&amp;\\</b\\>');
    expect(escapeMarkdown('back\\slash')).toBe('back\\\\slash');
  });

  it('when text starts like a heading or a list, then the marker is escaped', () => {
    expect(escapeMarkdown('# Title')).toBe('\\# Title');
    expect(escapeMarkdown('- item')).toBe('\\- item');
    expect(escapeMarkdown('+ item')).toBe('\\+ item');
    expect(escapeMarkdown('12. item')).toBe('12\\. item');
    expect(escapeMarkdown('1) item')).toBe('1\\) item');
    expect(escapeMarkdown('Anna-Lena Nr. 1. Platz')).toBe('Anna-Lena Nr. 1. Platz');
  });

  it('when text has line breaks, control or bidi-override characters, then it becomes one clean line', () => {
    expect(escapeMarkdown('a\r\nb\nc\u2028d')).toBe('a b c d');
    expect(escapeMarkdown('ab\u0000c\u202Ed\u200B')).toBe('abcd');
  });

  it('when text is ordinary, then it is unchanged', () => {
    for (const plain of ['Alex Wilber', 'alexw@example.com', "O'Brien (Sales)", 'Sun 22 Nov 2026, 14:05 CET', 'Zoë Ñúñez']) {
      expect(escapeMarkdown(plain)).toBe(plain);
    }
  });
});

describe('clip and safe values', () => {
  it('when text is longer than the limit, then it is cut to the limit with an ellipsis', () => {
    const clipped = clip('x'.repeat(10_000));
    expect(Array.from(clipped)).toHaveLength(500);
    expect(clipped.endsWith('…')).toBe(true);
    expect(clip('abcdef', 4)).toBe('abc…');
    expect(clip('abc', 3)).toBe('abc');
    expect(clip('abc', 0)).toBe('');
  });

  it('when clipping inside emoji, then no surrogate pair is split', () => {
    const clipped = clip('😀'.repeat(10), 5);
    expect(clipped).toBe('😀😀😀😀…');
    expect(clipped).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])/);
  });

  it('when outside text is made safe, then it is trimmed, clipped first and escaped after (no escape cut in half)', () => {
    expect(safeText('  **x**  ')).toBe('\\*\\*x\\*\\*');
    expect(safeText(undefined)).toBe('');
    expect(safeText('*'.repeat(600), 10)).toBe('\\*'.repeat(9) + '…');
  });

  it('when identifiers are made safe, then only letters, digits and _ . : - remain', () => {
    expect(safeIdentifier('PC_MFA_REQUIRED')).toBe('PC_MFA_REQUIRED');
    expect(safeIdentifier('7d1c1f64-7c1a-4f0e-9d55-0a4f0b3c2e11')).toBe('7d1c1f64-7c1a-4f0e-9d55-0a4f0b3c2e11');
    expect(safeIdentifier('[x](https://e) ${a}')).toBe('xhttps:ea');
  });

  it('when a URL is not http(s) or not a URL, then it is refused', () => {
    expect(safeUrl('https://aka.ms/mfasetup')).toBe('https://aka.ms/mfasetup');
    expect(safeUrl('http://127.0.0.1:3978/devicelogin')).toBe('http://127.0.0.1:3978/devicelogin');
    for (const bad of ['javascript:alert(1)', 'data:text/html,x', 'file:///etc/passwd', 'not a url', '', undefined]) {
      expect(safeUrl(bad)).toBeUndefined();
    }
  });
});

describe('formatInstant', () => {
  it('when a winter instant is shown in Europe/Berlin, then it reads like "Sun 22 Nov 2026, 14:05 CET"', () => {
    expect(formatInstant(new Date('2026-11-22T13:05:00Z'), 'Europe/Berlin')).toBe('Sun 22 Nov 2026, 14:05 CET');
  });

  it('when the clocks go forward in Europe/Berlin, then the minute before is CET and the minute after is CEST', () => {
    expect(formatInstant(new Date('2026-03-29T00:59:00Z'), 'Europe/Berlin')).toBe('Sun 29 Mar 2026, 01:59 CET');
    expect(formatInstant(new Date('2026-03-29T01:00:00Z'), 'Europe/Berlin')).toBe('Sun 29 Mar 2026, 03:00 CEST');
  });

  it('when the clocks go back in Europe/Berlin, then the repeated hour is told apart by CEST and CET', () => {
    expect(formatInstant(new Date('2026-10-25T00:30:00Z'), 'Europe/Berlin')).toBe('Sun 25 Oct 2026, 02:30 CEST');
    expect(formatInstant(new Date('2026-10-25T01:30:00Z'), 'Europe/Berlin')).toBe('Sun 25 Oct 2026, 02:30 CET');
  });

  it('when the zone is invalid or empty, then the time is shown in UTC and says UTC', () => {
    expect(formatInstant(new Date('2026-11-22T13:05:00Z'), 'Mars/Olympus_Mons')).toBe('Sun 22 Nov 2026, 13:05 UTC');
    expect(formatInstant(new Date('2026-11-22T13:05:00Z'), '')).toBe('Sun 22 Nov 2026, 13:05 UTC');
  });

  it('when the locale is malformed, then en-GB is used', () => {
    expect(formatInstant(new Date('2026-11-22T13:05:00Z'), 'UTC', 'no_such!!locale')).toBe('Sun 22 Nov 2026, 13:05 UTC');
  });

  it('when the date is invalid, then it says the time is unknown', () => {
    expect(formatInstant(new Date('nonsense'), 'Europe/Berlin')).toBe('an unknown time');
  });
});

describe('formatRelative', () => {
  const now = new Date('2026-11-22T15:05:00Z');

  it('when the instant is in the past or future, then it reads "2 hours ago" / "in 3 days"', () => {
    expect(formatRelative(new Date('2026-11-22T13:05:00Z'), now)).toBe('2 hours ago');
    expect(formatRelative(new Date('2026-11-25T15:05:00Z'), now)).toBe('in 3 days');
  });

  it('when the instant is within a minute, then it reads "just now"', () => {
    expect(formatRelative(new Date('2026-11-22T15:04:30Z'), now)).toBe('just now');
  });
});

describe('safeMultiline', () => {
  it('when text has several lines, then each is escaped on its own, blank lines dropped, lines joined as paragraphs', () => {
    expect(safeMultiline('Title:\r\n- item *one*\n\n\n# not a heading\n---\n=== ')).toBe('Title:\n\n\\- item \\*one\\*\n\n\\# not a heading\n\n\\---\n\n\\===');
  });

  it('when text is long, then it is clipped before escaping, ending in "…"', () => {
    expect(safeMultiline('ab\ncde', 5)).toBe('ab\n\nc…');
    expect(safeMultiline(undefined)).toBe('');
  });
});

describe('readerTime', () => {
  const at = new Date('2026-11-22T13:05:00Z');
  it('when the reader\'s zone is known, then the time is formatted in it; otherwise Teams renders it (DATE/TIME)', () => {
    expect(readerTime(at, 'Europe/Berlin')).toBe('Sun 22 Nov 2026, 14:05 CET');
    expect(readerTime(at)).toBe('{{DATE(2026-11-22T13:05:00Z, SHORT)}}, {{TIME(2026-11-22T13:05:00Z)}}');
    expect(readerTime(at, ' ')).toBe('{{DATE(2026-11-22T13:05:00Z, SHORT)}}, {{TIME(2026-11-22T13:05:00Z)}}');
    expect(readerTime(new Date('nonsense'), 'Europe/Berlin')).toBe('an unknown time');
  });
});

describe('setInputValues', () => {
  const card = (): AdaptiveCard => ({ type: 'AdaptiveCard', version: '1.5', body: [{ type: 'Container', items: [{ type: 'Input.Text', id: 'a' }] }, { type: 'TextBlock', id: 'b', text: 'x' }] });

  it('when values are set, then they land on the inputs by id, literally, and empty values are left out', () => {
    const filled = setInputValues('t', card(), { a: "${if(true,'x','y')}" });
    expect(JSON.stringify(filled)).toContain('{"type":"Input.Text","id":"a","value":"${if(true,\'x\',\'y\')}"}');
    expect(JSON.stringify(setInputValues('t', card(), { a: '' }))).not.toContain('value');
  });

  it('when an id is not an input of the card, then it throws (a bug, not user input)', () => {
    expect(() => setInputValues('t', card(), { b: 'x' })).toThrow(CardRenderError);
    expect(() => setInputValues('t', card(), { missing: 'x' })).toThrow(/no input with id: missing/);
  });
});
