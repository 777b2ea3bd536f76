/**
 * INT8 GEMM rates, as ratios to a GEMM the profile measures (it measures bf16, fp8, tf32 and fp32 GEMMs): an
 * INT8 GEMM of a shape is priced as the measured FP8 GEMM of that shape × an INT8/FP8 ratio where the GPU has
 * FP8 tensor cores, else as the BF16 GEMM × the INT8/BF16 ratio.
 *   Hopper: MEASURED (calibration, not a check): torch._int_mm (cuBLASLt INT8, what torchao's dynamic INT8
 *     schemes call) against torch._scaled_mm (FP8, bf16 out) at Wan's 15 linear shapes on one H100 SXM
 *     (calibration/engines/h100-sxm.json, engines_bench.py `gemm`: m 4,096 / 32,760 / 75,600 × the 14B, 5B and
 *     1.3B (n, k)); INT8 reaches 0.52–0.76 of the FP8 rate (1.03 only at the smallest shape) — well below the
 *     datasheets' equal peaks (H100: FP8 3,958 TFLOPS and INT8 3,958 TOPS, both with sparsity). The ratio
 *     depends on (n, k) more than on m, so a measured (n, k) takes the median over its three m
 *     (HOPPER_INT8_OVER_FP8_BY_NK), any other shape the median over all 15 (HOPPER_INT8_OVER_FP8).
 *     The CUTLASS INT8 kernels LightX2V calls (sgl-kernel int8_scaled_mm, vLLM cutlass_scaled_mm) are not
 *     measured here and are assumed to run like cuBLASLt's.
 *   Ada and Blackwell: NOT MEASURED: the datasheet ratio, INT8 = FP8 (L40S datasheet: FP8 1,466 TFLOPS and INT8
 *     1,466 TOPS with sparsity).
 *   Ampere: INT8 is twice BF16 (NVIDIA A100 datasheet: BF16 312 TFLOPS, INT8 624 TOPS, dense), not measured.
 */
import type { GpuSpec } from '../hardware/types.ts';
import { isHopper } from '../hardware/architecture.ts';
import { InputError } from '../errors.ts';

/** Median INT8/FP8 GEMM rate over Wan's 15 linear shapes on H100 SXM (calibration/engines/h100-sxm.json, see above). */
export const HOPPER_INT8_OVER_FP8 = 0.636;

/** The same file's INT8/FP8 rate per (n, k), median over m = 4,096, 32,760 and 75,600: "n,k" → ratio. */
export const HOPPER_INT8_OVER_FP8_BY_NK: Readonly<Record<string, number>> = {
  '5120,5120': 0.641, '13824,5120': 0.635, '5120,13824': 0.731, '3072,3072': 0.519, '1536,1536': 0.531,
};

type Int8Ratio = { reference: 'fp8' | 'bf16'; ratio: number; measured: boolean; source: string };

/** The INT8 GEMM rate of `g` as a ratio to a measured GEMM, or undefined where vgsim has none (not NVIDIA Ampere, Ada, Hopper, Blackwell). */
function int8Ratio(g: GpuSpec, shape?: { n: number; k: number }): Int8Ratio | undefined {
  if (g.tflops.fp8 !== undefined && isHopper(g)) {
    const byShape = shape ? HOPPER_INT8_OVER_FP8_BY_NK[`${shape.n},${shape.k}`] : undefined;
    return { reference: 'fp8', ratio: byShape ?? HOPPER_INT8_OVER_FP8, measured: true, source: `torch._int_mm over torch._scaled_mm on H100 SXM, ${byShape ? 'median over m at this (n, k)' : 'median over Wan\'s linear shapes'} (calibration/engines/h100-sxm.json); CUTLASS INT8 kernels assumed alike` };
  }
  const arch = g.arch.toLowerCase();
  if (g.tflops.fp8 !== undefined && (arch.includes('ada') || arch.includes('blackwell'))) {
    return { reference: 'fp8', ratio: 1, measured: false, source: 'INT8 and FP8 dense peaks are equal on Ada/Blackwell (L40S datasheet)' };
  }
  if (arch.includes('ampere')) return { reference: 'bf16', ratio: 2, measured: false, source: 'A100 datasheet: INT8 624 TOPS vs BF16 312 TFLOPS dense' };
  return undefined;
}

/**
 * Why `g` cannot run quantised GEMMs of `dtype` (message and hint naming what it can run), or undefined if it
 * can: fp8 needs FP8 tensor cores, int8 a rate vgsim prices (above). Checked before any pricing (estimate-setup.ts).
 */
export function linearDtypeProblem(g: GpuSpec, dtype: string): { message: string; hint: string } | undefined {
  const runs = ['bf16', ...(g.tflops.fp8 !== undefined ? ['fp8'] : []), ...(int8Ratio(g) ? ['int8'] : [])];
  const hint = `dtypes it runs: ${runs.join(', ')}; ${dtype} needs ${dtype === 'fp8' ? 'an NVIDIA Ada, Hopper or Blackwell or an AMD MI300-class GPU' : 'an NVIDIA Ampere, Ada, Hopper or Blackwell GPU (e.g. h100-sxm, a100-sxm, l40s)'}`;
  if (dtype === 'fp8' && g.tflops.fp8 === undefined) return { message: `${g.name} has no fp8 tensor cores`, hint };
  if (dtype === 'int8' && !int8Ratio(g)) return { message: `${g.name} has no INT8 tensor-core rate in vgsim`, hint };
  return undefined;
}

export function int8GemmRatio(g: GpuSpec, shape?: { n: number; k: number }): Int8Ratio {
  const r = int8Ratio(g, shape);
  if (r) return r;
  // an input error (exit 2) wherever an int8 dtype reaches here unchecked
  const problem = linearDtypeProblem(g, 'int8')!;
  throw new InputError([{ source: 'request', path: 'dtype', message: problem.message, hint: problem.hint }]);
}
