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

/**
 * Rate at `headDim` relative to head dim 128 for a kernel at `lq` tokens (1 at 128). A quantised kernel is priced
 * as a ratio to a reference kernel (quantized-attention.ts) and is passed here as that reference, so its ratio
 * holds at every head dim: on Hopper SageAttention takes cuDNN's head-dim ratio. Measured on an H200
 * (calibration/engines/h200-sage-shapes.json, head dim 64 at 17,776 and 32,760 tokens): the SM90 Sage2 kernel
 * over SDPA cuDNN, both at head dim 64, is 1.35–1.37, its ratio at head dim 128 at those lengths 1.35–1.46; FA3's
 * steeper head-dim ratio, which sage2 took before, priced those calls 9–12% fast.
 */
export function headDimFactor(kernel: AttentionKernel, headDim: number, lq: number): number {
  if (headDim === 128) return 1;
  // FP8 FA3 is FA3's kernel: FA3's ratio; SageAttention before Hopper (passed as itself) is mma.sync like FA2
  const col = kernel === 'cudnn' ? 2 : kernel === 'fa3' || kernel === 'fa3-fp8' ? 3 : 1;
  const other = FA3_PAPER_FIG5[headDim < 128 ? 64 : 256];
  return interpLog(other.map((r, i) => [r[0], r[col]! / FA3_PAPER_FIG5[128][i]![col]!] as [number, number]), lq);
}
