/**
 * Capacity search: the highest arrival rate a deployment sustains while meeting latency objectives.
 *
 * Every trial runs the scenario with its arrival rates multiplied by a scale factor (a trace is compressed in
 * time), the same seed each time (common random numbers, so the objective is close to monotone in the rate),
 * and `drain` on, so every admitted request counts. The search brackets the answer by doubling or halving,
 * then bisects in log space until the bracket is within the tolerance. A rate passes when every objective
 * holds and no request was dropped or failed beyond `maxLossShare`.
 */
import type { Scenario } from '../scenario/schema.ts';
import { simulate, type SimulationResult, type SimulationOptions } from '../serving/simulate.ts';
import { parseDuration } from '../units.ts';
import { ratePerSecond } from '../workload/arrivals.ts';

export type SloMetric = 'mean' | 'p50' | 'p90' | 'p95' | 'p99' | 'max' | 'wait_mean' | 'wait_p95' | 'wait_p99' | 'attainment' | 'completed';

export interface SloTerm {
  /** Request class name, or undefined for all requests. */
  cls: string | undefined;
  metric: SloMetric;
  op: '<=' | '>=';
  value: number;
  text: string;
}

const LATENCY: SloMetric[] = ['mean', 'p50', 'p90', 'p95', 'p99', 'max', 'wait_mean', 'wait_p95', 'wait_p99'];
const SHARE: SloMetric[] = ['attainment', 'completed'];

/**
 * Parses objectives like "p95<=600", "p99<=20m", "attainment>=0.99", "720p-5s.p95<=1h", several separated by
 * commas. Latency values take duration units (s, m, h); shares are fractions or percentages.
 */
export function parseSlo(text: string): SloTerm[] {
  const terms: SloTerm[] = [];
  for (const raw of text.split(',').map((t) => t.trim()).filter(Boolean)) {
    const m = /^(?:(.+)\.)?([a-z0-9_]+)\s*(<=|>=|<|>)\s*(.+)$/i.exec(raw);
    if (!m) throw new Error(`cannot read objective "${raw}": expected e.g. p95<=600, p99<=20m, attainment>=0.99 or <class>.p95<=1h`);
    const metric = m[2]!.toLowerCase() as SloMetric;
    if (![...LATENCY, ...SHARE].includes(metric)) throw new Error(`unknown metric "${m[2]}" in "${raw}": use one of ${[...LATENCY, ...SHARE].join(', ')}`);
    const op = m[3]!.startsWith('<') ? '<=' : '>=';
    let value: number | undefined;
    if (SHARE.includes(metric)) {
      const v = m[4]!.trim();
      value = v.endsWith('%') ? Number(v.slice(0, -1)) / 100 : Number(v);
      if (!Number.isFinite(value) || value < 0 || value > 1) throw new Error(`"${raw}": ${metric} is a share between 0 and 1 (or a percentage)`);
    } else {
      value = parseDuration(m[4]!.trim());
      if (value === undefined || value <= 0) throw new Error(`"${raw}": expected a positive duration such as 600, 10m or 1h`);
    }
    if (op === '<=' && SHARE.includes(metric)) throw new Error(`"${raw}": ${metric} should be at least a share (>=), not at most`);
    if (op === '>=' && LATENCY.includes(metric)) throw new Error(`"${raw}": latency objectives are upper bounds (<=)`);
    terms.push({ cls: m[1], metric, op, value, text: raw });
  }
  if (terms.length === 0) throw new Error('no objective given: e.g. --slo "p95<=600"');
  return terms;
}

/** The value of an objective's metric in a run (throws for an unknown class). */
export function sloValue(r: SimulationResult, t: SloTerm): number {
  if (t.cls !== undefined) {
    const c = r.classes.find((x) => x.name === t.cls);
    if (!c) throw new Error(`objective "${t.text}": no request class "${t.cls}" (classes: ${r.classes.map((x) => x.name).join(', ')})`);
    switch (t.metric) {
      case 'mean': case 'p50': case 'p90': case 'p95': case 'p99': case 'max':
        return c.latency_s[t.metric];
      case 'wait_mean':
        return c.queue_wait_s.mean;
      case 'wait_p95':
        return c.queue_wait_s.p95;
      case 'wait_p99':
        throw new Error(`objective "${t.text}": per-class queue wait has mean and p95 only`);
      case 'attainment':
        return c.slo_attainment ?? NaN;
      case 'completed':
        return c.arrived > 0 ? c.completed / c.arrived : 1;
    }
  }
  switch (t.metric) {
    case 'mean': case 'p50': case 'p90': case 'p95': case 'p99': case 'max':
      return r.latency_s[t.metric];
    case 'wait_mean':
      return r.queue_wait_s.mean;
    case 'wait_p95':
      return r.queue_wait_s.p95;
    case 'wait_p99':
      return r.queue_wait_s.p99;
    case 'attainment':
      return r.slo_attainment ?? NaN;
    case 'completed':
      return r.requests.arrived > 0 ? r.requests.completed / r.requests.arrived : 1;
  }
}

/**
 * Whether a run meets every objective, completed something, and lost (dropped or failed) at most
 * `maxLossShare` of its arrivals; with the value of each objective's metric.
 */
export function meetsObjectives(r: SimulationResult, terms: readonly SloTerm[], maxLossShare = 0): { pass: boolean; values: Record<string, number>; lost: number } {
  const values: Record<string, number> = {};
  let pass = r.requests.completed > 0;
  for (const t of terms) {
    const v = sloValue(r, t);
    values[t.text] = v;
    if (!(t.op === '<=' ? v <= t.value : v >= t.value)) pass = false;
  }
  const lost = r.requests.dropped + r.requests.failed;
  if (lost > maxLossShare * r.requests.arrived) pass = false;
  return { pass, values, lost };
}

export interface Trial {
  scale: number;
  rate_per_h: number;
  pass: boolean;
  values: Record<string, number>;
  throughput_per_h: number;
  gpu_utilization: number;
  completed: number;
}

export interface CapacityResult {
  objectives: string[];
  /** Highest rate that passed (videos/h offered), 0 when even the smallest tried rate failed. */
  max_rate_per_h: number;
  scale: number;
  /** Lowest rate that failed (the bracket's upper end). */
  failing_rate_per_h: number;
  /** Upper bound from service times alone: every replica busy back to back on the request mix. */
  saturation_rate_per_h: number;
  at_capacity: SimulationResult | undefined;
  trials: Trial[];
  notes: string[];
}

export interface CapacityOptions extends SimulationOptions {
  /** Relative width of the final bracket (default 0.02). */
  tolerance?: number;
  maxTrials?: number;
  /** Share of arrivals that may be dropped or failed at a passing rate (default 0). */
  maxLossShare?: number;
  onTrial?: (t: Trial) => void;
}

/** Mean offered rate (per hour) of the scenario at scale 1. */
function baseRatePerH(s: Scenario, probe: SimulationResult): number {
  const a = s.workload.arrivals;
  if (a.process !== 'trace') return ratePerSecond(a) * 3600;
  return probe.sim_time_s > 0 ? (probe.requests.arrived / Math.min(probe.sim_time_s, s.duration)) * 3600 : 0;
}

/**
 * Throughput bound from service times: for each model and stage, Σ over the pools running that stage of
 * replicas × 3600 / (mean work per request of the mix on the pool); a model's bound is its slowest stage
 * (pools that run all stages count for every stage), and the bounds of the models add up.
 */
export function saturationRatePerH(r: SimulationResult, s: Scenario): number {
  const weights = new Map(s.workload.mix.map((c, i) => [r.classes[i]?.name ?? '', c.weight]));
  const perStage = new Map<string, number[]>(); // model -> capacity of stages 0..2
  for (const p of r.pools) {
    const rows = r.service_times.filter((x) => x.pool === p.name);
    let w = 0;
    let work = 0;
    for (const row of rows) {
      const wt = weights.get(row.class) ?? 0;
      w += wt;
      work += wt * row.total_s;
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

export function findCapacity(s: Scenario, terms: SloTerm[], opts: CapacityOptions = {}): CapacityResult {
  const tol = opts.tolerance ?? 0.02;
  const maxTrials = opts.maxTrials ?? 40;
  const maxLoss = opts.maxLossShare ?? 0;
  const scenario: Scenario = { ...s, drain: true };
  const trials: Trial[] = [];
  const results = new Map<number, SimulationResult>();
  const notes: string[] = [];
  const probe = simulate(scenario, { ...opts, rateScale: 1 });
  const base = baseRatePerH(scenario, probe);
  if (!(base > 0)) throw new Error('the scenario has no arrivals to scale (rate 0 or an empty trace)');

  const trial = (scale: number): boolean => {
    const r = scale === 1 ? probe : simulate(scenario, { ...opts, rateScale: scale });
    const { pass, values } = meetsObjectives(r, terms, maxLoss);
    const t: Trial = { scale, rate_per_h: base * scale, pass, values, throughput_per_h: r.throughput_per_h, gpu_utilization: r.gpu_utilization, completed: r.requests.completed };
    trials.push(t);
    results.set(scale, r);
    opts.onTrial?.(t);
    return pass;
  };

  let lo = 0;
  let hi = Infinity;
  if (trial(1)) {
    lo = 1;
    for (let k = 2; trials.length < maxTrials; k *= 2) {
      if (trial(k)) lo = k;
      else {
        hi = k;
        break;
      }
      if (k > 2 ** 20) break;
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
  if (trials.length >= maxTrials) notes.push(`stopped after ${maxTrials} trials; the bracket is ${(lo * base).toFixed(2)}..${(hi * base).toFixed(2)}/h`);
  if (!Number.isFinite(hi)) notes.push('every tried rate passed: the objectives never bind (check them)');
  if (lo === 0) notes.push('even the smallest tried rate fails the objectives: a single request on an idle cluster may already miss them');
  const saturation = saturationRatePerH(probe, scenario);
  const at = lo > 0 ? results.get(lo) : undefined;
  if (at && at.sim_time_s < 20 * Math.max(...at.service_times.map((x) => x.total_s))) {
    notes.push('the simulated duration is short next to the service time: tail latencies are noisy; raise duration (--set duration=7d)');
  }
  return {
    objectives: terms.map((t) => t.text),
    max_rate_per_h: lo * base,
    scale: lo,
    failing_rate_per_h: hi * base,
    saturation_rate_per_h: saturation,
    at_capacity: at,
    trials,
    notes,
  };
}
