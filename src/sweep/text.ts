/**
 * The table printed at the end of a sweep: one row per point, the best marked, then the failed runs.
 */
import { bestPoints, metric, pointSummaries, type PointSummary, type SweepRecord } from './output.ts';
import type { SweepPlan } from './spec.ts';
import { TABLE_HEADS, TABLE_METRICS, align, formatMetricValue, parameterCells } from './columns.ts';


/** The end-of-sweep table: one row per point (means over replicate seeds), best p95 and $/video marked. */
export function sweepText(plan: SweepPlan, records: readonly SweepRecord[], opts: { maxRows?: number; shard?: string } = {}): string {
  const points = pointSummaries(plan, records);
  const best = bestPoints(points);
  const failed = records.filter((r) => r.status === 'error').length;
  const out: string[] = [];
  const seeds = plan.replicate_seeds > 1 ? ` × ${plan.replicate_seeds} seeds` : '';
  out.push(`sweep of ${plan.scenario} (${plan.mode}${plan.limit !== null ? `, first ${plan.points.length} of ${plan.total} runs` : ''}${opts.shard ? `, ${opts.shard}` : ''}): ${points.length} points${seeds}, ${records.length - failed} runs ok, ${failed} failed  (spec ${plan.hash})`);
  out.push('');
  const heads = ['id', ...(plan.variants ? ['variant'] : []), ...plan.parameters.map((p) => p.short), ...(plan.replicate_seeds > 1 ? ['runs'] : []), 'done', ...TABLE_METRICS.map((k) => TABLE_HEADS[k])];
  const left = 1 + (plan.variants ? 1 : 0) + plan.parameters.length;
  const row = (p: PointSummary): string[] => {
    const cells = [String(p.point), ...parameterCells(plan, p)];
    if (plan.replicate_seeds > 1) cells.push(`${p.ok}/${p.ids.length}`);
    if (p.ok === 0) return [...cells, 'error', ...TABLE_METRICS.map(() => '')];
    cells.push(`${p.metrics.completed?.toFixed(0)}/${p.metrics.arrived?.toFixed(0)}`);
    for (const k of TABLE_METRICS) {
      let c = formatMetricValue(p.metrics[k], metric(k).unit);
      if ((k === 'latency_p95_s' && best.latency_p95 === p.point) || (k === 'usd_per_video' && best.usd_per_video === p.point)) c += ' *';
      cells.push(c);
    }
    return cells;
  };
  const max = opts.maxRows ?? 40;
  const shown = points.length > max ? points.slice(0, max) : points;
  out.push(align(heads, shown.map(row), left));
  if (points.length > shown.length) out.push(`… ${points.length - shown.length} more points (points.csv has them all)`);
  out.push('');
  const describe = (idx: number | null, what: string, key: string) => {
    if (idx === null) return `best ${what}: –`;
    const p = points.find((x) => x.point === idx)!;
    return `best ${what}: point ${idx} (${p.label}) ${formatMetricValue(p.metrics[key], metric(key).unit)}`;
  };
  out.push(`* ${describe(best.latency_p95, 'p95 latency', 'latency_p95_s')}`);
  out.push(`* ${describe(best.usd_per_video, '$ per video', 'usd_per_video')}`);
  out.push(`  ${describe(best.throughput_per_h, 'throughput', 'throughput_per_h')}`);
  out.push(best.note ? `  (${best.note})` : '  (best among points that lost no request)');
  const errors = records.filter((r) => r.status === 'error');
  if (errors.length) {
    out.push('');
    out.push(`${errors.length} run${errors.length === 1 ? '' : 's'} failed:`);
    for (const e of errors.slice(0, 10)) out.push(`  run ${e.id} (${e.label}, seed ${e.seed}): ${e.error}`);
    if (errors.length > 10) out.push(`  … ${errors.length - 10} more in sweep.json`);
  }
  return out.join('\n');
}
