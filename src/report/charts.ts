/**
 * The report's charts: pure functions from simulation results and cost-model estimates to Vega-Lite
 * specs, plus rendering to SVG/PNG (charts/render.ts) and the reusable builders (charts/generic.ts).
 *
 *   latencyCdfChart       latency CDF per request class, SLOs marked          (SimulationResult.records)
 *   loadOverTimeChart     GPU utilization, queue length, busy replicas         (SimulationResult.timeseries)
 *   powerOverTimeChart    cluster IT power, with its average and peak          (SimulationResult.timeseries, energy)
 *   replicasOverTimeChart replicas awake / busy and nodes on (autoscaling)     (SimulationResult.timeseries)
 *   stageBreakdownChart   encode / denoise / decode per class (and pool)       (SimulationResult.service_times)
 *   replicaTimelineChart  what each replica ran when (Gantt)                   (SimulationResult.records)
 *   energyChart           energy per video by component (GPUs, node, PUE)     (SimulationResult.energy)
 *   costChart             TCO per video by cost component, one bar per run    (SimulationResult.cost)
 *   memoryChart           memory by category per phase against GPU capacity    (Estimate.memory)
 *   opsChart              top operators' time per request, coloured by bound  (Estimate.ops)
 *
 * Elsewhere: charts/capacity.ts (latency and attainment vs offered load), charts/plan.ts (throughput and
 * speed-up vs GPUs per replica), charts/gantt.ts (per-GPU timeline with stage bands, SVG drawn with d3 scales).
 */
import type { TopLevelSpec } from 'vega-lite';
import type { SimulationResult } from '../serving/simulate.ts';
import { RUNTIME_OVERHEAD_GB, type Estimate } from '../perf/estimate.ts';
import { fmtSeconds } from './table.ts';
import { format as d3format } from 'd3-format';
import { DEFAULT_WIDTH, PALETTE, barsChart, linesChart, seriesColors, stackedPanels, timelineChart, type BarDatum, type BarReference, type LineSeries, type LinesChartInput, type ReferenceLine, type TimelineItem, wrapText } from './charts/generic.ts';

export { renderSvg, renderPng, CHART_FONT, FONT_FILES, type PngOptions } from './charts/render.ts';
export {
  linesChart, linesLayer, barsChart, timelineChart, stackedPanels, seriesColors, PALETTE, CHART_CONFIG,
  type AxisOptions, type Point, type LineSeries, type LinesChartInput, type ReferenceLine,
  type BarDatum, type BarReference, type BarsChartInput, type TimelineItem, type TimelineChartInput,
} from './charts/generic.ts';

// ---------------------------------------------------------------------------------------------------
// units and labels

export interface TimeUnit {
  /** Axis unit label. */
  unit: 's' | 'min' | 'h';
  /** Seconds per unit. */
  seconds: number;
}

/** The unit that keeps axis numbers readable for values up to `maxSeconds`. */
export function timeUnitFor(maxSeconds: number): TimeUnit {
  if (!(maxSeconds > 180)) return { unit: 's', seconds: 1 };
  if (maxSeconds <= 5 * 3600) return { unit: 'min', seconds: 60 };
  return { unit: 'h', seconds: 3600 };
}

/** A cost-model estimate with the name it goes by in the report (e.g. "720p-5s on a14b"). */
export interface LabelledEstimate {
  label: string;
  estimate: Estimate;
}

export type EstimateLike = Estimate | LabelledEstimate;

export function estimateLabel(e: Estimate): string {
  const r = e.request;
  return `${e.model} ${r.width}×${r.height}×${r.frames}f on ${e.gpu}`;
}

export function labelled(e: EstimateLike): LabelledEstimate {
  return 'estimate' in e ? e : { label: estimateLabel(e), estimate: e };
}

/** Request-class colours: class i of result.classes gets PALETTE[i] in every chart. */
function classColors(result: SimulationResult): Record<string, string> {
  const out: Record<string, string> = {};
  result.classes.forEach((c, i) => (out[c.name] = PALETTE[i % PALETTE.length]!));
  return out;
}

/** The largest of `xs` and `floor` (a loop: spreading 100k+ values into Math.max overflows the stack). */
export function maxOf(xs: Iterable<number>, floor = -Infinity): number {
  let m = floor;
  for (const x of xs) if (x > m) m = x;
  return m;
}

/**
 * Re-wraps a chart's subtitle so that Vega's estimate of its width (0.8 × font size per character: there is
 * no canvas to measure text) stays within `px`; a longer line widens the SVG far past the plot, leaving a
 * blank band on the right. `px`: the plot, its axes and any legend beside it.
 */
export function fitSubtitle<T extends TopLevelSpec>(spec: T, px = DEFAULT_WIDTH + 70): T {
  const title = (spec as { title?: unknown }).title as { subtitle?: string | string[] } | undefined;
  if (!title || typeof title !== 'object' || title.subtitle === undefined) return spec;
  const text = Array.isArray(title.subtitle) ? title.subtitle.join(' ') : title.subtitle;
  const lines = wrapText(text, Math.max(40, Math.floor(px / 9.6)));
  title.subtitle = lines.length === 1 ? lines[0]! : lines;
  return spec;
}

/** Sets the number of columns of a bars chart's colour legend (long labels: fewer columns keep it within the plot's width). */
function legendColumns<T extends TopLevelSpec>(spec: T, columns: number): T {
  const layers = (spec as { layer?: { encoding?: { color?: { legend?: Record<string, unknown> | null } } }[] }).layer ?? [];
  const legend = layers[0]?.encoding?.color?.legend;
  if (legend) {
    legend.columns = columns;
    // Vega truncates labels by its estimate of their width (0.8 × font size per character), which overshoots
    legend.labelLimit = 400;
  }
  return spec;
}

/** A lines chart's legend below the plot with a wider truncation limit (long labels; Vega's width estimate overshoots). */
function legendBelow<T extends TopLevelSpec>(spec: T, labelLimit: number, direction: 'vertical' | 'horizontal' = 'vertical'): T {
  const layers = (spec as { layer?: { encoding?: { color?: { legend?: Record<string, unknown> | null } } }[] }).layer ?? [];
  const legend = layers[0]?.encoding?.color?.legend;
  if (legend) Object.assign(legend, { orient: 'bottom', direction, labelLimit, ...(direction === 'horizontal' ? { columnPadding: 24 } : {}) });
  return spec;
}

/** Widens the truncation limit of a horizontal bars chart's category labels (Vega's width estimate overshoots, so long labels get cut early). */
function bandLabelLimit<T extends TopLevelSpec>(spec: T, px: number): T {
  const layers = (spec as { layer?: { encoding?: { y?: { axis?: Record<string, unknown> } } }[] }).layer ?? [];
  const axis = layers[0]?.encoding?.y?.axis;
  if (axis) axis.labelLimit = px;
  return spec;
}

function needRecords(result: SimulationResult, chart: string) {
  if (!result.records) throw new Error(`${chart} needs per-request records: run simulate(scenario, { records: true })`);
  return result.records;
}

// ---------------------------------------------------------------------------------------------------
// simulation charts

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

const STAGE_COLORS: Record<string, string> = { 'text encode': '#72b7b2', denoise: '#4c78a8', 'VAE decode': '#f58518' };

/** Service time of one request of each class on each pool, split into encode / denoise / decode. */
export function stageBreakdownChart(result: SimulationResult): TopLevelSpec {
  const multiPool = new Set(result.service_times.map((s) => s.pool)).size > 1;
  const u = timeUnitFor(Math.max(0, ...result.service_times.map((s) => s.total_s)));
  const data: BarDatum[] = [];
  const totals: Record<string, string> = {};
  for (const s of result.service_times) {
    const cat = multiPool ? `${s.class} on ${s.pool}` : s.class;
    data.push(
      { category: cat, group: 'text encode', value: s.encode_s / u.seconds },
      { category: cat, group: 'denoise', value: s.denoise_s / u.seconds },
      { category: cat, group: 'VAE decode', value: s.decode_s / u.seconds },
    );
    totals[cat] = `${fmtSeconds(s.total_s)}  (denoise ${((s.denoise_s / s.total_s) * 100).toFixed(0)}%)`;
  }
  return fitSubtitle(barsChart({
    title: 'Service time per request, by stage',
    subtitle: 'one request on an idle replica (cost model); encode and decode include the offload swaps',
    data,
    category: { title: multiPool ? 'class on pool' : 'request class' },
    value: { title: `time per request (${u.unit})` },
    group: { title: 'stage', order: ['text encode', 'denoise', 'VAE decode'], colors: STAGE_COLORS },
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

// ---------------------------------------------------------------------------------------------------
// energy and money

/** A simulation result with the name it goes by in a comparison chart. */
export interface LabelledResult {
  label: string;
  result: SimulationResult;
}

function isResult(x: SimulationResult | readonly LabelledResult[]): x is SimulationResult {
  return !Array.isArray(x);
}

const usd = d3format('$,.0f');
const usd3 = d3format('$,.3f');
const share = (part: number, total: number) => (total > 0 ? `${((part / total) * 100).toFixed(0)}%` : '–');

const ENERGY_LABEL: Record<string, string> = { gpus: 'GPUs', node_non_gpu: 'rest of the nodes' };
const ENERGY_COLORS: Record<string, string> = { gpus: '#4c78a8', node_non_gpu: '#9ecae9', facility: '#bab0ac' };

/** Facility energy per completed video, split into GPUs, the rest of the nodes and the PUE overhead; one bar per run. */
export function energyChart(runs: SimulationResult | readonly LabelledResult[]): TopLevelSpec {
  const list = (isResult(runs) ? [{ label: runs.scenario, result: runs }] : [...runs]).filter((r) => r.result.requests.completed > 0);
  if (list.length === 0) throw new Error('energyChart: no run completed a video');
  const single = list.length === 1;
  const keys = [...new Set(list.flatMap((r) => Object.keys(r.result.energy.by_component_kwh)))];
  keys.sort((a, b) => (ENERGY_LABEL[a] ? 0 : 1) - (ENERGY_LABEL[b] ? 0 : 1) || Object.keys(ENERGY_LABEL).indexOf(a) - Object.keys(ENERGY_LABEL).indexOf(b) || a.localeCompare(b));
  const r0 = list[0]!.result;
  const wh = (r: SimulationResult, kwh: number) => (kwh * 1000) / r.requests.completed;
  const overhead = (r: SimulationResult) => wh(r, r.energy.total_kwh * (r.energy.pue - 1));
  const nameOf = (k: string) => {
    const base = k === 'facility' ? `facility (PUE ${list.every((r) => r.result.energy.pue === r0.energy.pue) ? r0.energy.pue : 'of each run'})` : ENERGY_LABEL[k] ?? k.replace(/_/g, ' ');
    if (!single) return base;
    const v = k === 'facility' ? overhead(r0) : wh(r0, r0.energy.by_component_kwh[k] ?? 0);
    return `${base}: ${v.toFixed(0)} Wh (${share(v, r0.energy.per_video_wh)})`;
  };
  const groups = [...keys, 'facility'];
  const data: BarDatum[] = [];
  const totals: Record<string, string> = {};
  for (const { label, result: r } of list) {
    for (const k of keys) data.push({ category: label, group: nameOf(k), value: wh(r, r.energy.by_component_kwh[k] ?? 0) });
    data.push({ category: label, group: nameOf('facility'), value: overhead(r) });
    totals[label] = `${r.energy.per_video_wh.toFixed(0)} Wh/video (${r.energy.per_video_second_wh.toFixed(1)} Wh per second of video)`;
  }
  const colors: Record<string, string> = {};
  groups.forEach((k, i) => (colors[nameOf(k)] = ENERGY_COLORS[k] ?? EXTRA_COLORS[i % EXTRA_COLORS.length]!));
  const spec = fitSubtitle(barsChart({
    title: 'Energy per video, by component',
    subtitle: single
      ? `${r0.energy.total_kwh.toFixed(1)} kWh IT for ${r0.requests.completed} videos over ${fmtSeconds(r0.sim_time_s)} (average ${r0.energy.avg_power_kw.toFixed(2)} kW); facility energy = IT energy (GPUs, and the nodes' CPUs, memory, NICs and fans) × PUE ${r0.energy.pue}`
      : "facility energy per completed video: IT energy (GPUs, and the nodes' CPUs, memory, NICs and fans) × PUE",
    data,
    category: { title: single ? 'run' : 'run' },
    value: { title: 'energy per video (Wh)' },
    group: { title: 'used by', order: groups.map(nameOf), colors },
    totals,
    step: single ? 40 : 32,
  }));
  return single ? legendColumns(spec, 2) : spec;
}

const COST_LABEL: Record<string, string> = {
  depreciation: 'depreciation', financing: 'financing', maintenance: 'maintenance', electricity: 'electricity', colocation: 'colocation',
  compute: 'GPU rental', egress: 'egress', storage: 'storage',
};
const COST_COLORS: Record<string, string> = {
  depreciation: '#4c78a8', financing: '#9ecae9', maintenance: '#72b7b2', electricity: '#f58518', colocation: '#eeca3b',
  compute: '#b279a2', egress: '#ff9da6', storage: '#9d755d',
};

function costBasisLabel(r: SimulationResult): string {
  const c = r.cost!;
  const billing = c.notes.map((n) => /^billing (\w+)/.exec(n)?.[1]).find((b) => b !== undefined);
  return c.basis === 'cloud' ? `cloud${billing ? `, ${billing} billing` : ''}` : 'owned';
}

/**
 * Total cost of ownership per completed video, stacked by cost component (owned: depreciation, financing,
 * maintenance, electricity, colocation; cloud: GPU rental, egress, storage); one bar per run. Runs
 * without a cost (a missing price) are left out; per month instead when a run completed no video.
 */
export function costChart(runs: SimulationResult | readonly LabelledResult[]): TopLevelSpec {
  const list = (isResult(runs) ? [{ label: '', result: runs }] : [...runs]).filter((r) => r.result.cost !== null);
  if (list.length === 0) throw new Error('costChart: no run has a cost (a price is missing: see the run warnings)');
  for (const r of list) if (r.label === '') r.label = costBasisLabel(r.result);
  const single = list.length === 1;
  const perVideo = list.every((r) => (r.result.cost!.usd_per_video ?? 0) > 0);
  const factor = (r: SimulationResult) => (perVideo ? r.cost!.usd_per_video! / r.cost!.usd_per_month : 1);
  const keys = Object.keys(COST_LABEL).filter((k) => list.some((r) => (r.result.cost!.per_month[k] ?? 0) > 0));
  for (const r of list) for (const k of Object.keys(r.result.cost!.per_month)) if (!keys.includes(k) && r.result.cost!.per_month[k]! > 0) keys.push(k);
  const c0 = list[0]!.result.cost!;
  const fmt = (v: number) => (perVideo ? usd3(v) : usd(v));
  const nameOf = (k: string) => {
    const base = COST_LABEL[k] ?? k.replace(/_/g, ' ');
    if (!single) return base;
    const v = (c0.per_month[k] ?? 0) * factor(list[0]!.result);
    return `${base}: ${fmt(v)} (${share(c0.per_month[k] ?? 0, c0.usd_per_month)})`;
  };
  const data: BarDatum[] = [];
  const totals: Record<string, string> = {};
  for (const { label, result: r } of list) {
    const c = r.cost!;
    for (const k of keys) data.push({ category: label, group: nameOf(k), value: (c.per_month[k] ?? 0) * factor(r) });
    totals[label] = perVideo ? `${usd3(c.usd_per_video!)}/video (${usd(c.usd_per_month)}/month)` : `${usd(c.usd_per_month)}/month`;
  }
  const colors: Record<string, string> = {};
  keys.forEach((k, i) => (colors[nameOf(k)] = COST_COLORS[k] ?? EXTRA_COLORS[i % EXTRA_COLORS.length]!));
  const r0 = list[0]!.result;
  const spec = fitSubtitle(barsChart({
    title: perVideo ? 'Cost per video, by component' : 'Cost per month, by component',
    subtitle: single
      ? `${costBasisLabel(r0)}: ${usd(c0.usd_per_month)} per month for ${d3format(',.0f')(c0.videos_per_month)} videos at the simulated rate${c0.capex_usd ? `; capex ${usd(c0.capex_usd)}` : ''}; ${d3format('$.2f')(c0.usd_per_gpu_hour)} per GPU-hour equivalent`
      : new Set(list.map((r) => Math.round(r.result.cost!.videos_per_month))).size === 1
        ? `monthly cost ÷ videos per month at the simulated rate (${d3format(',.0f')(c0.videos_per_month)} videos/month)`
        : `monthly cost ÷ videos per month at each run's simulated rate (${list.map((r) => `${r.label}: ${d3format(',.0f')(r.result.cost!.videos_per_month)} videos/month`).join('; ')})`,
    data,
    category: { title: single ? 'cost basis' : 'run' },
    value: { title: perVideo ? 'cost per video ($)' : 'cost per month ($)', format: perVideo ? '$.2f' : '$,.0f' },
    group: { title: 'cost', order: keys.map(nameOf), colors },
    totals,
    step: single ? 40 : 32,
  }));
  return single ? legendColumns(spec, 2) : spec;
}

// ---------------------------------------------------------------------------------------------------
// cost-model charts

const PHASE_LABEL: Record<string, string> = { text_encode: 'text encode', denoise: 'denoise', vae_decode: 'VAE decode' };
const RUNTIME_KEY = `CUDA runtime (${RUNTIME_OVERHEAD_GB} GB, assumed)`;
/** Readable names of the cost model's memory categories (unknown ones: underscores → spaces). */
const MEMORY_LABEL: Record<string, string> = {
  dit_weights: 'DiT weights', text_encoder_weights: 'text encoder weights', vae_weights: 'VAE weights', latents: 'latents',
  context: 'text context', modulation: 'modulation', residual: 'residual stream', activations: 'activations',
  rope_temporaries: 'RoPE temporaries', vae_io: 'VAE input/output', vae_cache: 'VAE causal cache', vae_activations: 'VAE activations',
  workspace: 'conv workspace',
};
const memoryLabel = (k: string) => MEMORY_LABEL[k] ?? k.replace(/_/g, ' ');

/** Known memory categories, in stack order, with colours: resident weights in blues, transients warm. */
const MEMORY_COLORS: Record<string, string> = {
  dit_weights: '#1f4e79',
  text_encoder_weights: '#4c78a8',
  vae_weights: '#9ecae9',
  latents: '#54a24b',
  context: '#88d27a',
  modulation: '#e45756',
  residual: '#f58518',
  activations: '#ffbf79',
  rope_temporaries: '#b279a2',
  vae_io: '#72b7b2',
  vae_cache: '#9d755d',
  vae_activations: '#eeca3b',
  workspace: '#d6a5c9',
  [RUNTIME_KEY]: '#bab0ac',
};
const EXTRA_COLORS = ['#439894', '#d67195', '#79706e', '#b6992d', '#499894', '#ff9d9a', '#8cd17d', '#a0cbe8'];

/** Peak memory of each phase, stacked by category, against the GPU's usable capacity. */
export function memoryChart(estimates: EstimateLike | readonly EstimateLike[]): TopLevelSpec {
  const list = (Array.isArray(estimates) ? estimates : [estimates]).map(labelled);
  const multi = list.length > 1;
  // one GPU type: a single capacity line across the plot; several: a tick across each bar, its capacity
  // printed in the bar's own label (a label beside each tick printed over the neighbouring bar's total)
  const capacities = new Set(list.map((l) => `${l.estimate.gpu}/${l.estimate.capacity_gb}`));
  const perBarCapacity = capacities.size > 1;
  const data: BarDatum[] = [];
  const references: BarReference[] = [];
  const totals: Record<string, string> = {};
  const order: string[] = [];
  const seen = new Set<string>();
  const known = Object.keys(MEMORY_COLORS);
  for (const { label, estimate: e } of list) {
    e.memory.phases.forEach((ph, i) => {
      const cat = multi ? `${label} · ${PHASE_LABEL[ph.phase] ?? ph.phase}` : PHASE_LABEL[ph.phase] ?? ph.phase;
      for (const [k, gb] of Object.entries(ph.breakdown_gb)) {
        seen.add(k);
        data.push({ category: cat, group: memoryLabel(k), value: gb });
      }
      data.push({ category: cat, group: RUNTIME_KEY, value: RUNTIME_OVERHEAD_GB });
      const total = ph.peak_gb + RUNTIME_OVERHEAD_GB;
      const of = perBarCapacity ? ` of ${e.capacity_gb.toFixed(1)} GB (${e.gpu})` : '';
      totals[cat] = `${total.toFixed(1)} GB${of}${total > e.capacity_gb ? ' — does not fit' : ''}`;
      references.push({ category: cat, value: e.capacity_gb, color: '#222222' });
    });
  }
  seen.add(RUNTIME_KEY);
  for (const k of known) if (seen.has(k)) order.push(k);
  for (const k of [...seen].sort()) if (!order.includes(k)) order.push(k);
  const colors: Record<string, string> = {};
  let extra = 0;
  for (const k of order) colors[memoryLabel(k)] = MEMORY_COLORS[k] ?? EXTRA_COLORS[extra++ % EXTRA_COLORS.length]!;
  const e0 = list[0]!.estimate;
  const refs: BarReference[] = perBarCapacity ? references : [{ value: e0.capacity_gb, label: `usable memory of ${e0.gpu}: ${e0.capacity_gb.toFixed(1)} GB`, color: '#222222' }];
  const capacityOf: Record<string, number> = {};
  for (const r of references) capacityOf[r.category!] = r.value;
  return bandLabelLimit(fitSubtitle(totalsPastCapacity(barsChart({
    title: multi ? 'Peak GPU memory by phase' : `Peak GPU memory by phase — ${list[0]!.label}`,
    subtitle: multi ? `each bar: what is on one GPU at that phase's peak; ${perBarCapacity ? "black tick: usable memory of the bar's GPU" : 'dashed line: usable GPU memory'}` : `${e0.memory.verdict}`,
    data,
    category: { title: multi ? 'estimate · phase' : 'phase' },
    value: { title: 'memory at the phase peak (GB)' },
    group: { title: 'held by', order: order.map(memoryLabel), colors },
    references: refs,
    totals,
    step: 34,
  }), totals, capacityOf)), 420);
}

/**
 * Moves the end-of-bar labels (barsChart `totals`) that would run across their bar's capacity line or tick
 * to just past it, so no label is struck through. Positions are estimated as barsChart does (plot width,
 * ~6.6 px per character of 11 px DejaVu Sans); the value domain already leaves room past the capacity.
 */
function totalsPastCapacity(spec: TopLevelSpec, totals: Readonly<Record<string, string>>, capacityOf: Readonly<Record<string, number>>, width = DEFAULT_WIDTH): TopLevelSpec {
  type Layer = { mark?: { type?: string }; encoding?: { x?: { scale?: { domain?: number[] } }; text?: { field?: string } }; data?: { values?: { category: string; value: number; label: string }[] } };
  const layers = (spec as unknown as { layer?: Layer[] }).layer ?? [];
  const max = layers[0]?.encoding?.x?.scale?.domain?.[1];
  if (!(max && max > 0)) return spec;
  const px = (v: number) => (v / max) * width;
  for (const l of layers) {
    if (l.mark?.type !== 'text' || l.encoding?.text?.field !== 'label') continue;
    for (const row of l.data?.values ?? []) {
      const cap = capacityOf[row.category];
      if (cap === undefined || totals[row.category] !== row.label) continue;
      if (row.value < cap && px(row.value) + 4 + row.label.length * 6.6 > px(cap) - 3) row.value = cap;
    }
  }
  return spec;
}

const BOUND_COLORS: Record<string, string> = { compute: '#4c78a8', memory: '#f58518', launch: '#e45756', link: '#54a24b' };

/** The operators that take the most time in one request, coloured by what bounds them. */
export function opsChart(estimate: EstimateLike, opts: { top?: number } = {}): TopLevelSpec {
  const { label, estimate: e } = labelled(estimate);
  const ops = e.ops.slice(0, opts.top ?? 15);
  const u = timeUnitFor(Math.max(0, ...ops.map((o) => o.seconds)));
  const count = new Map<string, number>();
  for (const o of ops) count.set(o.name, (count.get(o.name) ?? 0) + 1);
  const used = new Set<string>();
  const data: BarDatum[] = ops.map((o) => {
    let cat = (count.get(o.name) ?? 0) > 1 ? `${o.name} (${o.group})` : o.name;
    for (let n = 2; used.has(cat); n++) cat = `${o.name} (${o.group}) #${n}`;
    used.add(cat);
    return { category: cat, group: o.bound, value: o.seconds / u.seconds, label: `${(o.share * 100).toFixed(1)}%`, detail: `${o.kind} ${o.shape} @ ${o.rate}` };
  });
  const bounds = [...new Set(['compute', 'memory', 'launch', 'link', ...ops.map((o) => o.bound)])].filter((b) => ops.some((o) => o.bound === b));
  const shown = ops.reduce((a, o) => a + o.share, 0);
  return fitSubtitle(barsChart({
    title: `Top operators by time per request — ${label}`,
    subtitle: `top ${ops.length} operators = ${(shown * 100).toFixed(0)}% of the ${fmtSeconds(e.total_s)} request (labels: share of the request)`,
    data,
    category: { title: 'operator' },
    value: { title: `time per request, all calls (${u.unit})` },
    group: { title: 'bound by', order: bounds, colors: BOUND_COLORS },
    step: 22,
  }));
}

// ---------------------------------------------------------------------------------------------------
// the report's set

export interface NamedChart {
  /** File stem (charts/<id>.svg|png), unique within a report. */
  id: string;
  /** Which part of a report it belongs to: the simulated run or the cost model of one request. */
  section: 'simulation' | 'cost-model';
  title: string;
  caption: string;
  spec: TopLevelSpec;
}

function slug(s: string): string {
  return s.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '') || 'x';
}

/** Every chart of a run report, in report order (charts needing records are skipped without them). */
export function reportCharts(result: SimulationResult, estimates: readonly EstimateLike[] = []): NamedChart[] {
  const charts: NamedChart[] = [];
  const sim = (id: string, title: string, caption: string, spec: TopLevelSpec) => charts.push({ id, section: 'simulation', title, caption, spec });
  // a latency distribution needs a completed request (an empty one draws an axis from NaN to NaN)
  if (result.records && result.requests.completed > 0) sim('latency-cdf', 'Latency distribution', "Empirical CDF of end-to-end latency (arrival to video done) of completed requests, per class; dashed lines mark each class's SLO.", latencyCdfChart(result));
  if (result.timeseries.length) sim('load-over-time', 'Cluster load over time', 'Sampled cluster state: share of GPUs busy, requests waiting and in the system, busy replicas.', loadOverTimeChart(result));
  if (result.timeseries.length) sim('power-over-time', 'Power over time', 'IT power of the GPUs and their nodes over simulated time; dashed lines: the average and the metered peak.', powerOverTimeChart(result));
  if (replicasChange(result)) sim('replicas-over-time', 'Replicas and nodes over time', 'Replicas serving (loaded and awake) and busy, and nodes powered on, as autoscaling, failures and cold starts change them.', replicasOverTimeChart(result));
  if (result.service_times.length) sim('stage-breakdown', 'Service time by stage', 'Cost-model time of one request of each class on each pool, split into text encode, denoise and VAE decode.', stageBreakdownChart(result));
  if (result.records) sim('replica-timeline', 'Replica timeline', 'Which request each replica was serving, over simulated time.', replicaTimelineChart(result));
  if (result.requests.completed > 0) sim('energy', 'Energy per video', 'Facility energy per completed video: GPUs, the rest of the nodes, and the facility overhead (PUE).', energyChart(result));
  if (result.cost) sim('cost', 'Cost per video', `Total cost of ownership per completed video by component (${result.cost.basis} basis), from the monthly cost at the simulated rate.`, costChart(result));
  const list = estimates.map(labelled);
  if (list.length) charts.push({ id: 'memory', section: 'cost-model', title: 'Memory by phase', caption: 'Peak GPU memory of each phase by what holds it, against the usable memory of the GPU.', spec: memoryChart(list) });
  const ids = new Set(charts.map((c) => c.id));
  for (const le of list) {
    let id = `ops-${slug(le.label)}`;
    for (let n = 2; ids.has(id); n++) id = `ops-${slug(le.label)}-${n}`;
    ids.add(id);
    charts.push({ id, section: 'cost-model', title: `Top operators — ${le.label}`, caption: `The costliest operators of one request (${le.label}), all calls of each, coloured by the resource that bounds them.`, spec: opsChart(le) });
  }
  return charts;
}
