/**
 * What numbers a DiT's configuration may hold before vgsim prices it: a user's `models:` entry or a diffusers
 * `transformer/config.json`. Every size is a whole number ≥ 1 (a refiner may have 0 blocks); a model larger than
 * these bounds is not one any public code runs, and pricing it would build an operator list that does not end in
 * useful time (a 10⁸-block config hung `estimate` before). The bounds sit far above the largest public video DiTs
 * (HunyuanVideo: 20 + 40 blocks, dim 3072; Wan2.1-14B: 40 blocks, dim 5120, FFN 13,824).
 */
import type { InputIssue } from '../errors.ts';

/** Blocks of one kind a DiT may have. */
export const MAX_DIT_LAYERS = 1000;
/** Widths (model dim, FFN, channels, head dim, heads, text length) a config may give. */
export const MAX_DIT_WIDTH = 1 << 17;
/** Patch size per axis. */
export const MAX_PATCH = 64;

/** The bound of a config key: layer counts (num_*layers), patch sizes, else a width. */
function boundOf(key: string): { min: number; max: number; what: string } {
  if (/layers$/.test(key)) return { min: /refiner/.test(key) ? 0 : 1, max: MAX_DIT_LAYERS, what: 'blocks' };
  if (/patch/.test(key)) return { min: 1, max: MAX_PATCH, what: 'a patch size' };
  return { min: 1, max: MAX_DIT_WIDTH, what: 'a size' };
}

/** Why a config's integer field is out of bounds (undefined when it is fine). */
export function configIntProblem(key: string, v: number): string | undefined {
  const b = boundOf(key);
  if (!Number.isInteger(v) || v < b.min || v > b.max) return `expected ${b.what}: a whole number from ${b.min} to ${b.max.toLocaleString('en-US')}, got ${v}`;
  return undefined;
}

/** The problem of a DiT whose model width does not split into its heads (undefined when it does). */
export function headSplitProblem(dim: number, heads: number, source: string, path: string): InputIssue | undefined {
  if (dim % heads === 0) return undefined;
  const lo = Math.max(heads, Math.floor(dim / heads) * heads);
  return { source, path, message: `dim ${dim} does not split into ${heads} heads (each head needs a whole number of channels)`, hint: `use dim ${lo} or ${lo + heads}, or give head_dim` };
}
