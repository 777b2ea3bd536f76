/**
 * Attention throughput at head dims other than the profile's 128. The profile measured every backend at head
 * dim 128; kernels reach a different fraction of peak at 64 (fewer FLOPs per loaded byte) and at 256. The
 * FA3 paper (Shah et al. 2024, arXiv 2407.08608, Fig. 5: H100 SXM5, BF16 forward, non-causal) measures
 * FlashAttention-2, cuDNN and FlashAttention-3 at head dims 64, 128 and 256 side by side; we scale the
 * measured head-dim-128 rate by the paper's ratio for the same backend at the same sequence length
 * (log-interpolated, held beyond 16k). The memory-efficient and math kernels take FlashAttention-2's ratio.
 */
import { interpLog } from './profile.ts';
import type { AttentionKernel } from '../workload/ops.ts';

/** [tokens, FA2, cuDNN, FA3] TFLOP/s, FA3 paper Fig. 5. */
const HD64: readonly [number, number, number, number][] = [[512, 282, 335, 333], [1024, 306, 373, 392], [2048, 318, 395, 460], [4096, 321, 408, 476], [8192, 322, 412, 496], [16384, 324, 413, 497]];
const HD128: readonly [number, number, number, number][] = [[512, 309, 497, 467], [1024, 350, 574, 565], [2048, 362, 617, 625], [4096, 368, 609, 638], [8192, 370, 600, 646], [16384, 370, 595, 648]];
const HD256: readonly [number, number, number, number][] = [[512, 208, 308, 286], [1024, 251, 391, 427], [2048, 278, 450, 537], [4096, 293, 483, 612], [8192, 297, 497, 628], [16384, 298, 509, 642]];

/** Rate at `headDim` relative to head dim 128 for a kernel at `lq` tokens (1 at 128). */
export function headDimFactor(kernel: AttentionKernel, headDim: number, lq: number): number {
  if (headDim === 128) return 1;
  // the quantised kernels (SageAttention2, FP8 FA3) are FA3-based: FA3's ratio
  const col = kernel === 'cudnn' ? 2 : kernel === 'fa3' || kernel === 'sage2' || kernel === 'fa3-fp8' ? 3 : 1;
  const other = headDim < 128 ? HD64 : HD256;
  return interpLog(other.map((r, i) => [r[0], r[col]! / HD128[i]![col]!] as [number, number]), lq);
}
