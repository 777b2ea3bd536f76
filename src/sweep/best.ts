/**
 * What a sweep recommends: the best point by p95 latency, by $ per video and by throughput — only among the
 * points that meet the sweep's objectives, never among all of them.
 *
 * The objectives are the sweep's `objectives:` (or `vgsim sweep --slo`, which sets it); a sweep that states
 * none uses the scenario's own SLOs — every class with an `slo_s` keeps ≥ 95% of its requests within it
 * (studies/objectives.ts DEFAULT_ATTAINMENT: a p95 within the SLO) — and says so. Always: something
 * completed and nothing was dropped or failed. A point's verdict reads the point's own numbers
 * (sweep/points.ts: pooled percentiles and replicate means), and a point whose arrival window is shorter than
 * 10 relaxation times of its queue is not shown sustained (serving/load-bound.ts unsettledReason: its tails
 * still carry the empty start). When no point meets the objectives there is no
 * best, and the note names the closest miss (the smallest relative shortfall).
 */
import { checkObjectives, formatObjectiveValue, parseSlo, scenarioSloTerms, DEFAULT_ATTAINMENT, type SloTerm } from '../studies/objectives.ts';
import type { SweepPlan } from './spec.ts';
import { RELAXATION_TIMES_PER_RUN, unsettledReason } from '../serving/load-bound.ts';
import { requiredSamples } from '../studies/capacity.ts';
import type { PointSummary } from './points.ts';

export interface SweepObjectives {
  /** Where they come from. */
  source: 'sweep.objectives' | 'scenario SLOs' | 'none';
  /** The stated objectives (sweep.objectives / --slo), or null. */
  stated: string | null;
  /** One line for the outputs. */
  text: string;
}

export interface PointVerdict {
  point: number;
  /** Meets every objective with nothing lost (and something completed). */
  feasible: boolean;
  /** What it misses, or why it has no result; null when feasible. */
  reason: string | null;
  /** The largest relative miss (0 when feasible; Infinity for a point without a result). */
  shortfall: number;
  /** The objectives it was held to, with its value of each. */
  /** value: null where it is not a finite number (JSON); shown: as printed (a psnr floor over an unchanged video reads "exact"). */
  terms: { text: string; value: number | null; shown: string; target: string }[];
  /**
   * When it completed fewer requests than its objectives need to be judged — 20/(1−q) for the strictest
   * quantile q, per class divided by its share (studies/capacity.ts requiredSamples, the rule capacity and
   * size size their trials by) — how many it completed and how many they need; else null.
   */
  samples?: { completed: number; needed: number } | null;
}

export interface BestPoints {
  objectives: SweepObjectives;
  /** Points with a result, and how many of them meet the objectives. */
  points: number;
  meeting: number;
  latency_p95: number | null;
  usd_per_video: number | null;
  throughput_per_h: number | null;
  /**
   * Why there is no best throughput among points that meet the objectives: the highest offered load among them
   * is offered to several (a run that keeps up serves what it is offered; their measured rates differ only by
   * the drain after the arrival window and the draw of arrivals). Null otherwise.
   */
  throughput_note: string | null;
  /** When no point meets them: the closest miss. */
  closest: { point: number; label: string; reason: string } | null;
  /** Why there is no best (or null). */
  note: string | null;
}

/** The metrics a sweep names a best point by. */
export type BestKey = 'latency_p95_s' | 'usd_per_video' | 'throughput_per_h';

/** One ranking's pick by a metric and, where it has none, its own reason (the text and the HTML read both from the same BestPoints). */
export function bestBy(of: BestPoints, key: BestKey): { point: number | null; note: string | null } {
  switch (key) {
    case 'latency_p95_s': return { point: of.latency_p95, note: null };
    case 'usd_per_video': return { point: of.usd_per_video, note: of.usd_per_video === null ? of.note : null };
    case 'throughput_per_h': return { point: of.throughput_per_h, note: of.throughput_per_h === null ? of.throughput_note : null };
  }
}

/** The objectives a sweep's "best" is held to. */
export function sweepObjectives(plan: SweepPlan, points: readonly PointSummary[]): SweepObjectives {
  const stated = plan.spec.objectives ?? null;
  if (stated !== null) return { source: 'sweep.objectives', stated, text: `${stated}, nothing dropped or failed (sweep.objectives)` };
  const withSlo = [...new Set(points.flatMap((p) => p.input?.classes.filter((c) => c.slo_s !== null).map((c) => c.name) ?? []))];
  if (withSlo.length) {
    return {
      source: 'scenario SLOs', stated: null,
      text: `the sweep states no objectives (sweep.objectives or --slo), so the scenario's SLOs: every class with an SLO (${withSlo.join(', ')}) keeps >= ${DEFAULT_ATTAINMENT * 100}% of its requests within it, nothing dropped or failed`,
    };
  }
  return { source: 'none', stated: null, text: 'the sweep states no objectives (sweep.objectives or --slo) and the scenario no SLO: only nothing dropped or failed' };
}

function termsOf(obj: SweepObjectives, p: PointSummary): SloTerm[] {
  if (obj.stated !== null) return parseSlo(obj.stated);
  return p.input ? scenarioSloTerms(p.input.classes) : [];
}

/** Each point's verdict against the objectives. */
export function pointVerdicts(plan: SweepPlan, points: readonly PointSummary[]): PointVerdict[] {
  const obj = sweepObjectives(plan, points);
  return points.map((p) => {
    if (!p.input || p.errors.length) {
      return { point: p.point, feasible: false, reason: p.errors.length ? `run failed: ${p.errors.join('; ')}` : 'no result', shortfall: Infinity, terms: [] };
    }
    const terms = termsOf(obj, p);
    let v;
    try {
      v = checkObjectives(p.input, terms, 0);
    } catch (e) {
      // a per-class objective naming a class this point does not have
      return { point: p.point, feasible: false, reason: (e as Error).message, shortfall: Infinity, terms: [] };
    }
    // a run too short for its queue to settle shows the empty start, not the load sustained (capacity stretches
    // its trials to 10 relaxation times; a sweep runs the duration it is given, so the point is not ranked)
    const unsettled = unsettledReason(p.input.load);
    if (unsettled) {
      const load = p.input.load!;
      v = { ...v, pass: false, reason: v.reason ? `${v.reason}; ${unsettled}` : unsettled, shortfall: Math.max(v.shortfall, (RELAXATION_TIMES_PER_RUN * load.relaxation_s!) / load.window_s! - 1) };
    }
    const total = p.input.classes.reduce((a, c) => a + c.arrived, 0);
    const needed = requiredSamples(terms, (name) => (total > 0 ? (p.input!.classes.find((c) => c.name === name)?.arrived ?? 0) / total : 1));
    const completed = p.input.requests.completed;
    return {
      samples: completed < needed ? { completed, needed } : null,
      point: p.point, feasible: v.pass, reason: v.reason, shortfall: v.shortfall,
      terms: terms.map((t) => ({ text: t.text, value: Number.isFinite(v.values[t.text]) ? v.values[t.text]! : null, shown: formatObjectiveValue(t, v.values[t.text] ?? null), target: `${t.op} ${formatObjectiveValue(t, t.value)}` })),
    };
  });
}

/** "low confidence: 81 requests, the objectives need 1,334 …" for a verdict resting on too few requests, else null. */
export function lowConfidence(v: PointVerdict): string | null {
  if (!v.samples) return null;
  return `low confidence: ${v.samples.completed.toLocaleString('en-US')} requests completed, the objectives need ${v.samples.needed.toLocaleString('en-US')} to be judged (20/(1-q) for the strictest quantile q, per class divided by its share, as capacity's trials); lengthen duration or add replicate_seeds`;
}

/** "720p-5s.attainment 97.6% (>= 95.0%), p95 41.2 min (<= 45.0 min)": a point's objectives next to their targets. */
export function objectivesAt(plan: SweepPlan, points: readonly PointSummary[], v: PointVerdict): string {
  if (!v.terms.length) return 'nothing dropped or failed';
  return v.terms.map((t) => `${t.text.replace(/\s*(<=|>=|<|>).*$/, '')} ${t.shown} (${t.target})`).join(', ');
}

/** The best points (ties go to the lower index), among those that meet the objectives only. */
export function bestPoints(plan: SweepPlan, points: readonly PointSummary[], verdicts: readonly PointVerdict[] = pointVerdicts(plan, points)): BestPoints {
  const objectives = sweepObjectives(plan, points);
  const withResult = points.filter((p) => p.input !== null && p.errors.length === 0);
  const pool = points.filter((p, i) => verdicts[i]!.feasible);
  const pick = (key: string, better: 'lower' | 'higher') => {
    let best: PointSummary | null = null;
    for (const p of pool) {
      const v = p.metrics[key];
      if (v === null || v === undefined) continue;
      const b = best?.metrics[key];
      if (best === null || b === null || b === undefined || (better === 'lower' ? v < b : v > b)) best = p;
    }
    return best?.point ?? null;
  };
  // money ranks like with like: points priced on different bases (owned, cloud) get no best $ per video
  const bases = [...new Set(pool.map((p) => p.cost_basis ?? 'none'))];
  let closest: BestPoints['closest'] = null;
  let note: string | null = bases.length > 1 ? `no best $ per video: the points meeting the objectives are priced on different bases (${bases.join(', ')})` : null;
  if (!pool.length) {
    const c = verdicts.filter((v) => Number.isFinite(v.shortfall)).sort((a, b) => a.shortfall - b.shortfall || a.point - b.point)[0];
    if (c) closest = { point: c.point, label: points.find((p) => p.point === c.point)!.label, reason: c.reason ?? '' };
    note = withResult.length
      ? `none of ${withResult.length} point${withResult.length === 1 ? '' : 's'} meets the objectives${closest ? `; closest: point ${closest.point} (${closest.label}): ${closest.reason}` : ''}`
      : 'no point has a result';
  }
  const throughput = pickThroughput(pool);
  return {
    objectives, points: withResult.length, meeting: pool.length,
    latency_p95: pick('latency_p95_s', 'lower'), usd_per_video: bases.length > 1 ? null : pick('usd_per_video', 'lower'), throughput_per_h: throughput.point, throughput_note: throughput.note,
    closest, note,
  };
}

/**
 * The highest throughput among points that meet the objectives (so keep up with their load): the one offered
 * the most. Several offered that most are a tie, not a pick: what each serves is what it is offered, and the
 * measured rates (completed / (window + drain)) differ only by the drain and the arrivals drawn — it ranked a
 * B200 above an H200 serving the same 38 requests by 17.0/h against 15.3/h.
 */
function pickThroughput(pool: readonly PointSummary[]): { point: number | null; note: string | null } {
  const offered = (p: PointSummary) => p.input?.load?.offered_rate_per_h;
  const rated = pool.filter((p) => offered(p) !== undefined);
  if (!rated.length) {
    // records written before runs carried their load: the measured rate
    const byRate = [...pool].filter((p) => typeof p.metrics.throughput_per_h === 'number').sort((a, b) => b.metrics.throughput_per_h! - a.metrics.throughput_per_h! || a.point - b.point);
    return { point: byRate[0]?.point ?? null, note: null };
  }
  const top = Math.max(...rated.map((p) => offered(p)!));
  const at = rated.filter((p) => offered(p)! >= top * (1 - 1e-9));
  if (at.length === 1) return { point: at[0]!.point, note: null };
  const ids = at.map((p) => p.point);
  return {
    point: null,
    note: `points ${ids.length > 6 ? `${ids.slice(0, 6).join(', ')} … (${ids.length})` : ids.join(', ')} meet the objectives at the same highest offered load, ${top.toFixed(2)}/h, and serve it: their measured rates differ only by the drain after the window; vgsim capacity finds the most each sustains`,
  };
}
