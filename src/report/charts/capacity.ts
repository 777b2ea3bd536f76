/**
 * Capacity charts (`vgsim capacity --out`): how the objectives and the throughput respond to the offered load,
 * from the trials of a capacity search (studies/capacity.ts), with each objective as a reference line and the
 * capacity found marked across every panel.
 *
 *   panel "latency"     each latency objective's metric (p95, a class's p99, queue wait…) vs offered load
 *   panel "attainment"  each share objective (SLO attainment, completed share) vs offered load
 *   panel "throughput"  completed videos/h vs offered (the ideal is y = x), with the saturation bound
 */
import type { TopLevelSpec } from 'vega-lite';
import { parseSlo, type CapacityResult, type SloTerm } from '../../studies/capacity.ts';
import { fmtSeconds } from '../table.ts';
import { PALETTE, stackedPanels, type LinesChartInput, type ReferenceLine } from './generic.ts';
import { fitSubtitle, maxOf, timeUnitFor } from '../charts.ts';

const LATENCY_METRIC: Record<string, string> = {
  mean: 'mean latency', p50: 'p50 latency', p90: 'p90 latency', p95: 'p95 latency', p99: 'p99 latency', max: 'max latency',
  wait_mean: 'mean queue wait', wait_p95: 'p95 queue wait', wait_p99: 'p99 queue wait',
};
const SHARE_METRIC: Record<string, string> = { attainment: 'SLO attainment', completed: 'completed share' };

function termName(t: SloTerm): string {
  const m = LATENCY_METRIC[t.metric] ?? SHARE_METRIC[t.metric] ?? t.metric;
  return t.cls ? `${t.cls} ${m}` : m;
}

export interface CapacityChartOptions {
  /** Scenario name, for the subtitle. */
  scenario?: string;
  /** Plot height of each panel (px). */
  height?: number;
}

const rate = (x: number) => `${x.toFixed(x >= 100 ? 0 : 1)}/h`;

/**
 * Latency and share objectives and throughput against the offered load of every trial. Latency values far
 * above the objectives (overloaded trials) are cut at the top of the panel so the region around the
 * objective stays readable; the subtitle says so.
 */
export function capacityChart(res: CapacityResult, opts: CapacityChartOptions = {}): TopLevelSpec {
  const terms = parseSlo(res.objectives.join(','));
  const trials = [...res.trials].sort((a, b) => a.rate_per_h - b.rate_per_h || a.scale - b.scale);
  const xMax = maxOf(trials.map((t) => t.rate_per_h), 1e-9) * 1.05;
  // the search brackets the capacity: start the axis near the lowest rate tried unless that is close to zero
  const xMinTried = Math.min(...trials.map((t) => t.rate_per_h));
  const xMin = xMinTried > 0.3 * xMax ? niceFloor(xMinTried * 0.9) : 0;
  const x = { title: 'offered load (requests/h)', domain: [xMin, xMax] as [number, number], zero: xMin === 0 };
  const height = opts.height ?? 170;
  const found = res.feasible ? res : undefined;
  const capacityLine = (label: boolean): ReferenceLine[] => (found ? [{ axis: 'x', value: found.max_rate_per_h, label: label ? `capacity ${rate(found.max_rate_per_h)}` : undefined, color: '#2e7d32', dashed: false }] : []);
  const panels: LinesChartInput[] = [];
  const notes: string[] = [];

  const latency = terms.filter((t) => LATENCY_METRIC[t.metric]);
  if (latency.length) {
    const objectiveMax = maxOf(latency.map((t) => t.value), 0);
    const valueMax = maxOf(trials.flatMap((t) => latency.map((l) => t.values[l.text] ?? 0)).filter(Number.isFinite), 0);
    const cut = 3 * objectiveMax;
    const top = Math.min(valueMax, cut) * 1.08;
    const u = timeUnitFor(Math.max(top, objectiveMax));
    if (valueMax > cut) notes.push(`latencies above ${fmtSeconds(cut)} run off the top of the first panel`);
    panels.push({
      title: latency.length === 1 ? `${termName(latency[0]!)} vs offered load` : 'Latency objectives vs offered load',
      x, y: { title: `latency (${u.unit})`, domain: [0, Math.max(top, objectiveMax * 1.15) / u.seconds] }, height,
      series: latency.map((t, i) => ({ name: termName(t), color: PALETTE[i % PALETTE.length], points: trials.map((tr) => ({ x: tr.rate_per_h, y: (tr.values[t.text] ?? NaN) / u.seconds })) })),
      points: true,
      legendTitle: 'metric',
      references: [
        ...latency.map((t, i): ReferenceLine => ({ axis: 'y', value: t.value / u.seconds, label: `objective ${t.text.replace('<=', ' ≤ ')}`, color: PALETTE[i % PALETTE.length], dashed: true })),
        ...capacityLine(true),
      ],
    });
  }

  const shares = terms.filter((t) => SHARE_METRIC[t.metric]);
  if (shares.length) {
    const seen = trials.flatMap((t) => shares.map((s) => t.values[s.text] ?? NaN)).filter(Number.isFinite);
    const low = Math.min(...shares.map((t) => t.value), ...seen);
    const offset = latency.length;
    panels.push({
      title: shares.length === 1 ? `${termName(shares[0]!)} vs offered load` : 'Share objectives vs offered load',
      x, y: { title: 'share of requests', format: '.0%', domain: [Math.max(0, Math.floor((low - 0.05) * 10) / 10), 1] }, height: Math.round(height * 0.8),
      series: shares.map((t, i) => ({ name: termName(t), color: PALETTE[(offset + i) % PALETTE.length], points: trials.map((tr) => ({ x: tr.rate_per_h, y: tr.values[t.text] ?? NaN })) })),
      points: true,
      legendTitle: 'metric',
      references: [
        ...shares.map((t, i): ReferenceLine => ({ axis: 'y', value: t.value, label: `objective ${t.text.replace('>=', ' ≥ ')}`, color: PALETTE[(offset + i) % PALETTE.length], dashed: true })),
        ...capacityLine(latency.length === 0),
      ],
    });
  }

  const yMax = Math.max(maxOf(trials.map((t) => t.throughput_per_h), 0), res.saturation_rate_per_h < 2 * xMax ? res.saturation_rate_per_h : 0, xMax) * 1.05;
  panels.push({
    title: 'Throughput vs offered load',
    x, y: { title: 'completed (requests/h)', domain: [0, yMax] }, height,
    series: [
      { name: 'throughput', color: PALETTE[2], points: trials.map((t) => ({ x: t.rate_per_h, y: t.throughput_per_h })) },
      { name: 'offered (all served)', color: '#999999', dashed: true, points: [{ x: xMin, y: xMin }, { x: xMax, y: xMax }] },
    ],
    points: false,
    references: [
      ...(res.saturation_rate_per_h > 0 && res.saturation_rate_per_h < yMax ? [{ axis: 'y' as const, value: res.saturation_rate_per_h, label: `saturation bound ${rate(res.saturation_rate_per_h)}`, color: '#b22222', dashed: true }] : []),
      ...capacityLine(false),
    ],
  });
  // dots on the measured throughput only (the ideal line has two points)
  const spec = stackedPanels(
    'Capacity: objectives and throughput vs offered load',
    `${opts.scenario ? `${opts.scenario}: ` : ''}${trials.length} trials (same seed, arrival rates scaled, drained); ${found ? `capacity ${rate(found.max_rate_per_h)} (${found.failing_rate_per_h < Infinity ? `${rate(found.failing_rate_per_h)} fails` : 'every rate passed'})` : 'no tried rate meets the objectives'}; objectives ${res.objectives.join(', ')}${notes.length ? `; ${notes.join('; ')}` : ''}`,
    panels,
  );
  if (latency.length) clipLines(spec, 0);
  return fitSubtitle(markThroughputPoints(spec), 620 + 300);
}

/** x rounded down to a multiple of half its power of ten (18 → 15, 230 → 200). */
function niceFloor(x: number): number {
  if (!(x > 0)) return 0;
  const step = 10 ** Math.floor(Math.log10(x)) / 2;
  return Math.floor(x / step) * step;
}

/** Clips panel `i`'s lines and dots to its plot (values above the domain run off the top instead of over the title). */
function clipLines(spec: TopLevelSpec, i: number): void {
  const panel = (spec as unknown as { vconcat?: { layer?: { mark?: Record<string, unknown> }[] }[] }).vconcat?.[i];
  const mark = panel?.layer?.[0]?.mark;
  if (mark) mark.clip = true;
}

/** Adds dots on the measured-throughput line of the last panel (trials), not on the two-point ideal line. */
function markThroughputPoints(spec: TopLevelSpec): TopLevelSpec {
  type Layer = { mark?: Record<string, unknown>; data?: { values?: { series: string }[] }; encoding?: Record<string, unknown> };
  const panels = (spec as unknown as { vconcat?: { layer?: Layer[] }[] }).vconcat ?? [];
  const last = panels[panels.length - 1];
  const line = last?.layer?.[0];
  if (!line?.data?.values || !line.encoding) return spec;
  const measured = line.data.values.filter((v) => v.series === 'throughput');
  last!.layer!.splice(1, 0, {
    data: { values: measured },
    mark: { type: 'point', filled: true, size: 36 },
    encoding: { x: line.encoding.x, y: line.encoding.y, color: { value: PALETTE[2] } },
  });
  return spec;
}
