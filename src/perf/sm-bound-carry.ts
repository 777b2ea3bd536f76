/**
 * Memory-bound kernels whose rate is set by the SMs, not the HBM: how a rate measured on the profiled GPU is carried
 * to another GPU (device.ts memoryGBs, own-kernel-rates.ts).
 *
 * Two kinds of kernel stream below the HBM's rate on the H100 and do not speed up with a faster memory:
 *  - PyTorch's generic (non-vectorised) elementwise loop, as the Wan modulation's broadcast, strided and mixed-dtype
 *    ops run it (ElementwiseKind binary_*): 1.4–2.8 TB/s on the H100 against its 3.0 TB/s copy;
 *  - the Triton kernels torch.compile generates (Inductor: fused pointwise chains, split reductions, the compiled
 *    quantisation and RoPE; ElementwiseOp.triton), and an engine's own Triton kernels (LightX2V's fuse_scale_shift):
 *    each program keeps fewer bytes in flight than PyTorch's vectorised kernels, so it runs at a rate its SMs'
 *    concurrency sets. (SageAttention's Triton input kernels ran 1.05–1.15× on the H200; they have measured rates of
 *    their own, carried as a copy share and an SM share: own-kernel-rates.ts.)
 * Such a rate is carried at the reference's rate per SM, at most this GPU's contiguous rate for the kind.
 *
 * MEASURED on an H200 (132 SMs at the H100's clocks, HBM3e at 4.3 TB/s copy against the H100's 3.0; the H200 is
 * priced from the H100 profile): the vectorised kernels ran 1.39–1.43× the H100's rate, as the bandwidth ratio says,
 * while the generic loop ran 1.02–1.28× (calibration/profiles/incomplete/h200.json: as the binary_* rule's per-SM carry
 * has it, within 2–28%) and Inductor's kernels 0.99–1.06× (calibration/engines/h200.json against
 * h100-sxm.json: the compiled per-token and per-tensor FP8 quantisation 1.05–1.06, the compiled fp32 RoPE 0.99–1.00).
 * Those Inductor rows chose this carry for `triton` ops (test/sm-bound-carry.test.ts); the compiled Wan blocks on
 * the H200 are the check. On a GPU with more SMs the carry scales with the SM count, which no measurement here
 * checks (a B200's Triton kernels may hold more bytes in flight).
 */
import type { GpuSpec } from '../hardware/types.ts';

/**
 * The rate (GB/s) on `gpu` of an SM-bound kernel measured at `refGBs` on `ref`: the reference's rate per SM times
 * this GPU's SMs, at most `contiguousGBs` (this GPU's rate for the kind's contiguous, vectorised form).
 */
export function smBoundCarryGBs(refGBs: number, contiguousGBs: number, gpu: GpuSpec, ref: GpuSpec): number {
  const sms = gpu.smCount ?? ref.smCount!;
  return Math.min(contiguousGBs, (refGBs * sms) / ref.smCount!);
}
