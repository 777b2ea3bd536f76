import { describe, it, expect } from 'vitest';
import { QuantileSketch } from '../src/metrics/quantile-sketch.ts';
import { RandomStreams } from '../src/engine/index.ts';

describe('QuantileSketch', () => {
  it('answers exactly below its exact limit: linear interpolation between order statistics (numpy default)', () => {
    const s = new QuantileSketch();
    for (let v = 100; v >= 1; v--) s.add(v); // 1..100, added in reverse
    expect(s.quantile(0.5)).toBeCloseTo(50.5, 12); // pos 49.5 between 50 and 51
    expect(s.quantile(0.95)).toBeCloseTo(95.05, 12); // pos 94.05
    expect(s.quantile(0)).toBe(1);
    expect(s.quantile(1)).toBe(100);
    expect(s.mean).toBe(50.5);
    s.add(1000); // a new sample is seen by the next quantile (nothing stale is kept)
    expect(s.quantile(1)).toBe(1000);
    expect(s.quantile(0.5)).toBe(51);
  });

  it('beyond its exact limit returns every quantile within relative accuracy α of the true sample at that rank', () => {
    const rng = new RandomStreams(3).stream('q');
    const xs = Array.from({ length: 20000 }, () => rng.exponential(1 / 300));
    const s = new QuantileSketch(0.005, 1000);
    for (const x of xs) s.add(x);
    const sorted = [...xs].sort((a, b) => a - b);
    for (const q of [0.1, 0.5, 0.9, 0.95, 0.99]) {
      const truth = sorted[Math.floor(q * (xs.length - 1))]!;
      expect(Math.abs(s.quantile(q) / truth - 1)).toBeLessThanOrEqual(0.005 + 1e-9);
    }
    expect(s.size).toBeLessThan(3000); // buckets, not samples
  });

  it('a sketch that outgrows exact mode holds the same buckets as one that never had it', () => {
    const rng = new RandomStreams(4).stream('q');
    const a = new QuantileSketch(0.01, 500);
    const b = new QuantileSketch(0.01, 0);
    for (let i = 0; i < 5000; i++) {
      const x = i % 97 === 0 ? 0 : rng.exponential(1 / 50);
      a.add(x);
      b.add(x);
    }
    for (const q of [0, 0.01, 0.25, 0.5, 0.75, 0.99, 1]) expect(a.quantile(q)).toBe(b.quantile(q));
    for (const x of [0, 1, 10, 100]) expect(a.fractionAtMost(x)).toBe(b.fractionAtMost(x));
  });
});
