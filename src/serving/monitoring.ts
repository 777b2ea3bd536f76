/**
 * Monitoring series: what an operator's Prometheus would scrape from the cluster, recorded at every time-series
 * sample when the run asks for them (SimulationOptions.monitoring; report/openmetrics.ts writes them):
 *
 *  - per GPU (as dcgm-exporter reports them): utilization and power as means over the sample interval (exact:
 *    busy seconds and energy differences), temperature, SM clock and framebuffer use at the sample instant,
 *    cumulative energy and throttled seconds;
 *  - per node: IT power (mean over the interval), power state, fan power (modelled cooling);
 *  - per pool: requests waiting, replicas by state, busy replicas;
 *  - per class: requests arrived / completed / dropped / failed, and a cumulative histogram of latency (the
 *    buckets below; counts, not sketches, so Prometheus' histogram_quantile works on them).
 * Reading the cluster schedules nothing, so a run with monitoring gives the same results as one without.
 */
import type { ClassState, ClusterState, NodeState, Replica, ReplicaState, StageServer } from './state.ts';
import { busySeconds } from './service.ts';
import { getGpu } from '../hardware/catalog.ts';

/** Latency histogram bucket bounds (s): 30 s to 2 h, the range of a video's end-to-end latency. */
export const LATENCY_BUCKETS_S = [30, 60, 120, 300, 600, 900, 1200, 1800, 2700, 3600, 7200];

export const REPLICA_STATES: readonly ReplicaState[] = ['active', 'loading', 'waking', 'asleep', 'failed'];
export const NODE_STATES = ['on', 'booting', 'off', 'failed'] as const;

/** Identity of one GPU in the export (dcgm-exporter's labels plus the pool and replica it serves). */
export interface GpuIdentity {
  node: number;
  /** Index on its node (dcgm-exporter's `gpu`). */
  gpu: number;
  model: string;
  pool: string;
  /** Replica id, or -1 for a GPU no replica uses. */
  replica: number;
}

export interface HistogramSeries {
  /** [sample][bucket]: cumulative counts at or below each bound (the +Inf bucket is `count`). */
  buckets: number[][];
  sum: number[];
  count: number[];
}

export interface ClassSeries {
  name: string;
  arrived: number[];
  completed: number[];
  dropped: number[];
  failed: number[];
  latency: HistogramSeries;
}

export interface MonitoringSeries {
  /** Sample times (s). */
  t: number[];
  gpus: GpuIdentity[];
  /** [gpu][sample] */
  gpu: { utilization: number[][]; powerW: number[][]; tempC: number[][]; smClockMHz: number[][]; fbUsedMiB: number[][]; energyJ: number[][]; throttledS: number[][] };
  nodes: { type: string; powerW: number[]; state: string[]; fansW: number[] | undefined }[];
  pools: { name: string; queued: number[]; busy: number[]; replicas: Record<ReplicaState, number[]> }[];
  classes: ClassSeries[];
  /** Whether cooling was modelled (throttling and fans), or temperatures are the reference air path's. */
  coolingModelled: boolean;
}

interface GpuSlot {
  owner: StageServer | NodeState;
  replica: Replica | undefined;
}

const MIB = 2 ** 20;

/** Live cumulative histogram of one quantity. */
class LiveHistogram {
  readonly counts = new Array<number>(LATENCY_BUCKETS_S.length).fill(0);
  sum = 0;
  count = 0;
  add(x: number): void {
    for (let i = LATENCY_BUCKETS_S.length - 1; i >= 0 && x <= LATENCY_BUCKETS_S[i]!; i--) this.counts[i]!++;
    this.sum += x;
    this.count++;
  }
}

export class Monitoring {
  readonly series: MonitoringSeries;
  private readonly slots: GpuSlot[] = [];
  private readonly live = new Map<ClassState, LiveHistogram>();
  /** Previous sample's cumulative busy seconds, energy of each GPU and node, and time. */
  private prevBusy: number[] = [];
  private prevJ: number[] = [];
  private prevNodeJ: number[] = [];
  private prevT = NaN;
  /** Framebuffer use of a loaded replica of each pool (MiB): its largest class's peak (the allocator keeps its high-water mark). */
  private readonly fbOfPool = new Map<string, number>();

  constructor(private readonly state: ClusterState) {
    const gpus: GpuIdentity[] = [];
    for (const n of state.nodes) {
      for (let g = 0; g < n.spec.gpusPerNode; g++) {
        const { replica, owner } = this.ownerOf(n, g);
        gpus.push({ node: n.id, gpu: g, model: getGpu(n.spec.gpu).name, pool: replica?.pool.name ?? '', replica: replica?.id ?? -1 });
        this.slots.push({ owner, replica });
      }
    }
    for (const row of state.serviceRows) this.fbOfPool.set(row.pool, Math.max(this.fbOfPool.get(row.pool) ?? 0, (row.peak_memory_gb * 1e9) / MIB));
    const empty = () => gpus.map(() => [] as number[]);
    this.series = {
      t: [], gpus,
      gpu: { utilization: empty(), powerW: empty(), tempC: empty(), smClockMHz: empty(), fbUsedMiB: empty(), energyJ: empty(), throttledS: empty() },
      nodes: state.nodes.map((n) => ({ type: n.spec.id, powerW: [], state: [], fansW: state.cooling?.resolved.modelled ? [] : undefined })),
      pools: state.pools.map((p) => ({ name: p.name, queued: [], busy: [], replicas: Object.fromEntries(REPLICA_STATES.map((st) => [st, [] as number[]])) as Record<ReplicaState, number[]> })),
      classes: [],
      coolingModelled: state.cooling?.resolved.modelled ?? false,
    };
  }

  /** The stage server (or, for an unused GPU, the node) whose power and temperature GPU `g` of node `n` shares. */
  private ownerOf(n: NodeState, g: number): { replica: Replica | undefined; owner: StageServer | NodeState } {
    let offset = 0;
    for (const r of n.replicas) {
      const here = r.nodes.length > 1 ? n.spec.gpusPerNode : r.pool.gpus;
      if (g < offset + here) {
        // the replica's GPUs in node order; its stage servers take consecutive ones
        const index = r.nodes.indexOf(n) * n.spec.gpusPerNode + (g - offset);
        const perServer = r.servers[0]!.gpus;
        return { replica: r, owner: r.servers[Math.min(r.servers.length - 1, Math.floor(index / perServer))]! };
      }
      offset += here;
    }
    return { replica: undefined, owner: n };
  }

  /** A completed request's latency (Recorder calls it). */
  complete(cls: ClassState, latency: number): void {
    let h = this.live.get(cls);
    if (!h) this.live.set(cls, (h = new LiveHistogram()));
    h.add(latency);
  }

  /** Records every series at the current instant (called with each time-series sample). */
  sample(): void {
    const { sim, nodes, pools, classes, recorder, meter, cooling } = this.state;
    const now = sim.now;
    const dt = now - this.prevT;
    const s = this.series;
    s.t.push(now);
    const thermal = cooling?.thermal;
    this.slots.forEach((slot, i) => {
      const group = thermal?.group(slot.owner);
      const server = slot.replica ? (slot.owner as StageServer) : undefined;
      const busy = server ? busySeconds(server, now) : 0;
      const joules = group ? group.joulesAt(now) : 0;
      // interval means: none at the first sample (NaN, left out of the export)
      const rate = (x: number, prev: number | undefined) => (dt > 0 && prev !== undefined ? (x - prev) / dt : NaN);
      s.gpu.utilization[i]!.push(100 * rate(busy, this.prevBusy[i]));
      s.gpu.powerW[i]!.push(rate(joules, this.prevJ[i]));
      s.gpu.tempC[i]!.push(group ? group.temperatureAt(now) : NaN);
      s.gpu.smClockMHz[i]!.push(group ? group.clockMHz : NaN);
      const used = slot.replica && (slot.replica.state === 'active' || slot.replica.state === 'waking') ? (this.fbOfPool.get(slot.replica.pool.name) ?? 0) : 0;
      s.gpu.fbUsedMiB[i]!.push(used);
      s.gpu.energyJ[i]!.push(joules);
      s.gpu.throttledS[i]!.push(group ? group.throttledAt(now) : 0);
      this.prevBusy[i] = busy;
      this.prevJ[i] = joules;
    });
    const groups = meter.groups();
    nodes.forEach((n, i) => {
      const j = groups[i]?.joules ?? 0;
      const ns = s.nodes[i]!;
      ns.powerW.push(dt > 0 && this.prevNodeJ[i] !== undefined ? (j - this.prevNodeJ[i]!) / dt : NaN);
      ns.state.push(n.state);
      ns.fansW?.push(meter.get(`fans:node${n.id}`));
      this.prevNodeJ[i] = j;
    });
    pools.forEach((p, i) => {
      const ps = s.pools[i]!;
      let queued = p.pending.size;
      let busy = 0;
      const counts = Object.fromEntries(REPLICA_STATES.map((st) => [st, 0])) as Record<ReplicaState, number>;
      for (const r of p.replicas) {
        queued += r.queue.size + r.handoff.size;
        if (r.servers.some((x) => x.batch)) busy++;
        counts[r.state]++;
      }
      ps.queued.push(queued);
      ps.busy.push(busy);
      for (const st of REPLICA_STATES) ps.replicas[st].push(counts[st]);
    });
    classes.forEach((c, i) => {
      let cs = s.classes[i];
      if (!cs) {
        // a class first seen now (trace classes): zeros before
        const zeros = () => new Array<number>(s.t.length - 1).fill(0);
        const hist = (): HistogramSeries => ({ buckets: zeros().map(() => new Array<number>(LATENCY_BUCKETS_S.length).fill(0)), sum: zeros(), count: zeros() });
        s.classes[i] = cs = { name: c.name, arrived: zeros(), completed: zeros(), dropped: zeros(), failed: zeros(), latency: hist() };
      }
      const m = recorder.of(c);
      cs.arrived.push(m.arrived);
      cs.completed.push(m.completed);
      cs.dropped.push(m.dropped);
      cs.failed.push(m.failed);
      const live = this.live.get(c);
      cs.latency.buckets.push(live ? [...live.counts] : new Array<number>(LATENCY_BUCKETS_S.length).fill(0));
      cs.latency.sum.push(live?.sum ?? 0);
      cs.latency.count.push(live?.count ?? 0);
    });
    this.prevT = now;
  }
}
