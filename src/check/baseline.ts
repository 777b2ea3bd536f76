/**
 * Baseline files for `vgsim check`: scenario runs and estimate queries with the metrics they are expected
 * to produce. A YAML file, validated by zod like a scenario, every problem reported with file:line:
 *
 *   name: vgsim calibrated cases
 *   defaults: {tolerance: 2%}                 # relative ("2%") or absolute (0.5, "30s")
 *   checks:
 *     - name: default scenario
 *       run: ../scenarios/default.yaml        # relative to this file
 *       set: [duration=2h]                    # --set overrides, optional; seed: optional
 *       expect:
 *         latency_s.p95: {value: 2259.1, tolerance: 3%}
 *         throughput_per_h: 19.96             # a bare value: the check's/file's default tolerance
 *         slo_attainment: {min: 0.95}         # bounds (min and/or max), never rewritten by --update
 *     - name: A14B 720p on 1 H100 (offload)
 *       estimate: {model: wan2.2-t2v-a14b, gpu: h100-sxm, resolution: 1280x720, offload: true}
 *       expect:
 *         total_s: {value: 1212.5, tolerance: 1%}
 *
 * Metric paths are resolved later against the run's or the estimate's JSON document (see metrics.ts).
 */
import { ATTENTION_CHOICES } from '../workload/ops.ts';
import { existsSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import { z } from 'zod';
import { InputError, didYouMean, type InputIssue } from '../errors.ts';
import { zodWords } from '../zod-words.ts';
import { YamlSource, type PathKey } from '../scenario/yaml-source.ts';
import { libraryFile } from '../scenario/library.ts';
import type { EstimateSpec } from '../perf/estimate-input.ts';
import { parseDuration, parseResolution } from '../units.ts';
import { parseMetricPath } from './metrics.ts';

/** A tolerance: relative to the expected value (0.02 for "2%") or absolute (in the metric's unit). */
export type Tolerance = { relative: number } | { absolute: number };

/** The tolerance when neither the metric, the check nor the file's `defaults` gives one. */
export const DEFAULT_TOLERANCE: Tolerance = { relative: 0.01 };

/** "2%" → relative 0.02; 0.5 or "0.5" → absolute 0.5; "30s", "5m" → absolute seconds. */
export function parseTolerance(v: unknown): Tolerance | undefined {
  if (typeof v === 'number') return Number.isFinite(v) && v >= 0 ? { absolute: v } : undefined;
  if (typeof v !== 'string') return undefined;
  const s = v.trim();
  const pct = /^([0-9]*\.?[0-9]+(?:e[+-]?[0-9]+)?)\s*%$/i.exec(s);
  if (pct) return { relative: Number(pct[1]) / 100 };
  const d = parseDuration(s);
  return d !== undefined && d >= 0 ? { absolute: d } : undefined;
}

export function formatTolerance(t: Tolerance): string {
  if ('relative' in t) return `${+(t.relative * 100).toPrecision(6)}%`;
  return `±${+t.absolute.toPrecision(6)}`;
}

/** What one metric is expected to be. */
export interface Expectation {
  /** The metric path as written in the file, e.g. "latency_s.p95" or "classes[720p-5s].latency_s.p95". */
  metric: string;
  /** The pinned value (rewritten by --update); a string or boolean is compared exactly. */
  value?: number | string | boolean;
  tolerance: Tolerance;
  min?: number;
  max?: number;
  /** Where the expectation is written (for error messages). */
  line?: number;
  col?: number;
}

/** A check's `estimate:` entry: the fields of `vgsim estimate`'s flags in snake_case (perf/estimate-input.ts reads it). */
export type { EstimateSpec };

export interface Check {
  name: string;
  /** Index in the file's `checks` list. */
  index: number;
  /** The scenario to simulate (absolute path), or the estimate to compute. */
  run?: { file: string; shown: string; set: string[]; seed?: number };
  estimate?: EstimateSpec;
  expect: Expectation[];
}

export interface Baseline {
  /** The path as given on the command line. */
  file: string;
  name: string;
  checks: Check[];
  /** Where a field of the file is written (file:line:col). */
  locate: (path: readonly PathKey[], keyOf?: string) => Pick<InputIssue, 'source' | 'line' | 'col'>;
  /** Expectations that load but probably do not mean what they say (printed as warnings). */
  warnings: InputIssue[];
}

// z.custom, not a union of number and string: a union's own failure (.inf, a list) would read "Invalid input"
const toleranceSchema = z.custom<number | string>((v) => parseTolerance(v) !== undefined, {
  message: 'expected a tolerance: a percentage such as 2% (relative), or a finite number such as 0.5 or a duration such as 30s (absolute)',
});
// parseDuration is undefined for anything but a finite number or duration ("1..5", "1.0.0", .inf): a bound never becomes NaN
const boundSchema = z.custom<number | string>((v) => parseDuration(v) !== undefined, {
  message: 'expected a finite number (or a duration such as 45m)',
});
const int = (min: number) => z.number().int().min(min);

const EstimateSpecSchema = z.strictObject({
  model: z.string().min(1),
  gpu: z.string().optional(),
  node: z.string().optional(),
  nodes: int(1).optional(),
  gpus: int(1).optional(),
  gpus_per_node: int(1).optional(),
  fabric: z.string().optional(),
  oversubscription: z.number().positive().optional(),
  parallel: z.string().optional(),
  resolution: z.string().refine((v) => parseResolution(v) !== undefined, { message: 'expected WIDTHxHEIGHT (e.g. 1280x720) or 480p/720p' }).optional(),
  frames: int(1).optional(),
  steps: int(1).optional(),
  batch: int(1).optional(),
  attention: z.enum(ATTENTION_CHOICES).optional(),
  dtype: z.enum(['bf16', 'fp8', 'int8']).optional(),
  offload: z.boolean().optional(),
  compile: z.boolean().optional(),
  cfg: z.enum(['sequential', 'batched', 'none']).optional(),
  t5_cpu: z.boolean().optional(),
  burst: z.boolean().optional(),
  fp32_matmul: z.enum(['ieee', 'tf32']).optional(),
  weight_dtype: z.enum(['bf16', 'fp32']).optional(),
  power_limit_w: int(1).optional(),
  profile: z.string().optional(),
}) satisfies z.ZodType<EstimateSpec>;

const ExpectObjectSchema = z.strictObject({
  value: z.union([z.number(), z.string(), z.boolean()]).optional(),
  tolerance: toleranceSchema.optional(),
  min: boundSchema.optional(),
  max: boundSchema.optional(),
});

// the same for set: a mapping (`set: {duration: 1h}`, the natural guess) read "Invalid input"
const setSchema = z.custom<string | string[]>((v) => typeof v === 'string' || (Array.isArray(v) && v.every((x) => typeof x === 'string')), {
  message: "expected a --set override 'path=value' or a list of them, e.g. set: [duration=2h, seed=3] (not a mapping)",
});

const CheckSchema = z.strictObject({
  name: z.string().min(1),
  run: z.string().min(1).optional(),
  set: setSchema.optional(),
  seed: int(0).optional(),
  estimate: EstimateSpecSchema.optional(),
  tolerance: toleranceSchema.optional(),
  expect: z.record(z.string(), z.unknown()),
});

const BaselineSchema = z.strictObject({
  name: z.string().optional(),
  description: z.string().optional(),
  defaults: z.strictObject({ tolerance: toleranceSchema.optional() }).optional(),
  checks: z.array(z.unknown()).min(1),
});

/** Known keys per place in the file, for "did you mean" on unknown fields. */
function knownKeys(path: readonly PathKey[]): string[] {
  if (path.length === 0) return Object.keys(BaselineSchema.shape);
  if (path[0] === 'defaults') return ['tolerance'];
  if (path[0] === 'checks' && path.length === 2) return Object.keys(CheckSchema.shape);
  if (path[0] === 'checks' && path[2] === 'estimate') return Object.keys(EstimateSpecSchema.shape);
  if (path[0] === 'checks' && path[2] === 'expect') return Object.keys(ExpectObjectSchema.shape);
  return [];
}

/** Reads and validates a baseline file; throws an InputError naming every problem with file:line. */
export function loadBaseline(file: string): Baseline {
  const src = YamlSource.read(file);
  const value = src.value();
  const locate: Baseline['locate'] = (path, keyOf) => ({ source: file, ...src.locate(path, keyOf) });
  const issues: InputIssue[] = [];
  const warnings: InputIssue[] = [];
  const addZod = (error: z.ZodError, base: PathKey[]) => {
    for (const issue of error.issues) {
      const path = [...base, ...(issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p)) as PathKey[])];
      if (issue.code === 'unrecognized_keys') {
        const known = knownKeys(path);
        for (const key of issue.keys) {
          issues.push({ ...locate(path, key), path: [...path, key].join('.'), message: `unknown field "${key}"`, hint: didYouMean(key, known) ?? (known.length ? `allowed here: ${known.join(', ')}` : undefined) });
        }
        continue;
      }
      const words = zodWords(issue, (issue as { input?: unknown }).input);
      issues.push({ ...locate(path), path: path.join('.'), message: words?.message ?? issue.message, ...(words?.hint ? { hint: words.hint } : {}) });
    }
  };
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new InputError([{ source: file, line: 1, col: 1, path: '', message: 'a baseline must be a YAML mapping with a "checks:" list' }]);
  }
  const top = BaselineSchema.safeParse(value, { reportInput: true });
  if (!top.success) addZod(top.error, []);
  const base = dirname(resolve(file));
  const defaultTolerance = parseTolerance(top.data?.defaults?.tolerance) ?? DEFAULT_TOLERANCE;
  const checks: Check[] = [];
  const rawChecks = Array.isArray((value as { checks?: unknown }).checks) ? ((value as { checks: unknown[] }).checks) : [];
  const names = new Map<string, number>();
  rawChecks.forEach((raw, index) => {
    const at: PathKey[] = ['checks', index];
    const parsed = CheckSchema.safeParse(raw, { reportInput: true });
    if (!parsed.success) {
      addZod(parsed.error, at);
      // still check the expectations, so one pass reports every problem
      const rawExpect = (raw as { expect?: unknown } | null)?.expect;
      if (rawExpect !== null && typeof rawExpect === 'object' && !Array.isArray(rawExpect)) {
        const rawTolerance = parseTolerance((raw as { tolerance?: unknown }).tolerance) ?? defaultTolerance;
        expectations(rawExpect as Record<string, unknown>, at, rawTolerance);
      }
      return;
    }
    const c = parsed.data;
    if (names.has(c.name)) issues.push({ ...locate([...at, 'name']), path: `checks.${index}.name`, message: `duplicate check name "${c.name}" (also checks.${names.get(c.name)}); names identify checks in reports and --only` });
    names.set(c.name, index);
    if ((c.run === undefined) === (c.estimate === undefined)) {
      issues.push({ ...locate(at), path: `checks.${index}`, message: 'a check needs exactly one of "run: <scenario.yaml>" or "estimate: {model: ..., gpu: ...}"' });
      return;
    }
    if (c.estimate && (c.set !== undefined || c.seed !== undefined)) {
      issues.push({ ...locate([...at, c.set !== undefined ? 'set' : 'seed']), path: `checks.${index}.${c.set !== undefined ? 'set' : 'seed'}`, message: '"set" and "seed" apply to "run" checks only' });
    }
    if (c.estimate && !c.estimate.gpu && !c.estimate.node) issues.push({ ...locate([...at, 'estimate']), path: `checks.${index}.estimate`, message: 'an estimate needs "gpu" or "node"' });
    const expect = expectations(c.expect, at, parseTolerance(c.tolerance) ?? defaultTolerance);
    const set = c.set === undefined ? [] : typeof c.set === 'string' ? [c.set] : c.set;
    checks.push({
      name: c.name,
      index,
      run: c.run !== undefined ? runFile(base, c.run, set, c.seed) : undefined,
      estimate: c.estimate ? { ...c.estimate, profile: c.estimate.profile !== undefined ? resolve(base, c.estimate.profile) : undefined } : undefined,
      expect,
    });
  });
  if (issues.length > 0) throw new InputError(issues);
  return { file, name: top.data?.name ?? file, checks, locate, warnings };

  /** Validates a check's `expect:` mapping; problems go to `issues`. */
  function expectations(raw: Record<string, unknown>, at: PathKey[], checkTolerance: Tolerance): Expectation[] {
    const index = at[1];
    const expect: Expectation[] = [];
    const entries = Object.entries(raw);
    if (entries.length === 0) issues.push({ ...locate([...at, 'expect']), path: `checks.${index}.expect`, message: 'no metrics to check (give at least one "metric.path: value")' });
    for (const [metric, e] of entries) {
      const where = [...at, 'expect', metric];
      const pathProblem = parseMetricPath(metric).error;
      if (pathProblem) {
        issues.push({ ...locate([...at, 'expect'], metric), path: `checks.${index}.expect`, message: `metric "${metric}": ${pathProblem}` });
        continue;
      }
      const pos = locate([...at, 'expect'], metric);
      if (typeof e === 'number' || typeof e === 'string' || typeof e === 'boolean') {
        if (typeof e === 'number' && !Number.isFinite(e)) issues.push({ ...locate(where), path: where.join('.'), message: 'expected a finite number' });
        expect.push({ metric, value: e, tolerance: checkTolerance, line: pos.line, col: pos.col });
        warnings.push(...expectationWarnings(metric, { value: e }, checkTolerance, { ...pos, path: where.join('.') }));
        continue;
      }
      const obj = ExpectObjectSchema.safeParse(e);
      if (!obj.success) {
        if (e === null || typeof e !== 'object' || Array.isArray(e)) issues.push({ ...locate(where), path: where.join('.'), message: 'expected a value (e.g. 19.96), {value: 19.96, tolerance: 2%} or bounds such as {max: 600} / {min: 0.95}' });
        else addZod(obj.error, where);
        continue;
      }
      const o = obj.data;
      if (o.value === undefined && o.min === undefined && o.max === undefined) {
        issues.push({ ...locate(where), path: where.join('.'), message: 'give a "value" (with an optional "tolerance") and/or bounds "min" / "max"' });
        continue;
      }
      if (o.tolerance !== undefined && o.value === undefined) {
        issues.push({ ...locate([...where], 'tolerance'), path: `${where.join('.')}.tolerance`, message: 'a tolerance applies to "value"; bounds (min/max) are exact' });
      }
      const min = o.min !== undefined ? parseDuration(o.min) : undefined;
      const max = o.max !== undefined ? parseDuration(o.max) : undefined;
      if (min !== undefined && max !== undefined && min > max) issues.push({ ...locate(where), path: where.join('.'), message: `min ${min} is above max ${max}` });
      const tolerance = parseTolerance(o.tolerance) ?? checkTolerance;
      expect.push({ metric, value: o.value, tolerance, min, max, line: pos.line, col: pos.col });
      warnings.push(...expectationWarnings(metric, o, o.tolerance !== undefined ? tolerance : checkTolerance, { ...pos, path: where.join('.') }, o.tolerance));
    }
    return expect;
  }
}

/** A metric measured in seconds: a path segment named "…_s" or "seconds…" (latency_s.p95, total_s, seconds_each). */
export function isTimeMetric(metric: string): boolean {
  return parseMetricPath(metric).segments.some((seg) => /(^|_)(s|seconds?)(_|$)/.test(seg));
}

/** A duration with a unit ("45m", "30s"), not a bare number. */
const withUnit = (v: unknown) => typeof v === 'string' && parseDuration(v) !== undefined && !Number.isFinite(Number(v.trim()));

/**
 * Expectations that load but likely do not mean what they say: a relative tolerance of a value pinned at 0 is an
 * exact match; a duration ("1h" = 3600) as the bound or tolerance of a metric that is not a time.
 */
function expectationWarnings(metric: string, e: { value?: unknown; min?: unknown; max?: unknown }, tolerance: Tolerance, at: Omit<InputIssue, 'message'>, rawTolerance?: unknown): InputIssue[] {
  const out: InputIssue[] = [];
  if (e.value === 0 && 'relative' in tolerance && tolerance.relative > 0) {
    out.push({ ...at, message: `metric "${metric}" is pinned at 0 with a relative tolerance (${formatTolerance(tolerance)} of 0 is 0): it must match exactly`, hint: 'give an absolute tolerance instead, e.g. {value: 0, tolerance: 0.5}' });
  }
  if (!isTimeMetric(metric)) {
    for (const [k, v] of [['min', e.min], ['max', e.max], ['tolerance', rawTolerance]] as const) {
      if (withUnit(v)) out.push({ ...at, message: `metric "${metric}" is not a time, yet its ${k} is the duration "${String(v)}" (read as ${parseDuration(v)} seconds)`, hint: 'write a plain number' });
    }
  }
  return out;
}

/** A check's `run:`: a path relative to the baseline's folder, else a library scenario it names (`default`), as every scenario argument. */
function runFile(base: string, run: string, set: string[], seed: number | undefined): NonNullable<Check['run']> {
  const rel = resolve(base, run);
  const file = existsSync(rel) ? rel : libraryFile(run) ?? rel;
  return { file, shown: displayPath(file), set, seed };
}

/** A path relative to the working directory when that is shorter (for messages). */
export function displayPath(abs: string): string {
  const rel = relative(process.cwd(), abs);
  return rel && rel.length < abs.length ? rel : abs;
}
