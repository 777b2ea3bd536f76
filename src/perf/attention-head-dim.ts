/**
 * Attention throughput at head dims other than the profile's 128. The profile measured every backend at head
 * dim 128; kernels reach a different fraction of peak at 64 (fewer FLOPs per loaded byte) and at 256. The
 * FA3 paper (Shah et al. 2024, arXiv 2407.08608, Fig. 5: H100 SXM5, BF16 forward, non-causal) measures
 * FlashAttention-2, cuDNN and FlashAttention-3 at head dims 64, 128 and 256 side by side; we scale the
 * measured head-dim-128 rate by the paper's ratio for the same backend at the same sequence length
 * (log-interpolated, held beyond 16k). The memory-efficient and math kernels take FlashAttention-2's ratio.
 */
import { interpLog } from './profile.ts';
import { FA3_PAPER_FIG5 } from './fa3-paper.ts';
import type { AttentionKernel } from '../workload/ops.ts';

/** Rate at `headDim` relative to head dim 128 for a kernel at `lq` tokens (1 at 128). */
export function headDimFactor(kernel: AttentionKernel, headDim: number, lq: number): number {
  if (headDim === 128) return 1;
  // the quantised kernels (SageAttention2, FP8 FA3) are FA3-based: FA3's ratio; SageAttention1 is FA2-based
  const col = kernel === 'cudnn' ? 2 : kernel === 'fa3' || kernel === 'sage2' || kernel === 'fa3-fp8' ? 3 : 1;
  const other = FA3_PAPER_FIG5[headDim < 128 ? 64 : 256];
  return interpLog(other.map((r, i) => [r[0], r[col]! / FA3_PAPER_FIG5[128][i]![col]!] as [number, number]), lq);
}
