/**
 * A run as a Chrome trace-event JSON (opens in Perfetto, ui.perfetto.dev, or chrome://tracing).
 *
 *   process "cluster"         counters: requests waiting / in the system, busy replicas, GPU utilization
 *   process per pool          one thread per replica; "queue" threads: each request's wait for service,
 *                             spread over as few lanes as never overlap (a thread's slices must nest);
 *                             a "drops" thread with an instant event per dropped request.
 *
 * With the run's timeline (simulate(scenario, { timeline: true }), what `vgsim run --trace` records):
 *   replica threads           a slice per batch as it actually ran (a request on a disaggregated pool shows
 *                             its part on each pool; a retried request shows every attempt), with its real
 *                             phases nested (umT5 transfer, text encode, denoise step i/n, expert swap,
 *                             DiT off the GPU, VAE decode); asleep / waking / loading / down intervals;
 *                             an instant per failure that hit the replica. Split experts: one thread per
 *                             GPU group.
 *   "GPU" threads             with `opsRequests`: the denoise steps of the first requests expanded into the
 *                             priced operators of one forward (layers merged, ×count) per GPU, scaled to the
 *                             step's simulated time (collectives carry bytes, bus bandwidth, exposed vs full).
 *   "cold starts" threads     per pool: each cold start with its parts (process start-up, checkpoint read,
 *                             host cast + copy to GPU).
 *   process "network"         stage hand-overs (text embeddings, latents) with flow arrows from the sending
 *                             replica through the transfer to the replica that took the request.
 *   process "nodes"           a thread per node with its power state (on, booting, off, failed), and
 *                             failure slices from the failure to the repair.
 * Without a timeline (older callers), a request's stages are derived from its start time and the class's
 * service time on its pool.
 *
 * Timestamps and durations are integer microseconds of simulated time. Events are sorted, so the same
 * result gives byte-identical JSON.
 *
 * One concern per file: trace/context.ts (what the parts share), trace/derived.ts (no timeline),
 * trace/timeline.ts (from the timeline), trace/gpu-ops.ts (a denoise step as per-GPU operators).
 */
import type { SimulationResult } from '../serving/simulate.ts';
import { CLUSTER_PID, DROPS_TID, Lanes, QUEUE_TID_BASE, cmp, r6, us, type ChromeTrace, type ChromeTraceOptions, type ReplicaPlace, type TraceContext, type TraceEvent } from './trace/context.ts';
import { derivedRequests } from './trace/derived.ts';
import { timelineRequests } from './trace/timeline.ts';

export type { TraceEvent, ChromeTrace, ChromeTraceOptions } from './trace/context.ts';

export function chromeTrace(result: SimulationResult, opts: ChromeTraceOptions = {}): ChromeTrace {
  const records = result.records;
  if (!records) throw new Error('chromeTrace needs per-request records: run simulate(scenario, { records: true })');
  const timeline = result.timeline;

  const meta: TraceEvent[] = [];
  const events: TraceEvent[] = [];
  /** Nesting depth of slices that may share start and duration with their parent (parents sort first). */
  const depth = new Map<TraceEvent, number>();
  const gpuThreads = new Set<number>();
  const push = (e: TraceEvent, d = 0) => {
    events.push(e);
    if (d) depth.set(e, d);
    return e;
  };
  const name = (pid: number, tid: number, kind: 'process_name' | 'thread_name', value: string, sort: number) => {
    meta.push({ name: kind, ph: 'M', ts: 0, pid, tid, args: { name: value } });
    meta.push({ name: kind === 'process_name' ? 'process_sort_index' : 'thread_sort_index', ph: 'M', ts: 0, pid, tid, args: { sort_index: sort } });
  };

  // ---- processes ----
  name(CLUSTER_PID, 0, 'process_name', `cluster (${result.scenario}, seed ${result.seed})`, 0);
  const poolOfReplica: ReplicaPlace[] = [];
  result.pools.forEach((p, i) => {
    const pid = CLUSTER_PID + 1 + i;
    const plan = p.gpus_per_replica > 1 ? ` of ${p.gpus_per_replica} GPUs${p.parallel && p.parallel !== 'none' ? `, ${p.parallel}` : ''}` : '';
    name(pid, 0, 'process_name', `pool ${p.name}: ${p.replicas} replicas on ${p.gpu}${plan} (${p.model})`, i + 1);
    for (let k = 0; k < p.replicas; k++) poolOfReplica.push({ pid, pool: p.name, local: k, index: i });
  });

  const waits: TraceContext['waits'] = new Map();
  const drops: TraceContext['drops'] = [];
  const otherData: Record<string, string | number> = { generator: 'vgsim', scenario: result.scenario, seed: result.seed, time_unit: 'simulated microseconds' };

  const ctx: TraceContext = { result, records, opts, meta, events, depth, gpuThreads, push, name, poolOfReplica, waits, drops, otherData };
  if (!timeline) derivedRequests(ctx);
  else timelineRequests(ctx, timeline);

  // ---- queue waits, packed into non-overlapping lanes per pool ----
  const lanesUsed = new Map<number, number>();
  for (const [pid, list] of [...waits.entries()].sort((a, b) => a[0] - b[0])) {
    list.sort((a, b) => a.from - b.from || a.rec.id - b.rec.id || a.end - b.end);
    const lanes = new Lanes();
    for (const { rec, from, end } of list) {
      const ts = us(from);
      const te = us(end);
      const lane = lanes.take(ts, te);
      events.push({
        name: `wait ${rec.cls} #${rec.id}`, cat: 'queue', ph: 'X', ts, dur: te - ts, pid, tid: QUEUE_TID_BASE + lane,
        args: { id: rec.id, class: rec.cls, replica: poolOfReplica[rec.replica]?.local ?? -1, wait_s: r6(end - from), outcome: rec.outcome },
      });
    }
    lanesUsed.set(pid, lanes.count);
  }
  for (const [pid, n] of [...lanesUsed.entries()].sort((a, b) => a[0] - b[0])) {
    for (let l = 0; l < n; l++) name(pid, QUEUE_TID_BASE + l, 'thread_name', n === 1 ? 'queue' : `queue (lane ${l + 1})`, QUEUE_TID_BASE + l);
  }

  // ---- drops ----
  const dropPids = new Set<number>();
  for (const { pid, rec } of drops) {
    dropPids.add(pid);
    events.push({ name: `dropped ${rec.cls} #${rec.id}`, cat: 'drop', ph: 'i', s: 't', ts: us(rec.finish), pid, tid: DROPS_TID, args: { id: rec.id, class: rec.cls, reason: rec.reason ?? 'dropped' } });
  }
  for (const pid of [...dropPids].sort((a, b) => a - b)) name(pid, DROPS_TID, 'thread_name', 'drops', DROPS_TID);

  // ---- counters ----
  for (const p of result.timeseries) {
    const ts = us(p.t);
    events.push({ name: 'requests', cat: 'counter', ph: 'C', ts, pid: CLUSTER_PID, tid: 0, args: { waiting: p.queued, in_system: p.in_flight } });
    events.push({ name: 'busy replicas', cat: 'counter', ph: 'C', ts, pid: CLUSTER_PID, tid: 0, args: { busy: p.busy_replicas } });
    events.push({ name: 'GPU utilization (%)', cat: 'counter', ph: 'C', ts, pid: CLUSTER_PID, tid: 0, args: { percent: Math.round(p.gpu_utilization * 1e4) / 100 } });
  }

  // parents before children: by time, then longer first, then shallower, then place, then name
  const rank = { M: 0, C: 1, X: 2, i: 3, s: 4, t: 5, f: 6 } as const;
  events.sort((a, b) => a.ts - b.ts || (b.dur ?? 0) - (a.dur ?? 0) || (depth.get(a) ?? 0) - (depth.get(b) ?? 0) || a.pid - b.pid || a.tid - b.tid || rank[a.ph] - rank[b.ph] || cmp(a.name, b.name) || (a.id ?? 0) - (b.id ?? 0));
  meta.sort((a, b) => a.pid - b.pid || a.tid - b.tid || cmp(a.name, b.name));

  return { traceEvents: [...meta, ...events], displayTimeUnit: 'ms', otherData };
}

/** The trace as JSON text (one event per line: diffable, and still one JSON document). */
export function chromeTraceJson(trace: ChromeTrace): string {
  const lines = trace.traceEvents.map((e) => JSON.stringify(e));
  return `{"displayTimeUnit":${JSON.stringify(trace.displayTimeUnit)},"otherData":${JSON.stringify(trace.otherData)},"traceEvents":[\n${lines.join(',\n')}\n]}\n`;
}
