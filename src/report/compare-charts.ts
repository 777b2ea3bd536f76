/**
 * The charts of a comparison: latency CDFs overlaid, load over time, p50/p95/p99 bars and the stage
 * breakdown, one colour per scenario (runColor).
 */
import { STAGE_COLORS, stageOrder, stageSeconds } from './stage-bars.ts';
import type { TopLevelSpec } from 'vega-lite';
import type { SimulationResult } from '../serving/simulate.ts';
import { fmtSeconds, pct } from './table.ts';
import { barsChart, linesChart, stackedPanels, timeUnitFor, type BarDatum, type LineSeries, type NamedChart, type ReferenceLine } from './charts.ts';
import { runColor, type CompareRun } from './compare.ts';

/** At most `max` points of a sorted sample's empirical CDF (evenly spaced ranks, ends kept). */
function cdfPoints(sorted: readonly number[], max = 1500): { x: number; y: number }[] {
  const n = sorted.length;
  if (n === 0) return [];
  const pts = [{ x: sorted[0]!, y: 0 }];
  const take = Math.min(n, max);
  for (let k = 1; k <= take; k++) {
    const i = n <= max ? k : Math.round((k * n) / take);
    pts.push({ x: sorted[i - 1]!, y: i / n });
  }
  return pts;
}

function completedLatencies(r: SimulationResult): number[] {
  if (!r.records) throw new Error(`compare charts need per-request records: simulate ${r.scenario} with { records: true }`);
  return r.records.filter((x) => x.outcome === 'completed').map((x) => x.finish - x.arrival).sort((a, b) => a - b);
}

/** Latency CDF of every scenario (all classes together) on one chart; SLOs that all scenarios share marked. */
export function compareLatencyCdfChart(runs: readonly CompareRun[]): TopLevelSpec {
  const lats = runs.map((x) => completedLatencies(x.result));
  // an SLO is drawn when every scenario that has the class gives it the same value
  const slos = new Map<string, number | null>();
  for (const x of runs) for (const c of x.result.classes) {
    if (c.slo_s === null) continue;
    const prev = slos.get(c.name);
    slos.set(c.name, prev === undefined || prev === c.slo_s ? c.slo_s : null);
  }
  const sloList = [...slos].filter((e): e is [string, number] => e[1] !== null);
  const u = timeUnitFor(Math.max(0, ...lats.flat(), ...sloList.map((e) => e[1])));
  const series: LineSeries[] = [];
  runs.forEach((x, i) => {
    if (lats[i]!.length) series.push({ name: `${x.label} (n=${lats[i]!.length})`, color: runColor(i), points: cdfPoints(lats[i]!).map((p) => ({ x: p.x / u.seconds, y: p.y })) });
  });
  const references: ReferenceLine[] = sloList.map(([name, slo]) => ({ axis: 'x', value: slo / u.seconds, label: `SLO ${name} ${fmtSeconds(slo)}`, color: '#666666', dashed: true }));
  return linesChart({
    title: 'End-to-end latency distribution by scenario',
    subtitle: `completed requests of every class, arrival → video done; ${runs.map((x) => `${x.label}: p95 ${x.result.requests.completed ? fmtSeconds(x.result.latency_s.p95) : '–'}`).join(', ')}`,
    x: { title: `latency (${u.unit})`, zero: true },
    y: { title: 'fraction of requests ≤ latency', format: '.0%', domain: [0, 1] },
    series,
    interpolate: 'step-after',
    references,
    legendTitle: 'scenario',
  });
}

/** GPU utilization and requests waiting over simulated time, one line per scenario. */
export function compareLoadChart(runs: readonly CompareRun[]): TopLevelSpec {
  const end = Math.max(0, ...runs.map((x) => Math.max(x.result.sim_time_s, x.result.timeseries.at(-1)?.t ?? 0)));
  const u = timeUnitFor(end);
  const x = { title: `simulated time (${u.unit})`, domain: [0, end / u.seconds] as [number, number] };
  const series = (f: (p: SimulationResult['timeseries'][number]) => number): LineSeries[] =>
    runs.map((r, i) => ({ name: r.label, color: runColor(i), points: r.result.timeseries.map((p) => ({ x: p.t / u.seconds, y: f(p) })) }));
  const maxQueue = Math.max(1, ...runs.flatMap((r) => r.result.timeseries.map((p) => p.queued)));
  return stackedPanels('Cluster load over time by scenario', `mean GPU utilization: ${runs.map((r) => `${r.label} ${pct(r.result.gpu_utilization)}`).join(', ')}`, [
    {
      title: 'GPU utilization (share of each scenario\'s GPUs busy)',
      x, y: { title: 'busy GPUs (%)', format: '.0%', domain: [0, 1] }, height: 170,
      series: series((p) => p.gpu_utilization), interpolate: 'step-after', legendTitle: 'scenario',
    },
    {
      title: 'Requests waiting in queues',
      x, y: { title: 'requests', format: 'd', domain: [0, Math.max(4, Math.ceil(maxQueue * 1.1))] }, height: 150,
      series: series((p) => p.queued), interpolate: 'step-after', legendTitle: 'scenario',
    },
  ]);
}

const PERCENTILE_COLORS: Record<string, string> = { p50: '#9ecae9', p95: '#4c78a8', p99: '#1f4e79' };

/** p50 / p95 / p99 end-to-end latency per scenario, grouped bars. */
export function comparePercentilesChart(runs: readonly CompareRun[]): TopLevelSpec {
  const done = runs.filter((x) => x.result.requests.completed > 0);
  const u = timeUnitFor(Math.max(0, ...done.map((x) => x.result.latency_s.p99)));
  const data: BarDatum[] = [];
  for (const x of done) {
    for (const q of ['p50', 'p95', 'p99'] as const) data.push({ category: x.label, group: q, value: x.result.latency_s[q] / u.seconds, label: fmtSeconds(x.result.latency_s[q]) });
  }
  return barsChart({
    title: 'Latency percentiles by scenario',
    subtitle: 'end-to-end latency of completed requests, all classes',
    data,
    category: { title: 'scenario', order: done.map((x) => x.label) },
    value: { title: `latency (${u.unit})` },
    group: { title: 'percentile', order: ['p50', 'p95', 'p99'], colors: PERCENTILE_COLORS },
    mode: 'grouped',
  });
}


/** Cost-model service time of one request per scenario × class (× pool), split by stage. */
export function compareStageChart(runs: readonly CompareRun[]): TopLevelSpec {
  const all = runs.flatMap((x) => x.result.service_times);
  const u = timeUnitFor(Math.max(0, ...all.map((s) => s.total_s)));
  const data: BarDatum[] = [];
  const totals: Record<string, string> = {};
  const order = stageOrder(all);
  for (const x of runs) {
    const multiPool = new Set(x.result.service_times.map((s) => s.pool)).size > 1;
    for (const s of x.result.service_times) {
      const cat = `${x.label} · ${s.class}${multiPool ? ` on ${s.pool}` : ''}`;
      for (const [group, v] of stageSeconds(s, order)) data.push({ category: cat, group, value: v / u.seconds });
      totals[cat] = `${fmtSeconds(s.total_s)}  (denoise ${((s.denoise_s / s.total_s) * 100).toFixed(0)}%)`;
    }
  }
  return barsChart({
    title: 'Service time per request, by scenario and stage',
    subtitle: 'one request on an idle replica (cost model); encode and decode include the offload swaps',
    data,
    category: { title: 'scenario · class' },
    value: { title: `time per request (${u.unit})` },
    group: { title: 'stage', order, colors: STAGE_COLORS },
    totals,
  });
}

/** The charts of a comparison, in page order (ids prefixed "compare-" so they never clash with a run report's). */
export function compareCharts(runs: readonly CompareRun[]): NamedChart[] {
  const charts: NamedChart[] = [];
  const add = (id: string, title: string, caption: string, spec: TopLevelSpec) => charts.push({ id: `compare-${id}`, section: 'simulation', title, caption, spec });
  if (runs.every((x) => x.result.records) && runs.some((x) => x.result.requests.completed > 0)) add('latency-cdf', 'Latency distributions', 'Empirical CDF of end-to-end latency of completed requests, one line per scenario; dashed lines mark SLOs the scenarios share.', compareLatencyCdfChart(runs));
  if (runs.some((x) => x.result.timeseries.length)) add('load-over-time', 'Load over time', 'Share of GPUs busy and requests waiting over simulated time, one line per scenario.', compareLoadChart(runs));
  if (runs.some((x) => x.result.requests.completed > 0)) add('latency-percentiles', 'Latency percentiles', 'p50, p95 and p99 end-to-end latency of each scenario.', comparePercentilesChart(runs));
  if (runs.some((x) => x.result.service_times.length)) add('stage-breakdown', 'Service time by stage', 'Cost-model time of one request of each class in each scenario, split into text encode, denoise and VAE decode.', compareStageChart(runs));
  return charts;
}
