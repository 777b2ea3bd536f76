/**
 * The files of a sweep, and merging shards back into them.
 *
 *   DIR/points.jsonl   one JSON line per run, in id order: id, point, replicate, seed, label, variant,
 *                      parameters, status, and the run summary (or the error)
 *   DIR/points.csv     the same runs as flat columns: parameters and key metrics
 *   DIR/summary.csv    one row per point: parameters, meets_objectives and reason, metrics (pooled over replicates)
 *   DIR/sweep.json     the plan (spec, parameters, hash), every run's key metrics, every point's verdict
 *                      against the objectives and metrics (with 95% intervals over replicates), the best
 *                      points among those that meet the objectives, the errors, and what the numbers rest
 *                      on (evidence_lines, as the text prints them)
 *   DIR/sweep.html, DIR/charts/sweep-*.svg|png, and for ≤ 12 runs DIR/compare.html (report.ts)
 *
 * A shard (`--shard i/N`) writes DIR/shard-i-of-N/{points.jsonl, points.csv, shard.json}; shard.json holds
 * the whole plan and its hash, so `vgsim merge` can check that the shards belong to one sweep and cover
 * every run exactly once, then write the files above byte for byte as an unsharded run would (with
 * `--openmetrics`, the shards' metrics/point-<id>.openmetrics.txt are copied to DIR/metrics/).
 *
 * Everything here is a pure function of the plan and the records (no wall time, no worker count, no
 * shard layout), which is what makes sharded and unsharded output identical.
 */
import { closeSync, copyFileSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { basename, join } from 'node:path';
import { createHash } from 'node:crypto';
import { csvRecord, toCsv, toJson } from '../report/output.ts';
import type { SweepPlan, SweepPoint } from './spec.ts';
import type { RunOutcome, RunSummary } from './worker.ts';
import type { LatencySamples } from '../serving/simulate.ts';
import { METRICS, finite } from './metrics.ts';
import { pointSummaries, type PointSummary } from './points.ts';
import { bestPoints, pointVerdicts, type BestPoints, type PointVerdict } from './best.ts';
import { sweepEvidenceLines } from './evidence.ts';
import { makeDirs } from '../make-dirs.ts';

// ---------------------------------------------------------------------------------------------------
// records

/** One line of points.jsonl. */
export interface SweepRecord extends Pick<SweepPoint, 'id' | 'point' | 'replicate' | 'seed' | 'label' | 'variant'> {
  /** The point's parameter values (SweepPoint.values). */
  parameters: Record<string, unknown>;
  status: 'ok' | 'error';
  error?: string;
  summary?: RunSummary;
  /** Replicated sweeps: the run's latency samples, which the point pools (sweep/points.ts). */
  samples?: LatencySamples;
}

export function recordOf(p: SweepPoint, o: RunOutcome): SweepRecord {
  const base = { id: p.id, point: p.point, replicate: p.replicate, seed: p.seed, label: p.label, variant: p.variant, parameters: p.values };
  return o.ok ? { ...base, status: 'ok', summary: o.summary, ...(o.samples ? { samples: o.samples } : {}) } : { ...base, status: 'error', error: o.error };
}

export function jsonLine(r: SweepRecord): string {
  return JSON.stringify(r, (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? null : v)) + '\n';
}

/** A parameter value in a CSV cell: scalars as they are, lists and mappings as JSON. */
function cellValue(v: unknown): unknown {
  return v !== null && typeof v === 'object' ? JSON.stringify(v) : v;
}

/** One row of points.csv / sweep.json `runs` (every row has the same keys in the same order). */
export function flatRow(plan: SweepPlan, r: SweepRecord): Record<string, unknown> {
  const row: Record<string, unknown> = { id: r.id, point: r.point, replicate: r.replicate, seed: r.seed, label: r.label };
  if (plan.variants) row.variant = r.variant;
  for (const p of plan.parameters) row[p.key] = cellValue(r.parameters[p.key]);
  row.status = r.status;
  row.error = r.error ?? null;
  for (const m of METRICS) row[m.key] = r.summary ? finite(m.get(r.summary)) : null;
  return row;
}

/** points.csv's header line. */
export function csvHeader(plan: SweepPlan): string {
  const stub: SweepRecord = { id: 0, point: 0, replicate: 0, seed: 0, label: '', variant: null, parameters: {}, status: 'error' };
  return csvRecord(Object.keys(flatRow(plan, stub)), { header: true });
}

/** One record of points.csv (formatted exactly as report/output.ts toCsv formats cells; a quoted cell may span lines). */
export function csvLine(plan: SweepPlan, r: SweepRecord): string {
  return csvRecord(Object.values(flatRow(plan, r)));
}

// ---------------------------------------------------------------------------------------------------
// sweep.json

/**
 * A sweep judged once: every point's summary (pooled over replicates) and its verdict against the objectives, and
 * the best points among those that meet them. sweep.json, summary.csv and the text all read this one result, so
 * they cannot disagree on a point's verdict.
 */
export interface SweepResult {
  points: PointSummary[];
  /** verdicts[i] is points[i]'s. */
  verdicts: PointVerdict[];
  best: BestPoints;
}

export function sweepResult(plan: SweepPlan, records: readonly SweepRecord[]): SweepResult {
  const points = pointSummaries(plan, records);
  const verdicts = pointVerdicts(plan, points);
  return { points, verdicts, best: bestPoints(plan, points, verdicts) };
}

/** The document of sweep.json and of `vgsim sweep --json`. */
export function sweepDocument(plan: SweepPlan, records: readonly SweepRecord[], result: SweepResult = sweepResult(plan, records)): Record<string, unknown> {
  const { points } = result;
  const errors = records.filter((r) => r.status === 'error').map((r) => ({ id: r.id, point: r.point, label: r.label, seed: r.seed, error: r.error! }));
  return {
    format: plan.format,
    scenario: plan.scenario,
    mode: plan.mode,
    hash: plan.hash,
    spec: plan.spec,
    parameters: plan.parameters.map(({ key, short, kind, values, range, numeric, log }) => ({ key, short, kind, values, range, numeric, log })),
    variants: plan.variants,
    replicate_seeds: plan.replicate_seeds,
    runs_total: plan.total,
    limit: plan.limit,
    runs_ok: records.length - errors.length,
    runs_failed: errors.length,
    best: result.best,
    runs: records.map((r) => flatRow(plan, r)),
    points: pointsDocument(result),
    errors,
    // what the numbers rest on, per GPU, engine and model family: the lines the text prints under them
    evidence_lines: sweepEvidenceLines(records, points),
  };
}

/**
 * sweep.json `points`: each point's verdict against the objectives and its metrics — over replicates the
 * pooled percentiles and replicate means, with `ci` (95%: order statistics for percentiles, Student's t
 * for means; sweep/points.ts).
 */
function pointsDocument({ points, verdicts }: SweepResult): Record<string, unknown>[] {
  return points.map((p, i) => ({
    point: p.point, label: p.label, runs: p.ids.length, ok: p.ok, meets_objectives: verdicts[i]!.feasible, reason: verdicts[i]!.reason,
    // too few requests to judge the objectives: completed and needed (sweep/best.ts lowConfidence)
    low_confidence: verdicts[i]!.samples ?? null,
    ...p.metrics,
    ...(p.ci ? { ci: Object.fromEntries(Object.entries(p.ci).map(([k, v]) => [k, [v.lo, v.hi]])) } : {}),
  }));
}

// ---------------------------------------------------------------------------------------------------
// streaming

/** Appends records to points.jsonl and points.csv as they arrive (callers deliver them in id order). */
export class RecordStream {
  private readonly jsonl: number;
  private readonly csv: number;
  private closed = false;

  constructor(readonly dir: string, private readonly plan: SweepPlan) {
    makeDirs(dir);
    this.jsonl = openSync(join(dir, 'points.jsonl'), 'w');
    this.csv = openSync(join(dir, 'points.csv'), 'w');
    writeSync(this.csv, csvHeader(plan));
  }

  /** `line`: jsonLine(r) when the caller has it already (the sweep command parses its records from it). */
  add(r: SweepRecord, line = jsonLine(r)): void {
    writeSync(this.jsonl, line);
    writeSync(this.csv, csvLine(this.plan, r));
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    closeSync(this.jsonl);
    closeSync(this.csv);
  }
}

/** points.jsonl and points.csv of all records at once (what the stream writes, for merge). */
export function writeRecordFiles(dir: string, plan: SweepPlan, records: readonly SweepRecord[]): string[] {
  makeDirs(dir);
  writeFileSync(join(dir, 'points.jsonl'), records.map(jsonLine).join(''));
  writeFileSync(join(dir, 'points.csv'), csvHeader(plan) + records.map((r) => csvLine(plan, r)).join(''));
  return [join(dir, 'points.jsonl'), join(dir, 'points.csv')];
}

/**
 * summary.csv: one row per point — its parameters, whether it meets the objectives and why not, then its
 * metrics as the table prints them (pooled over replicates). points.csv has one row per run and no verdict
 * (it is streamed before the points are judged): sorted by $ per video, it put points that miss the
 * objectives first.
 */
export function summaryRows(plan: SweepPlan, { points, verdicts }: SweepResult): Record<string, unknown>[] {
  return points.map((p, i) => {
    const row: Record<string, unknown> = { point: p.point, label: p.label };
    if (plan.variants) row.variant = p.variant;
    for (const q of plan.parameters) row[q.key] = cellValue(p.parameters[q.key]);
    Object.assign(row, { runs: p.ids.length, ok: p.ok, meets_objectives: verdicts[i]!.feasible, reason: verdicts[i]!.reason });
    for (const m of METRICS) row[m.key] = finite(p.metrics[m.key] ?? null);
    return row;
  });
}

export function writeSummaryCsv(dir: string, plan: SweepPlan, result: SweepResult): string {
  const path = join(dir, 'summary.csv');
  writeFileSync(path, toCsv(summaryRows(plan, result)));
  return path;
}

export function writeSweepJson(dir: string, plan: SweepPlan, records: readonly SweepRecord[], result: SweepResult): string {
  const path = join(dir, 'sweep.json');
  writeFileSync(path, toJson(sweepDocument(plan, records, result)));
  return path;
}

// ---------------------------------------------------------------------------------------------------
// shards

export interface Shard {
  /** 0-based. */
  index: number;
  count: number;
}

/** Parses "i/N" (0 ≤ i < N); throws an Error with the reason. */
export function parseShard(text: string): Shard {
  const m = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(text);
  if (!m) throw new Error(`expected i/N (0-based shard index / shard count, e.g. 0/8), got "${text}"`);
  const index = Number(m[1]);
  const count = Number(m[2]);
  if (count < 1) throw new Error(`the shard count must be at least 1, got "${text}"`);
  if (index >= count) throw new Error(`expected i/N with 0 <= i < N (shards are numbered from 0), got "${text}"`);
  return { index, count };
}

export function shardDirName(s: Shard): string {
  return `shard-${s.index}-of-${s.count}`;
}

export function shardPoints(points: readonly SweepPoint[], s: Shard): SweepPoint[] {
  return points.filter((p) => p.id % s.count === s.index);
}

export const SHARD_FORMAT = 'vgsim-sweep-shard/1';

export interface ShardFile {
  format: typeof SHARD_FORMAT;
  hash: string;
  shard: Shard;
  /** Run ids of this shard (id % count == index). */
  ids: number[];
  plan: SweepPlan;
}

/** Written when a shard has finished: its presence says points.jsonl is complete. */
export function writeShardFile(dir: string, plan: SweepPlan, shard: Shard): string {
  const doc: ShardFile = { format: SHARD_FORMAT, hash: plan.hash, shard, ids: shardPoints(plan.points, shard).map((p) => p.id), plan };
  const path = join(dir, 'shard.json');
  writeFileSync(path, toJson(doc));
  return path;
}

/** Recomputes a plan's hash from its scenario-independent part (the points), to spot edited shard files. */
function pointsDigest(plan: SweepPlan): string {
  return createHash('sha256').update(JSON.stringify(plan.points.map((p) => [p.id, p.seed, p.set]))).digest('hex');
}

/** A merge problem (exit code 2). */
export class MergeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MergeError';
  }
}

/** Shard folders among `dirs`: a folder with shard.json, or a folder holding shard-i-of-N/ folders. */
export function findShardDirs(dirs: readonly string[]): string[] {
  const out: string[] = [];
  for (const d of dirs) {
    if (!existsSync(d) || !statSync(d).isDirectory()) throw new MergeError(`${d}: no such folder`);
    if (existsSync(join(d, 'shard.json')) || existsSync(join(d, 'points.jsonl'))) {
      out.push(d);
      continue;
    }
    const subs = readdirSync(d).filter((n) => /^shard-\d+-of-\d+$/.test(n) && statSync(join(d, n)).isDirectory());
    if (!subs.length) throw new MergeError(`${d}: neither a shard folder (shard.json) nor a folder of shard-i-of-N/ folders`);
    subs.sort((a, b) => Number(/^shard-(\d+)/.exec(a)![1]) - Number(/^shard-(\d+)/.exec(b)![1]));
    out.push(...subs.map((n) => join(d, n)));
  }
  return out;
}

/** Reads and checks the shards of one sweep; returns the plan and every record in id order. */
export function readShards(dirs: readonly string[]): { plan: SweepPlan; records: SweepRecord[]; shards: number; metricsFiles: string[] } {
  const shardDirs = findShardDirs(dirs);
  const files: { dir: string; meta: ShardFile }[] = [];
  for (const dir of shardDirs) {
    const metaPath = join(dir, 'shard.json');
    if (!existsSync(metaPath)) throw new MergeError(`${dir}: no shard.json — this shard did not finish (it is written last); rerun it`);
    let meta: ShardFile;
    try {
      meta = JSON.parse(readFileSync(metaPath, 'utf8')) as ShardFile;
    } catch (e) {
      throw new MergeError(`${metaPath}: not valid JSON (${(e as Error).message})`);
    }
    if (meta.format !== SHARD_FORMAT || !meta.plan || !meta.shard) throw new MergeError(`${metaPath}: not a vgsim sweep shard (format ${JSON.stringify(meta.format)})`);
    if (meta.hash !== meta.plan.hash) throw new MergeError(`${metaPath}: the hash does not match its own plan (edited by hand?)`);
    files.push({ dir, meta });
  }
  if (!files.length) throw new MergeError('no shards given');

  const first = files[0]!;
  for (const f of files.slice(1)) {
    if (f.meta.hash !== first.meta.hash || pointsDigest(f.meta.plan) !== pointsDigest(first.meta.plan)) {
      throw new MergeError(`${f.dir} and ${first.dir} come from different sweeps (spec hash ${f.meta.hash} vs ${first.meta.hash}): same scenario file, --set flags, seeds and --limit are needed`);
    }
    if (f.meta.shard.count !== first.meta.shard.count) throw new MergeError(`${f.dir} is shard ${f.meta.shard.index} of ${f.meta.shard.count}, but ${first.dir} is one of ${first.meta.shard.count}`);
  }
  const count = first.meta.shard.count;
  const byIndex = new Map<number, string>();
  for (const f of files) {
    const prev = byIndex.get(f.meta.shard.index);
    if (prev !== undefined) throw new MergeError(`shard ${f.meta.shard.index} of ${count} given twice: ${prev} and ${f.dir}`);
    byIndex.set(f.meta.shard.index, f.dir);
  }
  const missing = Array.from({ length: count }, (_, i) => i).filter((i) => !byIndex.has(i));
  if (missing.length) throw new MergeError(`missing shard${missing.length > 1 ? 's' : ''} ${missing.join(', ')} of ${count} (have ${[...byIndex.keys()].sort((a, b) => a - b).join(', ')})`);

  const plan = first.meta.plan;
  const byId = new Map<number, SweepRecord>();
  for (const f of files) {
    const text = readFileSync(join(f.dir, 'points.jsonl'), 'utf8');
    const lines = text.split('\n').filter((l) => l.trim() !== '');
    lines.forEach((line, n) => {
      let r: SweepRecord;
      try {
        r = JSON.parse(line) as SweepRecord;
      } catch {
        throw new MergeError(`${join(f.dir, 'points.jsonl')}:${n + 1}: not valid JSON (a truncated file?)`);
      }
      // an ok record carries its run's summary (sweep/report.ts reads its counts): anything else was edited or cut
      const summary = (r as { summary?: { requests?: { arrived?: unknown } } } | null)?.summary;
      if (typeof r !== 'object' || r === null || !Number.isInteger(r.id) || (r.status === 'ok' && typeof summary?.requests?.arrived !== 'number') || (r.status !== 'ok' && r.status !== 'error')) {
        throw new MergeError(`${join(f.dir, 'points.jsonl')}:${n + 1}: not a sweep run record (an id, a status, and for an ok run its summary; edited by hand?); rerun this shard`);
      }
      if (r.id % count !== f.meta.shard.index) throw new MergeError(`${join(f.dir, 'points.jsonl')}:${n + 1}: run ${r.id} does not belong to shard ${f.meta.shard.index} of ${count}`);
      if (byId.has(r.id)) throw new MergeError(`run ${r.id} appears twice (${f.dir})`);
      byId.set(r.id, r);
    });
    const absent = f.meta.ids.filter((id) => !byId.has(id));
    if (absent.length) throw new MergeError(`${f.dir}: ${absent.length} run(s) missing from points.jsonl (first: ${absent.slice(0, 5).join(', ')}); rerun this shard`);
  }
  const records: SweepRecord[] = [];
  for (const p of plan.points) {
    const r = byId.get(p.id);
    if (!r) throw new MergeError(`run ${p.id} (${p.label}) is in no shard`);
    // a record says which point it ran and what it counted: values other than the plan's, or counts that do
    // not add up, were edited after the run (points.csv would carry them)
    if (JSON.stringify(r.parameters) !== JSON.stringify(p.values) || r.seed !== p.seed) throw new MergeError(`run ${p.id} (${p.label}): its parameters or seed differ from the sweep's plan (edited by hand?); rerun its shard`);
    const q = r.summary?.requests;
    if (q && !(q.completed + q.dropped + q.failed + q.in_flight <= q.arrived + 1e-9 && [q.arrived, q.completed, q.dropped, q.failed].every((x) => Number.isInteger(x) && x >= 0))) {
      throw new MergeError(`run ${p.id} (${p.label}): its request counts do not add up (${q.completed} completed, ${q.dropped} dropped, ${q.failed} failed, ${q.in_flight} in flight of ${q.arrived} arrived; edited by hand?); rerun its shard`);
    }
    records.push(r);
  }
  if (byId.size !== plan.points.length) throw new MergeError(`the shards hold ${byId.size} runs, the sweep has ${plan.points.length}`);
  return { plan, records, shards: count, metricsFiles: files.flatMap((f) => shardMetricsFiles(f.dir, f.meta.shard.index, count)) };
}

/** A shard's `--openmetrics` files (DIR/metrics/point-<id>.openmetrics.txt), each of a run of that shard. */
function shardMetricsFiles(dir: string, index: number, count: number): string[] {
  const metrics = join(dir, 'metrics');
  if (!existsSync(metrics)) return [];
  return readdirSync(metrics).sort().map((name) => {
    const id = /^point-(\d+)\.openmetrics\.txt$/.exec(name)?.[1];
    if (id === undefined || Number(id) % count !== index) throw new MergeError(`${join(metrics, name)}: not an OpenMetrics file of a run of shard ${index} of ${count} (point-<id>.openmetrics.txt); remove it or rerun this shard`);
    return join(metrics, name);
  });
}

/** `vgsim merge`: the shards' OpenMetrics files go to OUT/metrics/, where an unsharded run writes them. */
export function copyShardMetrics(files: readonly string[], outDir: string): string[] {
  if (files.length === 0) return [];
  const dir = join(outDir, 'metrics');
  mkdirSync(dir, { recursive: true });
  return files.map((f) => {
    const to = join(dir, basename(f));
    copyFileSync(f, to);
    return to;
  });
}
