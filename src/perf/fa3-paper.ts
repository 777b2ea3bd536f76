/**
 * FlashAttention-3's published speed-ups, for the FA3 rate on profiles that measured cuDNN or FA2 but not FA3
 * (device.ts prices FA3 as the measured kernel × these ratios).
 */
import { interpLog } from './profile.ts';

/**
 * FA3 paper (arXiv 2407.08608) Fig. 5, H100 SXM5, BF16 forward, head dim 128, non-causal, TFLOP/s by
 * sequence length: [tokens, FlashAttention-3, cuDNN, FlashAttention-2].
 */
export const FA3_PAPER_HD128: readonly [number, number, number, number][] = [
  [512, 467, 497, 309], [1024, 565, 574, 350], [2048, 625, 617, 362], [4096, 638, 609, 368], [8192, 646, 600, 370], [16384, 648, 595, 370],
];

/** FA3 / cuDNN throughput at a sequence length (log-interpolated in the paper's points, held beyond 16k). */
export function fa3OverCudnn(lq: number): number {
  return interpLog(FA3_PAPER_HD128.map(([n, fa3, cudnn]) => [n, fa3 / cudnn] as [number, number]), lq);
}

/** FA3 / FA2 at the paper's longest length (for profiles without a cuDNN measurement). */
export const FA3_OVER_FA2 = 648 / 370;
