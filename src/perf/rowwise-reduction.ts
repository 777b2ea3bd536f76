/**
 * Row-parallel reductions with one thread block per row (PyTorch's GroupNorm moments kernel,
 * RowwiseMomentsCUDAKernel<<<N × G, ...>>>): with N × G = 32 rows (batch 1, 32 groups) only 32 of an H100's
 * 132 SMs stream the tensor, each at the rate one block sustains, so the pass runs far below the GPU's bandwidth.
 *
 * Per-block rate: 2.50 GB/s, CALIBRATED on the CogVideoX decoder call's kernel profile on an H100 (torch 2.11,
 * cuDNN 9.19; calibration/families/kernel-profiles/h100-sxm.json, calibration/families_profile.py): its 37
 * GroupNorms (bf16, 32 rows each) read 2.610 GB (vgsim's op list, the same 37 calls) in 32.6 ms of
 * RowwiseMomentsCUDAKernel time → 80.1 GB/s over 32 blocks. VALIDATED on the HunyuanVideo decoder call of the
 * same profile (fp16, 30 GroupNorms, 11.29 GB): predicted 141 ms against 141.9 ms measured (test/rowwise-reduction.test.ts).
 * Other GPUs take the H100's per-block rate (an SM-level figure; extrapolated).
 */
export const ROWWISE_MOMENTS_GBS_PER_BLOCK = 2.61e9 / 0.0326 / 32 / 1e9;

/** Bandwidth (GB/s) of a one-block-per-row reduction over `rows` rows on a GPU of `sms` SMs. */
export function rowwiseReductionGBs(rows: number, sms: number): number {
  return Math.min(rows, sms) * ROWWISE_MOMENTS_GBS_PER_BLOCK;
}
