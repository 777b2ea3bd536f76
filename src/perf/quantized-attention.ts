/**
 * Rates of the quantised attention kernels serving engines run, as ratios to kernels vgsim measured.
 * NOT MEASURED HERE: no SageAttention or FP8 FlashAttention build ran on the calibration machine
 * (calibration/engines_bench.py is ready to measure them). The estimate says so when one is used.
 *
 *   sage2    SageAttention2 (INT8 Q·Kᵀ, FP8 P·V, fp32+fp32 accumulation; the `sageattn` default on SM90,
 *            thu-ml/SageAttention@d1a57a5:sageattention/core.py:150-151). On Hopper: the FP8 FA3 rate below × the
 *            Sage2/FA3-FP8 ratio of SageAttention's own H100 chart at that length (two quantised kernels side by
 *            side; the SageAttention2 paper, arXiv 2411.10958, likewise says it "matches the speed of
 *            FlashAttention3(fp8)" on Hopper); on Ampere and Ada, vgsim's FA2 rate × the Sage/FA2 ratio of the
 *            same-generation chart.
 *   sage1    SageAttention1's arithmetic: INT8 Q·Kᵀ, FP16 P·V with an FP16 accumulator (`sageattn_qk_int8_pv_fp16_triton`,
 *            which LightX2V calls for its sage_attn2 setting on compute capability 8.9: engines/profiles.ts
 *            `onAda`, ModelTC/LightX2V@a10e7462 attn_weight.py:26-31 and @f8aee98 sage_attn.py:26-31). vgsim's FA2 rate × the
 *            chart's ratio to FlashAttention-2: the H100 chart's "SageAttention1" bars, the 4090, L20 and A800
 *            charts' "Sage 8+16" ("FP16 with FP16 accumulator for PV", the repository README:156).
 *   fa3-fp8  FlashAttention-3 with FP8 inputs (Hopper only): vgsim's FA3 rate × the FP8/BF16 ratio of the FA3
 *            paper (Shah et al. 2024, arXiv 2407.08608: Fig. 5 BF16 and Fig. 7 FP8 forward, head dim 128,
 *            non-causal, one H100 SXM5 at 700 W), the same machine and the same head dimension.
 *
 * Why not the SageAttention chart's FA3 column: the charts (thu-ml/SageAttention@d1a57a5:assets/*_hd128.png,
 * head dim 128, non-causal, batch 4 × 32 heads, bench/bench_qk_int8_pv_fp8_cuda_sm90.py:7-47) time the kernels
 * alone, on pre-quantised inputs (the quantisation passes around them are separate operators,
 * src/workload/attention-kernels.ts), but their BF16 FA3 (465 TFLOP/s at 16k) is 72% of the FA3 paper's 648
 * while their FP8 FA3 (878) is 87% of the paper's 1,008: the chart's BF16 column is low, not its machine
 * uniformly slow, so a ratio to it overstates every quantised kernel (1.89× FA3 at 16k where the FA3 paper's
 * own FP8/BF16 is 1.56×). Only the ratio between the chart's two quantised kernels is used.
 */
import { interpLog } from './profile.ts';
import type { GpuSpec } from '../hardware/types.ts';
import { isHopper } from '../hardware/architecture.ts';
import { FA3_PAPER_FIG5, FA3_PAPER_FP8_HD128 } from './fa3-paper.ts';
import type { QuantizedAttention } from '../workload/ops.ts';

/** SageAttention H100 chart (TOPS), by sequence length: [tokens, FA3 fp16, FA3 fp8, Sage2-8b]. */
export const SAGE_H100_HD128: readonly [number, number, number, number][] = [
  [1024, 410, 614, 676], [2048, 444, 772, 807], [4096, 441, 830, 852], [8192, 459, 891, 900], [16384, 465, 878, 871], [32768, 470, 892, 882],
];

/** The same H100 chart's FlashAttention-2 and SageAttention1 bars (TOPS): [tokens, FA2, SageAttention1]. */
export const SAGE1_H100_HD128: readonly [number, number, number][] = [
  [1024, 319, 430], [2048, 343, 471], [4096, 339, 495], [8192, 339, 516], [16384, 339, 517], [32768, 339, 518],
];

/**
 * Pre-Hopper charts of the same repository (assets/*_hd128.png, non-causal): [tokens, FA2, Sage 8+8 (INT8 QK,
 * FP8 PV), Sage 8+16 (INT8 QK, FP16 PV with an FP16 accumulator)]. The A800 has no FP8: its "8+8" column is its
 * 8+16 bars, which is what `sage2` runs there.
 */
export const SAGE_PRE_HOPPER: Record<'rtx4090' | 'l20' | 'a800', readonly [number, number, number, number][]> = {
  rtx4090: [[1024, 145, 345, 259], [2048, 151, 377, 303], [4096, 161, 405, 322], [8192, 164, 418, 317], [16384, 164, 421, 323], [32768, 164, 419, 322]],
  l20: [[1024, 106, 201, 120], [2048, 110, 209, 130], [4096, 110, 212, 135], [8192, 111, 214, 136], [16384, 111, 217, 137], [32768, 111, 217, 138]],
  a800: [[1024, 185, 240, 240], [32768, 188, 266, 266]],
};

export type { QuantizedAttention } from '../workload/ops.ts';

/** Which chart a pre-Hopper NVIDIA GPU takes: GeForce Ada (half-rate fp32-accumulate FP16, like the 4090), other Ada (L20), Ampere (A800). */
function preHopperChart(g: GpuSpec): keyof typeof SAGE_PRE_HOPPER | undefined {
  const arch = g.arch.toLowerCase();
  if (arch.includes('ada')) return /rtx|geforce/i.test(g.name) ? 'rtx4090' : 'l20';
  if (arch.includes('ampere')) return 'a800';
  return undefined;
}

/** Why a quantised kernel cannot run on a GPU (undefined: it can). */
export function quantizedAttentionProblem(kernel: QuantizedAttention, g: GpuSpec): string | undefined {
  if (kernel === 'fa3-fp8') return isHopper(g) ? undefined : 'FlashAttention-3 FP8 runs on Hopper GPUs only';
  const name = kernel === 'sage1' ? 'SageAttention1 (INT8 QK, FP16 PV)' : 'SageAttention2';
  if (g.vendor !== 'nvidia') return `${name} is a CUDA kernel (NVIDIA GPUs, compute capability 8.0 or newer)`;
  if (isHopper(g) || preHopperChart(g)) return undefined;
  return `${name} needs an Ampere, Ada or Hopper GPU (no kernel for ${g.arch})`;
}

/**
 * The kernel's rate relative to the reference kernel vgsim prices it from: FA3 on Hopper, FA2 before (and for
 * sage1). `reference` says which, `basis` which ratios were taken (the estimate's note quotes it).
 */
export function quantizedAttentionRatio(kernel: QuantizedAttention, g: GpuSpec, lq: number): { reference: 'fa3' | 'fa2'; ratio: number; basis: string } {
  const fromCharts = (bars: string) => `vgsim's FA2 rate × the ${bars}/FA2 ratio of SageAttention's chart for this GPU generation`;
  if (kernel === 'sage1') {
    const pre = preHopperChart(g);
    const chart = isHopper(g) ? SAGE1_H100_HD128 : pre ? SAGE_PRE_HOPPER[pre].map(([n, fa2, , s16]) => [n, fa2, s16] as const) : undefined;
    if (!chart) throw new Error(quantizedAttentionProblem(kernel, g) ?? `no rate for ${kernel} on ${g.id}`);
    return { reference: 'fa2', ratio: interpLog(chart.map(([n, fa2, s]) => [n, s / fa2] as [number, number]), lq), basis: fromCharts(isHopper(g) ? 'SageAttention1' : 'Sage 8+16') };
  }
  if (isHopper(g)) {
    // FA3 FP8 (Fig. 7) over FA3 BF16 (Fig. 5), head dim 128; beyond 16k the 16k ratio holds (both curves flat)
    const fp8 = interpLog(FA3_PAPER_FP8_HD128.map(([n, f8], i) => [n, f8 / FA3_PAPER_FIG5[128][i]![3]] as [number, number]), lq);
    const basis = "vgsim's FA3 rate × the FA3 paper's FP8/BF16 ratio (head dim 128)";
    if (kernel === 'fa3-fp8') return { reference: 'fa3', ratio: fp8, basis };
    return { reference: 'fa3', ratio: fp8 * interpLog(SAGE_H100_HD128.map((r) => [r[0], r[3] / r[2]] as [number, number]), lq), basis: `${basis} × SageAttention's H100 chart ratio of Sage2 to FP8 FA3` };
  }
  const chart = preHopperChart(g);
  if (!chart || kernel !== 'sage2') throw new Error(quantizedAttentionProblem(kernel, g) ?? `no rate for ${kernel} on ${g.id}`);
  return { reference: 'fa2', ratio: interpLog(SAGE_PRE_HOPPER[chart].map(([n, fa2, sage8]) => [n, sage8 / fa2] as [number, number]), lq), basis: fromCharts('Sage') };
}
