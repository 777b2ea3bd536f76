// The README's benchmark blocks (start-up, cost model, runtime) are rewritten by the benchmarks CI runs:
// the rewrite must touch only its own block, and the runtime table's figures and verdicts come from the
// measured values, not from typed text.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { replaceReadmeBlock } from '../bench/readme-block.mjs';
import { runtimeBlock, TARGETS, type RuntimeBenchmarks, type SweepJson } from '../bench/runtime-block.ts';

const doc = [
  'intro',
  '<!-- startup:begin -->',
  'old start-up table',
  '<!-- startup:end -->',
  'prose between',
  '<!-- bench-runtime:begin -->',
  'old runtime line 1',
  'old runtime line 2',
  '<!-- bench-runtime:end -->',
  'outro',
  '<!-- bench-estimate:begin -->',
  'old estimate',
  '<!-- bench-estimate:end -->',
  '',
].join('\n');

describe('replaceReadmeBlock', () => {
  it('replaces only the named block, markers kept', () => {
    const out = replaceReadmeBlock(doc, 'bench-runtime', 'new 1\nnew 2\nnew 3');
    expect(out).toBe(doc.replace('old runtime line 1\nold runtime line 2', 'new 1\nnew 2\nnew 3'));
    expect(replaceReadmeBlock(out, 'bench-runtime', 'new 1\nnew 2\nnew 3')).toBe(out); // idempotent
    const startup = replaceReadmeBlock(doc, 'startup', 'S');
    expect(startup).toBe(doc.replace('old start-up table', 'S'));
    expect(replaceReadmeBlock(doc, 'bench-estimate', 'E')).toBe(doc.replace('old estimate', 'E'));
  });

  it('takes replacement text literally ($ signs are not patterns)', () => {
    expect(replaceReadmeBlock(doc, 'startup', 'costs $1 and $&')).toContain('<!-- startup:begin -->\ncosts $1 and $&\n<!-- startup:end -->');
  });

  it('refuses a missing, unterminated or doubled block', () => {
    expect(() => replaceReadmeBlock(doc, 'nope', 'x')).toThrow(/no <!-- nope:begin -->/);
    expect(() => replaceReadmeBlock('<!-- a:begin -->\nx\n', 'a', 'y')).toThrow(/no <!-- a:begin -->/);
    expect(() => replaceReadmeBlock('<!-- a:begin -->\nx\n<!-- a:end -->\n<!-- a:begin -->\nz\n<!-- a:end -->', 'a', 'y')).toThrow(/more than one/);
  });

  it('the README has each benchmark block exactly once', () => {
    const readme = readFileSync('README.md', 'utf8');
    for (const name of ['startup', 'bench-estimate', 'bench-runtime']) expect(replaceReadmeBlock(readme, name, 'x')).toContain(`<!-- ${name}:begin -->\nx\n<!-- ${name}:end -->`);
  });
});

const sweep = (wall1: number, wall2: number, steady: number, cores = 1.5): SweepJson => ({
  runs: 1000,
  results: [
    { workers: 1, wall_s: wall1, first_result_s: 1, runs_per_s: 1000 / wall1, cpu_cores: cores },
    { workers: 2, wall_s: wall2, first_result_s: 1.5, runs_per_s: 1000 / wall2, cpu_cores: 1.9 },
  ],
  speedups: [{ workers: 1, speedup: 1, steady_speedup: 1 }, { workers: 2, speedup: wall1 / wall2, steady_speedup: steady }],
});

const bench = (over: Partial<RuntimeBenchmarks> = {}): RuntimeBenchmarks => ({
  date: '2026-12-08',
  machine: '2 CPUs, Test CPU, Node 20.0.0; CI reruns it and rewrites this table',
  loadAverage: 0.42,
  engine: { events_per_s: 10.2e6, events: 1e7, runs_events_per_s: [9.1e6, 10.2e6, 10.5e6, 10.3e6, 9.9e6], events_per_s_100k_pending: 3.2e6, mean_pending_events_large: 87376 },
  cluster: {
    day_1000_gpus: { scenario: { nodes: 125, gpus: 1000, models: 3, replicas: 475 }, events: 8.3e6, requests: 160966, runs: [1.7, 1.8, 1.9] },
    ten_million_requests: { days: 2, replicas: 1000, requests: 2.01e6, events: 9e6, wall: 6.1, heapBeforeMb: 16, heapPeakFirstDayMb: 40, heapPeakMb: 44, liveFirstDayMb: 30, liveMaxMb: 31, rssPeakMb: 170 },
  },
  sweeps: [sweep(3.7, 3.6, 1.1), sweep(3.9, 3.5, 1.2)],
  sweepsNoConcurrent: [sweep(4.4, 3.0, 1.6, 1.1)],
  ...over,
});

describe('runtimeBlock', () => {
  it('states the measured figures, their ranges and where they ran', () => {
    const md = runtimeBlock(bench());
    expect(md).toContain('on 2026-12-08 (2 CPUs, Test CPU, Node 20.0.0; CI reruns it and rewrites this table)');
    expect(md).toContain('load average 0.4 when this run started');
    expect(md).toContain('1.07× wall (range 1.03–1.11×), 1.15× after worker start-up (range 1.10–1.20×), medians of 2 rounds; first result after 1.50 s with 2 workers — **short of the 1.8× target**');
    expect(md).toContain('1.47× wall, 1.60× after worker start-up, one round; 1 worker');
    expect(md).toContain('over all 2 days;');
    expect(md).toContain('**10.2 M events/s (median of 5 runs; range 9.1–10.5 M events/s)**');
    expect(md).toContain('the 10 M events/s target is met at the median, not in every run');
    expect(md).toContain('~39× SimPy 4');
    expect(md).toContain('| engine: M/M/c, c = 100,000 (~87,376 pending events) | `npm run bench` | 3.2 M events/s (one run) |');
    expect(md).toContain('a day of traffic on 1,000 GPUs (`scenarios/bench/cluster-1000-gpus.yaml`: 125 nodes, 3 models, 475 replicas');
    expect(md).toContain('160,966 requests, 8.3 M events in **1.80 s (median of 3 runs; range 1.70–1.90 s)**');
    expect(md).toContain('**3.80 s (median of 2 rounds; range 3.70–3.90 s)** with 1 worker (263 runs/s, 1.5 cores busy; target < 60 s: met)');
    expect(md).toContain('**short of the 1.8× target**');
    expect(md).toContain('1 worker 4.40 s (+16% against the default), 1.1 cores busy; 2 workers 3.00 s vs 3.55 s by default');
  });

  it('says what the memory run measured: 2 days is ~2 M requests, not 10 M', () => {
    const md = runtimeBlock(bench());
    expect(md).toContain('| 2.0 M requests (1,000 replicas, 2 simulated days');
    expect(md).toContain('`npm run bench:cluster -- --days=2`');
    expect(md).not.toMatch(/10 million|10\.0 M requests/);
    expect(md).toContain('memory does not grow with requests');
  });

  it('verdicts follow the numbers', () => {
    const slow = runtimeBlock(bench({ engine: { ...bench().engine, events_per_s: 4.4e6, runs_events_per_s: [4e6, 4.4e6, 4.9e6] } }));
    expect(slow).toContain(`**short of the ${TARGETS.engineEventsPerS / 1e6} M events/s target**`);
    const c = bench().cluster;
    const leak = runtimeBlock(bench({ cluster: { ...c, ten_million_requests: { ...c.ten_million_requests!, liveMaxMb: 90 } } }));
    expect(leak).toContain('**the live heap grew from 30 MB over the first day to 90 MB**');
    // a heap peak with garbage in it is GC timing, not growth: only the live heap decides
    const garbage = runtimeBlock(bench({ cluster: { ...c, ten_million_requests: { ...c.ten_million_requests!, heapPeakMb: 130 } } }));
    expect(garbage).toContain('memory does not grow with requests');
    expect(leak).not.toContain('does not grow');
    const oneDay = runtimeBlock(bench({ cluster: { ...c, ten_million_requests: { ...c.ten_million_requests!, days: 1, heapPeakMb: 40 } } }));
    expect(oneDay).toContain('growth with requests is not measured');
    expect(oneDay).not.toContain('does not grow');
    const scales = runtimeBlock(bench({ sweeps: [sweep(4, 2, 1.95)] }));
    expect(scales).toContain('meets the 1.8× target');
    expect(scales).toContain('(one round)');
    expect(scales).toContain('2.00× wall, 1.95× after worker start-up, one round');
    const slowSweep = runtimeBlock(bench({ sweeps: [sweep(75, 70, 1.05)] }));
    expect(slowSweep).toContain('target < 60 s: **not met**');
    const quick = runtimeBlock(bench({ cluster: { ...c, ten_million_requests: null }, sweepsNoConcurrent: [] }));
    expect(quick).not.toContain('M requests (');
    expect(quick).not.toContain('background compiler off');
  });
});
