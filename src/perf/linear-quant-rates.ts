/**
 * INT8 GEMM rates. NOT MEASURED HERE (the profile measures bf16, fp8, tf32 and fp32 GEMMs): an INT8 GEMM of a
 * shape is priced as the measured FP8 GEMM of that shape × the INT8/FP8 dense-peak ratio where the GPU has
 * FP8 tensor cores, else as the BF16 GEMM × the INT8/BF16 ratio.
 *   Hopper and Ada: INT8 and FP8 tensor peaks are equal (NVIDIA H100 datasheet: FP8 3,958 TFLOPS and INT8
 *   3,958 TOPS, both "with sparsity"; L40S datasheet: FP8 1,466 TFLOPS and INT8 1,466 TOPS with sparsity).
 *   Ampere: INT8 is twice BF16 (NVIDIA A100 datasheet: BF16 312 TFLOPS, INT8 624 TOPS, dense).
 */
import type { GpuSpec } from '../hardware/types.ts';

export function int8GemmRatio(g: GpuSpec): { reference: 'fp8' | 'bf16'; ratio: number; source: string } {
  const arch = g.arch.toLowerCase();
  if (g.tflops.fp8 !== undefined && (arch.includes('hopper') || arch.includes('ada') || arch.includes('blackwell'))) {
    return { reference: 'fp8', ratio: 1, source: 'INT8 and FP8 dense peaks are equal on Hopper/Ada (H100, L40S datasheets)' };
  }
  if (arch.includes('ampere')) return { reference: 'bf16', ratio: 2, source: 'A100 datasheet: INT8 624 TOPS vs BF16 312 TFLOPS dense' };
  throw new Error(`${g.name} has no INT8 tensor-core rate in vgsim (INT8 GEMMs are priced on Ampere, Ada, Hopper and Blackwell)`);
}
