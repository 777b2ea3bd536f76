import { describe, it, expect, beforeAll } from 'vitest';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { loadScenario } from '../src/scenario/load.ts';
import { simulate, type SimulationResult } from '../src/serving/simulate.ts';
import { renderSvg } from '../src/report/charts.ts';
import { bestOf, compareJson, compareRuns, costBasis, formatMetric, runLabels, type CompareRun } from '../src/report/compare.ts';

const costBasisOf = (x: CompareRun) => costBasis(x.result);
import { compareText } from '../src/report/compare-text.ts';
import { compareCharts } from '../src/report/compare-charts.ts';
import { renderCompareHtml } from '../src/report/compare-html.ts';
import { progress, progressLine, type ProgressStream } from '../src/report/progress.ts';
import { vgsim } from './support/cli.ts';
import { main } from '../src/cli/main.ts';

/** Runs the CLI in this process (no tsx start-up), capturing what it writes. */
async function inProcess(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const write = { out: process.stdout.write, err: process.stderr.write, tty: process.stderr.isTTY };
  process.stdout.write = ((chunk: string | Uint8Array) => out.push(String(chunk)) > 0) as typeof process.stdout.write;
  process.stderr.write = ((chunk: string | Uint8Array) => err.push(String(chunk)) > 0) as typeof process.stderr.write;
  process.stderr.isTTY = false as true; // as in CI: no progress bar
  try {
    const code = await main(['node', 'vgsim', ...args]);
    return { code, stdout: out.join(''), stderr: err.join('') };
  } finally {
    process.stdout.write = write.out;
    process.stderr.write = write.err;
    process.stderr.isTTY = write.tty;
    process.exitCode = undefined;
  }
}

const A = 'scenarios/default.yaml';
const B = 'test/fixtures/compare-b.yaml';

function run(file: string, set: string[] = ['duration=2h']): CompareRun {
  const l = loadScenario(file, { set });
  return { label: l.scenario.name, file, result: simulate(l.scenario, { records: true }), scenario: l.scenario };
}

describe('compare: ranking and labels', () => {
  it('bestOf marks the lowest / highest, all ties, and nothing when unranked, all equal or alone', () => {
    expect(bestOf([3, 1, 2], 'lower')).toEqual([1]);
    expect(bestOf([3, 1, 3], 'higher')).toEqual([0, 2]);
    expect(bestOf([1, null, 0.5], 'lower')).toEqual([2]);
    expect(bestOf([2, 2, 2], 'lower')).toEqual([]);
    expect(bestOf([5, null], 'higher')).toEqual([]);
    expect(bestOf([1, 2], null)).toEqual([]);
  });

  it('runLabels keeps scenario names and disambiguates duplicates by file, then by number', () => {
    expect(runLabels([{ name: 'a', file: 'x/a.yaml' }, { name: 'b', file: 'b.yaml' }])).toEqual(['a', 'b']);
    expect(runLabels([{ name: 's', file: 'one.yaml' }, { name: 's', file: 'dir/two.yml' }])).toEqual(['s (one)', 's (two)']);
    expect(runLabels([{ name: 's', file: 'a/s.yaml' }, { name: 's', file: 'b/s.yaml' }])).toEqual(['s', 's #2']);
  });

  it('formats metric values by unit', () => {
    expect(formatMetric(null, 's')).toBe('–');
    expect(formatMetric(90, 's')).toBe('90.00 s');
    expect(formatMetric(0.982, 'ratio')).toBe('98.2%');
    expect(formatMetric(19.94, 'videos/h')).toBe('19.9');
    expect(formatMetric(8, 'GPUs')).toBe('8');
  });
});

describe('compare: two deployments of one node', () => {
  let runs: CompareRun[];
  beforeAll(() => {
    runs = [run(A), run(B)];
  });

  it('has one row per metric with a value per scenario, and marks the best consistently', () => {
    const cmp = compareRuns(runs);
    expect(cmp.scenarios.map((s) => s.label)).toEqual(['wan22-a14b-1x8h100', 'wan22-a14b-ulysses8']);
    expect(cmp.scenarios.map((s) => s.gpus)).toEqual([8, 8]);
    expect(cmp.scenarios[0]!.deployment[0]).toBe('a14b: wan2.2-t2v-a14b, 8 × 1 h100-sxm, offload');
    expect(cmp.scenarios[1]!.deployment[0]).toBe('a14b-u8: wan2.2-t2v-a14b, 1 × 8 h100-sxm, ulysses=8,fsdp');
    const keys = cmp.rows.map((r) => r.key);
    for (const k of ['requests.arrived', 'throughput_per_h', 'latency.mean', 'latency.p50', 'latency.p95', 'latency.p99', 'queue_wait.p95', 'slo_attainment', 'gpu_utilization', 'gpus', 'class.720p-5s.p95', 'class.480p-5s.p95']) expect(keys).toContain(k);
    for (const r of cmp.rows) {
      expect(r.values).toHaveLength(2);
      if (r.best.length === 1) {
        const [b] = r.best;
        const other = r.values[1 - b!]!;
        if (r.better === 'lower') expect(r.values[b!]!).toBeLessThan(other);
        if (r.better === 'higher') expect(r.values[b!]!).toBeGreaterThan(other);
      }
    }
    const byKey = Object.fromEntries(cmp.rows.map((r) => [r.key, r]));
    expect(byKey['latency.p95']!.values[0]).toBe(runs[0]!.result.latency_s.p95);
    expect(byKey['gpus']!.best).toEqual([]); // 8 vs 8
    expect(byKey['gpu_utilization']!.best).toEqual([]); // not ranked
    // the 8-GPU replica serves one 720P video far faster than a single offloading GPU
    expect(runs[1]!.result.service_times[0]!.total_s).toBeLessThan(runs[0]!.result.service_times[0]!.total_s / 3);
  });

  it('has energy and cost rows, each the run\'s own figure; money is not ranked across cost bases', () => {
    const cmp = compareRuns(runs);
    const byKey = Object.fromEntries(cmp.rows.map((r) => [r.key, r]));
    runs.forEach((x, i) => {
      expect(byKey['energy.per_video_wh']!.values[i]).toBe(x.result.energy.per_video_wh);
      expect(byKey['energy.total_kwh']!.values[i]).toBe(x.result.energy.total_kwh);
      expect(byKey['cost.usd_per_video']!.values[i]).toBe(x.result.cost!.usd_per_video);
      expect(byKey['cost.usd_per_month']!.values[i]).toBe(x.result.cost!.usd_per_month);
    });
    expect(byKey['cost.usd_per_video']!.best).toHaveLength(1); // both owned: ranked
    expect(cmp.scenarios.map((s) => s.cost_basis)).toEqual(runs.map((x) => costBasisOf(x)));
    const cloud = run(A, ['duration=2h', 'cost.basis=cloud']);
    const mixed = compareRuns([runs[0]!, cloud]);
    expect(mixed.rows.find((r) => r.key === 'cost.usd_per_video')!.best).toEqual([]);
    expect(mixed.notes).toEqual(['the runs are priced on different bases (owned, cloud): the money rows are shown but not ranked']);
    expect(compareText(mixed)).toMatch(/\$ per video/);
  });

  it('compares like with like: runs that serve different traffic are shown but not ranked, and say what differs', () => {
    const same = compareRuns(runs);
    expect(same.unranked).toBeNull();
    expect(same.rows.some((r) => r.best.length > 0)).toBe(true);
    // the same rate in another unit is the same traffic
    expect(compareRuns([runs[0]!, run(A, ['duration=2h', 'workload.arrivals.rate_per_hour=null', 'workload.arrivals.rate_per_min=0.3333333333333333'])]).unranked).toBeNull();
    const cases: [string[], string][] = [
      [['duration=3h'], 'duration differs'],
      [['duration=2h', 'workload.arrivals.rate_per_hour=30'], 'arrivals differs'],
      [['duration=2h', 'workload.mix[0].weight=0.5'], 'request mix differs'],
      [['duration=2h', 'workload.mix[1].resolution=1280x720'], 'request mix differs'],
      [['duration=2h', 'workload.curve=diurnal'], 'curve differs'],
    ];
    for (const [set, why] of cases) {
      const cmp = compareRuns([runs[0]!, run(A, set)]);
      expect(cmp.unranked, set.join(' ')).toContain(`the runs serve different traffic (${why})`);
      expect(cmp.rows.every((r) => r.best.length === 0)).toBe(true);
      expect(cmp.notes[0]).toBe(cmp.unranked);
      expect(compareText(cmp)).toMatch(/^compared 2 scenarios, NOT RANKED: they serve different traffic/);
      expect(compareText(cmp)).not.toMatch(/\*/);
    }
    // without the scenarios (a library caller's results) there is nothing to tell them apart by: ranked as before
    expect(compareRuns(runs.map((x) => ({ label: x.label, result: x.result }))).unranked).toBeNull();
  });

  it('treats a run without completed requests as having no latency, not zero latency', () => {
    const empty: SimulationResult = { ...runs[0]!.result, requests: { ...runs[0]!.result.requests, completed: 0 }, classes: runs[0]!.result.classes.map((c) => ({ ...c, completed: 0 })) };
    const cmp = compareRuns([{ label: 'empty', result: empty }, runs[1]!]);
    const p95 = cmp.rows.find((r) => r.key === 'latency.p95')!;
    expect(p95.values[0]).toBeNull();
    expect(p95.best).toEqual([]);
    expect(cmp.rows.find((r) => r.key === 'class.720p-5s.p95')!.values[0]).toBeNull();
  });

  it('prints side-by-side tables with the best values starred', () => {
    const text = compareText(compareRuns(runs));
    expect(text).toMatch(/^compared 2 scenarios/);
    expect(text).toMatch(/scenarios\/default\.yaml/);
    expect(text).toMatch(/metric +wan22-a14b-1x8h100 +wan22-a14b-ulysses8/);
    expect(text).toMatch(/latency p95 +\S+ min( \*)? +\S+ min/);
    expect(text).toMatch(/ \*/);
    expect(text).toMatch(/p95 latency · 480p-5s/);
  });

  it('gives a JSON document with each summary (no wall time) and the rows', () => {
    const doc = JSON.parse(JSON.stringify(compareJson(compareRuns(runs), runs))) as { scenarios: { label: string; summary: Record<string, unknown> }[]; metrics: { key: string; values: unknown[]; best: number[] }[] };
    expect(doc.scenarios).toHaveLength(2);
    expect(doc.scenarios[0]!.summary).toHaveProperty('latency_s');
    expect(doc.scenarios[0]!.summary).not.toHaveProperty('wall_time_s');
    expect(doc.scenarios[0]!.summary).not.toHaveProperty('records');
    expect(doc.metrics.find((m) => m.key === 'throughput_per_h')!.values).toHaveLength(2);
  });

  it('builds four overlaid charts that render, each naming both scenarios', async () => {
    const charts = compareCharts(runs);
    expect(charts.map((c) => c.id)).toEqual(['compare-latency-cdf', 'compare-load-over-time', 'compare-latency-percentiles', 'compare-stage-breakdown']);
    for (const c of charts) {
      const svg = await renderSvg(c.spec);
      expect(svg).toMatch(/^<svg/);
      expect(svg).toContain('wan22-a14b-1x8h100');
      expect(svg).toContain('wan22-a14b-ulysses8');
    }
  });

  it('renders an offline, deterministic compare.html in the report style', async () => {
    const a = await renderCompareHtml(runs);
    const b = await renderCompareHtml(runs);
    expect(a.html).toBe(b.html);
    expect(a.html).toMatch(/^<!DOCTYPE html>/);
    expect((a.html.match(/<svg/g) ?? []).length).toBe(4);
    expect(a.html).not.toMatch(/<script|<link|src="http/);
    expect(a.html).toContain('--accent'); // report.html's stylesheet
    expect(a.html).toMatch(/<td class="num best" title="best">/);
    expect(a.html).toContain('ulysses=8,fsdp');
    // ids of the inlined charts are prefixed per chart: no two share a clip path id
    const ids = [...a.html.matchAll(/\bid="([^"]+)"/g)].map((m) => m[1]);
    expect(new Set(ids).size).toBe(ids.length);
  });
});

describe('compare: what differs beyond the deployment is said, and never ranks', () => {
  const base = run(A);
  const rename = (x: CompareRun, label: string): CompareRun => ({ ...x, label });
  it('a run that drops requests is never best on latency (it won every latency row by shedding a tenth of its load)', () => {
    const drop = rename(run(A, ['duration=2h', 'scheduling.timeout_s=60']), 'drops');
    expect(drop.result.requests.dropped).toBeGreaterThan(0);
    const cmp = compareRuns([base, drop]);
    for (const k of ['latency.p95', 'latency.p99', 'queue_wait.p95']) expect(cmp.rows.find((r) => r.key === k)!.best).not.toContain(1);
    expect(cmp.notes.join('\n')).toMatch(/drops dropped or lost \d+ of \d+ requests .*shown, not ranked/);
  });
  it('another seed, model or an acceleration that changes the video is a note; the deployment line names model and stack', () => {
    const seed = rename(run(A, ['duration=2h', 'seed=7']), 'seed7');
    const fp8 = rename(run(A, ['duration=2h', 'inference.dtype=fp8']), 'fp8');
    const small = rename(run(A, ['duration=2h', 'model=wan2.1-t2v-1.3b', 'inference.offload=false']), 'small');
    const cmp = compareRuns([base, seed, fp8, small]);
    const notes = cmp.notes.join('\n');
    expect(notes).toMatch(/the runs use different seeds \(.*seed7: 7/);
    expect(notes).toMatch(/the runs serve different models \(.*small: wan2\.1-t2v-1\.3b\)/);
    expect(notes).toMatch(/the runs make different videos: .*fp8: dtype fp8/);
    expect(cmp.scenarios[2]!.deployment[0]).toMatch(/^a14b: wan2\.2-t2v-a14b, 8 × 1 h100-sxm, offload, dtype fp8$/);
    expect(cmp.scenarios[3]!.deployment[0]).toMatch(/wan2\.1-t2v-1\.3b/);
  });
  it('a run without its drain is not the same question (it was best on p95 by leaving its slowest requests out)', () => {
    const nodrain = rename(run(A, ['duration=2h', 'drain=false']), 'nodrain');
    const cmp = compareRuns([base, nodrain]);
    expect(cmp.unranked).toMatch(/the runs serve different traffic \(drain differs\)/);
  });
});

describe('progress', () => {
  const fake = (isTTY: boolean) => {
    const chunks: string[] = [];
    const stream: ProgressStream = { isTTY, columns: 100, write: (s: string) => chunks.push(s) };
    return { stream, chunks };
  };

  it('is silent when the stream is not a terminal (CI, pipes) or when disabled (--json)', () => {
    for (const [isTTY, enabled] of [[false, true], [true, false]] as const) {
      const { stream, chunks } = fake(isTTY);
      const p = progress(3, 'x', { stream, enabled });
      p.message('a');
      p.tick();
      p.tick(2);
      p.done();
      expect(chunks).toEqual([]);
      expect(p.active).toBe(false);
      expect(p.current).toBe(3);
    }
  });

  it('draws one line in place on a terminal and erases it when done', () => {
    const { stream, chunks } = fake(true);
    let t = 0;
    const p = progress(4, 'simulating', { stream, now: () => t, intervalMs: 100 });
    expect(chunks).toHaveLength(1);
    expect(chunks[0]).toMatch(/^\r\x1b\[2Ksimulating \[-+\] 0\/4 0% 0s$/);
    t = 10;
    p.tick(); // throttled: within 100 ms of the last draw
    expect(chunks).toHaveLength(1);
    t = 2000;
    p.tick(1, 'b.yaml');
    expect(chunks.at(-1)).toMatch(/\[#+-+\] 2\/4 50% 2s ~2s left  b\.yaml$/);
    p.tick(5); // clamps, and the final state always draws
    expect(chunks.at(-1)).toMatch(/4\/4 100%/);
    p.done();
    p.done();
    expect(chunks.at(-1)).toBe('\r\x1b[2K');
    const n = chunks.length;
    p.tick();
    expect(chunks).toHaveLength(n);
    expect(chunks.every((c) => !c.includes('\n'))).toBe(true);
  });

  it('never draws wider than the terminal', () => {
    const line = progressLine('simulating', 1, 3, 1500, 'a/very/long/path/'.repeat(10), 60);
    expect(line.length).toBeLessThanOrEqual(59);
    expect(line.endsWith('…')).toBe(true);
  });
});

describe('vgsim compare (CLI)', () => {
  it('prints the side-by-side table, with nothing on stderr when it is not a terminal', () => {
    const r = vgsim(['compare', A, B, '--set', 'duration=2h']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/metric +wan22-a14b-1x8h100 +wan22-a14b-ulysses8/);
    expect(r.stderr).toBe('');
  });

  it('--json prints one document; --seed applies to every scenario', async () => {
    const j = await inProcess(['compare', A, B, '--set', 'duration=2h', '--seed', '7', '--json']);
    expect(j.code).toBe(0);
    const doc = JSON.parse(j.stdout);
    expect(doc.scenarios.map((s: { seed: number }) => s.seed)).toEqual([7, 7]);
    expect(doc.metrics.length).toBeGreaterThan(10);
    expect(j.stderr).toBe('');
  });

  it('--out writes compare.html, compare.json and the chart files', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vgsim-compare-'));
    const r = await inProcess(['compare', A, B, '--set', 'duration=1h', '--out', dir]);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/wrote 10 files/);
    for (const f of ['compare.html', 'compare.json', 'charts/compare-latency-cdf.svg', 'charts/compare-stage-breakdown.png']) expect(existsSync(join(dir, f))).toBe(true);
    expect(JSON.parse(readFileSync(join(dir, 'compare.json'), 'utf8')).scenarios).toHaveLength(2);
  });

  it('--out names the scenarios relative to the output folder: the same files whatever the working folder or an absolute path', () => {
    const dir = mkdtempSync(join(tmpdir(), 'vgsim-compare-paths-'));
    const rel = vgsim(['compare', 'scenarios/default.yaml', 'scenarios/power-cap.yaml', '--set', 'duration=1h', '--out', join(dir, 'c1')]);
    const abs = vgsim(['compare', resolve('scenarios/default.yaml'), resolve('scenarios/power-cap.yaml'), '--set', 'duration=1h', '--out', join(dir, 'c2')], { cwd: tmpdir() });
    expect([rel.code, abs.code]).toEqual([0, 0]);
    for (const f of ['compare.json', 'compare.html']) expect(readFileSync(join(dir, 'c2', f), 'utf8'), f).toBe(readFileSync(join(dir, 'c1', f), 'utf8'));
    const json = readFileSync(join(dir, 'c1', 'compare.json'), 'utf8');
    // no absolute path: a relative one may still pass through the checkout's folder name (../../work/main/...)
    expect(JSON.parse(json).scenarios.every((x: { file: string }) => !isAbsolute(x.file))).toBe(true);
    expect(json).not.toContain(`"${resolve('.')}`);
    expect(JSON.parse(json).scenarios[0].file).toBe(relative(join(dir, 'c1'), resolve('scenarios/default.yaml')));
  }, 60_000);

  it('bad input in any file: every problem at once, exit 2, no stack trace', async () => {
    const r = await inProcess(['compare', A, 'test/fixtures/bad.yaml', 'nope.yaml']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/bad\.yaml:18:7 +workload\.mix\.0\.frmaes/);
    expect(r.stderr).toMatch(/nope\.yaml +file not found/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(r.stdout).toBe('');
    const one = await inProcess(['compare', A]);
    expect(one.code).toBe(2);
    expect(one.stderr).toMatch(/missing required argument/);
    const seed = await inProcess(['compare', A, B, '--seed', 'x']);
    expect(seed.code).toBe(2);
    expect(seed.stderr).toMatch(/--seed expects an integer/);
  });

  it('has --help with examples', async () => {
    const r = await inProcess(['compare', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Examples:/);
    expect(r.stdout).toMatch(/vgsim compare scenarios\/default\.yaml/);
  });
});
