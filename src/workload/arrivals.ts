/**
 * Arrival processes: when requests arrive. Each yields the next arrival time lazily, so a day of traffic
 * never sits in memory. Randomness comes from the 'arrivals' stream only.
 */
import type { RandomStream } from '../engine/random.ts';
import type { RateCurve } from './rate-curve.ts';
import { readTraceFile, type TraceRow } from './trace-formats.ts';

export type { TraceRow } from './trace-formats.ts';

/** A mean arrival rate, written per hour, per minute or per second (a scenario gives exactly one). */
export interface ArrivalRate {
  rate_per_hour?: number;
  rate_per_min?: number;
  rate_per_s?: number;
}

/**
 * An arrival process as a scenario's `workload.arrivals` writes it: Poisson, a Gamma renewal process with
 * coefficient of variation `cv`, or the replay of a trace (`rate_per_s` spaces the rows of a trace without
 * times). Declared here; the scenario schema's inferred type must fit it (src/scenario/schema.ts).
 */
export type ArrivalSpec =
  | ({ process: 'poisson' } & ArrivalRate)
  | ({ process: 'gamma'; cv: number } & ArrivalRate)
  | { process: 'trace'; file: string; rate_per_s?: number };

export interface ArrivalProcess {
  /** Time of the next arrival after `now`, or Infinity when the process has ended. */
  next(now: number): number;
  /** For trace replay: the attributes of the arrival just returned by next(). */
  lastRow?(): TraceRow | undefined;
  /** Mean rate in arrivals per second (for reports). */
  readonly meanRatePerS: number;
}

export function ratePerSecond(a: ArrivalRate): number {
  if (a.rate_per_s !== undefined) return a.rate_per_s;
  if (a.rate_per_min !== undefined) return a.rate_per_min / 60;
  return (a.rate_per_hour ?? 0) / 3600;
}

export class PoissonArrivals implements ArrivalProcess {
  constructor(readonly meanRatePerS: number, private readonly rng: RandomStream) {}
  next(now: number): number {
    return this.meanRatePerS > 0 ? now + this.rng.exponential(this.meanRatePerS) : Infinity;
  }
}

/** Renewal process with Gamma gaps: mean 1/rate, coefficient of variation cv (shape 1/cv²). */
export class GammaArrivals implements ArrivalProcess {
  private readonly shape: number;
  private readonly scale: number;
  constructor(readonly meanRatePerS: number, cv: number, private readonly rng: RandomStream) {
    this.shape = 1 / (cv * cv);
    this.scale = meanRatePerS > 0 ? 1 / (meanRatePerS * this.shape) : Infinity;
  }
  next(now: number): number {
    return this.meanRatePerS > 0 ? now + this.rng.gamma(this.shape, this.scale) : Infinity;
  }
}

export class TraceArrivals implements ArrivalProcess {
  private i = 0;
  private last: TraceRow | undefined;
  readonly meanRatePerS: number;
  /** `warnings`: what reading the trace noticed (columns it ignores), for the run's warnings. */
  constructor(private readonly rows: TraceRow[], readonly warnings: string[] = []) {
    const span = rows.length > 1 ? rows[rows.length - 1]!.time - rows[0]!.time : 0;
    this.meanRatePerS = span > 0 ? (rows.length - 1) / span : 0;
  }
  next(now: number): number {
    const row = this.rows[this.i];
    if (!row) return Infinity;
    this.i++;
    this.last = row;
    return Math.max(now, row.time);
  }
  lastRow(): TraceRow | undefined {
    return this.last;
  }
  /** Rows that arrive before time t (the rows are in time order). */
  /** Rows in the trace (the replay takes those before the run's duration). */
  get size(): number {
    return this.rows.length;
  }

  countBefore(t: number): number {
    let lo = 0;
    let hi = this.rows.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.rows[mid]!.time < t) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}

/**
 * Reads a trace (vgsim's CSV, an observed trace from calibration/serving, or a DiT-benchmark per-request
 * file; see trace-formats.ts). `ratePerS` spaces the rows of a trace without a time column.
 */
export function readTrace(file: string, ratePerS?: number): TraceRow[] {
  return readTraceFile(file, { ratePerS }).rows;
}

/** Runs a base process in operational time τ = Λ(t) and maps each arrival back to wall time (rate-curve.ts). */
export class CurvedArrivals implements ArrivalProcess {
  private tau = 0;
  constructor(private readonly base: ArrivalProcess, private readonly curve: RateCurve) {}
  get meanRatePerS(): number {
    return this.base.meanRatePerS;
  }
  next(now: number): number {
    this.tau = this.base.next(Math.max(this.tau, this.curve.cumulative(now)));
    return Number.isFinite(this.tau) ? Math.max(now, this.curve.inverse(this.tau)) : Infinity;
  }
}

/**
 * The arrival process of a scenario. `rateScale` multiplies the rate (used by `vgsim capacity` and load
 * sweeps; a trace is compressed in time by the same factor); `curve` makes Poisson/Gamma traffic follow a
 * daily profile (a trace already carries its own).
 */
export function makeArrivals(spec: ArrivalSpec, rng: RandomStream, traceFile?: string, rateScale = 1, curve?: RateCurve): ArrivalProcess {
  const withCurve = (p: ArrivalProcess) => (curve && !curve.flat ? new CurvedArrivals(p, curve) : p);
  switch (spec.process) {
    case 'poisson':
      return withCurve(new PoissonArrivals(ratePerSecond(spec) * rateScale, rng));
    case 'gamma':
      return withCurve(new GammaArrivals(ratePerSecond(spec) * rateScale, spec.cv, rng));
    case 'trace': {
      const { rows, warnings } = readTraceFile(traceFile ?? spec.file, { ratePerS: spec.rate_per_s });
      return new TraceArrivals(rateScale === 1 ? rows : rows.map((r) => ({ ...r, time: r.time / rateScale })), warnings);
    }
  }
}
