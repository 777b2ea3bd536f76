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
import { SAGE_H100_MEASURED } from '../src/perf/quantized-attention.ts';

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

describe('lightx2v-2507 on Ada: its sage_attn2 setting runs the INT8-QK, FP16-PV Triton kernel (sage1)', () => {
  const base = { model: getModel('wan2.1-i2v-14b'), request: { width: 832, height: 480, frames: 81, steps: 40 } };
  const on = (gpu: string, engine: 'lightx2v-2507' | 'lightx2v') => estimate({ ...base, gpu, options: { engine, attention: 'sage2' } });
  const selfAttn = (e: ReturnType<typeof estimate>) => e.ops.find((o) => o.name === 'self_attn.attention')!;

  it('on an RTX 4090 the July 2025 code swaps it in (attn_weight.py:26-31) and says so, as the current code still does (sage_attn.py:26-31); Hopper keeps sage2', () => {
    const ada = on('rtx4090', 'lightx2v-2507');
    expect(selfAttn(ada).shape).toMatch(/^sage1 /);
    expect(ada.warnings.join('\n')).toMatch(/runs sage1 for its sage2 setting.*sageattn_qk_int8_pv_fp16_triton/);
    expect(ada.accelerations.find((a) => a.knob === 'attention')!.value).toBe('sage1');
    expect(selfAttn(on('rtx4090', 'lightx2v')).shape).toMatch(/^sage1 /);
    expect(selfAttn(estimate({ ...base, gpu: 'rtx4090', options: { engine: 'fastvideo', attention: 'sage2' } })).shape).toMatch(/^sage2 /); // FastVideo calls sageattn itself
    expect(selfAttn(on('h100-sxm', 'lightx2v-2507')).shape).toMatch(/^sage2 /);
  });

  it('priced at FA2 × the 4090 chart\'s Sage 8+16 bars over its FA2 bars (322 / 164 at 32k), against 8+8\'s 419 / 164', () => {
    const sage1 = selfAttn(on('rtx4090', 'lightx2v-2507'));
    const sage2 = selfAttn(estimate({ ...base, gpu: 'rtx4090', options: { engine: 'fastvideo', attention: 'sage2' } }));
    // the same FA2 reference and the same FLOPs: the kernel times stand in the charts' ratio (32,760 tokens ~ 32k)
    expect(sage1.seconds / sage2.seconds).toBeCloseTo(419 / 322, 1);
  });

  it('its input passes: smooth-K, the V cast to fp16 and Q/K quantisation, no V padding, transpose or FP8 pass', () => {
    const ops = buildDitForward(dit, { tokens: L, batch: 1, kernel: 'sage1', linearDtype: 'bf16', fused: false, ulysses: 1, ring: 1, tp: 1, weightsResident: false, style: 'lightx2v-2507' }).builder.ops;
    const pass = (n: string) => ops.find((o) => o.name === `self_attn.attention.${n}`) as { bytes: number } | undefined;
    const qk = L * d; // elements of q (and of k, v): 40 heads × 128
    expect(pass('sage_smooth_k')!.bytes).toBe(qk * 2); // k.mean: one bf16 read
    expect(pass('sage_v_fp16')!.bytes).toBe(2 * qk * 2); // v.to(float16): read and write
    expect(pass('sage_quant_qk')!.bytes).toBe(2 * qk * 3); // per_block_int8 of q and k: bf16 in, int8 out
    expect(ops.some((o) => /sage_(pad_v|v_transpose|quant_v)/.test(o.name))).toBe(false);
  });

  it('sage1 elsewhere: diffusers\' _sage_qk_int8_pv_fp16_triton backend; on an H100 at the measured kernel\'s rate (0.80 of cuDNN, under the chart\'s 518 / 339 over FA2)', () => {
    const h = estimate({ ...base, gpu: 'h100-sxm', options: { engine: 'diffusers', attention: 'sage1' } });
    const cudnn = estimate({ ...base, gpu: 'h100-sxm', options: { engine: 'diffusers', attention: 'cudnn' } });
    expect(selfAttn(cudnn).seconds / selfAttn(h).seconds).toBeCloseTo(SAGE_H100_MEASURED.find((r) => r[0] === 32760)![2], 2);
    expect(() => estimate({ ...base, gpu: 'h100-sxm', options: { engine: 'official', attention: 'sage1' } })).toThrow(/no sage1 attention backend/);
  });
});
