/**
 * SageAttention's own input kernels, priced at their measured rates. Every `sageattn` call quantises its inputs
 * before the attention kernel (thu-ml/SageAttention@d1a57a5:sageattention/core.py; src/workload/attention-kernels.ts):
 *
 *  - sage_int8_qk_thread  per_thread_int8_triton: Q and K (K less its mean) to INT8 with per-thread scales, two
 *    Triton kernels (sageattention/triton/quant_per_thread.py), the SM90 sage2 path;
 *  - sage_int8_qk_block   per_block_int8_triton: the same with per-block scales (triton/quant_per_block.py), sage1;
 *  - sage_fp8_v           per_channel_fp8: V transposed and padded to a multiple of 64 tokens
 *    (transpose_pad_permute_cuda) then quantised to FP8 per channel (scale_fuse_quant_cuda), two CUDA kernels
 *    (sageattention/quant.py), the SM90 sage2 path.
 *
 * `bytes` is what vgsim counts for the op (read + written: 3 bytes an element of Q and K for the INT8 kernels;
 * for V the transpose's read and write and the quantisation's read and FP8 write, 7 bytes an element of padded V).
 * These kernels stream well under a copy's rate (the INT8 ones compute a max per group of 16–128 values and a
 * division per element): priced at the copy rate before they were measured, they came out about 2× fast.
 *
 * CALIBRATION: engines_bench.py `sage_split` (calibration/engines/h100-sxm-sage-split.json: SageAttention built on
 * one H100 SXM by sage_build_bench.sh, torch 2.11.0+cu130, 2026-12-06; 40 heads × 128, NHD), the kernels timed
 * alone on Wan's tensors: effective GB/s (bytes / measured time) at 4,096, 16,384 and 75,600 tokens, interpolated
 * in ln(bytes per kernel) and clamped to that range (as full-reduction.ts). The same file's rows at 1,024, 27,280
 * and 32,760 tokens and every whole `sageattn` call are held-out checks (src/perf/engine-kernels.ts). Other GPUs
 * carry the rate as a copy share and an SM-bound share (own-kernel-rates.ts `ownKernelGBsOn`), checked on an H200.
 */
import { interpLog } from './profile.ts';

export type SageInputKind = 'sage_int8_qk_thread' | 'sage_int8_qk_block' | 'sage_fp8_v';

/** The token counts whose rows set the rates below (the file's other rows are checks). */
export const SAGE_INPUT_CALIBRATION_LENGTHS: readonly number[] = [4096, 16384, 75600];

const E = (L: number) => 40 * L * 128; // elements of Q (or K, or V) at L tokens, 40 heads × 128
const VP = (L: number) => 40 * (L + ((128 - (L % 128)) % 128)) * 128; // padded V

/** Bytes one op of each kind moves at L tokens (two kernels an op), as attention-kernels.ts counts them. */
const SAGE_INPUT_OP_BYTES: Record<SageInputKind, (L: number) => number> = {
  sage_int8_qk_thread: (L) => 2 * E(L) * 3,
  sage_int8_qk_block: (L) => 2 * E(L) * 3,
  sage_fp8_v: (L) => VP(L) * 7,
};

/** Measured seconds of each kind's op at SAGE_INPUT_CALIBRATION_LENGTHS (the file's sage2_quant_qk, sage1_quant_qk, sage2_quant_v rows). */
const MEASURED_S: Record<SageInputKind, readonly number[]> = {
  sage_int8_qk_thread: [1.3582857166017804e-4, 5.155600011348724e-4, 2.3537280559539795e-3],
  sage_int8_qk_block: [1.1602933208147686e-4, 4.123893181482951e-4, 1.8539519906044005e-3],
  sage_fp8_v: [1.2665371383939472e-4, 5.051839947700501e-4, 2.3921440839767454e-3],
};

/** (bytes per kernel, GB/s) of a kind at the calibration lengths: the op's bytes over its measured seconds. */
const rates = (kind: SageInputKind): readonly (readonly [number, number])[] =>
  SAGE_INPUT_CALIBRATION_LENGTHS.map((L, i) => [SAGE_INPUT_OP_BYTES[kind](L) / 2, SAGE_INPUT_OP_BYTES[kind](L) / MEASURED_S[kind][i]! / 1e9] as const);

/** Per kind: (bytes per kernel, GB/s) at SAGE_INPUT_CALIBRATION_LENGTHS. */
export const SAGE_INPUT_GBS: Record<SageInputKind, readonly (readonly [number, number])[]> = {
  sage_int8_qk_thread: rates('sage_int8_qk_thread'),
  sage_int8_qk_block: rates('sage_int8_qk_block'),
  sage_fp8_v: rates('sage_fp8_v'),
};

export function isSageInputKind(family: string): family is SageInputKind {
  return family in SAGE_INPUT_GBS;
}

/** Effective bandwidth (GB/s) of one of SageAttention's input kernels moving `bytes` per kernel, on the GPU it was measured on. */
export function sageInputGBs(kind: SageInputKind, bytes: number): number {
  return interpLog(SAGE_INPUT_GBS[kind].map(([b, g]) => [b, g] as [number, number]), bytes);
}
