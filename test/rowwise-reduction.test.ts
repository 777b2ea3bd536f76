import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { MODELS } from '../src/workload/models.ts';
import { buildDecoderCall } from '../src/workload/families/vae-decoders.ts';
import type { FamilyVaeSpec } from '../src/workload/families/specs.ts';
import { DeviceModel } from '../src/perf/device.ts';
import { ROWWISE_MOMENTS_GBS_PER_BLOCK, rowwiseReductionGBs } from '../src/perf/rowwise-reduction.ts';
import type { ElementwiseOp } from '../src/workload/ops.ts';

const profile = JSON.parse(readFileSync('calibration/families/kernel-profiles/h100-sxm.json', 'utf8')) as {
  cases: { case: string; kernels: { name: string; calls: number; self_device_ms: number }[] }[];
};
const moments = (vae: string) => profile.cases.find((c) => c.case === vae)!.kernels.find((k) => k.name.includes('RowwiseMomentsCUDAKernel'))!;
const groupNorms = (vae: string, lat: [number, number, number]) => {
  const spec = MODELS.find((m) => m.family !== 'wan' && m.vae.id === vae)!.vae as FamilyVaeSpec;
  return buildDecoderCall(spec, ...lat).builder.ops.filter((o): o is ElementwiseOp => o.kind === 'elementwise' && o.rows !== undefined);
};
const dev = new DeviceModel('h100-sxm', { sustained: true, launch: 'eager' });

describe('GroupNorm moments: one thread block per (sample, group) row (perf/rowwise-reduction.ts)', () => {
  it('calibrated on the CogVideoX decoder call: the same 37 GroupNorms, their bytes over the measured kernel time', () => {
    const ops = groupNorms('cogvideox-vae', [2, 30, 45]);
    const k = moments('cogvideox-vae');
    expect(ops.length).toBe(k.calls);
    const bytes = ops.reduce((a, o) => a + o.bytes, 0);
    expect(bytes / (k.self_device_ms / 1e3) / 32 / 1e9).toBeCloseTo(ROWWISE_MOMENTS_GBS_PER_BLOCK, 1);
  });
  it('validated on the HunyuanVideo decoder call (fp16, other shapes): predicted moments time within 5% of the profile', () => {
    const ops = groupNorms('hunyuan-video-vae', [17, 32, 32]);
    const k = moments('hunyuan-video-vae');
    expect(ops.length).toBe(k.calls);
    const s = ops.reduce((a, o) => a + dev.opTime(o).seconds, 0);
    expect(Math.abs(s * 1e3 / k.self_device_ms - 1)).toBeLessThan(0.05);
  });
  it('32 rows use 32 SMs; more rows than SMs run in waves at the whole GPU\'s block rate', () => {
    expect(rowwiseReductionGBs(32, 132)).toBeCloseTo(32 * ROWWISE_MOMENTS_GBS_PER_BLOCK, 9);
    expect(rowwiseReductionGBs(1000, 132)).toBeCloseTo(132 * ROWWISE_MOMENTS_GBS_PER_BLOCK, 9);
  });
});

describe('per-head LayerNorm: one thread block per short row (perf/rowwise-reduction.ts shortRowSeconds)', async () => {
  const { SHORT_ROW_BLOCKS_PER_SM_S, shortRowSeconds } = await import('../src/perf/rowwise-reduction.ts');
  const { reducedDepthModel } = await import('../src/workload/families/depth-config.ts');
  const { buildFamilyDitForward } = await import('../src/workload/families/stages.ts');
  const { priceStage } = await import('../src/perf/stage-cost.ts');
  const dit = JSON.parse(readFileSync('calibration/families/kernel-profiles/h100-sxm-dit.json', 'utf8')) as typeof profile;
  const cog = (id: string, lat: [number, number, number]) => {
    const m = reducedDepthModel(MODELS.find((x) => x.id === id)! as never, 4, MODELS);
    const [pt, ph, pw] = (m.dit as { patch: [number, number, number] }).patch;
    const tokens = Math.ceil(lat[0] / pt) * Math.floor(lat[1] / ph) * Math.floor(lat[2] / pw);
    return priceStage(dev, buildFamilyDitForward(m.dit as never, { tokens, batch: 1, kernel: 'cudnn', linearDtype: 'bf16', fused: false, ulysses: 1, ring: 1, tp: 1, weightsResident: false }).builder.ops);
  };
  it('calibrated on the CogVideoX-5B DiT profile: the 26 LayerNorm kernels = vgsim\'s 18 full-width norms + 8 per-head ones', () => {
    const k = dit.cases.find((c) => c.case === 'cogvideox-5b')!.kernels.find((x) => x.name.includes('vectorized_layer_norm_kernel'))!;
    const norms = cog('cogvideox-5b', [13, 60, 90]).ops.filter((o) => o.kind === 'elementwise' && o.shape.startsWith('norm'));
    const perHead = norms.filter((o) => /norm_[qk]$/.test(o.name));
    // 4 blocks × (norm1, norm2 on text and video rows: 4 kernels in PyTorch, priced as 2 ops over all rows) + 2 final; 8 per-head
    expect(perHead.reduce((a, o) => a + o.count, 0)).toBe(8);
    expect(k.calls).toBe(26);
    const total = norms.reduce((a, o) => a + o.seconds, 0) * 1e3;
    expect(total).toBeCloseTo(k.self_device_ms, 1);
    // 853,248 rows of 64 (48 heads × 17,776 tokens) per call: ~0.95 ms against 0.07 ms for DRAM to stream 218 MB
    expect(shortRowSeconds({ rowBlocks: 48 * 17_776, count: 1 }, 132) * 1e3).toBeCloseTo(0.945, 2);
    expect(shortRowSeconds({ count: 4 }, 132)).toBe(0);
    expect(SHORT_ROW_BLOCKS_PER_SM_S).toBeGreaterThan(6.8e6);
  });
  it('leaves full-width norms bandwidth-bound: 17,776 rows of 3072 retire in a fifth of their streaming time', () => {
    expect(shortRowSeconds({ rowBlocks: 17_776, count: 1 }, 132)).toBeLessThan(0.2 * (17_776 * 3072 * 4) / 2.0e12);
  });
  it('validated on the CogVideoX-1.5-5B forward measured on the H100 (4.1 M rows per call, not used to calibrate): within 5%', () => {
    const measured = JSON.parse(readFileSync('calibration/families/h100-sxm-l4.json', 'utf8')).cases.find((c: { model?: string }) => c.model === 'cogvideox1.5-5b').seconds;
    const now = cog('cogvideox1.5-5b', [21, 96, 170]).seconds;
    expect(Math.abs(now / measured - 1)).toBeLessThan(0.05);
  });
});
