/**
 * A trace from the run's timeline: batches as they ran with their phases nested, queue waits between
 * services, replica states, cold starts with their parts, stage hand-overs with flow arrows, node power
 * states and failures; then the per-GPU operators of the first requests' denoise steps (gpu-ops.ts).
 */
import type { TimelineBatch, TimelineEvent, TimelineHandoff, TimelinePhase } from '../../serving/simulate.ts';
import { CLUSTER_PID, LOADS_TID_BASE, Lanes, QUEUE_TID_BASE, pushWait, r6, replicaTid, us, type TraceContext, type TraceEvent } from './context.ts';
import { stepOps } from './gpu-ops.ts';

/** Everything from the run's timeline: batches and their phases, states, cold starts, hand-overs, nodes, failures. */
export function timelineRequests(ctx: TraceContext, tl: TimelineEvent[]): void {
  const { result, records, opts, push, name, poolOfReplica, waits, drops, otherData } = ctx;
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
          for (let g = 0; g < b.gpus; g++) stepOps(ctx, ph, b, fo, ph.start + j * d, ph.start + (j + 1) * d, (ph.step ?? 1) + j, b.stage * b.gpus + g);
          stepsDone++;
        }
      }
    }
    otherData.operators = `per-GPU operators of the denoise steps of the first ${chosen.length} request(s), at most ${perRequest} step(s) each (${stepsDone} step(s) expanded): ` +
      'the priced ops of one forward in program order, each merged over its executions (×count, e.g. per layer), scaled to the simulated step time';
  }
}
