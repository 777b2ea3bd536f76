/**
 * A trace without the run's timeline (older callers): each request's slice from its record, with its
 * stages derived from the class's cost-model service time on its pool, scaled onto the actual service.
 */
import { CLUSTER_PID, pushWait, r6, us, type TraceContext } from './context.ts';

/** Requests and their stages derived from the records and the class's service time (no timeline). */
export function derivedRequests(ctx: TraceContext): void {
  const { result, records, opts, events, name, poolOfReplica, waits, drops } = ctx;
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
