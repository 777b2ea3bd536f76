/**
 * What the parts of a Chrome trace share while it is built: the run, the events and thread names so far,
 * where each replica's threads live, the queue waits and drops collected for the lanes, and the small
 * helpers (microseconds, lanes that never overlap). report/trace.ts assembles the parts.
 */
import type { RequestRecord, SimulationResult } from '../../serving/simulate.ts';

export interface TraceEvent {
  name: string;
  /** X complete, C counter, M metadata, i instant, s/t/f flow start/step/end. */
  ph: 'X' | 'C' | 'M' | 'i' | 's' | 't' | 'f';
  /** Microseconds of simulated time. */
  ts: number;
  /** Microseconds (complete events). */
  dur?: number;
  pid: number;
  tid: number;
  cat?: string;
  /** Instant-event scope: thread. */
  s?: 't';
  /** Flow events: the arrow's id; `bp: 'e'` binds the end to the slice enclosing it. */
  id?: number;
  bp?: 'e';
  args?: Record<string, string | number | boolean | null>;
}

export interface ChromeTrace {
  traceEvents: TraceEvent[];
  displayTimeUnit: 'ms';
  otherData: Record<string, string | number>;
}

export interface ChromeTraceOptions {
  /** Per pool × class stage times; default: result.service_times. */
  serviceTimes?: SimulationResult['service_times'];
  /** With a timeline: expand the denoise steps of the first `opsRequests` requests into per-GPU operators (default 0). */
  opsRequests?: number;
  /** Denoise steps expanded per request (default 2). */
  opsSteps?: number;
}

export const CLUSTER_PID = 1;
export const QUEUE_TID_BASE = 1_000_000;
export const DROPS_TID = 2_000_000;
export const LOADS_TID_BASE = 3_000_000;
/** Timeline mode: replica r, stage k on tid 1000(r+1)+k; its GPU g on 1000(r+1)+100+g. */
export const replicaTid = (replica: number, stage: number) => 1000 * (replica + 1) + stage;
export const gpuTid = (replica: number, gpu: number) => 1000 * (replica + 1) + 100 + gpu;

export const us = (s: number) => Math.round(s * 1e6);
export const r6 = (x: number) => Math.round(x * 1e6) / 1e6;

/** Where a replica's threads live: its pool's process, the pool's name, its index in the pool, the pool's index. */
export interface ReplicaPlace {
  pid: number;
  pool: string;
  local: number;
  index: number;
}

/** The trace under construction (one per chromeTrace call). */
export interface TraceContext {
  result: SimulationResult;
  records: RequestRecord[];
  opts: ChromeTraceOptions;
  meta: TraceEvent[];
  events: TraceEvent[];
  /** Nesting depth of slices that may share start and duration with their parent (parents sort first). */
  depth: Map<TraceEvent, number>;
  gpuThreads: Set<number>;
  push: (e: TraceEvent, d?: number) => TraceEvent;
  name: (pid: number, tid: number, kind: 'process_name' | 'thread_name', value: string, sort: number) => void;
  poolOfReplica: ReplicaPlace[];
  waits: Map<number, { rec: RequestRecord; from: number; end: number }[]>;
  drops: { pid: number; rec: RequestRecord }[];
  otherData: Record<string, string | number>;
}

/** Packs intervals into the fewest lanes where none overlap (first fit, in order of start). */
export class Lanes {
  private ends: number[] = [];
  take(ts: number, te: number): number {
    let lane = this.ends.findIndex((e) => e <= ts);
    if (lane < 0) lane = this.ends.push(0) - 1;
    this.ends[lane] = te;
    return lane;
  }
  get count(): number {
    return this.ends.length;
  }
}

export function pushWait(waits: Map<number, { rec: RequestRecord; from: number; end: number }[]>, pid: number, rec: RequestRecord, from: number, end: number) {
  let list = waits.get(pid);
  if (!list) waits.set(pid, (list = []));
  list.push({ rec, from, end });
}

export function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
