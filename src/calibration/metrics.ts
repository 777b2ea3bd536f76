/**
 * Serving metrics computed the same way from an observed trace and from simulated request records, so that
 * predicted and observed are compared like for like:
 *
 *   latency      arrival → response (observed) / arrival → finish (simulated), completed requests
 *   queue wait   arrival → dispatch to a worker (observed) / arrival → a replica takes it (simulated)
 *   throughput   completed requests / makespan (time 0 → last completion), per hour
 *   utilization  Σ occupancy (dispatch → finish: the worker is held) / (workers × makespan)
 *
 * Percentiles are sample quantiles with linear interpolation between order statistics (Hyndman & Fan
 * type 7, numpy's default), exact over every request (traces are small).
 */
import type { RequestRecord } from '../serving/simulate.ts';
import type { ObservedRequest } from './observed-trace.ts';
import { quantile } from '../metrics/sample-quantile.ts';

export interface RequestTimes {
  latency: number;
  wait: number;
  occupancy: number;
  finish: number;
  /** The request's SLO (s), when it has one. */
  slo?: number;
}

export interface Distribution {
  mean: number;
  p50: number;
  p90: number;
  p95: number;
  p99: number;
}

export interface ServingMetrics {
  requests: number;
  latency_s: Distribution;
  queue_wait_s: Distribution;
  throughput_per_h: number;
  utilization: number;
  makespan_s: number;
  /** Share of the requests with an SLO that met it (null: none had one). */
  slo_attainment: number | null;
}

export { quantile };

export function distribution(xs: readonly number[]): Distribution {
  const s = [...xs].sort((a, b) => a - b);
  const mean = s.length ? s.reduce((a, b) => a + b, 0) / s.length : NaN;
  return { mean, p50: quantile(s, 0.5), p90: quantile(s, 0.9), p95: quantile(s, 0.95), p99: quantile(s, 0.99) };
}

export function servingMetrics(reqs: readonly RequestTimes[], servers: number): ServingMetrics {
  const makespan = reqs.reduce((m, r) => Math.max(m, r.finish), 0);
  const busy = reqs.reduce((a, r) => a + r.occupancy, 0);
  const withSlo = reqs.filter((r) => r.slo !== undefined);
  return {
    requests: reqs.length,
    latency_s: distribution(reqs.map((r) => r.latency)),
    queue_wait_s: distribution(reqs.map((r) => r.wait)),
    throughput_per_h: makespan > 0 ? (reqs.length / makespan) * 3600 : 0,
    utilization: makespan > 0 && servers > 0 ? busy / (servers * makespan) : 0,
    makespan_s: makespan,
    slo_attainment: withSlo.length ? withSlo.filter((r) => r.latency <= r.slo!).length / withSlo.length : null,
  };
}

/** A completed observed request's times (undefined for failed or dropped ones). */
export function observedTimes(r: ObservedRequest): RequestTimes | undefined {
  if (r.outcome !== 'completed' || r.finish === undefined) return undefined;
  const taken = r.dispatch ?? r.start ?? r.arrival;
  return { latency: (r.response ?? r.finish) - r.arrival, wait: taken - r.arrival, occupancy: r.finish - taken, finish: r.finish, ...(r.slo_s !== undefined ? { slo: r.slo_s } : {}) };
}

/** A completed simulated request's times (`slo`: the SLO of the trace row it replays). */
export function simulatedTimes(r: RequestRecord, slo?: number): RequestTimes | undefined {
  if (r.outcome !== 'completed') return undefined;
  return { latency: r.finish - r.arrival, wait: r.start - r.arrival, occupancy: r.finish - r.start, finish: r.finish, ...(slo !== undefined ? { slo } : {}) };
}
