/**
 * Sparse attention as a fraction of the query-key blocks computed (`density`), with the steps and layers a
 * method keeps dense.
 *
 *  - `radial`: Radial Attention's static mask (mit-han-lab/radial-attention@72788d4:radial_attn/attn_mask.py
 *    gen_log_mask_shrinked, get_window_width, get_diagonal_split_mask): for each pair of latent frames at
 *    distance d, tokens attend within a diagonal window of the full frame (d ≤ 1), else of
 *    2^bitlen(tokens per frame) / 2^bitlen(d) × decay tokens (at least one 128-block); below 128 only every
 *    split-th frame distance keeps its diagonal; the first frame is an attention sink (always dense). The
 *    density here counts the 128-token blocks of that mask. Defaults of its Wan script
 *    (scripts/wan_t2v_inference.sh): decay 0.2, dense_layers 1, dense_timesteps 12.
 *  - `vsa,sparsity=<s>`: Video Sparse Attention (Zhang et al. 2025, arXiv 2505.13389) as FastVideo runs it
 *    (hao-ai-lab/FastVideo video_sparse_attn.py; the vsa package's video_sparse_attn, V1): tokens are gathered
 *    into 4×4×4 tiles of the latent grid (padded with zeros), each tile mean-pooled, a coarse attention over
 *    the tiles picks each query tile's top-k = ⌈(1 − s) × tiles⌉ key tiles, the fine stage attends to those
 *    only, and the output is out_fine + gate × out_coarse with a learned gate (its own linear). The density
 *    is top-k over the tile count, on the padded sequence (vsaLayout); operators in attention-kernels.ts.
 *  - `<density>`: any block-sparse method at a given density (SVG, sliding-tile, sparge), with
 *    `steps=` and `layers=` dense (SVG's Wan script: first 20% of steps and 3% of layers dense,
 *    svg-project/Sparse-VideoGen@5ce7b01:scripts/wan/wan_t2v_720p_svg.sh).
 * Kernel time ∝ density at the dense kernel's rate (an assumption, attention-kernels.ts).
 */
import { InputError, didYouMean } from '../errors.ts';

export interface SparseAttention {
  method: 'radial' | 'blocks' | 'vsa';
  /** Fraction of blocks computed; radial: computed from the mask for the request (undefined until then). */
  density?: number;
  /** Radial's decay factor. */
  decay: number;
  /** VSA's sparsity (FastVideo's VSA_sparsity: the fraction of key tiles skipped). */
  sparsity?: number;
  /** Denoising steps (from the start) that attend densely. */
  denseSteps: number;
  /** Blocks (from the first) that attend densely. */
  denseLayers: number;
}

/** Radial Attention's Wan defaults (radial-attention@72788d4:scripts/wan_t2v_inference.sh). */
export const RADIAL_WAN_DEFAULTS = { decay: 0.2, denseLayers: 1, denseSteps: 12 };
const BLOCK = 128;

export function parseSparse(text: string, source = '--sparse'): SparseAttention | undefined {
  const t = text.trim().toLowerCase();
  if (t === '' || t === 'none') return undefined;
  const [head, ...rest] = t.split(',').map((s) => s.trim());
  const bad = (message: string): never => {
    throw new InputError([{ source, path: 'sparse', message, hint: 'e.g. radial · radial,decay=0.2,steps=12,layers=1 · 0.3,steps=10,layers=1' }]);
  };
  const spec: SparseAttention = head === 'radial'
    ? { method: 'radial', ...RADIAL_WAN_DEFAULTS }
    : head === 'vsa'
      ? { method: 'vsa', decay: 0, denseSteps: 0, denseLayers: 0 }
      : { method: 'blocks', density: Number(head), decay: 0, denseSteps: 0, denseLayers: 0 };
  if (spec.method === 'blocks' && !(spec.density! > 0 && spec.density! <= 1)) bad(`sparse attention needs "radial", "vsa,sparsity=<s>" or a density in (0, 1], got "${head}"`);
  for (const p of rest) {
    const [k, v] = p.split('=').map((s) => s.trim());
    const n = Number(v);
    if (v === undefined || !Number.isFinite(n)) bad(`"${p}" is not key=number`);
    if (n < 0) bad(`"${p}": ${k} cannot be negative`); // (it read "is not key=number")
    if (k === 'steps') spec.denseSteps = Math.round(n);
    else if (k === 'layers') spec.denseLayers = Math.round(n);
    else if (k === 'decay' && spec.method === 'radial') spec.decay = n;
    else if (k === 'sparsity' && spec.method === 'vsa') {
      if (!(n >= 0 && n < 1)) bad(`VSA's sparsity is the fraction of key tiles skipped, in [0, 1); got ${v}`);
      spec.sparsity = n;
    } else {
      const known = spec.method === 'radial' ? ['decay', 'steps', 'layers'] : spec.method === 'vsa' ? ['sparsity', 'steps', 'layers'] : ['steps', 'layers'];
      const near = didYouMean(k ?? '', known);
      bad(`unknown ${spec.method === 'blocks' ? 'block-sparse' : spec.method} setting "${k}" (${near ?? `settings: ${known.join(', ')}`})`);
    }
  }
  if (spec.method === 'vsa' && spec.sparsity === undefined) bad('VSA needs its sparsity (FastVideo\'s VSA_sparsity), e.g. vsa,sparsity=0.9');
  return spec;
}

/** Radial Attention's block density for a video of `frames` latent frames of `tokensPerFrame` tokens each. */
export function radialDensity(frames: number, tokensPerFrame: number, decay: number): number {
  const bitLength = (x: number) => (x <= 0 ? 0 : Math.floor(Math.log2(x)) + 1);
  const blocksPerFrame = Math.ceil(tokensPerFrame / BLOCK);
  let computed = 0;
  for (let i = 0; i < frames; i++) {
    for (let j = 0; j < frames; j++) {
      const d = Math.abs(i - j);
      if (j === 0 || d <= 1) {
        computed += blocksPerFrame * blocksPerFrame; // attention sink, and the central bands: the whole frame pair
        continue;
      }
      const decayLength = (2 ** bitLength(tokensPerFrame) / 2 ** bitLength(d)) * decay;
      if (decayLength < BLOCK) {
        // below a block the diagonal is kept only on every split-th frame distance
        const split = Math.trunc(BLOCK / ((2 ** bitLength(tokensPerFrame)) / 2 ** bitLength(d)));
        if (split > 0 && d % split !== 0) continue;
      }
      const width = Math.max(decayLength, BLOCK);
      // blocks of the frame pair within the diagonal band |col − row| ≤ width
      const reach = Math.ceil(width / BLOCK);
      for (let r = 0; r < blocksPerFrame; r++) computed += Math.min(blocksPerFrame - 1, r + reach) - Math.max(0, r - reach) + 1;
    }
  }
  return computed / (frames * frames * blocksPerFrame * blocksPerFrame);
}
