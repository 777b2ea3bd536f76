/**
 * The columns of a sweep's point tables (terminal and HTML) and how a metric value is printed.
 */
import { fmtSeconds, pct } from '../report/table.ts';
import { formatValue, type SweepPlan } from './spec.ts';
import type { MetricUnit } from './metrics.ts';
import type { PointSummary } from './points.ts';

export function formatMetricValue(v: number | null | undefined, unit: MetricUnit): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '–';
  switch (unit) {
    case 's':
      return fmtSeconds(v);
    case 'ratio':
      return pct(v);
    case 'usd':
      return v >= 100 ? `$${v.toFixed(0)}` : `$${v.toFixed(3)}`;
    case 'Wh':
      return `${v.toFixed(0)} Wh`;
    case 'kWh':
      return `${v.toFixed(1)} kWh`;
    case 'kW':
      return `${v.toFixed(2)} kW`;
    case 'videos/h':
      return v.toFixed(1);
    case 'dB':
      return `${v.toFixed(1)} dB`;
    default:
      return Number.isInteger(v) ? String(v) : v.toFixed(1);
  }
}

/** An interval as printed: "29.7–34.8 min", "$1.63–$2.09"; an end the data cannot bound is "?". */
export function formatRange(lo: number | null, hi: number | null, unit: MetricUnit): string {
  const a = lo === null ? '?' : formatMetricValue(lo, unit);
  const b = hi === null ? '?' : formatMetricValue(hi, unit);
  const suffix = (s: string) => /\s\D+$/.exec(s)?.[0] ?? '';
  // one unit for both ends where they share it ("29.7 min–34.8 min" → "29.7–34.8 min")
  if (suffix(a) && suffix(a) === suffix(b)) return `${a.slice(0, -suffix(a).length)}–${b}`;
  return `${a}–${b}`;
}

/** Metrics of the terminal and HTML tables. */
export const TABLE_METRICS = ['throughput_per_h', 'latency_p50_s', 'latency_p95_s', 'latency_p99_s', 'queue_wait_p95_s', 'slo_attainment', 'gpu_utilization', 'energy_per_video_wh', 'usd_per_video'] as const;
export const TABLE_HEADS: Record<(typeof TABLE_METRICS)[number], string> = {
  throughput_per_h: 'videos/h', latency_p50_s: 'p50', latency_p95_s: 'p95', latency_p99_s: 'p99', queue_wait_p95_s: 'wait p95',
  slo_attainment: 'SLO', gpu_utilization: 'GPU util', energy_per_video_wh: 'Wh/video', usd_per_video: '$/video',
};

export function align(headers: readonly string[], rows: readonly string[][], leftCols: number): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) => cells.map((c, i) => (i < leftCols ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ').trimEnd();
  return [line(headers), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

/** The point's parameter cells (variant first). */
export function parameterCells(plan: SweepPlan, p: PointSummary): string[] {
  return [...(plan.variants ? [p.variant ?? ''] : []), ...plan.parameters.map((q) => formatValue(p.parameters[q.key]))];
}
