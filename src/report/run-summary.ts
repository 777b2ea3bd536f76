/** The readable summary of a simulation run (terminal). */
import type { SimulationResult } from '../serving/simulate.ts';
import { table, fmtSeconds, pct } from './table.ts';
import { priceLines } from './prices.ts';
import { evidenceLineOf, poolNearestCaveats, scopeLine } from '../perf/gpu-evidence.ts';
import { MODELS, type ModelSpec } from '../workload/models.ts';
import { HOURS_PER_MONTH } from '../economics/defaults.ts';

export function runSummary(r: SimulationResult): string {
  const q = r.requests;
  const out: string[] = [];
  out.push(`scenario ${r.scenario} (seed ${r.seed}): simulated ${fmtSeconds(r.sim_time_s)} in ${r.wall_time_s.toFixed(2)} s wall (${r.events} events)`);
  out.push(`requests: ${q.arrived} arrived, ${q.completed} completed, ${q.dropped} dropped, ${q.failed} failed, ${q.in_flight} in flight`);
  out.push(`throughput ${r.throughput_per_h.toFixed(1)} videos/h, GPU utilization ${pct(r.gpu_utilization)}, SLO attainment ${pct(r.slo_attainment)}`);
  const e = r.energy;
  if (q.completed === 0) out.push('no completed requests: latency, queue wait, energy and cost per video are n/a');
  const perVideo = (x: number, d: number) => (Number.isFinite(x) ? x.toFixed(d) : 'n/a');
  // per video and per second of video are facility energy (IT × PUE): each says so, beside the IT figure per video
  out.push(`energy ${e.total_kwh.toFixed(1)} kWh IT (${e.facility_kwh.toFixed(1)} kWh at PUE ${e.pue}), ${perVideo(e.per_video_wh / e.pue, 0)} Wh/video IT (${perVideo(e.per_video_wh, 0)} Wh at PUE ${e.pue}), ${perVideo(e.per_video_second_wh, 1)} Wh per second of video at PUE ${e.pue}; power avg ${e.avg_power_kw.toFixed(2)} kW, peak ${e.peak_power_kw.toFixed(2)} kW${e.nodes.per_node.length > 1 ? `; per node avg ${e.nodes.mean_avg_kw.toFixed(2)} kW, highest peak ${e.nodes.max_peak_kw.toFixed(2)} kW` : ''}`);
  if (r.cost) {
    const c = r.cost;
    const money = (x: number | null, d = 2) => (x === null || !Number.isFinite(x) ? 'n/a' : `$${x.toFixed(d)}`);
    // a month repeats the arrival window, so the cost per video divides by the videos per window hour, not by the
    // throughput above (completed / simulated time, drain included): print the rate it uses; no completed video has
    // no cost per video ("n/a/video" read as a unit)
    const rate = c.videos_per_month / HOURS_PER_MONTH;
    const perVideoCost = c.usd_per_video === null || !Number.isFinite(c.usd_per_video)
      ? 'no cost per video (no video completed)'
      : `${money(c.usd_per_video, 3)}/video (${rate.toFixed(1)} videos/h over the ${fmtSeconds(c.window_hours * 3600)} arrival window), ${money(c.usd_per_video_second, 4)}/video-second`;
    out.push(`cost (${c.basis}): ${perVideoCost}, ${money(c.usd_per_month, 0)}/month, ${money(c.usd_per_gpu_hour)}/GPU-hour equivalent`);
    if (c.prices.length) out.push('prices (one node as a whole system; [n] = source below):', ...priceLines(c.prices));
    for (const p of c.cloud_prices) out.push(`price: ${p.gpu} $${p.usd_per_gpu_hour}/GPU-hour (${p.basis}): ${p.source}`);
  }
  if (r.cold_starts.count > 0) out.push(`cold starts: ${r.cold_starts.count}, mean ${fmtSeconds(r.cold_starts.mean_s)}, p95 ${fmtSeconds(r.cold_starts.p95_s)} (${r.cold_starts.storage})`);
  const a = r.autoscaling;
  if (a.scale_ups + a.scale_downs > 0) out.push(`autoscaling: ${a.scale_ups} scale-ups, ${a.scale_downs} scale-downs, ${a.node_boots} node boots, ${a.node_shutdowns} node shutdowns; GPU-hours awake ${r.gpu_hours.awake.toFixed(1)} of ${r.gpu_hours.provisioned.toFixed(1)}`);
  const f = r.failures;
  if (f.gpu + f.node + f.link > 0) out.push(`failures: ${f.gpu} GPU, ${f.node} node, ${f.link} link; availability ${pct(f.availability)}, ${q.retried} requests retried, ${f.requests_failed} lost, ${f.lost_gpu_hours.toFixed(1)} GPU-hours of work lost`);
  out.push('');
  out.push(table(['latency', 'mean', 'p50', 'p90', 'p95', 'p99', 'max'], [
    ['end-to-end', ...[r.latency_s.mean, r.latency_s.p50, r.latency_s.p90, r.latency_s.p95, r.latency_s.p99, r.latency_s.max].map(fmtSeconds)],
    ['queue wait', ...[r.queue_wait_s.mean, r.queue_wait_s.p50, r.queue_wait_s.p90, r.queue_wait_s.p95, r.queue_wait_s.p99, r.queue_wait_s.max].map(fmtSeconds)],
  ]));
  out.push('');
  out.push(table(['class', 'model', 'arrived', 'done', 'service', 'p50', 'p95', 'SLO', 'within SLO'], r.classes.map((c) => [
    c.name, c.model, c.arrived, c.completed, fmtSeconds(c.service_s), fmtSeconds(c.latency_s.p50), fmtSeconds(c.latency_s.p95), c.slo_s === null ? '-' : fmtSeconds(c.slo_s), pct(c.slo_attainment),
  ])));
  out.push('');
  out.push(table(['pool', 'model', 'gpu', 'parallel', 'replicas', 'gpus each', 'utilization', 'served'], r.pools.map((p) => [p.name, p.models ? p.models.join(' + ') : p.model, p.gpu, p.parallel, p.replicas, p.gpus_per_replica, pct(p.utilization), p.served])));
  // shared pools (several models per replica): whether they fit together, else the swaps they made
  for (const p of r.pools) {
    if (!p.models) continue;
    out.push(`shared pool ${p.name}: ${p.co_resident ? 'all models fit on the GPUs together (no swaps)' : `${p.model_swaps} model swaps (${Object.entries(p.swap_s ?? {}).map(([m, sec]) => `${m} ${fmtSeconds(sec)}`).join(', ')} each, host → GPU)`}`);
  }
  // what the numbers rest on: each GPU's profile and held-out record (perf/gpu-evidence.ts)
  for (const g of [...new Set(r.pools.map((p) => p.gpu))]) out.push(`evidence: ${evidenceLineOf(g, Math.max(...r.pools.filter((p) => p.gpu === g).map((p) => p.gpus_per_replica)))}`);
  for (const e of [...new Set(r.pools.map((p) => p.engine))].filter((x) => x !== 'official')) out.push(`evidence: ${scopeLine('engine', e)}`);
  const families = new Set(r.pools.flatMap((p) => p.models ?? [p.model]).map((m) => MODELS.find((x) => x.id === m)?.family).filter((f): f is ModelSpec['family'] => f !== undefined && f !== 'wan'));
  for (const f of families) out.push(`evidence: ${scopeLine('family', f)}`);
  // a pool whose kind of run (family, engine, GPU, GPUs per replica) vgsim was measured off by over 10% on
  for (const c of poolNearestCaveats(r.pools)) out.push(`caveat: ${c}`);
  const post = r.service_times.filter((s) => s.postprocess_s > 0 || s.postprocess_cpu_s > 0);
  if (post.length) {
    out.push('');
    out.push(table(['post-processing', 'pool', 'on GPUs', 'CPU encode', 'pool total'], post.map((s) => [s.class, s.pool, fmtSeconds(s.postprocess_s), s.postprocess_cpu_s > 0 ? fmtSeconds(s.postprocess_cpu_s) : '-', fmtSeconds(s.total_s)])));
    if (r.cpu_encodes) out.push(`host-CPU encodes: ${r.cpu_encodes.count}, mean wait for free cores ${fmtSeconds(r.cpu_encodes.mean_wait_s)}, ${r.cpu_encodes.core_hours.toFixed(1)} core-hours`);
  }
  if (r.warnings.length) {
    out.push('', 'warnings:');
    for (const w of r.warnings) out.push(`  - ${w}`);
  }
  return out.join('\n');
}
