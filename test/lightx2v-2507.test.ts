/**
 * LightX2V as its July 2025 benchmark code ran (engine `lightx2v-2507`, ModelTC/LightX2V@a10e7462): the block's
 * RoPE and modulate sites as that code writes them, checked against byte counts worked out by hand from it, and
 * the fp32 VAE of that commit.
 */
import { describe, it, expect } from 'vitest';
import { buildDitForward } from '../src/workload/dit.ts';
import { asWan } from '../src/workload/models.ts';
import { getModel } from '../src/workload/request.ts';
import { estimate } from '../src/perf/estimate.ts';
import { parsePlan } from '../src/parallel/plan.ts';

const dit = asWan(getModel('wan2.1-i2v-14b')).dit;
const L = 32760; // 832x480, 81 frames
const d = 5120;
const forward = (style: 'lightx2v' | 'lightx2v-2507') =>
  buildDitForward(dit, { tokens: L, batch: 1, kernel: 'sage2', linearDtype: 'bf16', fused: false, ulysses: 1, ring: 1, tp: 1, weightsResident: false, style }).builder.ops;

describe('lightx2v-2507: the July 2025 block', () => {
  const ops = forward('lightx2v-2507');
  const op = (name: string) => ops.find((o) => o.name === name);

  it('RoPE: q and k each through the float64 complex chain (4 kernels), at the official rope_apply\'s rate on its own traffic', () => {
    for (const n of ['self_attn.rope_q', 'self_attn.rope_k']) {
      const r = op(n)!;
      expect(r).toMatchObject({ kind: 'elementwise', ew: 'rope_wan', kernels: 4 });
      // nominal bytes of the measured composite (bf16 in 2 B + fp32 out 4 B per element of [L, 40, 128]) × the
      // chain's traffic over the profiled rope_apply's: to(float64) 2+8, multiply 8+8, cat 8+8, to(bf16) 8+2 = 52
      // of clone 2+2, to(float64) 2+8, multiply 8+8, cat 8+8, stack 8+8, float 8+4 = 74 bytes per element
      expect((r as { bytes: number }).bytes).toBeCloseTo((L * d * 6 * 52) / 74, 3);
    }
    expect(op('self_attn.rope_qk_flashinfer')).toBeUndefined();
    // compute_freqs once per block: [L, 1, 64] complex128 = 1024 B per token, read (expanded tables) and written
    expect((op('self_attn.compute_freqs') as { bytes: number }).bytes).toBe(2 * L * 1024);
  });

  it('modulate: torch LayerNorm, then in-place mul_ and add_ (three bf16 passes, Wan2.1 rows broadcast)', () => {
    for (const m of ['norm1_modulate', 'norm2_modulate']) {
      for (const k of ['layer_norm', 'mul_scale', 'add_shift']) expect((op(`${m}.${k}`) as { bytes: number }).bytes).toBe(L * d * 2 * 2);
      expect(op(`${m}.scale_shift`)).toBeUndefined();
    }
  });

  it('the rest of the block is the current LightX2V code: same ops apart from the two sites', () => {
    const changed = /rope|compute_freqs|modulate/;
    const now = forward('lightx2v').filter((o) => !changed.test(o.name)).map((o) => o.name);
    expect(ops.filter((o) => !changed.test(o.name)).map((o) => o.name)).toEqual(now);
  });

  it('decodes with the fp32 WanVAE of that commit, and is slower than the current code', () => {
    const base = { model: getModel('wan2.1-i2v-14b'), gpu: 'h100-sxm', request: { width: 832, height: 480, frames: 81, steps: 40 } };
    const old = estimate({ ...base, options: { engine: 'lightx2v-2507', attention: 'sage2' } });
    const now = estimate({ ...base, options: { engine: 'lightx2v', attention: 'sage2' } });
    expect(old.accelerations.find((a) => a.knob === 'engine')!.models).toMatch(/VAE fp32/);
    expect(old.forward_s).toBeGreaterThan(now.forward_s);
    expect(old.vae_decode_s).toBeGreaterThan(now.vae_decode_s);
  });

  it('has no CFG parallel (not in that commit\'s code)', () => {
    expect(() => estimate({ model: getModel('wan2.1-i2v-14b'), gpu: 'h100-sxm', gpus: 2, request: { width: 832, height: 480, frames: 81, steps: 40 }, options: { engine: 'lightx2v-2507' }, plan: parsePlan('cfg=2') })).toThrow(/cfg/);
  });
});
