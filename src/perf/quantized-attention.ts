/**
 * Rates of the quantised attention kernels serving engines run, as ratios to kernels vgsim measured.
 * NOT MEASURED HERE: no SageAttention or FP8 FlashAttention build ran on the calibration machine
 * (calibration/engines_bench.py is ready to measure them). The estimate says so when one is used.
 *
 *   sage2    SageAttention2 (INT8 Q·Kᵀ, FP8 P·V, fp32+fp32 accumulation; the `sageattn` default on SM90,
 *            thu-ml/SageAttention@d1a57a5:sageattention/core.py:150-151). On Hopper its rate is vgsim's FA3
 *            rate × the Sage2/FA3 throughput ratio of SageAttention's own H100 chart at that length; on
 *            Ampere and Ada, vgsim's FA2 rate × the Sage/FA2 ratio of the same-generation chart.
 *   fa3-fp8  FlashAttention-3 with FP8 inputs (Hopper only): vgsim's FA3 rate × FA3-FP8/FA3 of the same chart.
 *
 * The charts (thu-ml/SageAttention@d1a57a5:assets/*_hd128.png, transcribed in the research notes; head dim
 * 128, non-causal, batch 4 × 32 heads, bench/bench_qk_int8_pv_fp8_cuda_sm90.py:7-47) time the kernels alone,
 * on pre-quantised inputs: the quantisation passes around them are separate operators
 * (src/workload/attention-kernels.ts). Their absolute FA3 numbers (~470 TFLOP/s) sit below FA3's own paper
 * (648 at 16k, arXiv 2407.08608 Fig. 5) and our cuDNN measurements, so only ratios within one chart are used.
 * Cross-check: the FA3 paper's FP8 forward "close to 1.2 PFLOPs/s" over its BF16 648 TFLOP/s is 1.85×, the
 * chart's FA3-FP8/FA3 at 16k is 1.89×.
 */
import { interpLog } from './profile.ts';
import type { GpuSpec } from '../hardware/types.ts';

/** SageAttention H100 chart (TOPS), by sequence length: [tokens, FA3 fp16, FA3 fp8, Sage2-8b]. */
export const SAGE_H100_HD128: readonly [number, number, number, number][] = [
  [1024, 410, 614, 676], [2048, 444, 772, 807], [4096, 441, 830, 852], [8192, 459, 891, 900], [16384, 465, 878, 871], [32768, 470, 892, 882],
];

/**
 * Pre-Hopper charts of the same repository (assets/*_hd128.png): [tokens, FA2, Sage]; RTX 4090 and L20 run
 * "Sage 8+8" (INT8 QK, FP8 PV), the A800 "Sage 8+16" (INT8 QK, FP16 PV: Ampere has no FP8).
 */
export const SAGE_PRE_HOPPER: Record<'rtx4090' | 'l20' | 'a800', readonly [number, number, number][]> = {
  rtx4090: [[1024, 145, 345], [32768, 164, 419]],
  l20: [[1024, 106, 201], [32768, 111, 217]],
  a800: [[1024, 185, 240], [32768, 188, 266]],
};

export type QuantizedAttention = 'sage2' | 'fa3-fp8';

const hopper = (g: GpuSpec) => g.vendor === 'nvidia' && g.arch.toLowerCase().includes('hopper');

/** Which chart a pre-Hopper NVIDIA GPU takes: GeForce Ada (half-rate fp32-accumulate FP16, like the 4090), other Ada (L20), Ampere (A800). */
function preHopperChart(g: GpuSpec): keyof typeof SAGE_PRE_HOPPER | undefined {
  const arch = g.arch.toLowerCase();
  if (arch.includes('ada')) return /rtx|geforce/i.test(g.name) ? 'rtx4090' : 'l20';
  if (arch.includes('ampere')) return 'a800';
  return undefined;
}

/** Why a quantised kernel cannot run on a GPU (undefined: it can). */
export function quantizedAttentionProblem(kernel: QuantizedAttention, g: GpuSpec): string | undefined {
  if (kernel === 'fa3-fp8') return hopper(g) ? undefined : 'FlashAttention-3 FP8 runs on Hopper GPUs only';
  if (g.vendor !== 'nvidia') return 'SageAttention2 is a CUDA kernel (NVIDIA GPUs, compute capability 8.0 or newer)';
  if (hopper(g) || preHopperChart(g)) return undefined;
  return `SageAttention2 needs an Ampere, Ada or Hopper GPU (no kernel for ${g.arch})`;
}

/**
 * The kernel's rate relative to the reference kernel vgsim prices it from: FA3 on Hopper, FA2 before.
 * `reference` says which.
 */
export function quantizedAttentionRatio(kernel: QuantizedAttention, g: GpuSpec, lq: number): { reference: 'fa3' | 'fa2'; ratio: number } {
  if (hopper(g)) {
    const col = kernel === 'sage2' ? 3 : 2;
    return { reference: 'fa3', ratio: interpLog(SAGE_H100_HD128.map((r) => [r[0], r[col] / r[1]] as [number, number]), lq) };
  }
  const chart = preHopperChart(g);
  if (!chart || kernel !== 'sage2') throw new Error(quantizedAttentionProblem(kernel, g) ?? `no rate for ${kernel} on ${g.id}`);
  return { reference: 'fa2', ratio: interpLog(SAGE_PRE_HOPPER[chart].map(([n, fa2, sage]) => [n, sage / fa2] as [number, number]), lq) };
}
