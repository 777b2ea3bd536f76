/**
 * Wave quantisation of tiled attention kernels: a FlashAttention-style forward gives each (batch, head, 128-query
 * tile) one CTA, and the GPU runs them in waves of (SMs × CTAs per SM). A call whose CTAs spill one tile into a
 * new wave takes that whole wave's time, so time follows ceil(CTAs / slots) × keys, not FLOPs.
 *
 * Measured (calibration/profiles/runs/h100-sxm-attention-dense-2026-12-06g.json: cuDNN and FA2 SDPA in CUDA graphs,
 * every 256 tokens at 12, 24, 40 heads and every 512 at 5, 10, 20): on the H100 (132 SMs) the cuDNN kernel's time
 * jumps exactly where ceil(L / 128) × heads crosses a multiple of 132 (12 heads: 1,280 → 1,536 tokens, 2,816 →
 * 3,072, 4,224 → 4,352, …; 5 heads: 3,328 → 3,584; 40 heads: 1,024 → 1,280), between jumps it grows with the
 * keys, and cross-attention over 512 keys steps at the same query lengths: 128-query tiles, one CTA per SM. FA2
 * (PyTorch's flash backend, head dim 128) steps where the CTAs cross multiples of 264: two CTAs per SM.
 *
 * How it prices: each measured rate of the profile is divided by its own wave efficiency (CTAs / (waves × slots))
 * on the profiled GPU, the full-wave rates are interpolated as before, and the result is multiplied by the
 * queried call's efficiency on the GPU it runs on (its own SM count). Kernels priced from a reference curve (FA3,
 * SageAttention, FP8) inherit the reference's tiling: an assumption (their tiles are 128 query rows too at head
 * dim 128, FA3 paper arXiv 2407.08608 §3; their CTAs per SM are not measured here).
 */
import type { GpuSpec } from '../hardware/types.ts';

/** Query rows per CTA and CTAs resident per SM of a measured attention backend (head dim 128). */
const TILING: Record<string, { tileQ: number; ctasPerSm: number }> = {
  cudnn: { tileQ: 128, ctasPerSm: 1 },
  flash: { tileQ: 128, ctasPerSm: 2 },
};

export interface AttentionWaves {
  tileQ: number;
  /** CTA slots of the GPU the profile measured. */
  refSlots: number;
  /** CTA slots of the GPU the call runs on. */
  slots: number;
}

/**
 * The tiling of `backend` on the profiled GPU and on the target; undefined for backends or head dims whose tiling
 * was not measured (other head dims keep the plain interpolation of the head-dim-128 rates).
 */
export function attentionWaves(backend: string, profiled: GpuSpec, target: GpuSpec, headDim = 128): AttentionWaves | undefined {
  const t = TILING[backend];
  if (!t || !profiled.smCount || headDim !== 128) return undefined;
  return { tileQ: t.tileQ, refSlots: profiled.smCount * t.ctasPerSm, slots: (target.smCount ?? profiled.smCount) * t.ctasPerSm };
}

/** CTAs over the CTA slots their waves occupy: 1 when the last wave is full. */
export function waveEfficiency(batchHeads: number, lq: number, tileQ: number, slots: number): number {
  const ctas = Math.ceil(lq / tileQ) * batchHeads;
  return ctas / (Math.ceil(ctas / slots) * slots);
}
