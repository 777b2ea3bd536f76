/**
 * A GPU's architecture family, read from the catalog's `arch` text (gpus.ts): the one place that decides which
 * kernels exist (FlashAttention-3 and its FP8 variant on Hopper only) and which measured per-clock efficiencies
 * carry over between GPUs (cross-gpu.ts).
 */
import type { GpuSpec } from './types.ts';

export type Architecture = 'hopper' | 'ampere-ada' | 'blackwell' | 'other';

export function architectureOf(gpu: GpuSpec): Architecture {
  if (gpu.vendor !== 'nvidia') return 'other';
  const a = gpu.arch.toLowerCase();
  if (a.includes('hopper')) return 'hopper';
  if (a.includes('ampere') || a.includes('ada')) return 'ampere-ada';
  if (a.includes('blackwell')) return 'blackwell';
  return 'other';
}

/** An NVIDIA Hopper GPU (H100, H200, H800, H20). */
export const isHopper = (gpu: GpuSpec): boolean => architectureOf(gpu) === 'hopper';
/** Ada Lovelace (compute capability 8.9: RTX 40xx, L4, L20, L40S). */
export const isAda = (gpu: GpuSpec): boolean => gpu.vendor === 'nvidia' && /ada/i.test(gpu.arch);
