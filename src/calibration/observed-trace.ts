/**
 * Observed traces (vgsim-observed-trace/1): what a real server did with each request, written by
 * calibration/serving (format: calibration/serving/README.md). A CSV, one row per request in arrival order,
 * times in seconds since the run's start, plus a sidecar JSON with the same name (machine, software, load).
 *
 * Derived per request, the same way for observed and simulated requests (metrics.ts):
 *   latency    = response_s − arrival_s (finish_s when there is no response time)
 *   queue wait = dispatch_s − arrival_s (start_s when there is no dispatch time)
 *   occupancy  = finish_s − dispatch_s: how long the request held its worker
 */
import { existsSync } from 'node:fs';
import { CsvError, readCsvTable, type CsvRecord } from '../csv.ts';
import { InputError, didYouMean, shown, type InputIssue } from '../errors.ts';
import { readInputText } from '../input-file.ts';
import { BOOL_HINT, parseBoolCell, refuseTrace, TRACE_FILE } from '../workload/trace-formats.ts';
import { checkHeader, OBSERVED_COLUMNS } from '../workload/trace-columns.ts';
import { parseDecimal } from '../units.ts';

export const OBSERVED_FORMAT = 'vgsim-observed-trace/1';

/** Times of one request (seconds since the run's start); undefined where the request never got there. */
export interface ObservedRequest {
  line: number;
  id: string;
  model: string;
  width: number;
  height: number;
  frames: number;
  steps: number;
  cfg: boolean;
  slo_s?: number;
  arrival: number;
  dispatch?: number;
  start?: number;
  encodeStart?: number;
  encodeEnd?: number;
  denoiseStart?: number;
  denoiseEnd?: number;
  decodeStart?: number;
  decodeEnd?: number;
  postEnd?: number;
  workerEnd?: number;
  finish?: number;
  response?: number;
  /** CPU seconds the worker process used for the request (worker_cpu_s; a duration, not a time). */
  workerCpu?: number;
  /** The host's steal time over the request (host_steal_s: CPU seconds given to other guests, summed over CPUs). */
  hostSteal?: number;
  worker?: string;
  outcome: 'completed' | 'failed' | 'dropped';
  error?: string;
}

export interface ObservedTrace {
  file: string;
  /** The sidecar JSON, when present. */
  meta: Record<string, any> | undefined;
  requests: ObservedRequest[];
  /** Columns the format does not have (ignored), with file:line:col and a did-you-mean where one is close. */
  warnings?: string[];
}

const TIME_COLUMNS = {
  dispatch: 'dispatch_s', start: 'start_s', encodeStart: 'encode_start_s', encodeEnd: 'encode_end_s',
  denoiseStart: 'denoise_start_s', denoiseEnd: 'denoise_end_s', decodeStart: 'decode_start_s', decodeEnd: 'decode_end_s',
  postEnd: 'post_end_s', workerEnd: 'worker_end_s', finish: 'finish_s', response: 'response_s',
} as const;
/** The order the times of a request must follow (each present one ≥ the previous present one). */
const SEQUENCE = ['arrival', 'dispatch', 'start', 'encodeStart', 'encodeEnd', 'denoiseStart', 'denoiseEnd', 'decodeStart', 'decodeEnd', 'postEnd', 'workerEnd', 'finish', 'response'] as const;
/** Clock slack between processes of one host (µs-resolution monotonic clock, 6 decimals written). */
const SLACK_S = 2e-6;

export function sidecarPath(file: string): string {
  return file.replace(/\.csv$/i, '') + '.json';
}

/** The largest sidecar read (bytes): the harness writes about 2 kB. */
export const MAX_SIDECAR_BYTES = 1 << 20;

export function readObservedTrace(file: string): ObservedTrace {
  const refuse = refuseTrace(file, 'the observed trace');
  const text = readInputText(file, TRACE_FILE, (message, hint) => refuse(message, hint ?? (/directory/.test(message) ? 'give the trace CSV inside it, e.g. load85.csv' : undefined)));
  const side = sidecarPath(file);
  let meta: Record<string, any> | undefined;
  if (existsSync(side)) {
    const sideText = readInputText(side, { expected: 'a JSON file', noun: 'a sidecar', maxBytes: MAX_SIDECAR_BYTES, textOnly: true }, refuseTrace(side, "the observed trace's sidecar"));
    try {
      meta = JSON.parse(sideText);
    } catch (e) {
      throw new InputError([{ source: side, path: '', message: `the sidecar is not valid JSON: ${(e as Error).message}` }]);
    }
    if (meta?.format !== undefined && meta.format !== OBSERVED_FORMAT) throw new InputError([{ source: side, path: 'format', message: `expected "${OBSERVED_FORMAT}", got ${shown(meta.format)}` }]);
    const issues = sidecarIssues(meta, side);
    if (issues.length) throw new InputError(issues);
  }
  const warnings: string[] = [];
  return { file, meta, requests: parseObserved(text, file, warnings), warnings };
}

/**
 * The fields of the sidecar vgsim reads (replay's warnings and device line, the worker count), checked for their
 * type: a `workers` that was not a list of objects crashed replay (exit 1). Other fields are the harness's own.
 */
function sidecarIssues(meta: unknown, source: string): InputIssue[] {
  const issues: InputIssue[] = [];
  const bad = (path: string, expected: string, v: unknown) => issues.push({ source, path, message: `expected ${expected}, got ${shown(v)}`, hint: `the sidecar the harness writes beside the trace (${OBSERVED_FORMAT}, calibration/serving/README.md)` });
  const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
  if (!isObject(meta)) return bad('', 'a JSON object', meta), issues;
  const fields = (obj: Record<string, unknown>, at: string, types: Record<string, 'string' | 'number' | 'boolean'>) => {
    for (const [k, t] of Object.entries(types)) {
      const v = obj[k];
      if (v !== undefined && v !== null && typeof v !== t) bad(`${at}${k}`, `a ${t}`, v);
    }
  };
  const section = (k: string, types: Record<string, 'string' | 'number' | 'boolean'>) => {
    const v = meta[k];
    if (v === undefined || v === null) return;
    if (!isObject(v)) bad(k, 'an object', v);
    else fields(v, `${k}.`, types);
  };
  section('server', { workers: 'number', routing: 'string', worker: 'string', device: 'string', threads: 'number', tiny: 'boolean' });
  section('host', { cpu: 'string' });
  const workers = meta.workers;
  if (workers !== undefined && workers !== null) {
    if (!Array.isArray(workers)) bad('workers', 'a list of worker objects', workers);
    else workers.forEach((w, i) => (isObject(w) ? fields(w, `workers.${i}.`, { gpu_name: 'string', device: 'string' }) : bad(`workers.${i}`, 'a worker object ({device, gpu_name, ...})', w)));
  }
  return issues.slice(0, 20);
}

/** The requests of an observed trace; columns it does not read are added to `warnings`. */
export function parseObserved(text: string, source: string, warnings: string[] = []): ObservedRequest[] {
  let table;
  try {
    table = readCsvTable(text);
  } catch (e) {
    if (e instanceof CsvError) throw new InputError([{ source, line: e.line, col: e.col, path: '', message: e.reason }]);
    throw e;
  }
  const required = ['request_id', 'arrival_s', 'outcome', 'width', 'height', 'frames', 'steps'];
  const missing = required.filter((c) => !table.has(c));
  if (missing.length) {
    // a request trace (vgsim's, a DiT benchmark's) says what was asked, not what the server did with it
    const requestTrace = !table.has('outcome', 'finish_s') && table.has('timestamp_s', 'timestamp', 'num_frames', 'num_inference_steps', 'resolution');
    const hint = requestTrace
      ? `this is a request trace (what was asked), not an observed trace (what the server did): send it to your server with calibration/serving/harness.py run --arrivals trace --trace FILE (--rate R where it has no time column), which writes the ${OBSERVED_FORMAT} trace to replay; or simulate it with workload.arrivals: {process: trace, file: FILE}`
      : `the format is ${OBSERVED_FORMAT}: calibration/serving/README.md`;
    // a misspelt column (arival_s): name the header cell it probably is
    const unknown = table.header.map((h) => h.trim().toLowerCase()).filter((h) => !(required as string[]).includes(h));
    const near = missing.flatMap((m) => {
      const at = unknown.find((h) => didYouMean(h, [m]) !== undefined);
      return at !== undefined ? [`"${at}" for ${m}?`] : [];
    });
    throw new InputError([{ source, line: table.headerLine, col: 1, path: '', message: `not an observed trace: no ${missing.join(', ')} column${missing.length > 1 ? 's' : ''}${near.length ? ` (a misspelt column: ${near.join(', ')})` : ''}`, hint }]);
  }
  const header = checkHeader(table, OBSERVED_COLUMNS, source);
  if (header.issues.length) throw new InputError(header.issues);
  warnings.push(...header.warnings);
  const issues: InputIssue[] = [];
  const out: ObservedRequest[] = [];
  let prevArrival = -Infinity;
  const lineOfId = new Map<string, number>();
  // the column of a cell, as the header warnings give it (1 where the trace has no such column)
  const colOf = (name: string) => table.column(name) + 1 || 1;
  for (const rec of table.rows) {
    const r = requestFrom(rec, (name) => table.get(rec, name)?.trim() ?? '', source, issues, colOf);
    if (!r) continue;
    // one row a request: a repeated id would be compared twice against one simulated request
    const first = lineOfId.get(r.id);
    if (first !== undefined) issues.push({ source, line: rec.line, col: colOf('request_id'), path: 'request_id', message: `request ${JSON.stringify(r.id)} appears twice (first on line ${first})` });
    else lineOfId.set(r.id, rec.line);
    if (r.arrival < prevArrival) issues.push({ source, line: rec.line, col: colOf('arrival_s'), path: 'arrival_s', message: `rows must be in arrival order (${r.arrival} after ${prevArrival})`, hint: 'sort the rows by arrival_s' });
    prevArrival = Math.max(prevArrival, r.arrival);
    out.push(r);
  }
  if (issues.length) throw new InputError(issues.slice(0, 50));
  if (out.length === 0) throw new InputError([{ source, path: '', message: 'the trace has no requests' }]);
  return out;
}

function requestFrom(rec: CsvRecord, cell: (name: string) => string, source: string, issues: InputIssue[], colOf: (name: string) => number): ObservedRequest | undefined {
  const before = issues.length;
  const at = (path: string, message: string) => issues.push({ source, line: rec.line, col: colOf(path), path, message });
  const num = (name: string, required: boolean): number | undefined => {
    const v = cell(name);
    if (v === '') {
      if (required) at(name, 'missing');
      return undefined;
    }
    const n = parseDecimal(v);
    if (!Number.isFinite(n)) at(name, `expected a number, got ${shown(v)}`);
    return n;
  };
  const int = (name: string) => {
    const n = num(name, true);
    // (a cell that is no number at all was refused by num already: it was reported twice)
    if (n !== undefined && Number.isFinite(n) && !(Number.isInteger(n) && n > 0)) at(name, `expected a positive integer, got "${cell(name)}"`);
    return n ?? 0;
  };
  const outcome = cell('outcome');
  if (outcome !== 'completed' && outcome !== 'failed' && outcome !== 'dropped') at('outcome', `expected completed, failed or dropped, got "${outcome}"`);
  const sloMs = num('slo_ms', false);
  // an empty cfg is the harness's default, guidance on
  const cfg = cell('cfg') === '' ? true : parseBoolCell(cell('cfg'));
  if (cfg === undefined) issues.push({ source, line: rec.line, col: colOf('cfg'), path: 'cfg', message: `expected true or false, got ${shown(cell('cfg'))}`, hint: BOOL_HINT });
  const r: ObservedRequest = {
    line: rec.line, id: cell('request_id'), model: cell('model'), width: int('width'), height: int('height'), frames: int('frames'), steps: int('steps'),
    cfg: cfg ?? true, arrival: num('arrival_s', true) ?? 0, outcome: outcome as ObservedRequest['outcome'],
    ...(sloMs !== undefined && sloMs > 0 ? { slo_s: sloMs / 1000 } : {}),
  };
  for (const [key, col] of Object.entries(TIME_COLUMNS)) {
    const v = num(col, false);
    if (v !== undefined) r[key as keyof typeof TIME_COLUMNS] = v;
  }
  const cpu = num('worker_cpu_s', false);
  if (cpu !== undefined) {
    if (cpu < 0) at('worker_cpu_s', `expected a non-negative number of seconds, got "${cell('worker_cpu_s')}"`);
    else r.workerCpu = cpu;
  }
  const steal = num('host_steal_s', false);
  if (steal !== undefined) {
    if (steal < 0) at('host_steal_s', `expected a non-negative number of seconds, got "${cell('host_steal_s')}"`);
    else r.hostSteal = steal;
  }
  if (cell('worker') !== '') r.worker = cell('worker');
  if (cell('error') !== '') r.error = cell('error');
  if (outcome === 'completed' && r.finish === undefined) at('finish_s', 'a completed request needs its finish time');
  let prev: { key: string; t: number } | undefined;
  for (const key of SEQUENCE) {
    const t = r[key];
    if (t === undefined) continue;
    if (prev && t < prev.t - SLACK_S) {
      at(colName(key), `${colName(key)} (${t}) is before ${colName(prev.key)} (${prev.t})`);
      break;
    }
    prev = { key, t };
  }
  return issues.length > before ? undefined : r;
}

function colName(key: string): string {
  return key === 'arrival' ? 'arrival_s' : TIME_COLUMNS[key as keyof typeof TIME_COLUMNS];
}

/** Workers of the run: the sidecar's server.workers, else the distinct worker ids seen. */
export function workerCount(t: ObservedTrace): number {
  const n = t.meta?.server?.workers;
  if (typeof n === 'number' && n > 0) return n;
  return new Set(t.requests.map((r) => r.worker).filter((w) => w !== undefined)).size;
}
