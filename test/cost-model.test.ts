import { describe, it, expect } from 'vitest';
import { WAN_MODELS, ditParams, latentShape, highNoiseSteps } from '../src/workload/models.ts';
import { buildDitForward, embeddingBytes } from '../src/workload/dit.ts';
import { buildVaeDecode } from '../src/workload/vae.ts';
import { opFlops } from '../src/workload/ops.ts';
import { getModel } from '../src/workload/request.ts';
import { estimate } from '../src/perf/estimate.ts';
import { compareValidation, loadValidation } from '../src/perf/validation.ts';
import { idw, interpLog } from '../src/perf/profile.ts';

const model = (id: string) => WAN_MODELS.find((m) => m.id === id)!;

describe('model facts (wan-architecture.md)', () => {
  it('parameter counts match the checkpoint sizes', () => {
    expect(ditParams(model('wan2.1-t2v-14b').dit) / 1e9).toBeCloseTo(14.288, 2);
    expect(ditParams(model('wan2.1-t2v-1.3b').dit) / 1e9).toBeCloseTo(1.419, 2);
    expect(ditParams(model('wan2.2-ti2v-5b').dit) / 1e9).toBeCloseTo(5.0, 1);
    // Wan2.1-14B fp16 file: 28,577,761,176 B
    expect(Math.abs(ditParams(model('wan2.1-t2v-14b').dit) * 2 - 28_577_761_176) / 28_577_761_176).toBeLessThan(0.001);
  });

  it('token counts from resolution, frames and VAE stride', () => {
    expect(latentShape(model('wan2.2-t2v-a14b'), 1280, 720, 81).tokens).toBe(75600);
    expect(latentShape(model('wan2.2-t2v-a14b'), 832, 480, 81).tokens).toBe(32760);
    expect(latentShape(model('wan2.2-ti2v-5b'), 1280, 704, 121).tokens).toBe(27280);
    expect(latentShape(model('wan2.2-t2v-a14b'), 1280, 720, 121).tokens).toBe(111600);
  });

  it('A14B expert schedule: 26+14 steps (T2V), 15+25 (I2V)', () => {
    expect(highNoiseSteps(model('wan2.2-t2v-a14b').expertSchedule!, 40)).toBe(26);
    expect(highNoiseSteps(model('wan2.2-i2v-a14b').expertSchedule!, 40)).toBe(15);
  });
});

describe('operator FLOPs against hand computation', () => {
  it('a 14B forward at 720P is ~6.5 PFLOP with ~72% in self-attention (wan-architecture.md §A.7)', () => {
    const f = buildDitForward(model('wan2.1-t2v-14b').dit, { tokens: 75600, batch: 1, kernel: 'cudnn', linearDtype: 'bf16', fused: false, ulysses: 1, ring: 1, tp: 1, weightsResident: false });
    const blockFlops = f.builder.ops.filter((o) => o.group === 'block').reduce((a, o) => a + opFlops(o) * o.count, 0);
    const attn = f.builder.ops.filter((o) => o.name === 'self_attn.attention').reduce((a, o) => a + opFlops(o) * o.count, 0);
    // hand formula: layers × [8Nd² + 4N²d + 4Nd² + 4·512·d² + 4·N·512·d + 4Ndf]
    const N = 75600, d = 5120, f_ = 13824, L = 40;
    const hand = L * (8 * N * d * d + 4 * N * N * d + 4 * N * d * d + 4 * 512 * d * d + 4 * N * 512 * d + 4 * N * d * f_);
    expect(Math.abs(blockFlops - hand) / hand).toBeLessThan(0.001);
    expect(blockFlops / 1e15).toBeCloseTo(6.5, 0);
    expect(attn / blockFlops).toBeCloseTo(0.72, 1);
  });

  it('Wan2.1 VAE decode at 720P: conv FLOPs match the layer walk by hand (~640 TFLOP)', () => {
    const b = buildVaeDecode(model('wan2.2-t2v-a14b').vae, { t: 21, h: 90, w: 160, tf32: true, spatialShards: 1 });
    const convFlops = b.ops.filter((o) => o.kind === 'conv').reduce((a, o) => a + opFlops(o) * o.count, 0);
    // hand walk (README): ≈31.5 TFLOP per regular latent frame × 20 + the first frame
    expect(convFlops / 1e12).toBeGreaterThan(600);
    expect(convFlops / 1e12).toBeLessThan(700);
  });

  it('memory timeline frees everything it allocates', () => {
    const f = buildDitForward(model('wan2.2-ti2v-5b').dit, { tokens: 27280, batch: 1, kernel: 'cudnn', linearDtype: 'bf16', fused: false, ulysses: 1, ring: 1, tp: 1, weightsResident: true });
    const weights = f.blockWeightBytes * model('wan2.2-ti2v-5b').dit.layers + embeddingBytes(model('wan2.2-ti2v-5b').dit);
    expect(f.builder.liveTensorBytes()).toBe(weights);
  });
});

describe('interpolation', () => {
  it('interpolates linearly in ln(x), clamps at the ends, and IDW returns exact hits', () => {
    expect(interpLog([[1, 10], [100, 30]], 10)).toBeCloseTo(20, 9);
    expect(interpLog([[1, 10], [100, 30]], 1000)).toBe(30);
    expect(idw([[[0, 0], 5], [[1, 1], 9]], [0, 0])).toBe(5);
    expect(idw([[[0], 0], [[2], 10]], [1])).toBeCloseTo(5, 9);
  });
});

describe('calibrated H100 cost model against the validation set (not used for fitting)', () => {
  const rows = compareValidation('h100-sxm', loadValidation('calibration/validation/h100-sxm.json').cases);
  it('has every validation kind', () => {
    expect(new Set(rows.map((r) => r.kind))).toEqual(new Set(['dit_block', 'dit_forward', 'vae_decode', 'text_encode']));
  });
  for (const r of rows.filter((x) => x.kind !== 'text_encode')) {
    it(`${r.case}: time and peak memory within 10%`, () => {
      expect(Math.abs(r.time_error)).toBeLessThan(0.1);
      expect(Math.abs(r.memory_error)).toBeLessThan(0.1);
    });
  }
  it('the whole forwards within 2.5% (README: the modulation in PyTorch\'s generic elementwise loop; a loaded stage at the grid\'s rates)', () => {
    const fwd = rows.filter((r) => r.kind === 'dit_forward');
    expect(fwd.length).toBeGreaterThanOrEqual(4);
    for (const r of fwd) expect(Math.abs(r.time_error), r.case).toBeLessThan(0.025);
  });
  it('umT5 encode within 25% (launch-bound small kernels; see README)', () => {
    const t5 = rows.find((r) => r.kind === 'text_encode')!;
    expect(Math.abs(t5.time_error)).toBeLessThan(0.25);
  });
});

describe('out of sample: a second H100 machine, and an H200 the model only extrapolates to', () => {
  it('the validation cases rerun on another H100: time within 3%, memory within 5%', () => {
    const rows = compareValidation('h100-sxm', loadValidation('calibration/validation/h100-sxm-repeat.json').cases);
    expect(rows.length).toBeGreaterThanOrEqual(7);
    for (const r of rows) {
      expect(Math.abs(r.time_error)).toBeLessThan(0.03);
      expect(Math.abs(r.memory_error)).toBeLessThan(0.05);
    }
  });
  it('H200 measured (no H200 profile: rates scaled from the H100 by peak ratios): time within 10%, memory within 5%', () => {
    const rows = compareValidation('h200', loadValidation('calibration/validation/h200.json').cases);
    expect(rows.length).toBe(5);
    for (const r of rows) {
      expect(Math.abs(r.time_error)).toBeLessThan(0.1);
      expect(Math.abs(r.memory_error)).toBeLessThan(0.05);
    }
  });
});

describe('estimate', () => {
  it('A14B at 720P does not fit one H100 with everything resident, and does with offload', () => {
    const resident = estimate({ model: getModel('wan2.2-t2v-a14b'), gpu: 'h100-sxm', request: { width: 1280, height: 720 } });
    expect(resident.fits).toBe(false);
    expect(resident.memory.verdict).toMatch(/OOM/);
    // "NVIDIA H100 SXM5 80GB has 85.5 GB" read as a contradiction: the capacity is usable decimal GB, the name's 80GB is GiB
    expect(resident.memory.verdict).toContain('has 85.5 GB usable (79.6 GiB)');
    expect(resident.memory.suggestions.join(' ')).toMatch(/--offload/);
    const off = estimate({ model: getModel('wan2.2-t2v-a14b'), gpu: 'h100-sxm', request: { width: 1280, height: 720 }, options: { offload: true } });
    expect(off.fits).toBe(true);
    expect(off.memory.verdict).toMatch(/^fits: peak [\d.]+ GB per GPU \(\+1 GB runtime\) of 85\.5 GB usable, in the denoise phase/);
    expect(off.transfer_s).toBeGreaterThan(0);
    expect(off.total_s).toBeCloseTo(off.text_encode_s + off.denoise_s + off.vae_decode_s + off.transfer_s, 6);
  });

  it('the fp8 suggestion says what it saves for the weights as resident (Mochi keeps its fp32 checkpoint: a quarter, not "halves"), and that it is a what-if beyond Wan', () => {
    const fp8 = (id: string) => estimate({ model: getModel(id), gpu: 'h100-sxm' }).memory.suggestions.find((x) => x.startsWith('--dtype fp8'))!;
    expect(fp8('mochi-1')).toBe("--dtype fp8 (DiT weights at 1 byte a parameter instead of 4 (fp32): a quarter of the size; a vgsim what-if: Mochi-1-preview's own code has no fp8 path)");
    expect(fp8('wan2.2-t2v-a14b')).toBe('--dtype fp8 (DiT weights at 1 byte a parameter instead of 2 (bf16): half the size)');
  });

  it('a GPU without a profile is flagged as extrapolated', () => {
    const e = estimate({ model: getModel('wan2.1-t2v-1.3b'), gpu: 'a100-sxm-80g', request: { width: 832, height: 480 } });
    expect(e.profile.extrapolated).toBe(true);
    expect(e.warnings.join(' ')).toMatch(/extrapolated/);
  });

  it('fp8 is refused on a GPU without fp8, and fa3 off Hopper', () => {
    expect(() => estimate({ model: getModel('wan2.1-t2v-1.3b'), gpu: 'a100-sxm-80g', options: { dtype: 'fp8' } })).toThrow(/fp8/);
    expect(() => estimate({ model: getModel('wan2.1-t2v-1.3b'), gpu: 'a100-sxm-80g', options: { attention: 'fa3' } })).toThrow(/Hopper/);
  });

  it('knobs move time in the physically expected direction', () => {
    const base = { model: getModel('wan2.2-ti2v-5b'), gpu: 'h100-sxm' };
    const eager = estimate(base);
    const fp8 = estimate({ ...base, options: { dtype: 'fp8' } });
    const compiled = estimate({ ...base, options: { compile: true } });
    const fa2 = estimate({ ...base, options: { attention: 'fa2' } });
    const batched = estimate({ ...base, options: { cfg: 'batched' } });
    expect(fp8.forward_s).toBeLessThan(eager.forward_s);
    expect(compiled.forward_s).toBeLessThan(eager.forward_s);
    expect(fa2.forward_s).toBeGreaterThan(eager.forward_s);
    expect(batched.step_s).toBeLessThan(eager.step_s * 1.05);
    const denoise = (e: typeof eager) => e.memory.phases.find((p) => p.phase === 'denoise')!.peak_gb;
    expect(denoise(batched)).toBeGreaterThan(denoise(eager));
  });

  it('a request past the longest measured attention says so, and the held-out band is not printed for it', () => {
    const big = estimate({ model: getModel('wan2.1-t2v-1.3b'), gpu: 'h100-sxm', request: { width: 2560, height: 1440, frames: 241 } });
    expect(big.beyond_measured).toMatch(/^878,400 tokens is beyond the longest attention the .*h100-sxm\.json profile measured \(119,056 tokens\)/);
    expect(estimate({ model: getModel('wan2.2-t2v-a14b'), gpu: 'h100-sxm', request: { width: 1280, height: 720 }, options: { offload: true } }).beyond_measured).toBeNull();
  });

  it('a batch of B videos: total_s is the batch\'s time, throughput counts its B videos, energy is per video', () => {
    const base = { model: getModel('wan2.1-t2v-1.3b'), gpu: 'h100-sxm' };
    const one = estimate(base);
    const two = estimate({ ...base, options: { batch: 2 } });
    expect(two.throughput_per_h).toBeCloseTo((2 * 3600) / two.total_s, 6); // it said 3600 / total_s: half the videos
    expect(two.throughput_per_h).toBeGreaterThan(0.95 * one.throughput_per_h);
    // a batch's energy shared by its videos: about one video's, not two
    expect(two.energy_wh / one.energy_wh).toBeGreaterThan(0.9);
    expect(two.energy_wh / one.energy_wh).toBeLessThan(1.1);
  });
});

describe('user-defined models', () => {
  it('reads a diffusers WanTransformer3DModel config (two experts from transformer_2)', async () => {
    const { modelFromDiffusersConfig } = await import('../src/workload/custom-models.ts');
    const m = modelFromDiffusersConfig('test/fixtures/diffusers-wan/transformer/config.json');
    expect(m.dit.dim).toBe(5120);
    expect(m.experts).toBe(2);
    expect(m.expertSchedule!.boundary).toBe(0.875);
    expect(ditParams(m.dit)).toBe(ditParams(model('wan2.2-t2v-a14b').dit));
  });

  it('a scenario can define models and serve them', async () => {
    const { loadScenario } = await import('../src/scenario/load.ts');
    const { simulate } = await import('../src/serving/simulate.ts');
    const { scenario } = loadScenario('test/fixtures/custom-model.yaml');
    const r = simulate(scenario);
    expect(r.classes.map((c) => c.model).sort()).toEqual(['from-diffusers', 'my-wan-7b']);
    expect(r.requests.completed).toBe(r.requests.arrived);
    const small = r.service_times.find((s) => s.pool === 'small')!;
    expect(small.total_s).toBeGreaterThan(0);
  });
});
