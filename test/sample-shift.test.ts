/**
 * The sampler's flow shift (src/engines/sample-shift.ts): each engine's default from its configs, the A14B expert
 * switch it moves (hand-computed from σ' = shift·σ/(1+(shift−1)·σ) against the boundary), and the step-cache
 * schedules it leaves: TeaCache's indicator is the timestep embedding's change (TeaCache4Wan2.1/
 * teacache_generate.py:519-545), so a schedule published at the official shift is flagged at any other.
 */
import { describe, it, expect } from 'vitest';
import { estimate } from '../src/perf/estimate.ts';
import { getModel } from '../src/workload/request.ts';
import { engineDefaultShift, officialShift } from '../src/engines/sample-shift.ts';
import { engineCells, TERMINAL_CELLS } from '../src/engines/describe.ts';
import { ENGINES } from '../src/engines/profiles.ts';
import { accelerationSpec } from '../src/cli/acceleration-flags.ts';
import { inferenceOptions } from '../src/perf/estimate-input.ts';
import { vgsim } from './support/cli.ts';
import { parseOfficialFlags } from '../src/parallel/official-flags.ts';
import { estimateRow, loadEngineValidation } from '../src/perf/engine-validation.ts';

const m = (id: string) => getModel(id);
const p480 = { width: 832, height: 480 };
const p720 = { width: 1280, height: 720 };

/** High-noise steps by hand: step i's σ = 0.999·(1 − i/N); it runs the high-noise expert while shifted σ ≥ boundary. */
function highByHand(shift: number, boundary: number, steps: number): number {
  // shift·σ/(1+(shift−1)σ) ≥ b  ⇔  σ ≥ b / (shift − (shift−1)·b)
  const sigmaMin = boundary / (shift - (shift - 1) * boundary);
  let n = 0;
  for (let i = 0; i < steps; i++) if (0.999 * (1 - i / steps) >= sigmaMin) n++;
  return n;
}

describe('engine default shifts, from each engine\'s configs', () => {
  it('official: Wan2.1 5, its I2V at 480p 3; Wan2.2 T2V-A14B 12, I2V-A14B and TI2V-5B 5', () => {
    expect(officialShift(m('wan2.1-t2v-1.3b'), p480)?.shift).toBe(5);
    expect(officialShift(m('wan2.1-i2v-14b'), p480)?.shift).toBe(3);
    expect(officialShift(m('wan2.1-i2v-14b'), p720)?.shift).toBe(5);
    expect(officialShift(m('wan2.2-t2v-a14b'), p720)?.shift).toBe(12);
    expect(officialShift(m('wan2.2-i2v-a14b'), p720)?.shift).toBe(5);
    expect(officialShift(m('wan2.2-ti2v-5b'), { width: 1280, height: 704 })?.shift).toBe(5);
    expect(officialShift(m('hunyuan-video'), p720)).toBeUndefined();
  });

  it('SGLang and FastVideo sample the 480p checkpoints at 3, LightX2V\'s July 2025 benchmark at 5; unknown engines say so', () => {
    expect(engineDefaultShift('sglang', m('wan2.1-t2v-1.3b'), p480)?.shift).toBe(3);
    expect(engineDefaultShift('sglang', m('wan2.1-t2v-14b'), p480)?.shift).toBe(5);
    expect(engineDefaultShift('sglang', m('wan2.2-t2v-a14b'), p720)?.shift).toBe(12);
    expect(engineDefaultShift('fastvideo', m('wan2.1-i2v-14b'), p480)?.shift).toBe(3);
    expect(engineDefaultShift('lightx2v-2507', m('wan2.1-i2v-14b'), p480)?.shift).toBe(5);
    expect(engineDefaultShift('lightx2v-2507', m('wan2.1-t2v-1.3b'), p480)?.shift).toBe(8);
    expect(engineDefaultShift('lightx2v-2507', m('wan2.2-t2v-a14b'), p720)).toBeUndefined();
    expect(engineDefaultShift('diffusers', m('wan2.1-t2v-1.3b'), p480)).toBeUndefined();
    expect(engineDefaultShift('lightx2v', m('wan2.1-t2v-1.3b'), p480)).toBeUndefined();
  });
});

describe('vgsim list engines: the sampler-shift column', () => {
  it('1.3B / 14B / I2V-480P / A14B per engine, ? where unknown, - where none is known', () => {
    const cell = (id: keyof typeof ENGINES) => engineCells(ENGINES[id], TERMINAL_CELLS).shift;
    expect(cell('official')).toBe('5/5/3/12');
    expect(cell('sglang')).toBe('3/5/3/12');
    expect(cell('fastvideo')).toBe('3/5/3/?');
    expect(cell('lightx2v-2507')).toBe('8/8/5/?');
    expect(cell('diffusers')).toBe('-');
  });
});

describe('the A14B expert switch follows the shift', () => {
  it('T2V-A14B (boundary 0.875, 40 steps): 26 high-noise steps at the official 12, 17 at 5, by hand', () => {
    const at = (sampleShift?: number) => estimate({ model: m('wan2.2-t2v-a14b'), gpu: 'h100-sxm', options: sampleShift !== undefined ? { sampleShift } : {} });
    expect(highByHand(12, 0.875, 40)).toBe(26);
    expect(highByHand(5, 0.875, 40)).toBe(17);
    expect(at().request).toMatchObject({ high_noise_steps: 26, low_noise_steps: 14, sample_shift: 12 });
    expect(at(5).request).toMatchObject({ high_noise_steps: highByHand(5, 0.875, 40), low_noise_steps: 40 - 17, sample_shift: 5 });
    // the same DiT work either way (one expert per step): the switch moves which expert runs, not how many forwards
    expect(at(5).forward_s).toBeCloseTo(at().forward_s, 9);
  });
});

describe('step caches published at the official shift', () => {
  const tea = (engine: string, more: { sampleShift?: number } = {}) =>
    estimate({ model: m('wan2.1-t2v-1.3b'), gpu: 'h100-sxm', request: { ...p480, frames: 21, steps: 50, cfg: true }, options: { engine, cache: { method: 'teacache', threshold: 0.08, retSteps: true }, ...more } });
  const flagged = (e: ReturnType<typeof tea>) => e.warnings.some((w) => /TeaCache: schedule published at the official sampler shift 5/.test(w));
  const cacheAcc = (e: ReturnType<typeof tea>) => e.accelerations.find((a) => a.knob === 'cache')!;

  it('the official path at its own shift is not flagged; SGLang at its 3 is, and marked extrapolated', () => {
    const off = tea('official');
    expect(flagged(off)).toBe(false);
    const sgl = tea('sglang');
    expect(flagged(sgl)).toBe(true);
    expect(sgl.warnings.join('\n')).toMatch(/this run samples at shift 3 \(sgl-project\/sglang@055e950/);
    expect(cacheAcc(sgl).extrapolated).toBe(true);
    // the fraction itself is the published one either way: the flag says it may not hold, it does not invent another
    expect(sgl.step_cache?.computed).toBe(off.step_cache?.computed);
  });

  it('SGLang told to sample at 5 is back on the published schedule', () => {
    expect(flagged(tea('sglang', { sampleShift: 5 }))).toBe(false);
  });

  it('an engine whose shift vgsim does not know asks for it', () => {
    const e = estimate({ model: m('wan2.1-t2v-14b'), gpu: 'h100-sxm', request: { ...p720, frames: 81, steps: 50, cfg: true }, options: { engine: 'diffusers', cache: { method: 'magcache', threshold: NaN, k: NaN, retention: NaN } } });
    expect(e.warnings.join('\n')).toMatch(/MagCache: schedule published at the official sampler shift 5; the engine's sampler shift is not known to vgsim \(set sample_shift\)/);
  });

  it('the estimate JSON says why in short, and a plan whose pick rests on it carries a caveat', () => {
    expect(tea('sglang').step_cache?.off_schedule).toBe('schedule published at sampler shift 5, run at 3');
    expect(tea('official').step_cache?.off_schedule).toBeUndefined();
    const plan = (engine: string) => vgsim(['plan', '--model', 'wan2.1-t2v-1.3b', '--gpu', 'h100-sxm', '--gpus', '1', '--resolution', '832x480', '--frames', '21', '--engine', engine, '--cache', 'teacache:0.08,ret']);
    const sgl = plan('sglang');
    expect(sgl.code).toBe(0);
    expect(sgl.stdout).toMatch(/^pick: .*\ncaveat: the pick rests on accelerations vgsim extrapolates: cache teacache \(schedule published at sampler shift 5, run at 3\)/m);
    // on the official path the schedule is the published one, still a published table rather than the rule: said so
    expect(plan('official').stdout).toMatch(/caveat: the pick rests on accelerations vgsim extrapolates: cache teacache \(published schedule\)/);
  }, 60_000);

  it('no prose says the schedule depends on the prompt or image (the indicator is timestep-only)', () => {
    expect(tea('official').warnings.join('\n')).toMatch(/does not depend on the prompt or the image/);
  });
});

describe('held out: the published TeaCache runs, split by whether they ran at the shift the schedule was published at', () => {
  // nothing here is fitted: the rows are calibration/published/engines-e2e.json's validation rows with a TeaCache
  const rows = loadEngineValidation('calibration/published/engines-e2e.json').rows.filter((r) => /^teacache/.test(String(r.options.cache ?? ''))).map((r) => {
    const e = estimateRow(r);
    const v = r.metric === 'e2e_s' ? e.total_s : r.metric === 'denoise_s' ? e.denoise_s : e.step_s;
    return { id: r.id, error: v / r.value - 1, off: e.step_cache?.off_schedule };
  });
  it('the runs at the published shift land within 7%; the runs at another one are the 11-19% misses, and each is flagged', () => {
    const on = rows.filter((r) => !r.off);
    const off = rows.filter((r) => r.off);
    expect(on.length).toBeGreaterThanOrEqual(4);
    for (const r of on) expect(Math.abs(r.error), r.id).toBeLessThan(0.07);
    expect(off.map((r) => r.id).sort()).toEqual(['lx-h200-480-4', 'sgl-ci-13b-tea', 'sgl26-13b-tea']);
    for (const r of off) expect(Math.abs(r.error), r.id).toBeGreaterThan(0.1);
  });
});

describe('--sample-shift and inference.sample_shift', () => {
  it('reach the cost model; a non-positive value is an error naming the flag', () => {
    expect(accelerationSpec({ sampleShift: '5' }).sample_shift).toBe(5);
    expect(() => accelerationSpec({ sampleShift: '0' })).toThrow(/--sample-shift expects a positive number/);
    expect(() => accelerationSpec({ sampleShift: 'x' })).toThrow(/--sample-shift expects a positive number/);
    expect(inferenceOptions({ sample_shift: 8 }).sampleShift).toBe(8);
  });
  it('an official launch line\'s --sample_shift is read; the estimate CLI prices the switch it moves', () => {
    expect(parseOfficialFlags('python generate.py --task t2v-A14B --sample_shift 5').sampleShift).toBe(5);
    expect(parseOfficialFlags('python generate.py --task t2v-A14B').sampleShift).toBeUndefined();
    expect(() => parseOfficialFlags('python generate.py --task t2v-A14B --sample_shift 0')).toThrow(/--sample_shift must be a positive number/);
    const r = vgsim(['estimate', '--official', 'python generate.py --task t2v-A14B --sample_shift 5', '--gpu', 'h100-sxm', '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).request).toMatchObject({ high_noise_steps: 17, sample_shift: 5 });
  }, 30_000);
});
