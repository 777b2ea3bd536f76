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
