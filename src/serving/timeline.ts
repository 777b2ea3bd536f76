/**
 * The timeline a simulation records when asked (SimulationOptions.timeline): what ran when, in simulated
 * seconds — batches and their phases, cold starts, stage hand-overs, failures, replica and node states. The
 * Chrome/Perfetto trace (report/trace.ts) is built from it.
 */
import type { Estimate } from '../perf/estimate.ts';

export type ReplicaState = 'active' | 'loading' | 'waking' | 'asleep' | 'failed';

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
  payload: 'text embeddings' | 'latents';
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
  state: 'on' | 'booting' | 'off' | 'failed';
  start: number;
  end: number;
}

