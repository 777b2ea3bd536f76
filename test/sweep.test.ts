/**
 * Sweeps: expansion (grid, variants, random, Latin hypercube), invalid points, determinism across worker
 * counts, sharding and merging (byte for byte), the CLI's errors and exit codes.
 */
import { describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { loadScenario } from '../src/scenario/load.ts';
import { checkFieldPath, expandSweep } from '../src/sweep/spec.ts';
import { grid, gridValues, sample, valueAt } from '../src/sweep/sample.ts';
import { runSweep } from '../src/sweep/runner.ts';
import { parseShard, readShards, shardPoints } from '../src/sweep/output.ts';
import { resolveShard } from '../src/cli/commands/sweep.ts';

const MD1 = resolve('test/fixtures/md1.yaml');
const tmp = mkdtempSync(join(tmpdir(), 'vgsim-sweep-test-'));
let n = 0;
/** A scenario file extending the M/D/1 fixture with the given YAML appended. */
function scenario(yaml: string): string {
  const file = join(tmp, `s${n++}.yaml`);
  writeFileSync(file, `extends: ${MD1}\nduration: 1h\nscheduling: { granularity: stage }\n${yaml}`);
  return file;
}
const plan = (yaml: string, limit?: number) => expandSweep(loadScenario(scenario(yaml)), { limit });

/** The CLI in a child process, asynchronously (several at once on two cores). */
function vgsim(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) => {
    const p = spawn(process.execPath, ['bin/vgsim.js', ...args], { env: { ...process.env, VGSIM_DEBUG: '' } });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d) => (stdout += d));
    p.stderr.on('data', (d) => (stderr += d));
    p.on('close', (code) => done({ code: code ?? -1, stdout, stderr }));
  });
}

function filesUnder(dir: string, prefix = ''): string[] {
  return readdirSync(join(dir, prefix), { withFileTypes: true }).flatMap((e) => {
    const rel = prefix ? `${prefix}/${e.name}` : e.name;
    if (e.isDirectory()) return rel.startsWith('shard-') ? [] : filesUnder(dir, rel);
    return [rel];
  }).sort();
}

describe('grid', () => {
  it('expands lists and stepped ranges, last parameter fastest', () => {
    expect(gridValues({ min: 1, max: 4, steps: 4, integer: true, log: false })).toEqual([1, 2, 3, 4]);
    expect(gridValues({ min: 1, max: 100, steps: 3, integer: false, log: true })).toEqual([1, 10, 100].map((v, i) => (i === 1 ? expect.closeTo(v, 9) : v)));
    expect(gridValues({ min: 1, max: 3, steps: 5, integer: true, log: false })).toEqual([1, 2, 3]); // rounded, de-duplicated
    expect(grid([[10, 20], ['a', 'b', 'c']])).toEqual([[10, 'a'], [10, 'b'], [10, 'c'], [20, 'a'], [20, 'b'], [20, 'c']]);

    const p = plan(`sweep:
  parameters:
    workload.arrivals.rate_per_hour: [10, 20, 40]
    deployment.replicas: {min: 1, max: 4, steps: 4, integer: true}
  replicate_seeds: 2
`);
    expect(p.mode).toBe('grid');
    expect(p.points).toHaveLength(3 * 4 * 2);
    expect(p.points.map((x) => x.id)).toEqual([...Array(24).keys()]);
    expect(p.points[0]).toMatchObject({ point: 0, replicate: 0, seed: 7, values: { 'workload.arrivals.rate_per_hour': 10, 'deployment.replicas': 1 }, label: 'rate_per_hour=10 replicas=1' });
    expect(p.points[1]).toMatchObject({ point: 0, replicate: 1, seed: 8 });
    expect(p.points[2]!.values).toEqual({ 'workload.arrivals.rate_per_hour': 10, 'deployment.replicas': 2 });
    expect(p.points[23]).toMatchObject({ point: 11, values: { 'workload.arrivals.rate_per_hour': 40, 'deployment.replicas': 4 } });
    expect(p.points[2]!.set).toEqual(['workload.arrivals.rate_per_hour=10', 'deployment.replicas=2']);
    // --limit keeps the first ids; the hash changes with the point list
    const limited = plan(`sweep: {parameters: {workload.arrivals.rate_per_hour: [10, 20, 40]}}`, 2);
    expect(limited.points).toHaveLength(2);
    expect(limited.total).toBe(3);
  });

  it('shards partition the ids', () => {
    const p = plan(`sweep: {parameters: {workload.arrivals.rate_per_hour: {min: 1, max: 10, steps: 10}}}`);
    const shards = [0, 1, 2].map((i) => shardPoints(p.points, { index: i, count: 3 }).map((x) => x.id));
    expect(shards.flat().sort((a, b) => a - b)).toEqual(p.points.map((x) => x.id));
    expect(shards[1]).toEqual([1, 4, 7]);
    expect(parseShard('2/4')).toEqual({ index: 2, count: 4 });
    expect(() => parseShard('4/4')).toThrow(/0 <= i < N/);
    expect(() => parseShard('x')).toThrow(/i\/N/);
  });
});

describe('sampling', () => {
  it('Latin hypercube: every stratum of every parameter hit exactly once', () => {
    const n = 40;
    const ranges = [
      { min: 0, max: 10, integer: false, log: false },
      { min: 1, max: 1000, integer: false, log: true },
    ];
    const pts = sample('lhs', ['a', 'b'], ranges, n, 5);
    expect(pts).toHaveLength(n);
    const strataA = pts.map((p) => Math.floor(((p[0] as number) / 10) * n));
    const strataB = pts.map((p) => Math.floor((Math.log(p[1] as number) / Math.log(1000)) * n));
    expect([...strataA].sort((x, y) => x - y)).toEqual([...Array(n).keys()]);
    expect([...strataB].sort((x, y) => x - y)).toEqual([...Array(n).keys()]);
    // a list of k values is hit n/k times each
    const listed = sample('lhs', ['c'], [['x', 'y', 'z', 'w']], n, 5).map((p) => p[0]);
    for (const v of ['x', 'y', 'z', 'w']) expect(listed.filter((x) => x === v)).toHaveLength(n / 4);
    // strata are paired at random: not the identity pairing
    expect(strataA).not.toEqual(strataB);
  });

  it('random draws stay in range, follow the seed, and each parameter has its own stream', () => {
    const int = { min: 2, max: 8, integer: true, log: false };
    const real = { min: 0.5, max: 1.5, integer: false, log: false };
    const a = sample('random', ['r', 'i'], [real, int], 200, 1);
    for (const [r, i] of a) {
      expect(r as number).toBeGreaterThanOrEqual(0.5);
      expect(r as number).toBeLessThanOrEqual(1.5);
      expect(Number.isInteger(i)).toBe(true);
      expect(i as number).toBeGreaterThanOrEqual(2);
      expect(i as number).toBeLessThanOrEqual(8);
    }
    expect(new Set(a.map((p) => p[1])).size).toBe(7); // every whole number 2..8 drawn
    expect(sample('random', ['r', 'i'], [real, int], 200, 1)).toEqual(a);
    expect(sample('random', ['r', 'i'], [real, int], 200, 2)).not.toEqual(a);
    // adding a parameter leaves the others' draws alone
    const more = sample('random', ['r', 'extra', 'i'], [real, ['p', 'q'], int], 200, 1);
    expect(more.map((p) => [p[0], p[2]])).toEqual(a);
    expect(valueAt({ min: 1, max: 3, integer: true, log: false }, 0.999999)).toBe(3);
  });

  it('random and lhs sweeps from a scenario are reproducible', () => {
    const yaml = `sweep:
  mode: lhs
  samples: 8
  seed: 11
  parameters:
    workload.arrivals.rate_per_hour: {min: 1, max: 20}
    deployment.replicas: {min: 1, max: 4, integer: true}
`;
    const p1 = plan(yaml);
    const p2 = plan(yaml);
    expect(p1.points).toHaveLength(8);
    expect(p1.points).toEqual(p2.points);
    expect(p1.hash).toBe(p2.hash);
    expect(plan(yaml.replace('seed: 11', 'seed: 12')).hash).not.toBe(p1.hash);
  });
});

describe('variants', () => {
  it('mode variants: one point per variant; with parameters, crossed with the grid', () => {
    const v = plan(`sweep:
  variants:
    - {name: small, set: {deployment.replicas: 1}}
    - {name: big, set: {deployment.replicas: 4, workload.arrivals.rate_per_hour: 8}}
`);
    expect(v.mode).toBe('variants');
    expect(v.points.map((p) => p.label)).toEqual(['small', 'big']);
    expect(v.points[1]!.set).toEqual(['deployment.replicas=4', 'workload.arrivals.rate_per_hour=8']);
    const x = plan(`sweep:
  parameters: {workload.arrivals.rate_per_hour: [1, 2, 3]}
  variants: [{name: a, set: {deployment.replicas: 1}}, {name: b, set: {deployment.replicas: 2}}]
`);
    expect(x.points.map((p) => p.label)).toEqual(['a · rate_per_hour=1', 'a · rate_per_hour=2', 'a · rate_per_hour=3', 'b · rate_per_hour=1', 'b · rate_per_hour=2', 'b · rate_per_hour=3']);
    expect(x.variants).toEqual(['a', 'b']);
  });
});

describe('field paths', () => {
  it('accepts scenario fields, list items and free-form maps; suggests fixes', () => {
    expect(checkFieldPath(['workload', 'arrivals', 'rate_per_hour'])).toBeNull();
    expect(checkFieldPath(['cluster', 'nodes', 0, 'type'])).toBeNull();
    expect(checkFieldPath(['deployment', 0, 'replicas'])).toBeNull();
    expect(checkFieldPath(['cost', 'server_price_usd', 'hgx-h100-sxm-8'])).toBeNull();
    expect(checkFieldPath(['workload', 'arrivals', 'rate_per_hr'])?.hint).toMatch(/did you mean "rate_per_hour"/);
    expect(checkFieldPath(['duration', 'x'])?.message).toMatch(/has no field "x"/);
  });
});

describe('running', () => {
  it('an invalid point is an error row with the reason, not a crash; a value the field can never take is refused at the spec', async () => {
    const file = scenario(`sweep:\n  parameters:\n    deployment.replicas: [1, 9]\n`);
    const p = expandSweep(loadScenario(file));
    const out = await runSweep(p.points, { file, workers: 0 });
    expect(out.map((o) => o.ok)).toEqual([true, false]);
    expect(out[1]).toMatchObject({ ok: false, error: expect.stringMatching(/need 9 GPUs/) });
    // 0 replicas failed its run in the middle of the sweep; an lhs range over a whole-number field failed every run
    expect(() => expandSweep(loadScenario(scenario(`sweep:\n  parameters:\n    deployment.replicas: [1, 0, 9]\n`)))).toThrow(/sweep\.parameters\.deployment\.replicas: the value 0 is not a whole number > 0/);
    expect(() => expandSweep(loadScenario(scenario(`sweep:\n  mode: lhs\n  samples: 3\n  parameters:\n    deployment.replicas: {min: 1, max: 3}\n`)))).toThrow(/a range samples fractions; add integer: true/);
    expect(expandSweep(loadScenario(scenario(`sweep:\n  mode: lhs\n  samples: 3\n  parameters:\n    deployment.replicas: {min: 1, max: 3, integer: true}\n`))).points).toHaveLength(3);
  });

  it('resolves the shard from flags and array-job variables', () => {
    expect(resolveShard({ shard: '1/4' }, {})).toMatchObject({ shard: { index: 1, count: 4 } });
    expect(resolveShard({}, { SLURM_ARRAY_TASK_ID: '3', VGSIM_SHARDS: '4' })).toMatchObject({ shard: { index: 3, count: 4 } });
    expect(resolveShard({}, { SLURM_ARRAY_TASK_ID: '4', SLURM_ARRAY_TASK_MIN: '1', VGSIM_SHARDS: '4' })).toMatchObject({ shard: { index: 3, count: 4 } });
    expect(resolveShard({ shards: '8' }, { JOB_COMPLETION_INDEX: '5' })).toMatchObject({ shard: { index: 5, count: 8 } });
    expect(resolveShard({}, { JOB_COMPLETION_INDEX: '5' })).toBeNull(); // no count: run everything
    expect(() => resolveShard({ shards: '4' }, {})).toThrow(/needs the shard index/);
    expect(() => resolveShard({}, { JOB_COMPLETION_INDEX: '4', VGSIM_SHARDS: '4' })).toThrow(/outside 0\.\.3/);
  });
});

describe('vgsim sweep and merge (CLI)', () => {
  it('2 workers, 1 worker, in-process and sharded runs all write the same bytes; bad input exits 2', async () => {
    const full = join(tmp, 'full');
    const sharded = join(tmp, 'sharded');
    const fixture = 'test/fixtures/sweep-small.yaml';
    const bad = scenario(`sweep:\n  mode: lhs\n  parameters:\n    deployment.replicas: {min: 4, max: 1}\n`);
    const unknown = scenario(`sweep:\n  parameters:\n    workload.arrivals.rate_per_hr: [1, 2]\n`);
    // one batch of processes at a time: the two cores stay busy, the test stays short
    const [f, s0, s1, a, b] = await Promise.all([
      // --openmetrics: each run's series go to metrics/, which merge must bring together as well
      vgsim(['sweep', fixture, '--workers', '2', '--out', full, '--openmetrics']),
      vgsim(['sweep', fixture, '--workers', '0', '--out', sharded, '--shard', '0/2', '--openmetrics']),
      vgsim(['sweep', fixture, '--workers', '1', '--out', sharded, '--shard', '1/2', '--openmetrics']),
      vgsim(['sweep', bad]),
      vgsim(['sweep', unknown]),
    ]);
    for (const r of [f, s0, s1]) expect(r.code, r.stderr).toBe(0);
    expect(f.stdout).toMatch(/4 points, 4 runs ok, 0 failed/);
    expect(f.stdout).toMatch(/best p95 latency: point \d/);
    expect(readdirSync(sharded).sort()).toEqual(['shard-0-of-2', 'shard-1-of-2']);

    // bad sweep spec: exit 2, every problem with file:line:col
    expect(a.code).toBe(2);
    expect(a.stderr).toMatch(new RegExp(`${bad.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:\\d+:\\d+  sweep\\.samples: mode lhs needs \`samples:\``));
    expect(a.stderr).toMatch(/:7:\d+  sweep\.parameters\.deployment\.replicas\.max: max \(1\) is below min \(4\)/);
    // unknown field path: where, what, and the closest field
    expect(b.code).toBe(2);
    expect(b.stderr).toMatch(/:6:\d+  sweep\.parameters\.workload\.arrivals\.rate_per_hr: unknown field "rate_per_hr" in workload\.arrivals \(did you mean "rate_per_hour"/);

    const merged = await vgsim(['merge', sharded, '--out', sharded]);
    expect(merged.code, merged.stderr).toBe(0);
    expect(merged.stdout).toBe(f.stdout);
    const files = filesUnder(full);
    expect(files).toEqual(expect.arrayContaining(['points.jsonl', 'points.csv', 'sweep.json', 'sweep.html', 'compare.html', 'charts/sweep-rate-per-hour.svg', 'charts/sweep-replicas.png', 'metrics/point-0.openmetrics.txt', 'metrics/point-3.openmetrics.txt']));
    // sweep.json (= sweep --json) carries the evidence lines the text prints under the table
    const evidence = JSON.parse(readFileSync(join(full, 'sweep.json'), 'utf8')).evidence_lines as string[];
    expect(evidence.length).toBeGreaterThan(0);
    expect(f.stdout).toContain(`what the numbers rest on, per GPU, engine and model family (vgsim list evidence):\n${evidence.map((l) => `  ${l}`).join('\n')}`);
    expect(filesUnder(sharded)).toEqual(files);
    for (const name of files) expect(readFileSync(join(sharded, name)).equals(readFileSync(join(full, name))), name).toBe(true);
    // a missing or repeated shard is refused with the reason (the CLI turns MergeError into exit 2)
    expect(() => readShards([join(sharded, 'shard-0-of-2')])).toThrow(/missing shard 1 of 2/);
    expect(() => readShards([join(sharded, 'shard-1-of-2'), join(sharded, 'shard-1-of-2')])).toThrow(/shard 1 of 2 given twice/);
    // a record edited by hand (an ok run without its summary) is named by file and line, not a TypeError later
    const edited = `${sharded}-edited`;
    cpSync(sharded, edited, { recursive: true });
    const pts = join(edited, 'shard-1-of-2', 'points.jsonl');
    const rows = readFileSync(pts, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    writeFileSync(pts, [JSON.stringify({ ...rows[0], summary: {} }), ...rows.slice(1).map((r) => JSON.stringify(r))].join('\n') + '\n');
    expect(() => readShards([join(edited, 'shard-0-of-2'), join(edited, 'shard-1-of-2')])).toThrow(/shard-1-of-2\/points\.jsonl:1: not a sweep run record/);
    // counts that do not add up, or parameters other than the plan's, were edited after the run
    const ok0 = rows[0]! as { summary: { requests: Record<string, number> }; parameters: Record<string, unknown> };
    writeFileSync(pts, [JSON.stringify({ ...ok0, summary: { ...ok0.summary, requests: { ...ok0.summary.requests, completed: 999 } } }), ...rows.slice(1).map((r) => JSON.stringify(r))].join('\n') + '\n');
    expect(() => readShards([join(edited, 'shard-0-of-2'), join(edited, 'shard-1-of-2')])).toThrow(/request counts do not add up \(999 completed/);
    writeFileSync(pts, [JSON.stringify({ ...ok0, parameters: { ...ok0.parameters, 'workload.arrivals.rate_per_hour': 7 } }), ...rows.slice(1).map((r) => JSON.stringify(r))].join('\n') + '\n');
    expect(() => readShards([join(edited, 'shard-0-of-2'), join(edited, 'shard-1-of-2')])).toThrow(/its parameters or seed differ from the sweep's plan/);

    const lines = readFileSync(join(full, 'points.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.map((l) => l.id)).toEqual([0, 1, 2, 3]);
    expect(lines[3]).toMatchObject({ label: 'rate_per_hour=6 replicas=2', parameters: { 'workload.arrivals.rate_per_hour': 6, 'deployment.replicas': 2 }, status: 'ok' });
    expect(lines[3].summary.wall_time_s).toBeUndefined();
    const csv = readFileSync(join(full, 'points.csv'), 'utf8').split('\n');
    expect(csv[0]).toMatch(/^id,point,replicate,seed,label,workload\.arrivals\.rate_per_hour,deployment\.replicas,status,error,arrived,completed,.*throughput_per_h.*latency_p95_s.*usd_per_video/);
    expect(csv).toHaveLength(6); // header, 4 runs, final newline
  });
});
