/**
 * What an answer on a GPU rests on: whether vgsim has a measured kernel profile for it, and how far vgsim
 * landed from every held-out measurement on it (held-out.ts). The ledger is computed from the held-out rows
 * (`npm run evidence -- --write`), committed as calibration/evidence/gpus.json, and checked against a fresh
 * computation in CI (test/gpu-evidence.test.ts), so a cost-model change that moves an error moves the ledger.
 * estimate, plan, sweep, compare, reports and `vgsim list gpus|evidence` read it; nothing here changes a number.
 */
import { existsSync, readFileSync } from 'node:fs';
import { packagePath } from '../package-files.ts';
import { listGpus } from '../hardware/catalog.ts';
import { builtinProfile, REFERENCE_GPU } from './profile.ts';
import { quantile } from '../metrics/sample-quantile.ts';
import { median } from '../hardware/refs.ts';
import { MODELS } from '../workload/models.ts';

export const HELD_OUT_SETS = ['own-wan', 'own-sp', 'own-families', 'own-postprocess', 'own-kernels', 'wan22-table', 'published-families', 'engines'] as const;
export type HeldOutSet = (typeof HELD_OUT_SETS)[number];

export interface HeldOutRow {
  set: HeldOutSet;
  /** The case as its set names it. */
  id: string;
  gpu: string;
  /** GPUs the measurement ran on. */
  gpus: number;
  metric: 'time' | 'memory';
  /** vgsim / measured − 1 (negative: vgsim predicts less time or memory than was measured). */
  error: number;
  /** Every setting of the measurement is known (else the row is counted but not summarised). */
  specified: boolean;
  /** The serving engine that ran (engines/profiles.ts; 'official' for the models' own code), where one is known. */
  engine?: string;
  /** The model family (workload/models.ts), where the case is one of a model's stages. */
  family?: string;
  /** The model of an end-to-end timing (the published tables and framework runs). */
  model?: string;
}

/** Where each set's data lives, for the ledger's notes. */
export const HELD_OUT_SOURCES: Readonly<Record<HeldOutSet, string>> = {
  'own-wan': 'calibration/validation/<gpu>.json, <gpu>-repeat.json (npm run validate:model)',
  'own-sp': 'calibration/validation/<gpu>-x2-*.json (README: multi-GPU measurements)',
  'own-families': 'calibration/families/<gpu>-l<N>.json (npm run validate:families)',
  'own-postprocess': 'calibration/postprocess/<gpu>.json (npm run validate:postprocess)',
  'own-kernels': 'calibration/host/forward-kernels-<gpu>*.json (test/profile-graph-timing.test.ts)',
  'wan22-table': 'calibration/published/wan22-comp-effic.json (npm run validate:published)',
  'published-families': 'calibration/published/families.json (npm run validate:families)',
  engines: 'calibration/published/engines-e2e.json (npm run validate:engines)',
};

export interface ErrorStats {
  /** Summarised cases (settings fully known). */
  n: number;
  /** Median |error| (null without cases). */
  median_abs: number | null;
  /** Median signed error: below 0, vgsim predicts less than was measured (optimistic for time). */
  median: number | null;
  /** Cases within ±10%. */
  within_10: number;
  max_abs: number | null;
  /** 10th and 90th percentiles of the signed error (linear between order statistics; null under RANGE_MIN_CASES cases). */
  p10: number | null;
  p90: number | null;
}

/** Fewest cases for which the ledger quotes a 10th–90th percentile range. */
export const RANGE_MIN_CASES = 10;

export interface GpuEvidence {
  gpu: string;
  /** measured: vgsim has this GPU's own kernel profile; extrapolated: its rates are scaled from REFERENCE_GPU's. */
  profile: 'measured' | 'extrapolated';
  time: ErrorStats;
  memory: ErrorStats;
  /** Time cases on more than one GPU (among `time`). */
  multi_gpu_time: number;
  /** Rows counted but not summarised: the source leaves settings open. */
  loose: number;
  /** Rows per held-out set (summarised and loose, time and memory). */
  sets: Partial<Record<HeldOutSet, number>>;
}

/** The held-out record of one engine or one model family, over every GPU. */
export interface ScopeEvidence {
  id: string;
  time: ErrorStats;
  memory: ErrorStats;
  /** GPUs its cases ran on. */
  gpus: string[];
  loose: number;
}

export interface EvidenceLedger {
  schema: 'vgsim-gpu-evidence/1';
  note: string;
  sources: Readonly<Record<HeldOutSet, string>>;
  gpus: GpuEvidence[];
  /** Per serving engine and per model family (rows that name one), over every GPU. */
  engines: ScopeEvidence[];
  families: ScopeEvidence[];
  rows: HeldOutRow[];
}

export const LEDGER_FILE = 'calibration/evidence/gpus.json';
const round = (x: number) => Math.round(x * 1e4) / 1e4 || 0; // no -0: JSON would write it as 0

export function errorStats(errors: number[]): ErrorStats {
  const abs = errors.map(Math.abs).sort((a, b) => a - b);
  const sorted = [...errors].sort((a, b) => a - b);
  const n = errors.length;
  const med = (xs: number[]) => (xs.length ? round(median(xs)) : null);
  const q = (at: number) => (n >= RANGE_MIN_CASES ? round(quantile(sorted, at)) : null); // type 7 (metrics/sample-quantile.ts)
  return {
    n, median_abs: med(abs), median: med(sorted), within_10: abs.filter((x) => x <= 0.1).length, max_abs: n ? round(abs[n - 1]!) : null,
    p10: q(0.1), p90: q(0.9),
  };
}

/**
 * What a measurement of a vgsim time `seconds` on this GPU has come out at: seconds / (1 + error) over the 10th–90th
 * percentile of the held-out errors (null with fewer than RANGE_MIN_CASES cases). An empirical band, not a fit.
 */
export function heldOutRange(e: GpuEvidence, seconds: number): { lo: number; hi: number } | null {
  if (e.time.p10 === null || e.time.p90 === null) return null;
  return { lo: seconds / (1 + e.time.p90), hi: seconds / (1 + e.time.p10) };
}

/** The statistics of a set of rows: time and memory over the fully specified ones, the rest counted as loose. */
function summarise(rows: readonly HeldOutRow[]) {
  const specified = rows.filter((r) => r.specified);
  const timeRows = specified.filter((r) => r.metric === 'time');
  return {
    time: errorStats(timeRows.map((r) => r.error)), memory: errorStats(specified.filter((r) => r.metric === 'memory').map((r) => r.error)),
    loose: rows.length - specified.length, timeRows,
  };
}

/** The ledger of every catalog GPU from the held-out rows. */
export function buildLedger(rows: readonly HeldOutRow[]): EvidenceLedger {
  const rounded = rows.map((r) => ({ ...r, error: round(r.error) }));
  const gpus = listGpus().map((g): GpuEvidence => {
    const mine = rounded.filter((r) => r.gpu === g.id);
    const { time, memory, loose, timeRows } = summarise(mine);
    const sets: Partial<Record<HeldOutSet, number>> = {};
    for (const s of HELD_OUT_SETS) {
      const n = mine.filter((r) => r.set === s).length;
      if (n) sets[s] = n;
    }
    return { gpu: g.id, profile: builtinProfile(g.id) ? 'measured' : 'extrapolated', time, memory, multi_gpu_time: timeRows.filter((r) => r.gpus > 1).length, loose, sets };
  });
  const scope = (key: 'engine' | 'family') => [...new Set(rounded.map((r) => r[key]).filter((x): x is string => x !== undefined))].sort().map((id): ScopeEvidence => {
    const mine = rounded.filter((r) => r[key] === id);
    const { time, memory, loose } = summarise(mine);
    return { id, time, memory, gpus: [...new Set(mine.map((r) => r.gpu))].sort(), loose };
  });
  return {
    schema: 'vgsim-gpu-evidence/1',
    note: 'How far vgsim lands from measurements it was not fitted to, per GPU (src/perf/held-out.ts; regenerate with `npm run evidence -- --write`). error = vgsim / measured - 1: below 0, vgsim predicts less time (optimistic) or memory than was measured. Summaries use only rows whose settings are fully known.',
    sources: HELD_OUT_SOURCES, gpus, engines: scope('engine'), families: scope('family'), rows: rounded,
  };
}

let cached: EvidenceLedger | null | undefined;

/** The committed ledger (undefined when the package has none). */
export function evidenceLedger(): EvidenceLedger | undefined {
  if (cached === undefined) {
    const file = packagePath(LEDGER_FILE);
    cached = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as EvidenceLedger) : null;
  }
  return cached ?? undefined;
}

/** One GPU's evidence from the committed ledger. */
export function gpuEvidence(gpuId: string): GpuEvidence | undefined {
  return evidenceLedger()?.gpus.find((g) => g.gpu === gpuId);
}

const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
const signed = (x: number) => `${x >= 0 ? '+' : '−'}${pct(Math.abs(x))}`;

/** Whether an answer on this GPU deserves a caveat: no own profile, no held-out time case, or a median miss over 10%. */
export function needsCaveat(e: GpuEvidence): boolean {
  return e.profile === 'extrapolated' || e.time.n === 0 || (e.time.median_abs ?? 0) > 0.1;
}

/** "held out: 36 time cases, median |error| 9.4%, 20 within 10%; vgsim optimistic (median −8.7%)". */
function heldOutText(e: GpuEvidence): string {
  const t = e.time;
  if (t.n === 0) return e.loose ? `no fully specified held-out time measurement (${e.loose} loosely specified)` : 'no held-out measurement';
  const bias = t.median! <= -0.05 ? `; vgsim optimistic (median ${signed(t.median!)})` : t.median! >= 0.05 ? `; vgsim pessimistic (median ${signed(t.median!)})` : '';
  const mem = e.memory.n ? `; memory ${e.memory.n} cases, median |error| ${pct(e.memory.median_abs!)}` : '';
  return `held out: ${t.n} time case${t.n === 1 ? '' : 's'}${e.multi_gpu_time ? ` (${e.multi_gpu_time} multi-GPU)` : ''}, median |error| ${pct(t.median_abs!)}, ${t.within_10} within 10%${bias}${mem}`;
}

const profileText = (measured: boolean) => (measured ? 'measured kernel profile' : `NO measured profile (rates scaled from ${REFERENCE_GPU})`);

/** One line on what answers on this GPU rest on, for every output that names a GPU; `gpus` > 1 says whether any case ran on several. */
export function evidenceLine(e: GpuEvidence, gpus = 1): string {
  const profile = profileText(e.profile === 'measured');
  const unvalidated = e.profile === 'extrapolated' && e.time.n === 0 ? ' — UNVALIDATED: nothing measured on this GPU checks its numbers' : '';
  const multi = gpus > 1 && e.time.n > 0 && e.multi_gpu_time === 0 ? '; none of them on more than one GPU' : '';
  return `${e.gpu}: ${profile}; ${heldOutText(e)}${multi}${unvalidated}`;
}

/** The evidence line of a GPU id, or a plain statement when the ledger lacks it. */
export function evidenceLineOf(gpuId: string, gpus = 1): string {
  const e = gpuEvidence(gpuId);
  return e ? evidenceLine(e, gpus) : `${gpuId}: ${profileText(builtinProfile(gpuId) !== undefined)}; no evidence ledger (${LEDGER_FILE})`;
}

/** A short cell for tables: "measured · 2.1% (147)", "extrapolated · 9.4% (36)", "extrapolated · unvalidated". */
export function evidenceCell(e: GpuEvidence): string {
  const held = e.time.n ? `${pct(e.time.median_abs!)} (${e.time.n})` : 'unvalidated';
  return `${e.profile} · ${held}`;
}

/** A short caveat for a recommendation on this GPU ("h200: extrapolated, held-out median |error| 8.2% over 61 cases, optimistic"), or null when none is due. */
export function evidenceCaveat(e: GpuEvidence): string | null {
  if (!needsCaveat(e)) return null;
  if (e.time.n === 0) return `${e.gpu}: ${e.profile === 'extrapolated' ? 'unvalidated extrapolation' : 'no held-out measurement'}`;
  const m = e.time.median!;
  const bias = m <= -0.05 ? ', optimistic' : m >= 0.05 ? ', pessimistic' : '';
  return `${e.gpu}: ${e.profile === 'extrapolated' ? 'extrapolated, ' : ''}held-out median |error| ${pct(e.time.median_abs!)} over ${e.time.n} case${e.time.n === 1 ? '' : 's'}${bias}`;
}

/** An engine's or a family's record from the committed ledger. */
function scopeEvidence(kind: 'engine' | 'family', id: string): ScopeEvidence | undefined {
  const l = evidenceLedger();
  return (kind === 'engine' ? l?.engines : l?.families)?.find((x) => x.id === id);
}

/**
 * heldOutRange for an estimate by another engine or of another family on `gpu`, from the GPUs and errors of that
 * scope's own held-out timings of whole requests (derived once, here):
 * - band: the 10th–90th percentile of those errors (over every GPU the scope was timed on), which is what such an
 *   estimate's error has been;
 * - other-gpus: none of them ran on `gpu` (they ran on `gpus`) — an estimate on a GPU the scope was never timed on (an
 *   extrapolated L40S) has no band of its own, and the other GPUs' errors say nothing about the extrapolation;
 * - too-few: too few fully specified timings for percentiles (errorStats; `n` of them).
 */
export type ScopeBand =
  | { status: 'band'; lo: number; hi: number; n: number; gpus: string[] }
  | { status: 'other-gpus'; gpus: string[] }
  | { status: 'too-few'; n: number };

export function scopeHeldOutBand(kind: 'engine' | 'family', id: string, seconds: number, gpu: string): ScopeBand {
  const rows = wholeRequestRows(kind, id);
  const gpus = [...new Set(rows.map((r) => r.gpu))].sort();
  if (gpus.length && !gpus.includes(gpu)) return { status: 'other-gpus', gpus };
  const t = errorStats(rows.map((r) => r.error));
  if (t.p10 === null || t.p90 === null) return { status: 'too-few', n: t.n };
  return { status: 'band', lo: seconds / (1 + t.p90), hi: seconds / (1 + t.p10), n: t.n, gpus };
}

/**
 * A scope's fully specified timings of whole requests (END_TO_END_SETS): what a band for a request's total may rest
 * on. A family's own measurements of one DiT forward at reduced depth or one decoder call check the operator graph,
 * not what a request takes end to end, so they stay out of the band (CogVideoX: 3 of its 15 timings are whole).
 */
function wholeRequestRows(kind: 'engine' | 'family', id: string): HeldOutRow[] {
  return (evidenceLedger()?.rows ?? []).filter((r) => r[kind] === id && r.specified && r.metric === 'time' && END_TO_END_SETS.has(r.set));
}

/** "engine fastvideo: 18 held-out timings (on h100-sxm, h200), median |error| 9.2%, median −8.4%, …": an engine's or a family's record. */
export function scopeLine(kind: 'engine' | 'family', id: string): string {
  const e = scopeEvidence(kind, id);
  if (!e || e.time.n === 0) {
    // only loosely specified timings (settings the source leaves open): their spread, said as such
    const loose = errorStats((evidenceLedger()?.rows ?? []).filter((r) => r[kind] === id && !r.specified && r.metric === 'time').map((r) => r.error));
    const tail = loose.n ? `; ${loose.n} loosely specified ones (settings the source leaves open) came out at median |error| ${pct(loose.median_abs!)}, median ${signed(loose.median!)}` : '';
    return `${kind} ${id}: no fully specified held-out timing${tail}`;
  }
  return `${kind} ${id}: ${e.time.n} held-out timing${e.time.n === 1 ? '' : 's'} (on ${e.gpus.join(', ')}${wholeRequests(kind, id, e.time.n)}), median |error| ${pct(e.time.median_abs!)}, median ${signed(e.time.median!)}, ${e.time.within_10} within 10%${e.loose ? `; ${e.loose} more loosely specified` : ''}`;
}

/**
 * How many of a scope's n fully specified timings time a whole request, where some do not: a family's own
 * measurements time one DiT forward at reduced depth or one decoder call (own-families), which check the operator
 * graph but not a request's total. "; none of a whole request: DiT forwards and decoder calls" (LTX-Video: all six
 * are pieces), "; 15 of whole requests, the others DiT forwards and decoder calls", or "" when every one is whole.
 */
function wholeRequests(kind: 'engine' | 'family', id: string, n: number): string {
  const whole = wholeRequestRows(kind, id).length;
  if (whole >= n) return '';
  return whole === 0 ? '; none of a whole request: DiT forwards and decoder calls' : `; ${whole} of whole requests, the others DiT forwards and decoder calls`;
}

/** A short caveat for a recommendation run by an engine or of a family whose record is thin or off by over 10% ("engine sglang: no fully specified held-out timing"), or null. */
export function scopeCaveat(kind: 'engine' | 'family', id: string): string | null {
  const e = scopeEvidence(kind, id);
  if (!e || e.time.n === 0) return `${kind} ${id}: no fully specified held-out timing`;
  return (e.time.median_abs ?? 0) > 0.1 ? `${kind} ${id}: held-out median |error| ${pct(e.time.median_abs!)} over ${e.time.n} timings` : null;
}

/** Whether anything measured checks this GPU's numbers: a held-out time case on it (fully specified). */
export function isValidated(gpuId: string): boolean {
  return (gpuEvidence(gpuId)?.time.n ?? 0) > 0;
}

/** The best ranked row (lowest rank) on a GPU that held-out measurements check: the alternative to a pick that rests on none. */
export function bestOnValidated<T extends { rank: number | null; gpu: string }>(rows: readonly T[]): T | undefined {
  return rows.filter((r) => r.rank !== null && isValidated(r.gpu)).sort((a, b) => a.rank! - b.rank!)[0];
}

/** The held-out sets that time whole requests (published tables, framework runs), as a user's request is timed. */
const END_TO_END_SETS: ReadonlySet<HeldOutSet> = new Set(['wan22-table', 'published-families', 'engines']);

/** The nearest held-out record of a request: end-to-end timings of the same model (else family), run by the same engine on the same GPU, as many of them. */
export interface NearestHeldOut {
  family: string;
  /** The model the rows timed, where some timed the request's own; null: the family's other models. */
  model: string | null;
  engine: string;
  gpu: string;
  gpus: number;
  /** Median signed error over the rows (vgsim / measured − 1). */
  median: number;
  rows: { id: string; set: HeldOutSet; error: number }[];
  /** The record in one line, as `estimate` prints it (nearestLine), for clients that show it (the web UI). */
  line: string;
  /** The caveat where its median is past 10% (nearestCaveat), else null. */
  caveat: string | null;
}

/**
 * The fully specified end-to-end timings vgsim was checked against for this kind of run — the same family and engine
 * on the same GPU and GPU count — or null where there are none: how far vgsim has landed where the user is asking,
 * which the GPU's or the family's overall record can hide (HunyuanVideo's few-percent median over its timings, and its one 8-H100 run missed by over 20%).
 */
export function nearestHeldOut(q: { model?: string; family: string; engine: string; gpu: string; gpus: number }): NearestHeldOut | null {
  const family = (evidenceLedger()?.rows ?? []).filter((r) => END_TO_END_SETS.has(r.set) && r.metric === 'time' && r.specified &&
    r.gpu === q.gpu && r.gpus === q.gpus && (r.family ?? 'wan') === q.family && (r.engine ?? 'official') === q.engine);
  // the request's own model where it was timed so, else its family's other models
  const own = family.filter((r) => q.model !== undefined && r.model === q.model);
  const rows = own.length ? own : family;
  if (!rows.length) return null;
  const record = { family: q.family, model: own.length ? q.model! : null, engine: q.engine, gpu: q.gpu, gpus: q.gpus, median: round(median(rows.map((r) => r.error))), rows: rows.map((r) => ({ id: r.id, set: r.set, error: r.error })) };
  // worded when read (the JSON, the web UI), not on every estimate of a plan search
  return {
    ...record,
    get line() { return nearestLine(record); },
    get caveat() { return nearestCaveat(record); },
  };
}

type NearestRecord = Omit<NearestHeldOut, 'line' | 'caveat'>;

/** "nearest held-out: 1 end-to-end timing of hunyuan-video (official) on 8× h100-sxm: hv-h100-720p-8 −21.4%". */
export function nearestLine(n: NearestRecord): string {
  const what = `${n.rows.length} end-to-end timing${n.rows.length === 1 ? '' : 's'} of ${n.model ?? `the ${n.family} family`} (${n.engine}) on ${n.gpus}× ${n.gpu}`;
  if (n.rows.length <= 3) return `nearest held-out: ${what}: ${n.rows.map((r) => `${r.id} ${signed(r.error)}`).join(', ')}`;
  const errs = n.rows.map((r) => r.error).sort((a, b) => a - b);
  return `nearest held-out: ${what}: median ${signed(n.median)}, ${signed(errs[0]!)} to ${signed(errs[errs.length - 1]!)}`;
}

/** A caveat where that record says vgsim has been off by over 10% here (its median), or null. */
export function nearestCaveat(n: NearestRecord | null): string | null {
  if (!n || Math.abs(n.median) <= 0.1) return null;
  return `against ${n.rows.length === 1 ? `the one held-out end-to-end timing` : `the ${n.rows.length} held-out end-to-end timings`} of ${n.model ?? `the ${n.family} family`} (${n.engine}) on ${n.gpus}× ${n.gpu}, vgsim came out ${signed(n.median)}${n.rows.length > 1 ? ' (median)' : ''} (${n.rows.map((r) => r.id).join(', ')}): expect the real run ${n.median < 0 ? 'slower' : 'faster'} than shown`;
}

/** A serving pool as run summaries give it: the model(s) it serves, on what GPU, by which engine, GPUs a replica. */
interface PoolKind {
  gpu: string;
  engine?: string;
  model: string;
  models?: string[];
  gpus_per_replica: number;
}

/** The nearest-record caveats (nearestCaveat) of a run's pools, each once. */
export function poolNearestCaveats(pools: readonly PoolKind[]): string[] {
  const out = pools.flatMap((p) => (p.models ?? [p.model]).map((m) => {
    const family = MODELS.find((x) => x.id === m)?.family;
    return family ? nearestCaveat(nearestHeldOut({ model: m, family, engine: p.engine ?? 'official', gpu: p.gpu, gpus: p.gpus_per_replica })) : null;
  }));
  return [...new Set(out.filter((c): c is string => c !== null))];
}
