/**
 * Failures (the scenario's `failures`): GPUs, nodes and nodes' NICs (links) fail and are repaired.
 *
 * Each failing unit — every GPU of every node, every node, every node's links — runs one alternating renewal
 * process: up for a time drawn from its MTBF (exponential, or Weibull with the given shape and the same mean),
 * down for a time drawn from its MTTR (exponential), again and again; scheduled drills fail a unit at a fixed
 * time for a fixed repair time. What a failure takes down:
 *   gpu   the replica using that GPU;
 *   node  every replica on the node (the node draws nothing and loses its page cache until repaired);
 *   link  the replicas on the node that span several nodes (their collectives cross the NICs).
 * A replica is down while any unit it depends on is: its running requests are retried elsewhere (policy
 * retry, up to max_retries) or lost, its queued ones routed again; once repaired it cold-starts again if it was
 * serving. Availability = 1 − replica-time down (failed, then reloading) / replica-time. All draws come from the
 * 'failures' random stream, in a fixed order, so failures never reshuffle arrivals.
 */
import type { RandomStream } from '../engine/index.ts';
import type { Scenario } from '../scenario/schema.ts';
import { InputError, type InputIssue } from '../errors.ts';
import { replicaOfGpu } from './placement.ts';
import { acceptsWork, NO_EVENT, type ClusterState, type NodePowerState, type NodeState, type Replica, type Request } from './state.ts';
import { endDowntime } from './cold-start.ts';

type FailureSpec = NonNullable<NonNullable<Scenario['failures']>['gpu']>;
type Locate = (path: (string | number)[]) => Pick<InputIssue, 'source' | 'line' | 'col'>;

/** A unit that fails: what it is, and what failing it takes down (with how to undo that at the repair). */
interface FailingUnit {
  what: 'gpu' | 'node' | 'link';
  node: NodeState;
  gpu?: number;
  /** Fails the unit now: the replicas it took down (for the timeline), and its repair. */
  fail(): { hit: readonly Replica[]; repair: () => void };
}

/** Time to the next failure (s): exponential with mean MTBF, or Weibull with the same mean. */
export function drawGap(f: FailureSpec, r: RandomStream): number {
  return f.distribution === 'weibull' ? r.weibull(f.shape, (f.mtbf_h * 3600) / gammaFn(1 + 1 / f.shape)) : r.exponential(1 / (f.mtbf_h * 3600));
}

/** Time to repair (s): exponential with mean MTTR. */
export function drawRepair(f: FailureSpec, r: RandomStream): number {
  return r.exponential(1 / (f.mttr_h * 3600));
}

export class Failures {
  /** Drills (failures.events) that have happened so far. */
  private drillsDone = 0;
  constructor(private readonly state: ClusterState) {}

  /** Drills at or after the end of the run `end` (s), which never happened: a note, else undefined (as a trace's rows past the duration get). */
  drillsAfterEnd(end: number): string | undefined {
    const events = this.state.scenario.failures?.events ?? [];
    const missed = events.length - this.drillsDone;
    if (missed <= 0) return undefined;
    const drain = this.state.scenario.drain ? ' and its drain' : '';
    return `${missed} of the ${events.length} failure drills (failures.events) are at or after the end of the run (${end.toFixed(0)} s: the duration${drain}) and did not happen; move them within the run or raise duration to include them`;
  }

  /**
   * Starts the renewal processes (GPUs of every node, then nodes, then links) and schedules the drill; a drill
   * event naming a node or GPU that does not exist is an input error.
   */
  start(locate: Locate): void {
    const f = this.state.scenario.failures;
    if (!f) return;
    const { nodes, sim } = this.state;
    const issues: InputIssue[] = [];
    if (f.gpu) for (const n of nodes) for (let g = 0; g < n.spec.gpusPerNode; g++) this.renewal(this.gpu(n, g), f.gpu);
    if (f.node) for (const n of nodes) this.renewal(this.node(n), f.node);
    if (f.link) for (const n of nodes) this.renewal(this.link(n), f.link);
    // the drill: scheduled failures at fixed times (validated against the cluster when the simulation starts)
    f.events.forEach((ev, i) => {
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
      const unit = ev.what === 'gpu' ? this.gpu(n, ev.gpu) : ev.what === 'node' ? this.node(n) : this.link(n);
      sim.scheduleAt(ev.at, () => {
        this.drillsDone++;
        const outage = this.outage(unit, () => ev.repair_after);
        sim.schedule(outage.repairS, outage.repair);
      });
    });
    if (issues.length) throw new InputError(issues);
  }

  /** The unit fails now; then its repair time is drawn (or given) and the outage recorded. */
  private outage(unit: FailingUnit, repairTime: () => number): { repair: () => void; repairS: number } {
    const { hit, repair } = unit.fail();
    const repairS = repairTime();
    this.state.timeline?.failure(unit.what, unit.node, unit.gpu, hit, repairS);
    return { repair, repairS };
  }

  /** The alternating renewal process of one unit: up ~ MTBF, down ~ MTTR, repeated until the run ends. */
  private renewal(unit: FailingUnit, spec: FailureSpec): void {
    const { sim, rng } = this.state;
    const cycle = () => {
      sim.schedule(drawGap(spec, rng.failures), () => {
        const outage = this.outage(unit, () => drawRepair(spec, rng.failures));
        sim.schedule(outage.repairS, () => {
          outage.repair();
          cycle();
        });
      });
    };
    cycle();
  }

  private gpu(n: NodeState, g: number): FailingUnit {
    return {
      what: 'gpu', node: n, gpu: g,
      fail: () => {
        this.state.recorder.failures.gpu++;
        const rep = replicaOfGpu(n, g);
        if (rep) this.failReplica(rep);
        return { hit: rep ? [rep] : [], repair: () => rep && this.repairReplica(rep) };
      },
    };
  }

  private node(n: NodeState): FailingUnit {
    return {
      what: 'node', node: n,
      fail: () => {
        this.state.recorder.failures.node++;
        const before: NodePowerState = n.state;
        // already down: the earlier failure's repair brings it back
        if (before === 'failed') return { hit: [], repair: () => {} };
        n.state = 'failed';
        n.pageCache.clear();
        for (const r of n.replicas) this.failReplica(r);
        this.state.ports.updateNodePower(n);
        return {
          hit: n.replicas,
          repair: () => {
            n.state = before === 'off' ? 'off' : 'on';
            this.state.ports.updateNodePower(n);
            for (const r of n.replicas) this.repairReplica(r);
          },
        };
      },
    };
  }

  private link(n: NodeState): FailingUnit {
    return {
      what: 'link', node: n,
      fail: () => {
        this.state.recorder.failures.link++;
        const hit = n.replicas.filter((r) => r.nodes.length > 1);
        for (const r of hit) this.failReplica(r);
        return { hit, repair: () => { for (const r of hit) this.repairReplica(r); } };
      },
    };
  }

  /** Takes a replica down: its running and queued requests are retried elsewhere or lost. */
  private failReplica(rep: Replica): void {
    rep.failedUnits++;
    if (rep.failedUnits > 1) return;
    const { sim, flows, recorder, ports, timeline: tl } = this.state;
    const policy = this.state.scenario.failures!;
    const wasAwake = acceptsWork(rep);
    if (rep.wakeEvent !== undefined) sim.cancel(rep.wakeEvent);
    rep.wakeEvent = undefined;
    if (rep.loadFlow) flows.cancel(rep.loadFlow);
    rep.loadFlow = undefined;
    tl?.loadEnd(rep, 'aborted');
    if (rep.batchTimer !== undefined) sim.cancel(rep.batchTimer);
    rep.batchTimer = undefined;
    const interrupted: Request[] = [];
    for (const server of rep.servers) {
      sim.cancel(server.phaseEvent);
      server.phaseEvent = NO_EVENT;
      if (server.batch) {
        server.busyTime += sim.now - server.busySince;
        recorder.lostGpuSeconds += (sim.now - server.busySince) * server.gpus;
        interrupted.push(...server.batch);
        tl?.batchEnd(server, 'interrupted');
      }
      server.batch = undefined;
      this.state.meter.setLevel(server.power, 0);
      this.state.cooling?.level(rep, server, 0);
    }
    for (let b = rep.handoff.shift(); b; b = rep.handoff.shift()) interrupted.push(...b);
    const queued: Request[] = [];
    for (let q = rep.queue.pop(); q; q = rep.queue.pop()) queued.push(q);
    rep.queuedWork = 0;
    rep.state = 'failed';
    ports.markAwake(rep);
    rep.resumeAfterRepair = wasAwake;
    if (Number.isNaN(rep.downSince)) rep.downSince = sim.now;
    for (const n of rep.nodes) ports.updateNodePower(n);
    for (const req of interrupted) {
      if (policy.policy === 'retry' && req.retries < policy.max_retries) {
        req.retries++;
        recorder.retried++;
        if (rep.pool.first === 0) req.start = NaN;
        ports.dispatch(req);
      } else recorder.fail(req);
    }
    for (const req of queued) {
      if (req.timeout !== undefined) sim.cancel(req.timeout);
      req.timeout = undefined;
      ports.dispatch(req);
    }
  }

  /** One unit the replica depends on is repaired; once none is down, it reloads (if it was serving) or sleeps. */
  private repairReplica(rep: Replica): void {
    rep.failedUnits--;
    if (rep.failedUnits > 0 || rep.nodes.some((n) => n.state === 'failed')) return;
    rep.state = 'asleep';
    this.state.ports.idlePower(rep);
    if (rep.resumeAfterRepair) this.state.ports.load(rep);
    else endDowntime(rep, this.state.sim.now);
  }
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
