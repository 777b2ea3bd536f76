import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { CsvError, csvField, formatCsv, formatCsvObjects, parseCsv, readCsvTable } from '../src/csv.ts';
import { RandomStreams } from '../src/engine/index.ts';

const fields = (text: string, opts = {}) => parseCsv(text, opts).map((r) => r.fields);

describe('CSV reading (RFC 4180)', () => {
  it('splits records and fields; CRLF, LF and lone CR all end a record', () => {
    expect(fields('a,b\r\nc,d\r\n')).toEqual([['a', 'b'], ['c', 'd']]);
    expect(fields('a,b\nc,d')).toEqual([['a', 'b'], ['c', 'd']]);
    expect(fields('a,b\rc,d\r')).toEqual([['a', 'b'], ['c', 'd']]);
    expect(fields('a\r\nb\nc\rd')).toEqual([['a'], ['b'], ['c'], ['d']]);
  });

  it('keeps empty fields, including a trailing one', () => {
    expect(fields(',a,,b,')).toEqual([['', 'a', '', 'b', '']]);
    expect(fields('"",x')).toEqual([['', 'x']]);
  });

  it('quoted fields hold commas, doubled quotes and line breaks (RFC 4180 §2.6-2.7)', () => {
    expect(fields('"a,b","say ""hi""","line1\r\nline2","x\ny"\r\nnext,row')).toEqual([
      ['a,b', 'say "hi"', 'line1\r\nline2', 'x\ny'],
      ['next', 'row'],
    ]);
  });

  it('numbers records by the physical line they start on, across multi-line fields', () => {
    const recs = parseCsv('h1,h2\n"multi\nline\nfield",1\nlast,2\n');
    expect(recs.map((r) => r.line)).toEqual([1, 2, 5]);
    const crlf = parseCsv('h\r\n"a\r\nb"\r\n\r\nc\r\n');
    expect(crlf.map((r) => [r.line, r.fields[0]])).toEqual([[1, 'h'], [2, 'a\r\nb'], [5, 'c']]);
  });

  it('skips a UTF-8 byte-order mark, blank lines and (when asked) comment lines', () => {
    expect(fields('\uFEFFname,x\n\n1,2\n')).toEqual([['name', 'x'], ['1', '2']]);
    expect(fields('# a comment, with "quotes\nh\n#another\n1\n', { comment: '#' })).toEqual([['h'], ['1']]);
    // without the option a # line is data
    expect(fields('#x,y\n')).toEqual([['#x', 'y']]);
    // a quoted field may start with the comment character
    expect(fields('h\n"#1"\n', { comment: '#' })).toEqual([['h'], ['#1']]);
  });

  it('keeps a quote inside an unquoted field as a character (as Python csv)', () => {
    expect(fields('5",a"b')).toEqual([['5"', 'a"b']]);
  });

  it('other delimiters', () => {
    expect(fields('a;"b;c"\n1;2', { delimiter: ';' })).toEqual([['a', 'b;c'], ['1', '2']]);
    expect(fields('a\tb', { delimiter: '\t' })).toEqual([['a', 'b']]);
    expect(() => parseCsv('a', { delimiter: '"' })).toThrow(/delimiter/);
  });

  it('an unclosed quote is an error at the line and column where it opened', () => {
    try {
      parseCsv('a,b\n1,"open\nstill open\n');
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(CsvError);
      expect((e as CsvError).line).toBe(2);
      expect((e as CsvError).col).toBe(3);
      expect((e as CsvError).message).toMatch(/never closed/);
    }
  });

  it('a character after a closing quote is an error with its position', () => {
    try {
      parseCsv('x\n"ab"c,d\n');
      expect.unreachable();
    } catch (e) {
      expect((e as CsvError).line).toBe(2);
      expect((e as CsvError).col).toBe(5);
      expect((e as CsvError).message).toMatch(/after a closing quote/);
    }
  });
});

describe('CSV tables (header mapped by name)', () => {
  it('looks columns up by name, case- and space-insensitively, with aliases', () => {
    const t = readCsvTable('Timestamp_S , Num_Frames,"slo,ms"\r\n1.5,81,"2,000"\r\n');
    expect(t.column('timestamp_s')).toBe(0);
    expect(t.column('frames', 'num_frames')).toBe(1);
    expect(t.get(t.rows[0]!, 'slo,ms')).toBe('2,000');
    expect(t.get(t.rows[0]!, 'absent')).toBeUndefined();
    expect(t.has('absent', 'num_frames')).toBe(true);
    expect(t.rows[0]!.line).toBe(2);
  });

  it('column order does not matter', () => {
    const a = readCsvTable('x,y\n1,2\n');
    const b = readCsvTable('y,x\n2,1\n');
    expect(a.get(a.rows[0]!, 'x')).toBe(b.get(b.rows[0]!, 'x'));
  });

  it('ragged rows, duplicate and empty header names and empty files are errors', () => {
    expect(() => readCsvTable('a,b\n1\n')).toThrow(/line 2.*1 field, but the header has 2/);
    expect(() => readCsvTable('a,b\n1,2,3\n')).toThrow(/3 fields/);
    expect(readCsvTable('a,b\n1\n', { allowRagged: true }).get(readCsvTable('a,b\n1\n', { allowRagged: true }).rows[0]!, 'b')).toBe('');
    expect(() => readCsvTable('a,A\n')).toThrow(/twice/);
    expect(() => readCsvTable('a,,b\n')).toThrow(/column 2 has no name/);
    expect(() => readCsvTable('')).toThrow(/no header/);
  });
});

describe('CSV writing', () => {
  it('quotes only what needs it, doubling quotes', () => {
    expect(csvField('plain')).toBe('plain');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('two\nlines')).toBe('"two\nlines"');
    expect(csvField('cr\r')).toBe('"cr\r"');
    expect(csvField(' padded ')).toBe('" padded "');
    expect(csvField('')).toBe('');
    expect(csvField(null)).toBe('');
    expect(csvField(undefined)).toBe('');
    expect(csvField(1.25)).toBe('1.25');
    expect(csvField(NaN)).toBe('');
    expect(csvField(true)).toBe('true');
    expect(csvField('a;b', { delimiter: ';' })).toBe('"a;b"');
  });

  it('ends every record with CRLF by default (RFC 4180), LF on request', () => {
    expect(formatCsv([[1, 'a']], { header: ['n', 's'] })).toBe('n,s\r\n1,a\r\n');
    expect(formatCsv([[1, 'a']], { eol: '\n' })).toBe('1,a\n');
    expect(formatCsvObjects(['b', 'a'], [{ a: 1, b: 'x,y' }])).toBe('b,a\r\n"x,y",1\r\n');
  });

  it('neutralizes spreadsheet formulas on request, leaving numbers and plain text alone', () => {
    const n = { neutralizeFormulas: true };
    expect(csvField('=HYPERLINK("http://x","y")', n)).toBe(`"'=HYPERLINK(""http://x"",""y"")"`);
    expect(csvField('+cmd', n)).toBe("'+cmd");
    expect(csvField('-2+3', n)).toBe("'-2+3");
    expect(csvField('@SUM(A1)', n)).toBe("'@SUM(A1)");
    expect(csvField('\tx', n)).toBe("'\tx");
    expect(csvField('-1.5', n)).toBe('-1.5');
    expect(csvField('+3e-2', n)).toBe('+3e-2');
    expect(csvField(-4, n)).toBe('-4');
    expect(csvField('a=b', n)).toBe('a=b');
    expect(csvField('=x')).toBe('=x'); // off unless asked
    // header names are never rewritten
    expect(formatCsv([['=1+1']], { header: ['-col'], neutralizeFormulas: true })).toBe("-col\r\n'=1+1\r\n");
  });

  it('round-trips random fields through write and read (commas, quotes, CR/LF, unicode)', () => {
    const rng = new RandomStreams(7).stream('csv');
    const alphabet = ['a', 'Z', '0', ',', '"', '\n', '\r', '\r\n', ' ', 'é', '日', ';', '#', '='];
    for (let trial = 0; trial < 200; trial++) {
      const nFields = 1 + Math.floor(rng.uniform() * 5);
      const rows: string[][] = [];
      for (let r = 0; r < 1 + Math.floor(rng.uniform() * 4); r++) {
        const row: string[] = [];
        for (let f = 0; f < nFields; f++) {
          let s = '';
          const len = Math.floor(rng.uniform() * 6);
          for (let k = 0; k < len; k++) s += alphabet[Math.floor(rng.uniform() * alphabet.length)];
          row.push(s);
        }
        // a row that is one empty field is a blank line, which readers skip
        if (row.length === 1 && row[0] === '') row[0] = 'x';
        rows.push(row);
      }
      const eol = trial % 2 ? '\n' : '\r\n';
      expect(fields(formatCsv(rows, { eol }), { skipEmptyLines: false })).toEqual(rows);
    }
  });

  it("reads what Python's csv module writes, and Python reads what we write", () => {
    const py = (code: string, input?: string) => execFileSync('python3', ['-c', code], { input, encoding: 'utf8' });
    let pyOut: string;
    try {
      pyOut = py('import csv,sys; w=csv.writer(sys.stdout); w.writerow(["a,b", \'q"uote\', "multi\\nline", "", " sp "]); w.writerow([1, -2.5, "=x"])');
    } catch {
      return; // no python3 on this machine: the other tests still cover the format
    }
    expect(fields(pyOut)).toEqual([['a,b', 'q"uote', 'multi\nline', '', ' sp '], ['1', '-2.5', '=x']]);
    const ours = formatCsv([['a,b', 'q"uote', 'multi\r\nline', '', ' sp ']]);
    const back = py('import csv,sys,json; print(json.dumps(list(csv.reader(sys.stdin))))', ours);
    expect(JSON.parse(back)).toEqual([['a,b', 'q"uote', 'multi\r\nline', '', ' sp ']]);
  });
});
