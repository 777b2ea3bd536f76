/**
 * 95% intervals (src/metrics/confidence.ts) against published tables, and sketch merging (replicate pooling)
 * against the quantiles of the pooled samples themselves.
 */
import { describe, expect, it } from 'vitest';
import { minSamplesForQuantile, proportionInterval, quantileRankInterval, tCritical, tInterval } from '../src/metrics/confidence.ts';
import { QuantileSketch } from '../src/metrics/quantile-sketch.ts';
import { RandomStreams } from '../src/engine/index.ts';

describe("Student's t", () => {
  it('reproduces the NIST/SEMATECH table of two-sided 95% critical values (e-Handbook 1.3.6.7.2)', () => {
    const table: [number, number][] = [[1, 12.706], [2, 4.303], [3, 3.182], [4, 2.776], [5, 2.571], [9, 2.262], [10, 2.228], [20, 2.086], [30, 2.042]];
    for (const [nu, t] of table) expect(tCritical(nu)).toBeCloseTo(t, 3);
  });

  it('mean ± t·s/√n, hand-computed: 1..5 gives 3 ± 2.776 · 1.5811 / √5 = 3 ± 1.963', () => {
    const ci = tInterval([1, 2, 3, 4, 5]);
    expect(ci.mean).toBe(3);
    expect(ci.lo).toBeCloseTo(3 - (2.7764 * Math.sqrt(2.5)) / Math.sqrt(5), 3);
    expect(ci.hi).toBeCloseTo(3 + (2.7764 * Math.sqrt(2.5)) / Math.sqrt(5), 3);
    expect(tInterval([4])).toEqual({ mean: 4, lo: null, hi: null, n: 1 }); // one replicate bounds nothing
  });
});

describe('order-statistic interval of a quantile', () => {
  it('the median of 20 samples lies between the 6th and 15th smallest with 95.86% (binomial tables)', () => {
    expect(quantileRankInterval(20, 0.5)).toMatchObject({ lo: 6, hi: 15 });
    expect(quantileRankInterval(20, 0.5).coverage).toBeCloseTo(1 - 2 * 0.0207, 3); // P(Bin(20, ½) <= 5) = 0.0207
    expect(quantileRankInterval(10, 0.5)).toMatchObject({ lo: 2, hi: 9 });
    expect(quantileRankInterval(10, 0.5).coverage).toBeCloseTo(1 - 2 * 11 / 1024, 6); // P(Bin(10, ½) <= 1) = 11/1024
  });

  it('a p95 has no upper bound below 72 samples (0.95^n must fall under 2.5%: 0.95^71 = 2.6%, 0.95^72 = 2.5%)', () => {
    expect(quantileRankInterval(71, 0.95).hi).toBeNull();
    expect(quantileRankInterval(72, 0.95).hi).toBe(72);
  });

  it('the sample-size rule asks 20 samples beyond the quantile: p95 400, p99 2,000, p50 40', () => {
    expect(minSamplesForQuantile(0.95)).toBe(400);
    expect(minSamplesForQuantile(0.99)).toBe(2000);
    expect(minSamplesForQuantile(0.5)).toBe(40);
  });
});

describe('Wilson score interval', () => {
  it('matches Newcombe (Stat. Med. 1998, Table I, method 3) to 3 decimals', () => {
    const cases: [number, number, number, number][] = [[81, 263, 0.2553, 0.3662], [15, 148, 0.0624, 0.1605], [0, 20, 0, 0.1611], [1, 29, 0.0061, 0.1718]];
    for (const [k, n, lo, hi] of cases) {
      const ci = proportionInterval(k, n);
      expect(ci.lo).toBeCloseTo(lo, 3);
      expect(ci.hi).toBeCloseTo(hi, 3);
    }
    expect(proportionInterval(0, 0)).toEqual({ share: null, lo: null, hi: null });
  });
});

describe('merged sketches (replicate pooling)', () => {
  it('a merge of exact snapshots answers exactly what one sketch of every sample answers', () => {
    const a = new QuantileSketch();
    const b = new QuantileSketch();
    const all = new QuantileSketch();
    for (let i = 1; i <= 300; i++) {
      (i % 3 === 0 ? b : a).add(i * 1.5);
      all.add(i * 1.5);
    }
    const m = QuantileSketch.merge([a.snapshot(), b.snapshot()]);
    for (const q of [0.05, 0.5, 0.95, 0.99]) expect(m.quantile(q)).toBe(all.quantile(q));
    expect(m.count).toBe(300);
  });

  it('a merge of bucketed snapshots stays within the relative accuracy of the pooled samples, and is not the mean of the runs\' p95', () => {
    const rng = new RandomStreams(11).stream('merge');
    const runs = [60, 600].map((mean) => Array.from({ length: 5000 }, () => rng.exponential(1 / mean)));
    const snaps = runs.map((xs) => {
      const s = new QuantileSketch(0.005, 1000);
      for (const x of xs) s.add(x);
      return s.snapshot();
    });
    const m = QuantileSketch.merge(snaps, 0.005, 1000);
    const pooled = runs.flat().sort((x, y) => x - y);
    const truth = pooled[Math.floor(0.95 * (pooled.length - 1))]!;
    expect(Math.abs(m.quantile(0.95) / truth - 1)).toBeLessThanOrEqual(0.006);
    const p95 = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(0.95 * (xs.length - 1))]!;
    const meanOfP95 = (p95(runs[0]!) + p95(runs[1]!)) / 2;
    expect(Math.abs(meanOfP95 / truth - 1)).toBeGreaterThan(0.1); // averaging percentiles is a different number
  });
});
