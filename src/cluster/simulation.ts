/**
 * The serving runtime: the discrete-event simulation of a cluster serving a stream of video requests.
 *
 *  - Requests arrive (workload/arrivals.ts, with an optional daily rate curve), draw a class from the mix,
 *    and are routed to a replica of a pool serving their model; a replica's queue orders waiting requests
 *    (fcfs, priority, sjf, edf); timeouts and queue limits drop requests.
 *  - A replica runs one batch at a time (a batch of 1 unless `batching`), stage by stage (text encode →
 *    denoise → VAE decode) with times from the pre-tabulated cost model; with split experts it is a
 *    two-stage pipeline (high-noise group, low-noise group).
 *  - Replicas occupy GPUs on nodes; a replica serves only once its model is loaded: cold starts read the
 *    checkpoint from the storage tier (bandwidth shared by concurrent loads), or from the node's page cache.
 *  - Autoscaling puts idle replicas to sleep (GPUs idle, or the whole node powered off) and wakes them on
 *    queue length, utilization or SLO risk, paying boot and load time.
 *  - GPU, node and NIC failures (exponential or Weibull) take replicas down; their running requests are
 *    retried or lost by policy; repaired replicas cold-start again.
 *  - A power meter integrates every GPU group's and node's power exactly (piecewise constant).
 * Every request is accounted for: arrived = completed + dropped + failed + in flight.
 */
import { Simulator, RandomStreams, PriorityQueue, FifoQueue, MinTree, type EventHandle, type RandomStream } from '../engine/index.ts';
import type { Scenario, RequestClass, Pool, Autoscale } from '../scenario/schema.ts';
import { poolsOf } from '../scenario/check.ts';
import { makeArrivals, type ArrivalProcess } from '../workload/arrivals.ts';
import { getModel, resolveRequest, type RequestShape } from '../workload/request.ts';
import { canonicalId, getNode } from '../hardware/catalog.ts';
import type { NodeSpec } from '../hardware/types.ts';
import { POWER_DEFAULTS } from '../hardware/defaults.ts';
import { ServiceTimeTable, type ServiceTime } from './service-times.ts';
import { DEFAULT_INFERENCE, type Estimate, type InferenceOptions } from '../perf/estimate.ts';
import { QuantileSketch } from '../metrics/quantile-sketch.ts';
import { InputError, type InputIssue } from '../scenario/errors.ts';
import { parsePlan, planGpus, groupGpus, formatPlan, type ParallelPlan } from '../parallel/plan.ts';
import { accelerationOptions, poolInferenceSpec } from '../engines/inference-spec.ts';
import { changesOutput, worstPsnr } from '../engines/quality.ts';
import { FlowNetwork, Pipe } from './shared-bandwidth.ts';
import { PowerMeter, type PowerStep } from './power-meter.ts';
import { checkpointBytes, hostIngestBps, measuredHostRates, measuredProcessStart, storageTier, type StorageTier } from './model-loader.ts';
import { dailyCurve, type RateCurve } from '../workload/rate-curve.ts';
import { DeviceModel } from '../perf/device.ts';
import { Network } from '../parallel/network.ts';
import { latentShape } from '../workload/models.ts';
import { powerTable } from '../perf/power.ts';
import { runCost, type RunCost } from '../economics/run-cost.ts';
import { readStageProfile, measuredServiceTime, profileShapes, type StageProfile } from '../calibration/stage-profile.ts';
import { resolveOverheads, overheadSeconds, type ServingOverheads } from '../calibration/overheads.ts';
import { ServiceSpeed } from '../calibration/service-speed.ts';
import type { ReplicaState, TimelineEvent, TimelineBatch, TimelinePhase, TimelineLoad, TimelineHandoff, TimelineFailure, TimelineReplicaState, TimelineNodeState } from './timeline.ts';
export type { ReplicaState, TimelineEvent, TimelineBatch, TimelinePhase, TimelineLoad, TimelineHandoff, TimelineFailure, TimelineReplicaState, TimelineNodeState } from './timeline.ts';

const STAGES = ['encode', 'denoise', 'decode'];

export interface RequestRecord {
  id: number;
  cls: string;
  replica: number;
  arrival: number;
  start: number;
  finish: number;
  outcome: 'completed' | 'dropped' | 'failed';
  retries: number;
  reason?: string;
}

interface Request {
  id: number;
  cls: ClassState;
  arrival: number;
  deadline: number;
  start: number;
  replica: Replica | undefined;
  timeout: EventHandle | undefined;
  retries: number;
  /** Next stage to run: 0 text encode, 1 denoise, 2 VAE decode (pools may run a consecutive span). */
  stage: number;
}

interface ClassState {
  name: string;
  spec: RequestClass;
  modelId: string;
  shape: RequestShape;
  slo: number | undefined;
  latency: QuantileSketch;
  wait: QuantileSketch;
  completed: number;
  withinSlo: number;
  arrived: number;
  dropped: number;
  failed: number;
  videoSeconds: number;
}

interface PoolState {
  name: string;
  spec: Pool;
  modelId: string;
  node: NodeSpec;
  gpu: string;
  /** GPUs per replica. */
  gpus: number;
  plan: ParallelPlan;
  inference: InferenceOptions;
  replicas: Replica[];
  /** Requests that arrived while no replica of the pool was awake. */
  pending: FifoQueue<Request>;
  autoscale: Autoscale | undefined;
  lastScaleAt: number;
  loadSeconds: QuantileSketch;
  /** Routing score of each replica (Infinity when not awake), for least-outstanding and join-shortest-queue. */
  scores: MinTree;
  /** The span of stages this pool runs (0 encode, 1 denoise, 2 decode). */
  first: number;
  last: number;
}

interface NodeState {
  id: number;
  spec: NodeSpec;
  state: 'on' | 'booting' | 'off' | 'failed';
  freeGpus: number;
  replicas: Replica[];
  pageCache: Set<string>;
  storagePipe: Pipe;
  /** Power-meter channels: the node's non-GPU parts, and its GPUs no replica uses. */
  power: number;
  freePower: number;
  /** Non-GPU power (W): the catalog's figures or the scenario's power.node_overhead_w. */
  overhead: { idle: number; busy: number };
  /** Deep-idle power of one of its GPUs (W). */
  deepIdleW: number;
  /** Timeline recording: the open power-state interval. */
  tlState?: TimelineNodeState;
}


interface StageServer {
  batch: Request[] | undefined;
  busySince: number;
  busyTime: number;
  gpus: number;
  phaseEvent: EventHandle | undefined;
  /** Power-meter channel of this stage's GPUs. */
  power: number;
  /** The batch's phases ([seconds, per-GPU watts]), the current index and what to do after the last. */
  phaseList: [number, number][];
  phaseIndex: number;
  onPhaseEnd: () => void;
  /** Timeline recording (SimulationOptions.timeline): the running batch, its current phase, the phase labels. */
  tlBatch?: TimelineBatch;
  tlPhase?: TimelinePhase;
  tlLabels?: PhaseLabel[];
}

interface Replica {
  id: number;
  /** Index in its pool (slot in the pool's routing tree). */
  slot: number;
  pool: PoolState;
  nodes: NodeState[];
  state: ReplicaState;
  queue: PriorityQueue<Request>;
  handoff: FifoQueue<Request[]>;
  stages: StageServer[];
  served: number;
  /** Pending load/boot completion (cancelled on failure). */
  wakeEvent: EventHandle | undefined;
  loadFlow: ReturnType<FlowNetwork['start']> | undefined;
  batchTimer: EventHandle | undefined;
  failedUnits: number;
  /** Σ service time of the queued requests (slo-aware routing). */
  queuedWork: number;
  /** When the replica last became idle (nothing running or waiting); the scale-down delay counts from it. */
  idleSince: number;
  /** Serve again after the repair (it was awake when it failed). */
  resumeAfterRepair: boolean;
  /** Since when the replica has been down for a failure (failed, then reloading); NaN when up. */
  downSince: number;
  downTime: number;
  /** Timeline recording: the open state interval and the cold start in progress. */
  tlState?: TimelineReplicaState;
  tlLoad?: TimelineLoad;
}

/** A label of one phase of a stage's phase list (timeline only); denoise phases say which steps they cover (1-based). */
interface PhaseLabel {
  label: string;
  step?: number;
  steps?: number;
}

export interface TimePoint {
  t: number;
  busy_replicas: number;
  active_replicas: number;
  queued: number;
  in_flight: number;
  gpu_utilization: number;
  nodes_on: number;
  power_kw: number;
}

export interface Stats {
  mean: number;
  p50: number;
  p90: number;
  p95: number;
  p99: number;
  max: number;
}

export interface SimulationResult {
  scenario: string;
  seed: number;
  requests: { arrived: number; completed: number; dropped: number; failed: number; in_flight: number; retried: number };
  latency_s: Stats;
  queue_wait_s: { mean: number; p50: number; p95: number; p99: number };
  slo_attainment: number | null;
  throughput_per_h: number;
  /** Seconds of video generated (completed requests × clip length). */
  video_seconds: number;
  gpu_utilization: number;
  gpus: number;
  /** GPU-hours over the run: provisioned (every GPU of the deployment), awake (replicas not asleep), busy (serving). */
  gpu_hours: { provisioned: number; awake: number; busy: number };
  sim_time_s: number;
  wall_time_s: number;
  events: number;
  energy: {
    /** IT energy (GPUs + node non-GPU power), kWh. */
    total_kwh: number;
    facility_kwh: number;
    pue: number;
    per_video_wh: number;
    per_video_second_wh: number;
    avg_power_kw: number;
    peak_power_kw: number;
    by_component_kwh: Record<string, number>;
    /** Power per node: the mean of the nodes' average power, the highest node peak, and every node. */
    nodes: { mean_avg_kw: number; max_peak_kw: number; per_node: { node: number; type: string; avg_kw: number; peak_kw: number }[] };
  };
  cold_starts: { count: number; mean_s: number; p95_s: number; storage: string };
  autoscaling: { scale_ups: number; scale_downs: number; node_boots: number; node_shutdowns: number };
  /** availability: share of replica-time not down for a failure (down = failed, then reloading after repair);
   * lost_gpu_hours: GPU time spent on requests that a failure interrupted (work thrown away). */
  failures: { gpu: number; node: number; link: number; requests_retried: number; requests_failed: number; availability: number; lost_gpu_hours: number };
  /** Stage disaggregation: requests handed from one pool to the next (text embeddings or latents over the fabric). */
  handoffs: { count: number; gb: number; mean_ms: number };
  classes: { name: string; model: string; arrived: number; completed: number; dropped: number; failed: number; service_s: number; latency_s: Stats; queue_wait_s: { mean: number; p95: number }; slo_s: number | null; slo_attainment: number | null }[];
  /** engine: the serving engine modelled; approximate: its accelerations change the video (quality.ts changesOutput);
   * quality_psnr_db: the lowest published PSNR vs the full model among its classes' settings (null: none published). */
  pools: { name: string; model: string; gpu: string; node: string; parallel: string; replicas: number; gpus_per_replica: number; utilization: number; served: number; gpu_hours_awake: number; engine: string; approximate: boolean; quality_psnr_db: number | null }[];
  /** Money (economics/run-cost.ts): null when a price is missing (see warnings). */
  cost: RunCost | null;
  /** total_s: the pool's part of the request (all stages unless the pool is disaggregated). */
  service_times: { pool: string; class: string; stages: string[]; encode_s: number; denoise_s: number; decode_s: number; total_s: number; peak_memory_gb: number }[];
  warnings: string[];
  timeseries: TimePoint[];
  power_steps?: PowerStep[];
  records?: RequestRecord[];
  /** The cost-model estimates behind service_times (for reports; not part of the JSON summary). */
  estimates?: { pool: string; class: string; estimate: Estimate }[];
  /** With SimulationOptions.timeline: what ran when (for the Chrome trace; not part of the JSON summary). */
  timeline?: TimelineEvent[];
}

export interface SimulationOptions {
  /** Keep a record per request (for CSV output). */
  records?: boolean;
  /** Keep every power step (for exact energy checks and power charts). */
  powerSteps?: boolean;
  /** Record the timeline: every phase, batch, cold start, hand-over, failure and state change (for the Chrome trace). */
  timeline?: boolean;
  /** Directory of the scenario file, to resolve relative paths (trace files). */
  baseDir?: string;
  /** Time-series sampling interval (s); default duration/500. */
  sampleInterval?: number;
  /** Called after every time-series sample (benchmarks use it to watch memory). */
  onSample?: (point: TimePoint) => void;
  /** Test mode: check the routing tree against a full scan at every arrival (slow). */
  checkRouting?: boolean;
  /** Multiply every arrival rate (capacity search). */
  rateScale?: number;
  /** Where a field came from, for errors raised while building the cluster. */
  locate?: (path: (string | number)[]) => Pick<InputIssue, 'source' | 'line' | 'col'>;
}

function statsOf(s: QuantileSketch): Stats {
  const r = (x: number) => (Number.isFinite(x) ? x : 0);
  return { mean: r(s.mean), p50: r(s.quantile(0.5)), p90: r(s.quantile(0.9)), p95: r(s.quantile(0.95)), p99: r(s.quantile(0.99)), max: r(s.max) };
}

export function classLabel(c: RequestClass, shape: RequestShape): string {
  return c.name ?? `${shape.width}x${shape.height}x${shape.frames}f/${shape.steps}st`;
}

const fin = (x: number) => (Number.isFinite(x) ? x : 0);

export function simulate(s: Scenario, opts: SimulationOptions = {}): SimulationResult {
  const wallStart = process.hrtime.bigint();
  const sim = new Simulator();
  const rng = new RandomStreams(s.seed);
  const mixRng = rng.stream('mix');
  const routeRng = rng.stream('routing');
  const failRng = rng.stream('failures');
  const table = ServiceTimeTable.shared;
  const warnings: string[] = [];
  const locate = opts.locate ?? (() => ({ source: 'scenario' }));
  const issues: InputIssue[] = [];
  const meter = new PowerMeter(() => sim.now, opts.powerSteps ?? false);
  /** GPUs held by replicas that are not asleep (the same exact integrator, counting GPUs instead of watts). */
  const awakeGpus = new PowerMeter(() => sim.now, false);
  const flows = new FlowNetwork(sim);
  const pue = s.power.pue ?? POWER_DEFAULTS.pue.default;
  const hostRates = measuredHostRates();
  const procStart = measuredProcessStart();
  const GB = 1e9;
  /** The timeline (opts.timeline); every recording site checks it, so it costs nothing when off. */
  const tl: TimelineEvent[] | undefined = opts.timeline ? [] : undefined;

  // ---- nodes ----
  const nodes: NodeState[] = [];
  const tiers = new Map<string, StorageTier>();
  const aggregatePipes = new Map<string, Pipe>();
  for (const n of s.cluster.nodes) {
    const spec = getNode(canonicalId('node', n.type));
    let tier: StorageTier;
    try {
      tier = storageTier(s.cluster.storage, spec);
    } catch (e) {
      issues.push({ ...locate(['cluster', 'storage']), path: 'cluster.storage', message: (e as Error).message });
      continue;
    }
    tiers.set(spec.id, tier);
    const coldStartsPossible = poolsOf(s).some((p) => !p.warm) || s.autoscale !== undefined || s.failures !== undefined;
    if (tier.assumed && coldStartsPossible && !warnings.includes(`storage: ${tier.note}`)) warnings.push(`storage: ${tier.note}`);
    if (!aggregatePipes.has(tier.id) && tier.aggregateBps < Infinity) aggregatePipes.set(tier.id, new Pipe(`${tier.id} (shared)`, tier.aggregateBps));
    for (let i = 0; i < n.count; i++) {
      const id = nodes.length;
      nodes.push({
        id, spec, state: 'on', freeGpus: spec.gpusPerNode, replicas: [], pageCache: new Set(), storagePipe: new Pipe(`node${id} ${tier.id}`, tier.perNodeBps),
        power: meter.channel(`node:${id}`, 'node_non_gpu', [[id, 1]]), freePower: meter.channel(`gpu:node${id}:free`, 'gpus', [[id, 1]]),
        overhead: nodeOverhead(s, spec), deepIdleW: deepIdleOf(spec.gpu),
      });
    }
  }
  if (issues.length) throw new InputError(issues);

  // ---- pools and replicas (first-fit placement on their node type) ----
  const pools: PoolState[] = [];
  const replicas: Replica[] = [];
  const autoscales = s.autoscale === undefined ? [] : Array.isArray(s.autoscale) ? s.autoscale : [s.autoscale];
  poolsOf(s).forEach((p, i) => {
    const path = Array.isArray(s.deployment) ? ['deployment', i] : ['deployment'];
    const nodeId = canonicalId('node', p.node ?? s.cluster.nodes[0]!.type);
    const node = getNode(nodeId);
    const plan = parsePlan(p.parallel, locate([...path, 'parallel']).source);
    const name = p.name ?? `pool${i}`;
    const pool: PoolState = {
      name, spec: p, modelId: getModel(p.model ?? s.model).id, node, gpu: node.gpu,
      gpus: planGpus({ ...plan, dp: 1 }), plan: { ...plan, dp: 1 },
      inference: { ...toInference(poolInferenceSpec(s.inference, p)), ...(p.stages.length < 3 ? { stages: { encode: p.stages.includes('encode'), denoise: p.stages.includes('denoise'), decode: p.stages.includes('decode') } } : {}) },
      replicas: [], pending: new FifoQueue<Request>(),
      autoscale: autoscales.find((a) => a.pool === undefined || a.pool === name),
      lastScaleAt: -Infinity, loadSeconds: new QuantileSketch(), scores: new MinTree(0),
      first: STAGES.indexOf(p.stages[0]!), last: STAGES.indexOf(p.stages[p.stages.length - 1]!),
    };
    const split = plan.experts === 'split';
    for (let r = 0; r < p.replicas * plan.dp; r++) {
      const placed = place(nodes, nodeId, pool.gpus);
      if (!placed) {
        issues.push({ ...locate([...path, 'replicas']), path: [...path, 'replicas'].join('.'), message: `cannot place replica ${r + 1} of pool "${name}" (${pool.gpus} GPUs on ${nodeId}): not enough free GPUs` });
        break;
      }
      const rep: Replica = {
        id: replicas.length, slot: pool.replicas.length, pool, nodes: placed, state: 'active', queue: new PriorityQueue<Request>(), handoff: new FifoQueue<Request[]>(),
        stages: (split ? [0, 1] : [0]).map(() => ({ batch: undefined, busySince: 0, busyTime: 0, gpus: groupGpus(plan), phaseEvent: undefined, power: -1, phaseList: [], phaseIndex: 0, onPhaseEnd: () => {} })),
        served: 0, wakeEvent: undefined, loadFlow: undefined, batchTimer: undefined, failedUnits: 0, queuedWork: 0, idleSince: 0, resumeAfterRepair: false, downSince: NaN, downTime: 0,
      };
      for (const n of placed) n.replicas.push(rep);
      pool.replicas.push(rep);
      replicas.push(rep);
    }
    pool.scores = new MinTree(pool.replicas.length);
    pools.push(pool);
  });
  if (issues.length) throw new InputError(issues);
  // measured stage times (deployment.stage_times) and serving overheads (serving_overheads), when given
  const stageProfiles = new Map<PoolState, StageProfile>();
  poolsOf(s).forEach((p, i) => {
    const path = Array.isArray(s.deployment) ? ['deployment', i, 'stage_times'] : ['deployment', 'stage_times'];
    if (p.stage_times) stageProfiles.set(pools[i]!, readStageProfile(resolvePath(opts.baseDir, p.stage_times), locate(path), path.join('.')));
  });
  const overheads: ServingOverheads | undefined = s.serving_overheads === undefined ? undefined : resolveOverheads(s.serving_overheads, opts.baseDir, locate(['serving_overheads']));

  // ---- request classes and their service times on each pool ----
  const classes: ClassState[] = s.workload.mix.map((c) => {
    const model = getModel(c.model ?? s.model);
    const req = resolveRequest(model, { width: c.resolution?.width, height: c.resolution?.height, frames: c.frames, steps: c.steps, cfg: c.cfg });
    const shape: RequestShape = { width: req.width, height: req.height, frames: req.frames, steps: req.steps, cfg: req.cfg };
    for (const w of req.warnings) warnings.push(`${classLabel(c, shape)}: ${w}`);
    return newClass(classLabel(c, shape), c, model.id, shape, c.slo_s, req.frames / model.defaults.fps);
  });
  const fabric = s.cluster.fabric ? { link: s.cluster.fabric.link, oversubscription: s.cluster.fabric.oversubscription } : undefined;
  // per-pool memo in front of the shared table (whose key is a JSON string): O(1) on the hot path
  const memo = new Map<PoolState, Map<ClassState, ServiceTime[]>>();
  const serviceOf = (pool: PoolState, cls: ClassState, batch = 1): ServiceTime => {
    let byClass = memo.get(pool);
    if (!byClass) memo.set(pool, (byClass = new Map()));
    let byBatch = byClass.get(cls);
    if (!byBatch) byClass.set(cls, (byBatch = []));
    return (byBatch[batch] ??= measured(pool, cls, table.lookup(pool.modelId, pool.node.id, pool.plan, cls.shape, { ...pool.inference, batch }, fabric), batch));
  };
  /** A pool with measured stage times takes them instead of the cost model's (batch 1 only). */
  const measured = (pool: PoolState, cls: ClassState, st: ServiceTime, batch: number): ServiceTime => {
    const prof = stageProfiles.get(pool);
    if (!prof) return st;
    const m = batch === 1 ? measuredServiceTime(prof, st, cls.shape) : undefined;
    if (!m) throw new InputError([{ source: prof.file, path: '', message: batch === 1 ? `no stage times for ${cls.name} (${cls.shape.width}x${cls.shape.height}x${cls.shape.frames}f${cls.shape.cfg ? '' : ', no CFG'}) of pool "${pool.name}"` : 'stage times are measured at batch 1; batching needs the cost model', hint: batch === 1 ? `the profile has ${profileShapes(prof)}` : undefined }]);
    return m;
  };
  /** Seconds of a request's work on this pool: the stages it runs. */
  const partTime = (pool: PoolState, cls: ClassState, batch = 1): number => {
    const st = serviceOf(pool, cls, batch);
    const extra = overheads ? overheadSeconds(overheads, pool.last - pool.first + 1) : 0;
    if (pool.first === 0 && pool.last === 2) return st.total_s + extra;
    return extra + (pool.first <= 0 && pool.last >= 0 ? st.encode_s : 0) + (pool.first <= 1 && pool.last >= 1 ? st.denoise_s : 0) + (pool.first <= 2 && pool.last >= 2 ? st.decode_s : 0);
  };
  const serviceTimes: SimulationResult['service_times'] = [];
  // stage hand-overs (disaggregated pools): umT5 output of both CFG prompts (bf16), and the fp32 latents
  const contextBytes = (cls: ClassState) => { const d = getModel(cls.modelId).dit; return d.textLen * d.textDim * 2 * (cls.shape.cfg ? 2 : 1); };
  const latentBytesOf = (cls: ClassState) => {
    const l = latentShape(getModel(cls.modelId), cls.shape.width, cls.shape.height, cls.shape.frames);
    return l.channels * l.t * l.h * l.w * 4;
  };
  const networks = new Map<string, Network>();
  const networkFor = (nodeId: string) => {
    let n = networks.get(nodeId);
    if (!n) networks.set(nodeId, (n = new Network(nodeId, fabric ?? {})));
    return n;
  };
  const handoffs = { count: 0, bytes: 0, seconds: 0 };
  const estimates: NonNullable<SimulationResult['estimates']> = [];
  classes.forEach((cls) => {
    for (const [pi, pool] of pools.entries()) {
      if (pool.modelId !== cls.modelId) continue;
      const path = Array.isArray(s.deployment) ? ['deployment', pi] : ['deployment'];
      let st: ServiceTime;
      try {
        st = serviceOf(pool, cls);
      } catch (e) {
        if (!(e instanceof InputError)) throw e;
        const field = stageProfiles.has(pool) ? 'stage_times' : 'parallel';
        for (const i of e.issues) issues.push({ ...locate([...path, field]), path: [...path, field].join('.'), message: `class "${cls.name}": ${i.message}`, hint: i.hint });
        continue;
      }
      if (!st.fits) issues.push({ ...locate(path), path: path.join('.'), message: `class "${cls.name}" does not fit on ${pool.gpu}: ${st.estimate.memory.verdict}`, hint: st.estimate.memory.suggestions[0] });
      serviceTimes.push({ pool: pool.name, class: cls.name, stages: STAGES.slice(pool.first, pool.last + 1), encode_s: st.encode_s, denoise_s: st.denoise_s, decode_s: st.decode_s, total_s: partTime(pool, cls), peak_memory_gb: st.peak_memory_gb });
      estimates.push({ pool: pool.name, class: cls.name, estimate: st.estimate });
      for (const w of st.estimate.warnings) if (!warnings.includes(w)) warnings.push(w);
    }
  });
  if (issues.length) throw new InputError(issues);
  const weights = classes.map((c) => c.spec.weight);
  const totalWeight = weights.reduce((a, b) => a + b, 0);

  // ---- power: per-GPU levels of each pool from its cost-model estimate ----
  const powerOf = (pool: PoolState) => estimates.find((e) => e.pool === pool.name)?.estimate.power ?? fallbackPower(pool.gpu);
  for (const r of replicas) r.stages.forEach((st, k) => (st.power = meter.channel(`gpu:r${r.id}:s${k}`, 'gpus', r.nodes.map((n) => [n.id, 1 / r.nodes.length] as const))));
  const setStagePower = (r: Replica, k: number, watts: number) => meter.setLevel(r.stages[k]!.power, watts);
  /** Every replica state change passes here: GPU-hours awake and the routing score follow it. */
  const markAwake = (r: Replica) => {
    awakeGpus.set(`r${r.id}`, r.state === 'asleep' ? 0 : r.pool.gpus, r.pool.name);
    if (tl) tlReplicaState(r);
    touch(r);
  };
  const idlePower = (r: Replica) => {
    markAwake(r);
    const pw = powerOf(r.pool).per_gpu_w;
    const level = r.state === 'active' || r.state === 'loading' ? pw.idle : r.nodes.some((n) => n.state === 'off' || n.state === 'failed') ? 0 : pw.deep_idle;
    r.stages.forEach((st, k) => setStagePower(r, k, level * st.gpus));
  };
  /** Node non-GPU power follows the share of its GPUs that are busy (linear between the idle and busy figures). */
  const updateNodePower = (n: NodeState) => {
    if (tl) tlNodeState(n);
    const np = n.overhead;
    let watts = 0;
    if (n.state === 'on' || n.state === 'booting') {
      let busy = 0;
      for (const r of n.replicas) for (const st of r.stages) if (st.batch) busy += st.gpus / r.nodes.length;
      const frac = Math.min(1, busy / n.spec.gpusPerNode);
      watts = np.idle + (np.busy - np.idle) * (n.state === 'on' ? frac : 0);
      // GPUs no replica uses sit at deep idle while the node is on
      meter.setLevel(n.freePower, n.freeGpus * n.deepIdleW);
    } else meter.setLevel(n.freePower, 0);
    meter.setLevel(n.power, watts);
  };

  // ---- counters ----
  let arrived = 0, completed = 0, dropped = 0, failedReqs = 0, retried = 0, nextId = 0;
  let scaleUps = 0, scaleDowns = 0, nodeBoots = 0, nodeShutdowns = 0, coldStarts = 0;
  const failuresBy = { gpu: 0, node: 0, link: 0 };
  let lostGpuSeconds = 0;
  const coldStartTimes = new QuantileSketch();
  const overallLatency = new QuantileSketch();
  const overallWait = new QuantileSketch();
  let withinSlo = 0, withSlo = 0, videoSeconds = 0;
  const records: RequestRecord[] | undefined = opts.records ? [] : undefined;
  const record = (req: Request, outcome: RequestRecord['outcome'], reason?: string) =>
    records?.push({ id: req.id, cls: req.cls.name, replica: req.replica?.id ?? -1, arrival: req.arrival, start: req.start, finish: sim.now, outcome, retries: req.retries, reason });

  // ---- timeline recording (only called when opts.timeline: `tl` is defined) ----
  const tlBatchStart = (rep: Replica, k: number, list: [number, number][], st: ServiceTime) => {
    const stage = rep.stages[k]!;
    const batch = stage.batch!;
    stage.tlLabels = phaseLabels.get(list);
    stage.tlPhase = undefined;
    stage.tlBatch = {
      type: 'batch', replica: rep.id, stage: k, gpus: stage.gpus, class: batch[0]!.cls.name, requests: batch.map((q) => q.id), attempts: batch.map((q) => q.retries),
      start: sim.now, end: NaN, outcome: 'running', estimate: st.estimate,
    };
    tl!.push(stage.tlBatch);
  };
  const tlPhaseStart = (rep: Replica, k: number, dur: number, watts: number) => {
    const stage = rep.stages[k]!;
    const l = stage.tlLabels?.[stage.phaseIndex - 1];
    stage.tlPhase = {
      type: 'phase', replica: rep.id, stage: k, label: l?.label ?? `phase ${stage.phaseIndex}`, ...(l?.step !== undefined ? { step: l.step, steps: l.steps } : {}),
      start: sim.now, end: sim.now + dur, watts, requests: stage.tlBatch?.requests ?? [],
    };
    tl!.push(stage.tlPhase);
  };
  const tlBatchEnd = (stage: StageServer, outcome: TimelineBatch['outcome']) => {
    if (stage.tlBatch) {
      stage.tlBatch.end = sim.now;
      stage.tlBatch.outcome = outcome;
    }
    if (outcome === 'interrupted' && stage.tlPhase && stage.tlPhase.end > sim.now) {
      stage.tlPhase.end = sim.now;
      stage.tlPhase.interrupted = true;
    }
    stage.tlBatch = undefined;
    stage.tlPhase = undefined;
  };
  /** Replica and node states: intervals from one change to the next (same-instant changes fold into one). */
  const tlReplicaState = (r: Replica) => {
    const open = r.tlState;
    if (open?.state === r.state) return;
    if (open && open.start === sim.now) {
      open.state = r.state;
      return;
    }
    if (open) open.end = sim.now;
    tl!.push((r.tlState = { type: 'replica', replica: r.id, state: r.state, start: sim.now, end: NaN }));
  };
  const tlNodeState = (n: NodeState) => {
    const open = n.tlState;
    if (open?.state === n.state) return;
    if (open && open.start === sim.now) {
      open.state = n.state;
      return;
    }
    if (open) open.end = sim.now;
    tl!.push((n.tlState = { type: 'node', node: n.id, state: n.state, start: sim.now, end: NaN }));
  };
  const tlFailure = (what: TimelineFailure['what'], n: NodeState, gpu: number | undefined, hit: Replica[], repairS: number) => {
    tl?.push({ type: 'failure', what, node: n.id, ...(gpu !== undefined ? { gpu } : {}), replicas: hit.map((r) => r.id), start: sim.now, repair_s: repairS, end: sim.now + repairS });
  };
  /** Closes what is still open when the run ends (and cuts intervals that reach past it). */
  const tlClose = (end: number) => {
    for (const ev of tl!) {
      if (!(ev.end <= end)) ev.end = end;
      if (ev.type === 'load') for (const p of ev.parts) if (!(p.end <= end)) p.end = end;
    }
  };

  // ---- routing and queues ----
  let rrPointer = 0;
  const serving = (r: Replica) => r.state === 'active' || r.state === 'loading' || r.state === 'waking';
  const inService = (r: Replica) => {
    let n = r.handoff.size;
    for (const st of r.stages) if (st.batch) n += st.batch.length;
    return n;
  };
  const outstanding = (r: Replica) => r.queue.size + inService(r);
  /** slo-aware: when this request would finish here (queued work is kept as a running sum per replica). */
  const predictedFinish = (r: Replica, cls: ClassState) => {
    let work = r.queuedWork;
    for (const st of r.stages) if (st.batch) work += Math.max(0, partTime(r.pool, st.batch[0]!.cls) - (sim.now - st.busySince));
    return work + partTime(r.pool, cls) + (r.state === 'active' ? 0 : 60);
  };
  const enqueue = (r: Replica, req: Request) => {
    r.queue.push(req, queueKey(req));
    r.queuedWork += partTime(r.pool, req.cls);
    touch(r);
  };
  const unqueue = (r: Replica, req: Request): boolean => {
    if (r.queue.remove((x) => x === req) === undefined) return false;
    r.queuedWork = r.queue.size === 0 ? 0 : r.queuedWork - partTime(r.pool, req.cls);
    touch(r);
    return true;
  };
  /** Picks an awake replica of the pools without allocating (the hot path of every arrival). */
  const pickReplica = (ps: PoolState[], cls: ClassState): Replica | undefined => {
    const policy = s.scheduling.routing;
    if (policy === 'random' || policy === 'power-of-two' || policy === 'round-robin') {
      const candidates: Replica[] = [];
      for (const p of ps) for (const r of p.replicas) if (serving(r)) candidates.push(r);
      return candidates.length > 0 ? route(candidates, cls) : undefined;
    }
    if (policy === 'slo-aware') {
      let best: Replica | undefined;
      let bestValue = Infinity;
      for (const p of ps) {
        for (const r of p.replicas) {
          if (!serving(r)) continue;
          const v = predictedFinish(r, cls);
          if (best === undefined || v < bestValue) {
            best = r;
            bestValue = v;
          }
        }
      }
      return best;
    }
    // least-outstanding / join-shortest-queue: each pool keeps its replicas' scores in a MinTree
    let best: Replica | undefined;
    let bestValue = Infinity;
    for (const p of ps) {
      const i = p.scores.argmin;
      if (i >= 0 && p.scores.min < bestValue) {
        best = p.replicas[i];
        bestValue = p.scores.min;
      }
    }
    if (opts.checkRouting) {
      // test mode: the tree must agree with a plain first-minimum scan
      let scan: Replica | undefined;
      let scanValue = Infinity;
      for (const p of ps) for (const r of p.replicas) if (serving(r) && routingScore(r) < scanValue) {
        scan = r;
        scanValue = routingScore(r);
      }
      if (scan !== best) throw new Error(`routing tree out of date at t=${sim.now}: tree picked ${best?.id}, scan ${scan?.id}`);
    }
    return best;
  };
  const routingScore = (r: Replica): number =>
    !serving(r) ? Infinity : s.scheduling.routing === 'join-shortest-queue' ? r.queue.size + (r.stages[0]!.batch ? 0.5 : 0) : outstanding(r);
  /** Call after anything that changes a replica's queue, stages or state. */
  const touch = (r: Replica) => {
    r.pool.scores.set(r.slot, routingScore(r));
    const idle = r.queue.size === 0 && r.handoff.size === 0 && r.stages.every((st) => !st.batch);
    if (!idle) r.idleSince = NaN;
    else if (Number.isNaN(r.idleSince)) r.idleSince = sim.now;
  };
  /** The policies that draw among all awake replicas (the others score replicas in pickReplica). */
  const route = (candidates: Replica[], _cls: ClassState): Replica => {
    switch (s.scheduling.routing) {
      case 'round-robin':
        return candidates[rrPointer++ % candidates.length]!;
      case 'power-of-two': {
        const a = candidates[Math.floor(routeRng.uniform() * candidates.length)]!;
        const b = candidates[Math.floor(routeRng.uniform() * candidates.length)]!;
        return outstanding(b) < outstanding(a) ? b : a;
      }
      default:
        return candidates[Math.floor(routeRng.uniform() * candidates.length)]!;
    }
  };
  const queueKey = (req: Request): number => {
    switch (s.scheduling.queue) {
      case 'fcfs':
        return req.arrival;
      case 'priority':
        return req.cls.spec.priority * 1e12 + req.arrival;
      case 'sjf':
        return req.replica ? partTime(req.replica.pool, req.cls) : 0;
      case 'edf':
        return req.deadline;
    }
  };
  const poolsFor = new Map<string, PoolState[][]>();
  /** Pools that can take a request of this model at this stage (their span starts there). */
  const poolsServing = (modelId: string, stage: number) => {
    let byStage = poolsFor.get(modelId);
    if (!byStage) poolsFor.set(modelId, (byStage = [0, 1, 2].map((st) => pools.filter((p) => p.modelId === modelId && p.first === st))));
    return byStage[stage]!;
  };

  /** Routes a request (new or retried); with no awake replica it waits at the pool and wakes one. */
  const dispatch = (req: Request) => {
    const ps = poolsServing(req.cls.modelId, req.stage);
    if (ps.length === 0) return drop(req, 'no pool serves this model');
    const rep = pickReplica(ps, req.cls);
    if (rep === undefined) {
      const pool = ps[0]!;
      pool.pending.push(req);
      armTimeout(req, () => pool.pending.remove((x) => x === req) !== undefined);
      if (pool.autoscale) scaleUp(pool, 'no awake replica');
      return;
    }
    req.replica = rep;
    if (s.scheduling.max_queue !== undefined && rep.queue.size >= s.scheduling.max_queue) return drop(req, 'queue full');
    enqueue(rep, req);
    armTimeout(req, () => unqueue(rep, req));
    startNext(rep);
  };
  const armTimeout = (req: Request, removeFromQueue: () => boolean) => {
    if (s.scheduling.timeout_s === undefined) return;
    const left = req.arrival + s.scheduling.timeout_s - sim.now;
    if (req.timeout !== undefined) sim.cancel(req.timeout);
    req.timeout = sim.schedule(Math.max(0, left), () => {
      req.timeout = undefined;
      if (removeFromQueue()) drop(req, 'timed out in queue');
    });
  };
  const drop = (req: Request, reason: string) => {
    dropped++;
    req.cls.dropped++;
    record(req, 'dropped', reason);
  };

  // ---- replica service ----
  /**
   * Phases of each stage: [duration, per-GPU watts]. Denoising runs step by step (one event per step) unless
   * scheduling.granularity is 'stage'; the expert swap of the offload path sits at the expert boundary;
   * weight transfers draw transfer power.
   */
  const stepByStep = s.scheduling.granularity === 'step';
  /** The phase list of a stage; with `labels`, what each phase is (the timeline's names), in parallel. */
  const phases = (rep: Replica, st: ServiceTime, stage: number, labels?: PhaseLabel[]): [number, number][] => {
    const pw = st.estimate.power.per_gpu_w;
    const g = rep.pool.gpus / rep.stages.length;
    const vaeW = (pw.vae_decode + (g - 1) * pw.vae_idle_ranks) / g;
    const x = st.transfer_s;
    const perStep = (st.denoise_s - x.denoise) / st.steps;
    const high = st.highSteps;
    const low = st.steps - high;
    const out: [number, number][] = [];
    const add = (seconds: number, w: number, label: string, step?: number, n?: number) => {
      out.push([seconds, w]);
      labels?.push(step === undefined ? { label } : { label, step, steps: n });
    };
    const encode = () => {
      add(x.encode, pw.transfer, 'umT5 to GPU and back');
      add(st.encode_s - x.encode, pw.text_encode, 'text encode');
    };
    const decode = () => {
      add(x.decode, pw.transfer, 'DiT off the GPU');
      add(st.decode_s - x.decode, vaeW, 'VAE decode');
    };
    /** Denoising steps first..first+n−1 (1-based): one phase each, or one for all of them (granularity: stage). */
    const steps = (first: number, n: number) => {
      if (stepByStep) for (let i = 0; i < n; i++) add(perStep, pw.denoise, `denoise step ${first + i}/${st.steps}`, first + i, 1);
      else add(n * perStep, pw.denoise, 'denoise', first, n);
    };
    // serving overheads (serving_overheads), which hold the replica at idle power
    const o = overheads;
    const handoff = () => o && add(o.handoff_s, pw.idle, 'stage hand-off');
    if (rep.stages.length === 1) {
      // a disaggregated pool runs only its span of the request
      const p = rep.pool;
      const runs = (k: number) => p.first <= k && p.last >= k;
      if (o) add(o.dispatch_s, pw.idle, 'dispatch');
      if (runs(0)) encode();
      if (runs(0) && runs(1)) handoff();
      if (runs(1)) {
        steps(1, high);
        add(x.denoise, pw.transfer, getModel(p.modelId).experts === 2 && high > 0 && low > 0 ? 'expert swap' : 'weights to GPU');
        steps(high + 1, low);
      }
      if (runs(1) && runs(2)) handoff();
      if (runs(2)) decode();
      if (o) add(o.request_s, pw.idle, 'request overhead');
      return out;
    }
    // split experts: each group keeps its expert resident (no swaps); the high-noise group encodes
    if (stage === 0) {
      if (o) add(o.dispatch_s, pw.idle, 'dispatch');
      encode();
      handoff();
      steps(1, high);
    } else {
      steps(high + 1, low);
      handoff();
      decode();
      if (o) add(o.request_s, pw.idle, 'request overhead');
    }
    return out;
  };
  /** serving_overheads.service_cv / service_correlation_s: a batch's phases scaled by the replica's speed factor (service-speed.ts). */
  const speed = new ServiceSpeed(overheads?.service_cv ?? 0, overheads?.service_correlation_s ?? 0, rng.stream('service'));
  const varied = (rep: Replica, list: [number, number][]): [number, number][] => {
    if (!speed.active) return list;
    const m = speed.factor(rep.id, sim.now);
    const out = list.map(([d, w]): [number, number] => [d * m, w]);
    if (tl) phaseLabels.set(out, phaseLabels.get(list)!);
    return out;
  };
  /** Phase lists are the same for every replica of a pool: built once per (service time, stage). */
  const phaseCache = new Map<ServiceTime, [number, number][][]>();
  const phaseLabels = new Map<[number, number][], PhaseLabel[]>();
  const buildPhases = (rep: Replica, st: ServiceTime, stage: number): [number, number][] => {
    if (!tl) return phases(rep, st, stage);
    const labels: PhaseLabel[] = [];
    const list = phases(rep, st, stage, labels);
    phaseLabels.set(list, labels);
    return list;
  };
  const phasesOf = (rep: Replica, st: ServiceTime, stage: number): [number, number][] => {
    let lists = phaseCache.get(st);
    if (!lists) phaseCache.set(st, (lists = []));
    return (lists[stage] ??= buildPhases(rep, st, stage));
  };
  /** Runs a stage's phases one event each; the per-stage handler is created once, not per phase. */
  const runPhases = (rep: Replica, k: number, base: [number, number][], st: ServiceTime) => {
    const stage = rep.stages[k]!;
    const list = varied(rep, base);
    stage.phaseList = list;
    stage.phaseIndex = 0;
    if (tl) tlBatchStart(rep, k, list, st);
    advancePhase(rep, k);
  };
  const advancePhase = (rep: Replica, k: number) => {
    const stage = rep.stages[k]!;
    const list = stage.phaseList;
    while (stage.phaseIndex < list.length && list[stage.phaseIndex]![0] <= 0) stage.phaseIndex++;
    if (stage.phaseIndex >= list.length) {
      stage.phaseEvent = undefined;
      return finishStage(rep, k);
    }
    const [dur, w] = list[stage.phaseIndex++]!;
    if (tl) tlPhaseStart(rep, k, dur, w);
    setStagePower(rep, k, w * stage.gpus);
    stage.phaseEvent = sim.schedule(dur, stage.onPhaseEnd);
  };
  for (const r of replicas) r.stages.forEach((st, k) => (st.onPhaseEnd = () => advancePhase(r, k)));
  /** Takes the next batch from the queue: the head plus compatible requests, waiting up to window_s for more. */
  const startNext = (rep: Replica) => {
    const stage = rep.stages[0]!;
    if (stage.batch || rep.state !== 'active' || rep.queue.size === 0) return;
    const maxBatch = rep.pool.spec.batching?.max_batch ?? 1;
    const head = rep.queue.peek()!;
    const compatible = maxBatch > 1 ? rep.queue.values().filter((q) => q.cls === head.cls) : [head];
    const window = rep.pool.spec.batching?.window_s ?? 0;
    if (compatible.length < maxBatch && window > 0 && sim.now - head.arrival < window) {
      if (rep.batchTimer === undefined) rep.batchTimer = sim.schedule(head.arrival + window - sim.now, () => {
        rep.batchTimer = undefined;
        startNext(rep);
      });
      return;
    }
    if (rep.batchTimer !== undefined) {
      sim.cancel(rep.batchTimer);
      rep.batchTimer = undefined;
    }
    const batch = compatible.sort((a, b) => queueKey(a) - queueKey(b)).slice(0, maxBatch);
    for (const req of batch) {
      unqueue(rep, req);
      if (req.timeout !== undefined) sim.cancel(req.timeout);
      req.timeout = undefined;
      if (Number.isNaN(req.start)) req.start = sim.now; // queue wait: until the request's first service
    }
    stage.batch = batch;
    stage.busySince = sim.now;
    touch(rep);
    for (const n of rep.nodes) updateNodePower(n);
    const st = serviceOf(rep.pool, head.cls, batch.length);
    runPhases(rep, 0, phasesOf(rep, st, 0), st);
  };
  const startSecond = (rep: Replica) => {
    const stage = rep.stages[1]!;
    if (stage.batch || rep.state !== 'active') return;
    const batch = rep.handoff.shift();
    if (!batch) return;
    stage.batch = batch;
    stage.busySince = sim.now;
    touch(rep);
    for (const n of rep.nodes) updateNodePower(n);
    const st = serviceOf(rep.pool, batch[0]!.cls, batch.length);
    runPhases(rep, 1, phasesOf(rep, st, 1), st);
  };
  const finishStage = (rep: Replica, k: number) => {
    const stage = rep.stages[k]!;
    const batch = stage.batch!;
    stage.batch = undefined;
    if (tl) tlBatchEnd(stage, 'done');
    stage.busyTime += sim.now - stage.busySince;
    setStagePower(rep, k, powerOf(rep.pool).per_gpu_w.idle * stage.gpus);
    for (const n of rep.nodes) updateNodePower(n);
    if (k === 0 && rep.stages.length === 2) {
      rep.handoff.push(batch);
      startSecond(rep);
    } else {
      for (const req of batch) (rep.pool.last < 2 ? handOver(rep, req) : finish(rep, req));
      if (k === 1) startSecond(rep);
    }
    startNext(rep);
    touch(rep);
  };
  /**
   * Stage disaggregation: the request's text embeddings (after encode) or latents (after denoise) travel to a
   * replica of a pool running the next stage, over NVLink/PCIe inside a node or the NICs between nodes.
   */
  const handOver = (rep: Replica, req: Request) => {
    rep.served++;
    const from = rep.pool.last;
    req.stage = from + 1;
    const bytes = from === 0 ? contextBytes(req.cls) : latentBytesOf(req.cls);
    const next = pickReplica(poolsServing(req.cls.modelId, req.stage), req.cls);
    const sameNode = next !== undefined && next.nodes.some((n) => rep.nodes.includes(n));
    const net = networkFor(rep.pool.node.id);
    const seconds = net.collective('sendrecv', bytes, 2, sameNode ? 1 : net.gpusPerNode).seconds;
    handoffs.count++;
    handoffs.bytes += bytes;
    handoffs.seconds += seconds;
    if (tl) {
      const ev: TimelineHandoff = {
        type: 'handoff', request: req.id, from: rep.id, to_pool: (next?.pool ?? poolsServing(req.cls.modelId, req.stage)[0])?.name ?? '', to: null,
        payload: from === 0 ? 'text embeddings' : 'latents', bytes, same_node: sameNode, start: sim.now, end: sim.now + seconds,
      };
      tl.push(ev);
      sim.schedule(seconds, () => {
        dispatch(req);
        if (req.replica !== undefined && req.replica !== rep) ev.to = req.replica.id;
      });
    } else sim.schedule(seconds, () => dispatch(req));
  };
  const finish = (rep: Replica, req: Request) => {
    rep.served++;
    completed++;
    const latency = sim.now - req.arrival;
    const wait = req.start - req.arrival;
    req.cls.completed++;
    req.cls.latency.add(latency);
    req.cls.wait.add(wait);
    overallLatency.add(latency);
    overallWait.add(wait);
    videoSeconds += req.cls.videoSeconds;
    if (req.cls.slo !== undefined) {
      withSlo++;
      if (latency <= req.cls.slo) {
        withinSlo++;
        req.cls.withinSlo++;
      }
    }
    record(req, 'completed');
  };

  // ---- loading, sleeping and waking ----
  const endDowntime = (rep: Replica) => {
    if (Number.isNaN(rep.downSince)) return;
    rep.downTime += sim.now - rep.downSince;
    rep.downSince = NaN;
  };
  const activate = (rep: Replica) => {
    rep.state = 'active';
    endDowntime(rep);
    idlePower(rep);
    // requests waiting at the pool move onto the newly awake replica
    for (let req = rep.pool.pending.shift(); req; req = rep.pool.pending.shift()) {
      if (req.timeout !== undefined) sim.cancel(req.timeout);
      req.timeout = undefined;
      dispatch(req);
    }
    startNext(rep);
  };
  /** Cold start: storage (or page cache) → CPU cast → GPU copy; then the replica serves. */
  /**
   * Cold start: the replica's processes start (interpreter, torch, CUDA context, NCCL), then the checkpoint
   * is read from storage (or the page cache) into host memory, cast to bf16 on the CPU and copied to the GPUs;
   * with GDS the DiT streams straight into the GPUs and only the .pth files (umT5, VAE) take the host path.
   */
  const load = (rep: Replica) => {
    rep.state = 'loading';
    idlePower(rep);
    coldStarts++;
    const t0 = sim.now;
    const st = s.cluster.storage;
    const model = getModel(rep.pool.modelId);
    const runs = { encode: rep.pool.first <= 0, denoise: rep.pool.first <= 1 && rep.pool.last >= 1, decode: rep.pool.last >= 2 };
    const bytes = checkpointBytes(model, st, runs);
    const node = rep.nodes[0]!;
    const tier = tiers.get(node.spec.id)!;
    const cached = st.page_cache && !st.gds && rep.nodes.every((n) => n.pageCache.has(rep.pool.modelId));
    const device = new DeviceModel(rep.pool.gpu);
    const h2dBps = device.hostLinkGBs('h2d', false, true) * GB;
    const startup = st.process_start_s ?? procStart.processS + (rep.pool.gpus > 1 ? procStart.ncclS : 0);
    const rec: TimelineLoad | undefined = tl ? {
      type: 'load', replica: rep.id, start: t0, end: NaN, outcome: 'running', bytes: bytes.total,
      source: cached ? 'page cache' : st.gds ? `${tier.id} (GPUDirect Storage)` : tier.id,
      parts: [{ label: 'process start-up', start: t0, end: t0 + startup }],
    } : undefined;
    if (rec) tl!.push((rep.tlLoad = rec));
    const afterRead = () => {
      rep.loadFlow = undefined;
      if (st.page_cache) for (const n of rep.nodes) n.pageCache.add(rep.pool.modelId);
      const est = estimates.find((e) => e.pool === rep.pool.name)?.estimate;
      const residentGb = est ? Math.max(...est.memory.phases.map((p) => (p.breakdown_gb.dit_weights ?? 0) + (p.breakdown_gb.text_encoder_weights ?? 0) + (p.breakdown_gb.vae_weights ?? 0))) : bytes.total / rep.pool.gpus / GB;
      let host: number;
      if (st.gds) {
        // only the .pth files come through the host: torch.load, then module.to()
        const pthGpu = (runs.encode ? (model.textEncoder.blockParams + model.textEncoder.embeddingParams) * 2 : 0) + (runs.decode ? model.vae.params * 4 : 0);
        host = bytes.pthBytes / (hostRates.torchLoadGBs * GB) + pthGpu / h2dBps;
      } else {
        host = bytes.castBytes / (hostRates.castGBs * GB) + (residentGb * GB) / h2dBps;
      }
      if (rec) {
        rec.parts[1]!.end = sim.now;
        rec.parts.push({ label: st.gds ? 'umT5/VAE .pth load + copy to GPU (DiT by GDS)' : 'host cast + copy to GPU', start: sim.now, end: sim.now + host });
      }
      rep.wakeEvent = sim.schedule(host, () => {
        rep.wakeEvent = undefined;
        if (rec) {
          rec.end = sim.now;
          rec.outcome = 'ready';
          rep.tlLoad = undefined;
        }
        coldStartTimes.add(sim.now - t0);
        rep.pool.loadSeconds.add(sim.now - t0);
        activate(rep);
      });
    };
    rep.wakeEvent = sim.schedule(startup, () => {
      rep.wakeEvent = undefined;
      const pipes = [...rep.nodes.map((n) => n.storagePipe)];
      const agg = aggregatePipes.get(tier.id);
      if (agg && !cached) pipes.push(agg);
      const cap = st.gds ? tier.gdsPerGpuBps * rep.pool.gpus : hostIngestBps(bytes, hostRates) * rep.nodes.length;
      rec?.parts.push({ label: cached ? 'checkpoint read (page cache)' : `checkpoint read (${tier.id}${st.gds ? ', GDS' : ''})`, start: sim.now, end: NaN });
      // a page-cache hit reads host memory at the ingest rate, without touching storage
      rep.loadFlow = cached ? flows.start(bytes.total, [], afterRead, cap) : flows.start(bytes.total, pipes, afterRead, cap);
    });
  };
  const wake = (rep: Replica) => {
    const off = rep.nodes.filter((n) => n.state === 'off');
    if (off.length === 0) return load(rep);
    rep.state = 'waking';
    markAwake(rep);
    for (const n of off) {
      n.state = 'booting';
      nodeBoots++;
      updateNodePower(n);
    }
    rep.wakeEvent = sim.schedule(rep.pool.autoscale?.boot_s ?? 0, () => {
      rep.wakeEvent = undefined;
      for (const n of rep.nodes) if (n.state === 'booting') {
        n.state = 'on';
        updateNodePower(n);
        for (const other of n.replicas) if (other !== rep) idlePower(other);
      }
      load(rep);
    });
  };
  const sleep = (rep: Replica) => {
    rep.state = 'asleep';
    idlePower(rep);
    if (rep.pool.autoscale?.sleep === 'node') {
      for (const n of rep.nodes) {
        if (n.state === 'on' && n.replicas.every((r) => r.state === 'asleep')) {
          n.state = 'off';
          n.pageCache.clear();
          nodeShutdowns++;
          updateNodePower(n);
          for (const r of n.replicas) idlePower(r);
        }
      }
    }
  };

  // ---- autoscaling ----
  const scaleUp = (pool: PoolState, _why: string) => {
    const a = pool.autoscale!;
    const awake = pool.replicas.filter(serving).length;
    const max = a.max_replicas ?? pool.replicas.length;
    if (awake >= max) return;
    const candidate = pool.replicas.find((r) => r.state === 'asleep' && r.nodes.every((n) => n.state === 'on')) ?? pool.replicas.find((r) => r.state === 'asleep');
    if (!candidate) return;
    pool.lastScaleAt = sim.now;
    scaleUps++;
    wake(candidate);
  };
  const metricOf = (pool: PoolState): number => {
    const a = pool.autoscale!;
    const awake = pool.replicas.filter(serving);
    const queued = pool.pending.size + awake.reduce((x, r) => x + r.queue.size, 0);
    switch (a.metric) {
      case 'queue_length':
        return awake.length === 0 ? (queued > 0 ? Infinity : 0) : queued / awake.length;
      case 'utilization': {
        const active = awake.filter((r) => r.state === 'active');
        if (active.length === 0) return queued > 0 ? Infinity : 0;
        return active.filter((r) => r.stages.some((st) => st.batch)).length / active.length;
      }
      case 'slo_risk': {
        const waiting = [...pool.pending, ...awake.flatMap((r) => r.queue.values())];
        if (waiting.length === 0) return 0;
        const perReplica = awake.length > 0 ? awake.length : 1;
        let risky = 0;
        let ahead = 0;
        for (const req of [...waiting].sort((x, y) => x.arrival - y.arrival)) {
          ahead += partTime(pool, req.cls) / perReplica;
          if (req.cls.slo !== undefined && sim.now + ahead + partTime(pool, req.cls) > req.arrival + req.cls.slo) risky++;
        }
        return risky / waiting.length;
      }
    }
  };
  const autoscaleTick = (pool: PoolState) => {
    const a = pool.autoscale!;
    const m = metricOf(pool);
    if (sim.now - pool.lastScaleAt >= a.cooldown_s) {
      if (m >= a.scale_up_at && (m > 0 || pool.pending.size > 0)) scaleUp(pool, 'metric');
      else if (m <= a.scale_down_at) {
        const awake = pool.replicas.filter(serving);
        const idle = awake.filter((r) => r.state === 'active' && r.queue.size === 0 && r.stages.every((st) => !st.batch) && r.handoff.size === 0 && sim.now - r.idleSince >= a.scale_down_delay_s);
        if (awake.length > a.min_replicas && idle.length > 0) {
          pool.lastScaleAt = sim.now;
          scaleDowns++;
          sleep(idle[idle.length - 1]!);
        }
      }
    }
    if (sim.now + a.interval_s <= s.duration || pool.replicas.some((r) => r.queue.size > 0 || r.stages.some((st) => st.batch)) || pool.pending.size > 0) sim.schedule(a.interval_s, () => autoscaleTick(pool), 50);
  };

  // ---- failures ----
  const failureRuntime = s.failures;
  const drawGap = (f: NonNullable<NonNullable<typeof failureRuntime>['gpu']>, r: RandomStream) =>
    f.distribution === 'weibull' ? r.weibull(f.shape, (f.mtbf_h * 3600) / gammaFn(1 + 1 / f.shape)) : r.exponential(1 / (f.mtbf_h * 3600));
  const drawRepair = (f: NonNullable<NonNullable<typeof failureRuntime>['gpu']>, r: RandomStream) => r.exponential(1 / (f.mttr_h * 3600));
  /** Takes a replica down: its running and queued requests are retried elsewhere or lost. */
  const failReplica = (rep: Replica) => {
    rep.failedUnits++;
    if (rep.failedUnits > 1) return;
    const wasAwake = serving(rep);
    if (rep.wakeEvent !== undefined) sim.cancel(rep.wakeEvent);
    rep.wakeEvent = undefined;
    if (rep.loadFlow) flows.cancel(rep.loadFlow);
    rep.loadFlow = undefined;
    if (rep.tlLoad) {
      rep.tlLoad.end = sim.now;
      rep.tlLoad.outcome = 'aborted';
      for (const p of rep.tlLoad.parts) if (!(p.end <= sim.now)) p.end = sim.now;
      rep.tlLoad = undefined;
    }
    if (rep.batchTimer !== undefined) sim.cancel(rep.batchTimer);
    rep.batchTimer = undefined;
    const interrupted: Request[] = [];
    rep.stages.forEach((st, k) => {
      if (st.phaseEvent !== undefined) sim.cancel(st.phaseEvent);
      st.phaseEvent = undefined;
      if (st.batch) {
        st.busyTime += sim.now - st.busySince;
        lostGpuSeconds += (sim.now - st.busySince) * st.gpus;
        interrupted.push(...st.batch);
        if (tl) tlBatchEnd(st, 'interrupted');
      }
      st.batch = undefined;
      setStagePower(rep, k, 0);
    });
    for (let b = rep.handoff.shift(); b; b = rep.handoff.shift()) interrupted.push(...b);
    const queued: Request[] = [];
    for (let q = rep.queue.pop(); q; q = rep.queue.pop()) queued.push(q);
    rep.queuedWork = 0;
    rep.state = 'failed';
    markAwake(rep);
    rep.resumeAfterRepair = wasAwake;
    if (Number.isNaN(rep.downSince)) rep.downSince = sim.now;
    for (const n of rep.nodes) updateNodePower(n);
    for (const req of interrupted) {
      if (failureRuntime!.policy === 'retry' && req.retries < failureRuntime!.max_retries) {
        req.retries++;
        retried++;
        if (rep.pool.first === 0) req.start = NaN;
        dispatch(req);
      } else {
        failedReqs++;
        req.cls.failed++;
        record(req, 'failed', 'hardware failure');
      }
    }
    for (const req of queued) {
      if (req.timeout !== undefined) sim.cancel(req.timeout);
      req.timeout = undefined;
      dispatch(req);
    }
  };
  const repairReplica = (rep: Replica) => {
    rep.failedUnits--;
    if (rep.failedUnits > 0 || rep.nodes.some((n) => n.state === 'failed')) return;
    rep.state = 'asleep';
    idlePower(rep);
    if (rep.resumeAfterRepair) load(rep);
    else endDowntime(rep);
  };
  // one place for each kind of failure and repair, used by the random processes and the scheduled drill
  const failGpu = (n: NodeState, g: number): Replica | undefined => {
    failuresBy.gpu++;
    const rep = replicaOfGpu(n, g);
    if (rep) failReplica(rep);
    return rep;
  };
  const repairGpu = (rep: Replica | undefined) => {
    if (rep) repairReplica(rep);
  };
  const failNode = (n: NodeState): NodeState['state'] => {
    failuresBy.node++;
    const before = n.state;
    if (before === 'failed') return before; // already down: the earlier failure's repair brings it back
    n.state = 'failed';
    n.pageCache.clear();
    for (const r of n.replicas) failReplica(r);
    updateNodePower(n);
    return before;
  };
  const repairNode = (n: NodeState, before: NodeState['state']) => {
    if (before === 'failed') return;
    n.state = before === 'off' ? 'off' : 'on';
    updateNodePower(n);
    for (const r of n.replicas) repairReplica(r);
  };
  const failLink = (n: NodeState): Replica[] => {
    failuresBy.link++;
    const hit = n.replicas.filter((r) => r.nodes.length > 1);
    for (const r of hit) failReplica(r);
    return hit;
  };
  const repairLink = (hit: Replica[]) => {
    for (const r of hit) repairReplica(r);
  };
  if (failureRuntime) {
    const gpuF = failureRuntime.gpu;
    const nodeF = failureRuntime.node;
    const linkF = failureRuntime.link;
    if (gpuF) {
      nodes.forEach((n) => {
        for (let g = 0; g < n.spec.gpusPerNode; g++) {
          const cycle = () => {
            sim.schedule(drawGap(gpuF, failRng), () => {
              const rep = failGpu(n, g);
              const repairS = drawRepair(gpuF, failRng);
              tlFailure('gpu', n, g, rep ? [rep] : [], repairS);
              sim.schedule(repairS, () => {
                repairGpu(rep);
                cycle();
              });
            });
          };
          cycle();
        }
      });
    }
    if (nodeF) {
      nodes.forEach((n) => {
        const cycle = () => {
          sim.schedule(drawGap(nodeF, failRng), () => {
            const before = failNode(n);
            const repairS = drawRepair(nodeF, failRng);
            tlFailure('node', n, undefined, before === 'failed' ? [] : n.replicas, repairS);
            sim.schedule(repairS, () => {
              repairNode(n, before);
              cycle();
            });
          });
        };
        cycle();
      });
    }
    if (linkF) {
      nodes.forEach((n) => {
        const cycle = () => {
          sim.schedule(drawGap(linkF, failRng), () => {
            const hit = failLink(n);
            const repairS = drawRepair(linkF, failRng);
            tlFailure('link', n, undefined, hit, repairS);
            sim.schedule(repairS, () => {
              repairLink(hit);
              cycle();
            });
          });
        };
        cycle();
      });
    }
    // the drill: scheduled failures at fixed times (validated against the cluster when the simulation starts)
    failureRuntime.events.forEach((ev, i) => {
      const n = nodes[ev.node];
      const where = locate(['failures', 'events', i]);
      if (!n) {
        issues.push({ ...where, path: `failures.events.${i}.node`, message: `node ${ev.node} does not exist: the cluster has ${nodes.length} node(s), indexed from 0` });
        return;
      }
      if (ev.what === 'gpu' && ev.gpu >= n.spec.gpusPerNode) {
        issues.push({ ...where, path: `failures.events.${i}.gpu`, message: `GPU ${ev.gpu} does not exist: ${n.spec.id} has ${n.spec.gpusPerNode} GPUs, indexed from 0` });
        return;
      }
      sim.scheduleAt(ev.at, () => {
        if (ev.what === 'gpu') {
          const rep = failGpu(n, ev.gpu);
          tlFailure('gpu', n, ev.gpu, rep ? [rep] : [], ev.repair_after);
          sim.schedule(ev.repair_after, () => repairGpu(rep));
        } else if (ev.what === 'node') {
          const before = failNode(n);
          tlFailure('node', n, undefined, before === 'failed' ? [] : n.replicas, ev.repair_after);
          sim.schedule(ev.repair_after, () => repairNode(n, before));
        } else {
          const hit = failLink(n);
          tlFailure('link', n, undefined, hit, ev.repair_after);
          sim.schedule(ev.repair_after, () => repairLink(hit));
        }
      });
    });
    if (issues.length) throw new InputError(issues);
  }

  // ---- arrivals ----
  const curve: RateCurve = dailyCurve(s.workload.curve);
  const arrivalRng = rng.stream('arrivals');
  const arrivals: ArrivalProcess = makeArrivals(s.workload.arrivals, arrivalRng, s.workload.arrivals.process === 'trace' ? resolvePath(opts.baseDir, s.workload.arrivals.file) : undefined, opts.rateScale ?? 1, curve);
  const traceClass = new Map<string, ClassState>();
  const classForArrival = (): ClassState => {
    const row = arrivals.lastRow?.();
    if (!row || (row.width === undefined && row.frames === undefined && row.steps === undefined && row.model === undefined && row.slo_s === undefined)) return classes[mixRng.weightedIndex(weights, totalWeight)]!;
    const base = classes[0]!;
    const model = getModel(row.model ?? base.modelId);
    const shape: RequestShape = { width: row.width ?? base.shape.width, height: row.height ?? base.shape.height, frames: row.frames ?? base.shape.frames, steps: row.steps ?? base.shape.steps, cfg: base.shape.cfg };
    const slo = row.slo_s ?? base.slo; // per-request SLOs from the trace
    const key = JSON.stringify([model.id, shape, row.priority ?? 0, slo]);
    let cls = traceClass.get(key);
    if (!cls) {
      const spec: RequestClass = { weight: 1, priority: row.priority ?? 0, model: model.id, ...(row.slo_s !== undefined ? { slo_s: row.slo_s } : {}) };
      const name = classLabel(spec, shape) + (row.slo_s !== undefined ? ` slo ${row.slo_s}s` : '');
      cls = newClass(name, spec, model.id, shape, slo, shape.frames / model.defaults.fps);
      traceClass.set(key, cls);
      classes.push(cls);
    }
    return cls;
  };
  const arrive = () => {
    const cls = classForArrival();
    arrived++;
    cls.arrived++;
    dispatch({ id: nextId++, cls, arrival: sim.now, deadline: cls.slo !== undefined ? sim.now + cls.slo : Infinity, start: NaN, replica: undefined, timeout: undefined, retries: 0, stage: 0 });
    const t = arrivals.next(sim.now);
    if (t < s.duration) sim.scheduleAt(t, arrive);
  };

  // ---- initial state: warm replicas serve at t=0; cold ones load; autoscaled pools start at their minimum ----
  for (const n of nodes) updateNodePower(n);
  for (const pool of pools) {
    const a = pool.autoscale;
    const awakeAtStart = a ? Math.min(pool.replicas.length, Math.max(a.min_replicas, 0)) : pool.replicas.length;
    pool.replicas.forEach((rep, i) => {
      if (i >= awakeAtStart) {
        rep.state = 'asleep';
        return;
      }
      if (pool.spec.warm) {
        rep.state = 'active';
        if (s.cluster.storage.page_cache) for (const n of rep.nodes) n.pageCache.add(pool.modelId);
      } else load(rep);
    });
    for (const rep of pool.replicas) if (rep.state === 'asleep') sleep(rep);
    for (const rep of pool.replicas) idlePower(rep);
    if (a) sim.schedule(a.interval_s, () => autoscaleTick(pool), 50);
  }
  for (const n of nodes) updateNodePower(n);
  const first = arrivals.next(0);
  if (first < s.duration) sim.scheduleAt(first, arrive);

  // ---- time series ----
  const totalGpus = pools.reduce((a, p) => a + p.replicas.length * p.gpus, 0);
  const interval = opts.sampleInterval ?? s.output.sample_interval_s ?? Math.max(1, s.duration / 500);
  const timeseries: TimePoint[] = [];
  const inFlightNow = () => arrived - completed - dropped - failedReqs;
  const sample = () => {
    let busy = 0, queued = 0, busyGpus = 0, active = 0;
    for (const r of replicas) {
      let any = false;
      for (const st of r.stages) {
        if (st.batch) {
          any = true;
          busyGpus += st.gpus;
        }
      }
      if (any) busy++;
      if (r.state === 'active') active++;
      queued += r.queue.size + r.handoff.size;
    }
    for (const p of pools) queued += p.pending.size;
    timeseries.push({
      t: sim.now, busy_replicas: busy, active_replicas: active, queued, in_flight: inFlightNow(),
      gpu_utilization: totalGpus ? busyGpus / totalGpus : 0, nodes_on: nodes.filter((n) => n.state === 'on').length, power_kw: meter.watts / 1000,
    });
    opts.onSample?.(timeseries[timeseries.length - 1]!);
    if (sim.now + interval <= s.duration || (s.drain && inFlightNow() > 0)) sim.schedule(interval, sample, 100);
  };
  sim.schedule(0, sample, 100);

  if (s.drain) {
    // run until the arrival window closes and every admitted request has finished (failure and autoscale
    // processes keep scheduling, so stop once nothing is left in flight)
    sim.run({ until: s.duration });
    while (inFlightNow() > 0 && sim.peek() < Infinity) sim.run({ until: Math.max(sim.now, sim.peek()) });
  } else sim.run({ until: s.duration });
  const end = sim.now;
  if (tl) tlClose(end);

  // ---- results ----
  const stageBusy = (st: StageServer) => st.busyTime + (st.batch ? end - st.busySince : 0);
  let gpuBusy = 0;
  for (const r of replicas) for (const st of r.stages) gpuBusy += stageBusy(st) * st.gpus;
  const byKind = meter.energyByKind();
  const awakeByPool = awakeGpus.energyByKind();
  // the meter integrates board and node figures; with a PSU efficiency they are DC-side and the wall adds the loss
  const wall = s.power.psu_efficiency ? 1 / s.power.psu_efficiency : 1;
  const dcJ = Object.values(byKind).reduce((a, b) => a + b, 0);
  const itJ = dcJ * wall;
  const byComponentKwh: Record<string, number> = {};
  for (const [k, j] of Object.entries(byKind)) byComponentKwh[k] = j / 3.6e6;
  if (wall !== 1) byComponentKwh.psu_loss = (dcJ * (wall - 1)) / 3.6e6;
  const perNode = meter.groups().map((g, i) => ({ node: i, type: nodes[i]!.spec.id, avg_kw: end > 0 ? (g.joules * wall) / end / 1000 : 0, peak_kw: (g.peakW * wall) / 1000 }));
  const result: SimulationResult = {
    scenario: s.name,
    seed: s.seed,
    requests: { arrived, completed, dropped, failed: failedReqs, in_flight: inFlightNow(), retried },
    latency_s: statsOf(overallLatency),
    queue_wait_s: { mean: fin(overallWait.mean), p50: fin(overallWait.quantile(0.5)), p95: fin(overallWait.quantile(0.95)), p99: fin(overallWait.quantile(0.99)) },
    slo_attainment: withSlo > 0 ? withinSlo / withSlo : null,
    throughput_per_h: end > 0 ? (completed / end) * 3600 : 0,
    video_seconds: videoSeconds,
    gpu_utilization: end > 0 && totalGpus > 0 ? gpuBusy / (totalGpus * end) : 0,
    gpus: totalGpus,
    gpu_hours: { provisioned: (totalGpus * end) / 3600, awake: awakeGpus.totalJoules() / 3600, busy: gpuBusy / 3600 },
    sim_time_s: end,
    wall_time_s: Number(process.hrtime.bigint() - wallStart) / 1e9,
    events: sim.eventsProcessed,
    energy: {
      total_kwh: itJ / 3.6e6,
      facility_kwh: (itJ * pue) / 3.6e6,
      pue,
      per_video_wh: completed > 0 ? (itJ * pue) / 3600 / completed : 0,
      per_video_second_wh: videoSeconds > 0 ? (itJ * pue) / 3600 / videoSeconds : 0,
      avg_power_kw: end > 0 ? itJ / end / 1000 : 0,
      peak_power_kw: (meter.peakWatts * wall) / 1000,
      by_component_kwh: byComponentKwh,
      nodes: {
        mean_avg_kw: perNode.length ? perNode.reduce((a, n) => a + n.avg_kw, 0) / perNode.length : 0,
        max_peak_kw: perNode.reduce((a, n) => Math.max(a, n.peak_kw), 0),
        per_node: perNode,
      },
    },
    handoffs: { count: handoffs.count, gb: handoffs.bytes / 1e9, mean_ms: handoffs.count ? (handoffs.seconds / handoffs.count) * 1000 : 0 },
    cold_starts: { count: coldStarts, mean_s: fin(coldStartTimes.mean), p95_s: fin(coldStartTimes.quantile(0.95)), storage: [...tiers.values()][0]?.note ?? '' },
    autoscaling: { scale_ups: scaleUps, scale_downs: scaleDowns, node_boots: nodeBoots, node_shutdowns: nodeShutdowns },
    failures: {
      gpu: failuresBy.gpu, node: failuresBy.node, link: failuresBy.link, requests_retried: retried, requests_failed: failedReqs, lost_gpu_hours: lostGpuSeconds / 3600,
      availability: end > 0 && replicas.length > 0 ? 1 - replicas.reduce((a, r) => a + r.downTime + (Number.isNaN(r.downSince) ? 0 : end - r.downSince), 0) / (replicas.length * end) : 1,
    },
    classes: classes.map((c) => ({
      name: c.name, model: c.modelId, arrived: c.arrived, completed: c.completed, dropped: c.dropped, failed: c.failed,
      service_s: classService(c),
      latency_s: statsOf(c.latency), queue_wait_s: { mean: fin(c.wait.mean), p95: fin(c.wait.quantile(0.95)) },
      slo_s: c.slo ?? null, slo_attainment: c.slo !== undefined && c.completed > 0 ? c.withinSlo / c.completed : null,
    })),
    pools: pools.map((p) => {
      const gpuSeconds = p.replicas.reduce((a, r) => a + r.stages.reduce((b, st) => b + stageBusy(st) * st.gpus, 0), 0);
      return {
        name: p.name, model: p.modelId, gpu: p.gpu, node: p.node.id, parallel: formatPlan(p.plan), replicas: p.replicas.length, gpus_per_replica: p.gpus,
        utilization: end > 0 ? gpuSeconds / (p.replicas.length * p.gpus * end) : 0, served: p.replicas.reduce((a, r) => a + r.served, 0), gpu_hours_awake: (awakeByPool[p.name] ?? 0) / 3600,
        ...poolQuality(p.inference.engine, estimates.filter((x) => x.pool === p.name).map((x) => x.estimate)),
      };
    }),
    service_times: serviceTimes,
    warnings,
    timeseries,
    power_steps: opts.powerSteps ? (wall === 1 ? meter.steps : meter.steps.map((p) => ({ t: p.t, watts: p.watts * wall }))) : undefined,
    records,
    estimates,
    ...(tl ? { timeline: tl } : {}),
    cost: null,
  };
  // pricing is a view of the results (economics/run-cost.ts); a missing price only warns
  const priced = runCost(result, s);
  result.cost = priced.cost;
  if (priced.warning) result.warnings.push(priced.warning);
  for (const w of priced.cost?.warnings ?? []) result.warnings.push(`cost: ${w}`);
  return result;

  /** Service time of a class on an idle cluster: its whole-request pool, or the sum of the stage pools' parts. */
  function classService(c: ClassState): number {
    const mine = pools.filter((p) => p.modelId === c.modelId);
    const whole = mine.find((p) => p.first === 0 && p.last === 2);
    if (whole) return serviceOf(whole, c).total_s;
    let total = 0;
    for (let stage = 0; stage < 3; ) {
      const p = mine.find((x) => x.first === stage);
      if (!p) return NaN;
      total += partTime(p, c);
      stage = p.last + 1;
    }
    return total;
  }

  function newClass(name: string, spec: RequestClass, modelId: string, shape: RequestShape, slo: number | undefined, videoSecs: number): ClassState {
    return { name, spec, modelId, shape, slo, latency: new QuantileSketch(), wait: new QuantileSketch(), completed: 0, withinSlo: 0, arrived: 0, dropped: 0, failed: 0, videoSeconds: videoSecs };
  }
}

/** First-fit placement of a replica of `gpus` GPUs on nodes of one type; spans whole nodes when larger than one. */
function place(nodes: NodeState[], nodeId: string, gpus: number): NodeState[] | undefined {
  const candidates = nodes.filter((n) => n.spec.id === nodeId);
  const per = candidates[0]?.spec.gpusPerNode ?? 0;
  if (gpus <= per) {
    const n = candidates.find((x) => x.freeGpus >= gpus);
    if (!n) return undefined;
    n.freeGpus -= gpus;
    return [n];
  }
  const need = Math.ceil(gpus / per);
  const empty = candidates.filter((x) => x.freeGpus === per).slice(0, need);
  if (empty.length < need) return undefined;
  for (const n of empty) n.freeGpus -= Math.min(per, gpus - per * empty.indexOf(n));
  return empty;
}

/** The replica using GPU index `g` of a node (replicas are packed in placement order). */
function replicaOfGpu(n: NodeState, g: number): Replica | undefined {
  let offset = 0;
  for (const r of n.replicas) {
    const here = r.nodes.length > 1 ? n.spec.gpusPerNode : r.pool.gpus;
    if (g < offset + here) return r;
    offset += here;
  }
  return undefined;
}

/** Non-GPU power of a node: the scenario's power.node_overhead_w (for all nodes or by node type), else the catalog. */
function nodeOverhead(s: Scenario, spec: NodeSpec): { idle: number; busy: number } {
  const o = s.power.node_overhead_w;
  const mine = o === undefined ? undefined : 'idle' in o || 'busy' in o ? (o as { idle?: number; busy?: number }) : (o as Record<string, { idle?: number; busy?: number }>)[spec.id];
  return { idle: mine?.idle ?? spec.nonGpuPowerW.idle, busy: mine?.busy ?? spec.nonGpuPowerW.busy };
}

const deepIdleCache = new Map<string, number>();
/** Deep-idle board power of a GPU (W), from its power table. */
function deepIdleOf(gpu: string): number {
  let w = deepIdleCache.get(gpu);
  if (w === undefined) deepIdleCache.set(gpu, (w = powerTable(gpu, undefined, false).deepIdleW));
  return w;
}

/** Power levels of a GPU no pool's estimate covers (GPUs left free on a node): the power table's idle figures. */
function fallbackPower(gpu: string): Estimate['power'] {
  const t = powerTable(gpu, undefined, false);
  return { per_gpu_w: { text_encode: 0, denoise: 0, vae_decode: 0, vae_idle_ranks: 0, transfer: 0, idle: t.idleW, deep_idle: t.deepIdleW }, node_non_gpu_w: { idle: 0, busy: 0 }, gpus_per_node: 8, pue: 1, extrapolated: t.extrapolated };
}

/** Γ(x) by the Lanczos approximation (for Weibull means). */
export function gammaFn(x: number): number {
  const g = 7;
  const c = [0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7];
  if (x < 0.5) return Math.PI / (Math.sin(Math.PI * x) * gammaFn(1 - x));
  x -= 1;
  let a = c[0]!;
  const t = x + g + 0.5;
  for (let i = 1; i < g + 2; i++) a += c[i]! / (x + i);
  return Math.sqrt(2 * Math.PI) * Math.pow(t, x + 0.5) * Math.exp(-t) * a;
}

function resolvePath(baseDir: string | undefined, file: string): string {
  return baseDir && !file.startsWith('/') ? `${baseDir}/${file}` : file;
}

/** A pool's engine and published quality, from the estimates of the classes it serves. */
function poolQuality(engine: string | undefined, es: Estimate[]): { engine: string; approximate: boolean; quality_psnr_db: number | null } {
  const psnr = es.map((e) => worstPsnr(e.quality)).filter((v): v is number => v !== null);
  return { engine: engine ?? 'official', approximate: es.some((e) => changesOutput(e.accelerations)), quality_psnr_db: psnr.length ? Math.min(...psnr) : null };
}

export function toInference(i: Partial<Scenario['inference']>): InferenceOptions {
  return {
    ...DEFAULT_INFERENCE,
    attention: i.attention ?? DEFAULT_INFERENCE.attention,
    dtype: i.dtype ?? DEFAULT_INFERENCE.dtype,
    compile: i.compile ?? DEFAULT_INFERENCE.compile,
    cfg: i.cfg ?? DEFAULT_INFERENCE.cfg,
    offload: i.offload ?? DEFAULT_INFERENCE.offload,
    textEncoderOnCpu: i.text_encoder === 'cpu',
    sustained: i.sustained ?? DEFAULT_INFERENCE.sustained,
    fp32Matmul: i.fp32_matmul ?? DEFAULT_INFERENCE.fp32Matmul,
    ...(i.weight_dtype !== undefined && i.weight_dtype !== 'auto' ? { weightDtype: i.weight_dtype } : {}),
    ...(i.power_limit_w !== undefined ? { powerLimitW: i.power_limit_w } : {}),
    ...accelerationOptions(i),
  };
}
