/**
 * Memory-bound kernels with rates of their own, measured apart from the kernel profile on one GPU: the full-tensor
 * reductions (full-reduction.ts) and SageAttention's input kernels (sage-input-rates.ts). device.ts prices these
 * kinds here unless the GPU's profile measures them, scaling the rate by the GPU's memory bandwidth over the one
 * it was measured on.
 */
import { FULL_REDUCTION_GPU, fullReductionGBs, inductorFullReductionGBs } from './full-reduction.ts';
import { isSageInputKind, sageInputGBs } from './sage-input-rates.ts';
import { SAGE_MEASURED_GPU } from './quantized-attention.ts';

/** The measured rate (GB/s) of kernel kind `family` moving `bytes` per kernel, and the GPU it was measured on; undefined for other kinds. */
export function ownKernelGBs(family: string, bytes: number): { gbs: number; measuredOn: string } | undefined {
  if (family === 'reduce_full') return { gbs: fullReductionGBs(bytes), measuredOn: FULL_REDUCTION_GPU };
  if (family === 'reduce_full_split') return { gbs: inductorFullReductionGBs(bytes), measuredOn: FULL_REDUCTION_GPU };
  if (isSageInputKind(family)) return { gbs: sageInputGBs(family, bytes), measuredOn: SAGE_MEASURED_GPU };
  return undefined;
}
