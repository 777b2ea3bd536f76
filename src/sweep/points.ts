/**
 * A sweep's points: the runs of each parameter combination (one per replicate seed) summed up, with 95%
 * intervals when a point has replicates.
 *
 *  - Latency and queue-wait percentiles (p50, p95, p99, wait p95) are computed from the replicate runs'
 *    samples pooled together (each run's sketch merged: metrics/quantile-sketch.ts), never averaged across
 *    seeds; their interval is the order-statistic interval on the pooled samples (metrics/confidence.ts).
 *  - Quantities measured once per run (throughput, SLO attainment, utilization, latency mean, energy and cost
 *    per video, counts) are means over the replicates; their interval is Student's t over the replicates,
 *    clipped to what the quantity can be (a share within 0–100%, nothing below 0).
 *  - A point with one run keeps that run's numbers exactly and has no interval.
 *
 * The objectives of a point (sweep/best.ts) read the same numbers: `input` is the point as one run — the
 * pooled percentiles, the replicate means, and requests summed over its runs (a loss in any run counts).
 */
import { QuantileSketch, type SketchSnapshot } from '../metrics/quantile-sketch.ts';
import { quantileRankInterval, tInterval, type Interval } from '../metrics/confidence.ts';
import type { ObjectiveInput } from '../studies/objectives.ts';
import type { RunSummary } from './worker.ts';
import type { SweepPlan } from './spec.ts';
import type { SweepRecord } from './output.ts';
import { METRICS, finite } from './metrics.ts';

/** Metrics computed from pooled samples (the rest are replicate means): key → which samples, which quantile. */
export const POOLED: Readonly<Record<string, { samples: 'latency_s' | 'queue_wait_s'; q: number }>> = {
  latency_p50_s: { samples: 'latency_s', q: 0.5 },
  latency_p95_s: { samples: 'latency_s', q: 0.95 },
  latency_p99_s: { samples: 'latency_s', q: 0.99 },
  queue_wait_p95_s: { samples: 'queue_wait_s', q: 0.95 },
};

export interface PointSummary {
  point: number;
  label: string;
  variant: string | null;
  parameters: Record<string, unknown>;
  /** Run ids of this point (one per replicate seed). */
  ids: number[];
  ok: number;
  errors: string[];
  /** Each metric of METRICS: the run's value, or over replicates the pooled percentile / replicate mean (null where none has a value). */
  metrics: Record<string, number | null>;
  /** 95% interval of each metric over the replicates; null with fewer than two successful runs. */
  ci: Record<string, Interval> | null;
  /** Requests lost (dropped + failed) over all its runs. */
  lost: number;
  /** The point as one run, for the objectives (null when no run succeeded). */
  input: ObjectiveInput | null;
  /** How its money is priced (owned or cloud; null without a price): money ranks only within one basis. */
  cost_basis?: string | null;
}

type Stats = ObjectiveInput['latency_s'];

function statsOf(s: QuantileSketch): Stats {
  const f = (x: number) => (Number.isFinite(x) ? x : 0);
  return { mean: f(s.mean), p50: f(s.quantile(0.5)), p90: f(s.quantile(0.9)), p95: f(s.quantile(0.95)), p99: f(s.quantile(0.99)), max: f(s.count ? s.max : NaN) };
}

/** The order-statistic interval of the q-quantile of a pooled sketch. */
function quantileCi(s: QuantileSketch, q: number): Interval {
  const r = quantileRankInterval(s.count, q);
  return { lo: r.lo !== null ? s.valueAtRank(r.lo) : null, hi: r.hi !== null ? s.valueAtRank(r.hi) : null };
}

const mean = (xs: readonly number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN);

/** The point's runs as one ObjectiveInput: pooled percentiles where samples exist, replicate means otherwise. */
function pooledInput(runs: readonly SweepRecord[]): ObjectiveInput {
  const sums = runs.map((r) => r.summary!);
  if (sums.length === 1) return sums[0]!;
  const sum = (f: (s: RunSummary) => number) => sums.reduce((a, s) => a + f(s), 0);
  const pooled = (pick: (r: SweepRecord) => SketchSnapshot | undefined): QuantileSketch | null => {
    const snaps = runs.map(pick);
    return snaps.every((x) => x !== undefined) ? QuantileSketch.merge(snaps as SketchSnapshot[]) : null;
  };
  const avgStats = (list: readonly Stats[]): Stats => ({
    mean: mean(list.map((x) => x.mean)), p50: mean(list.map((x) => x.p50)), p90: mean(list.map((x) => x.p90)),
    p95: mean(list.map((x) => x.p95)), p99: mean(list.map((x) => x.p99)), max: Math.max(...list.map((x) => x.max)),
  });
  const withMean = (st: Stats, runMean: number): Stats => ({ ...st, mean: runMean });
  const lat = pooled((r) => r.samples?.latency_s);
  const wait = pooled((r) => r.samples?.queue_wait_s);
  const done = sums.filter((s) => s.requests.completed > 0);
  const names = [...new Set(sums.flatMap((s) => s.classes.map((c) => c.name)))];
  const atts = sums.map((s) => s.slo_attainment).filter((v): v is number => v !== null);
  return {
    requests: { arrived: sum((s) => s.requests.arrived), completed: sum((s) => s.requests.completed), dropped: sum((s) => s.requests.dropped), failed: sum((s) => s.requests.failed) },
    latency_s: lat ? withMean(statsOf(lat), mean(done.map((s) => s.latency_s.mean))) : avgStats(done.map((s) => s.latency_s)),
    queue_wait_s: wait ? { mean: mean(done.map((s) => s.queue_wait_s.mean)), p95: wait.quantile(0.95), p99: wait.quantile(0.99) } : { mean: mean(sums.map((s) => s.queue_wait_s.mean)), p95: mean(sums.map((s) => s.queue_wait_s.p95)), p99: mean(sums.map((s) => s.queue_wait_s.p99)) },
    slo_attainment: atts.length ? mean(atts) : null,
    // replicates differ in seed only: the same offered rate (a trace's count aside) and service times; the highest offered
    load: sums[0]!.load ? sums.map((s) => s.load).reduce((a, b) => (b && b.offered_rate_per_h > a.offered_rate_per_h ? b : a)) : undefined,
    pools: sums[0]!.pools, // the same deployment in every replicate
    classes: names.map((name) => {
      const mine = sums.map((s) => s.classes.find((c) => c.name === name)).filter((c): c is RunSummary['classes'][number] => c !== undefined);
      const cl = pooled((r) => r.samples?.classes[name]?.latency_s);
      const cw = pooled((r) => r.samples?.classes[name]?.queue_wait_s);
      const cdone = mine.filter((c) => c.completed > 0);
      const catt = mine.map((c) => c.slo_attainment).filter((v): v is number => v !== null);
      return {
        name,
        arrived: mine.reduce((a, c) => a + c.arrived, 0),
        completed: mine.reduce((a, c) => a + c.completed, 0),
        latency_s: cl && cl.count ? withMean(statsOf(cl), mean(cdone.map((c) => c.latency_s.mean))) : avgStats(cdone.map((c) => c.latency_s)),
        queue_wait_s: cw && cw.count ? { mean: mean(cdone.map((c) => c.queue_wait_s.mean)), p95: cw.quantile(0.95) } : { mean: mean(cdone.map((c) => c.queue_wait_s.mean)), p95: mean(cdone.map((c) => c.queue_wait_s.p95)) },
        slo_s: mine[0]?.slo_s ?? null,
        slo_attainment: catt.length ? mean(catt) : null,
      };
    }),
  };
}

export function pointSummaries(plan: SweepPlan, records: readonly SweepRecord[]): PointSummary[] {
  const byPoint = new Map<number, SweepRecord[]>();
  for (const r of records) {
    const list = byPoint.get(r.point);
    if (list) list.push(r);
    else byPoint.set(r.point, [r]);
  }
  const out: PointSummary[] = [];
  for (const [point, rs] of [...byPoint].sort((a, b) => a[0] - b[0])) {
    const ok = rs.filter((r) => r.summary);
    const metrics: Record<string, number | null> = {};
    const ci: Record<string, Interval> | null = ok.length >= 2 ? {} : null;
    // pooled samples exist only when every run kept them (replicated sweeps)
    const lat = ok.length >= 2 && ok.every((r) => r.samples) ? QuantileSketch.merge(ok.map((r) => r.samples!.latency_s)) : null;
    const wait = lat ? QuantileSketch.merge(ok.map((r) => r.samples!.queue_wait_s)) : null;
    for (const m of METRICS) {
      const vals = ok.map((r) => finite(m.get(r.summary!))).filter((v): v is number => v !== null);
      const pooled = POOLED[m.key];
      if (pooled && lat && wait) {
        const s = pooled.samples === 'latency_s' ? lat : wait;
        metrics[m.key] = s.count > 0 ? s.quantile(pooled.q) : null;
        if (ci) ci[m.key] = s.count > 0 ? quantileCi(s, pooled.q) : { lo: null, hi: null };
        continue;
      }
      metrics[m.key] = vals.length ? vals.reduce((a, b) => a + b, 0) / vals.length : null;
      if (ci) {
        const t = tInterval(vals);
        // clipped to what the quantity can be: a share within 0–1, counts and rates not below 0
        const floor = m.unit === 'ratio' || m.unit === 'count' || m.unit === 'videos/h' || m.unit === 'usd' || m.unit === 'Wh' || m.unit === 'kWh' || m.unit === 'kW' || m.unit === 's' ? 0 : -Infinity;
        const ceil = m.unit === 'ratio' ? 1 : Infinity;
        ci[m.key] = { lo: t.lo === null ? null : Math.max(floor, t.lo), hi: t.hi === null ? null : Math.min(ceil, t.hi) };
      }
    }
    out.push({
      point,
      label: rs[0]!.label,
      variant: rs[0]!.variant,
      parameters: rs[0]!.parameters,
      ids: rs.map((r) => r.id),
      ok: ok.length,
      errors: [...new Set(rs.filter((r) => r.error).map((r) => r.error!))],
      metrics,
      ci,
      lost: ok.reduce((a, r) => a + r.summary!.requests.dropped + r.summary!.requests.failed, 0),
      input: ok.length ? pooledInput(ok) : null,
      cost_basis: ok[0]?.summary!.cost?.basis ?? null,
    });
  }
  void plan;
  return out;
}
