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
 */
import type { RequestRecord, SimulationResult, TimelineBatch, TimelineEvent, TimelineHandoff, TimelinePhase } from '../serving/simulate.ts';
import type { StepOp } from '../perf/estimate.ts';

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

const CLUSTER_PID = 1;
const QUEUE_TID_BASE = 1_000_000;
const DROPS_TID = 2_000_000;
const LOADS_TID_BASE = 3_000_000;
/** Timeline mode: replica r, stage k on tid 1000(r+1)+k; its GPU g on 1000(r+1)+100+g. */
const replicaTid = (replica: number, stage: number) => 1000 * (replica + 1) + stage;
const gpuTid = (replica: number, gpu: number) => 1000 * (replica + 1) + 100 + gpu;

const us = (s: number) => Math.round(s * 1e6);
const r6 = (x: number) => Math.round(x * 1e6) / 1e6;

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
  const poolOfReplica: { pid: number; pool: string; local: number; index: number }[] = [];
  result.pools.forEach((p, i) => {
    const pid = CLUSTER_PID + 1 + i;
    const plan = p.gpus_per_replica > 1 ? ` of ${p.gpus_per_replica} GPUs${p.parallel && p.parallel !== 'none' ? `, ${p.parallel}` : ''}` : '';
    name(pid, 0, 'process_name', `pool ${p.name}: ${p.replicas} replicas on ${p.gpu}${plan} (${p.model})`, i + 1);
    for (let k = 0; k < p.replicas; k++) poolOfReplica.push({ pid, pool: p.name, local: k, index: i });
  });

  const waits = new Map<number, { rec: RequestRecord; from: number; end: number }[]>();
  const drops: { pid: number; rec: RequestRecord }[] = [];
  const otherData: Record<string, string | number> = { generator: 'vgsim', scenario: result.scenario, seed: result.seed, time_unit: 'simulated microseconds' };

  if (!timeline) derivedRequests();
  else timelineRequests(timeline);

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

  /** Requests and their stages derived from the records and the class's service time (no timeline). */
  function derivedRequests() {
    const serviceTimes = opts.serviceTimes ?? result.service_times;
    const stageOf = new Map(serviceTimes.map((s) => [`${s.pool}\u0000${s.class}`, s]));
    poolOfReplica.forEach((where, id) => name(where.pid, id + 1, 'thread_name', `replica ${where.local}`, where.local + 1));
    const tidOf = (replica: number) => replica + 1;
    for (const rec of records!) {
      const where = rec.replica >= 0 ? poolOfReplica[rec.replica] : undefined;
      if (rec.outcome === 'dropped') {
        drops.push({ pid: where?.pid ?? CLUSTER_PID, rec });
        // a request that timed out in a queue waited from arrival until it was dropped
        if (where && rec.finish > rec.arrival) pushWait(waits, where.pid, rec, rec.arrival, rec.finish);
        continue;
      }
      if (!where || !Number.isFinite(rec.start) || !Number.isFinite(rec.finish)) continue;
      if (rec.start > rec.arrival) pushWait(waits, where.pid, rec, rec.arrival, rec.start);
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
  }

  /** Everything from the run's timeline: batches and their phases, states, cold starts, hand-overs, nodes, failures. */
  function timelineRequests(tl: TimelineEvent[]) {
    const simEnd = us(result.sim_time_s);
    const threads = new Set<number>();
    const thread = (pid: number, tid: number, label: () => string, sort = tid) => {
      const key = pid * 1e8 + tid;
      if (threads.has(key)) return tid;
      threads.add(key);
      name(pid, tid, 'thread_name', label(), sort);
      return tid;
    };
    const poolSpec = (replica: number) => result.pools[poolOfReplica[replica]!.index]!;
    const split = (replica: number) => poolSpec(replica).parallel.split(',').includes('experts=split');
    const stageThread = (replica: number, stage: number) => {
      const where = poolOfReplica[replica]!;
      return thread(where.pid, replicaTid(replica, stage), () => {
        if (!split(replica)) return `replica ${where.local}`;
        const g = poolSpec(replica).gpus_per_replica / 2;
        return `replica ${where.local} · GPUs ${stage * g}-${stage * g + g - 1} (${stage === 0 ? 'text encode + high-noise steps' : 'low-noise steps + VAE decode'})`;
      });
    };
    // every replica gets its thread, in order, even if it never served
    poolOfReplica.forEach((_w, r) => {
      stageThread(r, 0);
      if (split(r)) stageThread(r, 1);
    });
    const recordOf = new Map(records!.map((r) => [r.id, r]));
    const slice = (e: Omit<TraceEvent, 'ph' | 'ts' | 'dur'> & { start: number; end: number }, d = 0) => {
      const ts = Math.min(us(e.start), simEnd);
      const te = Math.max(ts, Math.min(us(e.end), simEnd));
      return push({ name: e.name, cat: e.cat, ph: 'X', ts, dur: te - ts, pid: e.pid, tid: e.tid, args: e.args }, d);
    };

    // ---- batches (a request's part on one replica, per attempt) and their phases ----
    const batchesOf = new Map<number, TimelineBatch[]>();
    const openBatch = new Map<number, TimelineBatch>();
    const batchOfPhase = new Map<TimelinePhase, TimelineBatch>();
    const handoffsOf = new Map<number, TimelineHandoff[]>();
    for (const ev of tl) {
      if (ev.type === 'batch') {
        openBatch.set(replicaTid(ev.replica, ev.stage), ev);
        for (const id of ev.requests) {
          let l = batchesOf.get(id);
          if (!l) batchesOf.set(id, (l = []));
          l.push(ev);
        }
        const where = poolOfReplica[ev.replica]!;
        const tid = stageThread(ev.replica, ev.stage);
        const attempt = Math.max(...ev.attempts);
        const label = ev.requests.length === 1 ? `${ev.class} #${ev.requests[0]}` : `${ev.class} ×${ev.requests.length}: ${ev.requests.map((i) => `#${i}`).join(' ')}`;
        slice({
          name: `${label}${attempt > 0 ? ` (retry ${attempt})` : ''}${ev.outcome === 'interrupted' ? ' ✗' : ''}`, cat: 'request', pid: where.pid, tid, start: ev.start, end: ev.end,
          args: {
            ...(ev.requests.length === 1 ? { id: ev.requests[0]! } : {}), requests: ev.requests.join(' '), class: ev.class, pool: where.pool, replica: where.local, attempt, outcome: ev.outcome, service_s: r6(ev.end - ev.start),
          },
        });
      } else if (ev.type === 'phase') {
        const b = openBatch.get(replicaTid(ev.replica, ev.stage));
        if (b) batchOfPhase.set(ev, b);
        const where = poolOfReplica[ev.replica]!;
        slice({
          name: ev.label, cat: 'phase', pid: where.pid, tid: stageThread(ev.replica, ev.stage), start: ev.start, end: ev.end,
          args: { requests: ev.requests.join(' '), seconds: r6(ev.end - ev.start), watts_per_gpu: Math.round(ev.watts * 10) / 10, ...(ev.step !== undefined ? { step: ev.step, steps: ev.steps ?? 1 } : {}), ...(ev.interrupted ? { interrupted: true } : {}) },
        }, 1);
      } else if (ev.type === 'handoff') {
        let l = handoffsOf.get(ev.request);
        if (!l) handoffsOf.set(ev.request, (l = []));
        l.push(ev);
      }
    }

    // ---- queue waits: from arrival, the end of a hand-over, or an interruption, to the next service ----
    for (const rec of records!) {
      const mine = batchesOf.get(rec.id) ?? [];
      let ready = rec.arrival;
      let prev: TimelineBatch | undefined;
      for (const b of mine) {
        if (prev) {
          const h = handoffsOf.get(rec.id)?.find((x) => x.from === prev!.replica && x.start === prev!.end);
          ready = h ? h.end : prev.end;
        }
        if (b.start > ready) pushWait(waits, poolOfReplica[b.replica]!.pid, rec, ready, b.start);
        prev = b;
      }
      if (rec.outcome === 'dropped') {
        const where = rec.replica >= 0 ? poolOfReplica[rec.replica] : undefined;
        drops.push({ pid: where?.pid ?? CLUSTER_PID, rec });
        if (prev) {
          const h = handoffsOf.get(rec.id)?.find((x) => x.from === prev!.replica && x.start === prev!.end);
          ready = h ? h.end : prev.end;
        }
        if (where && rec.finish > ready) pushWait(waits, where.pid, rec, ready, rec.finish);
      }
    }

    // ---- replica states, cold starts, hand-overs, nodes, failures ----
    const STATE: Record<string, string> = { asleep: 'asleep', waking: 'waking (node boot)', loading: 'loading (cold start)', failed: 'down (failure)' };
    const loadLanes = new Map<number, Lanes>();
    const netLanes = new Lanes();
    const failLanes = new Lanes();
    const NET_PID = CLUSTER_PID + 1 + result.pools.length;
    const NODES_PID = NET_PID + 1;
    const nodeTypes = result.energy.nodes.per_node;
    let flowId = 0;
    for (const ev of tl) {
      if (ev.type === 'replica') {
        if (ev.state === 'active' || ev.end <= ev.start) continue;
        const where = poolOfReplica[ev.replica]!;
        slice({ name: STATE[ev.state] ?? ev.state, cat: 'state', pid: where.pid, tid: stageThread(ev.replica, 0), start: ev.start, end: ev.end, args: { state: ev.state, seconds: r6(ev.end - ev.start) } });
      } else if (ev.type === 'load') {
        const where = poolOfReplica[ev.replica]!;
        let lanes = loadLanes.get(where.pid);
        if (!lanes) loadLanes.set(where.pid, (lanes = new Lanes()));
        const ts = us(ev.start);
        const tid = LOADS_TID_BASE + lanes.take(ts, Math.min(simEnd, us(ev.end)));
        slice({
          name: `cold start: replica ${where.local}${ev.outcome === 'aborted' ? ' ✗' : ''}`, cat: 'load', pid: where.pid, tid, start: ev.start, end: ev.end,
          args: { replica: where.local, seconds: r6(ev.end - ev.start), outcome: ev.outcome, source: ev.source, gb: r6(ev.bytes / 1e9) },
        });
        for (const p of ev.parts) {
          if (p.end > p.start || p.label === 'process start-up') slice({ name: p.label, cat: 'load', pid: where.pid, tid, start: p.start, end: p.end, args: { replica: where.local, seconds: r6(p.end - p.start) } }, 1);
        }
      } else if (ev.type === 'handoff') {
        const from = poolOfReplica[ev.from]!;
        const ts = us(ev.start);
        const lane = netLanes.take(ts, Math.max(ts + 1, Math.min(simEnd, us(ev.end))));
        const next = (batchesOf.get(ev.request) ?? []).find((b) => b.start >= ev.end && poolOfReplica[b.replica]!.pool === ev.to_pool);
        const to = next ? poolOfReplica[next.replica]! : ev.to !== null ? poolOfReplica[ev.to] : undefined;
        const x = slice({
          name: `${ev.payload} #${ev.request}: ${from.pool} ${from.local} → ${ev.to_pool}${to ? ` ${to.local}` : ''}`, cat: 'handoff', pid: NET_PID, tid: lane + 1, start: ev.start, end: ev.end,
          args: { id: ev.request, payload: ev.payload, mb: r6(ev.bytes / 1e6), ms: r6((ev.end - ev.start) * 1e3), same_node: ev.same_node, from: `${from.pool} replica ${from.local}`, to: to ? `${to.pool} replica ${to.local}` : ev.to_pool },
        });
        // flow arrow: sender's last phase → the transfer → the batch that took the request
        const id = ++flowId;
        const sender = (batchesOf.get(ev.request) ?? []).find((b) => b.replica === ev.from && b.end === ev.start);
        if (sender) push({ name: 'hand-over', cat: 'handoff', ph: 's', id, ts: Math.max(us(sender.start), x.ts - 1), pid: from.pid, tid: replicaTid(ev.from, sender.stage) });
        if (next) {
          push({ name: 'hand-over', cat: 'handoff', ph: 't', id, ts: x.ts, pid: NET_PID, tid: lane + 1 });
          push({ name: 'hand-over', cat: 'handoff', ph: 'f', bp: 'e', id, ts: Math.min(us(next.start), simEnd), pid: to!.pid, tid: replicaTid(next.replica, next.stage) });
        } else push({ name: 'hand-over', cat: 'handoff', ph: 'f', bp: 'e', id, ts: x.ts, pid: NET_PID, tid: lane + 1 });
      } else if (ev.type === 'node') {
        const tid = thread(NODES_PID, ev.node + 1, () => `node ${ev.node} (${nodeTypes[ev.node]?.type ?? '?'})`);
        if (ev.end > ev.start) slice({ name: ev.state === 'off' ? 'off (powered down)' : ev.state, cat: 'node', pid: NODES_PID, tid, start: ev.start, end: ev.end, args: { state: ev.state, seconds: r6(ev.end - ev.start) } });
      } else if (ev.type === 'failure') {
        const what = ev.what === 'gpu' ? `GPU ${ev.gpu} failure` : ev.what === 'node' ? 'node failure' : 'link (NIC) failure';
        const label = `${what} on node ${ev.node}`;
        const ts = us(ev.start);
        const lane = failLanes.take(ts, Math.max(ts + 1, Math.min(simEnd, us(ev.end))));
        const hit = ev.replicas.map((r) => `${poolOfReplica[r]!.pool} replica ${poolOfReplica[r]!.local}`).join(', ');
        slice({ name: label, cat: 'failure', pid: NODES_PID, tid: QUEUE_TID_BASE + lane, start: ev.start, end: ev.end, args: { what: ev.what, node: ev.node, ...(ev.gpu !== undefined ? { gpu: ev.gpu } : {}), repair_s: r6(ev.repair_s), replicas_down: hit || 'none' } });
        for (const r of ev.replicas) {
          const where = poolOfReplica[r]!;
          push({ name: label, cat: 'failure', ph: 'i', s: 't', ts: Math.min(ts, simEnd), pid: where.pid, tid: stageThread(r, 0), args: { what: ev.what, node: ev.node, repair_s: r6(ev.repair_s) } });
        }
      }
    }
    for (const [pid, lanes] of [...loadLanes.entries()].sort((a, b) => a[0] - b[0])) {
      for (let l = 0; l < lanes.count; l++) name(pid, LOADS_TID_BASE + l, 'thread_name', lanes.count === 1 ? 'cold starts' : `cold starts (lane ${l + 1})`, LOADS_TID_BASE + l);
    }
    if (netLanes.count > 0) {
      name(NET_PID, 0, 'process_name', 'network: stage hand-overs', result.pools.length + 1);
      for (let l = 0; l < netLanes.count; l++) name(NET_PID, l + 1, 'thread_name', netLanes.count === 1 ? 'transfers' : `transfers (lane ${l + 1})`, l + 1);
    }
    if (threads.size > 0 && tl.some((e) => e.type === 'node')) name(NODES_PID, 0, 'process_name', 'nodes', result.pools.length + 2);
    for (let l = 0; l < failLanes.count; l++) name(NODES_PID, QUEUE_TID_BASE + l, 'thread_name', failLanes.count === 1 ? 'failures' : `failures (lane ${l + 1})`, QUEUE_TID_BASE + l);

    // ---- per-GPU operators of the first requests' denoise steps ----
    const nOps = opts.opsRequests ?? 0;
    const perRequest = opts.opsSteps ?? 2;
    otherData.timeline = 'simulated phases';
    if (nOps > 0) {
      const ids = [...batchesOf.keys()].sort((a, b) => a - b);
      const stepPhases = new Map<number, TimelinePhase[]>();
      for (const ev of tl) if (ev.type === 'phase' && ev.step !== undefined && !ev.interrupted) for (const id of ev.requests) {
        let l = stepPhases.get(id);
        if (!l) stepPhases.set(id, (l = []));
        l.push(ev);
      }
      const chosen = ids.filter((id) => stepPhases.has(id)).slice(0, nOps);
      const expanded = new Set<string>();
      let stepsDone = 0;
      for (const id of chosen) {
        let left = perRequest;
        for (const ph of stepPhases.get(id)!) {
          if (left <= 0) break;
          const n = ph.steps ?? 1;
          for (let j = 0; j < n && left > 0; j++, left--) {
            const key = `${ph.replica}/${ph.stage}/${ph.start}/${j}`;
            if (expanded.has(key)) continue;
            expanded.add(key);
            const b = batchOfPhase.get(ph);
            const fo = b?.estimate.forwardOps;
            if (!b || !fo) continue;
            const d = (ph.end - ph.start) / n;
            for (let g = 0; g < b.gpus; g++) stepOps(ph, b, fo, ph.start + j * d, ph.start + (j + 1) * d, (ph.step ?? 1) + j, b.stage * b.gpus + g);
            stepsDone++;
          }
        }
      }
      otherData.operators = `per-GPU operators of the denoise steps of the first ${chosen.length} request(s), at most ${perRequest} step(s) each (${stepsDone} step(s) expanded): ` +
        'the priced ops of one forward in program order, each merged over its executions (×count, e.g. per layer), scaled to the simulated step time';
    }
  }

  /** One denoise step on one GPU: step → forwards → op groups → ops, tiling the step exactly. */
  function stepOps(ph: TimelinePhase, b: TimelineBatch, fo: NonNullable<TimelineBatch['estimate']['forwardOps']>, start: number, end: number, step: number, gpu: number) {
    const where = poolOfReplica[ph.replica]!;
    const tid = gpuTid(ph.replica, gpu);
    const key = where.pid * 1e8 + tid;
    if (!gpuThreads.has(key)) {
      gpuThreads.add(key);
      name(where.pid, tid, 'thread_name', `replica ${where.local} · GPU ${gpu}`, tid);
    }
    const a = us(start);
    const z = us(end);
    const nominal = fo.step_s;
    let t = 0;
    const at = (s: number) => (nominal > 0 ? a + Math.round(((z - a) * s) / nominal) : a);
    const total = ph.steps ?? 1;
    push({
      name: `denoise step ${step}/${b.estimate.request.steps}`, cat: 'gpu-step', ph: 'X', ts: a, dur: z - a, pid: where.pid, tid,
      args: { requests: ph.requests.join(' '), class: b.class, seconds: r6(end - start), nominal_s: r6(nominal), scale: r6(nominal > 0 ? (end - start) / nominal : 0), phase_steps: total },
    });
    const runList = (ops: StepOp[], d: number) => {
      // consecutive ops of one model part under one group slice
      for (let i = 0; i < ops.length; ) {
        let j = i;
        let sum = 0;
        while (j < ops.length && ops[j]!.group === ops[i]!.group) sum += ops[j++]!.seconds;
        const group = ops[i]!.group;
        const g0 = at(t);
        const reps = ops[i]!.count;
        push({ name: group === 'block' ? `blocks ×${reps}` : group, cat: 'gpu-group', ph: 'X', ts: g0, dur: at(t + sum) - g0, pid: where.pid, tid, args: { group, ops: j - i, nominal_s: r6(sum) } }, d);
        for (; i < j; i++) {
          const op = ops[i]!;
          const o0 = at(t);
          t += op.seconds;
          const c = op.collective;
          push({
            name: op.count > 1 ? `${op.name} ×${op.count}` : op.name, cat: c ? 'collective' : 'op', ph: 'X', ts: o0, dur: at(t) - o0, pid: where.pid, tid,
            args: {
              kind: op.kind, group: op.group, shape: op.shape, count: op.count, nominal_s: r6(op.seconds), bound: op.bound, rate: `${op.rate.toFixed(op.rateUnit === 'GB/s' ? 0 : 1)} ${op.rateUnit}`,
              ...(op.flops ? { tflop: r6(op.flops / 1e12) } : {}), ...(op.bytes ? { gb: r6(op.bytes / 1e9) } : {}),
              ...(c ? { collective: c.op, comm_group: c.comm, gpus: c.gpus, bytes_per_call: c.bytes, bus_bw_gbs: r6(op.rate), exposed_s: r6(op.seconds), full_s: r6(c.full_s), overlapped_with: c.hidden_behind ?? 'none (critical path)', bottleneck: c.bottleneck ?? '' } : {}),
            },
          }, d + 1);
        }
      }
    };
    for (const f of fo.forwards) {
      const f0 = at(t);
      const len = fo.forward.reduce((x, o) => x + o.seconds, 0);
      push({ name: f, cat: 'gpu-forward', ph: 'X', ts: f0, dur: at(t + len) - f0, pid: where.pid, tid, args: { nominal_s: r6(len) } }, 1);
      runList(fo.forward, 2);
    }
    if (fo.scheduler.length) {
      const s0 = at(t);
      const len = fo.scheduler.reduce((x, o) => x + o.seconds, 0);
      push({ name: 'scheduler step', cat: 'gpu-forward', ph: 'X', ts: s0, dur: at(t + len) - s0, pid: where.pid, tid, args: { nominal_s: r6(len) } }, 1);
      runList(fo.scheduler, 2);
    }
  }
}

/** Packs intervals into the fewest lanes where none overlap (first fit, in order of start). */
class Lanes {
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

function pushWait(waits: Map<number, { rec: RequestRecord; from: number; end: number }[]>, pid: number, rec: RequestRecord, from: number, end: number) {
  let list = waits.get(pid);
  if (!list) waits.set(pid, (list = []));
  list.push({ rec, from, end });
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The trace as JSON text (one event per line: diffable, and still one JSON document). */
export function chromeTraceJson(trace: ChromeTrace): string {
  const lines = trace.traceEvents.map((e) => JSON.stringify(e));
  return `{"displayTimeUnit":${JSON.stringify(trace.displayTimeUnit)},"otherData":${JSON.stringify(trace.otherData)},"traceEvents":[\n${lines.join(',\n')}\n]}\n`;
}
