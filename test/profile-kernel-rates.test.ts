/**
 * The per-SM kernel rates calibrated on the HunyuanVideo decoder call's kernel profile (H100) and checked on
 * the CogVideoX decoder call of the same profile (perf/sm-bound-elementwise.ts): nearest upsampling and PyTorch's
 * non-vectorized elementwise loop; replication padding, checked on the Mochi call of the second profile. And the
 * conv rows taken from the LTX-Video and Mochi calls' profiles (calibration), checked on the HunyuanVideo and
 * CogVideoX calls' convolutions. Calibration recomputed from the raw profile;
 * validation = vgsim's op list of the checking call priced on the H100 against the profile's kernel times.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { MODELS } from '../src/workload/models.ts';
import { buildDecoderCall } from '../src/workload/families/vae-decoders.ts';
import type { FamilyVaeSpec } from '../src/workload/families/specs.ts';
import { DeviceModel } from '../src/perf/device.ts';
import { NEAREST_UPSAMPLE_ELEMS_PER_SM_S, nearestUpsampleSeconds, REPLICATION_PAD_ELEMS_PER_SM_S, replicationPadSeconds, STRIDED_ELEMENTWISE_GBS_PER_SM, stridedElementwiseGBs } from '../src/perf/sm-bound-elementwise.ts';
import type { ConvOp, ElementwiseOp, Op } from '../src/workload/ops.ts';

const profile = JSON.parse(readFileSync('calibration/families/kernel-profiles/h100-sxm.json', 'utf8')) as {
  cases: { case: string; kernels: { name: string; calls: number; self_device_ms: number }[] }[];
};
const kernel = (vae: string, name: string) => profile.cases.find((c) => c.case === vae)!.kernels.find((k) => k.name === name)!;
const ops = (vae: string, lat: [number, number, number]): Op[] => {
  const spec = MODELS.find((m) => m.family !== 'wan' && m.vae.id === vae)!.vae as FamilyVaeSpec;
  return buildDecoderCall(spec, ...lat).builder.ops;
};
const upsamples = (o: Op[]) => o.filter((x): x is ElementwiseOp => x.kind === 'elementwise' && x.nearestOutElements !== undefined);
const convOutBytes = (o: Op[]) => o.filter((x): x is ConvOp => x.kind === 'conv').reduce((a, c) => a + c.cout * c.out[0] * c.out[1] * c.out[2] * 2, 0);
const dev = new DeviceModel('h100-sxm', { sustained: true, launch: 'eager' });
const HY: [number, number, number] = [17, 32, 32];
const COG: [number, number, number] = [2, 30, 45];

/**
 * A checking call's SM-bound ops against the profiled kernel: one op per kernel call, their summed `bound` time
 * within `tolerance` of the profile's, and the op's price at least that bound (not the copy bandwidth below it).
 */
function expectSmBound(k: { calls: number; self_device_ms: number }, checked: ElementwiseOp[], bound: (o: ElementwiseOp, sms: number) => number, tolerance: number): void {
  expect(checked.length).toBe(k.calls);
  const s = checked.reduce((a, o) => a + bound(o, 132), 0);
  expect(Math.abs((s * 1e3) / k.self_device_ms - 1)).toBeLessThan(tolerance);
  const priced = checked.reduce((a, o) => a + dev.opTime(o).seconds, 0);
  expect(priced).toBeGreaterThanOrEqual(s);
}

describe('nearest upsampling: one thread per output element (perf/sm-bound-elementwise.ts)', () => {
  it('calibrated on the HunyuanVideo decoder call: its output elements over the 5 kernels\' time', () => {
    const k = kernel('hunyuan-video-vae', 'aten::upsample_nearest3d');
    const elems = upsamples(ops('hunyuan-video-vae', HY)).reduce((a, o) => a + o.nearestOutElements!, 0);
    expect(elems).toBe(512 * 17 * 64 * 64 + 512 * 33 * 128 * 128 + 256 * 65 * 256 * 256);
    expect(elems / (k.self_device_ms / 1e3) / 132 / NEAREST_UPSAMPLE_ELEMS_PER_SM_S).toBeCloseTo(1, 3);
  });
  it('validated on the CogVideoX decoder call: the same 40 interpolations, predicted within 5% of the profile', () => {
    // and the op's price is that SM bound, not the copy bandwidth (~20× faster)
    expectSmBound(kernel('cogvideox-vae', 'aten::upsample_nearest3d'), upsamples(ops('cogvideox-vae', COG)), nearestUpsampleSeconds, 0.05);
  });
});

describe('the non-vectorized elementwise loop (perf/sm-bound-elementwise.ts)', () => {
  it('calibrated on the HunyuanVideo decoder call: its convolutions\' bias adds (read + write of every conv output)', () => {
    const k = kernel('hunyuan-video-vae', 'aten::add_');
    const bytes = 2 * convOutBytes(ops('hunyuan-video-vae', HY));
    expect(bytes / (k.self_device_ms / 1e3) / 132 / 1e9 / STRIDED_ELEMENTWISE_GBS_PER_SM).toBeCloseTo(1, 2);
  });
  it('validated on the CogVideoX decoder call: the 38 causal-conv cats (k_t copies each) within 5% of aten::cat', () => {
    const k = kernel('cogvideox-vae', 'aten::cat');
    const cats = ops('cogvideox-vae', COG).filter((x): x is ElementwiseOp => x.kind === 'elementwise' && x.strided === true && x.name.endsWith('.pad'));
    expect(cats.length).toBe(k.calls);
    expect(cats.reduce((a, c) => a + c.kernels, 0)).toBe(3 * k.calls);
    const s = cats.reduce((a, c) => a + c.bytes, 0) / (stridedElementwiseGBs(132) * 1e9);
    expect(Math.abs((s * 1e3) / k.self_device_ms - 1)).toBeLessThan(0.05);
  });
  it('validated on the CogVideoX decoder call: its 117 bias adds (one per convolution) within 5% of aten::add_', () => {
    const k = kernel('cogvideox-vae', 'aten::add_');
    const o = ops('cogvideox-vae', COG);
    expect(o.filter((x) => x.kind === 'conv').length).toBe(k.calls);
    const s = (2 * convOutBytes(o)) / (stridedElementwiseGBs(132) * 1e9);
    expect(Math.abs((s * 1e3) / k.self_device_ms - 1)).toBeLessThan(0.05);
  });
});

describe('convolutions of the CogVideoX decoder call against its profile (perf/small-conv.ts: 1×1×1 convs below the measured GEMM depth)', () => {
  it('the 117 convs with their bias adds (aten::cudnn_convolution + aten::add_) within 5% of vgsim\'s conv prices', () => {
    const o = ops('cogvideox-vae', COG).filter((x): x is ConvOp => x.kind === 'conv');
    const measured = kernel('cogvideox-vae', 'aten::cudnn_convolution').self_device_ms + kernel('cogvideox-vae', 'aten::add_').self_device_ms;
    const priced = o.reduce((a, c) => a + dev.opTime(c).seconds, 0) * 1e3;
    expect(Math.abs(priced / measured - 1)).toBeLessThan(0.05);
    // the 74 SpatialNorm3D convs (16 → c, 1×1×1) at the measured K ≥ 432 rows' rates would leave it ~22% short
    const k16 = o.filter((c) => c.cin === 16 && c.kernel.join('x') === '1x1x1');
    expect(k16.length).toBe(74);
  });
});

describe('copies of the CogVideoX decoder call against its profile (non-vectorized direct_copy kernels)', () => {
  it('the causal-conv cats (3 copies each) and the 2D-conv frame folds: kernel count and time within 5% of the profile', () => {
    const k = profile.cases.find((c) => c.case === 'cogvideox-vae')!.kernels.find((x) => x.name.includes('direct_copy_kernel_cuda'))!;
    const strided = ops('cogvideox-vae', COG).filter((x): x is ElementwiseOp => x.kind === 'elementwise' && x.strided === true);
    const kernels = strided.reduce((a, c) => a + c.kernels, 0);
    // 38 cats × 3 + 3 folds + 3 unfolds + 2 conv_shortcut copies = 122 of the profile's 126
    expect(kernels).toBe(122);
    expect(kernels).toBeLessThanOrEqual(k.calls);
    const s = strided.reduce((a, c) => a + c.bytes, 0) / (stridedElementwiseGBs(132) * 1e9);
    expect(Math.abs((s * 1e3) / k.self_device_ms - 1)).toBeLessThan(0.05);
  });
});

// the second H100 profile (families_profile.py, 2026-12-05 18:00 UTC): the Mochi and LTX-Video decoder calls, and the
// HunyuanVideo and CogVideoX calls again with each convolution's time by input shape (its layout passes and bias add in)
const profile2 = JSON.parse(readFileSync('calibration/families/kernel-profiles/h100-sxm-vae-2.json', 'utf8')) as {
  cases: { case: string; kernels: { name: string; calls: number; self_device_ms: number }[]; convolutions: { shapes: string; calls: number; device_ms: number }[] }[];
};
const case2 = (vae: string) => profile2.cases.find((c) => c.case === vae)!;
const kernel2 = (vae: string, name: string) => case2(vae).kernels.find((k) => k.name === name)!;
const MOCHI: [number, number, number] = [28, 34, 31];
const pads = (o: Op[]) => o.filter((x): x is ElementwiseOp => x.kind === 'elementwise' && x.replicationPadOutElements !== undefined);

describe('replication padding: one thread per output element (perf/sm-bound-elementwise.ts)', () => {
  it('calibrated on the HunyuanVideo decoder call: 35 F.pad(replicate) calls, their output elements over the kernel time', () => {
    const k = kernel('hunyuan-video-vae', 'aten::replication_pad3d');
    const p = pads(ops('hunyuan-video-vae', HY));
    expect(p.length).toBe(k.calls); // 33 causal 3×3×3 convs + 2 kernel-1 shortcuts (padded by zeros: still a copy)
    const elems = p.reduce((a, o) => a + o.replicationPadOutElements!, 0);
    expect(elems / (k.self_device_ms / 1e3) / 132 / REPLICATION_PAD_ELEMS_PER_SM_S).toBeCloseTo(1, 3);
    // the re-profile of the same call lands within 2%
    expect(Math.abs(kernel2('hunyuan-video-vae', 'aten::replication_pad3d').self_device_ms / k.self_device_ms - 1)).toBeLessThan(0.02);
  });
  it('checked on the Mochi decoder call (fp32): the 38 time pads within 15% of the profile (was −70% at the copy bandwidth)', () => {
    expectSmBound(kernel2('mochi-vae', 'aten::replication_pad3d'), pads(ops('mochi-vae', MOCHI)), replicationPadSeconds, 0.15);
  });
});

/** The profile's convolutions as vgsim conv ops: HunyuanVideo pads in front of the conv, the others pad space in it. */
function profiledConvs(vae: string, dtype: 'fp16' | 'bf16' | 'fp32'): { op: ConvOp; calls: number; ms: number }[] {
  return case2(vae).convolutions.map((r) => {
    const [inp, wt] = JSON.parse(r.shapes.replace(/\[\]/g, 'null')) as number[][];
    const inSpace = vae === 'hunyuan-video-vae' ? 0 : 1;
    const k = inp!.length === 5 ? wt!.slice(2) : [1, ...wt!.slice(2)];
    const ext = inp!.length === 5 ? inp!.slice(2) : [inp![0]! + k[0]! - 1, ...inp!.slice(2)];
    const out = ext.map((e, i) => e - (k[i]! - 1) + (i === 0 ? 0 : 2 * inSpace * Math.floor(k[i]! / 2)));
    const op: ConvOp = { kind: 'conv', name: 'profiled', dims: inp!.length === 5 ? 3 : 2, cin: inp![1]!, cout: wt![0]!, kernel: k as [number, number, number], out: out as [number, number, number], dtype, tf32: true, count: 1, group: 'profiled' };
    return { op, calls: r.calls, ms: r.device_ms };
  });
}
const convError = (rows: ReturnType<typeof profiledConvs>) => rows.reduce((a, r) => a + dev.opTime(r.op).seconds * 1e3 * r.calls, 0) / rows.reduce((a, r) => a + r.ms, 0) - 1;

describe('convolutions at the channel counts the Wan-shaped microbenchmark lacks (calibration/profiles/h100-sxm.json rows from kernel_profile_convs.py)', () => {
  it('calibration: the LTX-Video (bf16) and Mochi (TF32) decoder calls\' 3×3×3 convs are profile rows, priced within 3% (the sustained clock)', () => {
    const three = (rows: ReturnType<typeof profiledConvs>) => rows.filter((r) => r.op.kernel.join('x') === '3x3x3');
    for (const r of [...three(profiledConvs('ltx-video-vae', 'bf16')), ...three(profiledConvs('mochi-vae', 'fp32'))]) {
      expect(Math.abs((dev.opTime(r.op).seconds * 1e3 * r.calls) / r.ms - 1)).toBeLessThan(0.03);
    }
  });
  it('checked on the HunyuanVideo decoder call (fp16): its 12 conv shapes within 10% in all (+44% with the 96-channel rows interpolated), the 128-channel ones within 5%', () => {
    const rows = profiledConvs('hunyuan-video-vae', 'fp16');
    expect(Math.abs(convError(rows))).toBeLessThan(0.1);
    const c128 = rows.filter((r) => r.op.cin === 128 && r.op.cout === 128);
    expect(c128.length).toBe(1);
    expect(Math.abs(convError(c128))).toBeLessThan(0.05);
  });
  it('checked on the CogVideoX decoder call (bf16): its 19 conv shapes within 10% in all', () => {
    expect(Math.abs(convError(profiledConvs('cogvideox-vae', 'bf16')))).toBeLessThan(0.1);
  });
});

describe('the LTX-Video decoder call\'s RMSNorm and timestep modulation against its profile (held out: no rate fitted here)', () => {
  const LTX: [number, number, number] = [16, 22, 38];
  const o = ops('ltx-video-vae', LTX).filter((x): x is ElementwiseOp => x.kind === 'elementwise');
  const ms = (f: (x: ElementwiseOp) => boolean) => o.filter(f).reduce((a, x) => a + dev.opTime(x).seconds, 0) * 1e3;
  const k = (name: string) => kernel2('ltx-video-vae', name).self_device_ms;
  it('the multiplies by a per-row rsqrt and by (1 + scale) broadcast over channels run the non-vectorized loop: within 15% of aten::mul', () => {
    const muls = o.filter((x) => x.name.endsWith('.mul_rsqrt') || x.name.endsWith('.scale_shift'));
    expect(muls.every((x) => x.strided)).toBe(true);
    expect(kernel2('ltx-video-vae', 'aten::mul').calls).toBe(muls.filter((x) => x.name.endsWith('.mul_rsqrt')).length * 2);
    // the scale_shift op holds the multiply and the shift's add: half of it is the multiply
    const priced = ms((x) => x.name.endsWith('.mul_rsqrt')) + ms((x) => x.name.endsWith('.scale_shift')) / 2;
    expect(Math.abs(priced / k('aten::mul') - 1)).toBeLessThan(0.15);
  });
  it('the RMSNorm\'s square and mean over channels within 20% of aten::pow + aten::mean (41 calls each; +16%: vgsim\'s norm-family rate for the mean)', () => {
    expect(o.filter((x) => x.name.endsWith('.pow')).length).toBe(kernel2('ltx-video-vae', 'aten::pow').calls);
    const priced = ms((x) => /\.(pow|mean)$/.test(x.name));
    expect(Math.abs(priced / (k('aten::pow') + k('aten::mean')) - 1)).toBeLessThan(0.2);
  });
});
