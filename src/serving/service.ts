/**
 * Service: what a replica does with a batch.
 *
 *  - startNext takes the next batch from the replica's queue: the head plus queued requests of the same class,
 *    up to batching.max_batch, waiting up to batching.window_s after the head's arrival for more;
 *  - a stage server runs the batch's phases (phases.ts) one event each, its GPUs drawing each phase's power;
 *  - a split-expert replica hands the batch from its first stage server to its second (a two-stage pipeline);
 *  - a finished request completes, or — when its pool runs only part of the request (stage disaggregation) —
 *    is handed over to a pool of the next stage: its text embeddings (after encode), fp32 latents (after
 *    denoise) or decoded 8-bit frames (after decode, to a post-processing pool) cross NVLink/PCIe inside a node
 *    or the NICs between nodes (alpha-beta, parallel/network.ts);
 *  - a request whose chain ends with a host-CPU encode completes when that encode does (cpu-encode.ts).
 */
import { Network } from '../parallel/network.ts';
import { getModel } from '../workload/request.ts';
import { latentShape } from '../workload/models.ts';
import { NO_EVENT, type ClassState, type ClusterState, type Replica, type Request, type StageServer } from './state.ts';
import { serviceOf, type ServiceTime } from './service-times.ts';
import { phaseList, type PhaseList } from './phases.ts';
import type { Routing } from './routing.ts';
import type { TimelineHandoff } from './timeline.ts';
import { ServiceSpeed } from './service-speed.ts';
import { withSwap } from './model-swap.ts';
import { CpuEncoders } from './cpu-encode.ts';

export class Service {
  /** Phase lists are the same for every replica of a pool: built once per (service time, stage server). */
  private readonly phaseCache = new Map<ServiceTime, PhaseList[]>();
  private readonly networks = new Map<string, Network>();
  private readonly stepByStep: boolean;

  /** serving_overheads.service_cv / service_correlation_s: each batch's phases scaled by the replica's speed factor. */
  private readonly speed: ServiceSpeed;
  private readonly cpuEncoders: CpuEncoders;

  constructor(private readonly state: ClusterState, private readonly routing: Routing) {
    this.stepByStep = state.scenario.scheduling.granularity === 'step';
    const o = state.pools[0]?.overheads;
    this.speed = new ServiceSpeed(o?.service_cv ?? 0, o?.service_correlation_s ?? 0, state.rng.service);
    this.cpuEncoders = new CpuEncoders(state);
    for (const r of state.replicas) r.servers.forEach((server, k) => (server.onPhaseEnd = () => this.advancePhase(r, k)));
  }

  /** Takes the next batch from the queue: the head plus compatible requests, waiting up to window_s for more. */
  startNext(rep: Replica): void {
    const server = rep.servers[0]!;
    if (server.batch || rep.state !== 'active' || rep.queue.size === 0) return;
    const sim = this.state.sim;
    const maxBatch = rep.pool.spec.batching?.max_batch ?? 1;
    const head = rep.queue.peek()!;
    if (maxBatch === 1) {
      // the common case, without the batch search below (same outcome: a batch of the head)
      if (rep.batchTimer !== undefined) {
        sim.cancel(rep.batchTimer);
        rep.batchTimer = undefined;
      }
      return this.take(rep, [head]);
    }
    const compatible = rep.queue.values().filter((q) => q.cls === head.cls);
    const window = rep.pool.spec.batching?.window_s ?? 0;
    // compared with the deadline itself: `now - arrival < window` can stay true at the timer's own instant
    // (floating-point rounding), which re-armed a zero-delay timer forever
    const due = head.arrival + window;
    if (compatible.length < maxBatch && window > 0 && sim.now < due) {
      if (rep.batchTimer === undefined) rep.batchTimer = sim.scheduleAt(due, () => {
        rep.batchTimer = undefined;
        this.startNext(rep);
      });
      return;
    }
    if (rep.batchTimer !== undefined) {
      sim.cancel(rep.batchTimer);
      rep.batchTimer = undefined;
    }
    this.take(rep, compatible.sort((a, b) => this.routing.queueKey(a) - this.routing.queueKey(b)).slice(0, maxBatch));
  }

  /** The batch leaves the queue (its timeouts disarmed; its queue wait ends here) and starts on the first stage server. */
  private take(rep: Replica, batch: Request[]): void {
    const sim = this.state.sim;
    for (const req of batch) {
      this.routing.unqueue(rep, req);
      if (req.timeout !== undefined) sim.cancel(req.timeout);
      req.timeout = undefined;
      if (Number.isNaN(req.start)) req.start = sim.now; // queue wait: until the request's first service
    }
    this.begin(rep, 0, batch);
  }

  /** Split experts: the second stage server takes the next batch the first one finished. */
  private startSecond(rep: Replica): void {
    const server = rep.servers[1]!;
    if (server.batch || rep.state !== 'active') return;
    const batch = rep.handoff.shift();
    if (!batch) return;
    this.begin(rep, 1, batch);
  }

  private begin(rep: Replica, k: number, batch: Request[]): void {
    const server = rep.servers[k]!;
    server.batch = batch;
    server.busySince = this.state.sim.now;
    this.state.ports.touch(rep);
    for (const n of rep.nodes) this.state.ports.updateNodePower(n);
    const cls = batch[0]!.cls;
    const times = serviceOf(rep.pool, cls, batch.length);
    // a shared replica first swaps the batch's model onto its GPUs when another one is there (model-swap.ts)
    const shared = rep.pool.shared;
    const swap = shared && rep.resident !== cls.modelId ? shared.swapSeconds.get(cls.modelId)! : 0;
    rep.resident = cls.modelId;
    if (swap > 0) rep.pool.swaps++;
    const own = this.state.observedService && batch.length === 1 ? batch[0]!.observedServiceS : undefined;
    const phases = this.phasesOf(rep, cls, times, k);
    // replay --observed-service: the request's own stage time replaces the model's (overhead phases scale with it)
    const varied = own !== undefined ? { ...phases, seconds: phases.seconds.map((d) => (d * own) / (times.encode_s + times.denoise_s + times.decode_s)) } : this.varied(rep, phases);
    const list = swap > 0 ? withSwap(varied, swap, times) : varied;
    server.phases = list;
    server.phaseIndex = 0;
    this.state.timeline?.batchStart(rep, k, list, times);
    this.advancePhase(rep, k);
  }

  /** The phase list scaled by the replica's speed factor at this instant (unchanged without service variability). */
  private varied(rep: Replica, list: PhaseList): PhaseList {
    if (!this.speed.active) return list;
    const m = this.speed.factor(rep.id, this.state.sim.now);
    return { ...list, seconds: list.seconds.map((d) => d * m) };
  }

  private phasesOf(rep: Replica, cls: ClassState, times: ServiceTime, k: number): PhaseList {
    let lists = this.phaseCache.get(times);
    if (!lists) this.phaseCache.set(times, (lists = []));
    const p = rep.pool;
    return (lists[k] ??= phaseList(times, { first: p.first, last: p.last, gpus: p.gpus, stageServers: rep.servers.length, twoExperts: cls.model.experts === 2, stepByStep: this.stepByStep, labels: this.state.timeline !== undefined, overheads: p.overheads }, k));
  }

  /** Runs the next phase of a stage's batch (zero-length phases are skipped without an event), or finishes the stage. */
  private advancePhase(rep: Replica, k: number): void {
    const server = rep.servers[k]!;
    const { seconds, watts } = server.phases;
    while (server.phaseIndex < seconds.length && seconds[server.phaseIndex]! <= 0) server.phaseIndex++;
    if (server.phaseIndex >= seconds.length) {
      server.phaseEvent = NO_EVENT;
      return this.finishStage(rep, k);
    }
    const i = server.phaseIndex++;
    const dur = seconds[i]!;
    const w = watts[i]!;
    const cooling = this.state.cooling;
    this.state.timeline?.phaseStart(rep, k, i, cooling && this.state.timeline ? cooling.phaseSeconds(rep, server, w, dur) : dur, w);
    if (cooling) server.phaseEvent = cooling.phase(rep, server, w, dur, server.onPhaseEnd);
    else {
      this.state.meter.setLevel(server.power, w * server.gpus);
      server.phaseEvent = this.state.sim.schedule(dur, server.onPhaseEnd);
    }
  }

  private finishStage(rep: Replica, k: number): void {
    const server = rep.servers[k]!;
    const batch = server.batch!;
    server.batch = undefined;
    this.state.timeline?.batchEnd(server, 'done');
    server.busyTime += this.state.sim.now - server.busySince;
    this.state.meter.setLevel(server.power, rep.pool.power.idle * server.gpus);
    this.state.cooling?.level(rep, server, rep.pool.power.idle);
    for (const n of rep.nodes) this.state.ports.updateNodePower(n);
    if (k === 0 && rep.servers.length === 2) {
      rep.handoff.push(batch);
      this.startSecond(rep);
    } else {
      // after the decode, a class with a chain moves on to a post-processing pool (when this one does not run it)
      for (const req of batch) (rep.pool.last < 2 || (rep.pool.last === 2 && req.cls.postprocess) ? this.handOver(rep, req) : this.finish(rep, req));
      if (k === 1) this.startSecond(rep);
    }
    this.startNext(rep);
    this.state.ports.touch(rep);
  }

  /**
   * Stage disaggregation: the request's text embeddings (after encode) or latents (after denoise) travel to a
   * replica of a pool running the next stage, over NVLink/PCIe inside a node or the NICs between nodes.
   */
  private handOver(rep: Replica, req: Request): void {
    const sim = this.state.sim;
    rep.served++;
    const from = rep.pool.last;
    req.stage = from + 1;
    const bytes = from === 0 ? contextBytes(req.cls) : from === 1 ? latentBytes(req.cls) : decodedVideoBytes(req.cls);
    const nextPools = this.routing.poolsServing(req.cls.modelId, req.stage);
    const next = this.routing.pick(nextPools, req.cls);
    const sameNode = next !== undefined && next.nodes.some((n) => rep.nodes.includes(n));
    const net = this.networkFor(rep);
    const seconds = net.collective('sendrecv', bytes, 2, sameNode ? 1 : net.gpusPerNode).seconds;
    const h = this.state.recorder.handoffs;
    h.count++;
    h.bytes += bytes;
    h.seconds += seconds;
    const tl = this.state.timeline;
    if (tl) {
      const ev: TimelineHandoff = {
        type: 'handoff', request: req.id, from: rep.id, to_pool: (next?.pool ?? nextPools[0])?.name ?? '', to: null,
        payload: from === 0 ? 'text embeddings' : from === 1 ? 'latents' : 'decoded frames', bytes, same_node: sameNode, start: sim.now, end: sim.now + seconds,
      };
      tl.handoff(ev);
      sim.schedule(seconds, () => {
        this.state.ports.dispatch(req);
        if (req.replica !== undefined && req.replica !== rep) ev.to = req.replica.id;
      });
    } else sim.schedule(seconds, () => this.state.ports.dispatch(req));
  }

  private finish(rep: Replica, req: Request): void {
    rep.served++;
    const chain = req.cls.postprocess;
    const cpu = chain?.encode?.on === 'cpu' && rep.pool.last >= 3 ? serviceOf(rep.pool, req.cls).postprocess_cpu_s : 0;
    if (cpu > 0) this.cpuEncoders.run(rep.nodes[0]!, chain!.encode!.cores, cpu, () => this.state.recorder.complete(req));
    else this.state.recorder.complete(req);
  }

  private networkFor(rep: Replica): Network {
    const nodeId = rep.pool.node.id;
    let n = this.networks.get(nodeId);
    if (!n) this.networks.set(nodeId, (n = new Network(nodeId, rep.pool.fabric ?? {})));
    return n;
  }
}

/** Busy GPU-seconds of a stage server up to `end` (its finished batches, plus the running one). */
export function busySeconds(server: StageServer, end: number): number {
  return server.busyTime + (server.batch ? end - server.busySince : 0);
}

/** The umT5 output handed to the denoise pool: both CFG prompts' embeddings (bf16). */
export function contextBytes(cls: ClassState): number {
  const d = getModel(cls.modelId).dit;
  return d.textLen * d.textDim * 2 * (cls.shape.cfg ? 2 : 1);
}

/** The decoded video handed to a post-processing pool: 8-bit RGB frames (what the official pipeline saves). */
export function decodedVideoBytes(cls: ClassState): number {
  return 3 * cls.shape.frames * cls.shape.width * cls.shape.height;
}

/** The fp32 latents handed to the decode pool. */
export function latentBytes(cls: ClassState): number {
  const l = latentShape(getModel(cls.modelId), cls.shape.width, cls.shape.height, cls.shape.frames);
  return l.channels * l.t * l.h * l.w * 4;
}
