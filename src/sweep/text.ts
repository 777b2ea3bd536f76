/**
 * The table printed at the end of a sweep: one row per point and whether it meets the objectives, the best
 * points among those that do (with their objectives next to them), 95% intervals over replicate seeds, then
 * the failed runs.
 */
import { sweepResult, type SweepRecord, type SweepResult } from './output.ts';
import { metric } from './metrics.ts';
import type { PointSummary } from './points.ts';
import { bestBy, lowConfidence, objectivesAt, type BestKey, type BestPoints } from './best.ts';
import type { SweepPlan } from './spec.ts';
import { TABLE_HEADS, TABLE_METRICS, align, formatMetricValue, formatRange, parameterCells } from './columns.ts';
import { checkedAlternative, pointCaveats, sweepEvidenceLines } from './evidence.ts';

/** Points whose reason for not being ranked the text lists (the rest: sweep.json). */
const MAX_REASONS = 12;

/** Metrics whose 95% interval the text lists for replicated sweeps. */
const CI_METRICS = ['latency_p95_s', 'slo_attainment', 'throughput_per_h', 'usd_per_video'] as const;

/** "33.5 min [30.1 min–36.0 min]": a value with its 95% interval (open ends as "?"). */
export function withInterval(p: PointSummary, key: string): string {
  const unit = metric(key).unit;
  const v = formatMetricValue(p.metrics[key], unit);
  const ci = p.ci?.[key];
  if (!ci) return v;
  return `${v} [${formatRange(ci.lo, ci.hi, unit)}]`;
}

/** The end-of-sweep table: one row per point, whether it meets the objectives, the best (among those that do) marked. */
export function sweepText(plan: SweepPlan, records: readonly SweepRecord[], opts: { maxRows?: number; shard?: string } = {}, result: SweepResult = sweepResult(plan, records)): string {
  const { points, best, verdicts } = result;
  const failed = records.filter((r) => r.status === 'error').length;
  const out: string[] = [];
  const seeds = plan.replicate_seeds > 1 ? ` × ${plan.replicate_seeds} seeds` : '';
  out.push(`sweep of ${plan.scenario} (${plan.mode}${plan.limit !== null ? `, first ${plan.points.length} of ${plan.total} runs` : ''}${opts.shard ? `, ${opts.shard}` : ''}): ${points.length} points${seeds}, ${records.length - failed} runs ok, ${failed} failed  (spec ${plan.hash})`);
  out.push('');
  const heads = ['id', ...(plan.variants ? ['variant'] : []), ...plan.parameters.map((p) => p.short), ...(plan.replicate_seeds > 1 ? ['runs'] : []), 'done', 'meets', ...TABLE_METRICS.map((k) => TABLE_HEADS[k])];
  const left = 1 + (plan.variants ? 1 : 0) + plan.parameters.length;
  const row = (p: PointSummary, i: number): string[] => {
    const cells = [String(p.point), ...parameterCells(plan, p)];
    if (plan.replicate_seeds > 1) cells.push(`${p.ok}/${p.ids.length}`);
    if (p.ok === 0) return [...cells, 'error', '', ...TABLE_METRICS.map(() => '')];
    cells.push(`${p.metrics.completed?.toFixed(0)}/${p.metrics.arrived?.toFixed(0)}`);
    cells.push(verdicts[i]!.feasible ? 'yes' : 'no');
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
  out.push(`objectives: ${best.objectives.text}; ${best.meeting} of ${best.points} point${best.points === 1 ? '' : 's'} meet${best.meeting === 1 && best.points === 1 ? 's' : ''} them`);
  // each line reads its own pick and its own notes: `of` is the best points the line is from (the sweep's, or the checked alternative's)
  const describe = (of: BestPoints, what: string, key: BestKey) => {
    const { point: idx, note } = bestBy(of, key);
    if (idx === null) return `best ${what}: –${note ? ` (${note})` : ''}`;
    const p = points.find((x) => x.point === idx)!;
    const v = verdicts.find((x) => x.point === idx)!;
    const c = pointCaveats(records, p);
    const low = lowConfidence(v);
    if (low) c.push(low);
    return `best ${what}: point ${idx} (${p.label}) ${withInterval(p, key)}; ${objectivesAt(plan, points, v)}${c.length ? ` [${c.join('; ')}]` : ''}`;
  };
  if (best.meeting > 0) {
    out.push(`* ${describe(best, 'p95 latency', 'latency_p95_s')}`);
    out.push(`* ${describe(best, '$ per video', 'usd_per_video')}`);
    out.push(`  ${describe(best, 'throughput', 'throughput_per_h')}`);
    // a best point on a GPU nothing measured checks: the best among the points whose GPUs have held-out measurements
    const alt = checkedAlternative(plan, records, points, best);
    if (alt && alt.meeting > 0) {
      out.push(`among the points on GPUs with held-out measurements (vgsim list evidence):`);
      out.push(`  ${describe(alt, 'p95 latency', 'latency_p95_s')}`);
      out.push(`  ${describe(alt, '$ per video', 'usd_per_video')}`);
      out.push(`  ${describe(alt, 'throughput', 'throughput_per_h')}`);
    } else if (alt) out.push('no point on a GPU with held-out measurements meets the objectives');
  } else out.push(`no best point: ${best.note}`);
  // every point with a result that is not ranked, with why (sweep.json carries the same as points[].reason)
  const unranked = verdicts.filter((v, i) => !v.feasible && points[i]!.ok > 0);
  if (unranked.length) {
    out.push(`not ranked, because they do not meet the objectives (${unranked.length} of ${best.points}):`);
    for (const v of unranked.slice(0, MAX_REASONS)) out.push(`  point ${v.point} (${points.find((p) => p.point === v.point)!.label}): ${v.reason}`);
    if (unranked.length > MAX_REASONS) out.push(`  … ${unranked.length - MAX_REASONS} more: sweep.json points[].reason`);
  }
  const evidence = sweepEvidenceLines(records, points);
  if (evidence.length) out.push('', 'what the numbers rest on, per GPU, engine and model family (vgsim list evidence):', ...evidence.map((l) => `  ${l}`));
  if (plan.replicate_seeds > 1 && points.some((p) => p.ci)) {
    out.push('');
    out.push(`95% intervals over ${plan.replicate_seeds} seeds (percentiles from the seeds' requests pooled, order-statistic interval; the others: Student's t over the seeds):`);
    for (const p of shown) if (p.ci) out.push(`  ${p.point}: ${CI_METRICS.map((k) => `${TABLE_HEADS[k]} ${withInterval(p, k)}`).join(', ')}`);
  }
  const errors = records.filter((r) => r.status === 'error');
  if (errors.length) {
    out.push('');
    out.push(`${errors.length} run${errors.length === 1 ? '' : 's'} failed:`);
    for (const e of errors.slice(0, 10)) out.push(`  run ${e.id} (${e.label}, seed ${e.seed}): ${e.error}`);
    if (errors.length > 10) out.push(`  … ${errors.length - 10} more in sweep.json`);
  }
  return out.join('\n');
}
