/** The diff table and the JSON report of `vgsim check`. */
import { table } from '../report/table.ts';
import { formatTolerance } from './baseline.ts';
import type { BaselineResult, MetricResult } from './run.ts';
import type { ValueChange } from './update.ts';
import type { InputIssue } from '../errors.ts';

/** A number with up to 6 significant digits (more with `digits`), no exponent for ordinary magnitudes. */
export function fmtValue(v: number | string | boolean | null | undefined, digits = 6): string {
  if (v === undefined) return '';
  if (v === null) return 'null';
  if (typeof v !== 'number') return String(v);
  if (!Number.isFinite(v)) return String(v);
  if (Number.isInteger(v) && Math.abs(v) < 1e15) return String(v);
  const a = Math.abs(v);
  if (a !== 0 && (a < 1e-4 || a >= 1e9)) return v.toExponential(digits - 2);
  return String(+v.toPrecision(digits));
}

/** The significant digits (6 at least) that show two different numbers differently: 13.1016 vs 13.10161. */
export function distinctDigits(...xs: (number | string | boolean | null | undefined)[]): number {
  const nums = xs.filter((x): x is number => typeof x === 'number' && Number.isFinite(x));
  let digits = 6;
  for (const a of nums) {
    for (const b of nums) {
      if (a === b) continue;
      let p = 6;
      while (p < 17 && fmtValue(a, p) === fmtValue(b, p)) p++;
      digits = Math.max(digits, p);
    }
  }
  return digits;
}

/** Digits for a row: 6, or as many as a failing row needs to show its actual value apart from what it is compared with. */
function rowDigits(m: MetricResult): number {
  return m.ok ? 6 : distinctDigits(m.actual, m.value, m.min, m.max);
}

function signed(x: number, text: string): string {
  return x > 0 ? `+${text}` : text;
}

function expectedText(m: MetricResult, digits = rowDigits(m)): string {
  const parts: string[] = [];
  if (m.value !== undefined) parts.push(fmtValue(m.value, digits));
  if (m.min !== undefined && m.max !== undefined) parts.push(`${fmtValue(m.min, digits)}..${fmtValue(m.max, digits)}`);
  else if (m.min !== undefined) parts.push(`>= ${fmtValue(m.min, digits)}`);
  else if (m.max !== undefined) parts.push(`<= ${fmtValue(m.max, digits)}`);
  return parts.join(', ');
}

/** A relative drift in percent: two decimals, or two significant digits when a failing drift is under 0.005%. */
function percent(x: number, failing: boolean): string {
  if (Math.abs(x) < 5e-5) return failing && x !== 0 ? signed(x, `${+(x * 100).toPrecision(2)}%`) : '0.00%';
  return signed(x, `${(x * 100).toFixed(2)}%`);
}

function driftText(m: MetricResult): string {
  if (m.diff === undefined) {
    // bounds only: how far outside
    if (typeof m.actual === 'number' && m.status === 'FAIL') {
      const bound = m.max !== undefined && m.actual > m.max ? m.max : m.min!;
      return bound !== 0 ? percent(m.actual / bound - 1, true) : signed(m.actual - bound, fmtValue(m.actual - bound));
    }
    return '';
  }
  if (m.tolerance && 'absolute' in m.tolerance) return signed(m.diff, fmtValue(m.diff));
  if (m.drift !== undefined) return percent(m.drift, !m.ok);
  return signed(m.diff, fmtValue(m.diff));
}

/** Where a metric is written in its baseline: file:line:col. */
export function metricLocation(file: string, m: MetricResult): string {
  return m.expectation.line !== undefined ? `${file}:${m.expectation.line}:${m.expectation.col ?? 1}` : file;
}

/** What went wrong with a failing metric, in one line: `latency_s.p95: 1747.58 -> 1804.02 (+3.23%, tolerance 2%)`. */
export function failureText(m: MetricResult): string {
  const digits = rowDigits(m);
  const drift = driftText(m);
  if (m.status === 'DRIFT') {
    const detail = [drift, m.tolerance ? `tolerance ${formatTolerance(m.tolerance)}` : ''].filter(Boolean).join(', ');
    return `${m.metric}: ${fmtValue(m.value, digits)} -> ${fmtValue(m.actual, digits)}${detail ? ` (${detail})` : ''}`;
  }
  return `${m.metric}: ${fmtValue(m.actual, digits)} outside ${expectedText(m, digits)}${drift ? ` (${drift})` : ''}`;
}

/** Every failing metric, one line each: `file:line:col  check  metric: pinned -> actual (drift, tolerance)`. */
export function failureLines(results: BaselineResult[]): string[] {
  return results.flatMap((r) => r.checks.flatMap((c) => c.metrics.filter((m) => !m.ok).map((m) => `${metricLocation(r.baseline.file, m)}  ${c.check.name}  ${failureText(m)}`)));
}

export interface Totals {
  checks: number;
  checks_failed: number;
  metrics: number;
  metrics_failed: number;
}

export function totals(results: BaselineResult[]): Totals {
  const checks = results.flatMap((r) => r.checks);
  const metrics = checks.flatMap((c) => c.metrics);
  return { checks: checks.length, checks_failed: checks.filter((c) => !c.ok).length, metrics: metrics.length, metrics_failed: metrics.filter((m) => !m.ok).length };
}

/**
 * One table per baseline file (check, metric, expected, actual, tolerance, drift, ok/DRIFT/FAIL), then every failing
 * metric with its file:line, then the verdict line — none when wallS is null (the checks that ran beside bad input,
 * whose problems decide the exit code).
 */
export function checkText(results: BaselineResult[], wallS: number | null): string {
  const out: string[] = [];
  for (const r of results) {
    if (r.checks.length === 0) continue;
    out.push(`${r.baseline.file}: ${r.baseline.name}`);
    const rows = r.checks.flatMap((c) => c.metrics.map((m, i) => [
      i === 0 ? c.check.name : '', m.metric, expectedText(m), fmtValue(m.actual, rowDigits(m)), m.tolerance ? formatTolerance(m.tolerance) : '', driftText(m), m.status,
    ]));
    out.push(table(['check', 'metric', 'expected', 'actual', 'tolerance', 'drift', 'result'], rows));
    out.push('');
  }
  const failures = failureLines(results);
  if (failures.length > 0) out.push('drifted or out of bounds:', ...failures.map((f) => `  ${f}`), '');
  if (wallS === null) return out.join('\n');
  const t = totals(results);
  const drifted = results.flatMap((r) => r.checks.flatMap((c) => c.metrics)).filter((m) => m.status === 'DRIFT').length;
  const failed = t.metrics_failed - drifted;
  const bad = [drifted ? `${drifted} drifted` : '', failed ? `${failed} outside bounds` : ''].filter(Boolean).join(', ');
  out.push(`${t.checks - t.checks_failed} of ${t.checks} checks passed, ${t.metrics - t.metrics_failed} of ${t.metrics} metrics within tolerance${bad ? ` (${bad})` : ''} in ${wallS.toFixed(1)} s`);
  return out.join('\n');
}

export interface JsonOptions {
  /** The values --update re-pinned: their metrics count as passing (the files now hold the current results). */
  changes?: ValueChange[];
  /** Wall-clock seconds (`--timings`): overall and per check, under "timings" — the rest of the report is byte-stable. */
  timings?: { wall_s: number };
}

/**
 * The machine-readable report (`--json`, `--report <file>`): deterministic (no wall-clock unless asked for). With
 * --update, `ok`, `passed` and `failed` are the state after re-pinning; each metric keeps its measured status.
 */
export function checkJson(results: BaselineResult[], opts: JsonOptions = {}) {
  const repinned = new Set((opts.changes ?? []).map((ch) => `${ch.file}\0${ch.check}\0${ch.metric}`));
  const passes = (file: string, check: string, m: MetricResult) => m.ok || repinned.has(`${file}\0${check}\0${m.metric}`);
  const files = results.map((r) => ({
    file: r.baseline.file,
    name: r.baseline.name,
    checks: r.checks.map((c) => ({
      name: c.check.name,
      kind: c.kind,
      ok: c.metrics.every((m) => passes(r.baseline.file, c.check.name, m)),
      metrics: c.metrics.map((m) => ({
        metric: m.metric,
        ...(m.expectation.line !== undefined ? { line: m.expectation.line, col: m.expectation.col ?? 1 } : {}),
        status: m.status,
        ok: m.ok,
        ...(repinned.has(`${r.baseline.file}\0${c.check.name}\0${m.metric}`) ? { repinned: true } : {}),
        actual: m.actual,
        ...(m.value !== undefined ? { value: m.value } : {}),
        ...(m.tolerance ? { tolerance: m.tolerance } : {}),
        ...(m.min !== undefined ? { min: m.min } : {}),
        ...(m.max !== undefined ? { max: m.max } : {}),
        ...(m.diff !== undefined ? { diff: m.diff } : {}),
        ...(m.drift !== undefined ? { drift: m.drift } : {}),
      })),
    })),
  }));
  const checks = files.flatMap((f) => f.checks);
  const metrics = checks.flatMap((c) => c.metrics);
  const failed = checks.filter((c) => !c.ok).length;
  return {
    ok: failed === 0,
    passed: checks.length - failed,
    failed,
    metrics: { total: metrics.length, failed: metrics.filter((m) => !m.ok && !m.repinned).length },
    files,
    ...(opts.changes ? { updated: opts.changes.map(({ file, check, metric, line, from, to }) => ({ file, check, metric, line, from, to })) } : {}),
    ...(opts.timings ? { timings: { wall_s: opts.timings.wall_s, checks: results.flatMap((r) => r.checks.map((c) => ({ file: r.baseline.file, check: c.check.name, wall_s: c.wall_s }))) } } : {}),
  };
}

/** The report of a run stopped by bad input (exit 2): every problem with its file:line:col. */
export function errorJson(issues: InputIssue[], ran?: BaselineResult[]) {
  return {
    ok: false,
    errors: issues.map((i) => ({ file: i.source, ...(i.line !== undefined ? { line: i.line, col: i.col ?? 1 } : {}), ...(i.path ? { path: i.path } : {}), message: i.message, ...(i.hint ? { hint: i.hint } : {}) })),
    // the checks that ran beside the bad input, as a passing report has them
    ...(ran?.some((r) => r.checks.length > 0) ? { files: checkJson(ran).files } : {}),
  };
}
