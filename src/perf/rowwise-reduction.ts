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

/**
 * The rate is one of elements (2.50 GB/s of 16-bit elements a block): a block's Welford loop, not its loads, sets
 * it. MEASURED: the HunyuanVideo decoder call under fp16 autocast, whose 30 GroupNorms get fp32 inputs, spends
 * 0.1429 s in RowwiseMomentsCUDAKernel<float> against 0.1420 s in <Half> for the same call plain
 * (calibration/families/vae-autocast/h100-sxm.json, its kernel profiles: H100, torch 2.11).
 */
const RATE_ELEMENT_BYTES = 2;

/** Bandwidth (GB/s) of a one-block-per-row reduction over `rows` rows on a GPU of `sms` SMs, of elements of `elementBytes` (default 2). */
export function rowwiseReductionGBs(rows: number, sms: number, elementBytes = RATE_ELEMENT_BYTES): number {
  return (Math.min(rows, sms) * ROWWISE_MOMENTS_GBS_PER_BLOCK * elementBytes) / RATE_ELEMENT_BYTES;
}

/**
 * The other regime of a one-block-per-row kernel: many short rows. PyTorch's LayerNorm forward on CUDA
 * (layer_norm_kernel.cu, launch_vectorized_layer_norm_kernel: `blocks(M)`, `threads(warp_size, num_threads() /
 * warp_size)` = 128 threads, one row per block) over a per-head LayerNorm (CogVideoX's norm_q/norm_k on
 * [B, heads, S, 64]: M = B·heads·S rows of 64) launches ~10⁶ blocks that each load 128 bytes, reduce with
 * warp shuffles and two __syncthreads rounds, and write 128 bytes: the time is set by how fast the SMs retire
 * blocks, not by DRAM bandwidth.
 *
 * Rows per second per SM: 6.84e6, CALIBRATED on the CogVideoX-5B DiT kernel profile on an H100 (4 blocks,
 * 13×60×90 latent, torch 2.11, cuDNN 9.19; calibration/families/kernel-profiles/h100-sxm-dit.json): its 26
 * vectorized_layer_norm_kernel calls take 8.697 ms; the 18 full-width ones (norm1/norm2 of the text and video rows,
 * the final two; 3072 per row) are priced by vgsim's memory rate at 1.136 ms, leaving 7.561 ms for the 8
 * per-head ones over 48 × 17,776 = 853,248 rows each → 1.108 ns per row on 132 SMs. VALIDATED on the
 * CogVideoX-1.5-5B forwards (4.1·10⁶ rows per call, measured on the H100 and the H200 in
 * calibration/families/; test/family-measurements.test.ts); the CogVideoX-5B rows of those files are not
 * independent of this rate. Other GPUs take the H100's per-SM rate (extrapolated).
 */
export const SHORT_ROW_BLOCKS_PER_SM_S = (8 * 853_248) / (8.697e-3 - 1.136e-3) / 132;

/**
 * Seconds the SMs of a GPU (`sms`) need at least to retire the blocks of `count` executions of a kernel with one
 * block per short row (`rowBlocks` blocks each); 0 for a kernel that does not say (bandwidth alone prices it).
 */
export function shortRowSeconds(op: { rowBlocks?: number; count: number }, sms: number): number {
  return op.rowBlocks === undefined ? 0 : (op.count * op.rowBlocks) / (SHORT_ROW_BLOCKS_PER_SM_S * sms);
}
