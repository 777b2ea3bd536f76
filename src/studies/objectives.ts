/**
 * Objectives — what every recommendation (sweep "best", capacity, size, plan) ranks against:
 *
 *   parseSlo(text)                 "p95<=45m,attainment>=0.95,720p-5s.p95<=1h" → terms
 *   sloValue(run, term)            a term's metric in a run's summary (or a pooled replicate point)
 *   checkObjectives(run, terms)    pass or fail, each miss with its value, target and relative shortfall,
 *                                  and the reason as one line ("p95 2.17 h > 45.0 min; 3 requests dropped")
 *   objectiveClassProblems(t, s)   objectives a scenario cannot answer (a class its mix does not name, a
 *                                  per-class wait_p99), found before anything is simulated
 *   scenarioSloTerms(classes)      the objectives a scenario states itself: every class with an SLO keeps
 *                                  ≥ 95% of its requests within it
 *   serviceBound / infeasibility   what service times alone rule out before anything is simulated: a request
 *                                  never finishes faster than its own service time on an idle replica
 *
 * A run passes when something completed, every term holds, and at most `maxLossShare` of its arrivals were
 * dropped or failed (default 0: a recommendation never loses requests).
 */
import { overloadReason, type LoadBound } from '../serving/load-bound.ts';
import { formatDuration, parseDuration } from '../units.ts';
import { didYouMean } from '../errors.ts';
import { resolveClasses } from '../scenario/classes.ts';
import type { Scenario } from '../scenario/schema.ts';

export type SloMetric = 'mean' | 'p50' | 'p90' | 'p95' | 'p99' | 'max' | 'wait_mean' | 'wait_p95' | 'wait_p99' | 'attainment' | 'completed' | 'psnr';

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
/** A quality floor: the lowest published PSNR (dB, against the full model) of the pools whose accelerations change the video. */
const QUALITY: SloMetric[] = ['psnr'];

/** The quantile a percentile metric names (p95 → 0.95), or undefined. */
export function quantileOf(metric: SloMetric): number | undefined {
  return ({ p50: 0.5, p90: 0.9, p95: 0.95, p99: 0.99, wait_p95: 0.95, wait_p99: 0.99 } as Partial<Record<SloMetric, number>>)[metric];
}

/**
 * The SLO attainment a scenario's own SLOs ask for when no objective is stated: 95%, i.e. a class's p95
 * latency within its `slo_s` (attainment ≥ 95% ⇔ p95 ≤ SLO: the convention of stating a latency SLO at p95).
 */
export const DEFAULT_ATTAINMENT = 0.95;

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
    if (![...LATENCY, ...SHARE, ...QUALITY].includes(metric)) {
      const near = didYouMean(metric, [...LATENCY, ...SHARE, ...QUALITY]);
      throw new Error(`unknown metric "${m[2]}" in "${raw}": use one of ${[...LATENCY, ...SHARE, ...QUALITY].join(', ')}${near ? ` (${near})` : ''}`);
    }
    // strict bounds are refused, not read as inclusive ones: p95<45m and p95<=45m would be answered alike
    // (a doubled operator, "p95<<45m", leaves its second half on the value: the suggestion drops it)
    if (m[3] === '<' || m[3] === '>') throw new Error(`"${raw}": objectives are inclusive bounds; write ${m[1] !== undefined ? `${m[1]}.` : ''}${m[2]}${m[3]}=${m[4]!.trim().replace(/^[<>=]+\s*/, '')}`);
    const op = m[3] === '<=' ? '<=' : '>=';
    let value: number | undefined;
    if (QUALITY.includes(metric)) {
      value = Number(m[4]!.trim().replace(/\s*db$/i, ''));
      if (!/^[0-9.]+(\s*db)?$/i.test(m[4]!.trim()) || !Number.isFinite(value) || value <= 0 || value > 100) throw new Error(`"${raw}": psnr is a floor in dB against the full model's video, e.g. psnr>=25`);
      if (op === '<=') throw new Error(`"${raw}": a quality objective is a floor (>=), not a ceiling`);
      if (m[1] !== undefined) throw new Error(`"${raw}": psnr is a property of the deployment, not of a class: write psnr>=${value}`);
    } else if (SHARE.includes(metric)) {
      const v = m[4]!.trim();
      value = v.endsWith('%') ? Number(v.slice(0, -1)) / 100 : Number(v);
      if (!Number.isFinite(value) || value <= 0 || value > 1) throw new Error(`"${raw}": ${metric} is a share above 0 and at most 1 (or a percentage); a share of 0 holds at any rate`);
    } else {
      value = parseDuration(m[4]!.trim());
      if (value === undefined || !Number.isFinite(value) || value <= 0) throw new Error(`"${raw}": expected a positive finite duration such as 600, 10m or 1h`);
    }
    if (op === '<=' && SHARE.includes(metric)) throw new Error(`"${raw}": ${metric} should be at least a share (>=), not at most`);
    if (op === '>=' && LATENCY.includes(metric)) throw new Error(`"${raw}": latency objectives are upper bounds (<=)`);
    terms.push({ cls: m[1], metric, op, value, text: raw });
  }
  if (terms.length === 0) throw new Error('no objective given: e.g. --slo "p95<=600"');
  return terms;
}

type Stats = { mean: number; p50: number; p90: number; p95: number; p99: number; max: number };

/** What objectives read of a run: RunSummary has all of it; a sweep point pools its replicates into one. */
export interface ObjectiveInput {
  requests: { arrived: number; completed: number; dropped: number; failed: number };
  latency_s: Stats;
  queue_wait_s: { mean: number; p95: number; p99: number };
  slo_attainment: number | null;
  classes: readonly { name: string; arrived: number; completed: number; latency_s: Stats; queue_wait_s: { mean: number; p95: number }; slo_s: number | null; slo_attainment: number | null }[];
  /** The offered rate against the saturation bound: an overloaded run meets no objective (absent in records written before it). */
  load?: LoadBound;
  /** Per pool: whether its accelerations change the video, and the lowest published PSNR of them (the psnr objective). */
  pools?: readonly { approximate?: boolean; quality_psnr_db?: number | null }[];
}

/** The value of an objective's metric in a run (throws for an unknown class). */
export function sloValue(r: ObjectiveInput, t: SloTerm): number {
  if (t.cls !== undefined) {
    const c = r.classes.find((x) => x.name === t.cls);
    if (!c) throw new Error(`objective "${t.text}": no request class "${t.cls}" (classes: ${r.classes.map((x) => x.name).join(', ')})`);
    switch (t.metric) {
      case 'mean': case 'p50': case 'p90': case 'p95': case 'p99': case 'max':
        return c.completed > 0 ? c.latency_s[t.metric] : NaN;
      case 'wait_mean':
        return c.completed > 0 ? c.queue_wait_s.mean : NaN;
      case 'wait_p95':
        return c.completed > 0 ? c.queue_wait_s.p95 : NaN;
      case 'wait_p99':
        throw new Error(`objective "${t.text}": per-class queue wait has mean and p95 only`);
      case 'attainment':
        return c.slo_attainment ?? NaN;
      case 'completed':
        return c.arrived > 0 ? c.completed / c.arrived : 1;
    }
  }
  const done = r.requests.completed > 0;
  switch (t.metric) {
    case 'psnr': {
      // exact stacks meet any floor; an approximate one without a published figure cannot be shown to
      const approx = (r.pools ?? []).filter((p) => p.approximate);
      if (!approx.length) return Infinity;
      const known = approx.map((p) => p.quality_psnr_db).filter((v): v is number => typeof v === 'number');
      return known.length === approx.length ? Math.min(...known) : NaN;
    }
    case 'mean': case 'p50': case 'p90': case 'p95': case 'p99': case 'max':
      return done ? r.latency_s[t.metric] : NaN;
    case 'wait_mean':
      return done ? r.queue_wait_s.mean : NaN;
    case 'wait_p95':
      return done ? r.queue_wait_s.p95 : NaN;
    case 'wait_p99':
      return done ? r.queue_wait_s.p99 : NaN;
    case 'attainment':
      return r.slo_attainment ?? NaN;
    case 'completed':
      return r.requests.arrived > 0 ? r.requests.completed / r.requests.arrived : 1;
  }
}

/**
 * The objectives a scenario cannot answer, found before anything is simulated: a class its mix does not name
 * (a trace's classes come from its rows, so they are checked after its first run), and a per-class wait_p99
 * (runs keep a class's queue wait as mean and p95 only). Each with a suggestion; empty when all can be answered.
 */
export function objectiveClassProblems(terms: readonly SloTerm[], s: Scenario): { term: SloTerm; message: string; hint: string }[] {
  const names = s.workload.arrivals.process === 'trace' ? null : resolveClasses(s).map((c) => c.name);
  const problems: { term: SloTerm; message: string; hint: string }[] = [];
  for (const t of terms) {
    if (t.cls === undefined) continue;
    if (names && !names.includes(t.cls)) {
      problems.push({ term: t, message: `objective "${t.text}": no request class "${t.cls}" (classes: ${names.join(', ')})`, hint: didYouMean(t.cls, names) ?? `name one of the scenario's classes (workload.mix[].name, or the shape of an unnamed one), or drop "${t.cls}." for all requests` });
    } else if (t.metric === 'wait_p99') {
      problems.push({ term: t, message: `objective "${t.text}": per-class queue wait has mean and p95 only`, hint: `use ${t.cls}.wait_p95, or wait_p99 over all requests` });
    }
  }
  return problems;
}

/** A value of a term's metric as printed: a duration or a percentage. */
export function formatObjectiveValue(t: Pick<SloTerm, 'metric'>, v: number | null): string {
  if (t.metric === 'psnr' && v === Infinity) return 'exact';
  if (v === null || !Number.isFinite(v)) return t.metric === 'psnr' ? 'no published quality' : 'n/a';
  if (t.metric === 'psnr') return `${v.toFixed(1)} dB`;
  return SHARE.includes(t.metric) ? `${(v * 100).toFixed(1)}%` : formatDuration(v);
}

/** A missed value and its target, with digits enough to tell them apart ("18.0 min > 18.0 min" said nothing). */
export function formatMissPair(t: Pick<SloTerm, 'metric'>, v: number, target: number): [string, string] {
  const a = formatObjectiveValue(t, v);
  const b = formatObjectiveValue(t, target);
  if (a !== b || !Number.isFinite(v)) return [a, b];
  if (SHARE.includes(t.metric)) return [`${(v * 100).toPrecision(6)}%`, `${(target * 100).toPrecision(6)}%`];
  if (t.metric === 'psnr') return [`${v.toPrecision(6)} dB`, `${target.toPrecision(6)} dB`];
  return [`${v.toPrecision(6)} s`, `${target.toPrecision(6)} s`];
}

/** One objective a run misses. */
export interface Miss {
  /** The term's text, or "no loss" / "completed" for the built-in conditions. */
  objective: string;
  value: number | null;
  target: number;
  /** How far off, relative to the target (0.25: 25% over a latency bound or under a share); Infinity when undefined. */
  shortfall: number;
  /** "p95 52.1 min > 45.0 min". */
  text: string;
}

export interface Verdict {
  pass: boolean;
  /** Each term's value (NaN where the run has none, e.g. nothing completed). */
  values: Record<string, number>;
  lost: number;
  misses: Miss[];
  /** The misses on one line; null when it passes. */
  reason: string | null;
  /** The largest shortfall (0 when it passes): how close a failing option came. */
  shortfall: number;
}

const metricName = (t: SloTerm) => `${t.cls !== undefined ? `${t.cls} ` : ''}${t.metric === 'attainment' ? 'SLO attainment' : t.metric === 'completed' ? 'completed share' : t.metric === 'psnr' ? 'published PSNR' : t.metric.replace('_', ' ')}`;

/** Whether a run meets every objective, completed something, and lost at most `maxLossShare` of its arrivals; with the misses. */
export function checkObjectives(r: ObjectiveInput, terms: readonly SloTerm[], maxLossShare = 0): Verdict {
  const values: Record<string, number> = {};
  const misses: Miss[] = [];
  if (r.requests.completed === 0) misses.push({ objective: 'completed', value: 0, target: 1, shortfall: Infinity, text: 'no request completed' });
  for (const t of terms) {
    const v = sloValue(r, t);
    values[t.text] = v;
    const ok = t.op === '<=' ? v <= t.value : v >= t.value;
    if (ok) continue;
    const shortfall = !Number.isFinite(v) ? Infinity : t.op === '<=' ? v / t.value - 1 : (t.value - v) / t.value;
    const [shown, target] = formatMissPair(t, v, t.value);
    const text = t.metric === 'psnr' && Number.isNaN(v) ? `no published PSNR for the accelerations that change its video (floor ${target})` : `${metricName(t)} ${shown} ${t.op === '<=' ? '>' : '<'} ${target}`;
    misses.push({ objective: t.text, value: Number.isFinite(v) ? v : null, target: t.value, shortfall, text });
  }
  // a finite run of an overloaded cluster can meet a loose objective (it starts empty and drains): not a load it sustains
  const overload = overloadReason(r.load);
  if (overload) misses.push({ objective: 'sustained', value: r.load!.offered_rate_per_h, target: r.load!.saturation_rate_per_h, shortfall: r.load!.offered_rate_per_h / r.load!.saturation_rate_per_h - 1, text: overload });
  const lost = r.requests.dropped + r.requests.failed;
  if (lost > maxLossShare * r.requests.arrived) {
    const share = r.requests.arrived > 0 ? lost / r.requests.arrived : 1;
    misses.push({ objective: 'no loss', value: lost, target: maxLossShare, shortfall: share, text: `${lost} request${lost === 1 ? '' : 's'} dropped or failed (${maxLossShare > 0 ? `${(maxLossShare * 100).toFixed(1)}% allowed` : 'none allowed'})` });
  }
  return { pass: misses.length === 0, values, lost, misses, reason: misses.length ? misses.map((m) => m.text).join('; ') : null, shortfall: misses.reduce((a, m) => Math.max(a, m.shortfall), 0) };
}

/** Whether a run meets every objective (see checkObjectives), with each objective's value. */
export function meetsObjectives(r: ObjectiveInput, terms: readonly SloTerm[], maxLossShare = 0): { pass: boolean; values: Record<string, number>; lost: number } {
  const v = checkObjectives(r, terms, maxLossShare);
  return { pass: v.pass, values: v.values, lost: v.lost };
}

/** The scenario's own objectives: every class with an SLO keeps ≥ DEFAULT_ATTAINMENT of its requests within it. */
export function scenarioSloTerms(classes: readonly { name: string; slo_s: number | null }[]): SloTerm[] {
  return classes.filter((c) => c.slo_s !== null).map((c) => ({
    cls: c.name, metric: 'attainment' as const, op: '>=' as const, value: DEFAULT_ATTAINMENT,
    text: `${c.name}.attainment>=${DEFAULT_ATTAINMENT * 100}%`,
  }));
}

// ---------------------------------------------------------------------------------------------------
// what service times alone rule out

/** A class of the mix as the feasibility check sees it. */
export interface ServiceClass {
  name: string;
  /** Share of arrivals. */
  share: number;
  /** Service time of one request on an idle replica, s. */
  service_s: number;
  /** Its SLO, s (for attainment terms). */
  slo_s?: number | null;
}

/**
 * The best value a term's metric can take when every request runs alone on an idle replica: a lower bound
 * for latency terms (a request takes at least its service time), an upper bound for attainment (only
 * requests whose service time is within their SLO can meet it). NaN when service times bound nothing (queue
 * waits, completed share).
 */
export function serviceBound(t: SloTerm, classes: readonly ServiceClass[]): number {
  if (t.metric.startsWith('wait_') || t.metric === 'completed' || t.metric === 'psnr') return NaN;
  const mine = (t.cls !== undefined ? classes.filter((c) => c.name === t.cls) : classes).filter((c) => c.share > 0 || t.cls !== undefined);
  if (mine.length === 0) return NaN;
  if (t.metric === 'attainment') {
    const withSlo = mine.filter((c) => c.slo_s !== undefined && c.slo_s !== null);
    // no SLO to meet: attainment is undefined at any rate, so no run meets the objective (boundReason says why)
    if (withSlo.length === 0 && mine.every((c) => c.slo_s === null)) return 0;
    const total = withSlo.reduce((a, c) => a + (t.cls !== undefined ? 1 : c.share), 0);
    if (!(total > 0)) return NaN;
    return withSlo.reduce((a, c) => a + (c.service_s <= c.slo_s! ? (t.cls !== undefined ? 1 : c.share) : 0), 0) / total;
  }
  if (t.cls !== undefined) return mine[0]!.service_s;
  const items = mine.map((c) => ({ s: c.service_s, w: c.share })).sort((a, b) => a.s - b.s);
  const total = items.reduce((a, x) => a + x.w, 0);
  if (t.metric === 'mean') return items.reduce((a, x) => a + x.s * x.w, 0) / total;
  if (t.metric === 'max') return items[items.length - 1]!.s;
  const q = quantileOf(t.metric)!;
  let acc = 0;
  for (const x of items) {
    acc += x.w / total;
    // strictly above the quantile: at exactly q, the estimate may land on either side
    if (acc > q + 1e-9) return x.s;
  }
  return items[items.length - 1]!.s;
}

/** The first objective that service times alone rule out, with the reason; null when none is. */
export function infeasibility(terms: readonly SloTerm[], classes: readonly ServiceClass[], tolerance = 0.001): { term: SloTerm; bound: number; reason: string } | null {
  for (const t of terms) {
    const b = serviceBound(t, classes);
    if (!Number.isFinite(b)) continue;
    if (t.op === '<=' && b > t.value * (1 + tolerance)) return { term: t, bound: b, reason: boundReason(t, b, classes) };
    if (t.op === '>=' && b < t.value * (1 - tolerance)) return { term: t, bound: b, reason: boundReason(t, b, classes) };
  }
  return null;
}

function boundReason(t: SloTerm, b: number, classes: readonly ServiceClass[]): string {
  if (t.metric === 'attainment' && !classes.some((c) => (t.cls === undefined || c.name === t.cls) && c.slo_s != null)) {
    const withSlo = classes.filter((c) => c.slo_s != null).map((c) => c.name);
    return `${t.cls !== undefined ? `class "${t.cls}" has no SLO` : 'no class has an SLO'} (slo_s), so its attainment is undefined and ${t.text} cannot hold: give ${t.cls !== undefined ? 'the class' : 'a class'} an slo_s, or use a latency objective (e.g. ${t.cls !== undefined ? `${t.cls}.` : ''}p95<=1h)${t.cls !== undefined && withSlo.length ? `; classes with an SLO: ${withSlo.join(', ')}` : ''}`;
  }
  if (t.metric === 'attainment') {
    const late = classes.filter((c) => (t.cls === undefined || c.name === t.cls) && c.slo_s != null && c.service_s > c.slo_s);
    return `${late.map((c) => `the ${c.name} service time alone is ${formatDuration(c.service_s)} > its SLO ${formatDuration(c.slo_s!)}`).join('; ')}, so at most ${formatObjectiveValue(t, b)} of requests can meet their SLO, short of ${t.text}`;
  }
  // the bound and the target in one unit, with digits enough to differ ("18.0 min > 10.0 min (p95<=600)")
  const [shown, target] = formatMissPair(t, b, t.value);
  const over = `${shown} > ${target} (${t.text})`;
  if (t.cls !== undefined) return `the ${t.cls} service time alone is ${over}`;
  if (t.metric === 'mean') return `the mean service time over the mix alone is ${over}`;
  const total = classes.reduce((a, c) => a + c.share, 0);
  const setter = classes.find((c) => c.service_s === b)!;
  const slower = classes.filter((c) => c.service_s >= b).reduce((a, c) => a + c.share, 0) / total;
  if (slower > 0.999) return `the ${setter.name} service time alone is ${over}`;
  return `the ${setter.name} service time alone is ${shown} and ${(slower * 100).toFixed(0)}% of requests take at least that long, so ${t.metric} >= ${over}`;
}
