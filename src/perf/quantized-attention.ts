/**
 * Rates of the quantised attention kernels serving engines run, as ratios to kernels vgsim measured.
 *
 *   sage2    SageAttention2 (INT8 Q·Kᵀ, FP8 P·V, fp32+fp32 accumulation; the `sageattn` default on SM90,
 *            thu-ml/SageAttention@d1a57a5:sageattention/core.py:150-151). On Hopper: MEASURED on one H100 SXM
 *            (SAGE_H100_MEASURED below: its own kernels built on the device); on Ampere and Ada, vgsim's FA2 rate ×
 *            the Sage/FA2 ratio of SageAttention's same-generation chart (not measured here).
 *   sage1    SageAttention1's arithmetic: INT8 Q·Kᵀ, FP16 P·V with an FP16 accumulator (`sageattn_qk_int8_pv_fp16_triton`,
 *            which LightX2V calls for its sage_attn2 setting on compute capability 8.9: engines/profiles.ts
 *            `onAda`, ModelTC/LightX2V@a10e7462 attn_weight.py:26-31 and @f8aee98 sage_attn.py:26-31). On Hopper
 *            MEASURED like sage2; before Hopper vgsim's FA2 rate × the chart's ratio to FlashAttention-2: the 4090,
 *            L20 and A800 charts' "Sage 8+16" ("FP16 with FP16 accumulator for PV", the repository README:156).
 *   fa3-fp8  FlashAttention-3 with FP8 inputs (Hopper only), NOT MEASURED HERE (no FlashAttention-3 build on the
 *            device): vgsim's FA3 rate × the FP8/BF16 ratio of the FA3 paper (Shah et al. 2024, arXiv 2407.08608:
 *            Fig. 5 BF16 and Fig. 7 FP8 forward, head dim 128, non-causal, one H100 SXM5 at 700 W), the same
 *            machine and the same head dimension.
 *
 * Until SageAttention ran on the device (2026-12-06), sage2 on Hopper was priced as the FP8 FA3 rate above × the
 * Sage2/FA3-FP8 ratio of SageAttention's own H100 chart (SAGE_H100_HD128: the kernels alone, pre-quantised
 * inputs, bench/bench_qk_int8_pv_fp8_cuda_sm90.py): 975 TFLOP/s at 32k tokens on the H100. The built kernel runs
 * 863–880 at 16k–76k tokens (the chart's own bar says 871–882): the FA3 paper's FP8 rate, 1,008 at 16k, is 15%
 * above the chart's FA3 FP8 bar (878) on the same kind of machine, so the chained ratio overstated the kernel by
 * about 12%, and the input passes, priced at a copy's rate, ran at a third to two-fifths of it: the whole call
 * came out 15% fast at 32,760 and 75,600 tokens (`npm run validate:engine-kernels` before the measurement).
 */
import { interpLog } from './profile.ts';
import type { GpuSpec } from '../hardware/types.ts';
import { isHopper } from '../hardware/architecture.ts';
import { FA3_PAPER_FIG5, FA3_PAPER_FP8_HD128 } from './fa3-paper.ts';
import type { QuantizedAttention } from '../workload/ops.ts';

/**
 * SageAttention's published H100 chart (TOPS, assets/*_hd128.png: the kernels alone on pre-quantised inputs), by
 * sequence length: [tokens, FA3 fp16, FA3 fp8, Sage2-8b]. It prices nothing now: the measured kernel is checked
 * against its Sage2 bars (test/quantized-attention.test.ts).
 */
export const SAGE_H100_HD128: readonly [number, number, number, number][] = [
  [1024, 410, 614, 676], [2048, 444, 772, 807], [4096, 441, 830, 852], [8192, 459, 891, 900], [16384, 465, 878, 871], [32768, 470, 892, 882],
];

/**
 * SageAttention's kernels MEASURED on one H100 SXM (calibration/engines/h100-sxm-sage-split.json, section
 * `sage_split`: thu-ml/SageAttention@d1a57a5 built on the device by calibration/sage_build_bench.sh, torch
 * 2.11.0+cu130, CUDA 13.0, driver 580.159.04; 40 heads, head dim 128, bf16 inputs, non-causal, NHD as the engines
 * call it): [tokens, sage2, sage1], the attention kernel alone (on inputs quantised beforehand: the SM90
 * `qk_int8_sv_f8_accum_f32_fuse_v_scale_attn_inst_buf`, and the Triton `attn_qk_int8_per_block` forward) as its
 * throughput over vgsim's own cuDNN rate on the H100 at that length (burst clocks), so another Hopper GPU takes
 * the same ratio to its cuDNN rate. Derived, not typed: test/quantized-attention.test.ts recomputes them from the
 * file. Outside 1,024–75,600 tokens the nearest ratio holds. The input passes around the kernel have rates of
 * their own (sage-input-rates.ts); the whole calls of both runs (h100-sxm-sage.json, HND; the split file's NHD
 * and HND) are held-out checks of kernel + passes (src/perf/engine-kernels.ts).
 */
export const SAGE_H100_MEASURED: readonly [number, number, number][] = [
  [1024, 0.9470, 0.6997], [4096, 1.2287, 0.6511], [16384, 1.3792, 0.7508], [27280, 1.4897, 0.8282], [32760, 1.4930, 0.8260], [75600, 1.4756, 0.8169],
];

/** Where SAGE_H100_MEASURED comes from (the estimate's note quotes it). */
export const SAGE_H100_MEASURED_FILE = 'calibration/engines/h100-sxm-sage-split.json';

/** The GPU that file was measured on (catalog id): elsewhere SageAttention's rates are scaled, not measured. */
export const SAGE_MEASURED_GPU = 'h100-sxm';

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
 * The kernel's rate relative to the reference kernel vgsim prices it from: on Hopper cuDNN for SageAttention
 * (measured) and FA3 for fa3-fp8, FA2 before Hopper. `reference` says which, `basis` which ratios were taken and
 * `measured` whether they are this GPU generation's measurement (the estimate's note quotes both).
 */
export function quantizedAttentionRatio(kernel: QuantizedAttention, g: GpuSpec, lq: number): { reference: 'cudnn' | 'fa3' | 'fa2'; ratio: number; basis: string; measured: boolean } {
  const fromCharts = (bars: string) => `vgsim's FA2 rate × the ${bars}/FA2 ratio of SageAttention's chart for this GPU generation`;
  if (isHopper(g) && kernel !== 'fa3-fp8') {
    const col = kernel === 'sage2' ? 1 : 2;
    const ratio = interpLog(SAGE_H100_MEASURED.map((r) => [r[0], r[col]!] as [number, number]), lq);
    return { reference: 'cudnn', ratio, measured: true, basis: `vgsim's cuDNN rate × ${ratio.toFixed(2)}, SageAttention's own ${kernel === 'sage2' ? 'SM90' : 'Triton'} kernel measured on an H100 SXM (${SAGE_H100_MEASURED_FILE})` };
  }
  if (kernel === 'sage1') {
    const pre = preHopperChart(g);
    if (!pre) throw new Error(quantizedAttentionProblem(kernel, g) ?? `no rate for ${kernel} on ${g.id}`);
    return { reference: 'fa2', ratio: interpLog(SAGE_PRE_HOPPER[pre].map(([n, fa2, , s16]) => [n, s16 / fa2] as [number, number]), lq), measured: false, basis: fromCharts('Sage 8+16') };
  }
  if (isHopper(g)) {
    // FA3 FP8 (Fig. 7) over FA3 BF16 (Fig. 5), head dim 128; beyond 16k the 16k ratio holds (both curves flat)
    const fp8 = interpLog(FA3_PAPER_FP8_HD128.map(([n, f8], i) => [n, f8 / FA3_PAPER_FIG5[128][i]![3]] as [number, number]), lq);
    return { reference: 'fa3', ratio: fp8, measured: false, basis: "vgsim's FA3 rate × the FA3 paper's FP8/BF16 ratio (head dim 128)" };
  }
  const chart = preHopperChart(g);
  if (!chart || kernel !== 'sage2') throw new Error(quantizedAttentionProblem(kernel, g) ?? `no rate for ${kernel} on ${g.id}`);
  return { reference: 'fa2', ratio: interpLog(SAGE_PRE_HOPPER[chart].map(([n, fa2, sage8]) => [n, sage8 / fa2] as [number, number]), lq), measured: false, basis: fromCharts('Sage') };
}
