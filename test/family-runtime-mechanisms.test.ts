/**
 * Mechanisms of the families' real runtimes, checked against hand-computed counts from the code they follow:
 *  - HunyuanVideo's LayerNorm + modulate under autocast bf16 (fp32 norm output, fp32 modulation, the Linear's
 *    cast back), Tencent/HunyuanVideo@fa14b00 pipeline_hunyuan_video.py:988-990, models.py;
 *  - xfuser 0.4.0's joint attention on the Ulysses path (text query in the q all-to-all, key/value cats with the
 *    joint text, the fp32 output merge), xdit-project/xDiT@0.4.0 attn_layer.py:97-131, ring_flash_attn.py:64-115;
 *  - the attention-rate lookup for lq ≠ lk with both long (priced like self-attention);
 *  - CogVideoX's VAE conv caches (a clone per causal conv, huggingface/diffusers@58eb52c).
 */
import { describe, expect, it } from 'vitest';
import { buildFamilyDitForward } from '../src/workload/families/stages.ts';
import { getModel } from '../src/workload/request.ts';
import { builtinProfile } from '../src/perf/profile.ts';
import { buildDecoderCall } from '../src/workload/families/vae-decoders.ts';
import type { Op } from '../src/workload/ops.ts';
import type { FamilyDitSpec, FamilyVaeSpec } from '../src/workload/families/specs.ts';

const hv = getModel('hunyuan-video').dit as FamilyDitSpec;
const N = 118800; // 720p, 129 frames: 33 × 45 × 80 patches
const d = 3072;
const L = 256;

function hvOps(ulysses: number): Op[] {
  return buildFamilyDitForward(hv, { tokens: N, batch: 1, kernel: 'fa2', linearDtype: 'bf16', fused: false, ulysses, ring: 1, tp: 1, weightsResident: false }).builder.ops;
}
const op = (ops: Op[], name: string): Op => {
  const o = ops.find((x) => x.name === name);
  if (!o) throw new Error(`no op ${name}`);
  return o;
};
const bytes = (o: Op) => (o.kind === 'elementwise' || o.kind === 'collective' ? o.bytes : NaN);

describe('HunyuanVideo LayerNorm under autocast bf16', () => {
  it('casts up, normalises and modulates in fp32, then casts back for the Linear (bytes per element 6, 8, 8, 8, 6)', () => {
    const ops = hvOps(1);
    const e = N * d; // image rows of a dual-stream block
    expect(bytes(op(ops, 'img_norm1.autocast_fp32'))).toBe(e * (2 + 4));
    expect(bytes(op(ops, 'img_norm1'))).toBe(e * (4 + 4));
    expect(bytes(op(ops, 'img_modulate1.mul'))).toBe(e * (4 + 4));
    expect(bytes(op(ops, 'img_modulate1.add_shift'))).toBe(e * (4 + 4));
    expect(bytes(op(ops, 'img_modulate1.autocast_bf16'))).toBe(e * (4 + 2));
    // single-stream blocks: image + text rows
    expect(bytes(op(ops, 'single.pre_norm.autocast_fp32'))).toBe((N + L) * d * 6);
    // 20 dual blocks × 2 streams × 2 norms + 40 single + final + 2 refiner norms × 2 refiner blocks
    const casts = ops.filter((o) => o.name.endsWith('.autocast_fp32')).reduce((a, o) => a + o.count, 0);
    expect(casts).toBe(20 * 4 + 40 + 1 + 2 * 2);
  });
});

describe('HunyuanVideo joint attention through xfuser 0.4.0 (ulysses=8)', () => {
  const P = 8;
  const Nl = N / P; // 14850 image rows per GPU
  const ops = hvOps(P);
  it('sends the text query with the image query and attends it on every rank', () => {
    const a = op(ops, 'double.attention');
    expect(a.kind === 'attention' && [a.heads, a.lq, a.lk]).toEqual([24 / P, P * (Nl + L), N + L]);
    expect(bytes(op(ops, 'double.ulysses.all_to_all_q'))).toBe((Nl + L) * d * 2);
    expect(bytes(op(ops, 'double.ulysses.all_to_all_k'))).toBe(Nl * d * 2);
    expect(bytes(op(ops, 'double.ulysses.all_to_all_out'))).toBe((Nl + L) * d * 2);
    expect(bytes(op(ops, 'double.joint_query_cat'))).toBe((Nl + L) * d * 2 * 2);
  });
  it('concatenates this rank’s heads of the text key/value to the gathered ones and merges the output in fp32', () => {
    // gathered key: all N rows × 3 of 24 heads = Nl·d elements; text: 256 rows × 3 heads × 128
    expect(bytes(op(ops, 'single.joint_key_cat'))).toBe((Nl * d + (L * d) / P) * 2 * 2);
    expect(bytes(op(ops, 'single.out_fp32'))).toBe((Nl + L) * d * (2 + 4));
    expect(bytes(op(ops, 'single.out_to_bf16'))).toBe((Nl + L) * d * (4 + 2));
  });
  it('adds none of it on one GPU (the official single-GPU path calls flash_attn_varlen directly)', () => {
    const one = hvOps(1);
    expect(one.some((o) => /joint_|out_fp32/.test(o.name))).toBe(false);
    const a = op(one, 'double.attention');
    expect(a.kind === 'attention' && [a.lq, a.lk]).toEqual([N + L, N + L]);
  });
});

describe('attention rate for lq ≠ lk', () => {
  const p = builtinProfile('h100-sxm')!;
  it('prices a long joint attention with a few hundred extra queries like self-attention', () => {
    const self = p.attentionTflops('flash', 1, 3, 119056, 119056)!;
    const joint = p.attentionTflops('flash', 1, 3, 119056 + 7 * 256, 119056)!;
    expect(Math.abs(joint / self - 1)).toBeLessThan(0.01);
  });
  it('keeps short-key cross-attention on the measured cross points', () => {
    // a measured point: batch 1, 40 heads, lq 32760, lk 512
    expect(p.attentionTflops('flash', 1, 40, 32760, 512)).toBeCloseTo(340.8, 0);
  });
});

describe('CogVideoX VAE conv caches (diffusers autoencoder_kl_cogvideox.py:135-144)', () => {
  it('clones the last 2 input frames of every 3×3×3 causal conv and the whole zq input of every SpatialNorm 1×1 conv', () => {
    const vae = getModel('cogvideox-5b').vae as Parameters<typeof buildDecoderCall>[0];
    const ops = buildDecoderCall(vae, 2, 4, 4, { convCache: true }).builder.ops;
    const cacheBytes = ops.filter((o) => o.name.endsWith('.conv_cache_clone')).reduce((a, o) => a + bytes(o) / 2, 0);
    // hand count in elements, one 2-latent-frame call on a 4×4 latent (resolution and frames per level:
    // mid/up0 512 ch 2×4×4; up1 4 frames 8×8; up2 8 frames 16×16; up3 8 frames 32×32); k=3 convs: C_in × 2 frames;
    // SpatialNorm conv_y and conv_b: 16 × frames × pixels each
    const sn = (t: number, px: number) => 2 * 16 * t * px;
    const res = (cin: number, cout: number, t: number, px: number) => sn(t, px) + cin * 2 * px + sn(t, px) + cout * 2 * px;
    const expected =
      16 * 2 * 16 + // conv_in
      2 * res(512, 512, 2, 16) + // mid
      4 * res(512, 512, 2, 16) + // up0
      res(512, 256, 4, 64) + 3 * res(256, 256, 4, 64) + // up1
      4 * res(256, 256, 8, 256) + // up2
      res(256, 128, 8, 1024) + 3 * res(128, 128, 8, 1024) + // up3
      sn(8, 1024) + 128 * 2 * 1024; // norm_out, conv_out
    expect(expected).toBe(7123456);
    expect(cacheBytes).toBe(expected * 2); // bf16
    // without the option (the reference harness's single call) nothing is cloned
    expect(buildDecoderCall(vae, 2, 4, 4).builder.ops.some((o) => o.name.endsWith('.conv_cache_clone'))).toBe(false);
  });
});

describe('HunyuanVideo VAE mask rows: the measured slice-fill cost (perf/encode-decode-cost.ts)', () => {
  it('the constant is the median ratio of every committed host-loop probe (an H200 host and two H100 hosts)', async () => {
    const { readFileSync, readdirSync } = await import('node:fs');
    const { SLICE_FILL_PER_EAGER_LAUNCH } = await import('../src/perf/encode-decode-cost.ts');
    const files = readdirSync('calibration/host').filter((f) => /^loop-probe-.*\.json$/.test(f));
    const rows = files.flatMap((f) => (JSON.parse(readFileSync(`calibration/host/${f}`, 'utf8')) as { rows: { slice_fill_s: number; inplace_add_s: number }[] }).rows);
    expect(rows).toHaveLength(12);
    const ratios = rows.map((r) => r.slice_fill_s / r.inplace_add_s).sort((a, b) => a - b);
    const median = (ratios[(ratios.length - 1) >> 1]! + ratios[ratios.length >> 1]!) / 2;
    expect(SLICE_FILL_PER_EAGER_LAUNCH).toBeCloseTo(median, 2);
    // every measured ratio is above 1: a slice fill costs more than the profile's in-place add
    expect(ratios[0]!).toBeGreaterThan(1.25);
  });
});

describe('HunyuanVideo VAE decode under fp16 autocast (pipeline_hunyuan_video.py:1071-1082; PyTorch autocast_mode.h AT_FORALL_FP32)', () => {
  const vae = getModel('hunyuan-video').vae as FamilyVaeSpec;
  const N = 512 * 3 * 4 * 4; // mid block of a 3×4×4 latent call: 512 channels
  const P = 512 * (3 + 2) * (4 + 2) * (4 + 2); // its causal conv's replicate-padded input (2 frames before, 1 px around)
  const ew = (ops: Op[], name: string) => bytes(op(ops, name));
  it('GroupNorm casts up and returns fp32; the SiLU and the pad run on fp32; the conv casts back (bytes per element hand-counted)', () => {
    const ops = buildDecoderCall(vae, 3, 4, 4, { autocast: true }).builder.ops;
    expect(ew(ops, 'mid.res0.norm1.autocast_fp32')).toBe(N * (2 + 4));
    expect(ew(ops, 'mid.res0.norm1.moments')).toBe(N * 4);
    expect(ew(ops, 'mid.res0.norm1.apply')).toBe(N * (4 + 4));
    expect(ew(ops, 'mid.res0.silu1')).toBe(N * (4 + 4));
    expect(ew(ops, 'mid.res0.conv1.pad')).toBe(N * 4 + P * 4);
    expect(ew(ops, 'mid.res0.conv1.autocast_cast')).toBe(P * (4 + 2));
    // the residual add of two fp16 conv outputs stays fp16
    expect(ew(ops, 'mid.res0.add')).toBe(3 * N * 2);
    // the mid attention's to_q, to_k, to_v each cast the fp32 GroupNorm output
    expect(ops.filter((o) => /^mid\.attn\.to_[qkv]\.autocast_cast$/.test(o.name))).toHaveLength(3);
    // nearest upsampling is an fp32 op too: its input cast up, an fp32 output 8× (space ×2, ×2) of the 512-ch input
    const up = 512 * 3 * 4 * 4;
    expect(ew(ops, 'up0.interpolate.autocast_fp32')).toBe(up * (2 + 4));
    expect(ew(ops, 'up0.interpolate')).toBe(up * 4 + 4 * up * 4);
  });
  it('a plain fp16 call (what families_measure.py times) has none of it', () => {
    const ops = buildDecoderCall(vae, 3, 4, 4).builder.ops;
    expect(ops.some((o) => o.name.includes('autocast'))).toBe(false);
    expect(ew(ops, 'mid.res0.norm1.moments')).toBe(N * 2);
    expect(ew(ops, 'mid.res0.conv1.pad')).toBe((N + P) * 2);
    // the pipeline's spec says autocast, and the whole decode follows it
    expect(vae.autocast).toBe(true);
  });
});
