/**
 * The candidates of a sizing search (studies/size.ts): for one node type, the valid parallel layouts of one replica
 * inside one node (searchPlans with the node's GPUs as the budget), each estimated for every request class of the
 * mix. A layout must fit every class, and its service time on an idle replica must not already break a latency
 * objective. They are ranked by videos/h per GPU over the mix (weighted harmonic mean of the per-class
 * throughputs); the top `layouts` are kept, plus the official single-GPU offload layout when it is valid. A tight
 * layout (Estimate.memory.tight) gives way to a layout with room within 10% of it on throughput per GPU and on
 * service time (perf/allocator-slack.ts ROOM_TOLERANCE): where it would have been kept it is listed as skipped with why.
 * sizedScenario() rewrites a scenario to a candidate's cluster: n nodes of its type, one pool of its layout.
 */
import type { Scenario, Pool } from '../scenario/schema.ts';
import { poolsOf, autoscalesOf } from '../scenario/pools.ts';
import { resolveClasses } from '../scenario/classes.ts';
import { inferenceOptions } from '../perf/estimate-input.ts';
import { poolInferenceSpec } from '../engines/inference-spec.ts';
import { estimate, type Estimate, type InferenceOptions } from '../perf/estimate.ts';
import { roomWithin } from '../perf/allocator-slack.ts';
import { parsePlan, type ParallelPlan } from '../parallel/plan.ts';
import type { RequestShape } from '../workload/request.ts';
import type { ModelSpec } from '../workload/models.ts';
import { getNode } from '../hardware/catalog.ts';
import { InputError } from '../errors.ts';
import { infeasibility, type SloTerm } from './objectives.ts';
import { runnable, searchPlans, type PlanRow } from './plan-search.ts';

/** One replica layout on one node type. */
export interface SizeLayout {
  node: string;
  parallel: string;
  gpus_per_replica: number;
  /** Replicas packed on one node: floor(GPUs per node / GPUs per replica). */
  replicas_per_node: number;
}

export interface ClassInfo {
  name: string;
  model: ModelSpec;
  shape: RequestShape;
  /** Share of arrivals (weights normalized). */
  share: number;
  /** The class's SLO, s (attainment objectives). */
  slo_s: number | null;
}

export function classesOf(s: Scenario): ClassInfo[] {
  const total = s.workload.mix.reduce((a, c) => a + c.weight, 0);
  return resolveClasses(s).map((c) => ({ name: c.name, model: c.model, shape: c.shape, share: total > 0 ? c.spec.weight / total : 0, slo_s: c.spec.slo_s ?? null }));
}

/**
 * The scenario with its cluster replaced by `nodes` nodes of the layout's type and its deployment by one pool of
 * nodes × replicas_per_node replicas of the layout serving whole requests (every stage, whatever `stages` the first
 * pool had; its other settings kept: name, warm, batching, inference knobs; `offload` follows the layout). Drain is
 * on, so every admitted request counts; autoscaling bounds are clamped to the new pool size.
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
    // one pool serves whole requests: a disaggregated first pool's stage list would leave the others unserved
    stages: ['encode', 'denoise', 'decode'],
  };
  const scales = base.autoscale === undefined ? undefined : autoscalesOf(base).map((a) => ({
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

export interface LayoutCandidate extends SizeLayout {
  gpu: string;
  /** The serving engine whose code the layout runs (Estimate.engine). */
  engine: string;
  /** The attention kernel the layout runs on this GPU (inference.attention auto: the engine's default there). */
  attention: string;
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
  /** Why a class's estimate is tight (fits on the allocated peak, not on what the caching allocator keeps: perf/allocator-slack.ts); null when none is. */
  tight: string | null;
}

export interface Skipped {
  node: string;
  parallel?: string;
  reason: string;
}

/** An error's messages on one line (an InputError's issues joined). */
export const errorText = (e: unknown) => (e instanceof InputError ? e.issues.map((i) => i.message).join('; ') : (e as Error).message);

export interface LayoutSearch {
  /** Layouts kept per node type (default 3; the best of each replica size first), plus the single-GPU offload layout when valid. */
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
  const inference: InferenceOptions = { ...inferenceOptions(poolInferenceSpec(s.inference, first)), offload: false };
  // the class with the most work picks the layouts to look at; the others are estimated for those
  const primary = [...classes].sort((a, b) => b.share * b.shape.width * b.shape.height * b.shape.frames * b.shape.steps - a.share * a.shape.width * a.shape.height * a.shape.frames * a.shape.steps)[0]!;
  const include = opts.allLayouts ? undefined : { ring: false, pipefusion: false };
  let rows: PlanRow[];
  try {
    rows = searchPlans({ model, node: node.id, gpu: node.gpu, budget: node.gpusPerNode, request: primary.shape, options: inference, objective: 'throughput', include });
  } catch (e) {
    return { candidates: [], skipped: [{ node: node.id, reason: errorText(e) }] };
  }
  // only what the engine's code runs for the model: a what-if (CFG parallel in the official Wan2.2 code) is never sized
  const feasible = rows.filter((r) => runnable(r) && r.gpus_per_replica <= node.gpusPerNode);
  if (feasible.length === 0) {
    const reason = rows.find((r) => r.parallel === 'offload')?.reason ?? (rows.find((r) => !r.what_if) ?? rows[0])?.reason ?? 'no valid layout';
    return { candidates: [], skipped: [{ node: node.id, reason: `cannot run ${model.id} (${primary.name}): ${reason}` }] };
  }
  const keep = opts.layouts ?? 3;
  const skipped: Skipped[] = [];
  const out: LayoutCandidate[] = [];
  // each layout set aside, with its longest class service time (Infinity when it does not fit): the closest first
  const rejected: { text: string; service_s: number }[] = [];
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
      rejected.push({ text: `${row.parallel}: ${problem}`, service_s: Infinity });
      continue;
    }
    const service: Record<string, number> = {};
    classes.forEach((c, i) => (service[c.name] = ests[i]!.total_s));
    const hoursPerVideo = classes.reduce((a, c, i) => a + c.share / ests[i]!.throughput_per_h, 0);
    const replicaThroughput = hoursPerVideo > 0 ? 1 / hoursPerVideo : 0;
    const ruled = infeasibility(opts.terms ?? [], classes.map((c) => ({ name: c.name, share: c.share, service_s: service[c.name]!, slo_s: c.slo_s })));
    if (ruled) {
      rejected.push({ text: `${row.parallel}: ${ruled.reason}`, service_s: Math.max(...Object.values(service)) });
      continue;
    }
    out.push({
      node: node.id, gpu: node.gpu, engine: ests[0]!.engine, attention: ests[0]!.options.attention_kernel, parallel: row.parallel, gpus_per_replica: row.gpus_per_replica,
      replicas_per_node: Math.floor(node.gpusPerNode / row.gpus_per_replica),
      replica_throughput_h: replicaThroughput, throughput_per_gpu_h: replicaThroughput / row.gpus_per_replica,
      service_s: service, mean_service_s: classes.reduce((a, c, i) => a + c.share * ests[i]!.total_s, 0),
      energy_wh: classes.reduce((a, c, i) => a + c.share * ests[i]!.energy_wh, 0), offload: plan.offload,
      tight: ests.find((e) => e.memory.tight)?.memory.tight_reason ?? null,
    });
  }
  out.sort((a, b) => b.throughput_per_gpu_h - a.throughput_per_gpu_h || a.gpus_per_replica - b.gpus_per_replica || a.parallel.localeCompare(b.parallel));
  // the best of each replica size first: two layouts of one size (ulysses=2,t5=cpu and ulysses=2,fsdp,t5=cpu) differ
  // by a few % in throughput and hardly in service time, so they would spend the kept slots on one latency
  const keptOf = (list: LayoutCandidate[]) => {
    const bySize = list.filter((c, i) => list.findIndex((x) => x.gpus_per_replica === c.gpus_per_replica) === i);
    const kept = [...bySize, ...list.filter((c) => !bySize.includes(c))].slice(0, keep);
    kept.sort((a, b) => list.indexOf(a) - list.indexOf(b));
    const offload = list.find((c) => c.offload);
    if (offload && !kept.includes(offload)) kept.push(offload);
    return kept;
  };
  // a tight layout gives way to a layout with room that is within ROOM_TOLERANCE of it on both what sizing trades,
  // throughput per GPU and service time (perf/allocator-slack.ts: the model cannot rank inside that); one that would
  // have been kept says why it is not
  const roomFor = (c: LayoutCandidate) => out.find((x) => x.tight === null && roomWithin(1 / x.throughput_per_gpu_h, 1 / c.throughput_per_gpu_h) && roomWithin(x.mean_service_s, c.mean_service_s));
  const chosen = keptOf(out.filter((c) => c.tight === null || !roomFor(c)));
  for (const c of keptOf(out)) {
    if (!chosen.includes(c)) skipped.push({ node: node.id, parallel: c.parallel, reason: `${c.tight}; sized with ${roomFor(c)!.parallel}, which has room and is within 10% on throughput and service time` });
  }
  if (chosen.length === 0) {
    // the fastest first: how far the best this node type has is from the objective, then the next ones
    const byService = [...rejected].sort((a, b) => a.service_s - b.service_s).map((r) => r.text);
    const list = `${byService.length > 1 ? 'the fastest, ' : ''}${byService.slice(0, 3).join('; ')}${byService.length > 3 ? `; … (${byService.length} layouts)` : ''}`;
    skipped.push({ node: node.id, reason: `no layout serves the whole mix within the objectives; ${list}` });
  }
  return { candidates: chosen, skipped };
}

