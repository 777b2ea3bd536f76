/**
 * The README's "Validated against a real server" section is exactly what scripts/serving-validation.ts
 * computes from the committed observed traces (replays through vgsim, overheads and stage times fitted on a
 * different trace, fit.csv), and the statements written around it hold.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { RUNS, row, scoreRun, servingValidationSection } from '../scripts/serving-validation.ts';

describe('README: validated against a real server', () => {
  it('holds what `npm run serving:validation` prints (regenerate with -- --write)', () => {
    expect(readFileSync('README.md', 'utf8')).toContain(servingValidationSection());
  }, 120_000);

  it('the statements around the CPU table hold', () => {
    const by = Object.fromEntries(scoreRun(RUNS[0]!).map((s) => [s.name, s.after]));
    const err = (t: string, m: string) => Math.abs(row(by[t]!, m).error!);
    // at about half load the targets hold
    expect(err('load50', 'latency p50')).toBeLessThanOrEqual(0.1);
    expect(err('load50', 'latency p95')).toBeLessThanOrEqual(0.1);
    // throughput within 5% on every trace
    for (const t of ['load50', 'load85', 'bursty']) expect(err(t, 'throughput /h')).toBeLessThanOrEqual(0.05);
    // p95 misses at high load and under bursts
    expect(err('load85', 'latency p95')).toBeGreaterThan(0.1);
    expect(err('bursty', 'latency p95')).toBeGreaterThan(0.1);
    // load85's observed p95 inside the seeds' range, bursty's outside
    const inside = (t: string) => {
      const r = row(by[t]!, 'latency p95');
      return r.observed >= r.range![0] && r.observed <= r.range![1];
    };
    expect(inside('load85')).toBe(true);
    expect(inside('bursty')).toBe(false);
    // calibration lowers the p95 error at half load
    const before = Object.fromEntries(scoreRun(RUNS[0]!).map((s) => [s.name, s.before]));
    expect(Math.abs(row(before.load50!, 'latency p95').error!)).toBeGreaterThan(err('load50', 'latency p95'));
    expect(Math.abs(row(before.load85!, 'latency p95').error!)).toBeLessThan(err('load85', 'latency p95'));
  }, 120_000);
});
