/**
 * Video Sparse Attention's layout of a request (Zhang et al. 2025, arXiv 2505.13389; FastVideo's VSA backend):
 * 4×4×4 tiles of the post-patch latent grid, padded to 64 tokens each, and the top-k key tiles per query tile.
 * The operators that run it are in attention-kernels.ts; the `--sparse vsa,sparsity=` knob in
 * engines/sparse-attention.ts.
 */
/**
 * VSA's fine (block-sparse) kernel runs at this fraction of FlashAttention-3's rate per computed block: "sustains
 * 85% of FlashAttention3 MFU" (arXiv 2505.13389 abstract, H100; the ThunderKittens kernel of 64-token tiles).
 */
export const VSA_FINE_EFFICIENCY = 0.85;

/** VSA's tile: 4×4×4 latent tokens after patching (FastVideo VSA_TILE_SIZE). */
export const VSA_TILE = [4, 4, 4] as const;
export const VSA_TILE_TOKENS = VSA_TILE[0] * VSA_TILE[1] * VSA_TILE[2];

/** How VSA lays out a request's tokens: tiles of the padded grid, the top-k key tiles per query tile, the density. */
export interface VsaLayout {
  tiles: number;
  topk: number;
  /** Tokens after padding every tile to 64 (what the tiled tensors and the fine kernel hold). */
  paddedTokens: number;
  /** topk / tiles: the fraction of tile pairs the fine stage computes. */
  density: number;
}

/** VSA's layout for a post-patch token grid [t, h, w] (FastVideo: num_tiles = ceil(dim / tile); cur_topk = ceil((1 − s) × tiles)). */
export function vsaLayout(grid: readonly [number, number, number], sparsity: number): VsaLayout {
  const tiles = grid.reduce((a, g, i) => a * Math.ceil(g / VSA_TILE[i]!), 1);
  const topk = Math.max(1, Math.min(tiles, Math.ceil((1 - sparsity) * tiles)));
  return { tiles, topk, paddedTokens: tiles * VSA_TILE_TOKENS, density: topk / tiles };
}
