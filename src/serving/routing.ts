/**
 * Routing and queues: every place a request waits.
 *
 *  1. the router (routers/) picks an awake replica of the pools that run the request's next stage;
 *  2. with none awake, the request waits in its pool's pending FIFO (and wakes a replica if the pool scales);
 *     activate() in cold-start.ts moves pending requests onto a replica as soon as one is awake;
 *  3. on the replica it waits in the replica's queue, ordered by scheduling.queue: fcfs (arrival), priority
 *     (class priority, then arrival), sjf (service time on that pool), edf (deadline = arrival + SLO);
 *     a full queue (max_queue) drops it;
 *  4. while it waits in 2 or 3, its timeout (scheduling.timeout_s after arrival) may drop it;
 *  5. a batch forming on the replica (batching.window_s) and a split-expert replica's hand-over between its
 *     two stages are waits inside the replica (service.ts).
 * Requests waiting on a replica that fails are routed again (failures.ts).
 */
import type { Scenario } from '../scenario/schema.ts';
import { acceptsWork, isIdle, outstanding, type ClassState, type ClusterState, type PoolState, type Replica, type Request } from './state.ts';
import { partTime } from './service-times.ts';
import type { Router } from './routers/index.ts';
import { pickWithAffinity } from './model-swap.ts';

export class Routing {
  private readonly s: Scenario;
  /** Pools that take a request of a model at a stage (their span starts there), by model. */
  private readonly poolsFor = new Map<string, PoolState[][]>();

  constructor(private readonly state: ClusterState, private readonly router: Router, private readonly checkTree = false) {
    this.s = state.scenario;
  }

  /** Routes a request (new, retried, handed over or re-routed); with no awake replica it waits at the pool and wakes one. */
  dispatch(req: Request): void {
    const ps = this.poolsServing(req.cls.modelId, req.stage);
    if (ps.length === 0) return this.drop(req, 'no pool serves this model');
    const rep = this.pick(ps, req.cls);
    if (rep === undefined) {
      const pool = ps[0]!;
      pool.pending.push(req);
      this.armTimeout(req, () => pool.pending.remove((x) => x === req) !== undefined);
      if (pool.autoscale) this.state.ports.scaleUp(pool, 'no awake replica');
      return;
    }
    req.replica = rep;
    if (this.s.scheduling.max_queue !== undefined && rep.queue.size >= this.s.scheduling.max_queue) return this.drop(req, 'queue full');
    this.enqueue(rep, req);
    this.armTimeout(req, () => this.unqueue(rep, req));
    this.state.ports.startNext(rep);
  }

  /**
   * The router's pick (in test mode, checked against a full scan of the scores). Among shared pools' replicas
   * the lowest outstanding work wins (the router's score, else outstanding requests), a replica that would
   * have to swap the model in counting SWAP_AFFINITY more (model-swap.ts).
   */
  pick(pools: readonly PoolState[], cls: ClassState): Replica | undefined {
    if (pools.some((p) => p.shared)) {
      const score = this.router.score ?? outstanding;
      return pickWithAffinity(pools.flatMap((p) => p.replicas), (r) => (acceptsWork(r) ? score(r) : Infinity), (r) => r.resident === cls.modelId || !!r.pool.shared?.coResident);
    }
    const best = this.router.pick(pools, cls);
    if (this.checkTree && this.router.score) {
      // test mode: the tree must agree with a plain first-minimum scan
      let scan: Replica | undefined;
      let scanValue = Infinity;
      for (const p of pools) for (const r of p.replicas) if (acceptsWork(r) && this.router.score(r) < scanValue) {
        scan = r;
        scanValue = this.router.score(r);
      }
      if (scan !== best) throw new Error(`routing tree out of date at t=${this.state.sim.now}: tree picked ${best?.id}, scan ${scan?.id}`);
    }
    return best;
  }

  /** Pools that can take a request of this model at this stage (their span starts there). */
  poolsServing(modelId: string, stage: number): PoolState[] {
    let byStage = this.poolsFor.get(modelId);
    if (!byStage) this.poolsFor.set(modelId, (byStage = [0, 1, 2, 3].map((stage) => this.state.pools.filter((p) => p.modelIds.includes(modelId) && p.first === stage))));
    return byStage[stage]!;
  }

  enqueue(r: Replica, req: Request): void {
    r.queue.push(req, this.queueKey(req));
    r.queuedWork += partTime(r.pool, req.cls);
    this.touch(r);
  }

  /** Takes a request off a replica's queue; false if it was not there. */
  unqueue(r: Replica, req: Request): boolean {
    if (r.queue.removeItem(req) === undefined) return false;
    r.queuedWork = r.queue.size === 0 ? 0 : r.queuedWork - partTime(r.pool, req.cls);
    this.touch(r);
    return true;
  }

  /** The order of a replica's queue (lower first; equal keys in arrival order at the replica). */
  queueKey(req: Request): number {
    switch (this.s.scheduling.queue) {
      case 'fcfs':
        return req.arrival;
      case 'priority':
        return req.cls.spec.priority * 1e12 + req.arrival;
      case 'sjf':
        return req.replica ? partTime(req.replica.pool, req.cls) : 0;
      case 'edf':
        return req.deadline;
    }
  }

  /** Drops the request after it waited `timeout_s` since arrival, if `removeFromQueue` still finds it waiting. */
  armTimeout(req: Request, removeFromQueue: () => boolean): void {
    const timeout = this.s.scheduling.timeout_s;
    if (timeout === undefined) return;
    const sim = this.state.sim;
    const left = req.arrival + timeout - sim.now;
    if (req.timeout !== undefined) sim.cancel(req.timeout);
    req.timeout = sim.schedule(Math.max(0, left), () => {
      req.timeout = undefined;
      if (removeFromQueue()) this.drop(req, 'timed out in queue');
    });
  }

  drop(req: Request, reason: string): void {
    this.state.recorder.drop(req, reason);
  }

  /** Call after anything that changes a replica's queue, stages or state: its routing score and idle time follow. */
  touch(r: Replica): void {
    if (this.router.score) r.pool.scores.set(r.slot, acceptsWork(r) ? this.router.score(r) : Infinity);
    if (!isIdle(r)) r.idleSince = NaN;
    else if (Number.isNaN(r.idleSince)) r.idleSince = this.state.sim.now;
  }
}
