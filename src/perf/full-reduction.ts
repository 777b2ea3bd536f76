/**
 * A reduction of a whole tensor to one scalar (`x.max()`, `x.abs().max()`'s second kernel, the amax of dynamic
 * per-tensor FP8 quantisation): ElementwiseOp kind 'reduce_full', `bytes` = the bytes it reads.
 *
 * Mechanism (pytorch/pytorch aten/src/ATen/native/cuda/Reduce.cuh, one launch): every thread block streams a
 * slice of the input with vectorised loads and reduces it in registers and shared memory, writes one partial to
 * global memory, and the last block to arrive (a semaphore) reduces the partials. The time is the streaming read
 * at the size's rate plus a short serial tail, so the effective rate falls at small sizes, as a copy's does —
 * but the profile's `copy` rows count read + write bytes of a different kernel, and no profile row measures a
 * reduction. So the rate is measured:
 *
 * CALIBRATION: engines_bench.py `reduce` section, case `max_eager` (`ax.max()` of a ready bf16 [m, 5120] tensor;
 * bytes read = m·5120·2) on one H100 SXM (calibration/engines/h100-sxm-attention-reduce.json, torch 2.11.0+cu130,
 * 2026-12-05): effective GB/s at each measured size, interpolated in ln(bytes) and clamped to the measured range
 * (as the profile's memory families are, profile.ts interpLog). Only `max_eager` set it; the section's
 * `abs_max_eager` and `scale_cast_eager` rows and the `quant` section's per-tensor rows are held-out checks
 * (src/perf/engine-kernels.ts). Other GPUs scale it by their memory bandwidth over the H100 SXM's, measured copy
 * rates where known (cross-gpu.ts memoryBandwidthRatio, as device.ts scales every memory-bound family of a
 * borrowed profile).
 */
import { interpLog } from './profile.ts';

/** The GPU the rates below were measured on (catalog id). */
export const FULL_REDUCTION_GPU = 'h100-sxm';

/**
 * (bytes read, GB/s) of `max_eager`: m = 4,096, 32,760, 75,600 rows of 5,120 bf16 →
 * 41,943,040 B in 20.723 µs, 335,462,400 B in 134.024 µs, 774,144,000 B in 275.387 µs.
 */
export const FULL_REDUCTION_GBS: readonly (readonly [number, number])[] = [
  [4096 * 5120 * 2, (4096 * 5120 * 2) / 2.0722856479031698e-5 / 1e9],
  [32760 * 5120 * 2, (32760 * 5120 * 2) / 1.3402399917443594e-4 / 1e9],
  [75600 * 5120 * 2, (75600 * 5120 * 2) / 2.7538666129112247e-4 / 1e9],
];

/** Effective read bandwidth (GB/s) of a full-tensor reduction reading `bytes` on the GPU it was measured on. */
export function fullReductionGBs(bytes: number): number {
  return rateAt(FULL_REDUCTION_GBS, bytes);
}

/** A (bytes, GB/s) table interpolated in ln(bytes), clamped to its measured range. */
function rateAt(table: readonly (readonly [number, number])[], bytes: number): number {
  return interpLog(table.map(([b, g]) => [b, g] as [number, number]), bytes);
}

/**
 * The same reduction compiled by torch.compile (inductor), as the compiled dynamic per-tensor FP8 path runs its
 * amax: a Triton split reduction (`triton_red_fused_abs_max_0`: each program reduces a slice to a partial) and a
 * one-program kernel over the partials that also forms the scale (`triton_per/red_fused__to_copy_abs_div_max_1`,
 * ~1.5 µs). Its first kernel streams at well under the ATen reduction's rate on large tensors: 1.11 TB/s at
 * 335 MB against ATen's 2.50.
 *
 * CALIBRATION: calibration/quant_kernels_probe.py, torch.profiler kernel times of the compiled
 * per_tensor_dynamic_fp8 at m = 4,096 and 32,760 rows of 5,120 bf16 (calibration/engines/
 * h100-sxm-quant-kernels.json, H100 SXM, torch 2.11.0+cu130, 2026-12-05): the first kernel's bytes read / time.
 * CHECKS (held out): the m = 75,600 kernel of the same file (687.7 µs) and engines_bench.py's `quant`
 * per_tensor_dynamic_fp8_compiled rows, which time the whole call (src/perf/engine-kernels.ts).
 */
export const INDUCTOR_FULL_REDUCTION_GBS: readonly (readonly [number, number])[] = [
  [4096 * 5120 * 2, (4096 * 5120 * 2) / 14.0788e-6 / 1e9],
  [32760 * 5120 * 2, (32760 * 5120 * 2) / 301.62995e-6 / 1e9],
];

/** Effective read bandwidth (GB/s) of inductor's split full-tensor reduction, on the GPU it was measured on. */
export function inductorFullReductionGBs(bytes: number): number {
  return rateAt(INDUCTOR_FULL_REDUCTION_GBS, bytes);
}
