/** The diff table and the JSON report of `vgsim check`. */
import { table } from '../report/table.ts';
import { formatTolerance } from './baseline.ts';
import type { BaselineResult, MetricResult } from './run.ts';
import type { ValueChange } from './update.ts';

/** A number with up to 6 significant digits, no exponent for ordinary magnitudes. */
export function fmtValue(v: number | string | boolean | null | undefined): string {
  if (v === undefined) return '';
  if (v === null) return 'null';
  if (typeof v !== 'number') return String(v);
  if (!Number.isFinite(v)) return String(v);
  if (Number.isInteger(v) && Math.abs(v) < 1e15) return String(v);
  const a = Math.abs(v);
  if (a !== 0 && (a < 1e-4 || a >= 1e9)) return v.toExponential(4);
  return String(+v.toPrecision(6));
}

function signed(x: number, text: string): string {
  return x > 0 ? `+${text}` : text;
}

function expectedText(m: MetricResult): string {
  const parts: string[] = [];
  if (m.value !== undefined) parts.push(fmtValue(m.value));
  if (m.min !== undefined && m.max !== undefined) parts.push(`${fmtValue(m.min)}..${fmtValue(m.max)}`);
  else if (m.min !== undefined) parts.push(`>= ${fmtValue(m.min)}`);
  else if (m.max !== undefined) parts.push(`<= ${fmtValue(m.max)}`);
  return parts.join(', ');
}

function driftText(m: MetricResult): string {
  if (m.diff === undefined) {
    // bounds only: how far outside
    if (typeof m.actual === 'number' && m.status === 'FAIL') {
      const bound = m.max !== undefined && m.actual > m.max ? m.max : m.min!;
      return bound !== 0 ? signed(m.actual / bound - 1, `${((m.actual / bound - 1) * 100).toFixed(2)}%`) : signed(m.actual - bound, fmtValue(m.actual - bound));
    }
    return '';
  }
  if (m.tolerance && 'absolute' in m.tolerance) return signed(m.diff, fmtValue(m.diff));
  if (m.drift !== undefined) return Math.abs(m.drift) < 5e-5 ? '0.00%' : signed(m.drift, `${(m.drift * 100).toFixed(2)}%`);
  return signed(m.diff, fmtValue(m.diff));
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

/** One table per baseline file: check, metric, expected, actual, tolerance, drift, ok/DRIFT/FAIL. */
export function checkText(results: BaselineResult[], wallS: number): string {
  const out: string[] = [];
  for (const r of results) {
    if (r.checks.length === 0) continue;
    out.push(`${r.baseline.file}: ${r.baseline.name}`);
    const rows = r.checks.flatMap((c) => c.metrics.map((m, i) => [
      i === 0 ? c.check.name : '', m.metric, expectedText(m), fmtValue(m.actual), m.tolerance ? formatTolerance(m.tolerance) : '', driftText(m), m.status,
    ]));
    out.push(table(['check', 'metric', 'expected', 'actual', 'tolerance', 'drift', 'result'], rows));
    out.push('');
  }
  const t = totals(results);
  const drifted = results.flatMap((r) => r.checks.flatMap((c) => c.metrics)).filter((m) => m.status === 'DRIFT').length;
  const failed = t.metrics_failed - drifted;
  const bad = [drifted ? `${drifted} drifted` : '', failed ? `${failed} outside bounds` : ''].filter(Boolean).join(', ');
  out.push(`${t.checks - t.checks_failed} of ${t.checks} checks passed, ${t.metrics - t.metrics_failed} of ${t.metrics} metrics within tolerance${bad ? ` (${bad})` : ''} in ${wallS.toFixed(1)} s`);
  return out.join('\n');
}

/** The machine-readable report (`--json`, `--report <file>`). */
export function checkJson(results: BaselineResult[], wallS: number, changes?: ValueChange[]) {
  const t = totals(results);
  return {
    ok: t.checks_failed === 0,
    passed: t.checks - t.checks_failed,
    failed: t.checks_failed,
    metrics: { total: t.metrics, failed: t.metrics_failed },
    wall_s: wallS,
    files: results.map((r) => ({
      file: r.baseline.file,
      name: r.baseline.name,
      checks: r.checks.map((c) => ({
        name: c.check.name,
        kind: c.kind,
        ok: c.ok,
        wall_s: c.wall_s,
        metrics: c.metrics.map((m) => ({
          metric: m.metric,
          status: m.status,
          ok: m.ok,
          actual: m.actual,
          ...(m.value !== undefined ? { value: m.value } : {}),
          ...(m.tolerance ? { tolerance: m.tolerance } : {}),
          ...(m.min !== undefined ? { min: m.min } : {}),
          ...(m.max !== undefined ? { max: m.max } : {}),
          ...(m.diff !== undefined ? { diff: m.diff } : {}),
          ...(m.drift !== undefined ? { drift: m.drift } : {}),
        })),
      })),
    })),
    ...(changes ? { updated: changes.map(({ file, check, metric, from, to }) => ({ file, check, metric, from, to })) } : {}),
  };
}
