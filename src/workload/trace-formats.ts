/**
 * Request traces vgsim replays as arrivals, in three formats, all read through the RFC 4180 reader
 * (src/csv.ts) with columns looked up by name (any order, any case):
 *
 *  - vgsim's own:     timestamp_s, [model, resolution | width,height, frames, steps, cfg, priority, slo_s | slo_ms]
 *  - observed traces: what calibration/serving writes (vgsim-observed-trace/1): arrival_s, request_id,
 *                     model, width, height, frames, steps, slo_ms, ... (the other columns are read by
 *                     src/calibration/observed-trace.ts)
 *  - DiT serving benchmarks' per-request rows (vllm-omni benchmarks/diffusion/diffusion_benchmark_serving.py
 *    TraceDataset fields): width, height, num_frames, num_inference_steps, seed, slo_ms, [timestamp,
 *    request_id] as CSV, or as that tool's own `Request(width=832, height=480, ...)` lines (.txt).
 *
 * Times are seconds. A trace without a time column needs a rate: its rows are then sent at a fixed interval
 * 1/rate starting at 0, as that benchmark's --request-rate does (iter_requests: one request every 1/rate s).
 * Every bad cell is reported with file:line and column name, all at once.
 */
import { CsvError, readCsvTable, type CsvRecord, type CsvTable } from '../csv.ts';
import { InputError, shown, type InputIssue } from '../errors.ts';
import { parseDecimal, parseResolution } from '../units.ts';
import { readInputText, type InputFileKind } from '../input-file.ts';
import { checkHeader, OBSERVED_COLUMNS, REQUEST_TRACE_COLUMNS, TIME_COLUMNS } from './trace-columns.ts';

/** The scenario model a trace's model name stands for: `workload.trace_models` maps it, else it is its own id. */
export function traceModelId(workload: { trace_models?: Record<string, string> }, name: string): string {
  return workload.trace_models?.[name] ?? name;
}

export interface TraceRow {
  time: number;
  model?: string;
  width?: number;
  height?: number;
  frames?: number;
  steps?: number;
  /** Classifier-free guidance (two DiT passes a step); undefined: the class's. */
  cfg?: boolean;
  priority?: number;
  /** Per-request latency SLO, seconds. */
  slo_s?: number;
  seed?: number;
  id?: string;
  /** Observed traces: the worker's encode + denoise + decode of a completed request, seconds (replay --observed-service). */
  service_s?: number;
}

export type TraceFormat = 'vgsim' | 'observed' | 'dit-benchmark';

export interface TraceFile {
  format: TraceFormat;
  rows: TraceRow[];
  /** The line of the file each row was read from (for messages). */
  lines: number[];
  /** Columns vgsim does not read (ignored), each with its file:line:col and a did-you-mean where one is close. */
  warnings: string[];
}

export { TIME_COLUMNS };

/**
 * The largest trace read (bytes): V8's longest string is 2^29 − 24 characters (v8.h String::kMaxLength on
 * 64-bit), so a larger file cannot be held as text at all.
 */
export const MAX_TRACE_BYTES = 2 ** 29 - 24;

export function readTraceFile(file: string, opts: { ratePerS?: number } = {}): TraceFile {
  return parseTrace(readInputText(file, TRACE_FILE, refuseTrace(file, 'the trace')), file, opts);
}

/** What a trace file is (src/input-file.ts): a regular CSV file a string can hold. */
export const TRACE_FILE: InputFileKind = { expected: 'a CSV file', noun: 'a trace', maxBytes: MAX_TRACE_BYTES, tooBigHint: 'split it, or replay a sample of it' };

/** Refuses `file` as an InputError naming it: "cannot read <what>: <why>". */
export function refuseTrace(file: string, what: string): (message: string, hint?: string) => never {
  return (message, hint) => {
    throw new InputError([{ source: file, path: '', message: `cannot read ${what}: ${message}`, ...(hint ? { hint } : {}) }]);
  };
}

export function parseTrace(text: string, source: string, opts: { ratePerS?: number } = {}): TraceFile {
  const firstLine = text.replace(/^\uFEFF/, '').split(/\r?\n|\r/).find((l) => l.trim() !== '' && !l.startsWith('#')) ?? '';
  if (firstLine.trimStart().startsWith('Request(')) return parseRequestLines(text, source, opts);
  let table: CsvTable;
  try {
    table = readCsvTable(text, { comment: '#' });
  } catch (e) {
    if (e instanceof CsvError) throw new InputError([{ source, line: e.line, col: e.col, path: '', message: e.reason }]);
    throw e;
  }
  const format: TraceFormat = table.has('arrival_s') && table.has('request_id') ? 'observed' : table.has('num_frames', 'num_inference_steps') ? 'dit-benchmark' : 'vgsim';
  // the columns of the format, the only ones read (an observed trace's slo_s is not its SLO)
  const known = format === 'observed' ? OBSERVED_COLUMNS : REQUEST_TRACE_COLUMNS;
  const header = checkHeader(table, known, source);
  if (header.issues.length) throw new InputError(header.issues);
  const issues: InputIssue[] = [];
  const rows: TraceRow[] = [];
  const lines: number[] = [];
  const hasTime = table.has(...TIME_COLUMNS);
  if (!hasTime && opts.ratePerS === undefined) {
    issues.push({ source, line: table.headerLine, col: 1, path: '', message: `the trace has no time column (${TIME_COLUMNS.join(', ')})`, hint: 'add one, or give workload.arrivals.rate_per_s to send the rows at a fixed interval' });
    throw new InputError(issues);
  }
  table.rows.forEach((rec, i) => {
    const cell = (...names: string[]) => {
      const v = table.get(rec, ...names.filter((n) => known.has(n)))?.trim();
      return v === undefined || v === '' ? undefined : v;
    };
    const row = rowFrom(cell, rec, source, issues, hasTime ? undefined : i / opts.ratePerS!);
    if (row) {
      rows.push(row);
      lines.push(rec.line);
    }
  });
  checkOrder(rows, table.rows, source, issues);
  if (issues.length) throw new InputError(issues);
  if (rows.length === 0) throw new InputError([{ source, path: '', message: 'the trace has a header but no requests' }]);
  return { format, rows, lines, warnings: header.warnings };
}

type Cell = (...names: string[]) => string | undefined;

function rowFrom(cell: Cell, rec: CsvRecord, source: string, issues: InputIssue[], fixedTime: number | undefined): TraceRow | undefined {
  const at = (path: string, message: string, hint?: string) => issues.push({ source, line: rec.line, col: 1, path, message, ...(hint ? { hint } : {}) });
  const before = issues.length;
  let time = fixedTime;
  if (time === undefined) {
    const t = cell(...TIME_COLUMNS);
    const n = parseDecimal(t ?? '');
    if (t === undefined || !Number.isFinite(n) || n < 0) at(TIME_COLUMNS.find((c) => cell(c) !== undefined) ?? 'timestamp_s', `expected a non-negative number of seconds, got ${t === undefined ? 'an empty cell' : `"${t}"`}`);
    else time = n;
  }
  const row: TraceRow = { time: time ?? 0 };
  const model = cell('model');
  if (model) row.model = model;
  const res = cell('resolution');
  if (res) {
    const r = parseResolution(res);
    if (!r) at('resolution', `expected WIDTHxHEIGHT (e.g. 1280x720) or 480p/720p, got "${res}"`);
    else Object.assign(row, r);
  }
  const int = (key: 'width' | 'height' | 'frames' | 'steps' | 'priority' | 'seed', names: string[], min: number) => {
    const v = cell(...names);
    if (v === undefined) return;
    const n = parseDecimal(v);
    if (!Number.isInteger(n) || n < min) at(names[0]!, `expected ${min > 0 ? 'a positive integer' : min === 0 ? 'a non-negative integer' : 'an integer'}, got "${v}"`);
    else row[key] = n;
  };
  int('width', ['width'], 1);
  int('height', ['height'], 1);
  if ((row.width === undefined) !== (row.height === undefined)) at(row.width === undefined ? 'width' : 'height', 'width and height go together (or give resolution)');
  int('frames', ['frames', 'num_frames'], 1);
  int('steps', ['steps', 'num_inference_steps'], 1);
  const cfg = cell('cfg');
  if (cfg !== undefined) {
    const b = parseBoolCell(cfg);
    if (b === undefined) at('cfg', `expected true or false, got ${shown(cfg)}`, BOOL_HINT);
    else row.cfg = b;
  }
  int('priority', ['priority'], 0);
  if (row.priority !== undefined && row.priority > 9) at('priority', `expected 0..9, got ${row.priority}`);
  int('seed', ['seed'], Number.MIN_SAFE_INTEGER);
  const sloS = cell('slo_s');
  const sloMs = cell('slo_ms');
  if (sloS !== undefined || sloMs !== undefined) {
    const n = parseDecimal((sloS ?? sloMs)!);
    if (!(Number.isFinite(n) && n > 0)) at(sloS !== undefined ? 'slo_s' : 'slo_ms', `expected a positive number, got "${sloS ?? sloMs}"`);
    else row.slo_s = sloS !== undefined ? n : n / 1000;
  }
  const id = cell('request_id', 'id');
  if (id !== undefined) row.id = id;
  // an observed trace's stage boundaries: the worker's own time for the request (calibration/serving's format)
  const span = (a: string, b: string) => parseDecimal(cell(b) ?? '') - parseDecimal(cell(a) ?? '');
  const stages = span('encode_start_s', 'encode_end_s') + span('denoise_start_s', 'denoise_end_s') + span('decode_start_s', 'decode_end_s');
  if (cell('outcome') === 'completed' && Number.isFinite(stages) && stages > 0) row.service_s = stages;
  return issues.length > before ? undefined : row;
}

/** A boolean cell: true/false in any case (Python writes True), or 1/0; undefined for anything else. */
export function parseBoolCell(v: string): boolean | undefined {
  const s = v.trim().toLowerCase();
  return s === 'true' || s === '1' ? true : s === 'false' || s === '0' ? false : undefined;
}

export const BOOL_HINT = 'true or false (any case), or 1 or 0';

function checkOrder(rows: TraceRow[], recs: CsvRecord[], source: string, issues: InputIssue[]): void {
  let prev = -Infinity;
  rows.forEach((r, i) => {
    if (r.time < prev) issues.push({ source, line: recs[i]?.line, col: 1, path: 'timestamp_s', message: `times must not decrease (${r.time} after ${prev})`, hint: 'sort the trace by arrival time' });
    prev = Math.max(prev, r.time);
  });
}

// ---------------------------------------------------------------------------------------------------------
// vllm-omni's `Request(key=value, ...)` lines

function parseRequestLines(text: string, source: string, opts: { ratePerS?: number }): TraceFile {
  const issues: InputIssue[] = [];
  const rows: TraceRow[] = [];
  const recs: CsvRecord[] = [];
  const parsed: { line: number; kv: Map<string, string> }[] = [];
  text.replace(/^\uFEFF/, '').split(/\r\n|\n|\r/).forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    if (!line.startsWith('Request(') || !line.endsWith(')')) {
      issues.push({ source, line: i + 1, col: 1, path: '', message: 'expected a Request(key=value, ...) line' });
      return;
    }
    try {
      parsed.push({ line: i + 1, kv: pythonKwargs(line.slice('Request('.length, -1)) });
    } catch (e) {
      issues.push({ source, line: i + 1, col: 1, path: '', message: (e as Error).message });
    }
  });
  const hasTime = parsed.some((p) => p.kv.has('timestamp'));
  if (!hasTime && opts.ratePerS === undefined && parsed.length > 0) {
    issues.push({ source, line: parsed[0]!.line, col: 1, path: '', message: 'the Request(...) lines have no timestamp', hint: 'give workload.arrivals.rate_per_s to send them at a fixed interval' });
  }
  if (issues.length) throw new InputError(issues);
  parsed.forEach((p, i) => {
    const rec: CsvRecord = { line: p.line, fields: [] };
    const cell: Cell = (...names) => {
      for (const n of names) {
        const v = p.kv.get(n);
        if (v !== undefined && v !== 'None') return v;
      }
      return undefined;
    };
    const row = rowFrom(cell, rec, source, issues, hasTime ? undefined : i / opts.ratePerS!);
    if (row) {
      rows.push(row);
      recs.push(rec);
    }
  });
  checkOrder(rows, recs, source, issues);
  if (issues.length) throw new InputError(issues);
  return { format: 'dit-benchmark', rows, lines: recs.map((r) => r.line), warnings: [] };
}

/**
 * `a=1, b='x, y', c=None, d=[1, 2]` → {a: "1", b: "x, y", c: "None", d: "[1, 2]"}: Python keyword
 * arguments with literal values (numbers, quoted strings with backslash escapes, None/True/False, and
 * bracketed values kept as text).
 */
export function pythonKwargs(s: string): Map<string, string> {
  const out = new Map<string, string>();
  let i = 0;
  const skipSpace = () => {
    while (i < s.length && /\s/.test(s[i]!)) i++;
  };
  while (true) {
    skipSpace();
    if (i >= s.length) return out;
    const m = /^[A-Za-z_]\w*/.exec(s.slice(i));
    if (!m) throw new Error(`expected a keyword at "${s.slice(i, i + 20)}"`);
    const key = m[0];
    i += key.length;
    skipSpace();
    if (s[i] !== '=') throw new Error(`expected "=" after ${key}`);
    i++;
    skipSpace();
    let value: string;
    const q = s[i];
    if (q === '"' || q === "'") {
      i++;
      value = '';
      while (i < s.length && s[i] !== q) {
        if (s[i] === '\\' && i + 1 < s.length) {
          const e = s[i + 1]!;
          value += e === 'n' ? '\n' : e === 't' ? '\t' : e;
          i += 2;
        } else value += s[i++];
      }
      if (s[i] !== q) throw new Error(`unterminated string in ${key}`);
      i++;
    } else {
      const from = i;
      let depth = 0;
      while (i < s.length && !(depth === 0 && s[i] === ',')) {
        if ('([{'.includes(s[i]!)) depth++;
        else if (')]}'.includes(s[i]!)) depth--;
        i++;
      }
      value = s.slice(from, i).trim();
      const token = /^\S+/.exec(value)?.[0] ?? '';
      if (!'([{'.includes(value[0] ?? '') && token !== value) throw new Error(`expected "," after ${key}=${token}`);
    }
    out.set(key.toLowerCase(), value);
    skipSpace();
    if (i < s.length) {
      if (s[i] !== ',') throw new Error(`expected "," after ${key}=${value}`);
      i++;
    }
  }
}
