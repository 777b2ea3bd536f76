/**
 * A sweep's cost is worked out before its first run (sweep/cost.ts): announced on stderr, and refused past
 * sweep.max_events with the estimate and the --set that raises it (a 1,000-run grid of 30-day runs used to
 * start without a word, bounded only by max_points × limits.max_events ≈ 800 h of CPU).
 */
import { describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { loadScenario } from '../src/scenario/load.ts';
import { expandSweep } from '../src/sweep/spec.ts';
import { estimateSweepCost } from '../src/sweep/cost.ts';
import { vgsim } from './support/cli.ts';

const MD1 = resolve('test/fixtures/md1.yaml');
const tmp = mkdtempSync(join(tmpdir(), 'vgsim-sweep-cost-'));

function sweepFile(name: string, body: string): string {
  const file = join(tmp, name);
  writeFileSync(file, `extends: ${MD1}\n${body}`);
  return file;
}

describe('sweep cost, before the first run', () => {
  it('announces the events it will process, close to what the runs then process', () => {
    const file = sweepFile('small.yaml', 'duration: 6h\nsweep:\n  parameters:\n    workload.arrivals.rate_per_hour: [5, 20, 40]\n  replicate_seeds: 2\n');
    const r = vgsim(['sweep', file, '--workers', '0', '--json']);
    expect(r.code).toBe(0);
    const m = /sweep md1: 6 runs on this thread; about ([\d,.e]+) events \(~\d+ s of simulation on 1 thread\)/.exec(r.stderr);
    expect(m, r.stderr).not.toBeNull();
    const announced = Number(m![1]!.replace(/,/g, ''));
    const doc = JSON.parse(r.stdout) as { points: { events: number; runs: number }[] };
    // points[].events: the replicate mean of each point's runs
    const ran = doc.points.reduce((a, p) => a + p.events * p.runs, 0);
    expect(announced / ran).toBeGreaterThan(0.75);
    expect(announced / ran).toBeLessThan(1.5);
  }, 120_000);

  it('a sweep past sweep.max_events is refused before anything runs: exit 2, the estimate, the limit and the --set', () => {
    const file = sweepFile('big.yaml', 'duration: 30d\nsweep:\n  parameters:\n    workload.arrivals.rate_per_hour: [5, 20, 40]\n');
    const out = join(tmp, 'big-out');
    const r = vgsim(['sweep', file, '--workers', '0', '--out', out, '--set', 'sweep.max_events=1e5']);
    expect(r.code).toBe(2);
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
    expect(r.stderr).toMatch(/big\.yaml:\d+:\d+\s+sweep\.max_events: this sweep would process about [\d.]+e\d+ events: 3 runs × about [\d.e,]+ each \(~.* of simulation on 1 thread\); the limit is 1\.0e5 \(sweep\.max_events\)/);
    expect(r.stderr).toMatch(/raise the limit: --set sweep\.max_events=[\d.]+e\d+/);
    expect(existsSync(join(out, 'points.jsonl'))).toBe(false);
    // the suggested limit lets it start
    const raised = /--set (sweep\.max_events=[\d.e]+)/.exec(r.stderr)![1]!;
    expect(vgsim(['sweep', file, '--workers', '0', '--limit', '1', '--set', raised]).code).toBe(0);
  }, 120_000);

  it('a sweep of many points is estimated from an evenly spaced sample of them, replicates counted', () => {
    const file = sweepFile('many.yaml', 'duration: 2h\nsweep:\n  parameters:\n    workload.arrivals.rate_per_hour: {min: 1, max: 40, steps: 200}\n  replicate_seeds: 2\n');
    const loaded = loadScenario(file);
    const plan = expandSweep(loaded);
    const c = estimateSweepCost(plan.points, { file, threads: 1 });
    expect(c.runs).toBe(400);
    expect(c.points).toBe(200);
    expect(c.estimated).toBe(64);
    // arrivals grow linearly with the rate: the sample's mean stands for the whole evenly spaced grid
    const every = estimateSweepCost(plan.points.filter((p) => p.point % 2 === 0), { file, threads: 1 });
    expect(c.events / every.events).toBeGreaterThan(1.8);
    expect(c.events / every.events).toBeLessThan(2.2);
  }, 120_000);
});
