/**
 * CSV as RFC 4180 defines it (https://www.rfc-editor.org/rfc/rfc4180): records separated by line breaks,
 * fields by commas, a field that holds a comma, a quote or a line break enclosed in double quotes, a quote
 * inside a quoted field doubled (""). Read by every vgsim input that is CSV (traces) and written by every
 * CSV output.
 *
 * Reading goes beyond the RFC where real files do:
 *  - CRLF (the RFC's), LF and lone CR line breaks, also mixed; a UTF-8 byte-order mark is skipped;
 *  - a quote inside an unquoted field is kept as a character (`5"` stays `5"`), as Python's csv module does;
 *  - optional comment lines (a record that starts with the comment character) and empty lines are skipped;
 *  - every record carries the physical line it starts on, so errors can say file:line even when quoted
 *    fields span lines.
 * Malformed input (a quoted field never closed, a character after a closing quote) throws CsvError with
 * the line and column.
 *
 * Writing quotes a field only when it must (delimiter, quote, CR or LF, or leading/trailing spaces that a
 * reader might trim) and, with `neutralizeFormulas`, defuses spreadsheet formula injection (OWASP "CSV
 * Injection"): a text cell starting with = + - @ tab or CR is prefixed with a single quote, unless it is a
 * plain number such as "-1.5" (numbers must stay numbers).
 */

export class CsvError extends Error {
  constructor(
    readonly line: number,
    readonly col: number,
    readonly reason: string,
  ) {
    super(`line ${line}, column ${col}: ${reason}`);
    this.name = 'CsvError';
  }
}

export interface CsvReadOptions {
  /** Field separator, one character (default ","). */
  delimiter?: string;
  /** Records starting with this character are skipped (default: none). */
  comment?: string;
  /** Skip records that are one empty field (blank lines); default true. */
  skipEmptyLines?: boolean;
}

export interface CsvRecord {
  /** 1-based physical line where the record starts. */
  line: number;
  fields: string[];
}

/** The records of a CSV text, one at a time (a large file never becomes one array of arrays). */
export function* csvRecords(text: string, opts: CsvReadOptions = {}): Generator<CsvRecord> {
  const delim = opts.delimiter ?? ',';
  if (delim.length !== 1 || delim === '"' || delim === '\n' || delim === '\r') throw new Error(`bad CSV delimiter ${JSON.stringify(delim)}`);
  const comment = opts.comment;
  const skipEmpty = opts.skipEmptyLines ?? true;
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  const n = text.length;
  let line = 1;
  let lineStart = i;
  while (i < n) {
    const recordLine = line;
    if (comment !== undefined && text[i] === comment) {
      while (i < n && text[i] !== '\n' && text[i] !== '\r') i++;
      ({ i, line, lineStart } = skipBreak(text, i, line, lineStart));
      continue;
    }
    const fields: string[] = [];
    for (;;) {
      let value: string;
      if (text[i] === '"') {
        const openLine = line;
        const openCol = i - lineStart + 1;
        i++;
        let out = '';
        let from = i;
        for (;;) {
          if (i >= n) throw new CsvError(openLine, openCol, 'quoted field is never closed (a " without its closing ")');
          const c = text[i];
          if (c === '"') {
            if (text[i + 1] === '"') {
              out += text.slice(from, i + 1);
              i += 2;
              from = i;
              continue;
            }
            out += text.slice(from, i);
            i++;
            break;
          }
          if (c === '\n' || (c === '\r' && text[i + 1] !== '\n')) {
            line++;
            lineStart = i + 1;
          } else if (c === '\r') {
            line++;
            lineStart = i + 2;
            i++;
          }
          i++;
        }
        value = out;
        if (i < n && text[i] !== delim && text[i] !== '\n' && text[i] !== '\r') {
          throw new CsvError(line, i - lineStart + 1, `unexpected ${JSON.stringify(text[i])} after a closing quote (quote the whole field and double the quotes inside: "a ""b"" c")`);
        }
      } else {
        const from = i;
        while (i < n && text[i] !== delim && text[i] !== '\n' && text[i] !== '\r') i++;
        value = text.slice(from, i);
      }
      fields.push(value);
      if (i < n && text[i] === delim) {
        i++;
        continue;
      }
      break;
    }
    ({ i, line, lineStart } = skipBreak(text, i, line, lineStart));
    if (skipEmpty && fields.length === 1 && fields[0] === '') continue;
    yield { line: recordLine, fields };
  }
}

function skipBreak(text: string, i: number, line: number, lineStart: number): { i: number; line: number; lineStart: number } {
  if (text[i] === '\r' && text[i + 1] === '\n') i += 2;
  else if (text[i] === '\n' || text[i] === '\r') i += 1;
  else return { i, line, lineStart };
  return { i, line: line + 1, lineStart: i };
}

/** All records of a CSV text. */
export function parseCsv(text: string, opts: CsvReadOptions = {}): CsvRecord[] {
  return [...csvRecords(text, opts)];
}

export interface CsvTableOptions extends CsvReadOptions {
  /** How header names are compared (default: trimmed, lower case). */
  normalizeHeader?: (name: string) => string;
  /** Accept rows with fewer or more fields than the header (missing ones read as empty). Default false. */
  allowRagged?: boolean;
}

/** A CSV with a header row, columns looked up by name. */
export class CsvTable {
  private readonly byName = new Map<string, number>();
  constructor(
    /** Header names as written. */
    readonly header: string[],
    /** Line of the header record. */
    readonly headerLine: number,
    readonly rows: CsvRecord[],
    private readonly normalize: (name: string) => string,
  ) {
    header.forEach((h, i) => this.byName.set(normalize(h), i));
  }

  /** Index of the first of `names` that is a column, or -1. */
  column(...names: string[]): number {
    for (const name of names) {
      const i = this.byName.get(this.normalize(name));
      if (i !== undefined) return i;
    }
    return -1;
  }

  has(...names: string[]): boolean {
    return this.column(...names) >= 0;
  }

  /** The cell of a row in the first of `names` that is a column; undefined when there is no such column. */
  get(row: CsvRecord, ...names: string[]): string | undefined {
    const i = this.column(...names);
    return i < 0 ? undefined : (row.fields[i] ?? '');
  }
}

/** Reads a CSV whose first record is the header. Duplicate header names and ragged rows are errors. */
export function readCsvTable(text: string, opts: CsvTableOptions = {}): CsvTable {
  const normalize = opts.normalizeHeader ?? ((h: string) => h.trim().toLowerCase());
  const records = csvRecords(text, opts);
  const first = records.next();
  if (first.done) throw new CsvError(1, 1, 'no header row (the file is empty)');
  const head = first.value;
  const seen = new Map<string, number>();
  head.fields.forEach((h, i) => {
    const key = normalize(h);
    if (key === '') throw new CsvError(head.line, 1, `header column ${i + 1} has no name`);
    if (seen.has(key)) throw new CsvError(head.line, 1, `header names "${h}" twice (columns ${seen.get(key)! + 1} and ${i + 1})`);
    seen.set(key, i);
  });
  const rows: CsvRecord[] = [];
  for (const r of records) {
    if (!opts.allowRagged && r.fields.length !== head.fields.length) {
      throw new CsvError(r.line, 1, `${r.fields.length} field${r.fields.length === 1 ? '' : 's'}, but the header has ${head.fields.length}`);
    }
    rows.push(r);
  }
  return new CsvTable(head.fields, head.line, rows, normalize);
}

// ---------------------------------------------------------------------------------------------------------
// writing

export interface CsvWriteOptions {
  delimiter?: string;
  /** Line break after every record (default "\r\n", as RFC 4180; "\n" for Unix tools). */
  eol?: '\r\n' | '\n';
  /** Prefix text cells starting with = + - @ tab or CR with a single quote (not plain numbers). Default false. */
  neutralizeFormulas?: boolean;
  /** How numbers are written (default String(n); NaN as an empty cell). */
  formatNumber?: (n: number) => string;
}

export type CsvValue = string | number | boolean | null | undefined | bigint;

const PLAIN_NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const FORMULA_START = /^[=+\-@\t\r]/;

/** One field as written: converted to text, formula-neutralized on request, quoted when needed. */
export function csvField(value: CsvValue, opts: CsvWriteOptions = {}): string {
  const delim = opts.delimiter ?? ',';
  let s: string;
  if (value === null || value === undefined) s = '';
  else if (typeof value === 'number') s = Number.isNaN(value) ? '' : (opts.formatNumber ?? String)(value);
  else if (typeof value === 'boolean' || typeof value === 'bigint') s = String(value);
  else {
    s = value;
    if (opts.neutralizeFormulas && FORMULA_START.test(s) && !PLAIN_NUMBER.test(s)) s = `'${s}`;
  }
  const needsQuotes = s.includes(delim) || s.includes('"') || s.includes('\n') || s.includes('\r') || (s !== s.trim() && s.length > 0);
  return needsQuotes ? `"${s.replaceAll('"', '""')}"` : s;
}

export function formatCsvRow(values: readonly CsvValue[], opts: CsvWriteOptions = {}): string {
  return values.map((v) => csvField(v, opts)).join(opts.delimiter ?? ',') + (opts.eol ?? '\r\n');
}

/** A whole CSV: the header (if given) and the rows, every record ended by the line break. */
export function formatCsv(rows: readonly (readonly CsvValue[])[], opts: CsvWriteOptions & { header?: readonly string[] } = {}): string {
  let out = opts.header ? formatCsvRow(opts.header, { ...opts, neutralizeFormulas: false }) : '';
  for (const r of rows) out += formatCsvRow(r, opts);
  return out;
}

/** Rows as objects: the header is the given column list, each row's cells looked up by name. */
export function formatCsvObjects<T extends object>(columns: readonly (keyof T & string)[], rows: readonly T[], opts: CsvWriteOptions = {}): string {
  return formatCsv(rows.map((r) => columns.map((c) => r[c] as CsvValue)), { ...opts, header: columns });
}
