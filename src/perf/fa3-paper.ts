/**
 * FlashAttention-3's published speed-ups, for the FA3 rate on profiles that measured cuDNN or FA2 but not FA3
 * (device.ts prices FA3 as the measured kernel × these ratios).
 */
import { interpLog } from './profile.ts';

/**
 * FA3 paper (arXiv 2407.08608) Fig. 5, H100 SXM5, BF16 forward, non-causal, TFLOP/s by sequence length and head
 * dim: [tokens, FlashAttention-2, cuDNN, FlashAttention-3]. The one copy of the figure: the FA3/cuDNN ratio below,
 * the head-dim factors (attention-head-dim.ts) and the FP8 ratio (quantized-attention.ts) read it.
 */
export const FA3_PAPER_FIG5: Record<64 | 128 | 256, readonly [number, number, number, number][]> = {
  64: [[512, 282, 335, 333], [1024, 306, 373, 392], [2048, 318, 395, 460], [4096, 321, 408, 476], [8192, 322, 412, 496], [16384, 324, 413, 497]],
  128: [[512, 309, 497, 467], [1024, 350, 574, 565], [2048, 362, 617, 625], [4096, 368, 609, 638], [8192, 370, 600, 646], [16384, 370, 595, 648]],
  256: [[512, 208, 308, 286], [1024, 251, 391, 427], [2048, 278, 450, 537], [4096, 293, 483, 612], [8192, 297, 497, 628], [16384, 298, 509, 642]],
};

/** FA3 paper Fig. 7, H100 SXM5, FP8 forward, head dim 128, non-causal: [tokens, FlashAttention-3 FP8 TFLOP/s]. */
export const FA3_PAPER_FP8_HD128: readonly [number, number][] = [[512, 348], [1024, 596], [2048, 733], [4096, 918], [8192, 974], [16384, 1008]];

/** FA3 / cuDNN throughput at a sequence length (log-interpolated in the paper's points, held beyond 16k). */
export function fa3OverCudnn(lq: number): number {
  return interpLog(FA3_PAPER_FIG5[128].map(([n, , cudnn, fa3]) => [n, fa3 / cudnn] as [number, number]), lq);
}

/** FA3 / FA2 at the paper's longest length (for profiles without a cuDNN measurement). */
export const FA3_OVER_FA2 = 648 / 370;
