/**
 * Scaling chart of `vgsim plan --out`: what more GPUs per replica buy, from the ranked layouts of a plan search
 * (studies/plan-search.ts). For each GPU count, the best feasible layout the engine's code runs (no what-if):
 *
 *   panel "throughput"  videos per hour per GPU of the layout with the most (all replicas busy back to back)
 *   panel "latency"     one request's latency on the fastest layout
 *   panel "speed-up"    latency of the fastest layout on the fewest GPUs ÷ latency on g GPUs, against ideal
 *                       linear scaling (dashed); labels give the parallel efficiency
 *
 * Points are labelled with the layout, so the chart reads without the table.
 */
import type { TopLevelSpec } from 'vega-lite';
import { runnable, type PlanRow } from '../../studies/plan-search.ts';
import { fmtSeconds } from '../table.ts';
import { PALETTE, stackedPanels, type LinesChartInput } from './generic.ts';
import { fitSubtitle, timeUnitFor } from '../charts.ts';

export interface PlanChartOptions {
  title?: string;
  /** Default: the model, request and GPU of the estimates, and how many layouts are feasible. */
  subtitle?: string;
}

export interface ScalingPoint {
  gpus: number;
  parallel: string;
  latency_s: number;
  throughput_per_gpu_h: number;
}

/** The best feasible layout for each GPU count: fastest (`by: 'latency'`) or most videos/h per GPU. */
export function bestPerGpuCount(rows: readonly PlanRow[], by: 'latency' | 'throughput'): ScalingPoint[] {
  const best = new Map<number, PlanRow>();
  for (const r of rows) {
    if (!runnable(r) || r.latency_s === undefined || r.throughput_per_gpu_h === undefined) continue;
    const cur = best.get(r.gpus_per_replica);
    const better = !cur || (by === 'latency'
      ? r.latency_s < cur.latency_s! || (r.latency_s === cur.latency_s && r.parallel < cur.parallel)
      : r.throughput_per_gpu_h > cur.throughput_per_gpu_h! || (r.throughput_per_gpu_h === cur.throughput_per_gpu_h && r.parallel < cur.parallel));
    if (better) best.set(r.gpus_per_replica, r);
  }
  return [...best.values()]
    .sort((a, b) => a.gpus_per_replica - b.gpus_per_replica)
    .map((r) => ({ gpus: r.gpus_per_replica, parallel: r.parallel === 'none' ? '1 GPU' : r.parallel, latency_s: r.latency_s!, throughput_per_gpu_h: r.throughput_per_gpu_h! }));
}

type Json = Record<string, unknown>;

type Placement = 'above-right' | 'above-left' | 'below-right' | 'below-left';

/**
 * Where a point's label stays clear of its line: on the side away from the neighbouring segment (the next one,
 * or the previous one for points in the right part of the plot, whose labels go to the left).
 */
function autoPlacement(labels: readonly { x: number; y: number }[], k: number, xMax: number): Placement {
  const p = labels[k]!;
  if (p.x > 0.6 * xMax && k > 0) return labels[k - 1]!.y > p.y ? 'below-left' : 'above-left';
  const next = labels[k + 1];
  return next && next.y > p.y ? 'below-right' : 'above-right';
}

/** Adds a text label beside each point (sorted by x) of panel `i`, where `place` puts it (default: autoPlacement). */
function labelPoints(spec: TopLevelSpec, i: number, labels: readonly { x: number; y: number; text: string }[], xMax: number, place?: (k: number) => Placement): void {
  const panel = (spec as unknown as { vconcat?: { layer?: Json[] }[] }).vconcat?.[i];
  const line = panel?.layer?.[0] as { encoding?: { x?: Json; y?: Json } } | undefined;
  if (!panel?.layer || !line?.encoding?.x || !line.encoding.y) return;
  const where = labels.map((_, k) => (place ? place(k) : autoPlacement(labels, k, xMax)));
  for (const side of ['above-right', 'above-left', 'below-right', 'below-left'] as const) {
    const values = labels.filter((_, k) => where[k] === side);
    if (values.length === 0) continue;
    const right = side.endsWith('right');
    const above = side.startsWith('above');
    const mark = { type: 'text', align: right ? 'left' : 'right', baseline: above ? 'bottom' : 'top', dx: right ? 6 : -6, dy: above ? -5 : 5, fontSize: 10.5, color: '#333333' };
    const encoding = { x: line.encoding.x, y: line.encoding.y, text: { field: 'text', type: 'nominal' } };
    panel.layer.push({ data: { values }, mark: { ...mark, color: 'white', stroke: 'white', strokeWidth: 3, strokeJoin: 'round' }, encoding });
    panel.layer.push({ data: { values }, mark, encoding });
  }
}

/** Videos/h per GPU, latency and speed-up against GPUs per replica, best layout for each GPU count. */
export function planScalingChart(rows: readonly PlanRow[], opts: PlanChartOptions = {}): TopLevelSpec {
  const fastest = bestPerGpuCount(rows, 'latency');
  const densest = bestPerGpuCount(rows, 'throughput');
  if (fastest.length === 0) throw new Error('planScalingChart: no feasible layout');
  const maxG = Math.max(...fastest.map((p) => p.gpus));
  const xMax = maxG * 1.12;
  const x = { title: 'GPUs per replica', domain: [0, xMax] as [number, number], format: 'd' };
  const base = fastest[0]!;
  const u = timeUnitFor(Math.max(...fastest.map((p) => p.latency_s)));
  const speedup = fastest.map((p) => ({ x: p.gpus, y: base.latency_s / p.latency_s, eff: base.latency_s / p.latency_s / (p.gpus / base.gpus) }));
  const maxTput = Math.max(...densest.map((p) => p.throughput_per_gpu_h));
  const panels: LinesChartInput[] = [
    {
      title: 'Throughput per GPU (layout with the most videos/h per GPU)',
      x, y: { title: 'videos/h per GPU', domain: [0, maxTput * 1.25] }, height: 170,
      series: [{ name: 'videos/h per GPU', color: PALETTE[2], points: densest.map((p) => ({ x: p.gpus, y: p.throughput_per_gpu_h })) }],
      points: true,
    },
    {
      title: 'Latency of one request (fastest layout)',
      x, y: { title: `latency (${u.unit})`, domain: [0, (Math.max(...fastest.map((p) => p.latency_s)) * 1.25) / u.seconds] }, height: 170,
      series: [{ name: 'latency', color: PALETTE[0], points: fastest.map((p) => ({ x: p.gpus, y: p.latency_s / u.seconds })) }],
      points: true,
    },
    {
      title: `Speed-up over ${base.gpus} GPU${base.gpus === 1 ? '' : 's'} (fastest layout)`,
      x, y: { title: 'speed-up (×)', domain: [0, Math.max(maxG / base.gpus, ...speedup.map((s) => s.y)) * 1.1] }, height: 170,
      series: [
        { name: 'speed-up', color: PALETTE[1], points: speedup.map((s) => ({ x: s.x, y: s.y })) },
        { name: 'ideal (linear)', color: '#999999', dashed: true, points: [{ x: base.gpus, y: 1 }, { x: maxG, y: maxG / base.gpus }] },
      ],
      points: true,
      legendTitle: '',
    },
  ];
  const e = rows.find((r) => r.feasible && r.estimate)?.estimate;
  const feasible = rows.filter(runnable).length;
  const what = e ? `${e.model} ${e.request.width}×${e.request.height}×${e.request.frames}f, ${e.request.steps} steps on ${e.gpu}` : 'the plan search';
  const spec = stackedPanels(
    opts.title ?? 'Throughput and latency vs GPUs per replica',
    opts.subtitle ?? `${what}: ${feasible} feasible of ${rows.length} layouts; each point is the best layout with that many GPUs per replica (labels); ${base.gpus === 1 ? 'one GPU' : `${base.gpus} GPUs`}: ${fmtSeconds(base.latency_s)} per video`,
    panels,
  );
  labelPoints(spec, 0, densest.map((p) => ({ x: p.gpus, y: p.throughput_per_gpu_h, text: `${p.parallel}: ${p.throughput_per_gpu_h.toFixed(2)}` })), xMax);
  labelPoints(spec, 1, fastest.map((p) => ({ x: p.gpus, y: p.latency_s / u.seconds, text: `${p.parallel}: ${fmtSeconds(p.latency_s)}` })), xMax);
  // speed-up rises under the ideal line: labels below and to the right, away from both
  labelPoints(spec, 2, speedup.map((s) => ({ x: s.x, y: s.y, text: `×${s.y.toFixed(1)} (${(s.eff * 100).toFixed(0)}%)` })), xMax, () => 'below-right');
  return fitSubtitle(spec, 620 + 200);
}
