/**
 * `vgsim size` prices every option on the same traffic, so its $/video is its $/month over the videos that traffic
 * brings in a month (finding: options sized from trials of different lengths — 4 h, 8 h, 36 h where a queue needed
 * longer to settle — divided by the videos each trial happened to draw, 196.8 to 200.3 an hour against 200 offered;
 * #1 mi300x-8 · ulysses=4 read $0.749/video at $109,053/month and #2 mi300x-8 · ulysses=8 $0.747 at $109,212).
 */
import { describe, it, expect } from 'vitest';
import { loadScenario } from '../src/scenario/load.ts';
import { parseSlo } from '../src/studies/capacity.ts';
import { sizeCluster } from '../src/studies/size.ts';
import { HOURS_PER_MONTH } from '../src/economics/defaults.ts';

describe('vgsim size: $/video = $/month / (offered videos/h x 730 h)', () => {
  it('holds for every ranked option, so $/video orders the options as $/month does', () => {
    const { scenario } = loadScenario('test/fixtures/md1.yaml', { set: ['duration=3600', 'seed=5', 'workload.arrivals.rate_per_hour=90'] });
    const res = sizeCluster(scenario, { terms: parseSlo('p95<=10m'), nodes: ['hgx-h100-sxm-8', 'hgx-h200-8'], layouts: 2, maxNodes: 4, maxSims: 24 });
    const ranked = res.rows.filter((r) => r.rank !== null);
    expect(ranked.length).toBeGreaterThan(1);
    for (const r of ranked) expect(r.usd_per_video! * res.rate_per_h * HOURS_PER_MONTH).toBeCloseTo(r.usd_per_month!, 6);
    const perVideo = ranked.map((r) => r.usd_per_video!);
    expect([...perVideo].sort((a, b) => a - b)).toEqual(perVideo);
  }, 120_000);
});

describe('vgsim size: the pick line in words', () => {
  it('a single-GPU layout reads "1 GPU each", not "replicas of none"', async () => {
    const { sizePick } = await import('../src/report/size.ts');
    const { scenario } = loadScenario('test/fixtures/md1.yaml', { set: ['duration=3600', 'workload.arrivals.rate_per_hour=20'] });
    const res = sizeCluster(scenario, { terms: parseSlo('p95<=20m'), nodes: ['hgx-h100-sxm-8'], layouts: 1, maxNodes: 2, maxSims: 4 });
    expect(res.rows.find((r) => r.rank === 1)!.parallel).toBe('none');
    expect(sizePick(res)).toMatch(/\(\d+ replicas of 1 GPU each, \d+ GPUs\)/);
    expect(sizePick(res)).not.toMatch(/replicas of none/);
  }, 60_000);
});
