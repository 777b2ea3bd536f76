/**
 * Where the points of a sweep come from: grids, uniform random draws and Latin hypercube samples of the
 * swept parameters. Pure functions of the spec and the sampling seed, so the same spec always gives the
 * same points (in the same order) on any machine, whatever the worker count or sharding.
 *
 * A parameter is either a list of values or a numeric range `{min, max, steps?, integer?, log?}`.
 *
 * - grid: lists contribute their values; ranges `steps` evenly spaced values (geometric when `log`),
 *   rounded and de-duplicated when `integer`. Points are the Cartesian product, first parameter outermost
 *   (the last parameter varies fastest), like nested for-loops written in file order.
 * - random: each point draws every parameter independently and uniformly: a list picks one of its values
 *   with equal probability, a range is uniform on [min, max] (log-uniform when `log`; every whole number
 *   equally likely when `integer`).
 * - lhs (Latin hypercube, McKay, Beckman & Conover 1979): with n samples, each parameter's unit interval
 *   is cut into n equal strata [k/n, (k+1)/n); sample i of parameter p uses stratum π_p(i) at a uniform
 *   position inside it, where π_p is an independent uniformly random permutation of 0..n-1 (Fisher–Yates).
 *   The unit value u then maps through the same inverse CDF as random draws (linear, log, whole numbers
 *   with equal mass, list index ⌊u·k⌋). Every stratum of every parameter is hit exactly once, so each
 *   marginal is evenly covered even with few samples; the pairing across parameters is random (no
 *   correlation reduction or maximin optimisation).
 *
 * Random streams: seedrandom's Alea, one stream per parameter seeded with `${seed}/sweep/${path}`, so adding
 * or removing one parameter never changes the values drawn for the others.
 */
import seedrandom from 'seedrandom';

/** A swept parameter as written in the scenario. */
export type ParameterSpec = readonly unknown[] | RangeSpec;

export interface RangeSpec {
  min: number;
  max: number;
  steps?: number;
  integer: boolean;
  log: boolean;
}

export function isRange(p: ParameterSpec): p is RangeSpec {
  return !Array.isArray(p);
}

/** The `u`-quantile (u in [0, 1)) of a parameter's distribution. */
export function valueAt(p: ParameterSpec, u: number): unknown {
  if (!isRange(p)) return p[Math.min(p.length - 1, Math.floor(u * p.length))];
  if (p.integer) {
    // whole numbers min..max, each with the same mass 1/(count)
    const lo = Math.ceil(p.min);
    const hi = Math.floor(p.max);
    if (p.log && lo > 0) {
      // log-uniform over [lo, hi + 1), floored: mass of k proportional to log((k+1)/k)
      return Math.min(hi, Math.floor(Math.exp(Math.log(lo) + u * (Math.log(hi + 1) - Math.log(lo)))));
    }
    return Math.min(hi, lo + Math.floor(u * (hi - lo + 1)));
  }
  if (p.log) return Math.exp(Math.log(p.min) + u * (Math.log(p.max) - Math.log(p.min)));
  return p.min + u * (p.max - p.min);
}

/** The values a parameter takes in a grid (a range needs `steps`). */
export function gridValues(p: ParameterSpec): unknown[] {
  if (!isRange(p)) return [...p];
  const n = p.steps;
  if (n === undefined) throw new Error('a range in a grid needs `steps`');
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const f = i / (n - 1);
    let v = p.log ? Math.exp(Math.log(p.min) + f * (Math.log(p.max) - Math.log(p.min))) : p.min + f * (p.max - p.min);
    // the ends exactly as written (no 9.999999999 for 10)
    if (i === 0) v = p.min;
    if (i === n - 1) v = p.max;
    if (p.integer) v = Math.min(Math.floor(p.max), Math.max(Math.ceil(p.min), Math.round(v)));
    if (!p.integer || !out.includes(v)) out.push(v);
  }
  return out;
}

/** Number of grid points (without materialising them). */
export function gridSize(params: readonly ParameterSpec[]): number {
  return params.reduce<number>((a, p) => a * gridValues(p).length, 1);
}

/** The Cartesian product, first parameter outermost; each point lists one value per parameter. */
export function grid(params: readonly ParameterSpec[]): unknown[][] {
  const axes = params.map(gridValues);
  let points: unknown[][] = [[]];
  for (const axis of axes) {
    const next: unknown[][] = [];
    for (const prefix of points) for (const v of axis) next.push([...prefix, v]);
    points = next;
  }
  return points;
}

/** A uniform [0, 1) generator for one parameter of a sweep. */
export function parameterStream(seed: number, key: string): () => number {
  return seedrandom.alea(`${seed}/sweep/${key}`);
}

/** Fisher–Yates shuffle of 0..n-1. */
export function permutation(n: number, rand: () => number): number[] {
  const p = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [p[i], p[j]] = [p[j]!, p[i]!];
  }
  return p;
}

/** Unit values of `n` Latin hypercube samples for one parameter: u[i] lies in stratum perm[i]. */
export function lhsUnits(n: number, rand: () => number): number[] {
  const perm = permutation(n, rand);
  return perm.map((stratum) => (stratum + rand()) / n);
}

/** Unit values of `n` independent uniform draws. */
export function randomUnits(n: number, rand: () => number): number[] {
  return Array.from({ length: n }, () => rand());
}

/**
 * `n` sampled points (one value per parameter, in parameter order). `keys` name the parameters (they seed
 * the per-parameter streams).
 */
export function sample(mode: 'random' | 'lhs', keys: readonly string[], params: readonly ParameterSpec[], n: number, seed: number): unknown[][] {
  const columns = params.map((p, j) => {
    const rand = parameterStream(seed, keys[j]!);
    const units = mode === 'lhs' ? lhsUnits(n, rand) : randomUnits(n, rand);
    return units.map((u) => valueAt(p, u));
  });
  return Array.from({ length: n }, (_, i) => columns.map((c) => c[i]));
}
