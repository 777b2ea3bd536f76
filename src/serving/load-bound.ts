/**
 * The load a run offered against the most its cluster can serve: a rate above the saturation bound is a
 * queue that grows without limit, whatever a finite run of it shows (it starts empty and drains at the end,
 * so an overloaded cluster can still meet a latency objective longer than the run). Every verdict on a run
 * (studies/objectives.ts) reads it.
 */
import type { Scenario } from '../scenario/schema.ts';
import { ratePerSecond } from '../workload/arrivals.ts';
import type { ServiceRow } from './state.ts';

/** Offered arrival rate and the saturation bound, requests per hour. */
export interface LoadBound {
  offered_rate_per_h: number;
  saturation_rate_per_h: number;
  /**
   * How long the queue, started empty, takes to settle at the offered rate (relaxationTimeS), s; null for a
   * trace (its gaps' variability is not modelled) or at and above the bound (never). Absent in records written
   * before it.
   */
  relaxation_s?: number | null;
  /** The arrival window the load was offered over (the scenario's duration), s. */
  window_s?: number;
}

/**
 * Mean offered rate per hour: the arrival process's mean rate times the run's scale, or for a trace the
 * requests that arrived over the arrival window.
 */
export function offeredRatePerH(s: Scenario, arrived: number, simTimeS: number, rateScale: number): number {
  const a = s.workload.arrivals;
  if (a.process !== 'trace') return ratePerSecond(a) * 3600 * rateScale;
  return simTimeS > 0 ? (arrived / Math.min(simTimeS, s.duration)) * 3600 : 0;
}

/**
 * Throughput bound from service times: for each model and stage, Σ over the pools running that stage of
 * replicas × 3600 / (mean work per request of the mix on the pool; where it batches, a full batch's time shared
 * by its requests); a model's bound is its slowest stage (pools that run all stages count for every stage), and
 * the bounds of the models add up. 0 where no pool has a priced class.
 */
export function saturationRatePerH(
  r: { classes: readonly { name: string }[]; pools: readonly { name: string; model: string; replicas: number; parallel: string }[]; service_times: readonly ServiceRow[] },
  s: Scenario,
): number {
  const weights = new Map(s.workload.mix.map((c, i) => [r.classes[i]?.name ?? '', c.weight]));
  const perStage = new Map<string, number[]>(); // model -> capacity of stages 0..2
  for (const p of r.pools) {
    const rows = r.service_times.filter((x) => x.pool === p.name);
    let w = 0;
    let work = 0;
    for (const row of rows) {
      const wt = weights.get(row.class) ?? 0;
      w += wt;
      work += wt * (row.batch ? row.batch.total_s / row.batch.max : row.total_s);
    }
    if (!(w > 0 && work > 0)) continue;
    // a split-expert replica is a two-stage pipeline: its bottleneck stage is about half the request
    const split = p.parallel.includes('experts=split') ? 2 : 1;
    const cap = (p.replicas * 3600 * split) / (work / w);
    const stages = rows[0]?.stages ?? ['encode', 'denoise', 'decode'];
    const caps = perStage.get(p.model) ?? [0, 0, 0];
    ['encode', 'denoise', 'decode'].forEach((st, i) => {
      if (stages.includes(st)) caps[i]! += cap;
    });
    perStage.set(p.model, caps);
  }
  let bound = 0;
  for (const caps of perStage.values()) bound += Math.min(...caps);
  return bound;
}

/** Why the offered load cannot be sustained (above the saturation bound), or null. */
export function overloadReason(load: LoadBound | undefined): string | null {
  if (!load || !(load.saturation_rate_per_h > 0)) return null;
  if (load.offered_rate_per_h <= load.saturation_rate_per_h * (1 + 1e-9)) return null;
  return `offered ${load.offered_rate_per_h.toFixed(2)}/h, above the saturation bound (${load.saturation_rate_per_h.toFixed(2)}/h): the queue grows without limit, whatever this finite run shows`;
}

/**
 * A run judged against objectives spans at least this many relaxation times of its queue, so that the empty
 * start weighs little in its tails: Whitt (1989) plans a simulation's length in multiples of the relaxation
 * time. Capacity sizes its trials to it (studies/capacity.ts); a sweep's point shorter than that is not shown
 * sustained (sweep/best.ts).
 */
export const RELAXATION_TIMES_PER_RUN = 10;

/**
 * Why a run's arrival window is too short to show its load sustained (it spans fewer than
 * RELAXATION_TIMES_PER_RUN relaxation times of its queue, so its tails still carry the empty start), or null.
 */
export function unsettledReason(load: LoadBound | undefined): string | null {
  const tau = load?.relaxation_s;
  if (!load || tau === null || tau === undefined || load.window_s === undefined || !(tau > 0)) return null;
  if (load.window_s >= RELAXATION_TIMES_PER_RUN * tau) return null;
  const pct = (100 * load.offered_rate_per_h) / load.saturation_rate_per_h;
  return `not shown sustained: at ${load.offered_rate_per_h.toFixed(2)}/h (${pct.toFixed(1)}% of the ${load.saturation_rate_per_h.toFixed(2)}/h saturation bound) a queue started empty takes about ${hours(tau)} to settle (its relaxation time, Whitt 1989), and the ${hours(load.window_s)} arrival window spans ${(load.window_s / tau).toFixed(2)} of them, ${RELAXATION_TIMES_PER_RUN} needed (a duration of at least ${hours(RELAXATION_TIMES_PER_RUN * tau, Math.ceil)})`;
}

/** "5.4 h" or "30.0 min", to a tenth (rounded up where it is a duration to reach). */
const hours = (s: number, round: (x: number) => number = Math.round) => (s >= 3600 ? `${(round(s / 360) / 10).toFixed(1)} h` : `${(round(s / 6) / 10).toFixed(1)} min`);

/** The relaxation time of a run's queue (relaxationTimeS) with the arrivals' and the mix's variability; null for a trace or at and above the bound. */
export function runRelaxationS(offeredPerH: number, saturationPerH: number, s: Scenario, classes: readonly { share: number; service_s: number }[], serviceCv: number): number | null {
  const a = s.workload.arrivals;
  if (a.process === 'trace' || !(saturationPerH > 0)) return null;
  // the arrivals' squared coefficient of variation: Poisson gaps 1, Gamma gaps cv²
  const ca2 = a.process === 'gamma' ? a.cv * a.cv : 1;
  const tau = relaxationTimeS(offeredPerH, saturationPerH, ca2, serviceScv(classes, serviceCv));
  return Number.isFinite(tau) ? tau : null;
}

/**
 * How long a queue started empty takes to settle at an offered rate below the bound (s): the relaxation time
 * 2σ²/δ² of the reflected Brownian motion that approximates it in heavy traffic (Whitt, "Planning queueing
 * simulations", Management Science 35(11), 1989), with drift δ = bound − rate and variance σ² = rate·(ca² + cs²)
 * (the arrivals' and the service times' squared coefficients of variation). For M/M/1 it is 4ρ/(μ(1−ρ)²), the
 * heavy-traffic form of Abate and Whitt's 1/(μ(1−√ρ)²). Infinity at or above the bound.
 */
export function relaxationTimeS(offeredPerH: number, saturationPerH: number, ca2: number, cs2: number): number {
  const lambda = offeredPerH / 3600;
  const delta = (saturationPerH - offeredPerH) / 3600;
  if (!(delta > 0)) return Infinity;
  return (2 * lambda * (ca2 + cs2)) / (delta * delta);
}

/** Squared coefficient of variation of the service time of a mix: class shares and service times, each scaled by a log-normal factor of coefficient `cv`. */
export function serviceScv(classes: readonly { share: number; service_s: number }[], cv = 0): number {
  const w = classes.reduce((a, c) => a + c.share, 0);
  if (!(w > 0)) return 0;
  const m1 = classes.reduce((a, c) => a + c.share * c.service_s, 0) / w;
  const m2 = (classes.reduce((a, c) => a + c.share * c.service_s * c.service_s, 0) / w) * (1 + cv * cv);
  return m1 > 0 ? Math.max(0, m2 / (m1 * m1) - 1) : 0;
}
