/**
 * The report's charts: pure functions from simulation results and cost-model estimates to Vega-Lite
 * specs, plus rendering to SVG/PNG (charts/render.ts) and the reusable builders (charts/generic.ts).
 *
 *   latencyCdfChart       latency CDF per request class, SLOs marked          (SimulationResult.records)
 *   loadOverTimeChart     GPU utilization, queue length, busy replicas         (SimulationResult.timeseries)
 *   stageBreakdownChart   encode / denoise / decode per class (and pool)       (SimulationResult.service_times)
 *   replicaTimelineChart  what each replica ran when (Gantt)                   (SimulationResult.records)
 *   memoryChart           memory by category per phase against GPU capacity    (Estimate.memory)
 *   opsChart              top operators' time per request, coloured by bound  (Estimate.ops)
 */
import type { TopLevelSpec } from 'vega-lite';
import type { SimulationResult } from '../cluster/simulation.ts';
import { RUNTIME_OVERHEAD_GB, type Estimate } from '../perf/estimate.ts';
import { fmtSeconds } from './table.ts';
import { PALETTE, barsChart, linesChart, seriesColors, stackedPanels, timelineChart, type BarDatum, type BarReference, type LineSeries, type TimelineItem } from './charts/generic.ts';

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
  const all = [...byClass.values()].flat();
  const slos = result.classes.filter((c) => c.slo_s !== null).map((c) => c.slo_s!);
  const u = timeUnitFor(Math.max(0, ...all, ...slos));
  const colors = classColors(result);
  const series: LineSeries[] = [];
  for (const [name, xs] of byClass) {
    if (xs.length === 0) continue;
    xs.sort((a, b) => a - b);
    series.push({ name: `${name} (n=${xs.length})`, color: colors[name] ?? PALETTE[series.length % PALETTE.length]!, points: cdfPoints(xs).map((p) => ({ x: p.x / u.seconds, y: p.y })) });
  }
  const references = result.classes
    .filter((c) => c.slo_s !== null && byClass.get(c.name)?.length)
    .map((c) => ({ axis: 'x' as const, value: c.slo_s! / u.seconds, label: `SLO ${c.name} ${fmtSeconds(c.slo_s!)}`, color: colors[c.name]!, dashed: true }));
  const p = result.latency_s;
  return linesChart({
    title: 'End-to-end latency distribution',
    subtitle: `${result.requests.completed} completed requests (arrival → video done${result.requests.dropped ? `; ${result.requests.dropped} dropped, not shown` : ''}); overall p50 ${fmtSeconds(p.p50)}, p95 ${fmtSeconds(p.p95)}, p99 ${fmtSeconds(p.p99)}`,
    x: { title: `latency (${u.unit})`, zero: true },
    y: { title: 'fraction of requests ≤ latency', format: '.0%', domain: [0, 1] },
    series,
    interpolate: 'step-after',
    references,
    legendTitle: 'request class',
  });
}

/** GPU utilization, queue length / requests in system, and busy replicas over simulated time. */
export function loadOverTimeChart(result: SimulationResult): TopLevelSpec {
  const ts = result.timeseries;
  const end = Math.max(result.sim_time_s, ts.length ? ts[ts.length - 1]!.t : 0);
  const u = timeUnitFor(end);
  const x = { title: `simulated time (${u.unit})`, domain: [0, end / u.seconds] as [number, number] };
  const pts = (f: (p: (typeof ts)[number]) => number) => ts.map((p) => ({ x: p.t / u.seconds, y: f(p) }));
  const replicas = result.pools.reduce((a, p) => a + p.replicas, 0);
  const gpus = result.pools.reduce((a, p) => a + p.replicas * p.gpus_per_replica, 0);
  const maxQueue = Math.max(1, ...ts.map((p) => p.in_flight));
  const height = 150;
  return stackedPanels('Cluster load over time', `sampled every ${fmtSeconds(ts.length > 1 ? ts[1]!.t - ts[0]!.t : 0)}; mean GPU utilization ${(result.gpu_utilization * 100).toFixed(1)}% over ${fmtSeconds(result.sim_time_s)}`, [
    {
      title: `GPU utilization (${gpus} GPU${gpus === 1 ? '' : 's'})`,
      x, y: { title: 'busy GPUs (%)', format: '.0%', domain: [0, 1] }, height,
      series: [{ name: 'GPU utilization', points: pts((p) => p.gpu_utilization), color: PALETTE[0] }],
      interpolate: 'step-after',
      references: [{ axis: 'y', value: result.gpu_utilization, label: `mean ${(result.gpu_utilization * 100).toFixed(1)}%`, color: '#555555', dashed: true }],
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
  ]);
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
  return barsChart({
    title: 'Service time per request, by stage',
    subtitle: 'one request on an idle replica (cost model); encode and decode include the offload swaps',
    data,
    category: { title: multiPool ? 'class on pool' : 'request class' },
    value: { title: `time per request (${u.unit})` },
    group: { title: 'stage', order: ['text encode', 'denoise', 'VAE decode'], colors: STAGE_COLORS },
    totals,
  });
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
  const end = Math.max(result.sim_time_s, ...shown.map((r) => r.finish));
  const u = timeUnitFor(end);
  const items: TimelineItem[] = shown.map((r) => ({ lane: laneOf[r.replica] ?? `replica ${r.replica}`, start: r.start / u.seconds, end: r.finish / u.seconds, group: r.cls }));
  const notes: string[] = [];
  if (laneOf.length > maxReplicas) notes.push(`first ${maxReplicas} of ${laneOf.length} replicas`);
  if (served.length > shown.length) notes.push(`first ${shown.length} of ${served.length} requests`);
  return timelineChart({
    title: 'What each replica served',
    subtitle: `one bar per request, from start of service to video done${notes.length ? ` (${notes.join(', ')})` : ''}`,
    items,
    lanes,
    laneTitle: 'replica',
    x: { title: `simulated time (${u.unit})`, domain: [0, end / u.seconds] },
    group: { title: 'request class', order: result.classes.map((c) => c.name), colors: classColors(result) },
    step: lanes.length > 24 ? 12 : 18,
  });
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
      totals[cat] = `${total.toFixed(1)} GB${total > e.capacity_gb ? ' — does not fit' : ''}`;
      references.push({ category: cat, value: e.capacity_gb, label: i === 0 ? `${e.gpu} ${e.capacity_gb.toFixed(1)} GB` : undefined, color: '#222222' });
    });
  }
  seen.add(RUNTIME_KEY);
  for (const k of known) if (seen.has(k)) order.push(k);
  for (const k of [...seen].sort()) if (!order.includes(k)) order.push(k);
  const colors: Record<string, string> = {};
  let extra = 0;
  for (const k of order) colors[memoryLabel(k)] = MEMORY_COLORS[k] ?? EXTRA_COLORS[extra++ % EXTRA_COLORS.length]!;
  // one GPU type: a single capacity line across the plot; several: a tick across each bar
  const capacities = new Set(list.map((l) => `${l.estimate.gpu}/${l.estimate.capacity_gb}`));
  const e0 = list[0]!.estimate;
  const refs: BarReference[] = capacities.size === 1 ? [{ value: e0.capacity_gb, label: `usable memory of ${e0.gpu}: ${e0.capacity_gb.toFixed(1)} GB`, color: '#222222' }] : references;
  return barsChart({
    title: multi ? 'Peak GPU memory by phase' : `Peak GPU memory by phase — ${list[0]!.label}`,
    subtitle: multi ? `each bar: what is on the GPU at that phase's peak; ${capacities.size === 1 ? 'dashed line' : 'black tick'}: usable GPU memory` : `${e0.memory.verdict}`,
    data,
    category: { title: multi ? 'estimate · phase' : 'phase' },
    value: { title: 'memory at the phase peak (GB)' },
    group: { title: 'held by', order: order.map(memoryLabel), colors },
    references: refs,
    totals,
    step: 34,
  });
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
  return barsChart({
    title: `Top operators by time per request — ${label}`,
    subtitle: `top ${ops.length} operators = ${(shown * 100).toFixed(0)}% of the ${fmtSeconds(e.total_s)} request (labels: share of the request)`,
    data,
    category: { title: 'operator' },
    value: { title: `time per request, all calls (${u.unit})` },
    group: { title: 'bound by', order: bounds, colors: BOUND_COLORS },
    step: 22,
  });
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
  if (result.records) sim('latency-cdf', 'Latency distribution', "Empirical CDF of end-to-end latency (arrival to video done) of completed requests, per class; dashed lines mark each class's SLO.", latencyCdfChart(result));
  if (result.timeseries.length) sim('load-over-time', 'Cluster load over time', 'Sampled cluster state: share of GPUs busy, requests waiting and in the system, busy replicas.', loadOverTimeChart(result));
  if (result.service_times.length) sim('stage-breakdown', 'Service time by stage', 'Cost-model time of one request of each class on each pool, split into text encode, denoise and VAE decode.', stageBreakdownChart(result));
  if (result.records) sim('replica-timeline', 'Replica timeline', 'Which request each replica was serving, over simulated time.', replicaTimelineChart(result));
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
