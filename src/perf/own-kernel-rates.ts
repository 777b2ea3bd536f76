/**
 * Memory-bound kernels with rates of their own, measured apart from the kernel profile on one GPU: the full-tensor
 * reductions (full-reduction.ts) and SageAttention's input kernels (sage-input-rates.ts). device.ts prices these
 * kinds here unless the GPU's profile measures them, carried from the GPU they were measured on (`ownKernelGBsOn`).
 */
import { FULL_REDUCTION_GPU, fullReductionGBs, inductorFullReductionGBs } from './full-reduction.ts';
import { isSageInputKind, sageInputGBs } from './sage-input-rates.ts';
import { SAGE_MEASURED_GPU } from './quantized-attention.ts';
import { GPU_COPY_MEASURED, memoryBandwidthRatio } from './cross-gpu.ts';
import { smBoundCarryGBs } from './sm-bound-carry.ts';
import { getGpu } from '../hardware/catalog.ts';
import type { GpuSpec } from '../hardware/types.ts';

/** The measured rate (GB/s) of kernel kind `family` moving `bytes` per kernel, and the GPU it was measured on; undefined for other kinds. */
function ownKernelGBs(family: string, bytes: number): { gbs: number; measuredOn: string } | undefined {
  if (family === 'reduce_full') return { gbs: fullReductionGBs(bytes), measuredOn: FULL_REDUCTION_GPU };
  if (family === 'reduce_full_split') return { gbs: inductorFullReductionGBs(bytes), measuredOn: FULL_REDUCTION_GPU };
  if (isSageInputKind(family)) return { gbs: sageInputGBs(family, bytes), measuredOn: SAGE_MEASURED_GPU };
  return undefined;
}

/**
 * The rate (GB/s) of kind `family` moving `bytes` per kernel on `gpu`; undefined for kinds priced by the profile.
 *
 * The eager full-tensor reductions stream near their GPU's copy rate: scaled by the memory bandwidth ratio; inductor's
 * split reduction, a Triton kernel, at the reference's rate per SM (sm-bound-carry.ts). SageAttention's
 * input kernels run at a third of the H100's (0.98–1.25 TB/s against a 2.9 TB/s copy: a max per group and a divide
 * per element between the loads), so their time per byte is taken as the copy's plus an SM-bound share,
 * 1/rate = 1/copy + 1/sm, the share being what the measured rate leaves over the reference's copy; the copy part
 * follows the bandwidth, the SM part the SM count. CHECKED on an H200 (calibration/engines/h200-sage-split.json,
 * held out): at 16k–76k tokens its kernels run 1.05–1.15× the H100's, where the bandwidth ratio alone says 1.38
 * (test/quantized-attention.test.ts).
 */
export function ownKernelGBsOn(family: string, bytes: number, gpu: GpuSpec): number | undefined {
  const own = ownKernelGBs(family, bytes);
  if (!own) return undefined;
  if (gpu.id === own.measuredOn) return own.gbs;
  const ref = getGpu(own.measuredOn);
  const bw = memoryBandwidthRatio(gpu, ref).ratio;
  const copy = (GPU_COPY_MEASURED[ref.id]?.tbs ?? 0) * 1000;
  // inductor's split reduction is one of its Triton kernels: carried per SM (sm-bound-carry.ts)
  if (family === 'reduce_full_split') return smBoundCarryGBs(own.gbs, own.gbs * bw, gpu, ref);
  if (!isSageInputKind(family) || !(copy > own.gbs)) return own.gbs * bw;
  const sm = 1 / (1 / own.gbs - 1 / copy);
  return 1 / (1 / (copy * bw) + 1 / (sm * ((gpu.smCount ?? ref.smCount!) / ref.smCount!)));
}
