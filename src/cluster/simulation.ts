/**
 * The serving runtime: requests arrive, a router picks a replica, the replica's queue orders waiting
 * requests, and each replica runs one request at a time stage by stage (text encode → denoise → VAE
 * decode) with stage times from the pre-tabulated cost model. Counters keep every request accounted for:
 * arrived = completed + dropped + failed + in flight.
 */
import { Simulator, RandomStreams, PriorityQueue, FifoQueue, type EventHandle, type RandomStream } from '../engine/index.ts';
import { parsePlan, planGpus, groupGpus, formatPlan, type ParallelPlan } from '../parallel/plan.ts';
import type { Scenario, RequestClass, Pool } from '../scenario/schema.ts';
import { poolsOf } from '../scenario/check.ts';
import { makeArrivals, type ArrivalProcess } from '../workload/arrivals.ts';
import { getModel, resolveRequest, type RequestShape } from '../workload/request.ts';
import { canonicalId, getNode } from '../hardware/catalog.ts';
import { ServiceTimeTable, type ServiceTime } from './service-times.ts';
import { DEFAULT_INFERENCE, type Estimate, type InferenceOptions } from '../perf/estimate.ts';
import { QuantileSketch } from '../metrics/quantile-sketch.ts';
import { InputError, type InputIssue } from '../scenario/errors.ts';

export interface RequestRecord {
  id: number;
  cls: string;
  replica: number;
  arrival: number;
  start: number;
  finish: number;
  outcome: 'completed' | 'dropped' | 'failed';
  reason?: string;
}

interface Request {
  id: number;
  cls: ClassState;
  arrival: number;
  deadline: number;
  start: number;
  replica: ReplicaState | undefined;
  timeout: EventHandle | undefined;
  service: ServiceTime;
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
}

interface PoolState {
  name: string;
  spec: Pool;
  modelId: string;
  node: string;
  gpu: string;
  /** GPUs per replica. */
  gpus: number;
  plan: ParallelPlan;
  inference: InferenceOptions;
  replicas: ReplicaState[];
}

/**
 * A replica serves requests through one stage server, or two when the A14B experts sit on separate GPU
 * groups (experts=split): the high-noise group (text encode + high-noise steps) hands the latents to the
 * low-noise group (low-noise steps + VAE decode), so two requests can be in flight at once.
 */
interface ReplicaState {
  id: number;
  pool: PoolState;
  /** Waiting for the first stage, ordered by the queue policy. */
  queue: PriorityQueue<Request>;
  /** Waiting for the second stage (split experts), FIFO. */
  handoff: FifoQueue<Request>;
  stages: { running: Request | undefined; busySince: number; busyTime: number; gpus: number }[];
  served: number;
}

export interface TimePoint {
  t: number;
  busy_replicas: number;
  queued: number;
  in_flight: number;
  gpu_utilization: number;
}

export interface SimulationResult {
  scenario: string;
  seed: number;
  requests: { arrived: number; completed: number; dropped: number; failed: number; in_flight: number };
  latency_s: Stats;
  queue_wait_s: { mean: number; p50: number; p95: number; p99: number };
  slo_attainment: number | null;
  throughput_per_h: number;
  gpu_utilization: number;
  sim_time_s: number;
  wall_time_s: number;
  events: number;
  classes: { name: string; model: string; arrived: number; completed: number; dropped: number; service_s: number; latency_s: Stats; queue_wait_s: { mean: number; p95: number }; slo_s: number | null; slo_attainment: number | null }[];
  pools: { name: string; model: string; gpu: string; parallel: string; replicas: number; gpus_per_replica: number; utilization: number; served: number }[];
  service_times: { pool: string; class: string; encode_s: number; denoise_s: number; decode_s: number; total_s: number; peak_memory_gb: number }[];
  warnings: string[];
  timeseries: TimePoint[];
  records?: RequestRecord[];
  /** The cost-model estimates behind service_times (for reports; not part of the JSON summary). */
  estimates?: { pool: string; class: string; estimate: Estimate }[];
}

export interface Stats {
  mean: number;
  p50: number;
  p90: number;
  p95: number;
  p99: number;
  max: number;
}

export interface SimulationOptions {
  /** Keep a record per request (for CSV output). */
  records?: boolean;
  /** Directory of the scenario file, to resolve relative paths (trace files). */
  baseDir?: string;
  /** Time-series sampling interval (s); default duration/500. */
  sampleInterval?: number;
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

export function simulate(s: Scenario, opts: SimulationOptions = {}): SimulationResult {
  const wallStart = process.hrtime.bigint();
  const sim = new Simulator();
  const rng = new RandomStreams(s.seed);
  const mixRng = rng.stream('mix');
  const routeRng = rng.stream('routing');
  const table = new ServiceTimeTable();
  const warnings: string[] = [];
  const locate = opts.locate ?? (() => ({ source: 'scenario' }));

  // ---- pools and replicas ----
  const pools: PoolState[] = [];
  const replicas: ReplicaState[] = [];
  const issues: InputIssue[] = [];
  poolsOf(s).forEach((p, i) => {
    const path = Array.isArray(s.deployment) ? ['deployment', i] : ['deployment'];
    const nodeId = canonicalId('node', p.node ?? s.cluster.nodes[0]!.type);
    const node = getNode(nodeId);
    const plan = parsePlan(p.parallel, locate([...path, 'parallel']).source);
    const split = plan.experts === 'split';
    const pool: PoolState = {
      name: p.name ?? `pool${i}`,
      spec: p,
      modelId: getModel(p.model ?? s.model).id,
      node: nodeId,
      gpu: node.gpu,
      gpus: planGpus({ ...plan, dp: 1 }),
      plan: { ...plan, dp: 1 },
      inference: toInference({ ...s.inference, ...(p.inference ?? {}) }),
      replicas: [],
    };
    for (let r = 0; r < p.replicas * plan.dp; r++) {
      const stageGpus = groupGpus(plan);
      const rep: ReplicaState = {
        id: replicas.length, pool, queue: new PriorityQueue<Request>(), handoff: new FifoQueue<Request>(),
        stages: (split ? [0, 1] : [0]).map(() => ({ running: undefined, busySince: 0, busyTime: 0, gpus: stageGpus })),
        served: 0,
      };
      pool.replicas.push(rep);
      replicas.push(rep);
    }
    pools.push(pool);
  });
  if (issues.length) throw new InputError(issues);

  // ---- request classes and their service times on each pool ----
  const classes: ClassState[] = s.workload.mix.map((c) => {
    const model = getModel(c.model ?? s.model);
    const req = resolveRequest(model, { width: c.resolution?.width, height: c.resolution?.height, frames: c.frames, steps: c.steps, cfg: c.cfg });
    const shape: RequestShape = { width: req.width, height: req.height, frames: req.frames, steps: req.steps, cfg: req.cfg };
    for (const w of req.warnings) warnings.push(`${classLabel(c, shape)}: ${w}`);
    return { name: classLabel(c, shape), spec: c, modelId: model.id, shape, slo: c.slo_s, latency: new QuantileSketch(), wait: new QuantileSketch(), completed: 0, withinSlo: 0, arrived: 0, dropped: 0 };
  });
  const serviceTimes: SimulationResult['service_times'] = [];
  const estimates: NonNullable<SimulationResult['estimates']> = [];
  const fabric = s.cluster.fabric ? { link: s.cluster.fabric.link, oversubscription: s.cluster.fabric.oversubscription } : undefined;
  const serviceOf = (pool: PoolState, cls: ClassState) => table.lookup(pool.modelId, pool.node, pool.plan, cls.shape, pool.inference, fabric);
  classes.forEach((cls, ci) => {
    for (const [pi, pool] of pools.entries()) {
      if (pool.modelId !== cls.modelId) continue;
      let st: ServiceTime;
      try {
        st = serviceOf(pool, cls);
      } catch (e) {
        if (!(e instanceof InputError)) throw e;
        const path = Array.isArray(s.deployment) ? ['deployment', pi, 'parallel'] : ['deployment', 'parallel'];
        for (const i of e.issues) issues.push({ ...locate(path), path: path.join('.'), message: `class "${cls.name}": ${i.message}`, hint: i.hint });
        continue;
      }
      if (!st.fits) {
        const path = Array.isArray(s.deployment) ? ['deployment', pi] : ['deployment'];
        issues.push({ ...locate(path), path: path.join('.'), message: `class "${cls.name}" does not fit on ${pool.gpu}: ${st.estimate.memory.verdict}`, hint: st.estimate.memory.suggestions[0] });
      }
      serviceTimes.push({ pool: pool.name, class: cls.name, encode_s: st.encode_s, denoise_s: st.denoise_s, decode_s: st.decode_s, total_s: st.total_s, peak_memory_gb: st.peak_memory_gb });
      estimates.push({ pool: pool.name, class: cls.name, estimate: st.estimate });
      for (const w of st.estimate.warnings) if (!warnings.includes(w)) warnings.push(w);
    }
    void ci;
  });
  if (issues.length) throw new InputError(issues);
  const weights = classes.map((c) => c.spec.weight);
  const totalWeight = weights.reduce((a, b) => a + b, 0);

  // ---- routing ----
  let rrPointer = 0;
  const inService = (r: ReplicaState) => r.stages.reduce((a, st) => a + (st.running ? 1 : 0), 0) + r.handoff.size;
  const outstanding = (r: ReplicaState) => r.queue.size + inService(r);
  const route = (candidates: ReplicaState[]): ReplicaState => {
    switch (s.scheduling.routing) {
      case 'round-robin':
        return candidates[rrPointer++ % candidates.length]!;
      case 'random':
        return candidates[Math.floor(routeRng.uniform() * candidates.length)]!;
      case 'power-of-two': {
        const a = candidates[Math.floor(routeRng.uniform() * candidates.length)]!;
        const b = candidates[Math.floor(routeRng.uniform() * candidates.length)]!;
        return outstanding(b) < outstanding(a) ? b : a;
      }
      case 'join-shortest-queue':
        return argmin(candidates, (r) => r.queue.size + (r.stages[0]!.running ? 0.5 : 0));
      case 'least-outstanding':
        return argmin(candidates, outstanding);
    }
  };
  const queueKey = (req: Request): number => {
    switch (s.scheduling.queue) {
      case 'fcfs':
        return req.arrival;
      case 'priority':
        return req.cls.spec.priority * 1e12 + req.arrival;
      case 'sjf':
        return req.service.total_s;
      case 'edf':
        return req.deadline;
    }
  };

  // ---- counters ----
  let arrived = 0, completed = 0, dropped = 0, failed = 0, nextId = 0;
  const overallLatency = new QuantileSketch();
  const overallWait = new QuantileSketch();
  let withinSlo = 0, withSlo = 0;
  const records: RequestRecord[] | undefined = opts.records ? [] : undefined;
  const record = (req: Request, outcome: RequestRecord['outcome'], reason?: string) =>
    records?.push({ id: req.id, cls: req.cls.name, replica: req.replica?.id ?? -1, arrival: req.arrival, start: req.start, finish: sim.now, outcome, reason });

  // ---- replica service: stage 0 = whole request, or (split experts) encode + high-noise steps; stage 1 = the rest ----
  const stageDurations = (rep: ReplicaState, st: ServiceTime): number[] =>
    rep.stages.length === 1
      ? [st.encode_s, st.denoise_s, st.decode_s]
      : [st.encode_s + st.highSteps * st.step_s, st.total_s - st.encode_s - st.highSteps * st.step_s];
  const startNext = (rep: ReplicaState) => {
    const stage = rep.stages[0]!;
    if (stage.running) return;
    const req = rep.queue.pop();
    if (!req) return;
    if (req.timeout !== undefined) sim.cancel(req.timeout);
    req.start = sim.now;
    stage.running = req;
    stage.busySince = sim.now;
    const d = stageDurations(rep, req.service);
    if (rep.stages.length === 1) {
      // stage events: encode → denoise → decode → done
      sim.schedule(d[0]!, () => sim.schedule(d[1]!, () => sim.schedule(d[2]!, () => finishStage(rep, 0, req))));
    } else sim.schedule(d[0]!, () => finishStage(rep, 0, req));
  };
  const startSecond = (rep: ReplicaState) => {
    const stage = rep.stages[1]!;
    if (stage.running) return;
    const req = rep.handoff.shift();
    if (!req) return;
    stage.running = req;
    stage.busySince = sim.now;
    sim.schedule(stageDurations(rep, req.service)[1]!, () => finishStage(rep, 1, req));
  };
  const finishStage = (rep: ReplicaState, index: number, req: Request) => {
    const stage = rep.stages[index]!;
    stage.running = undefined;
    stage.busyTime += sim.now - stage.busySince;
    if (index === 0 && rep.stages.length === 2) {
      rep.handoff.push(req);
      startSecond(rep);
      startNext(rep);
      return;
    }
    if (index === 1) startSecond(rep);
    finish(rep, req);
  };
  const finish = (rep: ReplicaState, req: Request) => {
    rep.served++;
    completed++;
    const latency = sim.now - req.arrival;
    const wait = req.start - req.arrival;
    req.cls.completed++;
    req.cls.latency.add(latency);
    req.cls.wait.add(wait);
    overallLatency.add(latency);
    overallWait.add(wait);
    if (req.cls.slo !== undefined) {
      withSlo++;
      if (latency <= req.cls.slo) {
        withinSlo++;
        req.cls.withinSlo++;
      }
    }
    record(req, 'completed');
    startNext(rep);
  };
  const drop = (req: Request, reason: string) => {
    dropped++;
    req.cls.dropped++;
    record(req, 'dropped', reason);
  };

  // ---- arrivals ----
  const arrivals: ArrivalProcess = makeArrivals(s.workload.arrivals, rng.stream('arrivals'), s.workload.arrivals.process === 'trace' ? resolvePath(opts.baseDir, s.workload.arrivals.file) : undefined);
  const traceClass = new Map<string, ClassState>();
  const classForTrace = (): ClassState => {
    const row = arrivals.lastRow?.();
    if (!row || (row.width === undefined && row.frames === undefined && row.steps === undefined && row.model === undefined)) return classes[mixRng.weightedIndex(weights, totalWeight)]!;
    const base = classes[0]!;
    const model = getModel(row.model ?? base.modelId);
    const shape: RequestShape = { width: row.width ?? base.shape.width, height: row.height ?? base.shape.height, frames: row.frames ?? base.shape.frames, steps: row.steps ?? base.shape.steps, cfg: base.shape.cfg };
    const key = JSON.stringify([model.id, shape, row.priority ?? 0]);
    let cls = traceClass.get(key);
    if (!cls) {
      const spec: RequestClass = { weight: 1, priority: row.priority ?? 0, model: model.id };
      cls = { name: classLabel(spec, shape), spec, modelId: model.id, shape, slo: base.slo, latency: new QuantileSketch(), wait: new QuantileSketch(), completed: 0, withinSlo: 0, arrived: 0, dropped: 0 };
      traceClass.set(key, cls);
      classes.push(cls);
    }
    return cls;
  };
  const arrive = () => {
    const cls = classForTrace();
    arrived++;
    cls.arrived++;
    const candidates = replicasServing(cls.modelId);
    const req: Request = { id: nextId++, cls, arrival: sim.now, deadline: cls.slo !== undefined ? sim.now + cls.slo : Infinity, start: NaN, replica: undefined, timeout: undefined, service: undefined as unknown as ServiceTime };
    if (candidates.length === 0) {
      drop(req, 'no replica serves this model');
    } else {
      const rep = route(candidates);
      req.replica = rep;
      req.service = serviceOf(rep.pool, cls);
      if (s.scheduling.max_queue !== undefined && rep.queue.size >= s.scheduling.max_queue) drop(req, 'queue full');
      else {
        rep.queue.push(req, queueKey(req));
        if (s.scheduling.timeout_s !== undefined) {
          req.timeout = sim.schedule(s.scheduling.timeout_s, () => {
            if (rep.queue.remove((x) => x === req)) drop(req, 'timed out in queue');
          });
        }
        startNext(rep);
      }
    }
    const t = arrivals.next(sim.now);
    if (t < s.duration) sim.scheduleAt(t, arrive);
  };
  const servingCache = new Map<string, ReplicaState[]>();
  const replicasServing = (modelId: string) => {
    let r = servingCache.get(modelId);
    if (!r) servingCache.set(modelId, (r = replicas.filter((x) => x.pool.modelId === modelId)));
    return r;
  };
  const first = arrivals.next(0);
  if (first < s.duration) sim.scheduleAt(first, arrive);

  // ---- time series ----
  const totalGpus = pools.reduce((a, p) => a + p.replicas.length * p.gpus, 0);
  const interval = opts.sampleInterval ?? Math.max(1, s.duration / 500);
  const timeseries: TimePoint[] = [];
  const sample = () => {
    let busy = 0, queued = 0, busyGpus = 0;
    for (const r of replicas) {
      let any = false;
      for (const st of r.stages) {
        if (st.running) {
          any = true;
          busyGpus += st.gpus;
        }
      }
      if (any) busy++;
      queued += r.queue.size + r.handoff.size;
    }
    timeseries.push({ t: sim.now, busy_replicas: busy, queued, in_flight: arrived - completed - dropped - failed, gpu_utilization: totalGpus ? busyGpus / totalGpus : 0 });
    if (sim.now + interval <= s.duration || (s.drain && arrived - completed - dropped - failed > 0)) sim.schedule(interval, sample, 100);
  };
  sim.schedule(0, sample, 100);

  sim.run(s.drain ? {} : { until: s.duration });
  const end = sim.now;

  // ---- results ----
  const stageBusy = (st: ReplicaState['stages'][number]) => st.busyTime + (st.running ? end - st.busySince : 0);
  let gpuBusy = 0;
  for (const r of replicas) for (const st of r.stages) gpuBusy += stageBusy(st) * st.gpus;
  const inFlight = arrived - completed - dropped - failed;
  return {
    scenario: s.name,
    seed: s.seed,
    requests: { arrived, completed, dropped, failed, in_flight: inFlight },
    latency_s: statsOf(overallLatency),
    queue_wait_s: { mean: fin(overallWait.mean), p50: fin(overallWait.quantile(0.5)), p95: fin(overallWait.quantile(0.95)), p99: fin(overallWait.quantile(0.99)) },
    slo_attainment: withSlo > 0 ? withinSlo / withSlo : null,
    throughput_per_h: end > 0 ? (completed / end) * 3600 : 0,
    gpu_utilization: end > 0 && totalGpus > 0 ? gpuBusy / (totalGpus * end) : 0,
    sim_time_s: end,
    wall_time_s: Number(process.hrtime.bigint() - wallStart) / 1e9,
    events: sim.eventsProcessed,
    classes: classes.map((c) => ({
      name: c.name, model: c.modelId, arrived: c.arrived, completed: c.completed, dropped: c.dropped,
      service_s: pools.filter((p) => p.modelId === c.modelId).map((p) => serviceOf(p, c).total_s)[0] ?? NaN,
      latency_s: statsOf(c.latency), queue_wait_s: { mean: fin(c.wait.mean), p95: fin(c.wait.quantile(0.95)) },
      slo_s: c.slo ?? null, slo_attainment: c.slo !== undefined && c.completed > 0 ? c.withinSlo / c.completed : null,
    })),
    pools: pools.map((p) => {
      const gpuSeconds = p.replicas.reduce((a, r) => a + r.stages.reduce((b, st) => b + stageBusy(st) * st.gpus, 0), 0);
      return { name: p.name, model: p.modelId, gpu: p.gpu, parallel: formatPlan(p.plan), replicas: p.replicas.length, gpus_per_replica: p.gpus, utilization: end > 0 ? gpuSeconds / (p.replicas.length * p.gpus * end) : 0, served: p.replicas.reduce((a, r) => a + r.served, 0) };
    }),
    service_times: serviceTimes,
    warnings,
    timeseries,
    records,
    estimates,
  };
}

function fin(x: number): number {
  return Number.isFinite(x) ? x : 0;
}

function argmin<T>(xs: T[], f: (x: T) => number): T {
  let best = xs[0]!;
  let bv = f(best);
  for (let i = 1; i < xs.length; i++) {
    const v = f(xs[i]!);
    if (v < bv) {
      bv = v;
      best = xs[i]!;
    }
  }
  return best;
}

function resolvePath(baseDir: string | undefined, file: string): string {
  return baseDir && !file.startsWith('/') ? `${baseDir}/${file}` : file;
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
  };
}

export type { RandomStream };
