/**
 * Arrival processes: when requests arrive. Each yields the next arrival time lazily, so a day of traffic
 * never sits in memory. Randomness comes from the 'arrivals' stream only.
 */
import { readFileSync } from 'node:fs';
import type { RandomStream } from '../engine/random.ts';
import { InputError } from '../errors.ts';
import { parseResolution } from '../units.ts';
import type { RateCurve } from './rate-curve.ts';

/** A mean arrival rate, written per hour, per minute or per second (a scenario gives exactly one). */
export interface ArrivalRate {
  rate_per_hour?: number;
  rate_per_min?: number;
  rate_per_s?: number;
}

/**
 * An arrival process as a scenario's `workload.arrivals` writes it: Poisson, a Gamma renewal process with
 * coefficient of variation `cv`, or the replay of a CSV trace. Declared here; the scenario schema's inferred
 * type must fit it (src/scenario/schema.ts).
 */
export type ArrivalSpec = ({ process: 'poisson' } & ArrivalRate) | ({ process: 'gamma'; cv: number } & ArrivalRate) | { process: 'trace'; file: string };

export interface TraceRow {
  time: number;
  model?: string;
  width?: number;
  height?: number;
  frames?: number;
  steps?: number;
  priority?: number;
}

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
  constructor(private readonly rows: TraceRow[]) {
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
}

/** Reads a trace CSV: header with timestamp_s (required) and optional model, resolution, frames, steps, priority. */
export function readTrace(file: string): TraceRow[] {
  const text = readFileSync(file, 'utf8');
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== '' && !l.startsWith('#'));
  if (lines.length === 0) throw new InputError([{ source: file, path: '', message: 'empty trace' }]);
  const header = lines[0]!.split(',').map((h) => h.trim().toLowerCase());
  const col = (name: string) => header.indexOf(name);
  const tCol = col('timestamp_s') >= 0 ? col('timestamp_s') : col('timestamp');
  if (tCol < 0) throw new InputError([{ source: file, line: 1, col: 1, path: '', message: 'trace header needs a timestamp_s column', hint: 'header: timestamp_s,model,resolution,frames,steps,priority' }]);
  const rows: TraceRow[] = [];
  const issues = [];
  let prev = -Infinity;
  for (let li = 1; li < lines.length; li++) {
    const cells = lines[li]!.split(',').map((c) => c.trim());
    const time = Number(cells[tCol]);
    if (!Number.isFinite(time) || time < 0) {
      issues.push({ source: file, line: li + 1, col: 1, path: 'timestamp_s', message: `expected a non-negative number of seconds, got "${cells[tCol]}"` });
      continue;
    }
    if (time < prev) issues.push({ source: file, line: li + 1, col: 1, path: 'timestamp_s', message: `timestamps must not decrease (${time} after ${prev})` });
    prev = time;
    const row: TraceRow = { time };
    const get = (name: string) => (col(name) >= 0 && cells[col(name)] !== '' ? cells[col(name)] : undefined);
    if (get('model')) row.model = get('model');
    const res = get('resolution');
    if (res) {
      const r = parseResolution(res);
      if (!r) issues.push({ source: file, line: li + 1, col: 1, path: 'resolution', message: `bad resolution "${res}"` });
      else Object.assign(row, r);
    }
    for (const k of ['frames', 'steps', 'priority'] as const) {
      const v = get(k);
      if (v !== undefined) {
        const n = Number(v);
        if (!Number.isInteger(n) || n < 0) issues.push({ source: file, line: li + 1, col: 1, path: k, message: `expected a non-negative integer, got "${v}"` });
        else row[k] = n;
      }
    }
    rows.push(row);
  }
  if (issues.length) throw new InputError(issues);
  return rows;
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
      const rows = readTrace(traceFile ?? spec.file);
      return new TraceArrivals(rateScale === 1 ? rows : rows.map((r) => ({ ...r, time: r.time / rateScale })));
    }
  }
}
