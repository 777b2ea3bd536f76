/**
 * The timeline a simulation records when asked (SimulationOptions.timeline): what ran when, in simulated
 * seconds — batches and their phases, cold starts, stage hand-overs, failures, replica and node states. The
 * Chrome/Perfetto trace (report/trace.ts) is built from it. Recording is one `timeline?.…` call at each site,
 * so a run without a timeline pays nothing.
 */
import type { Simulator } from '../engine/index.ts';
import type { Estimate } from '../perf/estimate.ts';
import type { NodePowerState, NodeState, Replica, ReplicaState, StageServer } from './state.ts';
import type { PhaseList } from './phases.ts';
import type { ServiceTime } from './service-times.ts';

export type { ReplicaState };

/**
 * What ran when (SimulationOptions.timeline), in simulated seconds. Events are in order of their start; an
 * interval still open when the run ends is closed at the end of the run (outcome 'running').
 */
export type TimelineEvent = TimelineBatch | TimelinePhase | TimelineLoad | TimelineHandoff | TimelineFailure | TimelineReplicaState | TimelineNodeState;

/** One batch on one stage of a replica (stage: 0, or 1 for the low-noise group of split experts). */
export interface TimelineBatch {
  type: 'batch';
  replica: number;
  stage: number;
  /** GPUs of the stage (its group of the replica's GPUs starts at stage × gpus). */
  gpus: number;
  class: string;
  requests: number[];
  /** Retries of each request before this attempt (0: first attempt). */
  attempts: number[];
  start: number;
  end: number;
  outcome: 'done' | 'interrupted' | 'running';
  /** The cost-model estimate the batch's phases come from (a shared reference, not a copy). */
  estimate: Estimate;
}

/** One phase a stage ran: text encode, a denoise step (or all of them at stage granularity), a weight transfer, VAE decode. */
export interface TimelinePhase {
  type: 'phase';
  replica: number;
  stage: number;
  label: string;
  /** Denoise phases: the first step (1-based) and how many steps the phase covers. */
  step?: number;
  steps?: number;
  start: number;
  end: number;
  /** Per-GPU board power during the phase (W). */
  watts: number;
  requests: number[];
  /** The phase was cut short by a failure. */
  interrupted?: boolean;
}

/** A cold start: process start-up, checkpoint read (storage tier or page cache), host cast and copy to the GPUs. */
export interface TimelineLoad {
  type: 'load';
  replica: number;
  start: number;
  end: number;
  outcome: 'ready' | 'aborted' | 'running';
  /** Where the checkpoint came from. */
  source: string;
  bytes: number;
  parts: { label: string; start: number; end: number }[];
}

/** Stage disaggregation: a request's text embeddings or latents sent to the next pool. */
export interface TimelineHandoff {
  type: 'handoff';
  request: number;
  from: number;
  to_pool: string;
  /** The replica that took the request when it arrived (null: it waited at the pool, or the run ended first). */
  to: number | null;
  payload: 'text embeddings' | 'latents' | 'decoded frames';
  bytes: number;
  same_node: boolean;
  start: number;
  end: number;
}

export interface TimelineFailure {
  type: 'failure';
  what: 'gpu' | 'node' | 'link';
  node: number;
  gpu?: number;
  /** Replicas it took down. */
  replicas: number[];
  start: number;
  repair_s: number;
  end: number;
}

export interface TimelineReplicaState {
  type: 'replica';
  replica: number;
  state: ReplicaState;
  start: number;
  end: number;
}

export interface TimelineNodeState {
  type: 'node';
  node: number;
  state: NodePowerState;
  start: number;
  end: number;
}

/** Records the timeline of one run. */
export class TimelineRecorder {
  readonly events: TimelineEvent[] = [];
  /** Open intervals: each replica's and node's current state, each replica's cold start, each stage's batch and phase. */
  private readonly replicaStates = new Map<Replica, TimelineReplicaState>();
  private readonly nodeStates = new Map<NodeState, TimelineNodeState>();
  private readonly loads = new Map<Replica, TimelineLoad>();
  private readonly batches = new Map<StageServer, { batch: TimelineBatch; phase: TimelinePhase | undefined; phases: PhaseList }>();

  constructor(private readonly sim: Simulator) {}

  batchStart(rep: Replica, k: number, phases: PhaseList, times: ServiceTime): void {
    const server = rep.servers[k]!;
    const batch = server.batch!;
    const ev: TimelineBatch = {
      type: 'batch', replica: rep.id, stage: k, gpus: server.gpus, class: batch[0]!.cls.name, requests: batch.map((q) => q.id), attempts: batch.map((q) => q.retries),
      start: this.sim.now, end: NaN, outcome: 'running', estimate: times.estimate,
    };
    this.batches.set(server, { batch: ev, phase: undefined, phases });
    this.events.push(ev);
  }

  /** Phase `index` (0-based) of the stage's running batch starts now and lasts `dur`. */
  phaseStart(rep: Replica, k: number, index: number, dur: number, watts: number): void {
    const open = this.batches.get(rep.servers[k]!);
    const l = open?.phases.labels?.[index];
    const now = this.sim.now;
    const ev: TimelinePhase = {
      type: 'phase', replica: rep.id, stage: k, label: l?.label ?? `phase ${index + 1}`, ...(l?.step !== undefined ? { step: l.step, steps: l.steps } : {}),
      start: now, end: now + dur, watts, requests: open?.batch.requests ?? [],
    };
    if (open) open.phase = ev;
    this.events.push(ev);
  }

  batchEnd(stage: StageServer, outcome: TimelineBatch['outcome']): void {
    const open = this.batches.get(stage);
    if (!open) return;
    const now = this.sim.now;
    open.batch.end = now;
    open.batch.outcome = outcome;
    if (outcome === 'interrupted' && open.phase && open.phase.end > now) {
      open.phase.end = now;
      open.phase.interrupted = true;
    }
    this.batches.delete(stage);
  }

  /** Replica and node states: intervals from one change to the next (same-instant changes fold into one). */
  replicaState(r: Replica): void {
    const open = this.replicaStates.get(r);
    if (open?.state === r.state) return;
    const now = this.sim.now;
    if (open && open.start === now) {
      open.state = r.state;
      return;
    }
    if (open) open.end = now;
    const ev: TimelineReplicaState = { type: 'replica', replica: r.id, state: r.state, start: now, end: NaN };
    this.replicaStates.set(r, ev);
    this.events.push(ev);
  }

  nodeState(n: NodeState): void {
    const open = this.nodeStates.get(n);
    if (open?.state === n.state) return;
    const now = this.sim.now;
    if (open && open.start === now) {
      open.state = n.state;
      return;
    }
    if (open) open.end = now;
    const ev: TimelineNodeState = { type: 'node', node: n.id, state: n.state, start: now, end: NaN };
    this.nodeStates.set(n, ev);
    this.events.push(ev);
  }

  failure(what: TimelineFailure['what'], n: NodeState, gpu: number | undefined, hit: readonly Replica[], repairS: number): void {
    const now = this.sim.now;
    this.events.push({ type: 'failure', what, node: n.id, ...(gpu !== undefined ? { gpu } : {}), replicas: hit.map((r) => r.id), start: now, repair_s: repairS, end: now + repairS });
  }

  /** A cold start begins: its first part (process start-up) is known. */
  loadStart(rep: Replica, rec: TimelineLoad): void {
    this.loads.set(rep, rec);
    this.events.push(rec);
  }

  /** The replica's cold start ended: ready, or aborted by a failure (its open parts cut at now). */
  loadEnd(rep: Replica, outcome: 'ready' | 'aborted'): void {
    const rec = this.loads.get(rep);
    if (!rec) return;
    const now = this.sim.now;
    rec.end = now;
    rec.outcome = outcome;
    if (outcome === 'aborted') for (const p of rec.parts) if (!(p.end <= now)) p.end = now;
    this.loads.delete(rep);
  }

  handoff(ev: TimelineHandoff): void {
    this.events.push(ev);
  }

  /** Closes what is still open when the run ends (and cuts intervals that reach past it). */
  close(end: number): void {
    for (const ev of this.events) {
      if (!(ev.end <= end)) ev.end = end;
      if (ev.type === 'load') for (const p of ev.parts) if (!(p.end <= end)) p.end = end;
    }
  }
}

