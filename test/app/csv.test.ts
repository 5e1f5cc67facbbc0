import { csvField, neutraliseFormula, toCsv } from '../../src/app/csv';
import { parseCsv } from './csv-parse';

describe('CSV writer', () => {
  it('when fields hold commas, quotes and line breaks, then they are quoted with quotes doubled, and a reader gets them back exactly', () => {
    const cells = ['a,b', 'say "hi"', 'two\r\nlines', 'lf\nonly', 'cr\ronly', 'plain', ''];

    const csv = toCsv(['h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'h7'], [cells]);

    expect(csv.split('\r\n')[1]?.startsWith('"a,b","say ""hi""","two')).toBe(true);
    expect(parseCsv(csv)).toEqual([['h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'h7'], cells]);
  });

  it('when records are written, then each ends with CRLF, including the last', () => {
    expect(toCsv(['a', 'b'], [['1', '2'], ['3', '4']])).toBe('a,b\r\n1,2\r\n3,4\r\n');
  });

  it.each([
    ['=HYPERLINK("http://evil.example","x")', `'=HYPERLINK("http://evil.example","x")`],
    ['+1+2', `'+1+2`],
    ['-2+3', `'-2+3`],
    ['@SUM(A1)', `'@SUM(A1)`],
    ['\t=1', `'\t=1`],
    ['\r=1', `'\r=1`],
  ])('when a text cell starts like a formula (%j), then it is prefixed with a single quote', (input, expected) => {
    expect(neutraliseFormula(input)).toBe(expected);
    expect(parseCsv(toCsv(['x'], [[input]]))[1]).toEqual([expected]);
  });

  it('when text merely contains formula characters later on, or is a number, then it is left alone', () => {
    expect(csvField('a=b+c-d@e')).toBe('a=b+c-d@e');
    expect(csvField(' =1')).toBe(' =1');
    expect(csvField(-480)).toBe('-480');
    expect(csvField(0)).toBe('0');
    expect(csvField(true)).toBe('true');
  });

  it('when a cell is a Date, null or undefined, then it is ISO 8601 UTC or empty', () => {
    const csv = toCsv(['at', 'none', 'missing'], [[new Date('2025-03-03T09:15:30.123+01:00'), null, undefined]]);

    expect(parseCsv(csv)[1]).toEqual(['2025-03-03T08:15:30.123Z', '', '']);
  });

  it('when the BOM option is set, then the text starts with U+FEFF, encoded as EF BB BF in UTF-8, and emoji survive', () => {
    const csv = toCsv(['x'], [['😀 Grüße']], { bom: true });

    expect(Buffer.from(csv, 'utf8').subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
    expect(parseCsv(csv.slice(1))[1]).toEqual(['😀 Grüße']);
    expect(toCsv(['x'], []).charCodeAt(0)).toBe('x'.charCodeAt(0));
  });

  it('when a row has a different number of cells than the header, or a value cannot be written, then it throws', () => {
    expect(() => toCsv(['a', 'b'], [['1']])).toThrow(/row 1 has 1 cells, the header has 2/);
    expect(() => toCsv(['a'], [[new Date('nope')]])).toThrow(/invalid Date/);
    expect(() => toCsv(['a'], [[Number.NaN]])).toThrow(/NaN/);
  });
});
