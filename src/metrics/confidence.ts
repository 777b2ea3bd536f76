/**
 * 95% confidence intervals, each a documented textbook method (tests check them against hand-computed
 * values and published tables):
 *
 *  - tInterval(xs): the mean of independent replicates ± t(0.975, n−1) · s / √n (Student's t; s the sample
 *    standard deviation). Used for quantities measured once per run (throughput, utilization, SLO attainment,
 *    energy and cost per video): replicate runs with different seeds are independent. The t quantile comes
 *    from the exact t distribution function for integer degrees of freedom (Abramowitz & Stegun 26.7.3–26.7.4),
 *    inverted by bisection; it reproduces the NIST/SEMATECH table of critical values (e-Handbook 1.3.6.7.2).
 *  - quantileRankInterval(n, q): the distribution-free order-statistic interval for the q-quantile of n
 *    samples (Conover, Practical Nonparametric Statistics, 3rd ed., §3.2; Hahn & Meeker, Statistical
 *    Intervals, §5.2): the number of samples below the true quantile is Binomial(n, q), so the l-th and u-th
 *    smallest samples bracket it with probability F(u−1) − F(l−1) ≥ 95% when l is the largest rank with
 *    F(l−1) ≤ 2.5% and u the smallest with F(u−1) ≥ 97.5% (F: the binomial distribution function, computed
 *    exactly in log space). It assumes independent samples; latencies of one run are correlated through the
 *    queue, so for a single run it is a lower bound on the uncertainty — pooling replicate runs (independent
 *    seeds) is what makes it meaningful. With too few samples one side cannot be bounded (null): the upper
 *    bound of a p95 needs at least 72 samples (0.95^n < 2.5%).
 *  - proportionInterval(k, n): the Wilson score interval for a share k/n (Wilson 1927; Agresti & Coull,
 *    "Approximate is better than exact", Am. Stat. 1998): (p̂ + z²/2n ± z·√(p̂(1−p̂)/n + z²/4n²)) / (1 + z²/n),
 *    z = 1.96. Used for SLO attainment, with the same independence caveat as the percentiles.
 *  - minSamplesForQuantile(q): the sample-size rule of the studies: at least 20/(1−q) samples, i.e. 20
 *    expected beyond the quantile; then the interval above spans about the (q ± 0.44(1−q)) quantiles
 *    (1.96·√(q(1−q)/n) ≈ 0.44(1−q) at n = 20/(1−q)): p95 from ≥ 400 requests lies between the 92.8th and
 *    97.2nd percentile, p99 from ≥ 2,000 between the 98.6th and 99.4th.
 */
import { gammaln, mean, probit, sampleStandardDeviation } from 'simple-statistics';

export interface Interval {
  /** Lower bound, or null where the data cannot bound it. */
  lo: number | null;
  hi: number | null;
}

const LEVEL = 0.95;

/** P(|T| ≤ t) for Student's t with ν (integer ≥ 1) degrees of freedom: Abramowitz & Stegun 26.7.3 (odd ν) and 26.7.4 (even ν). */
export function tCentralProbability(t: number, nu: number): number {
  if (!(nu >= 1) || !Number.isInteger(nu)) throw new RangeError(`degrees of freedom must be a whole number >= 1, got ${nu}`);
  const theta = Math.atan(Math.abs(t) / Math.sqrt(nu));
  const c2 = Math.cos(theta) ** 2;
  const s = Math.sin(theta);
  if (nu % 2 === 1) {
    if (nu === 1) return (2 / Math.PI) * theta;
    // 1 + (2/3)c² + (2·4)/(3·5)c⁴ + … up to the c^(ν−3) term
    let term = 1;
    let sum = 1;
    for (let k = 2; k <= nu - 3; k += 2) {
      term *= (k / (k + 1)) * c2;
      sum += term;
    }
    return (2 / Math.PI) * (theta + s * Math.cos(theta) * sum);
  }
  // 1 + (1/2)c² + (1·3)/(2·4)c⁴ + … up to the c^(ν−2) term
  let term = 1;
  let sum = 1;
  for (let k = 1; k <= nu - 3; k += 2) {
    term *= (k / (k + 1)) * c2;
    sum += term;
  }
  return s * sum;
}

/** The two-sided critical value t(1 − α/2, ν): P(|T| ≤ t) = level (default 95%). */
export function tCritical(nu: number, level = LEVEL): number {
  let lo = 0;
  let hi = 1e6;
  for (let i = 0; i < 200; i++) {
    const mid = (lo + hi) / 2;
    if (tCentralProbability(mid, nu) < level) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

/** Mean ± t·s/√n over independent replicates; null bounds with fewer than two values. */
export function tInterval(xs: readonly number[], level = LEVEL): Interval & { mean: number | null; n: number } {
  const v = xs.filter((x) => Number.isFinite(x));
  if (v.length === 0) return { mean: null, lo: null, hi: null, n: 0 };
  const m = mean(v);
  if (v.length < 2) return { mean: m, lo: null, hi: null, n: v.length };
  const half = (tCritical(v.length - 1, level) * sampleStandardDeviation(v)) / Math.sqrt(v.length);
  return { mean: m, lo: m - half, hi: m + half, n: v.length };
}

/** ln P(X = k) for X ~ Binomial(n, p), 0 < p < 1. */
function logBinomialPmf(k: number, n: number, p: number): number {
  return gammaln(n + 1) - gammaln(k + 1) - gammaln(n - k + 1) + k * Math.log(p) + (n - k) * Math.log1p(-p);
}

/**
 * 1-based ranks (l, u) of the order statistics that bracket the q-quantile of n independent samples with at
 * least `level` probability; null where no rank does (too few samples on that side).
 */
export function quantileRankInterval(n: number, q: number, level = LEVEL): { lo: number | null; hi: number | null; coverage: number } {
  if (!(n >= 1) || !(q > 0 && q < 1)) return { lo: null, hi: null, coverage: 0 };
  const tail = (1 - level) / 2;
  // F(k) = P(X <= k), X ~ Bin(n, q): the number of samples below the true quantile
  const cdf: number[] = new Array(n + 1);
  let acc = 0;
  for (let k = 0; k <= n; k++) {
    acc += Math.exp(logBinomialPmf(k, n, q));
    cdf[k] = Math.min(1, acc);
  }
  let lo: number | null = null;
  for (let l = n; l >= 1; l--) {
    if (cdf[l - 1]! <= tail) {
      lo = l;
      break;
    }
  }
  let hi: number | null = null;
  for (let u = 1; u <= n; u++) {
    if (cdf[u - 1]! >= 1 - tail) {
      hi = u;
      break;
    }
  }
  const coverage = (hi !== null ? cdf[hi - 1]! : 1) - (lo !== null ? cdf[lo - 1]! : 0);
  return { lo, hi, coverage };
}

/** The Wilson score interval of a share k/n (null bounds when n = 0). */
export function proportionInterval(k: number, n: number, level = LEVEL): Interval & { share: number | null } {
  if (!(n > 0)) return { share: null, lo: null, hi: null };
  const z = probit(1 - (1 - level) / 2);
  const p = k / n;
  const center = p + (z * z) / (2 * n);
  const half = z * Math.sqrt((p * (1 - p)) / n + (z * z) / (4 * n * n));
  const denom = 1 + (z * z) / n;
  return { share: p, lo: Math.max(0, (center - half) / denom), hi: Math.min(1, (center + half) / denom) };
}

/** The sample-size rule: enough samples that 20 are expected beyond the q-quantile (see the header). */
export function minSamplesForQuantile(q: number): number {
  return Math.ceil(20 / (1 - q) - 1e-9);
}
