/**
 * Running a baseline: each check simulates its scenario (the document `vgsim run --json` prints) or computes
 * its estimate (the document `vgsim estimate --json` prints), then compares the expected metrics.
 *
 * A metric passes when
 *   value, relative tolerance r:  |actual − value| ≤ r·|value|
 *   value, absolute tolerance a:  |actual − value| ≤ a
 *   bounds:                       min ≤ actual ≤ max
 *   a string or boolean value:    actual === value
 * Problems in the file itself (an unknown metric path, a metric that is an object, a scenario that does not
 * load) are input errors (exit 2), not drift.
 */
import { existsSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { loadScenario } from '../scenario/load.ts';
import { simulate, summaryOf } from '../serving/simulate.ts';
import { toJson } from '../report/output.ts';
import { estimate } from '../perf/estimate.ts';
import { estimateInput, type EstimateSpec } from '../perf/estimate-input.ts';
import { UnknownIdError } from '../hardware/catalog.ts';
import { InputError, type InputIssue } from '../errors.ts';
import type { Baseline, Check, Expectation, Tolerance } from './baseline.ts';
import { describe, metricHint, resolveMetric, type Json } from './metrics.ts';

export interface MetricResult {
  metric: string;
  ok: boolean;
  /** ok; DRIFT (outside the tolerance of the pinned value); FAIL (outside min/max). */
  status: 'ok' | 'DRIFT' | 'FAIL';
  actual: number | string | boolean | null;
  value?: number | string | boolean;
  tolerance?: Tolerance;
  min?: number;
  max?: number;
  /** actual − value (numbers). */
  diff?: number;
  /** actual / value − 1 (numbers, value ≠ 0). */
  drift?: number;
  expectation: Expectation;
}

export interface CheckResult {
  check: Check;
  kind: 'run' | 'estimate';
  ok: boolean;
  wall_s: number;
  metrics: MetricResult[];
}

export interface BaselineResult {
  baseline: Baseline;
  checks: CheckResult[];
}

/** Computes a check's estimate (the document `vgsim estimate --json` prints for the same fields). */
export function estimateDocument(spec: EstimateSpec, baseDir: string): Json {
  return JSON.parse(JSON.stringify(estimate(estimateInput(spec, { baseDir })))) as Json;
}

/** The check's scenario file, or an issue located at its `run:` line when there is none. */
function scenarioFile(b: Baseline, c: Check): string {
  const { file, shown } = c.run!;
  const at = b.locate(['checks', c.index, 'run']);
  if (!existsSync(file)) throw new InputError([{ ...at, path: `checks.${c.index}.run`, message: `check "${c.name}": scenario ${shown} not found`, hint: 'a path relative to the baseline file, or a library scenario name (vgsim list)' }]);
  if (!statSync(file).isFile()) throw new InputError([{ ...at, path: `checks.${c.index}.run`, message: `check "${c.name}": ${shown} is a directory, not a scenario file` }]);
  return file;
}

/** Runs `f` on the check's scenario loaded with its overrides; problems (loading or running) become issues located in the baseline. */
function withScenario<T>(b: Baseline, c: Check, f: (loaded: ReturnType<typeof loadScenario>, file: string) => T): T {
  const { set, seed } = c.run!;
  const file = scenarioFile(b, c);
  try {
    // checks of one scenario differ in their overrides only: its extends chain is parsed once (load.ts readChainCached)
    return f(loadScenario(file, { set, seed, cache: true }), file);
  } catch (e) {
    if (!(e instanceof InputError)) throw e;
    // an override's problem is written in the baseline's "set:" list; the rest are in the scenario file
    const setPaths = set.map((raw) => raw.slice(0, Math.max(0, raw.indexOf('='))).replace(/\[(\d+)\]/g, '.$1').trim());
    throw new InputError(e.issues.map((is): InputIssue => {
      let i = is.source.startsWith('--set ') ? set.indexOf(is.source.slice(6)) : -1;
      if (i < 0 && is.path) i = setPaths.findIndex((p) => p !== '' && (is.path === p || is.path.startsWith(`${p}.`)));
      const at = ['checks', c.index];
      const where = i >= 0 ? b.locate([...at, 'set', i]) : is.source === `--seed ${seed}` ? b.locate([...at, 'seed']) : { source: is.source, line: is.line, col: is.col };
      return { ...where, path: is.path, message: `check "${c.name}": ${is.message}`, hint: is.hint };
    }));
  }
}

/** Runs `f` on the check's estimate fields; problems with them become issues located at the check's `estimate:`. */
function withEstimateSpec<T>(b: Baseline, c: Check, f: (spec: EstimateSpec, baseDir: string) => T): T {
  const spec = c.estimate!;
  const at = ['checks', c.index];
  try {
    return f(spec, dirname(resolve(b.file)));
  } catch (e) {
    const keyOf = (source: string) => {
      const k = source.replace(/^--/, '').replace(/-/g, '_');
      return Object.hasOwn(spec, k) ? k : undefined;
    };
    if (e instanceof InputError) {
      throw new InputError(e.issues.map((is) => {
        const k = keyOf(is.source) ?? (Object.hasOwn(spec, is.path) ? is.path : undefined);
        return { ...b.locate(k ? [...at, 'estimate', k] : [...at, 'estimate']), path: `checks.${c.index}.estimate${k ? `.${k}` : ''}`, message: `check "${c.name}": ${is.message}`, hint: is.hint };
      }));
    }
    // unknown GPU/node ids, an attention kernel the GPU lacks, an unreadable profile: the check's input
    if (e instanceof UnknownIdError || (e instanceof Error && e.constructor === Error)) {
      const k = e instanceof UnknownIdError && Object.hasOwn(spec, e.kind) ? e.kind : undefined;
      throw new InputError([{ ...b.locate(k ? [...at, 'estimate', k] : [...at, 'estimate']), path: `checks.${c.index}.estimate${k ? `.${k}` : ''}`, message: `check "${c.name}": ${e.message}` }]);
    }
    throw e;
  }
}

/** Runs the check's scenario or estimate; problems with its inputs become issues located in the baseline. */
function documentOf(b: Baseline, c: Check): Json {
  if (c.run) {
    return withScenario(b, c, (loaded, file) => JSON.parse(toJson(summaryOf(simulate(loaded.scenario, { baseDir: dirname(file), locate: loaded.locate })))) as Json);
  }
  return withEstimateSpec(b, c, (spec, baseDir) => estimateDocument(spec, baseDir));
}

/** Compares one expectation with the document; returns undefined and records an issue for an input problem. */
function evaluate(b: Baseline, c: Check, e: Expectation, doc: Json, issues: InputIssue[]): MetricResult | undefined {
  const where = { source: b.file, line: e.line, col: e.col, path: `checks.${c.index}.expect` };
  const r = resolveMetric(doc, e.metric);
  if (!r.found) {
    issues.push({ ...where, message: `check "${c.name}": unknown metric "${e.metric}" (${r.reason})`, hint: metricHint(doc, e.metric, r) });
    return undefined;
  }
  const actual = r.value;
  if (actual !== null && typeof actual === 'object') {
    const fields = Array.isArray(actual) ? actual.map((_, i) => String(i)) : Object.keys(actual);
    issues.push({ ...where, message: `check "${c.name}": metric "${e.metric}" is ${describe(actual)}, not a value`, hint: `pick one of its fields: ${fields.slice(0, 12).map((f) => `${e.metric}.${f}`).join(', ')}` });
    return undefined;
  }
  const numeric = e.value === undefined || typeof e.value === 'number';
  if (numeric && actual !== null && typeof actual !== 'number') {
    issues.push({ ...where, message: `check "${c.name}": metric "${e.metric}" is ${describe(actual)}; expect it with an exact value (e.g. ${e.metric}: ${JSON.stringify(actual)}), not a number or bounds` });
    return undefined;
  }
  if (!numeric && typeof actual === 'number') {
    issues.push({ ...where, message: `check "${c.name}": metric "${e.metric}" is a number (${actual}), but the expected value is ${JSON.stringify(e.value)}` });
    return undefined;
  }
  const out: MetricResult = { metric: e.metric, ok: true, status: 'ok', actual, value: e.value, min: e.min, max: e.max, expectation: e };
  if (typeof e.value === 'number') out.tolerance = e.tolerance;
  if (typeof actual !== 'number') {
    // null (e.g. no SLO, no price), or an exact string/boolean
    out.ok = actual === e.value;
    out.status = out.ok ? 'ok' : e.value !== undefined ? 'DRIFT' : 'FAIL';
    return out;
  }
  if (typeof e.value === 'number') {
    out.diff = actual - e.value;
    if (e.value !== 0) out.drift = actual / e.value - 1;
    const allowed = 'relative' in e.tolerance ? e.tolerance.relative * Math.abs(e.value) : e.tolerance.absolute;
    // a hair of slack for values that --update rounded to significant digits
    if (Math.abs(out.diff) > allowed + 1e-9 * Math.abs(e.value)) {
      out.ok = false;
      out.status = 'DRIFT';
    }
  }
  if ((e.min !== undefined && actual < e.min) || (e.max !== undefined && actual > e.max)) {
    out.ok = false;
    if (out.status === 'ok') out.status = 'FAIL';
  }
  return out;
}

export interface RunOptions {
  /** Keep only checks whose name contains this (case-insensitive). */
  only?: string;
  /** Called before and after each check (progress). */
  onCheck?: (c: Check, done: boolean) => void;
}

/**
 * Input problems found while running (an unknown metric path, a scenario that does not load), with the results of
 * the checks that did run: one bad metric path must not hide another check's drift (the CLI prints both, exit 2).
 */
export class CheckInputError extends InputError {
  constructor(issues: InputIssue[], readonly results: BaselineResult[]) {
    super(issues);
  }
}

/**
 * Runs every check of the baselines. Input problems found while running (unknown metric paths) are
 * collected over all checks and thrown together at the end, as a CheckInputError carrying the checks that ran.
 */
export function runBaselines(baselines: Baseline[], opts: RunOptions = {}): BaselineResult[] {
  const only = opts.only?.toLowerCase();
  const issues: InputIssue[] = [];
  const results: BaselineResult[] = [];
  for (const b of baselines) {
    const checks: CheckResult[] = [];
    for (const c of b.checks) {
      if (only !== undefined && !c.name.toLowerCase().includes(only)) continue;
      opts.onCheck?.(c, false);
      const t0 = performance.now();
      let doc: Json;
      try {
        doc = documentOf(b, c);
      } catch (e) {
        if (!(e instanceof InputError)) throw e;
        issues.push(...e.issues);
        continue;
      }
      const wall = (performance.now() - t0) / 1000;
      const before = issues.length;
      const metrics = c.expect.map((e) => evaluate(b, c, e, doc, issues)).filter((m): m is MetricResult => m !== undefined);
      // a check with a bad expectation is not a result (its issues are): the others are
      if (issues.length === before) checks.push({ check: c, kind: c.run ? 'run' : 'estimate', ok: metrics.every((m) => m.ok), wall_s: wall, metrics });
      opts.onCheck?.(c, true);
    }
    results.push({ baseline: b, checks });
  }
  if (issues.length > 0) throw new CheckInputError(issues, results);
  return results;
}

/**
 * `vgsim check --dry-run`: every check's inputs without simulating — a scenario loads with its overrides; an
 * estimate (milliseconds) is computed and its metric paths resolved. A scenario's metric paths need its run, so
 * they are checked when it runs. Throws one InputError with every problem; returns how many checks were looked at.
 */
export function preflight(baselines: Baseline[], opts: Pick<RunOptions, 'only'> = {}): number {
  const only = opts.only?.toLowerCase();
  const issues: InputIssue[] = [];
  let n = 0;
  for (const b of baselines) {
    for (const c of b.checks) {
      if (only !== undefined && !c.name.toLowerCase().includes(only)) continue;
      n++;
      try {
        if (c.run) withScenario(b, c, () => undefined);
        else {
          const doc = documentOf(b, c);
          for (const e of c.expect) evaluate(b, c, e, doc, issues);
        }
      } catch (e) {
        if (!(e instanceof InputError)) throw e;
        issues.push(...e.issues);
      }
    }
  }
  if (issues.length > 0) throw new InputError(issues);
  return n;
}
