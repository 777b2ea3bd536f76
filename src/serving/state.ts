/**
 * The cluster a simulation runs, as plain data — nodes, pools, replicas, request classes, the power meters, the
 * storage tiers, the recorder — built once from a scenario (buildCluster), and the few ports through which the
 * subsystems call each other (routing, service, cold start, autoscale, power), wired once by simulate.ts.
 * Subsystems read and change this state; none keeps a copy of it.
 *
 * Stage indices: 0 text encode, 1 denoise, 2 VAE decode, 3 post-processing (the class's chain; nothing for a
 * class without one). A pool runs a consecutive span of them (all four unless stage-disaggregated); a
 * split-expert replica has two stage servers (high-noise and low-noise group).
 */
import { FifoQueue, MinTree, PriorityQueue, type EventHandle, type RandomStream, type Simulator } from '../engine/index.ts';
import { PowerMeter } from '../engine/power-meter.ts';
import { FlowNetwork, Pipe, type Flow } from '../engine/flows.ts';
import type { Scenario, Pool, Autoscale } from '../scenario/schema.ts';
import { poolsOf, autoscalesOf, poolPlan } from '../scenario/pools.ts';
import { resolveClasses, type ResolvedClass } from '../scenario/classes.ts';
import { canonicalId, getNode } from '../hardware/catalog.ts';
import type { NodeSpec } from '../hardware/types.ts';
import { inferenceOptions } from '../perf/estimate-input.ts';
import { poolInferenceSpec } from '../engines/inference-spec.ts';
import type { Estimate, InferenceOptions } from '../perf/estimate.ts';
import { groupGpus, type ParallelPlan } from '../parallel/plan.ts';
import type { FabricOptions } from '../parallel/network.ts';
import { InputError, type InputIssue } from '../errors.ts';
import { serviceOf, partTime, type ServiceTime } from './service-times.ts';
import { fullBatch, type FullBatch } from './batch-fit.ts';
import { storageTier, type StorageTier } from './cold-start.ts';
import { deepIdleOf, nodeOverhead, powerLevels, type PowerLevels } from './power.ts';
import type { Recorder } from './recorder.ts';
import type { TimelineRecorder } from './timeline.ts';
import type { PhaseList } from './phases.ts';
import { readStageProfile, type StageProfile } from './stage-profile.ts';
import { fieldText } from '../perf/fit-suggestion.ts';
import { resolveOverheads, withFittedHost, type ServingOverheads } from './overheads.ts';
import type { Cooling } from './cooling.ts';
import type { Monitoring } from './monitoring.ts';
import { place } from './placement.ts';
import { poolModels, sharedPoolModels, type SharedModels } from './model-swap.ts';

/** A scenario's relative path, against the scenario file's folder. */
export function resolvePath(baseDir: string | undefined, file: string): string {
  return baseDir && !file.startsWith('/') ? `${baseDir}/${file}` : file;
}

export const STAGES = ['encode', 'denoise', 'decode', 'postprocess'];

export type ReplicaState = 'active' | 'loading' | 'waking' | 'asleep' | 'failed';
export type NodePowerState = 'on' | 'booting' | 'off' | 'failed';

/** One request in the cluster, from arrival until it completes, is dropped or fails. */
export interface Request {
  id: number;
  cls: ClassState;
  arrival: number;
  deadline: number;
  /** Start of its first service (NaN until then; a retry from the first stage starts over). */
  start: number;
  replica: Replica | undefined;
  timeout: EventHandle | undefined;
  retries: number;
  /** Next stage to run (pools may run a consecutive span). */
  stage: number;
  /** With SimulationOptions.observedService: the trace row's own stage time (encode + denoise + decode), seconds. */
  observedServiceS?: number;
}

/** A request class of the mix (or of a trace's rows). Its counts and latencies live in the recorder. */
export interface ClassState extends ResolvedClass {
  /** Index in ClusterState.classes and the recorder's per-class metrics. */
  index: number;
  slo: number | undefined;
}

export interface PoolState {
  name: string;
  spec: Pool;
  /** The model of its replicas (a shared pool's first). */
  modelId: string;
  /** Models its replicas serve (one; several for a shared pool, model-swap.ts), and a model's own plan there. */
  modelIds: string[];
  plans: Map<string, ParallelPlan>;
  /** Shared pools: whether the models fit together, else each one's swap time; and the swaps made. */
  shared?: SharedModels;
  swaps: number;
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
  /** Routing score of each replica (Infinity when not awake), for the routers that keep one. */
  scores: MinTree;
  /** The span of stages this pool runs. */
  first: number;
  last: number;
  /** The fabric between nodes (part of the cost model's key). */
  fabric: FabricOptions | undefined;
  /** Service times of each class on this pool by batch size (a memo in front of the shared table). */
  service: Map<ClassState, ServiceTime[]>;
  /** Per-GPU power of each state (from the pool's cost-model estimate). */
  power: PowerLevels;
  /** Measured stage times (deployment.stage_times) instead of the cost model's, if given. */
  stageProfile: StageProfile | undefined;
  /** The scenario's serving overheads (serving_overheads), if given. */
  overheads: ServingOverheads | undefined;
}

export interface NodeState {
  id: number;
  spec: NodeSpec;
  state: NodePowerState;
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
}

/** One stage server of a replica: the GPU group that runs a batch's phases one after another. */
export interface StageServer {
  batch: Request[] | undefined;
  busySince: number;
  busyTime: number;
  gpus: number;
  /** The end of the running phase (NO_EVENT when none). */
  phaseEvent: EventHandle;
  /** Power-meter channel of this stage's GPUs. */
  power: number;
  /** The running batch's phases, the index of the next one, and the handler of a phase's end (made once). */
  phases: PhaseList;
  phaseIndex: number;
  onPhaseEnd: () => void;
}

export interface Replica {
  id: number;
  /** Index in its pool (slot in the pool's routing tree). */
  slot: number;
  pool: PoolState;
  nodes: NodeState[];
  state: ReplicaState;
  queue: PriorityQueue<Request>;
  /** Split experts: batches the first stage finished, waiting for the second. */
  handoff: FifoQueue<Request[]>;
  /** Its stage servers: one GPU group, or two for split experts (high-noise, low-noise). */
  servers: StageServer[];
  served: number;
  /** Pending load/boot completion (cancelled on failure). */
  wakeEvent: EventHandle | undefined;
  loadFlow: Flow | undefined;
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
  /** The model on the GPUs (a shared pool's replicas swap it). */
  resident: string;
}

/** A handle no event has (cancelling it does nothing): kept in number fields so they never hold `undefined`. */
export const NO_EVENT = -1 as EventHandle;

/** The replica takes requests: serving, loading its model, or waking (requests queue on it meanwhile). */
export const acceptsWork = (r: Replica): boolean => r.state === 'active' || r.state === 'loading' || r.state === 'waking';

/** Requests in service on the replica (running batches, and batches between the two stages of split experts). */
export function inService(r: Replica): number {
  let n = r.handoff.size;
  for (const server of r.servers) if (server.batch) n += server.batch.length;
  return n;
}

export const outstanding = (r: Replica): number => r.queue.size + inService(r);

/** Nothing queued, in service or between stages. */
export function isIdle(r: Replica): boolean {
  if (r.queue.size !== 0 || r.handoff.size !== 0) return false;
  for (const server of r.servers) if (server.batch) return false;
  return true;
}

/** How subsystems call each other (wired once in simulate.ts). */
export interface Ports {
  /** routing.ts: route a request (new, retried, handed over or re-routed). */
  dispatch(req: Request): void;
  /** routing.ts: after anything that changes a replica's queue, stages or state. */
  touch(rep: Replica): void;
  /** service.ts: start the next batch if the replica is free. */
  startNext(rep: Replica): void;
  /** cold-start.ts */
  load(rep: Replica): void;
  wake(rep: Replica): void;
  sleep(rep: Replica): void;
  /** autoscale.ts: wake one more replica of the pool (within its bounds). */
  scaleUp(pool: PoolState, why: string): void;
  /** power.ts */
  idlePower(rep: Replica): void;
  markAwake(rep: Replica): void;
  updateNodePower(node: NodeState): void;
}

/** A service-time row of the results: a class on a pool, split by stage. */
export interface ServiceRow {
  pool: string;
  class: string;
  stages: string[];
  encode_s: number;
  denoise_s: number;
  decode_s: number;
  /** Post-processing on the pool's GPUs, and the host-CPU encode after it (0 without a chain or when another pool runs it). */
  postprocess_s: number;
  postprocess_cpu_s: number;
  total_s: number;
  peak_memory_gb: number;
  /** Where the pool batches: a full batch of the class (its size, time and peak); the throughput bound shares its time. */
  batch?: FullBatch;
}

export interface ClusterState {
  scenario: Scenario;
  sim: Simulator;
  nodes: NodeState[];
  pools: PoolState[];
  replicas: Replica[];
  classes: ClassState[];
  /** IT power of every GPU group and node (W), integrated exactly. */
  meter: PowerMeter;
  /** GPUs held by replicas that are not asleep (the same integrator, counting GPUs instead of watts). */
  awakeGpus: PowerMeter;
  /** Storage reads sharing bandwidth (cold starts). */
  flows: FlowNetwork;
  /** Storage tier of each node type, and the pipes that network tiers share in aggregate. */
  tiers: Map<string, StorageTier>;
  aggregatePipes: Map<string, Pipe>;
  /** What each class costs on each pool it can run on (for the results). */
  serviceRows: ServiceRow[];
  estimates: { pool: string; class: string; estimate: Estimate }[];
  rng: { mix: RandomStream; routing: RandomStream; failures: RandomStream; arrivals: RandomStream; service: RandomStream };
  recorder: Recorder;
  /** Present when the run records its timeline (SimulationOptions.timeline). */
  timeline: TimelineRecorder | undefined;
  /** GPU temperatures, throttling and fans (cooling.ts): with cluster.cooling, or when the run records monitoring series. */
  cooling: Cooling | undefined;
  /** Per-GPU, node, pool and class series for the OpenMetrics export (SimulationOptions.monitoring). */
  monitoring: Monitoring | undefined;
  warnings: string[];
  ports: Ports;
  /** SimulationOptions.observedService: a trace request's phases scaled to its own observed stage time. */
  observedService: boolean;
}

type Locate = (path: (string | number)[]) => Pick<InputIssue, 'source' | 'line' | 'col'>;

export type BuiltCluster = Pick<ClusterState, 'nodes' | 'pools' | 'replicas' | 'classes' | 'meter' | 'awakeGpus' | 'flows' | 'tiers' | 'aggregatePipes' | 'serviceRows' | 'estimates' | 'warnings'>;

/**
 * The cluster of a scenario: nodes with their storage tier and power channels, pools with their replicas
 * placed first-fit on their node type, the request classes, and every class's service time on every pool of
 * its model (a class that does not fit is an input error with the memory verdict). Input problems are
 * collected and thrown together as one InputError per step.
 */
export function buildCluster(s: Scenario, sim: Simulator, locate: Locate, keepPowerSteps: boolean, baseDir?: string): BuiltCluster {
  const warnings: string[] = [];
  const issues: InputIssue[] = [];
  const meter = new PowerMeter(() => sim.now, keepPowerSteps);
  const awakeGpus = new PowerMeter(() => sim.now, false);
  const flows = new FlowNetwork(sim);

  // ---- nodes ----
  const nodes: NodeState[] = [];
  const tiers = new Map<string, StorageTier>();
  const aggregatePipes = new Map<string, Pipe>();
  const coldStartsPossible = poolsOf(s).some((p) => !p.warm) || s.autoscale !== undefined || s.failures !== undefined;
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
  const autoscales = autoscalesOf(s);
  const fabric = s.cluster.fabric ? { link: s.cluster.fabric.link, oversubscription: s.cluster.fabric.oversubscription } : undefined;
  // serving overheads (serving_overheads) and measured stage times (deployment.stage_times), when given
  const overheads = s.serving_overheads === undefined ? undefined : resolveOverheads(s.serving_overheads, baseDir, locate(['serving_overheads']));
  // a calibration's fitted host time per kernel prices the stages where the scenario sets none
  const scenarioInference = withFittedHost(s.inference, overheads);
  if (overheads?.host_dispatch_us !== undefined && s.inference.host_dispatch_us !== undefined && s.inference.host_dispatch_us !== overheads.host_dispatch_us) warnings.push(`inference.host_dispatch_us (${s.inference.host_dispatch_us} µs) prices the stages, not the ${overheads.host_dispatch_us} µs serving_overheads was fitted with`);
  poolsOf(s).forEach((p, i) => {
    const path = Array.isArray(s.deployment) ? ['deployment', i] : ['deployment'];
    const nodeId = canonicalId('node', p.node ?? s.cluster.nodes[0]!.type);
    const node = getNode(nodeId);
    const { plan, dp, gpus } = poolPlan(p, locate([...path, 'parallel']).source);
    const name = p.name ?? `pool${i}`;
    const { modelIds, plans } = poolModels(p, s.model, (j) => locate([...path, 'models', j, 'parallel']).source);
    const pool: PoolState = {
      name, spec: p, modelId: modelIds[0]!, modelIds, plans, swaps: 0, node, gpu: node.gpu, gpus, plan,
      inference: { ...inferenceOptions(poolInferenceSpec(scenarioInference, p)), ...(p.stages.length < 4 ? { stages: { encode: p.stages.includes('encode'), denoise: p.stages.includes('denoise'), decode: p.stages.includes('decode'), postprocess: p.stages.includes('postprocess') } } : {}) },
      replicas: [], pending: new FifoQueue<Request>(),
      autoscale: autoscales.find((a) => a.pool === undefined || a.pool === name),
      lastScaleAt: -Infinity, scores: new MinTree(0),
      first: STAGES.indexOf(p.stages[0]!), last: STAGES.indexOf(p.stages[p.stages.length - 1]!), fabric, service: new Map(), power: NO_POWER,
      stageProfile: p.stage_times ? readStageProfile(resolvePath(baseDir, p.stage_times), locate([...path, 'stage_times']), [...path, 'stage_times'].join('.')) : undefined,
      overheads,
    };
    const split = plan.experts === 'split';
    for (let r = 0; r < p.replicas * dp; r++) {
      const placed = place(nodes, nodeId, pool.gpus);
      if (!placed) {
        issues.push({ ...locate([...path, 'replicas']), path: [...path, 'replicas'].join('.'), message: `cannot place replica ${r + 1} of pool "${name}" (${pool.gpus} GPUs on ${nodeId}): not enough free GPUs` });
        break;
      }
      const rep: Replica = {
        id: replicas.length, slot: pool.replicas.length, pool, nodes: placed, state: 'active', queue: new PriorityQueue<Request>(), handoff: new FifoQueue<Request[]>(),
        servers: (split ? [0, 1] : [0]).map(() => ({ batch: undefined, busySince: 0, busyTime: 0, gpus: groupGpus(plan), phaseEvent: NO_EVENT, power: -1, phases: NO_PHASES, phaseIndex: 0, onPhaseEnd: () => {} })),
        served: 0, wakeEvent: undefined, loadFlow: undefined, batchTimer: undefined, failedUnits: 0, queuedWork: 0, idleSince: 0, resumeAfterRepair: false, downSince: NaN, downTime: 0,
        resident: modelIds[0]!,
      };
      for (const n of placed) n.replicas.push(rep);
      pool.replicas.push(rep);
      replicas.push(rep);
    }
    pool.scores = new MinTree(pool.replicas.length);
    pools.push(pool);
  });
  if (issues.length) throw new InputError(issues);

  // ---- request classes and their service times on each pool ----
  const classes: ClassState[] = resolveClasses(s).map((c, index) => {
    for (const w of c.warnings) warnings.push(`${c.name}: ${w}`);
    return { ...c, index, slo: c.spec.slo_s };
  });
  const serviceRows: ServiceRow[] = [];
  const estimates: BuiltCluster['estimates'] = [];
  for (const cls of classes) {
    for (const [pi, pool] of pools.entries()) {
      if (!pool.modelIds.includes(cls.modelId)) continue;
      const path = Array.isArray(s.deployment) ? ['deployment', pi] : ['deployment'];
      // an inference knob of this pool: where the pool sets it, else the scenario's (which the pool's would override)
      const poolInference = (Array.isArray(s.deployment) ? s.deployment[pi] : s.deployment)?.inference as Record<string, unknown> | undefined;
      const knobAt = (knob: string) => (poolInference?.[knob] !== undefined ? [...path, 'inference', knob] : ['inference', knob]);
      let times: ServiceTime;
      try {
        times = serviceOf(pool, cls);
      } catch (e) {
        if (!(e instanceof InputError)) throw e;
        const field = pool.stageProfile ? 'stage_times' : 'parallel';
        // an inference knob the GPU cannot run (attention kernel, fp8, int8): where the pool or the scenario sets it
        for (const i of e.issues) {
          const knob = i.path === 'attention' || i.path === 'dtype' || i.path === 'text_encoder_dtype' ? i.path : undefined;
          const at = knob ? knobAt(knob) : [...path, field];
          issues.push({ ...locate(at), path: at.join('.'), message: `class "${cls.name}": ${i.message}`, hint: i.hint });
        }
        continue;
      }
      if (!times.fits) issues.push({ ...locate(path), path: path.join('.'), message: `class "${cls.name}" does not fit on ${pool.gpu}: ${times.estimate.memory.verdict}`, hint: times.estimate.memory.fixes.map((f) => fieldText(f, (at) => (at.startsWith('inference.') ? knobAt(at.slice(10)).join('.') : at)))[0] });
      // a class without a chain has no post-processing stage to show
      const stages = STAGES.slice(pool.first, pool.last + 1).filter((st) => st !== 'postprocess' || cls.postprocess);
      if (stages.length === 0) continue;
      const post = pool.last >= 3;
      // a post-processing pool's row shows only its own stage (not what the model's other stages would take on its GPUs)
      const only = pool.first === 3;
      const full = times.fits ? fullBatch(pool, cls, path) : {};
      if (full.problem) issues.push({ ...locate(full.problem.at), path: full.problem.at.join('.'), message: full.problem.message, hint: full.problem.hint });
      serviceRows.push({ pool: pool.name, class: cls.name, stages, encode_s: only ? 0 : times.encode_s, denoise_s: only ? 0 : times.denoise_s, decode_s: only ? 0 : times.decode_s, postprocess_s: post ? times.postprocess_s : 0, postprocess_cpu_s: post ? times.postprocess_cpu_s : 0, total_s: partTime(pool, cls), peak_memory_gb: times.peak_memory_gb, ...(full.batch ? { batch: full.batch } : {}) });
      estimates.push({ pool: pool.name, class: cls.name, estimate: times.estimate });
      for (const w of times.estimate.warnings) if (!warnings.includes(w)) warnings.push(w);
    }
  }
  if (issues.length) throw new InputError(issues);
  for (const pool of pools) if (pool.modelIds.length > 1) pool.shared = sharedPoolModels(pool, classes);

  // ---- power: per-GPU levels of each pool from its (first) estimate, one meter channel per stage server ----
  for (const pool of pools) pool.power = powerLevels(estimates.find((e) => e.pool === pool.name)?.estimate, pool.gpu);
  for (const r of replicas) r.servers.forEach((server, k) => (server.power = meter.channel(`gpu:r${r.id}:s${k}`, 'gpus', r.nodes.map((n) => [n.id, 1 / r.nodes.length] as const))));
  return { nodes, pools, replicas, classes, meter, awakeGpus, flows, tiers, aggregatePipes, serviceRows, estimates, warnings };
}

const NO_PHASES: PhaseList = { seconds: [], watts: [] };
const NO_POWER: PowerLevels = { text_encode: 0, denoise: 0, vae_decode: 0, vae_idle_ranks: 0, transfer: 0, idle: 0, deep_idle: 0, postprocess: 0 };
