/**
 * Carrying a measured tensor-core convolution to a GPU without its own profile. PyTorch hands cuDNN NCHW tensors;
 * cuDNN's bf16 and TF32 tensor-core kernels are NHWC, so a profile conv row's time holds the two layout passes
 * (input and output, read + written, memory-bound: small-conv.ts), PyTorch's separate bias add (the strided
 * elementwise loop, SM-bound: sm-bound-elementwise.ts) and the implicit-GEMM core (compute-bound). Carrying the whole
 * row at the compute ratio, as vgsim used to, gives a GPU with the H100's tensor rate and more memory bandwidth the
 * H100's convolution time.
 *
 * Here the row is split: the core is the row's time less its layout passes at the reference GPU's measured copy rate
 * and its bias add at that GPU's strided rate; the core is carried at the compute ratio (cross-gpu.ts), the passes
 * are priced at the target's copy rate and its strided rate (device.ts `nchwConv`, as for convolutions narrower than
 * the profile measured). FP32 without TF32 runs CUDA-core kernels on NCHW directly: carried whole, as before.
 *
 * CHECKED (held out) on the H200's own conv rows (calibration/profiles/incomplete/h200.json, 2026-12-06: the same
 * 111 Wan-VAE shapes as the H100 profile): the H100 rows carried whole are slow by a median of 11.9% (TF32) and 5.3%
 * (bf16) and equal for plain FP32 (−0.6%); split, TF32 +6.6% and bf16 +1.8% (test/conv-layout-carry.test.ts).
 */

import { biasAddBytes, biasAddGBs, layoutBytes } from './small-conv.ts';
import { opFlops, type Op } from '../workload/ops.ts';

type ConvShape = { cin: number; cout: number; kernel: number[]; out: number[]; inputHW?: [number, number] };

/** Bytes per call of a conv's NCHW⇄NHWC passes and bias add (input extent: `inputHW`, else the output's, plus the kernel's frames). */
export function convPassBytes(op: ConvShape, eb: number): { layout: number; bias: number } {
  const inHW = op.inputHW ? op.inputHW[0] * op.inputHW[1] : op.out[1]! * op.out[2]!;
  const outPx = op.out[0]! * op.out[1]! * op.out[2]!;
  const inPx = (op.out[0]! + op.kernel[0]! - 1) * inHW;
  return { layout: layoutBytes(op.cin, inPx, op.cout, outPx, eb), bias: biasAddBytes(op.cout, outPx, eb) };
}

/**
 * The core rate (TFLOP/s) inside a measured row of `rowTflops` for one call of `op` (bytes per element `eb`): the
 * row's time less its layout passes at the reference GPU's copy rate (`refCopyGBs` at a pass's bytes) and its bias
 * add at that GPU's strided rate (`refSms` SMs), never above the reference's dense peak.
 */
export function rowCoreTflops(op: Extract<Op, { kind: 'conv' }>, eb: number, rowTflops: number, refCopyGBs: (bytes: number) => number, refSms: number, peakTflops: number): number {
  const { layout, bias } = convPassBytes(op, eb), copy = refCopyGBs(layout / 2);
  const flops = opFlops(op);
  const coreS = Math.max(flops / (rowTflops * 1e12) - layout / (copy * 1e9) - bias / (biasAddGBs(refSms, copy) * 1e9), flops / (peakTflops * 1e12));
  return flops / coreS / 1e12;
}
