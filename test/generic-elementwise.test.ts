/**
 * PyTorch's generic (non-vectorized) elementwise loop as the Wan block's modulation runs it (ElementwiseKind's
 * binary_* kinds): measured rates in the H100 profile (profile_gpu.py memory ops add_bcast … add_wan_modulation),
 * the official block's and the other families' ops mapped onto them, and the gate multiplies and modulation adds checked against the forwards' kernel
 * profiles (nothing fitted to them).
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { builtinProfile, GpuProfile, memoryFamily } from '../src/perf/profile.ts';
import { buildDitForward } from '../src/workload/dit.ts';
import { WAN_MODELS } from '../src/workload/models.ts';
import { DeviceModel } from '../src/perf/device.ts';
import { harnessForwardCost } from '../src/perf/forward-kernel-profiles.ts';
import type { ElementwiseOp } from '../src/workload/ops.ts';
import { buildFamilyDitForward } from '../src/workload/families/stages.ts';
import { getModel } from '../src/workload/request.ts';

const p = builtinProfile('h100-sxm')!;
const m13 = WAN_MODELS.find((x) => x.id === 'wan2.1-t2v-1.3b')!;
const block = (perToken: boolean, castWeights = false) => buildDitForward({ ...m13.dit, perTokenTimestep: perToken }, { tokens: 7800, batch: 1, kernel: 'cudnn', linearDtype: 'bf16', fused: false, ulysses: 1, ring: 1, tp: 1, weightsResident: true, part: 'block', castWeights }).builder.ops.filter((o): o is ElementwiseOp => o.kind === 'elementwise');
const op = (ops: ElementwiseOp[], name: string) => ops.find((o) => o.name === name)!;

describe('the generic loop\'s measured rates (H100 SXM, CUDA graphs, HBM-bound)', () => {
  it('each measured op maps to its kind', () => {
    expect(['add_bcast', 'mul_bcast', 'add_bcast6', 'add_strided', 'mul_cast_bcast', 'mul_cast_strided', 'add_cast_bcast6', 'mul_bcast_bf16row', 'mul_bcast16', 'add_bcast16', 'add_wan_modulation'].map(memoryFamily)).toEqual(['binary_bcast', 'binary_bcast', 'binary_bcast', 'binary_strided', 'binary_cast_bcast', 'binary_cast_strided', 'binary_bcast_bf16', 'binary_bcast_bf16', 'binary_bcast16', 'binary_bcast16', 'binary_wan_modulation']);
  });
  it('at 1 GB: contiguous 3.05 TB/s; fp32 with a broadcast row 2.49, a strided view 2.76, a bf16 row 2.1, a cast bf16 operand 1.41 (broadcast) and 1.68 (strided); bf16 with a bf16 row 1.60; the Wan modulation add as written 1.78', () => {
    const at = (k: string) => p.memoryGBs(k, 1e9)! / 1000;
    expect(at('binary')).toBeCloseTo(3.05, 1);
    expect(at('binary_bcast')).toBeCloseTo(2.49, 1);
    expect(at('binary_strided')).toBeCloseTo(2.76, 1);
    expect(at('binary_bcast_bf16')).toBeCloseTo(2.1, 1);
    expect(at('binary_cast_bcast')).toBeCloseTo(1.41, 1);
    expect(at('binary_cast_strided')).toBeCloseTo(1.68, 1);
    expect(at('binary_bcast16')).toBeCloseTo(1.6, 1);
    expect(at('binary_wan_modulation')).toBeCloseTo(1.78, 1);
  });
  it('on another GPU: the H100\'s rate per SM, at most that GPU\'s contiguous rate (an RTX 4090\'s memory, not its SMs, bounds the loop)', () => {
    const h100 = new DeviceModel('h100-sxm', { sustained: true, launch: 'eager' });
    const a100 = new DeviceModel('a100-sxm-80g', { sustained: true, launch: 'eager' });
    const rtx = new DeviceModel('rtx4090', { sustained: true, launch: 'eager' });
    for (const k of ['binary_bcast16', 'binary_wan_modulation', 'binary_cast_strided']) {
      expect(a100.memoryGBs(k, 1e9)).toBeCloseTo(Math.min(a100.memoryGBs('binary', 1e9), (h100.memoryGBs(k, 1e9) * 108) / 132), 6);
      expect(rtx.memoryGBs(k, 1e9)).toBeCloseTo(rtx.memoryGBs('binary', 1e9), 6);
    }
  });
  it('a profile without them prices them as contiguous binary ops, not as copies', () => {
    const raw = JSON.parse(readFileSync('calibration/profiles/h100-sxm.json', 'utf8'));
    const old = new GpuProfile({ ...raw, memory_bound: raw.memory_bound.filter((r: { op: string }) => !memoryFamily(r.op).startsWith('binary_')) }, 'test');
    expect(old.memoryGBs('binary_cast_bcast', 1e9)).toBe(old.memoryGBs('binary', 1e9));
  });
});

describe('the official block\'s modulation on those kinds (dit-kernels.ts officialSites, dit.ts)', () => {
  it('per-token modulation (Wan2.2 code): the add of the bf16 [1, 6, d] modulation, strided chunks for shift and gate', () => {
    const ops = block(true);
    expect(op(ops, 'modulation_add').ew).toBe('binary_wan_modulation');
    expect(op(block(true, true), 'modulation_add').ew).toBe('binary_wan_modulation'); // fp32 weights: that form was not measured; the bf16 one bounds it
    expect(op(ops, 'norm1_modulate.one_plus_scale').ew).toBe('binary_strided');
    expect(op(ops, 'norm1_modulate.mul').ew).toBe('binary');
    expect(op(ops, 'norm1_modulate.add_shift').ew).toBe('binary_strided');
    expect(op(ops, 'self_attn.residual.gate_mul').ew).toBe('binary_cast_strided');
    // bytes per element of the [L, d] activation: gate = bf16 y + fp32 gate row + fp32 out
    expect(op(ops, 'self_attn.residual.gate_mul').bytes).toBe(7800 * 1536 * (2 + 4 + 4));
  });
  it('a [B, 6, d] modulation (Wan2.1 code): 1 + e[1] is one row, the mul and the shift broadcast it, the gate casts y', () => {
    const ops = block(false);
    expect(op(ops, 'modulation_add').ew).toBe('binary');
    expect(op(ops, 'norm1_modulate.one_plus_scale').bytes).toBe(0);
    expect(op(ops, 'norm1_modulate.mul').ew).toBe('binary_bcast');
    expect(op(ops, 'norm1_modulate.mul').bytes).toBe(7800 * 1536 * 8);
    expect(op(ops, 'norm1_modulate.add_shift').ew).toBe('binary_bcast');
    expect(op(ops, 'ffn.residual.gate_mul').ew).toBe('binary_cast_bcast');
    expect(op(ops, 'ffn.residual.gate_mul').bytes).toBe(7800 * 1536 * (2 + 4));
  });
});

describe('the other families\' modulation (families/dit-kit.ts): per-sample rows broadcast over the tokens', () => {
  const ewOps = (id: string) => buildFamilyDitForward(getModel(id).dit as never, { tokens: 4096, batch: 1, kernel: 'fa2', linearDtype: 'bf16', fused: false, ulysses: 1, ring: 1, tp: 1, weightsResident: false }).builder.ops.filter((o): o is ElementwiseOp => o.kind === 'elementwise');
  it('CogVideoX: its bf16 modulate and gate multiplies broadcast a bf16 row (binary_bcast16)', () => {
    const ops = ewOps('cogvideox-5b');
    const kinds = new Set(ops.filter((o) => /modulate\.(mul|add_shift)$|gate_mul$/.test(o.name)).map((o) => o.ew));
    expect([...kinds]).toEqual(['binary_bcast16']);
  });
  it('HunyuanVideo: its fp32 modulate takes bf16 rows (binary_bcast_bf16)', () => {
    const ops = ewOps('hunyuan-video');
    const mods = ops.filter((o) => /mod.*\.(mul|add_shift)$/.test(o.name));
    expect(mods.length).toBeGreaterThan(0);
    expect(new Set(mods.map((o) => o.ew))).toEqual(new Set(['binary_bcast_bf16']));
  });
});

describe('checked on the forwards\' kernel profiles (calibration/host/forward-kernels-h100-sxm-*.json)', () => {
  const GATE = 'elementwise_kernel<128, 4, at::native::gpu_kernel_impl<at::native::BinaryFunctor<float, float, float, at::native::binary_internal::MulFunctor<float> >';
  const MODADD = 'elementwise_kernel<128, 4, at::native::gpu_kernel_impl<at::native::CUDAFunctor_add<float> >';
  const cases = ['wan2.1-t2v-1.3b', 'wan2.1-t2v-14b', 'wan2.2-ti2v-5b'].flatMap((model) => {
    const kp = JSON.parse(readFileSync(`calibration/host/forward-kernels-h100-sxm-${model}.json`, 'utf8')) as { layers: number; rows: { shape: string; tokens: number; kernels: [string, number, number][] }[] };
    return kp.rows.map((r) => {
      const priced = harnessForwardCost('h100-sxm', model, kp.layers, r.tokens).ops;
      const price = (re: RegExp) => priced.filter((o) => re.test(o.name)).reduce((a, o) => a + o.seconds, 0);
      const kernels = (name: string) => r.kernels.filter((k) => k[0].includes(name));
      return { id: `${model} ${r.shape}`, tokens: r.tokens, layers: kp.layers, gate: [price(/gate_mul$/), kernels(GATE)], modAdd: [price(/^modulation_add$/), kernels(MODADD)] } as const;
    });
  });
  it('the gate multiplies (bf16 y × a strided fp32 gate: 2 a block) within 5% of their kernels wherever a forward has 4,000 tokens or more', () => {
    for (const c of cases) {
      const [priced, ks] = c.gate;
      expect(ks.reduce((a, k) => a + k[1], 0), c.id).toBe(2 * c.layers);
      const measured = ks.reduce((a, k) => a + k[2], 0);
      if (c.tokens >= 4000) expect(Math.abs(priced / measured - 1), c.id).toBeLessThan(0.05);
    }
  });
  it('the modulation add (the bf16 [1, 1, 6, d] parameter + the fp32 per-token e, as written) within 5% of its kernels in every forward', () => {
    for (const c of cases) {
      const [priced, ks] = c.modAdd;
      expect(ks.reduce((a, k) => a + k[1], 0), c.id).toBe(c.layers + 1); // and the head's own
      const measured = (ks.reduce((a, k) => a + k[2], 0) * c.layers) / (c.layers + 1); // the head's smaller add taken out, roughly
      expect(Math.abs(priced / measured - 1), c.id).toBeLessThan(0.05);
    }
  });
});
