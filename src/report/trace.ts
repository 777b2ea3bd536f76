/**
 * A run as a Chrome trace-event JSON (opens in Perfetto, ui.perfetto.dev, or chrome://tracing).
 *
 *   process "cluster"         counters: requests waiting / in the system, busy replicas, GPU utilization
 *   process per pool          one thread per replica: a complete event ('X') per request, with nested
 *                             stage events (text encode → denoise → VAE decode) derived from the start
 *                             time and the class's service time on that pool;
 *                             "queue" threads: each request's wait from arrival to start of service,
 *                             spread over as few lanes as never overlap (a thread's slices must nest);
 *                             a "drops" thread with an instant event per dropped request.
 *
 * Timestamps and durations are integer microseconds of simulated time. Events are sorted, so the same
 * result gives byte-identical JSON.
 */
import type { RequestRecord, SimulationResult } from '../cluster/simulation.ts';

export interface TraceEvent {
  name: string;
  /** X complete, C counter, M metadata, i instant. */
  ph: 'X' | 'C' | 'M' | 'i';
  /** Microseconds of simulated time. */
  ts: number;
  /** Microseconds (complete events). */
  dur?: number;
  pid: number;
  tid: number;
  cat?: string;
  /** Instant-event scope: thread. */
  s?: 't';
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
}

const CLUSTER_PID = 1;
const QUEUE_TID_BASE = 1_000_000;
const DROPS_TID = 2_000_000;

const us = (s: number) => Math.round(s * 1e6);
const r6 = (x: number) => Math.round(x * 1e6) / 1e6;

export function chromeTrace(result: SimulationResult, opts: ChromeTraceOptions = {}): ChromeTrace {
  const records = result.records;
  if (!records) throw new Error('chromeTrace needs per-request records: run simulate(scenario, { records: true })');
  const serviceTimes = opts.serviceTimes ?? result.service_times;
  const stageOf = new Map(serviceTimes.map((s) => [`${s.pool}\u0000${s.class}`, s]));

  const meta: TraceEvent[] = [];
  const events: TraceEvent[] = [];
  const name = (pid: number, tid: number, kind: 'process_name' | 'thread_name', value: string, sort: number) => {
    meta.push({ name: kind, ph: 'M', ts: 0, pid, tid, args: { name: value } });
    meta.push({ name: kind === 'process_name' ? 'process_sort_index' : 'thread_sort_index', ph: 'M', ts: 0, pid, tid, args: { sort_index: sort } });
  };

  // ---- processes and threads ----
  name(CLUSTER_PID, 0, 'process_name', `cluster (${result.scenario}, seed ${result.seed})`, 0);
  const poolOfReplica: { pid: number; pool: string; local: number }[] = [];
  result.pools.forEach((p, i) => {
    const pid = CLUSTER_PID + 1 + i;
    const plan = p.gpus_per_replica > 1 ? ` of ${p.gpus_per_replica} GPUs${p.parallel && p.parallel !== 'none' ? `, ${p.parallel}` : ''}` : '';
    name(pid, 0, 'process_name', `pool ${p.name}: ${p.replicas} replicas on ${p.gpu}${plan} (${p.model})`, i + 1);
    for (let k = 0; k < p.replicas; k++) {
      const id = poolOfReplica.length;
      poolOfReplica.push({ pid, pool: p.name, local: k });
      name(pid, id + 1, 'thread_name', `replica ${k}`, k + 1);
    }
  });
  const tidOf = (replica: number) => replica + 1;

  // ---- requests and their stages ----
  const waits = new Map<number, { rec: RequestRecord; end: number }[]>();
  const drops: { pid: number; rec: RequestRecord }[] = [];
  for (const rec of records) {
    const where = rec.replica >= 0 ? poolOfReplica[rec.replica] : undefined;
    if (rec.outcome === 'dropped') {
      drops.push({ pid: where?.pid ?? CLUSTER_PID, rec });
      // a request that timed out in a queue waited from arrival until it was dropped
      if (where && rec.finish > rec.arrival) pushWait(waits, where.pid, rec, rec.finish);
      continue;
    }
    if (!where || !Number.isFinite(rec.start) || !Number.isFinite(rec.finish)) continue;
    if (rec.start > rec.arrival) pushWait(waits, where.pid, rec, rec.start);
    const t0 = us(rec.start);
    const t3 = us(rec.finish);
    const args: Record<string, string | number> = {
      id: rec.id, class: rec.cls, outcome: rec.outcome, arrival_s: r6(rec.arrival), queue_wait_s: r6(rec.start - rec.arrival), service_s: r6(rec.finish - rec.start), latency_s: r6(rec.finish - rec.arrival),
    };
    events.push({ name: `${rec.cls} #${rec.id}`, cat: 'request', ph: 'X', ts: t0, dur: t3 - t0, pid: where.pid, tid: tidOf(rec.replica), args });
    const st = stageOf.get(`${where.pool}\u0000${rec.cls}`);
    if (!st || rec.outcome !== 'completed') continue;
    // scale the cost-model stages onto the actual service interval so children always nest in the request
    const total = st.encode_s + st.denoise_s + st.decode_s;
    const span = rec.finish - rec.start;
    const k = total > 0 ? span / total : 0;
    const b1 = Math.min(t3, us(rec.start + st.encode_s * k));
    const b2 = Math.min(t3, Math.max(b1, us(rec.start + (st.encode_s + st.denoise_s) * k)));
    const stages: [string, number, number, number][] = [
      ['text encode', t0, b1, st.encode_s],
      ['denoise', b1, b2, st.denoise_s],
      ['VAE decode', b2, t3, st.decode_s],
    ];
    for (const [n, a, b, s] of stages) {
      events.push({ name: n, cat: 'stage', ph: 'X', ts: a, dur: b - a, pid: where.pid, tid: tidOf(rec.replica), args: { id: rec.id, seconds: r6(s) } });
    }
  }

  // ---- queue waits, packed into non-overlapping lanes per pool ----
  const lanesUsed = new Map<number, number>();
  for (const [pid, list] of [...waits.entries()].sort((a, b) => a[0] - b[0])) {
    list.sort((a, b) => a.rec.arrival - b.rec.arrival || a.rec.id - b.rec.id);
    const laneEnd: number[] = [];
    for (const { rec, end } of list) {
      const ts = us(rec.arrival);
      const te = us(end);
      let lane = laneEnd.findIndex((e) => e <= ts);
      if (lane < 0) lane = laneEnd.push(0) - 1;
      laneEnd[lane] = te;
      events.push({
        name: `wait ${rec.cls} #${rec.id}`, cat: 'queue', ph: 'X', ts, dur: te - ts, pid, tid: QUEUE_TID_BASE + lane,
        args: { id: rec.id, class: rec.cls, replica: poolOfReplica[rec.replica]?.local ?? -1, wait_s: r6(end - rec.arrival), outcome: rec.outcome },
      });
    }
    lanesUsed.set(pid, laneEnd.length);
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

  // parents before children: by time, then longer first, then place, then name
  const rank = { M: 0, C: 1, X: 2, i: 3 } as const;
  events.sort((a, b) => a.ts - b.ts || (b.dur ?? 0) - (a.dur ?? 0) || a.pid - b.pid || a.tid - b.tid || rank[a.ph] - rank[b.ph] || cmp(a.name, b.name));
  meta.sort((a, b) => a.pid - b.pid || a.tid - b.tid || cmp(a.name, b.name));

  return {
    traceEvents: [...meta, ...events],
    displayTimeUnit: 'ms',
    otherData: { generator: 'vgsim', scenario: result.scenario, seed: result.seed, time_unit: 'simulated microseconds' },
  };
}

function pushWait(waits: Map<number, { rec: RequestRecord; end: number }[]>, pid: number, rec: RequestRecord, end: number) {
  let list = waits.get(pid);
  if (!list) waits.set(pid, (list = []));
  list.push({ rec, end });
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The trace as JSON text (one event per line: diffable, and still one JSON document). */
export function chromeTraceJson(trace: ChromeTrace): string {
  const lines = trace.traceEvents.map((e) => JSON.stringify(e));
  return `{"displayTimeUnit":${JSON.stringify(trace.displayTimeUnit)},"otherData":${JSON.stringify(trace.otherData)},"traceEvents":[\n${lines.join(',\n')}\n]}\n`;
}
