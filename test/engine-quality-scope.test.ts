/**
 * What an inference engineer reads next to an accelerated estimate: a published quality figure only for the
 * setting it was published at (the cache alone, at the official step count, on its published sampler shift),
 * "unknown" and why everywhere else the video changes; a published cache schedule refused on a distilled model;
 * a stage table that sums to the denoise under a step cache; a CFG-parallel layout on a CFG-free distill refused
 * with that reason; a sweep that calls an unchanged video's quality "exact", not "no published quality"; and an
 * engine on a non-NVIDIA GPU flagged as priced from its CUDA path.
 */
import { describe, it, expect } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { estimate } from '../src/perf/estimate.ts';
import { getModel } from '../src/workload/request.ts';
import { parsePlan } from '../src/parallel/plan.ts';
import { parseCache } from '../src/engines/step-cache.ts';
import { InputError } from '../src/errors.ts';
import { noPlanReason, type PlanRow } from '../src/studies/plan-search.ts';
import { loadScenario } from '../src/scenario/load.ts';
import { expandSweep } from '../src/sweep/spec.ts';
import { runSweep } from '../src/sweep/runner.ts';
import { recordOf } from '../src/sweep/output.ts';
import { pointSummaries } from '../src/sweep/points.ts';
import { objectivesAt, pointVerdicts } from '../src/sweep/best.ts';
import { readFileSync } from 'node:fs';
import { listing } from '../src/api/catalog.ts';
import { vgsim } from './support/cli.ts';

const t2v14 = { model: getModel('wan2.1-t2v-14b'), gpu: 'h100-sxm', gpus: 8, plan: parsePlan('ulysses=8'), request: { width: 1280, height: 720 } };
const errorOf = (f: () => unknown): string => {
  try {
    f();
  } catch (e) {
    if (e instanceof InputError) return e.issues.map((i) => i.message).join('; ');
    throw e;
  }
  return 'no error';
};

describe('published quality holds only for the setting it was published at', () => {
  it('MagCache alone at the official steps keeps its demo PSNRs; with SageAttention and FP8 as well it is unknown', () => {
    const alone = estimate({ ...t2v14, options: { cache: parseCache('magcache:E024K6R02') } });
    expect(alone.quality.map((q) => q.value)).toEqual([24.39, 21.82]);
    expect(alone.quality_note).toBeNull();
    const combined = estimate({ ...t2v14, options: { engine: 'lightx2v', attention: 'sage2', dtype: 'fp8', sampleShift: 5, cache: parseCache('magcache:E024K6R02') } });
    expect(combined.quality).toEqual([]); // it printed the MagCache-alone PSNR for the combination
    expect(combined.quality_note).toMatch(/^unknown: .*cache alone; with attention sage2, dtype fp8 as well nothing is published/);
  });

  it('TeaCache at other steps than published, or off its published sampler shift, has no published quality', () => {
    const tenSteps = estimate({ ...t2v14, request: { ...t2v14.request, steps: 10 }, options: { cache: parseCache('teacache:0.2') } });
    expect(tenSteps.quality).toEqual([]);
    expect(tenSteps.quality_note).toMatch(/ran 50 steps, this request 10/);
    // SGLang samples the 1.3B at shift 3, TeaCache published it at the official 5 (sample-shift.ts)
    const offShift = estimate({ model: getModel('wan2.1-t2v-1.3b'), gpu: 'h100-sxm', request: { width: 832, height: 480 }, options: { engine: 'sglang', cache: parseCache('teacache:0.08') } });
    expect(offShift.step_cache!.off_schedule).toBeDefined();
    expect([offShift.quality, offShift.quality_note]).toEqual([[], expect.stringMatching(/^unknown: .*published schedule/)]);
    const onShift = estimate({ model: getModel('wan2.1-t2v-1.3b'), gpu: 'h100-sxm', request: { width: 832, height: 480 }, options: { cache: parseCache('teacache:0.08') } });
    expect(onShift.quality.length).toBeGreaterThan(0);
  });

  it('an output-changing setting with nothing published says "unknown"; a lossless one says nothing', () => {
    const fp8 = estimate({ ...t2v14, options: { engine: 'lightx2v', dtype: 'fp8' } });
    expect(fp8.quality_note).toBe('unknown: no published quality for dtype fp8 on wan2.1-t2v-14b');
    expect(estimate({ ...t2v14, options: { engine: 'sglang', compile: true } }).quality_note).toBeNull();
    const r = vgsim(['estimate', '--model', 'wan2.1-t2v-14b', '--gpu', 'h100-sxm', '--gpus', '8', '--parallel', 'ulysses=8', '--engine', 'lightx2v', '--dtype', 'fp8']);
    expect(r.stdout).toMatch(/\nquality unknown: no published quality for dtype fp8/);
  });
});

describe('a distilled model and the accelerations that assume the full one', () => {
  const i2v = { model: getModel('wan2.1-i2v-14b'), gpu: 'h100-sxm', request: { width: 832, height: 480 } };
  it('refuses a published cache schedule (MagCache, TeaCache) on a distill; a user-given FBCache runs, quality unknown', () => {
    expect(errorOf(() => estimate({ ...i2v, options: { engine: 'lightx2v', distill: 'lightx2v-4step', cache: parseCache('teacache:0.26') } }))).toMatch(/TeaCache.*undistilled wan2\.1-i2v-14b at its 40 official steps.*4 other timesteps/);
    expect(errorOf(() => estimate({ model: getModel('wan2.2-t2v-a14b'), gpu: 'h100-sxm', options: { engine: 'lightx2v', distill: 'lightx2v-4step', cache: parseCache('magcache') } }))).toMatch(/MagCache's magnitude-ratio tables/);
    const fb = estimate({ ...i2v, options: { engine: 'lightx2v', distill: 'lightx2v-4step', cache: parseCache('fbcache:0.05,skip=0.25') } });
    expect(fb.step_cache!.forwards).toBe(4);
    expect(fb.quality).toEqual([]); // TeaCache's 40-step PSNR 20.04 was attached to the 4-step distill before
    expect(fb.quality_note).toMatch(/^unknown: no published quality for distill lightx2v-4step, cache fbcache/);
  });

  it('CFG-parallel on a CFG-free distill names the distill and a layout to use instead', () => {
    const m = errorOf(() => estimate({ model: getModel('wan2.2-t2v-a14b'), gpu: 'h100-sxm', gpus: 8, plan: parsePlan('ulysses=4,cfg=2'), options: { engine: 'lightx2v', distill: 'lightx2v-4step' } }));
    expect(m).toMatch(/cfg=2 needs classifier-free guidance \(lightx2v-4step distilled it away.*e\.g\. ulysses=8\)/);
  });

  it('a plan where no layout runs gives the reason most layouts share, not the first row\'s', () => {
    const row = (parallel: string, reason: string): PlanRow => ({ parallel, gpus_per_replica: 2, replicas: 1, feasible: false, rank: null, reason });
    const rows = [row('cfg=2', 'cfg=2 needs classifier-free guidance'), ...['ulysses=2', 'ring=2', 'tp=2'].map((p) => row(p, 'TeaCache publishes no schedule'))];
    expect(noPlanReason(rows)).toBe('none of 4 layouts can run; 3 of them: TeaCache publishes no schedule');
  });
});

describe('the stage table under a step cache', () => {
  it('dit_forward is the mean of the computed and cached forwards, so the stages sum to the total (it showed 272.8%)', () => {
    const e = estimate({ ...t2v14, options: { cache: parseCache('magcache:E024K6R02') } });
    const f = e.stages.find((s) => s.name === 'dit_forward')!;
    const sched = e.stages.find((s) => s.name === 'scheduler')!;
    expect(f.seconds_total + sched.seconds_total).toBeCloseTo(e.denoise_s, 6);
    expect(f.seconds_total).toBeLessThan(0.45 * f.count * e.forward_s);
    expect(f.detail).toMatch(/mean of 36 computed \(.+ each\) and 64 cached forwards \(.+\) of 100/);
  });
});

describe('a sweep with a quality floor', () => {
  it('calls an unchanged video "exact" in its best lines (it printed "no published quality")', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vgsim-quality-'));
    const file = join(dir, 'floor.yaml');
    writeFileSync(file, `extends: ${resolve('test/fixtures/md1.yaml')}\nduration: 2h\nsweep:\n  objectives: "psnr>=20"\n  parameters:\n    workload.arrivals.rate_per_hour: [2]\n`);
    const loaded = loadScenario(file);
    const plan = expandSweep(loaded);
    const outcomes = await runSweep(plan.points, { file, workers: 0 });
    const points = pointSummaries(plan, plan.points.map((p, i) => recordOf(p, outcomes[i]!)));
    const [v] = pointVerdicts(plan, points);
    expect(objectivesAt(plan, points, v!)).toBe('psnr exact (>= 20.0 dB)');
  });
});

describe('an engine on another vendor\'s GPU', () => {
  it('is flagged as priced from the CUDA path it was read from (MI300X, Ascend), not on an NVIDIA GPU', () => {
    const on = (gpu: string) => estimate({ model: getModel('wan2.1-t2v-1.3b'), gpu, request: { width: 832, height: 480 }, options: { engine: 'lightx2v' } });
    for (const gpu of ['mi300x', 'ascend-910b']) {
      const e = on(gpu);
      expect(e.accelerations.find((a) => a.knob === 'engine')!.extrapolated, gpu).toBe(true);
      expect(e.warnings.some((w) => /^engine lightx2v on .*: its profile was read from its CUDA code path/.test(w)), gpu).toBe(true);
    }
    const h100 = on('h100-sxm');
    expect(h100.accelerations.find((a) => a.knob === 'engine')!.extrapolated).toBe(false);
    expect(h100.warnings.some((w) => /CUDA code path/.test(w))).toBe(false);
  });
});

describe('the README\'s engine table against vgsim list engines', () => {
  it('has a column for every column the CLI prints (the LoRA column was missing), and the same LoRA cell per engine', () => {
    const block = readFileSync('README.md', 'utf8').split('<!-- generated:engine-list -->')[1]!.split('<!-- /generated:engine-list -->')[0]!.trim().split('\n');
    const cells = (line: string) => line.split('|').slice(1, -1).map((c) => c.trim());
    const l = listing('engines');
    expect(cells(block[0]!)).toHaveLength(l.headers.length);
    const col = cells(block[0]!).indexOf('LoRA');
    const cli = l.headers.indexOf('LoRA');
    for (const row of l.rows) expect(cells(block.find((x) => x.startsWith(`| ${row[0]} |`))!)[col], String(row[0])).toBe(row[cli]);
  });
});

describe('the README\'s official-vs-production-stacks conclusion', () => {
  it('says in its sentence when the cheapest stack changes the video, as its table row does', () => {
    const block = readFileSync('README.md', 'utf8').split('<!-- generated:engine-stacks -->')[1]!.split('<!-- /generated:engine-stacks -->')[0]!;
    const sentence = block.split('\n').find((l) => l.startsWith('On the same'))!;
    const cheapest = /the cheapest stack here \(([^)]+)\)/.exec(sentence)![1]!;
    const row = block.split('\n').find((l) => l.startsWith(`| ${cheapest} |`))!;
    const changes = row.split('|').slice(1, -1).at(-1)!.trim();
    expect(changes.startsWith('yes')).toBe(true); // the scenario's cheapest stack is the 4-step distill
    expect(sentence).toMatch(/, and it changes the video \((published PSNR [\d.]+ dB|its quality unknown: no published figure)\)\.$/);
  });
});
