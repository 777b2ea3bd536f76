/**
 * The columns of the trace CSVs vgsim reads, checked at the header line: two columns that give the same
 * quantity (slo_s and slo_ms, resolution and width/height, two time columns) are an error, since one would win
 * silently; a column vgsim does not read is a warning naming it — benchmarks publish extra columns (prompts,
 * notes) — with a did-you-mean where it is close to one vgsim reads (`modle`, `slo`, `frame`), since the
 * value it was meant for is then the class's default.
 */
import type { CsvTable } from '../csv.ts';
import { closest, formatIssue, type InputIssue } from '../errors.ts';

/** Time columns of a request trace, the first present one read. */
export const TIME_COLUMNS = ['timestamp_s', 'timestamp', 'arrival_s'];

/** vgsim's own trace and the DiT serving benchmarks' per-request rows (trace-formats.ts rowFrom). */
export const REQUEST_TRACE_COLUMNS: ReadonlySet<string> = new Set([
  ...TIME_COLUMNS, 'model', 'resolution', 'width', 'height', 'frames', 'num_frames', 'steps', 'num_inference_steps',
  'cfg', 'priority', 'slo_s', 'slo_ms', 'seed', 'request_id', 'id',
]);

/** vgsim-observed-trace/1 (calibration/serving/README.md): what the harness writes for each request. */
export const OBSERVED_COLUMNS: ReadonlySet<string> = new Set([
  'request_id', 'model', 'width', 'height', 'frames', 'steps', 'cfg', 'seed', 'slo_ms', 'client_send_s', 'arrival_s',
  'dispatch_s', 'start_s', 'encode_start_s', 'encode_end_s', 'denoise_start_s', 'denoise_end_s', 'decode_start_s',
  'decode_end_s', 'post_end_s', 'worker_end_s', 'finish_s', 'response_s', 'worker_cpu_s', 'host_steal_s',
  'worker_preemptions', 'worker', 'device', 'outcome', 'error',
]);

/** Columns that give one quantity: at most one of each group (resolution stands for width and height). */
const SAME_QUANTITY: { what: string; groups: string[][] }[] = [
  { what: 'the arrival time', groups: TIME_COLUMNS.map((c) => [c]) },
  { what: 'the latency SLO', groups: [['slo_s'], ['slo_ms']] },
  { what: 'the video size', groups: [['resolution'], ['width', 'height']] },
  { what: 'the frame count', groups: [['frames'], ['num_frames']] },
  { what: 'the step count', groups: [['steps'], ['num_inference_steps']] },
  { what: 'the request id', groups: [['request_id'], ['id']] },
];

/** The warning's message for a column vgsim does not read (`vgsim validate` prints these). */
export const UNREAD_COLUMN = 'not a column vgsim reads; ignored';

export interface HeaderCheck {
  /** Conflicting columns, at the header line. */
  issues: InputIssue[];
  /** Columns not read, formatted (file:line:col  name: ...). */
  warnings: string[];
}

/** The header of `table` against the columns `known` (lowercase) of its format. */
export function checkHeader(table: CsvTable, known: ReadonlySet<string>, source: string): HeaderCheck {
  const names = table.header.map((h) => h.trim().toLowerCase());
  const at = (i: number) => ({ source, line: table.headerLine, col: i + 1 });
  const issues: InputIssue[] = [];
  for (const q of SAME_QUANTITY) {
    const given = q.groups.map((g) => g.filter((c) => names.includes(c))).filter((g) => g.length > 0);
    if (given.length < 2) continue;
    const cols = given.flat();
    const last = Math.max(...cols.map((c) => names.indexOf(c)));
    issues.push({ ...at(last), path: names[last]!, message: `columns ${cols.slice(0, -1).join(', ')} and ${cols.at(-1)} ${cols.length > 2 ? 'all' : 'both'} give ${q.what}; vgsim would read one and ignore the other${cols.length > 2 ? 's' : ''}`, hint: `keep one of ${given.map((g) => g.join(' + ')).join(' or ')}` });
  }
  const warnings: string[] = [];
  names.forEach((n, i) => {
    if (known.has(n)) return;
    const near = closest(n, known);
    const hint = near.length ? `did you mean ${near.map((c) => `"${c}"`).join(' or ')}?` : undefined;
    warnings.push(formatIssue({ ...at(i), path: table.header[i]!.trim(), message: UNREAD_COLUMN, ...(hint ? { hint } : {}) }));
  });
  return { issues, warnings };
}
