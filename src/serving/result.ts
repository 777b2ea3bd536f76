/**
 * What a run produces. RunSummary is the summary — what `vgsim run --json` prints, summary.json holds, sweeps
 * and baselines read — defined field by field; SimulationResult adds the bulky parts (time series, per-request
 * records, estimates, timeline) and the wall time. summaryOf() builds the summary from a result by naming every
 * field, so a field is in it because it is listed here, never because nobody deleted it.
 * RunUsage (economics/run-cost.ts) is what pricing reads of a run; usageOf() fills it in.
 */
import type { Scenario } from '../scenario/schema.ts';
import type { PowerStep } from '../engine/power-meter.ts';
import type { QuantileSketch } from '../metrics/quantile-sketch.ts';
import type { Estimate } from '../perf/estimate.ts';
import { formatPlan } from '../parallel/plan.ts';
import { changesOutput, worstPsnr } from '../engines/quality.ts';
import { runCost, type RunCost, type RunUsage } from '../economics/run-cost.ts';
import { POWER_DEFAULTS } from '../hardware/defaults.ts';
import type { ClassState, ClusterState, ServiceRow } from './state.ts';
import type { InFlightRecord, LatencySamples, RequestRecord, TimePoint } from './recorder.ts';
import type { TimelineEvent } from './timeline.ts';
import { serviceOf, partTime } from './service-times.ts';
import { busySeconds } from './service.ts';
import { thermalSummary, type ThermalSummary } from './cooling.ts';
import type { MonitoringSeries } from './monitoring.ts';
import { offeredRatePerH, runRelaxationS, saturationRatePerH, type LoadBound } from './load-bound.ts';

/** Latency statistics of completed requests, seconds; every field NaN (null in JSON) when none completed. */
export interface Stats {
  mean: number;
  p50: number;
  p90: number;
  p95: number;
  p99: number;
  max: number;
}

/** The summary of a run (JSON key order as listed). Same scenario and seed ⇒ the same summary, byte for byte. */
export interface RunSummary {
  scenario: string;
  seed: number;
  requests: { arrived: number; completed: number; dropped: number; failed: number; in_flight: number; retried: number };
  latency_s: Stats;
  queue_wait_s: Stats;
  /** Of the requests with an SLO that ended, the share completed within it (a dropped or failed one is a miss; those in flight at the end are not counted). */
  slo_attainment: number | null;
  /** The mean offered rate and the most the cluster serves (serving/load-bound.ts): above it no finite run's latency holds. */
  load: LoadBound;
  throughput_per_h: number;
  /** Seconds of video generated (completed requests × clip length). */
  video_seconds: number;
  gpu_utilization: number;
  gpus: number;
  /** GPU-hours over the run: provisioned (every GPU of the deployment), awake (replicas not asleep), busy (serving). */
  gpu_hours: { provisioned: number; awake: number; busy: number };
  sim_time_s: number;
  events: number;
  energy: {
    /** IT energy (GPUs + node non-GPU power), kWh. */
    total_kwh: number;
    facility_kwh: number;
    pue: number;
    per_video_wh: number;
    per_video_second_wh: number;
    avg_power_kw: number;
    peak_power_kw: number;
    by_component_kwh: Record<string, number>;
    /** Power per node: the mean of the nodes' average power, the highest node peak, and every node. */
    nodes: { mean_avg_kw: number; max_peak_kw: number; per_node: { node: number; type: string; avg_kw: number; peak_kw: number }[] };
  };
  /** Stage disaggregation: requests handed from one pool to the next (text embeddings or latents over the fabric). */
  handoffs: { count: number; gb: number; mean_ms: number };
  /** Host-CPU encodes after post-processing (only when some ran): count, mean wait for free cores, core-hours used. */
  cpu_encodes?: { count: number; mean_wait_s: number; core_hours: number };
  cold_starts: { count: number; mean_s: number; p95_s: number; storage: string };
  autoscaling: { scale_ups: number; scale_downs: number; node_boots: number; node_shutdowns: number };
  /** availability: share of replica-time not down for a failure (down = failed, then reloading after repair);
   * lost_gpu_hours: GPU time spent on requests that a failure interrupted (work thrown away). */
  failures: { gpu: number; node: number; link: number; requests_retried: number; requests_failed: number; availability: number; lost_gpu_hours: number };
  classes: { name: string; model: string; arrived: number; completed: number; dropped: number; failed: number; service_s: number; latency_s: Stats; queue_wait_s: { mean: number; p95: number }; slo_s: number | null; slo_attainment: number | null }[];
  /** engine: the serving engine modelled; approximate: its accelerations change the video (engines/quality.ts changesOutput);
   * quality_psnr_db: the lowest published PSNR vs the full model among its classes' settings (null: none published);
   * attention: the kernel it runs. */
  pools: {
    name: string; model: string; gpu: string; node: string; parallel: string; replicas: number; gpus_per_replica: number; utilization: number; served: number; gpu_hours_awake: number; engine: string; approximate: boolean; quality_psnr_db: number | null;
    /** The attention kernel its estimates run (inference.attention auto: the engine's default on this GPU); classes on different kernels joined by "+". */
    attention: string;
    /** Shared pools only: the models served, whether they fit together, swaps made and each model's swap time (s). */
    models?: string[]; co_resident?: boolean; model_swaps?: number; swap_s?: Record<string, number>;
  }[];
  /** total_s: the pool's part of the request (all stages unless the pool is disaggregated). */
  service_times: ServiceRow[];
  warnings: string[];
  /** With SimulationOptions.powerSteps: every change of the total IT power (W). */
  power_steps?: PowerStep[];
  /** Money (economics/run-cost.ts): null when a price is missing (see warnings). */
  cost: RunCost | null;
  /** With cluster.cooling: temperatures, throttling, sustained clocks and fan energy (serving/cooling.ts). */
  thermal?: ThermalSummary;
  /** Only when the run was stopped before its end (e.g. SIGINT): why, and the simulated time it reached. */
  partial?: { reason: string; at_s: number };
}

export interface SimulationResult extends RunSummary {
  wall_time_s: number;
  timeseries: TimePoint[];
  /** With SimulationOptions.records: one record per request that ended. */
  records?: RequestRecord[];
  /** With SimulationOptions.records: the requests still in flight when the run ended. */
  in_flight_records?: InFlightRecord[];
  /** The cost-model estimates behind service_times (for reports). */
  estimates?: { pool: string; class: string; estimate: Estimate }[];
  /** With SimulationOptions.timeline: what ran when (for the Chrome trace). */
  timeline?: TimelineEvent[];
  /** With SimulationOptions.samples: latencies and queue waits as mergeable sketches. */
  samples?: LatencySamples;
  /** With SimulationOptions.monitoring: per-GPU, node, pool and class series (report/openmetrics.ts). */
  monitoring?: MonitoringSeries;
}

/** The summary of a result: every field by name, never the wall time (it varies run to run; `vgsim run --json --timings` adds it beside). */
export function summaryOf(r: SimulationResult): RunSummary {
  return {
    scenario: r.scenario, seed: r.seed, requests: r.requests, latency_s: r.latency_s, queue_wait_s: r.queue_wait_s, slo_attainment: r.slo_attainment, load: r.load,
    throughput_per_h: r.throughput_per_h, video_seconds: r.video_seconds, gpu_utilization: r.gpu_utilization, gpus: r.gpus, gpu_hours: r.gpu_hours,
    sim_time_s: r.sim_time_s, events: r.events, energy: r.energy, handoffs: r.handoffs,
    cold_starts: r.cold_starts, autoscaling: r.autoscaling, failures: r.failures, classes: r.classes, pools: r.pools, service_times: r.service_times,
    warnings: r.warnings, ...(r.power_steps ? { power_steps: r.power_steps } : {}), cost: r.cost, ...(r.thermal ? { thermal: r.thermal } : {}),
    ...(r.partial ? { partial: r.partial } : {}),
  };
}

/** What pricing reads of a run (economics/run-cost.ts declares it). */
export function usageOf(r: RunSummary, s: Scenario): RunUsage {
  return {
    hours: r.sim_time_s / 3600, windowHours: Math.min(r.sim_time_s, s.duration) / 3600, videos: r.requests.completed, videoSeconds: r.video_seconds, itKwh: r.energy.total_kwh,
    nodes: s.cluster.nodes.map((n) => ({ type: n.type, count: n.count })),
    pools: r.pools.map((p) => ({ name: p.name, gpu: p.gpu, gpus: p.replicas * p.gpus_per_replica, gpuHoursAwake: p.gpu_hours_awake, utilization: p.utilization })),
  };
}

const fin = (x: number) => (Number.isFinite(x) ? x : 0);

/**
 * Latency statistics of the completed requests: NaN when none completed (null in JSON, "n/a" in tables), never
 * a latency of 0 that reads as instant service.
 */
function statsOf(s: QuantileSketch): Stats {
  return { mean: s.mean, p50: s.quantile(0.5), p90: s.quantile(0.9), p95: s.quantile(0.95), p99: s.quantile(0.99), max: s.count > 0 ? s.max : NaN };
}

export interface ResultOptions {
  end: number;
  /** The arrival rates' multiplier (SimulationOptions.rateScale). */
  rateScale: number;
  wallTimeS: number;
  records: boolean;
  powerSteps: boolean;
}

/** The result of a finished run, priced (a missing price only warns). */
export function buildResult(state: ClusterState, o: ResultOptions): SimulationResult {
  const { scenario: s, recorder: rec, meter, awakeGpus, nodes, pools, replicas, classes } = state;
  const end = o.end;
  // the facility PUE: power.pue, else the modelled cooling's, else the catalog default
  const modelledCooling = state.cooling?.resolved.modelled ? state.cooling : undefined;
  const pue = s.power.pue ?? modelledCooling?.resolved.pue ?? POWER_DEFAULTS.pue.default;
  const totalGpus = pools.reduce((a, p) => a + p.replicas.length * p.gpus, 0);
  let gpuBusy = 0;
  for (const r of replicas) for (const server of r.servers) gpuBusy += busySeconds(server, end) * server.gpus;
  const byKind = meter.energyByKind();
  const awakeByPool = awakeGpus.energyByKind();
  // the meter integrates board and node figures; with a PSU efficiency they are DC-side and the wall adds the loss
  const wall = s.power.psu_efficiency ? 1 / s.power.psu_efficiency : 1;
  const dcJ = Object.values(byKind).reduce((a, b) => a + b, 0);
  const itJ = dcJ * wall;
  const byComponentKwh: Record<string, number> = {};
  for (const [k, j] of Object.entries(byKind)) byComponentKwh[k] = j / 3.6e6;
  if (wall !== 1) byComponentKwh.psu_loss = (dcJ * (wall - 1)) / 3.6e6;
  const perNode = meter.groups().map((g, i) => ({ node: i, type: nodes[i]!.spec.id, avg_kw: end > 0 ? (g.joules * wall) / end / 1000 : 0, peak_kw: (g.peakW * wall) / 1000 }));
  const { completed, videoSeconds } = rec;
  const result: SimulationResult = {
    scenario: s.name,
    seed: s.seed,
    requests: { arrived: rec.arrived, completed, dropped: rec.dropped, failed: rec.failed, in_flight: rec.inFlight, retried: rec.retried },
    latency_s: statsOf(rec.latency),
    queue_wait_s: statsOf(rec.wait),
    slo_attainment: rec.withSlo > 0 ? rec.withinSlo / rec.withSlo : null,
    load: { offered_rate_per_h: 0, saturation_rate_per_h: 0 }, // set below, from the result's pools and service times
    throughput_per_h: end > 0 ? (completed / end) * 3600 : 0,
    video_seconds: videoSeconds,
    gpu_utilization: end > 0 && totalGpus > 0 ? gpuBusy / (totalGpus * end) : 0,
    gpus: totalGpus,
    gpu_hours: { provisioned: (totalGpus * end) / 3600, awake: awakeGpus.totalJoules() / 3600, busy: gpuBusy / 3600 },
    sim_time_s: end,
    wall_time_s: o.wallTimeS,
    events: state.sim.eventsProcessed,
    energy: {
      total_kwh: itJ / 3.6e6,
      facility_kwh: (itJ * pue) / 3.6e6,
      pue,
      // per video: NaN (null in JSON) when no video was made
      per_video_wh: completed > 0 ? (itJ * pue) / 3600 / completed : NaN,
      per_video_second_wh: videoSeconds > 0 ? (itJ * pue) / 3600 / videoSeconds : NaN,
      avg_power_kw: end > 0 ? itJ / end / 1000 : 0,
      peak_power_kw: (meter.peakWatts * wall) / 1000,
      by_component_kwh: byComponentKwh,
      nodes: {
        mean_avg_kw: perNode.length ? perNode.reduce((a, n) => a + n.avg_kw, 0) / perNode.length : 0,
        max_peak_kw: perNode.reduce((a, n) => Math.max(a, n.peak_kw), 0),
        per_node: perNode,
      },
    },
    handoffs: { count: rec.handoffs.count, gb: rec.handoffs.bytes / 1e9, mean_ms: rec.handoffs.count ? (rec.handoffs.seconds / rec.handoffs.count) * 1000 : 0 },
    ...(rec.cpuEncodes.encodes > 0 ? { cpu_encodes: { count: rec.cpuEncodes.encodes, mean_wait_s: rec.cpuEncodes.waitSeconds / rec.cpuEncodes.encodes, core_hours: rec.cpuEncodes.coreSeconds / 3600 } } : {}),
    cold_starts: { count: rec.coldStarts, mean_s: fin(rec.coldStartTimes.mean), p95_s: fin(rec.coldStartTimes.quantile(0.95)), storage: [...state.tiers.values()][0]?.note ?? '' },
    autoscaling: { scale_ups: rec.scaleUps, scale_downs: rec.scaleDowns, node_boots: rec.nodeBoots, node_shutdowns: rec.nodeShutdowns },
    failures: {
      gpu: rec.failures.gpu, node: rec.failures.node, link: rec.failures.link, requests_retried: rec.retried, requests_failed: rec.failed, lost_gpu_hours: rec.lostGpuSeconds / 3600,
      availability: end > 0 && replicas.length > 0 ? 1 - replicas.reduce((a, r) => a + r.downTime + (Number.isNaN(r.downSince) ? 0 : end - r.downSince), 0) / (replicas.length * end) : 1,
    },
    classes: classes.map((c) => {
      const m = rec.of(c);
      return {
        name: c.name, model: c.modelId, arrived: m.arrived, completed: m.completed, dropped: m.dropped, failed: m.failed,
        service_s: classService(state, c),
        latency_s: statsOf(m.latency), queue_wait_s: { mean: m.wait.mean, p95: m.wait.quantile(0.95) },
        slo_s: c.slo ?? null, slo_attainment: c.slo !== undefined && m.completed + m.dropped + m.failed > 0 ? m.withinSlo / (m.completed + m.dropped + m.failed) : null,
      };
    }),
    pools: pools.map((p) => {
      const gpuSeconds = p.replicas.reduce((a, r) => a + r.servers.reduce((b, server) => b + busySeconds(server, end) * server.gpus, 0), 0);
      return {
        name: p.name, model: p.modelId, gpu: p.gpu, node: p.node.id, parallel: formatPlan(p.plan), replicas: p.replicas.length, gpus_per_replica: p.gpus,
        utilization: end > 0 ? gpuSeconds / (p.replicas.length * p.gpus * end) : 0, served: p.replicas.reduce((a, r) => a + r.served, 0), gpu_hours_awake: (awakeByPool[p.name] ?? 0) / 3600,
        ...poolQuality(p.inference.engine, state.estimates.filter((x) => x.pool === p.name).map((x) => x.estimate)),
        ...(p.shared ? { models: p.modelIds, co_resident: p.shared.coResident, model_swaps: p.swaps, swap_s: Object.fromEntries(p.shared.swapSeconds) } : {}),
      };
    }),
    service_times: state.serviceRows,
    warnings: state.warnings,
    timeseries: rec.timeseries,
    power_steps: o.powerSteps ? (wall === 1 ? meter.steps : meter.steps.map((p) => ({ t: p.t, watts: p.watts * wall }))) : undefined,
    records: rec.records,
    in_flight_records: rec.inFlightRecords(),
    estimates: state.estimates,
    ...(state.timeline ? { timeline: state.timeline.events } : {}),
    ...(state.monitoring ? { monitoring: state.monitoring.series } : {}),
    cost: null,
    ...(modelledCooling ? { thermal: thermalSummary(modelledCooling, end, byKind.fans ?? 0) } : {}),
  };
  const offered = offeredRatePerH(s, rec.arrived, end, o.rateScale);
  const saturation = saturationRatePerH(result, s);
  // the queue's relaxation time at that rate: the mix's shares by weight and each class's service time
  const weights = s.workload.mix.reduce((a, c) => a + c.weight, 0);
  const mix = result.classes.map((c, i) => ({ share: weights > 0 ? (s.workload.mix[i]?.weight ?? 0) / weights : 0, service_s: c.service_s })).filter((c) => Number.isFinite(c.service_s));
  const relaxation = runRelaxationS(offered, saturation, s, mix, state.pools[0]?.overheads?.service_cv ?? 0);
  result.load = { offered_rate_per_h: offered, saturation_rate_per_h: saturation, relaxation_s: relaxation, window_s: s.duration };
  // pricing is a view of the results (economics/run-cost.ts); a missing price only warns
  // an owned facility bills energy × PUE: with modelled cooling and no cost.pue, the cooling's facility PUE
  const cost = modelledCooling && s.cost.pue === undefined && s.cost.facility === 'owned' ? { ...s.cost, pue } : s.cost;
  const priced = runCost(usageOf(result, s), cost);
  result.cost = priced.cost;
  if (priced.warning) result.warnings.push(priced.warning);
  for (const w of priced.cost?.warnings ?? []) result.warnings.push(`cost: ${w}`);
  return result;
}

/** Service time of a class on an idle cluster: its whole-request pool, or the sum of the stage pools' parts. */
function classService(state: ClusterState, c: ClassState): number {
  const mine = state.pools.filter((p) => p.modelIds.includes(c.modelId));
  const whole = mine.find((p) => p.first === 0 && p.last >= (c.postprocess ? 3 : 2));
  if (whole) return serviceOf(whole, c).total_s;
  let total = 0;
  for (let stage = 0; stage < (c.postprocess ? 4 : 3); ) {
    const p = mine.find((x) => x.first === stage);
    if (!p) return NaN;
    total += partTime(p, c) + (p.last >= 3 ? serviceOf(p, c).postprocess_cpu_s : 0);
    stage = p.last + 1;
  }
  return total;
}

/** A pool's engine, published quality and attention kernel, from the estimates of the classes it serves. */
function poolQuality(engine: string | undefined, es: Estimate[]): { engine: string; approximate: boolean; quality_psnr_db: number | null; attention: string } {
  const psnr = es.map((e) => worstPsnr(e.quality)).filter((v): v is number => v !== null);
  const attention = [...new Set(es.map((e) => e.options.attention_kernel))].join('+');
  return { engine: engine ?? 'official', approximate: es.some((e) => changesOutput(e.accelerations)), quality_psnr_db: psnr.length ? Math.min(...psnr) : null, attention };
}
