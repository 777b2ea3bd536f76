/**
 * The serving runtime: the discrete-event simulation of a cluster serving a stream of video requests. This file
 * wires the subsystems, one per file of this folder, and runs them:
 *
 *   state.ts        the cluster built from the scenario (nodes, pools, replicas, classes, meters) and the ports
 *   arrivals.ts     requests enter: arrival times, the class of each
 *   routing.ts      every place a request waits: router (routers/), pending FIFO, replica queues, timeouts
 *   service.ts      what a replica does with a batch: phases (phases.ts), steps, hand-over between stages
 *   cold-start.ts   process start → storage flow → host cast → copy to the GPUs; sleep and wake
 *   autoscale.ts    per pool, on queue length, utilization or SLO risk
 *   failures.ts     one renewal process per GPU, node and link, plus drills
 *   power.ts        what every GPU group and node draws (the meter integrates it)
 *   recorder.ts     counts, latencies, records and time series; result.ts: the summary and its price
 *
 * Invariants (each has its own test file, test/invariant-*.test.ts, run on every scenario in scenarios/):
 *   I1 conservation   arrived = completed + dropped + failed + in flight, overall and per class;
 *   I2 causality      every request's arrival ≤ start ≤ finish (a dropped one may have no start);
 *   I3 clock          simulated time never goes back: events, records, samples and power steps are in order;
 *   I4 determinism    the same scenario and seed give a byte-identical summary, records and time series, and
 *                     each subsystem draws from its own random stream (arrivals, mix, routing, failures);
 *   I5 energy         the IT energy equals the integral of the power steps, and the nodes' energies add up
 *                     to it;
 *   I6 availability   availability = 1 − replica-time down / replica-time lies in [0, 1], is 1 without
 *                     failures, and no replica serves while a unit it depends on is down.
 *
 * Same-time event order (engine/simulator.ts: time, then priority, then scheduling order): arrivals, phases,
 * loads, hand-overs, timeouts and failures at priority 0 in the order they were scheduled; autoscale checks at
 * 50; time-series samples at 100 (they see the state after everything else of the instant). At start: failure
 * processes, then each pool's replicas (loads, sleeps) and autoscale check, then the first arrival, then the
 * first sample.
 */
import { Simulator, RandomStreams } from '../engine/index.ts';
import type { Scenario } from '../scenario/schema.ts';
import type { InputIssue } from '../errors.ts';
import { buildCluster, type ClusterState } from './state.ts';
import { scenarioModelScope } from '../scenario/models.ts';
import { Recorder, sampleTimeSeries, type TimePoint } from './recorder.ts';
import { TimelineRecorder } from './timeline.ts';
import { makeRouter } from './routers/index.ts';
import { Routing } from './routing.ts';
import { Service } from './service.ts';
import { ColdStart } from './cold-start.ts';
import { Autoscaler } from './autoscale.ts';
import { Failures } from './failures.ts';
import { Power } from './power.ts';
import { Arrivals } from './arrivals.ts';
import { partTime } from './service-times.ts';
import { buildResult, type SimulationResult } from './result.ts';
import { checkBudget, checkRunning, type BudgetEstimate } from './budget.ts';
import { Cooling, coolingOf, coolingProblem } from './cooling.ts';
import { Monitoring } from './monitoring.ts';
import { InputError } from '../errors.ts';

export type { SimulationResult, RunSummary, Stats } from './result.ts';
export { summaryOf, usageOf } from './result.ts';
export type { RequestRecord, TimePoint, LatencySamples } from './recorder.ts';
export type { ReplicaState, TimelineEvent, TimelineBatch, TimelinePhase, TimelineLoad, TimelineHandoff, TimelineFailure, TimelineReplicaState, TimelineNodeState } from './timeline.ts';

export interface SimulationOptions {
  /** Keep a record per request (for CSV output). */
  records?: boolean;
  /** Keep every power step (for exact energy checks and power charts). */
  powerSteps?: boolean;
  /** Record the timeline: every phase, batch, cold start, hand-over, failure and state change (for the Chrome trace). */
  timeline?: boolean;
  /** Directory of the scenario file, to resolve relative paths (trace files). */
  baseDir?: string;
  /** Record the monitoring series (per GPU, node, pool and class) for the OpenMetrics export (report/openmetrics.ts). */
  monitoring?: boolean;
  /** Time-series sampling interval (s); default duration/500. */
  sampleInterval?: number;
  /** Called after every time-series sample (benchmarks use it to watch memory). */
  onSample?: (point: TimePoint) => void;
  /** Test mode: check the routing tree against a full scan at every pick (slow). */
  checkRouting?: boolean;
  /** Keep the latency and queue-wait samples as mergeable sketches (result.samples; sweeps pool replicates). */
  samples?: boolean;
  /** Multiply every arrival rate (capacity search). */
  rateScale?: number;
  /** Replay: each trace request served in its own observed stage time (the trace's stage boundaries) instead of the model's. */
  observedService?: boolean;
  /** Where a field came from, for errors raised while building the cluster. */
  locate?: (path: (string | number)[]) => Pick<InputIssue, 'source' | 'line' | 'col'>;
}

/** Where a run is: simulated time, whether the arrival window has closed, what is still in flight. */
export interface RunProgress {
  simTime: number;
  duration: number;
  draining: boolean;
  inFlight: number;
  events: number;
}

/**
 * A run built and checked against its budget (serving/budget.ts), advanced a slice of events at a time: the
 * slicing never changes what happens (the same events in the same order), it only lets a caller check the
 * limits, report progress and stop between slices.
 */
export interface SimulationRun {
  /** Processes up to `maxEvents` events; true once the run is over. Throws InputError past a limit. */
  advance(maxEvents: number): boolean;
  progress(): RunProgress;
  /** The result of the run, or of the run so far when `stoppedBecause` says why it stopped early (partial). */
  finish(stoppedBecause?: string): SimulationResult;
  readonly budget: BudgetEstimate;
  /** What building the run warned of before its first event (the cluster's notes, a trace's unread columns): `vgsim validate` prints them. */
  readonly warnings: readonly string[];
}

/** Events per slice of a synchronous run (the limits are checked between slices). */
const SLICE_EVENTS = 1_000_000;

export function simulate(s: Scenario, opts: SimulationOptions = {}): SimulationResult {
  const run = startSimulation(s, opts);
  while (!run.advance(SLICE_EVENTS));
  return run.finish();
}

export interface AsyncSimulationOptions extends SimulationOptions {
  /** Aborting stops the run between slices; the result is then partial (`partial` says when and why). */
  signal?: AbortSignal;
  /** Called between slices, about every `yieldMs`. */
  onProgress?: (p: RunProgress) => void;
  /** Wall time between yields to the event loop (signals, progress), ms (default 100). */
  yieldMs?: number;
}

/** simulate(), yielding to the event loop every ~100 ms so that SIGINT and progress can be handled; same result. */
export async function simulateAsync(s: Scenario, opts: AsyncSimulationOptions = {}): Promise<SimulationResult> {
  const run = startSimulation(s, opts);
  const yieldMs = opts.yieldMs ?? 100;
  for (let done = false; !done; ) {
    const t0 = performance.now();
    while (!done && performance.now() - t0 < yieldMs) done = run.advance(20_000);
    opts.onProgress?.(run.progress());
    if (done) break;
    await new Promise((r) => setImmediate(r));
    if (opts.signal?.aborted) return run.finish(typeof opts.signal.reason === 'string' ? opts.signal.reason : 'interrupted');
  }
  return run.finish();
}

/**
 * Builds the cluster, checks the run budget, sets the initial state and returns the run, not yet advanced.
 * Building, every slice and the result see the scenario's own models only (scenario/models.ts): runs in one
 * process never see each other's.
 */
export function startSimulation(s: Scenario, opts: SimulationOptions = {}): SimulationRun {
  const inModels = scenarioModelScope(s);
  const run = inModels(() => build(s, opts));
  return { budget: run.budget, warnings: run.warnings, progress: run.progress, advance: (n) => inModels(() => run.advance(n)), finish: (why) => inModels(() => run.finish(why)) };
}

function build(s: Scenario, opts: SimulationOptions): SimulationRun {
  const wallStart = process.hrtime.bigint();
  const sim = new Simulator();
  const streams = new RandomStreams(s.seed);
  const rng = { mix: streams.stream('mix'), routing: streams.stream('routing'), failures: streams.stream('failures'), arrivals: streams.stream('arrivals'), service: streams.stream('service') };
  const locate = opts.locate ?? (() => ({ source: 'scenario' }));
  const built = buildCluster(s, sim, locate, opts.powerSteps ?? false, opts.baseDir);
  const state: ClusterState = {
    ...built, scenario: s, sim, rng,
    recorder: new Recorder(sim, opts.records ?? false),
    timeline: opts.timeline ? new TimelineRecorder(sim) : undefined,
    cooling: undefined,
    monitoring: undefined,
    ports: undefined as unknown as ClusterState['ports'],
    observedService: opts.observedService ?? false,
  };
  // cooling: modelled when the scenario gives it; otherwise the reference air path, only for the monitoring export
  if (s.cluster.cooling || opts.monitoring) {
    state.cooling = new Cooling(state, coolingOf(s));
    const problems = state.cooling.allParams().map(coolingProblem).filter((p) => p !== undefined);
    if (s.cluster.cooling && problems.length) throw new InputError([{ ...locate(['cluster', 'cooling']), path: 'cluster.cooling', message: problems[0]!.message, hint: problems[0]!.hint }]);
  }
  if (opts.monitoring) {
    const monitoring = (state.monitoring = new Monitoring(state));
    state.recorder.onComplete = (cls, latency) => monitoring.complete(cls, latency);
  }

  // ---- the subsystems, and the ports through which they call each other ----
  const router = makeRouter(s.scheduling.routing, { now: () => sim.now, random: rng.routing, partTime });
  const routing = new Routing(state, router, opts.checkRouting);
  const service = new Service(state, routing);
  const coldStart = new ColdStart(state);
  const autoscaler = new Autoscaler(state);
  const power = new Power(state);
  const failures = new Failures(state);
  state.ports = {
    dispatch: (req) => routing.dispatch(req),
    touch: (rep) => routing.touch(rep),
    startNext: (rep) => service.startNext(rep),
    load: (rep) => coldStart.load(rep),
    wake: (rep) => coldStart.wake(rep),
    sleep: (rep) => coldStart.sleep(rep),
    scaleUp: (pool, why) => autoscaler.scaleUp(pool, why),
    idlePower: (rep) => power.idlePower(rep),
    markAwake: (rep) => power.markAwake(rep),
    updateNodePower: (n) => power.updateNodePower(n),
  };
  failures.start(locate);
  const arrivals = new Arrivals(state, { baseDir: opts.baseDir, rateScale: opts.rateScale });

  // ---- initial state: warm replicas serve at t=0; cold ones load; autoscaled pools start at their minimum ----
  for (const n of state.nodes) power.updateNodePower(n);
  for (const pool of state.pools) {
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
      } else coldStart.load(rep);
    });
    for (const rep of pool.replicas) if (rep.state === 'asleep') coldStart.sleep(rep);
    for (const rep of pool.replicas) power.idlePower(rep);
    autoscaler.start(pool);
  }
  for (const n of state.nodes) power.updateNodePower(n);
  const sampleInterval = opts.sampleInterval ?? s.output.sample_interval_s ?? Math.max(1, s.duration / 500);
  const budget = checkBudget(state, { records: opts.records ?? false, timeline: opts.timeline ?? false, powerSteps: opts.powerSteps ?? false, monitoring: opts.monitoring ?? false, sampleInterval, rateScale: opts.rateScale ?? 1, arrivals: arrivals.traceCount() }, locate);
  arrivals.start();
  const monitoring = state.monitoring;
  const onSample = monitoring ? (p: TimePoint) => (monitoring.sample(), opts.onSample?.(p)) : opts.onSample;
  sampleTimeSeries(state, sampleInterval, onSample);

  // the arrival window, then (with drain) until every admitted request has finished: failure and autoscale
  // processes keep scheduling, so the drain stops at the first instant with nothing left in flight
  let phase: 'window' | 'drain' | 'done' = 'window';
  let midInstant = false;
  const continueDrain = () => {
    // a slice that stopped inside an instant resumes it; the check is made between instants only
    if (midInstant) {
      midInstant = false;
      if (sim.peek() === sim.now) return true;
    }
    return state.recorder.inFlight > 0;
  };
  return {
    budget,
    warnings: [...state.warnings, ...arrivals.traceWarnings()],
    advance(maxEvents: number): boolean {
      if (phase === 'done') return true;
      const before = sim.eventsProcessed;
      if (phase === 'window') sim.run({ until: s.duration, maxEvents });
      else sim.run({ continueAtInstant: continueDrain, maxEvents });
      checkRunning(state, budget, locate);
      if (sim.eventsProcessed - before < maxEvents) phase = phase === 'window' && s.drain ? 'drain' : 'done';
      else midInstant = phase === 'drain';
      return phase === 'done';
    },
    progress: () => ({ simTime: sim.now, duration: s.duration, draining: phase === 'drain', inFlight: state.recorder.inFlight, events: sim.eventsProcessed }),
    finish(stoppedBecause?: string): SimulationResult {
      const end = sim.now;
      state.timeline?.close(end);
      // the monitoring export's last sample at the run's end: the grid's last one can precede the drain's last
      // completion (default scenario: 168 of 169 completed, the counters short of the summary); only where the
      // export's millisecond timestamps tell the two apart
      const m = state.monitoring;
      if (m && end - m.series.t[m.series.t.length - 1]! >= 1e-3) m.sample();
      const result = buildResult(state, { end, rateScale: opts.rateScale ?? 1, wallTimeS: Number(process.hrtime.bigint() - wallStart) / 1e9, records: opts.records ?? false, powerSteps: opts.powerSteps ?? false });
      if (opts.samples) result.samples = state.recorder.samples(state.classes);
      result.warnings.push(...arrivals.traceWarnings());
      const beyond = arrivals.traceBeyondWindow();
      if (beyond) result.warnings.push(beyond);
      // (a partial run says where it stopped instead)
      const drills = stoppedBecause !== undefined && phase !== 'done' ? undefined : failures.drillsAfterEnd(end);
      if (drills) result.warnings.push(drills);
      if (stoppedBecause !== undefined && phase !== 'done') {
        result.partial = { reason: stoppedBecause, at_s: end };
        result.warnings.push(`partial run: stopped (${stoppedBecause}) at simulated time ${end.toFixed(1)} s of ${s.duration} s; ${state.recorder.inFlight} requests were still in flight`);
      }
      phase = 'done';
      return result;
    },
  };
}
