/**
 * A replayed trace checked at load time (so `vgsim validate` opens it): the file is read as the runtime reads
 * it (workload/trace-formats.ts: regular file, every cell parsed, times in order), and every row gets the
 * rules a mix class gets — its model exists and a pool serves it, and its shape (the row's values, else the
 * first mix class's, as the runtime fills them in) is one the model can run (workload/shape-limits.ts).
 * Problems name the trace's file:line and column.
 */
import { statSync } from 'node:fs';
import { InputError, didYouMean, shown, type InputIssue } from '../errors.ts';
import { readTraceFile, traceModelId, type TraceFile } from '../workload/trace-formats.ts';
import { listModels } from '../workload/request.ts';
import { shapeProblems } from '../workload/shape-limits.ts';
import type { Scenario } from './schema.ts';
import { modelOf } from './rules.ts';

/** At most this many row problems are listed (a broken trace can have millions). */
const MAX_ROW_ISSUES = 20;

/**
 * The last trace read (sweep workers load the same scenario for every point): reused while the file keeps
 * its size and modification time.
 */
let last: { key: string; trace: TraceFile | InputError } | undefined;

function readCached(file: string, ratePerS: number | undefined): TraceFile {
  let key: string | undefined;
  try {
    const st = statSync(file);
    key = `${file}|${st.size}|${st.mtimeMs}|${st.ino}|${ratePerS}`;
  } catch {
    key = undefined; // reported by readTraceFile
  }
  if (key !== undefined && last?.key === key) {
    if (last.trace instanceof InputError) throw last.trace;
    return last.trace;
  }
  try {
    const trace = readTraceFile(file, { ratePerS });
    if (key !== undefined && trace.rows.length <= 1_000_000) last = { key, trace };
    return trace;
  } catch (e) {
    if (e instanceof InputError && key !== undefined) last = { key, trace: e };
    throw e;
  }
}

/**
 * The problems of the trace at `file` (absolute) for scenario `s`, served by pools of `served` models; a
 * problem of the whole file (not found, a directory) is reported where the scenario names it (`named`).
 */
export function checkTrace(s: Scenario, file: string, served: ReadonlySet<string>, named: Pick<InputIssue, 'source' | 'line' | 'col'>): InputIssue[] {
  const arr = s.workload.arrivals;
  if (arr.process !== 'trace') return [];
  let trace: TraceFile;
  try {
    trace = readCached(file, arr.rate_per_s);
  } catch (e) {
    if (e instanceof InputError) return e.issues.slice(0, MAX_ROW_ISSUES).map((i) => (i.source === file && i.line === undefined ? { ...i, ...named, path: 'workload.arrivals.file', message: `${file}: ${i.message}` } : i));
    throw e;
  }
  const issues: InputIssue[] = [];
  const base = s.workload.mix[0]!;
  const baseModel = base.model ?? s.model;
  const ids = listModels().map((m) => m.id);
  let more = 0;
  // the hint is worked out only for a problem that is listed (a did-you-mean over every row took minutes)
  const at = (line: number | undefined, path: string, message: string, hint?: string | (() => string | undefined)) => {
    if (issues.length >= MAX_ROW_ISSUES) return void more++;
    const h = typeof hint === 'function' ? hint() : hint;
    issues.push({ source: file, ...(line !== undefined ? { line, col: 1 } : {}), path, message, ...(h ? { hint: h } : {}) });
  };
  const seen = new Set<string>();
  // a model no pool serves is one problem however many rows name it: at its first row, with the count
  const unserved = new Map<string, { line: number | undefined; column: string; rows: number; name: string }>();
  trace.rows.forEach((row, r) => {
    const line = trace.lines[r];
    const id = row.model !== undefined ? traceModelId(s.workload, row.model) : baseModel;
    const model = modelOf(id);
    const column = row.model !== undefined ? 'model' : 'workload.mix.0.model';
    if (!model) {
      at(line, column, `unknown model ${shown(id)}`, () => didYouMean(id, ids) ?? `known: ${ids.join(', ')}`);
      return;
    }
    if (!served.has(model.id)) {
      const u = unserved.get(model.id);
      if (u) u.rows++;
      else unserved.set(model.id, { line, column, rows: 1, name: row.model ?? model.id });
    }
    const shape = {
      width: row.width ?? base.resolution?.width ?? model.defaults.width,
      height: row.height ?? base.resolution?.height ?? model.defaults.height,
      frames: row.frames ?? base.frames ?? model.defaults.frames,
      steps: row.steps ?? base.steps ?? model.defaults.steps,
    };
    // a shape is judged once per model (a trace repeats a few shapes many times)
    const key = `${model.id}|${shape.width}|${shape.height}|${shape.frames}|${shape.steps}`;
    if (seen.has(key)) return;
    seen.add(key);
    for (const p of shapeProblems(model, shape)) {
      // a problem of a value the row does not give is the first mix class's (reported there)
      if (p.field === 'resolution' ? row.width !== undefined : row[p.field] !== undefined) at(line, p.field, p.message, p.hint);
    }
  });
  for (const [id, u] of unserved) {
    const mapped = u.name !== id ? ` (the trace's "${u.name}", mapped by workload.trace_models)` : '';
    at(u.line, u.column, `no deployment pool serves model "${id}"${mapped}: ${u.rows} row${u.rows === 1 ? '' : 's'} of the trace, the first here`, `add a pool with model: ${id}${mapped ? '' : `, or map the trace's name to a served model with workload.trace_models (e.g. trace_models: { ${u.name}: ${[...served][0] ?? '<model>'} })`}`);
  }
  issues.sort((a, b) => (a.line ?? 0) - (b.line ?? 0)); // in file order (the unserved models were added last)
  if (more > 0) issues.push({ source: file, path: '', message: `and ${more} more problem${more === 1 ? '' : 's'} in the trace` });
  return issues;
}
