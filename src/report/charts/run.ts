/**
 * The simulated run's charts: latency CDF per class, load, power and replicas over time, service time by
 * stage, and what each replica ran when.
 */
import { STAGE_COLORS, stageOrder, stageSeconds } from '../stage-bars.ts';
import type { TopLevelSpec } from 'vega-lite';
import type { SimulationResult } from '../../serving/simulate.ts';
import { fmtSeconds } from '../table.ts';
import { DEFAULT_WIDTH, PALETTE, barsChart, linesChart, stackedPanels, timelineChart, type BarDatum, type LineSeries, type LinesChartInput, type TimelineItem } from './generic.ts';
import { classColors, fitSubtitle, legendBelow, maxOf, needRecords, timeUnitFor } from './units-labels.ts';

/** At most `max` points of a sorted sample's empirical CDF (evenly spaced ranks, ends kept). */
function cdfPoints(sorted: readonly number[], max = 1500): { x: number; y: number }[] {
  const n = sorted.length;
  if (n === 0) return [];
  const pts: { x: number; y: number }[] = [{ x: sorted[0]!, y: 0 }];
  const take = n <= max ? n : max;
  for (let k = 1; k <= take; k++) {
    const i = n <= max ? k : Math.round((k * n) / take);
    pts.push({ x: sorted[i - 1]!, y: i / n });
  }
  return pts;
}

/** Latency (finish − arrival of completed requests) CDF per request class, with each class's SLO. */
export function latencyCdfChart(result: SimulationResult): TopLevelSpec {
  const records = needRecords(result, 'latencyCdfChart');
  const byClass = new Map<string, number[]>();
  for (const c of result.classes) byClass.set(c.name, []);
  for (const r of records) {
    if (r.outcome !== 'completed') continue;
    let xs = byClass.get(r.cls);
    if (!xs) byClass.set(r.cls, (xs = []));
    xs.push(r.finish - r.arrival);
  }
  const slos = result.classes.filter((c) => c.slo_s !== null).map((c) => c.slo_s!);
  let longest = maxOf(slos, 0);
  for (const xs of byClass.values()) longest = maxOf(xs, longest);
  const u = timeUnitFor(longest);
  const colors = classColors(result);
  const series: LineSeries[] = [];
  // each class's SLO goes in its legend entry, not beside its line: a CDF runs through any label in the plot
  const classOf = new Map(result.classes.map((c) => [c.name, c]));
  for (const [name, xs] of byClass) {
    if (xs.length === 0) continue;
    xs.sort((a, b) => a - b);
    const c = classOf.get(name);
    const slo = c && c.slo_s !== null ? `, SLO ${fmtSeconds(c.slo_s)}${c.slo_attainment !== null ? ` (${(c.slo_attainment * 100).toFixed(1)}% met)` : ''}` : '';
    series.push({ name: `${name}: n=${xs.length}${slo}`, color: colors[name] ?? PALETTE[series.length % PALETTE.length]!, points: cdfPoints(xs).map((p) => ({ x: p.x / u.seconds, y: p.y })) });
  }
  const references = result.classes
    .filter((c) => c.slo_s !== null && byClass.get(c.name)?.length)
    .map((c) => ({ axis: 'x' as const, value: c.slo_s! / u.seconds, color: colors[c.name]!, dashed: true }));
  const p = result.latency_s;
  return legendBelow(fitSubtitle(linesChart({
    title: 'End-to-end latency distribution',
    subtitle: `${result.requests.completed} completed requests (arrival → video done${result.requests.dropped ? `; ${result.requests.dropped} dropped, not shown` : ''}); overall p50 ${fmtSeconds(p.p50)}, p95 ${fmtSeconds(p.p95)}, p99 ${fmtSeconds(p.p99)}${references.length ? "; dashed lines: each class's SLO" : ''}`,
    x: { title: `latency (${u.unit})`, zero: true },
    y: { title: 'fraction of requests ≤ latency', format: '.0%', domain: [0, 1] },
    series,
    interpolate: 'step-after',
    references,
    legendTitle: 'request class',
  })), 420);
}

/** The simulated-time x axis of a run's time-series charts, and a point mapper for one series. */
function timeAxis(result: SimulationResult) {
  const ts = result.timeseries;
  const end = Math.max(result.sim_time_s, ts.length ? ts[ts.length - 1]!.t : 0);
  const u = timeUnitFor(end);
  const x = { title: `simulated time (${u.unit})`, domain: [0, end / u.seconds] as [number, number] };
  const pts = (f: (p: (typeof ts)[number]) => number) => ts.map((p) => ({ x: p.t / u.seconds, y: f(p) }));
  return { ts, end, u, x, pts };
}

/** GPU utilization, queue length / requests in system, and busy replicas over simulated time. */
export function loadOverTimeChart(result: SimulationResult): TopLevelSpec {
  const { ts, x, pts } = timeAxis(result);
  const replicas = result.pools.reduce((a, p) => a + p.replicas, 0);
  const gpus = result.pools.reduce((a, p) => a + p.replicas * p.gpus_per_replica, 0);
  const maxQueue = maxOf(ts.map((p) => p.in_flight), 1);
  const height = 150;
  return fitSubtitle(stackedPanels('Cluster load over time', `sampled every ${fmtSeconds(ts.length > 1 ? ts[1]!.t - ts[0]!.t : 0)}; mean GPU utilization ${(result.gpu_utilization * 100).toFixed(1)}% over ${fmtSeconds(result.sim_time_s)}`, [
    {
      // the mean is named in the panel title: a label at the line's end is crossed by the utilization trace
      title: `GPU utilization (${gpus} GPU${gpus === 1 ? '' : 's'}; dashed: mean ${(result.gpu_utilization * 100).toFixed(1)}%)`,
      x, y: { title: 'busy GPUs (%)', format: '.0%', domain: [0, 1] }, height,
      series: [{ name: 'GPU utilization', points: pts((p) => p.gpu_utilization), color: PALETTE[0] }],
      interpolate: 'step-after',
      references: [{ axis: 'y', value: result.gpu_utilization, color: '#555555', dashed: true }],
    },
    {
      title: 'Requests waiting and in the system',
      x, y: { title: 'requests', format: 'd', domain: [0, Math.max(4, Math.ceil(maxQueue * 1.1))] }, height,
      series: [
        { name: 'waiting in queues', points: pts((p) => p.queued), color: PALETTE[3] },
        { name: 'in system (waiting + running)', points: pts((p) => p.in_flight), color: PALETTE[6] },
      ],
      interpolate: 'step-after',
    },
    {
      title: `Busy replicas (of ${replicas})`,
      x, y: { title: 'replicas', format: 'd', domain: [0, Math.max(1, replicas)] }, height,
      series: [{ name: 'busy replicas', points: pts((p) => p.busy_replicas), color: PALETTE[2] }],
      interpolate: 'step-after',
    },
  ]), DEFAULT_WIDTH + 300);
}

/** Cluster IT power over simulated time, with the run's average and (exact, metered) peak power. */
export function powerOverTimeChart(result: SimulationResult): TopLevelSpec {
  const ts = result.timeseries;
  const end = Math.max(result.sim_time_s, ts.length ? ts[ts.length - 1]!.t : 0);
  const u = timeUnitFor(end);
  const e = result.energy;
  const peak = Math.max(e.peak_power_kw, maxOf(ts.map((p) => p.power_kw), 0));
  const kw = (x: number) => `${x.toFixed(x >= 100 ? 0 : x >= 10 ? 1 : 2)} kW`;
  const across = (y: number) => [{ x: 0, y }, { x: end / u.seconds, y }];
  // average and peak are dashed series named in the legend: a label on the plot is crossed by the trace
  return legendBelow(fitSubtitle(linesChart({
    title: 'Cluster power over time',
    subtitle: `IT power of the ${result.gpus} GPU${result.gpus === 1 ? '' : 's'} and their nodes, sampled every ${fmtSeconds(ts.length > 1 ? ts[1]!.t - ts[0]!.t : 0)} (the peak is metered exactly); ${e.total_kwh.toFixed(1)} kWh IT over ${fmtSeconds(result.sim_time_s)}, ${e.facility_kwh.toFixed(1)} kWh at PUE ${e.pue}, ${Number.isFinite(e.per_video_wh) ? `${e.per_video_wh.toFixed(0)} Wh per video` : 'no video completed'}`,
    x: { title: `simulated time (${u.unit})`, domain: [0, end / u.seconds] },
    y: { title: 'IT power (kW)', domain: [0, peak > 0 ? peak * 1.08 : 1], format: ',.3~r' },
    series: [
      { name: 'IT power', points: ts.map((p) => ({ x: p.t / u.seconds, y: p.power_kw })), color: PALETTE[1] },
      { name: `average ${kw(e.avg_power_kw)}`, points: across(e.avg_power_kw), color: '#555555', dashed: true },
      { name: `peak ${kw(peak)}`, points: across(peak), color: '#b22222', dashed: true },
    ],
    interpolate: 'step-after',
    height: 240,
  })), 420, 'horizontal');
}

/** Whether replicas or nodes came and went (autoscaling, failures, cold starts): replicasOverTimeChart has something to show. */
export function replicasChange(result: SimulationResult): boolean {
  const ts = result.timeseries;
  if (ts.length === 0) return false;
  const a = result.autoscaling;
  const f = result.failures;
  return a.scale_ups + a.scale_downs + a.node_boots + a.node_shutdowns + f.gpu + f.node + f.link > 0
    || ts.some((p) => p.active_replicas !== ts[0]!.active_replicas || p.nodes_on !== ts[0]!.nodes_on);
}

/** Replicas serving and busy, and nodes powered on, over simulated time (autoscaling, failures, cold starts). */
export function replicasOverTimeChart(result: SimulationResult): TopLevelSpec {
  const { ts, x, pts } = timeAxis(result);
  const replicas = result.pools.reduce((a, p) => a + p.replicas, 0);
  const maxNodes = maxOf(ts.map((p) => p.nodes_on), 0);
  const nodesChange = result.autoscaling.node_boots + result.autoscaling.node_shutdowns + result.failures.node > 0 || ts.some((p) => p.nodes_on !== ts[0]?.nodes_on);
  const a = result.autoscaling;
  const f = result.failures;
  const notes: string[] = [];
  const n = (k: number, what: string) => `${k} ${what}${k === 1 ? '' : 's'}`;
  if (a.scale_ups + a.scale_downs > 0) notes.push(`autoscaling: ${n(a.scale_ups, 'scale-up')}, ${n(a.scale_downs, 'scale-down')}${a.node_boots + a.node_shutdowns ? `, ${n(a.node_boots, 'node boot')}, ${n(a.node_shutdowns, 'node shutdown')}` : ''}`);
  if (f.gpu + f.node + f.link > 0) notes.push(`failures: ${f.gpu} GPU, ${f.node} node, ${f.link} link (availability ${(f.availability * 100).toFixed(2)}%)`);
  if (result.cold_starts.count > 0) notes.push(`${n(result.cold_starts.count, 'cold start')} (mean ${fmtSeconds(result.cold_starts.mean_s)})`);
  const panels: LinesChartInput[] = [{
    title: `Replicas serving and busy (of ${replicas})`,
    x, y: { title: 'replicas', format: 'd', domain: [0, Math.max(1, replicas)] }, height: 170,
    series: [
      { name: 'serving (loaded and awake)', points: pts((p) => p.active_replicas), color: PALETTE[0] },
      { name: 'busy', points: pts((p) => p.busy_replicas), color: PALETTE[2] },
    ],
    interpolate: 'step-after',
  }];
  if (nodesChange) {
    panels.push({
      title: `Nodes powered on (at most ${maxNodes})`,
      x, y: { title: 'nodes', format: 'd', domain: [0, Math.max(1, maxNodes)] }, height: 110,
      series: [{ name: 'nodes on', points: pts((p) => p.nodes_on), color: PALETTE[8] }],
      interpolate: 'step-after',
    });
  }
  return fitSubtitle(stackedPanels('Replicas and nodes over time', notes.length ? notes.join('; ') : 'every replica serving the whole run', panels), DEFAULT_WIDTH + 300);
}


/** Service time of one request of each class on each pool, split into encode / denoise / decode. */
export function stageBreakdownChart(result: SimulationResult): TopLevelSpec {
  const multiPool = new Set(result.service_times.map((s) => s.pool)).size > 1;
  const u = timeUnitFor(Math.max(0, ...result.service_times.map((s) => s.total_s)));
  const data: BarDatum[] = [];
  const totals: Record<string, string> = {};
  const order = stageOrder(result.service_times);
  for (const s of result.service_times) {
    const cat = multiPool ? `${s.class} on ${s.pool}` : s.class;
    for (const [group, v] of stageSeconds(s, order)) data.push({ category: cat, group, value: v / u.seconds });
    totals[cat] = `${fmtSeconds(s.total_s)}  (denoise ${((s.denoise_s / s.total_s) * 100).toFixed(0)}%)`;
  }
  return fitSubtitle(barsChart({
    title: 'Service time per request, by stage',
    subtitle: 'one request on an idle replica (cost model); encode and decode include the offload swaps',
    data,
    category: { title: multiPool ? 'class on pool' : 'request class' },
    value: { title: `time per request (${u.unit})` },
    group: { title: 'stage', order, colors: STAGE_COLORS },
    totals,
  }));
}

/** Each replica's requests over time, coloured by class (the first `maxRequests` served). */
export function replicaTimelineChart(result: SimulationResult, opts: { maxRequests?: number; maxReplicas?: number } = {}): TopLevelSpec {
  const records = needRecords(result, 'replicaTimelineChart');
  const maxRequests = opts.maxRequests ?? 3000;
  const maxReplicas = opts.maxReplicas ?? 48;
  const lanes: string[] = [];
  const laneOf: string[] = [];
  for (const p of result.pools) for (let k = 0; k < p.replicas; k++) laneOf.push(`${p.name} #${k}`);
  lanes.push(...laneOf.slice(0, maxReplicas));
  const served = records.filter((r) => r.outcome === 'completed' && r.replica >= 0 && r.replica < maxReplicas).sort((a, b) => a.start - b.start || a.id - b.id);
  const shown = served.slice(0, maxRequests);
  const end = maxOf(shown.map((r) => r.finish), result.sim_time_s);
  const u = timeUnitFor(end);
  const items: TimelineItem[] = shown.map((r) => ({ lane: laneOf[r.replica] ?? `replica ${r.replica}`, start: r.start / u.seconds, end: r.finish / u.seconds, group: r.cls }));
  const notes: string[] = [];
  if (laneOf.length > maxReplicas) notes.push(`first ${maxReplicas} of ${laneOf.length} replicas`);
  if (served.length > shown.length) notes.push(`first ${shown.length} of ${served.length} requests`);
  return fitSubtitle(timelineChart({
    title: 'What each replica served',
    subtitle: `one bar per request, from start of service to video done${notes.length ? ` (${notes.join(', ')})` : ''}`,
    items,
    lanes,
    laneTitle: 'replica',
    x: { title: `simulated time (${u.unit})`, domain: [0, end / u.seconds] },
    group: { title: 'request class', order: result.classes.map((c) => c.name), colors: classColors(result) },
    step: lanes.length > 24 ? 12 : 18,
  }));
}
