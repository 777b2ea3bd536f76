/**
 * Narrow 16-bit convolutions (perf/small-conv.ts) against hand computations from the profile's raw conv rows.
 */
import { describe, expect, it } from 'vitest';
import { builtinProfile } from '../src/perf/profile.ts';
import { belowMeasuredChannels, biasAddBytes, biasAddGBs, layoutBytes, smallConvCore, NCHW_CONV_KERNELS } from '../src/perf/small-conv.ts';
import { STRIDED_ELEMENTWISE_GBS_PER_SM } from '../src/perf/sm-bound-elementwise.ts';
import { DeviceModel } from '../src/perf/device.ts';

const p = builtinProfile('h100-sxm')!;

describe('narrow 16-bit convolutions', () => {
  it('layout passes: input and output read + written once each; the bias add reads + writes the output again, at the strided elementwise rate', () => {
    expect(layoutBytes(64, 100, 32, 100, 2)).toBe(2 * (2 * 64 * 100 + 2 * 32 * 100));
    expect(biasAddBytes(32, 100, 2)).toBe(2 * 2 * 32 * 100);
    // the H100: 132 SMs × 10.28 GB/s (the decoders' aten::add_ rows), below its copy rate; never above the copy rate
    expect(biasAddGBs(132, 2900)).toBeCloseTo(132 * STRIDED_ELEMENTWISE_GBS_PER_SM, 9);
    expect(biasAddGBs(132, 1000)).toBe(1000);
  });

  it('only convs narrower than every measured row of their kind and kernel leave the measured path', () => {
    expect(belowMeasuredChannels(p, 'conv2d', 'bf16', 192, 96, [1, 3, 3])).toBe(false); // a Wan VAE resample conv
    expect(belowMeasuredChannels(p, 'conv3d', 'bf16', 96, 96, [3, 3, 3])).toBe(false);
    expect(belowMeasuredChannels(p, 'conv2d', 'bf16', 64, 64, [1, 3, 3])).toBe(true); // SRVGG's body conv
    expect(belowMeasuredChannels(p, 'conv2d', 'bf16', 192, 64, [1, 3, 3])).toBe(true); // cout below 96
    expect(belowMeasuredChannels(p, 'conv2d', 'fp32', 64, 64, [1, 3, 3])).toBe(false); // fp32 keeps its own path
  });

  it('core rate of a 64->64 3x3 conv at 832x480: the conv3d 96->96 row (the slowest dominating one), its layout time removed', () => {
    // calibration/profiles/h100-sxm.json: conv3d bf16 96->96 k3x3x3, output 4x480x832, input padded 6x482x834
    const row = p.convRows('bf16', false).find((c) => c.kind === 'conv3d' && c.cin === 96 && c.cout === 96 && c.h === 480)!;
    const flops = 2 * 96 * 96 * 27 * 4 * 480 * 832;
    const layout = 2 * (2 * 96 * 6 * 482 * 834 + 2 * 96 * 4 * 480 * 832);
    const bias = 2 * 2 * 96 * 4 * 480 * 832;
    const copyGBs = p.memoryGBs('copy', layout / 2)!;
    const byHand = flops / (row.s - layout / (copyGBs * 1e9) - bias / (132 * STRIDED_ELEMENTWISE_GBS_PER_SM * 1e9)) / 1e12;
    expect(byHand).toBeGreaterThan(row.tflops); // taking the layout passes and the bias add out leaves a faster core
    expect(smallConvCore(p, 480 * 832, 64, 64 * 9, 132)).toBeCloseTo(byHand, 6);
  });

  it('a narrow conv costs its layout passes + its bias add + its core GEMM + 4 kernels, on the profiled GPU', () => {
    const d = new DeviceModel('h100-sxm', { sustained: false, launch: 'eager' });
    const op = { kind: 'conv' as const, name: 'c', group: 'g', count: 1, dims: 2 as const, cin: 64, cout: 64, kernel: [1, 3, 3] as [number, number, number], out: [1, 480, 832] as [number, number, number], dtype: 'fp16' as const, tf32: false };
    const t = d.opTime(op);
    const px = 480 * 832;
    const flops = 2 * 64 * 64 * 9 * px;
    const lb = layoutBytes(64, px, 64, px, 2);
    const copy = p.memoryGBs('copy', lb / 2)!;
    const expected = flops / (smallConvCore(p, px, 64, 576, 132)! * 1e12) + lb / (copy * 1e9) + biasAddBytes(64, px, 2) / (biasAddGBs(132, copy) * 1e9) + NCHW_CONV_KERNELS * d.kernelGapS;
    expect(t.seconds).toBeCloseTo(expected, 12);
    expect(t.kernels).toBe(NCHW_CONV_KERNELS);
    expect(d.raisedNotes.some((n) => n.includes('extrapolated'))).toBe(true);
  });
});
