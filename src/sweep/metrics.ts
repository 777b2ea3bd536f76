/**
 * The key metrics of a sweep run: the columns of points.csv and sweep.json, what each measures, its unit and
 * which direction is better.
 */
import type { RunSummary } from './worker.ts';

export type MetricUnit = 'count' | 'videos/h' | 's' | 'ratio' | 'Wh' | 'kWh' | 'kW' | 'usd' | 'GPUs' | 'dB';

export interface MetricDef {
  /** Column name in points.csv and sweep.json. */
  key: string;
  label: string;
  unit: MetricUnit;
  /** Which direction is better (null: context only). */
  better: 'higher' | 'lower' | null;
  get: (s: RunSummary) => number | null;
}

const done = (f: (s: RunSummary) => number) => (s: RunSummary) => (s.requests.completed > 0 ? f(s) : null);

/** The metrics of points.csv, in column order. */
export const METRICS: readonly MetricDef[] = [
  { key: 'arrived', label: 'arrived', unit: 'count', better: null, get: (s) => s.requests.arrived },
  { key: 'completed', label: 'completed', unit: 'count', better: null, get: (s) => s.requests.completed },
  { key: 'dropped', label: 'dropped', unit: 'count', better: 'lower', get: (s) => s.requests.dropped },
  { key: 'failed', label: 'failed', unit: 'count', better: 'lower', get: (s) => s.requests.failed },
  { key: 'in_flight', label: 'in flight at the end', unit: 'count', better: null, get: (s) => s.requests.in_flight },
  { key: 'throughput_per_h', label: 'throughput (videos/h)', unit: 'videos/h', better: 'higher', get: (s) => s.throughput_per_h },
  { key: 'latency_mean_s', label: 'latency mean', unit: 's', better: 'lower', get: done((s) => s.latency_s.mean) },
  { key: 'latency_p50_s', label: 'latency p50', unit: 's', better: 'lower', get: done((s) => s.latency_s.p50) },
  { key: 'latency_p95_s', label: 'latency p95', unit: 's', better: 'lower', get: done((s) => s.latency_s.p95) },
  { key: 'latency_p99_s', label: 'latency p99', unit: 's', better: 'lower', get: done((s) => s.latency_s.p99) },
  { key: 'queue_wait_p95_s', label: 'queue wait p95', unit: 's', better: 'lower', get: done((s) => s.queue_wait_s.p95) },
  { key: 'slo_attainment', label: 'SLO attainment', unit: 'ratio', better: 'higher', get: (s) => s.slo_attainment },
  { key: 'gpu_utilization', label: 'GPU utilization', unit: 'ratio', better: null, get: (s) => s.gpu_utilization },
  { key: 'gpus', label: 'GPUs', unit: 'GPUs', better: null, get: (s) => s.gpus },
  { key: 'energy_kwh', label: 'IT energy', unit: 'kWh', better: 'lower', get: (s) => s.energy.total_kwh },
  { key: 'energy_per_video_wh', label: 'energy per video', unit: 'Wh', better: 'lower', get: done((s) => s.energy.per_video_wh) },
  { key: 'avg_power_kw', label: 'mean IT power', unit: 'kW', better: null, get: (s) => s.energy.avg_power_kw },
  { key: 'usd_per_video', label: '$ per video', unit: 'usd', better: 'lower', get: (s) => s.cost?.usd_per_video ?? null },
  { key: 'usd_per_month', label: '$ per month', unit: 'usd', better: 'lower', get: (s) => s.cost?.usd_per_month ?? null },
  // quality (src/engines/quality.ts): pools whose accelerations change the video, and the lowest published PSNR vs
  // the full model among them (null: exact, or nothing published) — for ranking by cost at a quality floor
  { key: 'approximate_pools', label: 'pools with output-changing accelerations', unit: 'count', better: 'lower', get: (s) => s.pools.filter((p) => p.approximate).length },
  { key: 'quality_psnr_db', label: 'published PSNR vs the full model (worst pool)', unit: 'dB', better: 'higher', get: (s) => { const v = s.pools.map((p) => p.quality_psnr_db).filter((x): x is number => x !== null); return v.length ? Math.min(...v) : null; } },
  { key: 'sim_time_s', label: 'simulated time', unit: 's', better: null, get: (s) => s.sim_time_s },
  { key: 'events', label: 'events', unit: 'count', better: null, get: (s) => s.events },
];

export const metric = (key: string): MetricDef => METRICS.find((m) => m.key === key)!;

export const finite = (v: number | null) => (v === null || !Number.isFinite(v) ? null : v);
