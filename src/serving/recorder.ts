/**
 * The run's metrics, kept apart from the entities they describe: how many requests arrived and how each ended
 * (completed, dropped with a reason, failed), latencies and queue waits in streaming sketches (overall and per
 * class), SLO attainment, cold starts, autoscaling, failures and hand-overs, the optional per-request records,
 * and the time series sampled at a fixed interval.
 *
 * Conservation holds by construction: every request is counted once on arrival and once when it ends, so
 * arrived = completed + dropped + failed + in flight at every instant.
 */
import type { Simulator } from '../engine/index.ts';
import { QuantileSketch, type SketchSnapshot } from '../metrics/quantile-sketch.ts';
import type { ClassState, ClusterState, Request } from './state.ts';

export interface RequestRecord {
  id: number;
  cls: string;
  /** The replica that served it last (-1: none), and its pool ('' when none). */
  replica: number;
  pool: string;
  arrival: number;
  /** Start of its first service; NaN when it never started. */
  start: number;
  finish: number;
  outcome: 'completed' | 'dropped' | 'failed';
  retries: number;
  /** The class's latency SLO (s), if it has one. */
  slo_s?: number;
  reason?: string;
}

/** A request still in the cluster when the run ended (requests.csv lists it with state in_flight). */
export type InFlightRecord = Omit<RequestRecord, 'finish' | 'outcome' | 'reason'>;

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

/** A run's latencies and queue waits as mergeable sketches, overall and per class (sweeps pool replicate runs). */
export interface LatencySamples {
  latency_s: SketchSnapshot;
  queue_wait_s: SketchSnapshot;
  /** By class name. */
  classes: Record<string, { latency_s: SketchSnapshot; queue_wait_s: SketchSnapshot }>;
}

/** Counts and latencies of one request class. */
export interface ClassMetrics {
  latency: QuantileSketch;
  wait: QuantileSketch;
  arrived: number;
  completed: number;
  withinSlo: number;
  dropped: number;
  failed: number;
}

export class Recorder {
  arrived = 0;
  completed = 0;
  dropped = 0;
  failed = 0;
  retried = 0;
  scaleUps = 0;
  scaleDowns = 0;
  nodeBoots = 0;
  nodeShutdowns = 0;
  coldStarts = 0;
  readonly failures = { gpu: 0, node: 0, link: 0 };
  /** GPU time spent on requests a failure interrupted (s). */
  lostGpuSeconds = 0;
  readonly handoffs = { count: 0, bytes: 0, seconds: 0 };
  /** Host-CPU encodes after post-processing (cpu-encode.ts): how many, their waits for free cores, core-seconds. */
  readonly cpuEncodes = { encodes: 0, waitSeconds: 0, coreSeconds: 0 };
  readonly coldStartTimes = new QuantileSketch();
  readonly latency = new QuantileSketch();
  readonly wait = new QuantileSketch();
  /** Requests with an SLO that met it, and all that ended (completed, dropped or failed; not those in flight at the end). */
  withinSlo = 0;
  withSlo = 0;
  videoSeconds = 0;
  readonly byClass: ClassMetrics[] = [];
  readonly records: RequestRecord[] | undefined;
  /** With records: the requests in the cluster now, by id (so the in-flight ones can be listed at the end). */
  private readonly live: Map<number, Request> | undefined;
  readonly timeseries: TimePoint[] = [];
  /** Called with every completed request's latency and queue wait (the monitoring series' histograms). */
  onComplete: ((cls: ClassState, latency: number, wait: number) => void) | undefined;
  private nextId = 0;

  constructor(private readonly sim: Simulator, keepRecords: boolean) {
    this.records = keepRecords ? [] : undefined;
    this.live = keepRecords ? new Map() : undefined;
  }

  /** With records: the requests still in flight, as records (arrival order). */
  inFlightRecords(): InFlightRecord[] | undefined {
    if (!this.live) return undefined;
    return [...this.live.values()].map((req) => ({ id: req.id, cls: req.cls.name, replica: req.replica?.id ?? -1, pool: req.replica?.pool.name ?? '', arrival: req.arrival, start: req.start, retries: req.retries, ...(req.cls.slo !== undefined ? { slo_s: req.cls.slo } : {}) }));
  }

  /** Metrics of a class, created on first use (classes a trace names appear during the run). */
  of(cls: ClassState): ClassMetrics {
    return (this.byClass[cls.index] ??= { latency: new QuantileSketch(), wait: new QuantileSketch(), arrived: 0, completed: 0, withinSlo: 0, dropped: 0, failed: 0 });
  }

  get inFlight(): number {
    return this.arrived - this.completed - this.dropped - this.failed;
  }

  /** A new request of the class, arriving now. */
  arrive(cls: ClassState): Request {
    this.arrived++;
    this.of(cls).arrived++;
    const now = this.sim.now;
    const req: Request = { id: this.nextId++, cls, arrival: now, deadline: cls.slo !== undefined ? now + cls.slo : Infinity, start: NaN, replica: undefined, timeout: undefined, retries: 0, stage: 0 };
    this.live?.set(req.id, req);
    return req;
  }

  complete(req: Request): void {
    this.completed++;
    const latency = this.sim.now - req.arrival;
    const wait = req.start - req.arrival;
    const c = this.of(req.cls);
    c.completed++;
    c.latency.add(latency);
    c.wait.add(wait);
    this.latency.add(latency);
    this.wait.add(wait);
    this.videoSeconds += req.cls.videoSeconds;
    this.onComplete?.(req.cls, latency, wait);
    if (req.cls.slo !== undefined) {
      this.withSlo++;
      if (latency <= req.cls.slo) {
        this.withinSlo++;
        c.withinSlo++;
      }
    }
    this.record(req, 'completed');
  }

  /** A request turned away or timed out: with an SLO, a miss (the user got no video within it). */
  drop(req: Request, reason: string): void {
    this.dropped++;
    this.of(req.cls).dropped++;
    if (req.cls.slo !== undefined) this.withSlo++;
    this.record(req, 'dropped', reason);
  }

  /** A request lost to a hardware failure (no retry left, or the policy drops): with an SLO, a miss. */
  fail(req: Request): void {
    this.failed++;
    this.of(req.cls).failed++;
    if (req.cls.slo !== undefined) this.withSlo++;
    this.record(req, 'failed', 'hardware failure');
  }

  /** The latency samples of the run (SimulationOptions.samples). */
  samples(classes: readonly ClassState[]): LatencySamples {
    const byName: LatencySamples['classes'] = {};
    for (const c of classes) {
      const m = this.of(c);
      byName[c.name] = { latency_s: m.latency.snapshot(), queue_wait_s: m.wait.snapshot() };
    }
    return { latency_s: this.latency.snapshot(), queue_wait_s: this.wait.snapshot(), classes: byName };
  }

  private record(req: Request, outcome: RequestRecord['outcome'], reason?: string): void {
    if (!this.records) return;
    this.live!.delete(req.id);
    this.records.push({ id: req.id, cls: req.cls.name, replica: req.replica?.id ?? -1, pool: req.replica?.pool.name ?? '', arrival: req.arrival, start: req.start, finish: this.sim.now, outcome, retries: req.retries, ...(req.cls.slo !== undefined ? { slo_s: req.cls.slo } : {}), reason });
  }
}

/**
 * Samples the time series every `interval` seconds from t = 0 (priority 100: after every other event of the
 * same instant), until the arrival window closes, and while requests are in flight when the run drains.
 */
export function sampleTimeSeries(state: ClusterState, interval: number, onSample?: (p: TimePoint) => void): void {
  const { sim, scenario: s, replicas, pools, nodes, meter, recorder } = state;
  const totalGpus = pools.reduce((a, p) => a + p.replicas.length * p.gpus, 0);
  const sample = () => {
    let busy = 0, queued = 0, busyGpus = 0, active = 0;
    for (const r of replicas) {
      let any = false;
      for (const server of r.servers) {
        if (server.batch) {
          any = true;
          busyGpus += server.gpus;
        }
      }
      if (any) busy++;
      if (r.state === 'active') active++;
      queued += r.queue.size + r.handoff.size;
    }
    for (const p of pools) queued += p.pending.size;
    const point: TimePoint = {
      t: sim.now, busy_replicas: busy, active_replicas: active, queued, in_flight: recorder.inFlight,
      gpu_utilization: totalGpus ? busyGpus / totalGpus : 0, nodes_on: nodes.filter((n) => n.state === 'on').length, power_kw: meter.watts / 1000,
    };
    recorder.timeseries.push(point);
    onSample?.(point);
    if (sim.now + interval <= s.duration || (s.drain && recorder.inFlight > 0)) sim.schedule(interval, sample, 100);
  };
  sim.schedule(0, sample, 100);
}
