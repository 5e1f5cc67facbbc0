/**
 * A CSV writer (RFC 4180) for files admins open in Excel:
 * - records end with CRLF; a field with a comma, a double quote, CR or LF is quoted and its quotes doubled;
 * - spreadsheet formula injection is neutralised: a text cell starting with `=`, `+`, `-`, `@`, TAB or
 *   CR gets a leading single quote, so Excel shows the text instead of evaluating it (OWASP "CSV
 *   injection"). Numbers, booleans and Dates are our own values and written as they are;
 * - `bom: true` starts the file with U+FEFF so Excel reads it as UTF-8 (emoji, accents).
 * Pure: no I/O.
 */

export type CsvCell = string | number | boolean | Date | null | undefined;

export interface CsvOptions {
  /** Start with a UTF-8 byte order mark (Excel needs it to detect UTF-8). Default false. */
  bom?: boolean;
}

const FORMULA_START = /^[=+\-@\t\r]/;
const NEEDS_QUOTES = /[",\r\n]/;
const BOM = '\uFEFF';

/** Neutralise text a spreadsheet would evaluate as a formula. */
export function neutraliseFormula(text: string): string {
  return FORMULA_START.test(text) ? `'${text}` : text;
}

function cellText(cell: CsvCell): string {
  if (cell === null || cell === undefined) return '';
  if (cell instanceof Date) {
    if (Number.isNaN(cell.getTime())) throw new Error('CSV: an invalid Date cannot be written');
    return cell.toISOString();
  }
  if (typeof cell === 'number') {
    if (!Number.isFinite(cell)) throw new Error(`CSV: the number ${cell} cannot be written`);
    return String(cell);
  }
  if (typeof cell === 'boolean') return cell ? 'true' : 'false';
  return neutraliseFormula(cell);
}

/** One field, quoted when RFC 4180 requires it. */
export function csvField(cell: CsvCell): string {
  const text = cellText(cell);
  return NEEDS_QUOTES.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** A header row and data rows as one CSV text; every row must have as many cells as the header. */
export function toCsv(header: readonly string[], rows: readonly (readonly CsvCell[])[], options: CsvOptions = {}): string {
  const lines = [header.map(csvField).join(',')];
  rows.forEach((row, index) => {
    if (row.length !== header.length) {
      throw new Error(`CSV: row ${index + 1} has ${row.length} cells, the header has ${header.length}`);
    }
    lines.push(row.map(csvField).join(','));
  });
  return `${options.bom === true ? BOM : ''}${lines.join('\r\n')}\r\n`;
}
