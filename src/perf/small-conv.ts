/**
 * 16-bit convolutions with fewer channels than any the profile measured (the post-processing networks' 3–192
 * channel 2D convs; the profile's conv rows are Wan VAE shapes, conv2d cin ≥ 192, cout ≥ 96), or, for a kernel shape
 * the profile never measured, a shallower implicit GEMM (K = cin × kernel volume) than every measured row: the
 * 1×1×1 convs of CogVideoX's SpatialNorm3D (16 → 128-512 channels, K = 16) and of Mochi's projections.
 * CHECKED on the CogVideoX decoder call's H100 kernel profile (calibration/families/kernel-profiles/h100-sxm.json):
 * its 117 convolutions with their bias adds take 28.15 + 12.04 = 40.19 ms; vgsim's op list of the same call is within
 * 5% with the 74 K = 16 convs on this path (~22% short when they took the measured K ≥ 432 rows' rates).
 *
 * Mechanism. PyTorch hands cuDNN NCHW tensors (the default layout, as calibration/profile_gpu.py and
 * calibration/postprocess_bench.py use). cuDNN's 16-bit tensor-core kernels are NHWC, so one call is
 *   nchw→nhwc of the input (read + write the input),  the implicit-GEMM core,  nhwc→nchw of the output
 *   (read + write the output),  and PyTorch's separate bias add (read + write the output):
 * evidence: the profile's bf16 conv2d rows allocate a cuDNN workspace of 1.00–1.06 × (input + output) bytes
 * (calibration/profiles/h100-sxm.json, conv[].workspace_bytes): the NHWC copies. The layout passes scale with
 * channels, the core's FLOPs with channels², so the passes weigh most in the narrow convs here.
 *
 * Price = layout bytes at the copy bandwidth + the bias add at the rate of PyTorch's strided elementwise loop
 * (a broadcast over channels: elementwise_kernel<128, 4>, sm-bound-elementwise.ts, which the decoder profiles'
 * aten::add_ rows calibrate and check) + FLOPs at a core rate. Core rates come from the profile's 16-bit conv
 * rows (F.conv3d/conv2d with bias) with their own layout passes and bias add taken out (each row's time − its
 * layout bytes at the reference GPU's measured copy rate − its bias bytes at that GPU's strided rate), as
 * implicit GEMMs: M = output pixels, N = cout, K = cin × kernel volume, conv2d
 * and conv3d rows pooled (the core is the same tensor-core GEMM mainloop). A GEMM no larger in M, N and K than
 * a measured one cannot run its tensor cores more fully (fewer output tiles, emptier tiles in N, a shorter
 * K loop), so the core rate is the SLOWEST measured core among the rows at least as large in every dimension
 * (M, N, K beyond the measured maximum taken at the maximum; failing that, the rows as large in N and K). That is an upper bound on the rate: an
 * extrapolation, said in the estimate's notes, and likely optimistic for N ≤ 64 and K ≤ 576 (the profile's
 * 16→384 rows, K = 432, run their core at 42–85 TFLOP/s).
 * Kernels: 4 per call (two layout transforms, the conv, the bias add).
 */
import type { ConvPoint, GpuProfile } from './profile.ts';
import { stridedElementwiseGBs } from './sm-bound-elementwise.ts';

export interface SmallConv {
  /** Core implicit-GEMM rate on the profiled GPU, TFLOP/s. */
  coreTflops: number;
  /** Bytes of the two layout passes (read + write each). */
  layoutBytes: number;
  kernels: number;
}

export const SMALL_CONV_NOTE =
  'convolutions with fewer channels (or a shallower GEMM: a 1×1×1 kernel over few channels) than the profile measured (the post-processing networks, the 1×1×1 convs of some decoders) are extrapolated: NCHW layout passes at the copy bandwidth, the bias add at PyTorch\'s strided elementwise rate + the implicit-GEMM core at the slowest measured core no smaller in M, N and K (small-conv.ts), an upper bound on the rate';

/** Kernels one NCHW 16-bit cuDNN conv with bias launches: nchw→nhwc, conv, nhwc→nchw, bias add. */
export const NCHW_CONV_KERNELS = 4;

const is16 = (dtype: string) => dtype === 'bf16' || dtype === 'fp16';

function inputPixels(c: ConvPoint): number {
  const [kt, kh, kw] = c.kernel as [number, number, number];
  return c.kind === 'conv3d' ? (c.n ?? 1) * (c.t + kt - 1) * (c.h + kh - 1) * (c.w + kw - 1) : (c.n ?? 1) * (c.h + kh - 1) * (c.w + kw - 1);
}

/** Bytes of a conv's two NCHW⇄NHWC layout passes: input read + written, output read + written (bytes per element `eb`). */
export function layoutBytes(cin: number, inPixels: number, cout: number, outPixels: number, eb: number): number {
  return eb * (2 * cin * inPixels + 2 * cout * outPixels);
}

/** Bytes of PyTorch's separate bias add after a cuDNN conv: the output read + written. */
export function biasAddBytes(cout: number, outPixels: number, eb: number): number {
  return eb * 2 * cout * outPixels;
}

/** Bias-add rate (GB/s) on a GPU of `sms` SMs: the strided elementwise loop, never above the copy rate. */
export function biasAddGBs(sms: number, copyGBs: number): number {
  return Math.min(copyGBs, stridedElementwiseGBs(sms));
}

/**
 * Whether a 16-bit conv lies below the channel range the profile measured for its kind and kernel (the rows
 * convTflops interpolates among): fewer input or output channels than every such row.
 */
export function belowMeasuredChannels(profile: GpuProfile, kind: 'conv2d' | 'conv3d', dtype: string, cin: number, cout: number, kernel: number[]): boolean {
  if (!is16(dtype)) return false;
  const rows = profile.convRows('bf16', false);
  const same = rows.filter((c) => c.kind === kind && c.kernel.join('x') === kernel.join('x'));
  const pts = same.length ? same : rows.filter((c) => c.kind === kind);
  if (pts.length === 0) return false;
  if (cout < Math.min(...pts.map((c) => c.cout))) return true;
  // the GEMM depth K = cin × kernel volume: with rows of the same kernel this is the channel test; a kernel the
  // profile never measured (the 1×1×1 convs of CogVideoX's SpatialNorm3D and Mochi's projections) is below the
  // measured range when its K is below every row's (a 16-channel 1×1×1 conv is a K = 16 GEMM whose time is its
  // layout passes and bias add, not the K ≥ 432 rows' tensor-core rate)
  const kvol = (k: number[]) => k.reduce((a, b) => a * b, 1);
  return cin * kvol(kernel) < Math.min(...pts.map((c) => c.cin * kvol(c.kernel)));
}

/** The core rate of an implicit GEMM (M, N, K) by the dominance bound over the profile's 16-bit conv rows (`sms`: the profiled GPU's SMs). */
export function smallConvCore(profile: GpuProfile, m: number, n: number, k: number, sms: number): number | undefined {
  const rows = profile.convRows('bf16', false);
  if (rows.length === 0) return undefined;
  const cores = rows.map((c) => {
    const outPx = (c.n ?? 1) * c.t * c.h * c.w;
    const flops = 2 * c.cin * c.cout * c.kernel.reduce((a, b) => a * b, 1) * outPx;
    const lb = layoutBytes(c.cin, inputPixels(c), c.cout, outPx, 2);
    const copy = profile.memoryGBs('copy', lb / 2) ?? 0;
    const passesS = copy > 0 ? lb / (copy * 1e9) + biasAddBytes(c.cout, outPx, 2) / (biasAddGBs(sms, copy) * 1e9) : 0;
    const coreS = c.s - passesS;
    return { m: outPx, n: c.cout, k: c.cin * c.kernel.reduce((a, b) => a * b, 1), tflops: coreS > 0 ? flops / coreS / 1e12 : c.tflops };
  });
  const maxM = Math.max(...cores.map((c) => c.m));
  const maxN = Math.max(...cores.map((c) => c.n));
  const maxK = Math.max(...cores.map((c) => c.k));
  const [mm, nn, kk] = [Math.min(m, maxM), Math.min(n, maxN), Math.min(k, maxK)];
  // no row as large in all three (e.g. many pixels and many output channels): as large in N and K (more pixels only
  // add waves); none of those either: undefined, and the caller interpolates as for measured shapes
  const dominating = cores.filter((c) => c.m >= mm && c.n >= nn && c.k >= kk);
  const inNK = dominating.length ? dominating : cores.filter((c) => c.n >= nn && c.k >= kk);
  return inNK.length ? Math.min(...inNK.map((c) => c.tflops)) : undefined;
}
