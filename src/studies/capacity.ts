/**
 * Capacity search: the highest arrival rate a deployment sustains while meeting latency objectives.
 *
 * 1. Feasibility first: a request never finishes faster than its own service time on an idle replica, so
 *    objectives the service times alone break (studies/objectives.ts `infeasibility`) get "infeasible" and
 *    the reason, never a rate.
 * 2. Every trial runs the scenario with its arrival rates multiplied by a scale factor (a trace is compressed
 *    in time), the same seed each time (common random numbers, so the objective is close to monotone in the
 *    rate), and `drain` on, so every admitted request counts. Its horizon is sized to the rate: the
 *    scenario's duration, repeated as often as it takes for the trial to see at least 20/(1−q) requests for
 *    the strictest quantile q an objective asks about (metrics/confidence.ts: p95 needs 400, p99 2,000;
 *    per-class objectives divide by the class's share). A trace cannot be stretched: its trials are marked
 *    low-confidence when it has too few requests.
 * 3. The search brackets the answer by doubling or halving, then bisects in log space until the bracket is
 *    within the tolerance. A rate passes when every objective holds and no request was dropped or failed
 *    beyond `maxLossShare`. Each trial carries the 95% interval of its percentile and attainment objectives
 *    (order-statistic and Wilson intervals); a verdict whose interval contains the objective is "within
 *    noise", and the result says so instead of pretending to a sharp boundary.
 */
import { DEFAULT_LIMITS } from '../scenario/limits.ts';
import type { Scenario } from '../scenario/schema.ts';
import { simulate, type SimulationResult, type SimulationOptions } from '../serving/simulate.ts';
import { resolveOverheads } from '../serving/overheads.ts';
import { RELAXATION_TIMES_PER_RUN, relaxationTimeS, serviceScv } from '../serving/load-bound.ts';
import { formatDuration } from '../units.ts';
import { QuantileSketch } from '../metrics/quantile-sketch.ts';
import { minSamplesForQuantile, proportionInterval, quantileRankInterval } from '../metrics/confidence.ts';
import { checkObjectives, formatObjectiveValue, infeasibility, quantileOf, type ServiceClass, type SloTerm } from './objectives.ts';

export { parseSlo, sloValue, meetsObjectives, type SloTerm, type SloMetric } from './objectives.ts';

/** The 95% interval of an objective's metric in one trial (percentiles: order statistics; attainment: Wilson). */
export interface ObjectiveInterval {
  objective: string;
  value: number;
  lo: number | null;
  hi: number | null;
  /** Requests the estimate rests on. */
  n: number;
  /** The interval contains the objective's target: this trial's verdict is within the noise. */
  straddles: boolean;
}

export interface Trial {
  scale: number;
  rate_per_h: number;
  pass: boolean;
  values: Record<string, number>;
  throughput_per_h: number;
  gpu_utilization: number;
  completed: number;
  /** Simulated arrival window of this trial (the scenario's duration, repeated to reach enough requests). */
  duration_s: number;
  /** Fewer completed requests than the sample-size rule asks for (a short trace). */
  low_confidence: boolean;
  /** Some objective's 95% interval contains its target. */
  within_noise: boolean;
  intervals: ObjectiveInterval[];
  /** The objectives it misses, on one line; null when it passes. */
  reason: string | null;
}

/** The rates found: a passing rate (feasible), or none (null), with the lowest failing rate where trials ran. */
export type CapacityRates =
  | {
    feasible: true;
    /** Highest rate that passed (videos/h offered). */
    max_rate_per_h: number;
    scale: number;
    /** Lowest rate that failed (the bracket's upper end); Infinity when every tried rate passed. */
    failing_rate_per_h: number;
  }
  | {
    /** The objectives cannot be met at any rate (see `reason`): no rate to give. */
    feasible: false;
    max_rate_per_h: null;
    scale: null;
    /** The lowest rate tried, which failed; null when the service times ruled every rate out before any trial. */
    failing_rate_per_h: number | null;
  };

export type CapacityResult = CapacityRates & {
  objectives: string[];
  /** Why not feasible, or why no rate was found; null otherwise. */
  reason: string | null;
  /** Upper bound from service times alone: every replica busy back to back on the request mix. */
  saturation_rate_per_h: number;
  /** How each trial's horizon was chosen. */
  horizon: { rule: string; min_completed: number; scenario_duration_s: number; stretched: boolean };
  /**
   * 'low' when a trial at either end of the final bracket completed fewer requests than the rule asks for (a short
   * trace); 'infeasible' when the service times alone rule every rate out (no trial ran, nothing to be sure of).
   */
  confidence: 'ok' | 'low' | 'infeasible';
  /** At either end of the final bracket an objective's 95% interval contains its target: the boundary is known only to within the noise. */
  boundary_within_noise: boolean;
  at_capacity: SimulationResult | undefined;
  trials: Trial[];
  notes: string[];
};

export interface CapacityOptions extends SimulationOptions {
  /** Relative width of the final bracket (default 0.02). */
  tolerance?: number;
  maxTrials?: number;
  /** Share of arrivals that may be dropped or failed at a passing rate (default 0). */
  maxLossShare?: number;
  onTrial?: (t: Trial) => void;
}

/** The quantile an objective's estimate sits at (p95: 0.95; attainment a: a; mean: 0.5; max: 0.99), for the sample-size rule. */
function ruleQuantile(t: SloTerm): number | undefined {
  if (t.metric === 'completed' || t.metric === 'psnr') return undefined;
  if (t.metric === 'attainment') return Math.min(0.99, Math.max(0.5, t.value));
  if (t.metric === 'mean' || t.metric === 'wait_mean') return 0.5;
  if (t.metric === 'max') return 0.99;
  return quantileOf(t.metric);
}

/** Completed requests a trial needs for every objective: max over terms of 20/(1−q), divided by the class's share for per-class terms. */
export function requiredSamples(terms: readonly SloTerm[], shareOf: (cls: string) => number): number {
  let need = 1;
  for (const t of terms) {
    const q = ruleQuantile(t);
    if (q === undefined) continue;
    const share = t.cls !== undefined ? shareOf(t.cls) : 1;
    need = Math.max(need, Math.ceil(minSamplesForQuantile(q) / Math.max(share, 1e-6)));
  }
  return need;
}

/** The 95% interval of each percentile and attainment objective in a run with samples (see ObjectiveInterval). */
export function objectiveIntervals(r: SimulationResult, terms: readonly SloTerm[]): ObjectiveInterval[] {
  const out: ObjectiveInterval[] = [];
  for (const t of terms) {
    const cls = t.cls !== undefined ? r.classes.find((c) => c.name === t.cls) : undefined;
    if (t.cls !== undefined && !cls) continue;
    if (t.metric === 'attainment') {
      const n = cls ? cls.completed : r.classes.filter((c) => c.slo_s !== null).reduce((a, c) => a + c.completed, 0);
      const share = cls ? cls.slo_attainment : r.slo_attainment;
      if (share === null || n === 0) continue;
      const ci = proportionInterval(Math.round(share * n), n);
      out.push({ objective: t.text, value: share, lo: ci.lo, hi: ci.hi, n, straddles: ci.lo !== null && ci.hi !== null && ci.lo < t.value && ci.hi >= t.value });
      continue;
    }
    const q = quantileOf(t.metric);
    if (q === undefined || !r.samples) continue;
    const wait = t.metric.startsWith('wait_');
    const snap = cls ? r.samples.classes[cls.name]?.[wait ? 'queue_wait_s' : 'latency_s'] : r.samples[wait ? 'queue_wait_s' : 'latency_s'];
    if (!snap || snap.count === 0) continue;
    const sketch = QuantileSketch.merge([snap]);
    const ranks = quantileRankInterval(sketch.count, q);
    const lo = ranks.lo !== null ? sketch.valueAtRank(ranks.lo) : null;
    const hi = ranks.hi !== null ? sketch.valueAtRank(ranks.hi) : null;
    out.push({ objective: t.text, value: sketch.quantile(q), lo, hi, n: sketch.count, straddles: (lo === null || lo <= t.value) && (hi === null || hi > t.value) });
  }
  return out;
}

/** The service-time view of the mix the feasibility check needs, from a probe run. */
function serviceClasses(r: SimulationResult, s: Scenario): ServiceClass[] {
  const total = r.classes.reduce((a, c) => a + c.arrived, 0);
  const weights = s.workload.mix.reduce((a, c) => a + c.weight, 0);
  return r.classes.map((c, i) => ({
    name: c.name,
    // a trace's classes come from its rows: the mix the probe saw; otherwise the scenario's weights
    share: s.workload.arrivals.process === 'trace' ? (total > 0 ? c.arrived / total : 0) : weights > 0 ? (s.workload.mix[i]?.weight ?? 0) / weights : 0,
    service_s: c.service_s,
    slo_s: c.slo_s,
  })).filter((c) => Number.isFinite(c.service_s));
}

/** The coefficient of variation of a log-normal speed factor on service times (serving_overheads.service_cv; 0 without). */
function serviceCv(s: Scenario, baseDir: string | undefined): number {
  if (s.serving_overheads === undefined) return 0;
  try {
    return resolveOverheads(s.serving_overheads as never, baseDir, { source: 'scenario' }).service_cv;
  } catch {
    return 0;
  }
}

/** How much faster than its nominal service time a request may run: 3 standard deviations of that speed factor. */
function serviceSlack(cv: number): number {
  return cv > 0 ? Math.exp(3 * Math.sqrt(Math.log(1 + cv * cv))) - 1 : 1e-6; // no speed factor: a request takes its service time (rounding aside)
}

/** A trial simulates at most this many requests: past it, a rate whose queue has not settled is not shown sustained. */
export const MAX_TRIAL_REQUESTS = 200_000;
/** A trial lasts at least this many relaxation times of the queue at its rate, so the empty start weighs little (serving/load-bound.ts). */
export const RELAXATION_TIMES_PER_TRIAL = RELAXATION_TIMES_PER_RUN;

export function findCapacity(s: Scenario, terms: SloTerm[], opts: CapacityOptions = {}): CapacityResult {
  const tol = opts.tolerance ?? 0.02;
  const maxTrials = opts.maxTrials ?? 40;
  const maxLoss = opts.maxLossShare ?? 0;
  const scenario: Scenario = { ...s, drain: true };
  const trials: Trial[] = [];
  const results = new Map<number, SimulationResult>();
  const notes: string[] = [];
  const probe = simulate(scenario, { ...opts, rateScale: 1 });
  // the probe runs at scale 1: its offered rate is the scenario's, its saturation bound the cluster's (serving/load-bound.ts)
  const base = probe.load.offered_rate_per_h;
  if (!(base > 0)) throw new Error('the scenario has no arrivals to scale (rate 0 or an empty trace)');
  for (const t of terms) {
    if (t.cls !== undefined && !probe.classes.some((c) => c.name === t.cls)) throw new Error(`objective "${t.text}": no request class "${t.cls}" (classes: ${probe.classes.map((x) => x.name).join(', ')})`);
  }
  const saturation = probe.load.saturation_rate_per_h;
  const classes = serviceClasses(probe, scenario);
  const cv = serviceCv(scenario, opts.baseDir);
  // the queue's variability for its relaxation time: the arrivals' (Poisson 1, Gamma cv²) and the mix's service times'
  const arrivalsSpec = scenario.workload.arrivals;
  const ca2 = arrivalsSpec.process === 'gamma' ? arrivalsSpec.cv * arrivalsSpec.cv : 1;
  const cs2 = serviceScv(classes, cv);
  const minCompleted = requiredSamples(terms, (name) => classes.find((c) => c.name === name)?.share ?? 1);
  const trace = scenario.workload.arrivals.process === 'trace';
  const horizon = {
    rule: trace
      ? `a trace cannot be stretched: each trial replays it once (${probe.requests.arrived} requests; the objectives ask for ${minCompleted})`
      : `each trial simulates the scenario duration (${formatDuration(scenario.duration)}), repeated until at least ${minCompleted} requests are expected (+2 standard deviations of the arrival count): 20/(1-q) for the strictest quantile q of the objectives, per class divided by its share; and until it spans ${RELAXATION_TIMES_PER_TRIAL} relaxation times of the queue at its rate (Whitt 1989: 2·rate·(ca²+cs²)/(bound−rate)², here ca² ${ca2.toFixed(2)}, cs² ${cs2.toFixed(2)}), at most ${MAX_TRIAL_REQUESTS.toLocaleString('en-US')} requests`,
    min_completed: minCompleted, scenario_duration_s: scenario.duration, stretched: false,
  };
  const base_ = {
    objectives: terms.map((t) => t.text), saturation_rate_per_h: saturation, horizon, trials, notes,
  };

  // ---- 1. what service times alone rule out ----
  const ruled = infeasibility(terms, classes, serviceSlack(cv));
  if (ruled) {
    return {
      ...base_, feasible: false, reason: `infeasible at any rate: ${ruled.reason}`, max_rate_per_h: null, scale: null, failing_rate_per_h: null,
      confidence: 'infeasible', boundary_within_noise: false, at_capacity: undefined,
    };
  }

  // ---- 2. trials with horizons sized to the rate ----
  const durationAt = (scale: number): { duration: number; unsettled: string | null } => {
    if (trace) return { duration: scenario.duration, unsettled: null };
    const rate = base * scale;
    const expected = (rate * scenario.duration) / 3600;
    // aim two Poisson standard deviations above the rule, so the trial does complete that many
    const target = minCompleted + 2 * Math.sqrt(minCompleted);
    const d0 = scenario.duration * Math.max(1, Math.ceil(target / Math.max(expected, 1e-12) - 1e-9));
    // near the bound a queue started empty takes long to settle: a trial shorter than that shows the empty start
    const tau = saturation > 0 ? relaxationTimeS(rate, saturation, ca2, cs2) : 0;
    const need = RELAXATION_TIMES_PER_TRIAL * tau;
    if (!Number.isFinite(need) || need <= d0) return { duration: d0, unsettled: null }; // at or above the bound checkObjectives fails it
    const most = (MAX_TRIAL_REQUESTS / rate) * 3600;
    if (need <= most) return { duration: scenario.duration * Math.ceil(need / scenario.duration - 1e-9), unsettled: null };
    return {
      duration: d0,
      unsettled: `not shown sustained: at ${rate.toFixed(2)}/h (${((100 * rate) / saturation).toFixed(1)}% of the saturation bound) the queue takes about ${formatDuration(tau)} to settle (its relaxation time), and a trial of ${RELAXATION_TIMES_PER_TRIAL} of them would exceed ${MAX_TRIAL_REQUESTS.toLocaleString('en-US')} requests`,
    };
  };
  const trial = (scale: number): boolean => {
    const { duration, unsettled } = durationAt(scale);
    if (duration > scenario.duration) horizon.stretched = true;
    const r = simulate({ ...scenario, duration }, { ...opts, rateScale: scale, samples: true });
    const v = checkObjectives(r, terms, maxLoss);
    if (unsettled) {
      v.pass = false;
      v.reason = v.reason ? `${v.reason}; ${unsettled}` : unsettled;
    }
    // above the saturation bound checkObjectives fails the trial (serving/load-bound.ts): a finite run can still meet
    // loose objectives (p95<=10h over a 1 h window), but no such rate is a capacity the cluster sustains
    const intervals = objectiveIntervals(r, terms);
    const t: Trial = {
      scale, rate_per_h: base * scale, pass: v.pass, values: v.values, throughput_per_h: r.throughput_per_h, gpu_utilization: r.gpu_utilization, completed: r.requests.completed,
      duration_s: duration, low_confidence: r.requests.completed < minCompleted, within_noise: intervals.some((i) => i.straddles), intervals, reason: v.reason,
    };
    trials.push(t);
    results.set(scale, r);
    opts.onTrial?.(t);
    return v.pass;
  };

  let lo = 0;
  let hi = Infinity;
  // the run budget refuses a load past max_overload × what the cluster can serve (serving/budget.ts): objectives
  // that still hold there do not bind, and the search stops below it
  const overload = { ...DEFAULT_LIMITS, ...scenario.limits }.max_overload;
  if (trial(1)) {
    lo = 1;
    // from far below the bound (a scenario rate of 1e-9/h doubled for twenty trials and stopped near 0), start at half of it
    const first = saturation > 0 ? Math.max(2, (0.5 * saturation) / base) : 2;
    for (let k = first; trials.length < maxTrials; k *= 2) {
      if (saturation > 0 && base * k > overload * saturation) {
        notes.push(`the objectives hold at every rate tried, up to ${(lo * base).toFixed(2)}/h; rates above ${overload}× the saturation bound (limits.max_overload) are not simulated`);
        break;
      }
      if (trial(k)) lo = k;
      else {
        hi = k;
        break;
      }
      if (k > first * 2 ** 20) break;
    }
  } else {
    hi = 1;
    for (let k = 0.5; trials.length < maxTrials; k /= 2) {
      if (trial(k)) {
        lo = k;
        break;
      }
      hi = k;
      if (k < 2 ** -20) break;
    }
  }
  if (lo > 0 && Number.isFinite(hi)) {
    while (hi / lo > 1 + tol && trials.length < maxTrials) {
      const mid = Math.sqrt(lo * hi);
      if (trial(mid)) lo = mid;
      else hi = mid;
    }
  }
  const stopped = trials.length >= maxTrials;
  if (stopped) notes.push(Number.isFinite(hi) ? `stopped after ${maxTrials} trials; the bracket is ${(lo * base).toFixed(2)}..${(hi * base).toFixed(2)}/h` : `stopped after ${maxTrials} trial${maxTrials === 1 ? '' : 's'} before any rate failed: the capacity is at least ${(lo * base).toFixed(2)}/h, not found (raise --max-trials)`);
  else if (!Number.isFinite(hi)) notes.push('every tried rate passed: the objectives never bind (check them)');
  const at = lo > 0 ? results.get(lo) : undefined;
  const atTrial = trials.find((t) => t.scale === lo);
  const failTrial = trials.find((t) => t.scale === hi);
  let reason: string | null = null;
  if (lo === 0) {
    const last = trials[trials.length - 1];
    reason = `no tried rate meets the objectives, down to ${last ? last.rate_per_h.toPrecision(3) : '?'}/h${last?.reason ? ` (${last.reason})` : ''}: near-idle runs already miss them (cold starts, failures or queueing the service times alone do not show)`;
  }
  const lowSamples = [atTrial, failTrial].some((t) => t?.low_confidence);
  const noisy = [atTrial, failTrial].some((t) => t?.within_noise);
  if (lowSamples) notes.push(`low confidence: a trial at the answer completed fewer than the ${minCompleted} requests the objectives need (${horizon.rule})`);
  if (noisy && lo > 0 && Number.isFinite(hi)) {
    const termOf = (text: string) => terms.find((x) => x.text === text)!;
    const show = (t: Trial | undefined) => t?.intervals.filter((i) => i.straddles).map((i) => `${i.objective}: ${formatObjectiveValue(termOf(i.objective), i.value)}, 95% interval ${formatObjectiveValue(termOf(i.objective), i.lo)}–${formatObjectiveValue(termOf(i.objective), i.hi)}`).join('; ');
    notes.push(`the boundary is within the noise: ${[atTrial, failTrial].filter((t) => t?.within_noise).map((t) => `at ${t!.rate_per_h.toFixed(2)}/h ${show(t)}`).join('; ')} — the interval contains the objective, so this seed cannot tell pass from fail there; a longer duration (--set duration=…) narrows it`);
  }
  const rates: CapacityRates = lo > 0
    ? { feasible: true, max_rate_per_h: lo * base, scale: lo, failing_rate_per_h: hi * base }
    : { feasible: false, max_rate_per_h: null, scale: null, failing_rate_per_h: hi * base };
  return {
    ...base_, ...rates, reason,
    confidence: lowSamples ? 'low' : 'ok', boundary_within_noise: noisy && lo > 0 && Number.isFinite(hi), at_capacity: at,
  };
}
