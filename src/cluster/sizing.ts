/**
 * Cluster sizing: the cheapest cluster that serves a scenario's traffic within latency objectives (`vgsim size`),
 * and iso-cost / iso-power fleet comparisons (`vgsim tco`).
 *
 * sizeCluster(scenario, options):
 *  1. candidates: for every node type (default: the whole catalog) that has a price on the chosen cost basis, the
 *     valid parallel layouts of one replica inside one node (searchPlans with the node's GPUs as the budget),
 *     each estimated for every request class of the mix; a layout must fit every class, and its service time on
 *     an idle replica must not already break a latency objective. They are ranked by videos/h per GPU over the
 *     mix (weighted harmonic mean of the per-class throughputs); the top `layouts` are kept, plus the official
 *     single-GPU offload layout when it is valid.
 *  2. for each (node type, layout): the smallest whole number of nodes (replicas packed onto whole nodes) whose
 *     simulation meets every objective with nothing dropped or failed, at the offered rate. The search starts at
 *     the count where every replica is busy back to back (service times alone), steps up with a doubling step
 *     (or down, if that count already passes) until it brackets a fail/pass pair, then bisects. Every trial runs
 *     the scenario with its cluster and deployment replaced, the same seed (common random numbers: passing is
 *     close to monotone in the node count) and drain on; the answer n passed and n − 1 failed (or n = 1).
 *  3. every found option is priced by the scenario's cost section (the run's `cost`) and ranked by $/month; the
 *     Pareto set over ($/month, p95) is marked.
 * A bound on the total number of simulations stops the search (each affected option says so).
 *
 * Pure: no printing, no files; the CLI (src/cli/commands/size.ts) formats and writes.
 */
import type { Scenario, Pool } from '../scenario/schema.ts';
import { simulate, classLabel, toInference, type SimulationOptions, type SimulationResult } from './simulation.ts';
import { poolInferenceSpec } from '../engines/inference-spec.ts';
import { meetsObjectives, type SloTerm } from './capacity.ts';
import { searchPlans, type PlanRow } from '../parallel/search.ts';
import { parsePlan, type ParallelPlan } from '../parallel/plan.ts';
import { estimate, type Estimate, type InferenceOptions } from '../perf/estimate.ts';
import { getModel, resolveRequest, type RequestShape } from '../workload/request.ts';
import { ratePerSecond } from '../workload/arrivals.ts';
import { canonicalId, getGpu, getNode, listNodes } from '../hardware/catalog.ts';
import type { NodeSpec } from '../hardware/types.ts';
import { InputError } from '../scenario/errors.ts';
import { isoCost, isoPower, serverPrice, MissingPriceError, type CostAssumptions, type IsoResult } from '../economics/index.ts';
import type { ModelSpec } from '../workload/models.ts';

// ------------------------------------------------------------------------------------------------ small helpers

/**
 * Parses an arrival rate: "120/h", "120/hour", "2/min", "0.05/s" or a bare number (per hour). Returns videos per
 * hour, or undefined when the text is not a rate.
 */
export function parseRate(text: string): number | undefined {
  const m = /^\s*([0-9]*\.?[0-9]+(?:e[+-]?\d+)?)\s*(?:\/\s*(h|hr|hour|m|min|minute|s|sec|second|d|day))?\s*$/i.exec(text);
  if (!m) return undefined;
  const v = Number(m[1]);
  if (!Number.isFinite(v) || v <= 0) return undefined;
  const unit = (m[2] ?? 'h').toLowerCase();
  const perHour = unit.startsWith('h') ? 1 : unit.startsWith('m') ? 60 : unit.startsWith('s') ? 3600 : 1 / 24;
  return v * perHour;
}

/**
 * Pareto-optimal flags for points where lower is better on both axes: a point is optimal when no other point is
 * at most as large on both and strictly smaller on one. Points with a non-finite coordinate are never optimal.
 */
export function paretoFront(points: readonly { x: number; y: number }[]): boolean[] {
  return points.map((p, i) => {
    if (!Number.isFinite(p.x) || !Number.isFinite(p.y)) return false;
    return !points.some((q, j) => j !== i && Number.isFinite(q.x) && Number.isFinite(q.y) && q.x <= p.x && q.y <= p.y && (q.x < p.x || q.y < p.y));
  });
}

/** Short label of an option: "hgx-h200-8 · cfg=2". */
export function optionLabel(node: string, parallel: string): string {
  return `${node} · ${parallel}`;
}

/** Whether a run meets every objective with nothing dropped or failed (and something completed). */
export function evaluateRun(r: SimulationResult, terms: readonly SloTerm[]): { pass: boolean; values: Record<string, number>; lost: number } {
  return meetsObjectives(r, terms, 0);
}

// ------------------------------------------------------------------------------------------------ scenario surgery

/** One replica layout on one node type. */
export interface SizeLayout {
  node: string;
  parallel: string;
  gpus_per_replica: number;
  /** Replicas packed on one node: floor(GPUs per node / GPUs per replica). */
  replicas_per_node: number;
}

interface ClassInfo {
  name: string;
  model: ModelSpec;
  shape: RequestShape;
  /** Share of arrivals (weights normalized). */
  share: number;
}

function classesOf(s: Scenario): ClassInfo[] {
  const total = s.workload.mix.reduce((a, c) => a + c.weight, 0);
  return s.workload.mix.map((c) => {
    const model = getModel(c.model ?? s.model);
    const req = resolveRequest(model, { width: c.resolution?.width, height: c.resolution?.height, frames: c.frames, steps: c.steps, cfg: c.cfg });
    const shape: RequestShape = { width: req.width, height: req.height, frames: req.frames, steps: req.steps, cfg: req.cfg };
    return { name: classLabel(c, shape), model, shape, share: total > 0 ? c.weight / total : 0 };
  });
}

function poolsOf(s: Scenario): Pool[] {
  return Array.isArray(s.deployment) ? s.deployment : [s.deployment];
}

/**
 * The scenario with its cluster replaced by `nodes` nodes of the layout's type and its deployment by one pool of
 * nodes × replicas_per_node replicas of the layout (the first pool's other settings kept: name, warm, batching,
 * inference knobs; `offload` follows the layout). Drain is on, so every admitted request counts; autoscaling
 * bounds are clamped to the new pool size.
 */
export function sizedScenario(base: Scenario, layout: SizeLayout, nodes: number): Scenario {
  const plan = parsePlan(layout.parallel);
  const first = poolsOf(base)[0]!;
  const replicas = nodes * layout.replicas_per_node;
  const name = first.name ?? 'pool0';
  const pool: Pool = {
    ...first,
    name,
    model: first.model ?? base.model,
    replicas,
    gpus_per_replica: layout.gpus_per_replica,
    parallel: layout.parallel,
    node: layout.node,
    inference: { ...(first.inference ?? {}), offload: plan.offload },
  };
  const scales = base.autoscale === undefined ? undefined : (Array.isArray(base.autoscale) ? base.autoscale : [base.autoscale]).map((a) => ({
    ...a,
    pool: a.pool === undefined ? undefined : name,
    min_replicas: Math.min(a.min_replicas, replicas),
    max_replicas: undefined,
  }));
  return {
    ...base,
    drain: true,
    cluster: { ...base.cluster, nodes: [{ type: layout.node, count: nodes }] },
    deployment: pool,
    autoscale: scales === undefined ? undefined : scales.length === 1 ? scales[0] : scales,
  };
}

// ------------------------------------------------------------------------------------------------ candidates

export interface LayoutCandidate extends SizeLayout {
  gpu: string;
  /** Videos/h one replica sustains back to back on the mix (service times only). */
  replica_throughput_h: number;
  /** replica_throughput_h / GPUs per replica. */
  throughput_per_gpu_h: number;
  /** Service time of each class on an idle replica, seconds. */
  service_s: Record<string, number>;
  /** Mean service time over the mix, seconds. */
  mean_service_s: number;
  /** Facility energy of one request averaged over the mix, Wh (cost model, idle replica). */
  energy_wh: number;
  offload: boolean;
}

export interface Skipped {
  node: string;
  parallel?: string;
  reason: string;
}

/** Lower bound of an objective from service times alone (latency >= the request's own service time); NaN if none. */
function serviceBound(t: SloTerm, classes: readonly ClassInfo[], service: Record<string, number>): number {
  if (t.op !== '<=' || t.metric.startsWith('wait_')) return NaN;
  if (t.cls !== undefined) return service[t.cls] ?? NaN;
  const items = classes.map((c) => ({ s: service[c.name] ?? NaN, w: c.share })).filter((x) => x.w > 0).sort((a, b) => a.s - b.s);
  if (items.length === 0) return NaN;
  if (t.metric === 'mean') return items.reduce((a, x) => a + x.s * x.w, 0);
  if (t.metric === 'max') return items[items.length - 1]!.s;
  const q = { p50: 0.5, p90: 0.9, p95: 0.95, p99: 0.99 }[t.metric as 'p50' | 'p90' | 'p95' | 'p99'];
  if (q === undefined) return NaN;
  let acc = 0;
  for (const x of items) {
    acc += x.w;
    // strictly above the quantile: at exactly q, the sketch may land on either side
    if (acc > q + 1e-9) return x.s;
  }
  return items[items.length - 1]!.s;
}

const errorText = (e: unknown) => (e instanceof InputError ? e.issues.map((i) => i.message).join('; ') : (e as Error).message);

export interface LayoutSearch {
  /** Layouts kept per node type (default 3), plus the single-GPU offload layout when valid. */
  layouts?: number;
  /** Also consider ring attention and PipeFusion (slower search; they rarely win on throughput per GPU). */
  allLayouts?: boolean;
  /** Objectives whose service-time bound rules layouts out. */
  terms?: readonly SloTerm[];
}

/** The layouts of one node type to size, ranked by mix throughput per GPU; or why there are none. */
export function layoutCandidates(s: Scenario, nodeId: string, opts: LayoutSearch = {}): { candidates: LayoutCandidate[]; skipped: Skipped[] } {
  const node = getNode(nodeId);
  const classes = classesOf(s);
  const models = [...new Set(classes.map((c) => c.model.id))];
  if (models.length !== 1) throw new Error(`sizing handles one model per scenario; the request mix uses ${models.join(', ')}`);
  const model = classes[0]!.model;
  const first = poolsOf(s)[0]!;
  const inference: InferenceOptions = { ...toInference(poolInferenceSpec(s.inference, first)), offload: false };
  // the class with the most work picks the layouts to look at; the others are estimated for those
  const primary = [...classes].sort((a, b) => b.share * b.shape.width * b.shape.height * b.shape.frames * b.shape.steps - a.share * a.shape.width * a.shape.height * a.shape.frames * a.shape.steps)[0]!;
  const include = opts.allLayouts ? undefined : { ring: false, pipefusion: false };
  let rows: PlanRow[];
  try {
    rows = searchPlans({ model, node: node.id, gpu: node.gpu, budget: node.gpusPerNode, request: primary.shape, options: inference, objective: 'throughput', include });
  } catch (e) {
    return { candidates: [], skipped: [{ node: node.id, reason: errorText(e) }] };
  }
  const feasible = rows.filter((r) => r.feasible && r.gpus_per_replica <= node.gpusPerNode);
  if (feasible.length === 0) {
    const reason = rows.find((r) => r.parallel === 'offload')?.reason ?? rows[0]?.reason ?? 'no valid layout';
    return { candidates: [], skipped: [{ node: node.id, reason: `cannot run ${model.id} (${primary.name}): ${reason}` }] };
  }
  const keep = opts.layouts ?? 3;
  const skipped: Skipped[] = [];
  const out: LayoutCandidate[] = [];
  const rejected: string[] = [];
  // estimate the other classes only for the most promising layouts of the primary class (and the offload path)
  const pool = feasible.slice(0, Math.max(4 * keep, 8));
  const off = feasible.find((r) => r.parallel === 'offload');
  if (off && !pool.includes(off)) pool.push(off);
  for (const row of pool) {
    const plan: ParallelPlan = parsePlan(row.parallel);
    const ests: Estimate[] = [];
    let problem: string | undefined;
    for (const c of classes) {
      if (c === primary && row.estimate) {
        ests.push(row.estimate);
        continue;
      }
      try {
        const e = estimate({ model, node: node.id, plan, gpus: row.gpus_per_replica, request: c.shape, options: { ...inference, offload: plan.offload } });
        if (!e.fits) problem = `${c.name}: ${e.memory.verdict}`;
        ests.push(e);
      } catch (e) {
        problem = `${c.name}: ${errorText(e)}`;
      }
      if (problem) break;
    }
    if (problem) {
      rejected.push(`${row.parallel}: ${problem}`);
      continue;
    }
    const service: Record<string, number> = {};
    classes.forEach((c, i) => (service[c.name] = ests[i]!.total_s));
    const hoursPerVideo = classes.reduce((a, c, i) => a + c.share / ests[i]!.throughput_per_h, 0);
    const replicaThroughput = hoursPerVideo > 0 ? 1 / hoursPerVideo : 0;
    const bound = (opts.terms ?? []).map((t) => ({ t, b: serviceBound(t, classes, service) })).find(({ t, b }) => Number.isFinite(b) && b > t.value * 1.001);
    if (bound) {
      rejected.push(`${row.parallel}: service time alone ${(bound.b / 60).toFixed(1)} min breaks ${bound.t.text}`);
      continue;
    }
    out.push({
      node: node.id, gpu: node.gpu, parallel: row.parallel, gpus_per_replica: row.gpus_per_replica,
      replicas_per_node: Math.floor(node.gpusPerNode / row.gpus_per_replica),
      replica_throughput_h: replicaThroughput, throughput_per_gpu_h: replicaThroughput / row.gpus_per_replica,
      service_s: service, mean_service_s: classes.reduce((a, c, i) => a + c.share * ests[i]!.total_s, 0),
      energy_wh: classes.reduce((a, c, i) => a + c.share * ests[i]!.energy_wh, 0), offload: plan.offload,
    });
  }
  out.sort((a, b) => b.throughput_per_gpu_h - a.throughput_per_gpu_h || a.gpus_per_replica - b.gpus_per_replica || a.parallel.localeCompare(b.parallel));
  const chosen = out.slice(0, keep);
  const offload = out.find((c) => c.offload);
  if (offload && !chosen.includes(offload)) chosen.push(offload);
  if (chosen.length === 0) {
    skipped.push({ node: node.id, reason: `no layout serves the whole mix within the objectives: ${rejected.slice(0, 3).join('; ')}${rejected.length > 3 ? `; … (${rejected.length} layouts)` : ''}` });
  }
  return { candidates: chosen, skipped };
}

// ------------------------------------------------------------------------------------------------ prices

function pick<T>(v: T | Record<string, T> | undefined, key: string): T | undefined {
  if (v === undefined) return undefined;
  if (typeof v === 'object' && v !== null) return (v as Record<string, T>)[key];
  return v as T;
}

/** Why a node type cannot be priced on the scenario's cost basis, or undefined when it can. */
export function missingPrice(s: Scenario, node: NodeSpec): string | undefined {
  const c = s.cost;
  if (c.basis === 'cloud') {
    const gpu = getGpu(node.gpu);
    if (pick(c.cloud.usd_per_gpu_hour, gpu.id) === undefined && gpu.cloudUsdPerGpuHour === undefined) {
      return `no cloud price: GpuSpec.cloudUsdPerGpuHour of ${gpu.id} is not in the catalog; set cost.cloud.usd_per_gpu_hour`;
    }
    return undefined;
  }
  try {
    serverPrice(node, { purchaseUsd: pick(c.server_price_usd, node.id), gpuPurchaseUsd: pick(c.gpu_price_usd, node.gpu) ?? pick(c.gpu_price_usd, node.id), serverBaseUsd: c.server_base_usd });
    return undefined;
  } catch (e) {
    if (e instanceof MissingPriceError) return `${e.message}; or set cost.server_price_usd in the scenario`;
    throw e;
  }
}

// ------------------------------------------------------------------------------------------------ sizing

export interface SizeTrial {
  nodes: number;
  pass: boolean;
  values: Record<string, number>;
  lost: number;
  p95_s: number;
  utilization: number;
}

export type SizeStatus = 'ok' | 'not-found' | 'stopped' | 'error';

export interface SizeRow extends SizeLayout {
  /** 1 = cheapest; null for options without a passing count or a price. */
  rank: number | null;
  label: string;
  gpu: string;
  status: SizeStatus;
  /** n − 1 nodes was simulated and failed (or n = 1). */
  minimal: boolean;
  nodes: number | null;
  replicas: number | null;
  gpus: number | null;
  latency_s: { p50: number; p95: number; p99: number; max: number } | null;
  /** The objectives' values at the chosen count. */
  values: Record<string, number> | null;
  slo_attainment: number | null;
  utilization: number | null;
  throughput_per_h: number | null;
  /** Facility energy (IT × PUE) per completed video, kWh. */
  kwh_per_video: number | null;
  usd_per_video: number | null;
  usd_per_month: number | null;
  usd_per_gpu_hour: number | null;
  capex_usd: number | null;
  /** From the cost model: one replica busy back to back on the mix. */
  est_throughput_per_gpu_h: number;
  mean_service_s: number;
  pareto: boolean;
  trials: SizeTrial[];
  note: string;
  warnings: string[];
}

export interface SizeOptions {
  terms: readonly SloTerm[];
  /** Offered rate, videos/h (default: the scenario's mean rate). */
  ratePerH?: number;
  /** Node type ids (default: every catalog node type). */
  nodes?: readonly string[];
  layouts?: number;
  allLayouts?: boolean;
  /** Largest node count tried per option (default 64). */
  maxNodes?: number;
  /** Simulations at most over the whole search (default 300). */
  maxSims?: number;
  basis?: 'owned' | 'cloud';
  sim?: Pick<SimulationOptions, 'baseDir' | 'locate'>;
  /** Called before the layout search of each node type. */
  onNode?: (node: string) => void;
  /** Called once the candidates are known (total options to size). */
  onCandidates?: (count: number) => void;
  onTrial?: (label: string, t: SizeTrial) => void;
  onOption?: (row: SizeRow) => void;
}

export interface SizeResult {
  scenario: string;
  model: string;
  objectives: string[];
  /** Offered mean rate, videos/h. */
  rate_per_h: number;
  /** Multiplier applied to the scenario's arrival rates. */
  rate_scale: number;
  duration_s: number;
  basis: 'owned' | 'cloud';
  rows: SizeRow[];
  skipped: Skipped[];
  simulations: number;
  max_sims: number;
  /** The simulation bound stopped the search. */
  bound_hit: boolean;
  notes: string[];
}

class SimBound extends Error {}

/** Mean offered rate of the scenario (videos/h) at scale 1; a trace needs a probe run. */
function baseRatePerH(s: Scenario, opts: SimulationOptions): number {
  const a = s.workload.arrivals;
  if (a.process !== 'trace') return ratePerSecond(a) * 3600;
  const probe = simulate({ ...s, drain: false }, opts);
  return probe.sim_time_s > 0 ? (probe.requests.arrived / Math.min(probe.sim_time_s, s.duration)) * 3600 : 0;
}

export function sizeCluster(base: Scenario, opts: SizeOptions): SizeResult {
  const terms = opts.terms;
  const maxNodes = opts.maxNodes ?? 64;
  const maxSims = opts.maxSims ?? 300;
  const notes: string[] = [];
  const s: Scenario = { ...base, cost: { ...base.cost, basis: opts.basis ?? base.cost.basis } };
  if (s.cost.provisioned_kw !== undefined) {
    notes.push(`cost.provisioned_kw (${s.cost.provisioned_kw} kW) ignored: each option rents its own nodes' nameplate power`);
    s.cost = { ...s.cost, provisioned_kw: undefined };
  }
  if (typeof s.cost.server_price_usd === 'number') notes.push(`cost.server_price_usd is one number: it prices every node type the same ($${s.cost.server_price_usd}); give {node-type: price} to compare`);
  if (typeof s.cost.gpu_price_usd === 'number') notes.push(`cost.gpu_price_usd is one number: it prices every GPU type the same; give {gpu: price} to compare`);
  if (poolsOf(s).length > 1) notes.push(`the scenario has ${poolsOf(s).length} pools: every option replaces them with one pool (settings of the first)`);
  const classes = classesOf(s);
  const classNames = classes.map((c) => c.name);
  for (const t of terms) {
    if (t.cls !== undefined && !classNames.includes(t.cls)) throw new Error(`objective "${t.text}": no request class "${t.cls}" (classes: ${classNames.join(', ')})`);
  }
  const models = [...new Set(classes.map((c) => c.model.id))];
  if (models.length !== 1) throw new Error(`sizing handles one model per scenario; the request mix uses ${models.join(', ')}`);

  const simOpts: SimulationOptions = { ...opts.sim };
  const baseRate = baseRatePerH(s, simOpts);
  if (!(baseRate > 0)) throw new Error('the scenario has no arrivals (rate 0 or an empty trace)');
  const rate = opts.ratePerH ?? baseRate;
  const scale = rate / baseRate;
  let sims = 0;
  let boundHit = false;

  // ---- candidates ----
  const skipped: Skipped[] = [];
  const candidates: LayoutCandidate[] = [];
  const nodeIds = opts.nodes ? [...new Set(opts.nodes.map((n) => canonicalId('node', n)))] : listNodes().map((n) => n.id);
  for (const id of nodeIds) {
    opts.onNode?.(id);
    const node = getNode(id);
    const why = missingPrice(s, node);
    if (why) {
      skipped.push({ node: id, reason: why });
      continue;
    }
    const c = layoutCandidates(s, id, { layouts: opts.layouts, allLayouts: opts.allLayouts, terms });
    candidates.push(...c.candidates);
    skipped.push(...c.skipped);
  }
  opts.onCandidates?.(candidates.length);

  // ---- the smallest passing node count of each candidate ----
  const rows: SizeRow[] = [];
  for (const c of candidates) {
    const label = optionLabel(c.node, c.parallel);
    const results = new Map<number, { trial: SizeTrial; run: SimulationResult }>();
    const trials: SizeTrial[] = [];
    let error: string | undefined;
    const test = (n: number): boolean => {
      const hit = results.get(n);
      if (hit) return hit.trial.pass;
      if (sims >= maxSims) throw new SimBound();
      sims++;
      const run = simulate(sizedScenario(s, c, n), { ...simOpts, rateScale: scale });
      const ev = evaluateRun(run, terms);
      const trial: SizeTrial = { nodes: n, pass: ev.pass, values: ev.values, lost: ev.lost, p95_s: run.latency_s.p95, utilization: run.gpu_utilization };
      results.set(n, { trial, run });
      trials.push(trial);
      opts.onTrial?.(label, trial);
      return trial.pass;
    };
    // lo: largest count known to fail (0 = none), hi: smallest known to pass (Infinity = none)
    let lo = 0;
    let hi = Infinity;
    let stopped = false;
    const perNodeRate = c.replica_throughput_h * c.replicas_per_node;
    const start = Math.min(maxNodes, Math.max(1, Math.ceil(rate / perNodeRate - 1e-9)));
    try {
      if (test(start)) {
        hi = start;
        for (let step = 1; hi > 1; step *= 2) {
          const k = Math.max(1, hi - step);
          if (test(k)) hi = k;
          else {
            lo = k;
            break;
          }
        }
      } else {
        lo = start;
        for (let step = Math.max(1, Math.ceil(start / 4)); lo < maxNodes; step *= 2) {
          const k = Math.min(maxNodes, lo + step);
          if (test(k)) {
            hi = k;
            break;
          }
          lo = k;
        }
      }
      while (Number.isFinite(hi) && hi - lo > 1) {
        const mid = Math.floor((lo + hi) / 2);
        if (test(mid)) hi = mid;
        else lo = mid;
      }
    } catch (e) {
      if (e instanceof SimBound) {
        stopped = true;
        boundHit = true;
      } else {
        error = errorText(e);
      }
    }
    const chosen = Number.isFinite(hi) ? results.get(hi) : undefined;
    const minimal = chosen !== undefined && (hi === 1 || lo === hi - 1);
    const status: SizeStatus = error ? 'error' : chosen ? (stopped && !minimal ? 'stopped' : 'ok') : stopped ? 'stopped' : 'not-found';
    const r = chosen?.run;
    const noteParts: string[] = [];
    if (error) noteParts.push(`simulation failed: ${error}`);
    else if (!chosen && stopped) noteParts.push(`simulation bound (${maxSims}) reached before a passing count; ${lo} node${lo === 1 ? '' : 's'} fail`);
    else if (!chosen) {
      const last = trials.find((t) => t.nodes === lo);
      noteParts.push(`fails at ${maxNodes} nodes (--max-nodes)${last ? `: p95 ${(last.p95_s / 60).toFixed(1)} min${last.lost ? `, ${last.lost} lost` : ''}` : ''}`);
    } else if (!minimal) noteParts.push(`simulation bound reached: ${hi} passes, ${lo > 0 ? `${lo} fails, ` : ''}counts between not tried`);
    if (c.offload) noteParts.push('official offload path');
    if (r && !r.cost) noteParts.push('no price');
    const priceWarning = r?.cost?.warnings.find((w) => /GPUs only/.test(w));
    if (priceWarning) noteParts.push('GPU-only price (no chassis)');
    const row: SizeRow = {
      rank: null, label, node: c.node, gpu: c.gpu, parallel: c.parallel, gpus_per_replica: c.gpus_per_replica, replicas_per_node: c.replicas_per_node,
      status, minimal,
      nodes: chosen ? hi : null,
      replicas: chosen ? hi * c.replicas_per_node : null,
      gpus: chosen ? hi * c.replicas_per_node * c.gpus_per_replica : null,
      latency_s: r ? { p50: r.latency_s.p50, p95: r.latency_s.p95, p99: r.latency_s.p99, max: r.latency_s.max } : null,
      values: chosen ? chosen.trial.values : null,
      slo_attainment: r?.slo_attainment ?? null,
      utilization: r?.gpu_utilization ?? null,
      throughput_per_h: r?.throughput_per_h ?? null,
      kwh_per_video: r && r.requests.completed > 0 ? r.energy.per_video_wh / 1000 : null,
      usd_per_video: r?.cost?.usd_per_video ?? null,
      usd_per_month: r?.cost?.usd_per_month ?? null,
      usd_per_gpu_hour: r?.cost?.usd_per_gpu_hour ?? null,
      capex_usd: r?.cost?.capex_usd ?? null,
      est_throughput_per_gpu_h: c.throughput_per_gpu_h,
      mean_service_s: c.mean_service_s,
      pareto: false,
      trials: [...trials].sort((a, b) => a.nodes - b.nodes),
      note: noteParts.join('; '),
      warnings: r ? [...new Set([...(r.cost?.warnings ?? []), ...r.warnings.filter((w) => /^cost:/.test(w))])] : [],
    };
    rows.push(row);
    opts.onOption?.(row);
  }

  // ---- rank and Pareto ----
  const priced = (r: SizeRow) => r.nodes !== null && r.usd_per_month !== null;
  rows.sort((a, b) => {
    const pa = priced(a) ? 0 : a.nodes !== null ? 1 : 2;
    const pb = priced(b) ? 0 : b.nodes !== null ? 1 : 2;
    if (pa !== pb) return pa - pb;
    return (a.usd_per_month ?? Infinity) - (b.usd_per_month ?? Infinity) || (a.latency_s?.p95 ?? Infinity) - (b.latency_s?.p95 ?? Infinity) || a.label.localeCompare(b.label);
  });
  let rank = 0;
  for (const r of rows) if (priced(r)) r.rank = ++rank;
  const ranked = rows.filter(priced);
  paretoFront(ranked.map((r) => ({ x: r.latency_s!.p95, y: r.usd_per_month! }))).forEach((p, i) => (ranked[i]!.pareto = p));

  if (boundHit) notes.push(`the simulation bound (${maxSims}) stopped the search: options marked "stopped" are not proven minimal (raise --max-sims)`);
  const maxService = Math.max(0, ...candidates.map((c) => Math.max(...Object.values(c.service_s))));
  if (s.duration < 20 * maxService) notes.push(`the simulated duration (${(s.duration / 3600).toFixed(2)} h) is short next to the service time (${(maxService / 60).toFixed(1)} min): tail latencies are noisy; raise duration (--set duration=3d)`);
  const expected = rate * (s.duration / 3600);
  if (expected < 200) notes.push(`about ${expected.toFixed(0)} requests per trial: a p95 rests on a handful of requests; a longer duration gives steadier tails`);
  return {
    scenario: s.name, model: models[0]!, objectives: terms.map((t) => t.text), rate_per_h: rate, rate_scale: scale, duration_s: s.duration,
    basis: s.cost.basis, rows, skipped, simulations: sims, max_sims: maxSims, bound_hit: boundHit, notes,
  };
}

// ------------------------------------------------------------------------------------------------ iso-cost / iso-power

export interface IsoCompareOptions {
  model: ModelSpec;
  request?: Partial<RequestShape>;
  /** Node type ids (default: every catalog node type with 8 or more GPUs). */
  nodes?: readonly string[];
  budgetUsd?: number;
  megawatts?: number;
  inference?: Partial<InferenceOptions>;
  assumptions?: Partial<CostAssumptions>;
  /** Facility / IT power for the envelope and the reported facility power (default 1.2). */
  pue?: number;
  allLayouts?: boolean;
}

export interface IsoRow {
  basis: 'budget' | 'power';
  node: string;
  gpu: string;
  /** Best layout by throughput per GPU, null when the model does not run on this GPU. */
  parallel: string | null;
  nodes: number;
  gpus: number;
  throughput_per_gpu_h: number | null;
  latency_s: number | null;
  fleet_videos_per_h: number | null;
  fleet_capex_usd: number | null;
  it_power_kw: number;
  facility_power_kw: number;
  usd_per_month: number | null;
  usd_per_video: number | null;
  /** IT energy per video from the cost model, kWh. */
  kwh_per_video: number | null;
  note: string;
  notes: string[];
  warnings: string[];
}

export interface IsoCompareResult {
  model: string;
  request: { width: number; height: number; frames: number; steps: number };
  budget_usd: number | null;
  megawatts: number | null;
  rows: IsoRow[];
  skipped: Skipped[];
}

/** Best layout of a node type by throughput per GPU (estimate of one replica busy back to back). */
function bestLayout(model: ModelSpec, node: NodeSpec, request: Partial<RequestShape> | undefined, inference: Partial<InferenceOptions> | undefined, all: boolean): { row?: PlanRow; reason?: string } {
  try {
    const rows = searchPlans({ model, node: node.id, gpu: node.gpu, budget: node.gpusPerNode, request, options: { ...inference, offload: false }, objective: 'throughput', include: all ? undefined : { ring: false, pipefusion: false } });
    const best = rows.find((r) => r.feasible);
    if (best) return { row: best };
    return { reason: `cannot run ${model.id}: ${rows.find((r) => r.parallel === 'offload')?.reason ?? rows[0]?.reason ?? 'no valid layout'}` };
  } catch (e) {
    return { reason: errorText(e) };
  }
}

/**
 * How many nodes of each type a budget or a power envelope buys, and what that fleet produces: per-GPU
 * throughput and energy per video from the cost model's best layout (every GPU busy around the clock: an upper
 * bound on what a real fleet serves), priced by isoCost/isoPower (src/economics). A node type without a price is
 * skipped for the budget (with the reason) but still counted for the power envelope (without costs).
 */
export function isoCompare(o: IsoCompareOptions): IsoCompareResult {
  if (o.budgetUsd === undefined && o.megawatts === undefined) throw new Error('give a budget (USD) or a power envelope (MW)');
  const req = resolveRequest(o.model, o.request);
  const nodeIds = o.nodes ? [...new Set(o.nodes.map((n) => canonicalId('node', n)))] : listNodes().filter((n) => n.gpusPerNode >= 8).map((n) => n.id);
  const rows: IsoRow[] = [];
  const skipped: Skipped[] = [];
  const settings = { assumptions: o.assumptions, pue: o.pue };
  for (const id of nodeIds) {
    const node = getNode(id);
    const best = bestLayout(o.model, node, o.request, o.inference, o.allLayouts ?? false);
    const e = best.row?.estimate;
    const option = {
      node: node.id,
      videosPerHourPerGpu: best.row?.throughput_per_gpu_h,
      itKwhPerVideo: e ? e.energy_wh / e.power.pue / 1000 : undefined,
    };
    const toRow = (basis: IsoRow['basis'], r: IsoResult): IsoRow => {
      const noteParts: string[] = [];
      if (!best.row) noteParts.push(`cannot run the model${/OOM/.test(best.reason ?? '') ? ' (out of memory)' : ''}: counts only (see skipped)`);
      if (r.perNode.price?.basis === 'gpus' && r.perNode.price.warning) noteParts.push('GPU-only price (no chassis)');
      if (r.perNode.price === null) noteParts.push('no price: counts only');
      if (r.perNode.power.basis === 'estimated-peak') noteParts.push('power estimated (no nameplate)');
      return {
        basis, node: node.id, gpu: node.gpu, parallel: best.row?.parallel ?? null, nodes: r.nodes, gpus: r.gpus,
        throughput_per_gpu_h: best.row?.throughput_per_gpu_h ?? null, latency_s: best.row?.latency_s ?? null,
        fleet_videos_per_h: r.fleet.videosPerHour, fleet_capex_usd: r.fleet.capexUsd, it_power_kw: r.fleet.itPowerKw, facility_power_kw: r.fleet.facilityPowerKw,
        usd_per_month: r.fleet.monthlyCostUsd, usd_per_video: r.fleet.usdPerVideo, kwh_per_video: option.itKwhPerVideo ?? null,
        note: noteParts.join('; '), notes: r.notes, warnings: r.warnings,
      };
    };
    if (!best.row) skipped.push({ node: node.id, reason: `${best.reason ?? 'no layout'} (counted without throughput)` });
    if (o.budgetUsd !== undefined) {
      try {
        rows.push(toRow('budget', isoCost(o.budgetUsd, [option], settings)[0]!));
      } catch (err) {
        if (!(err instanceof MissingPriceError)) throw err;
        skipped.push({ node: node.id, reason: `iso-cost: ${err.message}` });
      }
    }
    if (o.megawatts !== undefined) rows.push(toRow('power', isoPower(o.megawatts, [option], settings)[0]!));
  }
  const sortKey = (r: IsoRow) => -(r.fleet_videos_per_h ?? -1);
  rows.sort((a, b) => (a.basis === b.basis ? sortKey(a) - sortKey(b) || a.node.localeCompare(b.node) : a.basis === 'budget' ? -1 : 1));
  return {
    model: o.model.id, request: { width: req.width, height: req.height, frames: req.frames, steps: req.steps },
    budget_usd: o.budgetUsd ?? null, megawatts: o.megawatts ?? null, rows, skipped,
  };
}
