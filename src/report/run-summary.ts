/** The readable summary of a simulation run (terminal). */
import type { SimulationResult } from '../cluster/simulation.ts';
import { table, fmtSeconds, pct } from './table.ts';

export function runSummary(r: SimulationResult): string {
  const q = r.requests;
  const out: string[] = [];
  out.push(`scenario ${r.scenario} (seed ${r.seed}): simulated ${fmtSeconds(r.sim_time_s)} in ${r.wall_time_s.toFixed(2)} s wall (${r.events} events)`);
  out.push(`requests: ${q.arrived} arrived, ${q.completed} completed, ${q.dropped} dropped, ${q.failed} failed, ${q.in_flight} in flight`);
  out.push(`throughput ${r.throughput_per_h.toFixed(1)} videos/h, GPU utilization ${pct(r.gpu_utilization)}, SLO attainment ${pct(r.slo_attainment)}`);
  out.push('');
  out.push(table(['latency', 'mean', 'p50', 'p90', 'p95', 'p99', 'max'], [
    ['end-to-end', ...[r.latency_s.mean, r.latency_s.p50, r.latency_s.p90, r.latency_s.p95, r.latency_s.p99, r.latency_s.max].map(fmtSeconds)],
    ['queue wait', fmtSeconds(r.queue_wait_s.mean), fmtSeconds(r.queue_wait_s.p50), '', fmtSeconds(r.queue_wait_s.p95), fmtSeconds(r.queue_wait_s.p99), ''],
  ]));
  out.push('');
  out.push(table(['class', 'model', 'arrived', 'done', 'service', 'p50', 'p95', 'SLO', 'within SLO'], r.classes.map((c) => [
    c.name, c.model, c.arrived, c.completed, fmtSeconds(c.service_s), fmtSeconds(c.latency_s.p50), fmtSeconds(c.latency_s.p95), c.slo_s === null ? '-' : fmtSeconds(c.slo_s), pct(c.slo_attainment),
  ])));
  out.push('');
  out.push(table(['pool', 'model', 'gpu', 'parallel', 'replicas', 'gpus each', 'utilization', 'served'], r.pools.map((p) => [p.name, p.model, p.gpu, p.parallel, p.replicas, p.gpus_per_replica, pct(p.utilization), p.served])));
  if (r.warnings.length) {
    out.push('', 'warnings:');
    for (const w of r.warnings) out.push(`  - ${w}`);
  }
  return out.join('\n');
}
