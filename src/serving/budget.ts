/**
 * The run budget (`limits:`, scenario/limits.ts): how much work and memory a run will take, estimated from the
 * scenario and its cost model before the run starts, and watched while it runs.
 *
 * Before: expected arrivals (rate × window, or the trace's rows) × events per request (one arrival, one per
 * phase — a denoising step each at step granularity — and a timeout), plus time-series samples, autoscale checks
 * and failure/repair/reload events over the window and the drain; memory from the per-request records, the
 * waiting backlog (offered load above the cluster's service rate piles up), the time series and the timeline.
 * The cluster's service rate is every replica of a model busy back to back at its largest batch. A run whose
 * estimate passes a limit, or whose offered load is more than `max_overload` times that rate, is refused with
 * an InputError that names the estimate, the limit and the --set that raises it.
 *
 * While running: the same limits on what is actually processed and kept (events, samples, records, requests in
 * flight), checked between slices of events, so a run the estimate misjudged (a drain that never ends) stops
 * with the same kind of message instead of hanging.
 */
import { InputError, type InputIssue } from '../errors.ts';
import type { Scenario } from '../scenario/schema.ts';
import { DEFAULT_LIMITS } from '../scenario/limits.ts';
import { ratePerSecond } from '../workload/arrivals.ts';
import type { ClusterState, PoolState } from './state.ts';
import { serviceOf, partTime } from './service-times.ts';

type Locate = (path: (string | number)[]) => Pick<InputIssue, 'source' | 'line' | 'col'>;

/** Bytes per kept item (V8 objects of these shapes, measured with --expose-gc on heapUsed deltas, rounded up). */
const BYTES = { record: 200, request: 300, sample: 150, timeline: 160, powerStep: 48, node: 4000, replica: 4000 };
/**
 * Numbers the monitoring series (serving/monitoring.ts) keep per sample: 7 per GPU, 3 per node, 7 per pool
 * (queued, busy, 5 replica states), 17 per class (4 counters, 11 latency buckets, sum, count); a number in a
 * growing JavaScript array takes 8 bytes (a double) to 16 (boxed), counted at 16.
 */
const MONITORED = { gpu: 7, node: 3, pool: 7, cls: 17, bytes: 16 };

/**
 * Work of one time-series sample, in events (the unit of limits.max_events): a sample visits every node and
 * replica, 0.03–0.16 of an event's time each (less on larger clusters), counted as 0.1, and with the
 * monitoring series every GPU, about 4.7 events' time each, counted as 5 (bench/budget-costs.ts measures
 * both against the time of an event of a busy run). A run of 25,000 nodes sampled every 0.1 s spends its
 * time there, not in its events.
 */
export const SAMPLE_WORK = { perNode: 0.1, perMonitoredGpu: 5 };

export function sampleWork(state: ClusterState, monitoring: boolean): number {
  const gpus = monitoring ? state.nodes.reduce((x, n) => x + n.spec.gpusPerNode, 0) : 0;
  return 1 + SAMPLE_WORK.perNode * (state.nodes.length + state.replicas.length) + SAMPLE_WORK.perMonitoredGpu * gpus;
}

/** Bytes of monitoring series one sample adds. */
function monitoringBytesPerSample(state: ClusterState): number {
  const gpus = state.nodes.reduce((x, n) => x + n.spec.gpusPerNode, 0);
  return (gpus * MONITORED.gpu + state.nodes.length * MONITORED.node + state.pools.length * MONITORED.pool + state.classes.length * MONITORED.cls) * MONITORED.bytes;
}
/** Events of one request besides its phases: arrival, dispatch to a replica, timeout. */
const EVENTS_PER_REQUEST = 3;
/** Events of one failure: the failure, the repair, the reload's steps (process start, storage, host copy). */
const EVENTS_PER_FAILURE = 6;

export interface BudgetEstimate {
  arrivals: number;
  eventsPerRequest: number;
  samples: number;
  /** Events one sample counts for (sampleWork). */
  sampleWork: number;
  events: number;
  memoryMb: number;
  /** Requests per second the cluster can serve (every replica busy at its largest batch). */
  serviceRatePerS: number;
  offeredPerS: number;
  /** Requests left waiting when the arrival window closes (offered load above the service rate). */
  backlog: number;
  /** Simulated seconds after the window until the backlog drains (0 without drain). */
  drainS: number;
}

export interface BudgetOptions {
  records: boolean;
  timeline: boolean;
  powerSteps: boolean;
  /** The monitoring series for the OpenMetrics export (SimulationOptions.monitoring). */
  monitoring?: boolean;
  sampleInterval: number;
  rateScale: number;
  /** Arrivals the process will make in the window (trace replay: its rows), when known exactly. */
  arrivals?: number;
}

const limitsOf = (s: Scenario) => ({ ...DEFAULT_LIMITS, ...(s.limits ?? {}) });

/** Whether a pool serves requests of a class: its model (a shared pool: one of them); a post-processing pool only chains. */
const serves = (pool: PoolState, c: ClusterState['classes'][number]) => pool.modelIds.includes(c.modelId) && (pool.first < 3 || c.postprocess !== undefined);

/** Service rate of a pool for its classes' mix (requests/s): replicas × largest batch / mean work per request. */
function poolRate(state: ClusterState, pool: PoolState): number {
  let w = 0;
  let work = 0;
  for (const c of state.classes) {
    if (!serves(pool, c)) continue;
    w += c.spec.weight;
    work += c.spec.weight * partTime(pool, c);
  }
  if (!(w > 0 && work > 0)) return 0;
  const batch = pool.spec.batching?.max_batch ?? 1;
  const stages = pool.replicas[0]?.servers.length ?? 1; // split experts: a two-stage pipeline
  return (pool.replicas.length * batch * stages) / (work / w);
}

/**
 * Requests/s the cluster serves: per model its slowest stage (the pools running it added; post-processing only
 * where a pool runs it), models added. A shared pool counts for each of its models: an upper bound, so the
 * overload check never refuses a run it should not.
 */
function serviceRate(state: ClusterState): number {
  const byModel = new Map<string, number[]>();
  for (const pool of state.pools) {
    const r = poolRate(state, pool);
    for (const m of pool.modelIds) {
      const caps = byModel.get(m) ?? [0, 0, 0, 0];
      for (let st = pool.first; st <= pool.last; st++) caps[st]! += r;
      byModel.set(m, caps);
    }
  }
  let total = 0;
  for (const caps of byModel.values()) total += Math.min(...caps.filter((c, st) => st < 3 || c > 0));
  return total;
}

export function estimateBudget(state: ClusterState, o: BudgetOptions): BudgetEstimate {
  const s = state.scenario;
  const a = s.workload.arrivals;
  const offeredPerS = a.process === 'trace' ? (o.arrivals ?? 0) / Math.max(s.duration, 1e-9) : ratePerSecond(a) * o.rateScale;
  const arrivals = o.arrivals ?? offeredPerS * s.duration;
  // events per request: phases of the mix's classes (batch 1: an upper bound), weighted by the mix
  const step = s.scheduling.granularity === 'step';
  let w = 0;
  let phases = 0;
  for (const c of state.classes) {
    // the pools a request of the class passes through: one per span of stages, from encode to decode (or its
    // post-processing chain)
    let n = 0;
    for (let stage = 0; stage < (c.postprocess ? 4 : 3); ) {
      const p = state.pools.find((x) => serves(x, c) && x.first === stage);
      if (!p) break;
      const denoise = p.first <= 1 && p.last >= 1 ? (step ? serviceOf(p, c).steps : 1) : 0;
      const last = Math.min(p.last, c.postprocess ? 3 : 2); // a pool runs post-processing only for a chain
      n += denoise + (last - p.first + 1) + 2; // the steps, a phase per other stage, the transfers or swap
      stage = last + 1;
    }
    w += c.spec.weight;
    phases += c.spec.weight * n;
  }
  const eventsPerRequest = EVENTS_PER_REQUEST + (w > 0 ? phases / w : 0);
  const serviceRatePerS = serviceRate(state);
  const backlog = Math.max(0, (offeredPerS - serviceRatePerS) * s.duration);
  const drainS = s.drain && serviceRatePerS > 0 ? backlog / serviceRatePerS : 0;
  const horizon = s.duration + drainS;
  const samples = horizon / o.sampleInterval + 1;
  const ticks = state.pools.reduce((x, p) => x + (p.autoscale ? horizon / p.autoscale.interval_s : 0), 0);
  let failures = 0;
  const f = s.failures;
  if (f) {
    const gpus = state.nodes.reduce((x, n) => x + n.spec.gpusPerNode, 0);
    for (const [unit, count] of [['gpu', gpus], ['node', state.nodes.length], ['link', state.nodes.length]] as const) {
      const p = f[unit];
      if (p) failures += (count * horizon) / ((p.mtbf_h + p.mttr_h) * 3600);
    }
    failures += f.events.length;
  }
  const perSample = sampleWork(state, o.monitoring ?? false);
  const events = arrivals * eventsPerRequest + samples * perSample + ticks + failures * EVENTS_PER_FAILURE;
  const bytes =
    state.nodes.length * BYTES.node + state.replicas.length * BYTES.replica + samples * BYTES.sample + backlog * BYTES.request +
    (o.records ? arrivals * BYTES.record : 0) + (o.timeline ? events * BYTES.timeline : 0) + (o.powerSteps ? events * BYTES.powerStep : 0) +
    (o.monitoring ? samples * monitoringBytesPerSample(state) : 0);
  return { arrivals, eventsPerRequest, samples, sampleWork: perSample, events, memoryMb: bytes / 1e6, serviceRatePerS, offeredPerS, backlog, drainS };
}

const fmt = (x: number) => (x >= 1e5 ? x.toExponential(1).replace('e+', 'e') : Math.round(x).toLocaleString('en-US'));
const rate = (perS: number) => (Number.isFinite(perS * 3600) ? `${fmt(perS * 3600)}/h` : `${fmt(perS)}/s`);

/** Refuses a run whose estimate passes a limit (InputError with the estimate, the limit and the --set). */
export function checkBudget(state: ClusterState, o: BudgetOptions, locate: Locate): BudgetEstimate {
  const s = state.scenario;
  const limits = limitsOf(s);
  const e = estimateBudget(state, o);
  const issues: InputIssue[] = [];
  // the field that sets the traffic: the rate given (or the trace file), where the user wrote it
  const a = s.workload.arrivals;
  const rateKey = a.process === 'trace' ? 'file' : (['rate_per_hour', 'rate_per_min', 'rate_per_s'] as const).find((k) => a[k] !== undefined);
  const traffic: string[] = ['workload', 'arrivals', ...(rateKey ? [rateKey] : [])];
  const driver: (string | number)[] = e.arrivals * e.eventsPerRequest >= e.samples * e.sampleWork ? traffic : ['output', 'sample_interval_s'];
  // (an overload past any number is the out-of-range case below, with no limit to raise)
  if (e.serviceRatePerS > 0 && e.offeredPerS > limits.max_overload * e.serviceRatePerS && Number.isFinite(e.offeredPerS / e.serviceRatePerS)) {
    issues.push({
      ...locate(traffic), path: traffic.join('.'),
      message: `the offered load (${rate(e.offeredPerS)}) is ${fmt(e.offeredPerS / e.serviceRatePerS)}× what the cluster can ever serve (${rate(e.serviceRatePerS)}, every replica busy at its largest batch); the limit is ${fmt(limits.max_overload)}× (limits.max_overload)`,
      hint: `a saturation study needs 2–10×; lower the rate, add replicas, or --set limits.max_overload=${fmt(Math.ceil(e.offeredPerS / e.serviceRatePerS))}`,
    });
  }
  if (!Number.isFinite(e.events) || !Number.isFinite(e.memoryMb)) {
    // no count to give and no limit worth raising: say what is out of range (it printed "Infinity" and
    // suggested --set limits.max_events=Infinity, which no scenario can hold)
    issues.push({
      ...locate(traffic), path: traffic.join('.'),
      message: `the rate or the duration is out of range: ${rate(e.offeredPerS)} over ${fmt(s.duration)} s gives more arrivals${e.drainS > 0 ? ' and a longer drain' : ''} than any run can count (the limit is ${fmt(limits.max_events)} events, limits.max_events)`,
      hint: 'lower the rate or shorten duration',
    });
  } else if (e.events > limits.max_events) {
    issues.push({
      ...locate(driver), path: driver.join('.'),
      message: `the run would process about ${fmt(e.events)} events (${fmt(e.arrivals)} arrivals × ${e.eventsPerRequest.toFixed(0)} events each, ${fmt(e.samples)} time-series samples${e.sampleWork >= 2 ? ` counted as ${fmt(e.sampleWork)} events each (every node, replica${o.monitoring ? ' and monitored GPU' : ''})` : ''}${e.drainS > 0 ? `, a ${fmt(e.drainS / 3600)} h drain` : ''}); the limit is ${fmt(limits.max_events)} (limits.max_events)`,
      hint: `${driver[0] === 'output' ? 'sample less often (a larger output.sample_interval_s), shorten duration' : `shorten duration, lower the rate${s.scheduling.granularity === 'step' ? ', use scheduling.granularity: stage' : ''}`}, or raise the limit: --set limits.max_events=${fmt(e.events * 1.2)}`,
    });
  }
  if (Number.isFinite(e.events) && e.memoryMb > limits.max_memory_mb) {
    issues.push({
      ...locate(driver), path: driver.join('.'),
      message: `the run would keep about ${fmt(e.memoryMb)} MB (${o.records ? `${fmt(e.arrivals)} per-request records, ` : ''}${fmt(e.backlog)} waiting requests, ${fmt(e.samples)} samples${o.monitoring ? ' with every GPU\'s monitoring series' : ''}); the limit is ${fmt(limits.max_memory_mb)} MB (limits.max_memory_mb)`,
      hint: `shorten duration or lower the rate, or raise the limit: --set limits.max_memory_mb=${fmt(e.memoryMb * 1.2)} (and node --max-old-space-size above it)`,
    });
  }
  if (issues.length) throw new InputError(issues);
  return e;
}

/**
 * The limits applied to what a run actually holds, between slices of events: throws an InputError saying what
 * ran over, when, and the --set that raises the limit.
 */
export function checkRunning(state: ClusterState, estimate: BudgetEstimate | undefined, locate: Locate): void {
  const s = state.scenario;
  const limits = limitsOf(s);
  const rec = state.recorder;
  // events, with each sample counted at its work (sampleWork)
  const events = state.sim.eventsProcessed + rec.timeseries.length * ((estimate?.sampleWork ?? 1) - 1);
  // written only when a limit is passed (each toLocaleString builds an Intl.NumberFormat; this runs after every slice of events)
  const at = () => `at simulated time ${fmt(state.sim.now)} s of a ${fmt(s.duration)} s window${state.sim.now > s.duration ? ` (draining ${fmt(rec.inFlight)} requests)` : ''}`;
  const was = () => (estimate ? `; the estimate before the run was ${fmt(estimate.events)} events` : '');
  if (events > limits.max_events) {
    throw new InputError([{ ...locate(['limits', 'max_events']), path: 'limits.max_events', message: `the run passed its limit of ${fmt(limits.max_events)} events ${at()}${was()}`, hint: `a drain that never ends (requests nothing can serve) looks like this; or raise the limit: --set limits.max_events=${fmt(limits.max_events * 4)}` }]);
  }
  const bytes = state.nodes.length * BYTES.node + state.replicas.length * BYTES.replica + rec.timeseries.length * BYTES.sample + rec.inFlight * BYTES.request + (rec.records?.length ?? 0) * BYTES.record + (state.timeline?.events.length ?? 0) * BYTES.timeline +
    (state.monitoring ? state.monitoring.series.t.length * monitoringBytesPerSample(state) : 0);
  if (bytes / 1e6 > limits.max_memory_mb) {
    throw new InputError([{ ...locate(['limits', 'max_memory_mb']), path: 'limits.max_memory_mb', message: `the run's records, samples and waiting requests passed its limit of ${fmt(limits.max_memory_mb)} MB ${at()}`, hint: `raise the limit: --set limits.max_memory_mb=${fmt(limits.max_memory_mb * 4)} (and node --max-old-space-size above it)` }]);
  }
}
