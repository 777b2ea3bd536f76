/**
 * Streaming quantiles in bounded memory: a log-bucketed histogram (the DDSketch construction,
 * Masson et al., VLDB 2019). Values are mapped to buckets of relative width 2α/(1−α), so any quantile is
 * returned within relative error α of a true sample at that rank. Memory is O(log(max/min)/α) buckets,
 * independent of the number of samples. Mean, min and max are exact.
 *
 * Below `exactLimit` samples the sketch also keeps the raw values and answers exactly, so small runs and
 * tests get exact percentiles (linear interpolation between order statistics, like numpy's default).
 *
 * Sketches merge: snapshot() is a JSON-safe copy (the raw values while exact, else the buckets) and
 * QuantileSketch.merge() pools snapshots as if every sample had been added to one sketch (replicate runs of
 * a sweep point pool their latencies this way).
 */

/** A sketch as plain JSON: `values` (sorted) while it is exact, else the bucket counts. */
export interface SketchSnapshot {
  count: number;
  sum: number;
  min: number;
  max: number;
  values?: number[];
  zeros?: number;
  /** [bucket index, count], by index. */
  buckets?: [number, number][];
}
export class QuantileSketch {
  private readonly gamma: number;
  private readonly logGamma: number;
  private readonly buckets = new Map<number, number>();
  private zeros = 0;
  private exact: number[] | undefined = [];
  /** The exact samples sorted (kept between quantile() calls until the next add()). */
  private sorted: number[] | undefined;
  count = 0;
  sum = 0;
  min = Infinity;
  max = -Infinity;

  constructor(readonly relativeAccuracy = 0.005, private readonly exactLimit = 100_000) {
    this.gamma = (1 + relativeAccuracy) / (1 - relativeAccuracy);
    this.logGamma = Math.log(this.gamma);
  }

  add(x: number): void {
    if (!(x >= 0)) throw new RangeError(`QuantileSketch takes non-negative values, got ${x}`);
    this.count++;
    this.sum += x;
    if (x < this.min) this.min = x;
    if (x > this.max) this.max = x;
    if (this.exact) {
      // exact mode: the buckets are built only if the samples outgrow it (the same counts as adding them one by one)
      this.exact.push(x);
      this.sorted = undefined;
      if (this.exact.length > this.exactLimit) {
        for (const v of this.exact) this.bucket(v);
        this.exact = undefined;
      }
      return;
    }
    this.bucket(x);
  }

  private bucket(x: number): void {
    if (x < 1e-12) {
      this.zeros++;
      return;
    }
    const k = Math.ceil(Math.log(x) / this.logGamma);
    this.buckets.set(k, (this.buckets.get(k) ?? 0) + 1);
  }

  get mean(): number {
    return this.count > 0 ? this.sum / this.count : NaN;
  }

  /** The q-quantile (0 ≤ q ≤ 1). */
  quantile(q: number): number {
    if (this.count === 0) return NaN;
    if (this.exact) {
      const xs = (this.sorted ??= [...this.exact].sort((a, b) => a - b));
      const pos = q * (xs.length - 1);
      const lo = Math.floor(pos);
      const hi = Math.ceil(pos);
      return xs[lo]! + (xs[hi]! - xs[lo]!) * (pos - lo);
    }
    const rank = q * (this.count - 1);
    if (rank < this.zeros) return 0;
    let seen = this.zeros;
    const keys = [...this.buckets.keys()].sort((a, b) => a - b);
    for (const k of keys) {
      seen += this.buckets.get(k)!;
      if (seen > rank) {
        const v = (2 * Math.pow(this.gamma, k)) / (this.gamma + 1);
        return Math.min(this.max, Math.max(this.min, v));
      }
    }
    return this.max;
  }

  /** The r-th smallest sample (1-based; bucket resolution beyond exactLimit). */
  valueAtRank(r: number): number {
    if (this.count === 0 || !(r >= 1 && r <= this.count)) return NaN;
    if (this.exact) return (this.sorted ??= [...this.exact].sort((a, b) => a - b))[r - 1]!;
    return this.quantile(this.count > 1 ? (r - 1) / (this.count - 1) : 0);
  }

  /** A JSON-safe copy that merge() can pool. */
  snapshot(): SketchSnapshot {
    const base = { count: this.count, sum: this.sum, min: this.count ? this.min : 0, max: this.count ? this.max : 0 };
    if (this.exact) return { ...base, values: [...this.exact].sort((a, b) => a - b) };
    return { ...base, zeros: this.zeros, buckets: [...this.buckets].sort((a, b) => a[0] - b[0]) };
  }

  /** One sketch of every sample of the snapshots (exact while the total stays under exactLimit). */
  static merge(snapshots: readonly SketchSnapshot[], relativeAccuracy = 0.005, exactLimit = 100_000): QuantileSketch {
    const s = new QuantileSketch(relativeAccuracy, exactLimit);
    const total = snapshots.reduce((a, x) => a + x.count, 0);
    if (total <= exactLimit && snapshots.every((x) => x.values)) {
      for (const x of snapshots) for (const v of x.values!) s.add(v);
      return s;
    }
    s.exact = undefined;
    s.sorted = undefined;
    for (const x of snapshots) {
      if (x.count === 0) continue;
      s.count += x.count;
      s.sum += x.sum;
      s.min = Math.min(s.min, x.min);
      s.max = Math.max(s.max, x.max);
      if (x.values) for (const v of x.values) s.bucket(v);
      else {
        s.zeros += x.zeros ?? 0;
        for (const [k, c] of x.buckets ?? []) s.buckets.set(k, (s.buckets.get(k) ?? 0) + c);
      }
    }
    return s;
  }

  /** Fraction of samples ≤ x (exact below exactLimit, else bucket resolution). */
  fractionAtMost(x: number): number {
    if (this.count === 0) return NaN;
    if (this.exact) return this.exact.filter((v) => v <= x).length / this.count;
    let n = this.zeros;
    const kx = Math.ceil(Math.log(Math.max(x, 1e-12)) / this.logGamma);
    for (const [k, c] of this.buckets) if (k <= kx) n += c;
    return n / this.count;
  }

  /** Numbers held: buckets, plus the raw samples while in exact mode (memory bound check). */
  get size(): number {
    return this.buckets.size + (this.exact?.length ?? 0);
  }
}
