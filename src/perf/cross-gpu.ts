/**
 * How a kernel measured on one GPU runs on another: the achieved rate of a GPU without its own profile.
 *
 *     rate = SMs × (dtype FLOPs per SM-clock) × clock × per-clock efficiency
 *
 * Peak-ratio scaling assumes every GPU reaches the measured GPU's fraction of its datasheet peak. That
 * fails for three physical reasons, each modelled here from datasheets and public kernel-level
 * measurements (no end-to-end timing is fitted):
 *
 * 1. Instruction path (architecture anchor). Hopper kernels (wgmma, TMA, FlashAttention-3) are anchored on
 *    our H100 profile; Ampere and Ada run mma.sync kernels with other overheads, anchored on the A100:
 *    cuBLAS BF16 264.5 TFLOP/s (85% of peak; public matmul database, GPU_GEMM_MEASURED) and
 *    FlashAttention-2 at 70% of peak (FA2 paper; Tri Dao: "FA2 on A100 is already at around 70%").
 *
 * 2. Per-clock efficiency. A kernel's time on an SM is its tensor-pipe time plus overhead the tensor pipe
 *    does not hide (softmax exponentials, address math, epilogues, pipeline bubbles). Part of that overhead
 *    costs SM cycles whatever the tensor rate, part stalls in proportion to tensor time:
 *        1/e − 1 = (1/e_anchor − 1) · ((1 − β)·ρ + β),   ρ = tensor FLOPs per SM-clock vs the anchor.
 *    A GPU whose tensor pipe is slow per SM (H20: a quarter of GH100; GeForce with FP32 accumulate) reaches
 *    a larger fraction of its peak. β = 0.25 from the one public kernel benchmark on such a part: FA3 on an
 *    H20 at 2k tokens (126.2 TFLOP/s, flash-attention#1310) — see test/cross-gpu.test.ts.
 *
 * 3. Clock. Where a public matmul measurement exists (GPU_GEMM_MEASURED), the GPU's clock under tensor
 *    load follows from it (rate / (SMs × FLOPs per SM-clock × e)): it captures GeForce parts boosting
 *    above their rated clock and power-limited parts (L40S) running below it. Otherwise the clock the
 *    datasheet's peak is quoted at. Under sustained load Hopper parts are also held to their board power
 *    limit: the reference's fitted power curve (power-cap.ts) scaled to the GPU's SMs, tensor rate per
 *    SM-clock and TDP gives the ratio of power-limited clocks to the reference's, whose own sustained
 *    clock is known. Other generations have no power curve: their burst clock is assumed sustained.
 * Every extrapolated estimate says which of these applied (DeviceModel notes).
 */
import type { GpuSpec } from '../hardware/types.ts';
import { getGpu } from '../hardware/catalog.ts';
import { architectureOf, type Architecture } from '../hardware/architecture.ts';
import { loadPowerCurve } from './power-cap.ts';
import { headDimFactor } from './attention-head-dim.ts';
import type { GpuProfile } from './profile.ts';

export type ComputeDtype = 'bf16' | 'fp16' | 'fp8' | 'tf32' | 'fp32' | 'fp64';

const TENSOR: ReadonlySet<string> = new Set(['bf16', 'fp16', 'fp8', 'tf32']);

/**
 * Share of a kernel's unhidden overhead that stalls in proportion to tensor time rather than costing fixed
 * SM cycles (module doc, point 2). Calibrated on FA3 and FA2 on an H20 at 2k tokens, head dim 128,
 * non-causal (flash-attention#1310: 126.2 and 83.7 TFLOP/s): with attention priced in whole waves of CTAs
 * (attention-waves.ts; the H20's 78 SMs run those 512 CTAs in 7 waves) β = 0.25 puts both within 2%
 * (β = 0.2 misses FA2 by 5%; β = 0.3 puts FA3 2.7% and FA2 1.4% under). Before waves were modelled it was 0.2.
 */
export const FIXED_OVERHEAD_SHARE = 0.25;

/** Public measured BF16 matmul throughput (TFLOP/s, best square size 1024–10240, short runs). */
export const GPU_GEMM_MEASURED: Record<string, { tflops: number; source: string }> = {
  h20: { tflops: 141.86, source: 'zzc0721/torch-performance-test-data database.md (H20 96GB, PyTorch 2.8.0)' },
  'a100-sxm-80g': { tflops: 264.53, source: 'zzc0721/torch-performance-test-data database.md (A100 SXM4 80GB, PyTorch 2.8.0)' },
  a800: { tflops: 266.48, source: 'zzc0721/torch-performance-test-data database.md (A800 SXM4 80GB, PyTorch 2.8.0)' },
  rtx4090: { tflops: 166.7, source: 'zzc0721/torch-performance-test-data database.md, median of the four RTX 4090 24GB rows (170.06, 173.31, 162.39, 163.09)' },
  rtx3090: { tflops: 76.58, source: 'zzc0721/torch-performance-test-data database.md, median of the RTX 3090 rows (76.34, 76.68, 76.58)' },
  l40s: { tflops: 269.15, source: 'zzc0721/torch-performance-test-data database.md (L40S, docker)' },
  h200: { tflops: 790.29, source: 'zzc0721/torch-performance-test-data database.md (H200, docker)' },
  b200: { tflops: 1696.03, source: 'zzc0721/torch-performance-test-data database.md (B200 180GB, GCP a4-highgpu-8g, PyTorch 2.8.0)' },
  // the same table's H100 SXM is 794.5 (zzc0721: 789.2 and 783.7), so the two sources agree where both measured
  mi300x: { tflops: 668.4, source: 'stas00/ml-engineering compute/accelerator/README.md, MAMF table v2 (MI300X, torch 2.5.1 + ROCm 6.3, PYTORCH_TUNABLEOP_ENABLED=1; 51% of its 1,300 peak)' },
  mi325x: { tflops: 784.9, source: 'stas00/ml-engineering compute/accelerator/README.md, MAMF table v2 (MI325X 1000 W, torch 2.6.0 + ROCm 6.2.4, TunableOp)' },
};

/**
 * Public measured HBM copy bandwidth (TB/s), all from one benchmark run the same way on each GPU (Azure
 * AI-benchmarking-guide, `Azure_Results/*_results.md`, "HBM Bandwidth / Copy"). GPUs reach different fractions of
 * their datasheet bandwidth (H100 87%, H200 84%, A100 79%, MI300X 78%), so a memory-bound kernel measured on the
 * reference moves by the ratio of these, not of the datasheets, where both GPUs are in the table
 * (memoryBandwidthRatio).
 */
export const GPU_COPY_MEASURED: Record<string, { tbs: number; source: string }> = {
  'h100-sxm': { tbs: 2.9, source: 'Azure/AI-benchmarking-guide ND_H100_v5_results.md (H100 80GB HBM3, CUDA 12.6): copy 2.90 TB/s' },
  h200: { tbs: 4.01, source: 'Azure/AI-benchmarking-guide ND_H200_v5_results.md (H200 141GB, CUDA 12.6): copy 4.01 TB/s' },
  'a100-sxm-80g': { tbs: 1.61, source: 'Azure/AI-benchmarking-guide ND_A100_v4_results.md (A100-SXM4-80GB, CUDA 12.5): copy 1.61 TB/s' },
  // the A800 is the A100 SXM4 80GB's silicon and HBM2e (catalog: 2,039 GB/s both) with NVLink cut to 400 GB/s
  a800: { tbs: 1.61, source: 'derived: the A100 SXM4 80GB figure (same GA100 and 80 GB HBM2e; Azure ND_A100_v4_results.md copy 1.61 TB/s)' },
  mi300x: { tbs: 4.15, source: 'Azure/AI-benchmarking-guide ND MI300X v5 results (MI300X, ROCm): copy 4.15 TB/s (another version of the file, quoted in the shared catalog: 4.11)' },
};

/**
 * How much faster a memory-bound kernel runs on `gpu` than on `ref`: the ratio of their measured copy
 * bandwidths where both were measured the same way (GPU_COPY_MEASURED), else of their datasheet bandwidths.
 */
export function memoryBandwidthRatio(gpu: GpuSpec, ref: GpuSpec): { ratio: number; measured: boolean } {
  if (gpu.id === ref.id) return { ratio: 1, measured: true };
  const a = GPU_COPY_MEASURED[gpu.id];
  const b = GPU_COPY_MEASURED[ref.id];
  return a && b ? { ratio: a.tbs / b.tbs, measured: true } : { ratio: gpu.memBwGBs / ref.memBwGBs, measured: false };
}

/**
 * Public measured attention throughput of GPUs whose catalog entry lacks per-clock rates (no CrossGpu): their
 * attention is the reference profile's FA2 curve scaled to this point, not their GEMM ratio (AMD's CK
 * FlashAttention-2 reaches a larger share of the H100's speed than hipBLASLt's GEMM does).
 */
export const GPU_ATTENTION_MEASURED: Record<string, { tflops: number; batch: number; heads: number; seq: number; headDim: number; source: string }> = {
  mi300x: {
    tflops: 328.6, batch: 2, heads: 32, seq: 8192, headDim: 64,
    source: 'Azure/AI-benchmarking-guide ND MI300X v5 results, "Flash Attention 2.0": 328.6 TFLOP/s at head dim 64, batch 2, 8,192 tokens (heads as flash-attention\'s benchmark, 2,048 / 64)',
  },
};

/** A GPU without per-clock catalog rates: its measured BF16 matmul over the reference profile's 8192³ (else undefined). */
export function measuredGemmRatio(gpu: GpuSpec, refProfile: GpuProfile): number | undefined {
  const m = GPU_GEMM_MEASURED[gpu.id];
  const ref = refProfile.gemmTflops('bf16', 8192, 8192, 8192);
  return m && ref ? m.tflops / ref : undefined;
}

/** Its measured attention over the reference profile's FA2 at the same point (GPU_ATTENTION_MEASURED; else undefined). */
export function measuredAttentionRatio(gpu: GpuSpec, refProfile: GpuProfile): number | undefined {
  const m = GPU_ATTENTION_MEASURED[gpu.id];
  const at = m ? (refProfile.attentionTflops('flash', m.batch, m.heads, m.seq, m.seq) ?? 0) * headDimFactor('fa2', m.headDim, m.seq) : 0;
  return m && at > 0 ? m.tflops / at : undefined;
}

/** What an extrapolated GPU without CrossGpu takes from public kernel measurements, for its notes. */
export function measuredRatioNotes(gpu: GpuSpec, ref: GpuSpec, refProfile: GpuProfile): string[] {
  const notes: string[] = [];
  const g = measuredGemmRatio(gpu, refProfile);
  if (g !== undefined) notes.push(`${gpu.id}: no per-clock rates in the catalog; compute-bound kernels at ${ref.id}'s rates × ${g.toFixed(2)}, the ratio of a measured ${GPU_GEMM_MEASURED[gpu.id]!.tflops} TFLOP/s BF16 matmul (${GPU_GEMM_MEASURED[gpu.id]!.source}) to ${ref.id}'s, not of datasheet peaks`);
  const a = measuredAttentionRatio(gpu, refProfile);
  if (a !== undefined) notes.push(`${gpu.id}: attention at ${ref.id}'s FlashAttention-2 curve × ${a.toFixed(2)}, set by a measured ${GPU_ATTENTION_MEASURED[gpu.id]!.tflops} TFLOP/s (${GPU_ATTENTION_MEASURED[gpu.id]!.source})`);
  return notes;
}

/** The A100 anchor of Ampere/Ada kernels (module doc, point 1). */
export const AMPERE_ANCHOR = {
  gpu: 'a100-sxm-80g',
  /** cuBLAS BF16 large-matmul efficiency at the 1,410 MHz quoted clock: 264.53 / 312. */
  gemmEfficiency: 264.53 / 312,
  /** FlashAttention-2 forward at long sequences, fraction of peak (FA2 paper arXiv 2307.08691; flash-attention#1059). */
  fa2Efficiency: 0.7,
};


/**
 * Clock (MHz) at which the datasheet quotes a dtype's peak: tensor formats at peak.bf16 / (SMs × tensor
 * FLOPs per SM-clock) when the catalog knows the per-clock rate, vector formats and the rest at the max
 * boost clock (e.g. H100: 67 TFLOP/s FP32 = 132 SMs × 256 × 1.98 GHz).
 */
export function quotedClockMHz(gpu: GpuSpec, dtype: ComputeDtype): number | undefined {
  if (TENSOR.has(dtype) && gpu.tensorFlopsPerSmClock && gpu.smCount) return (gpu.tflops.bf16 * 1e6) / (gpu.smCount * gpu.tensorFlopsPerSmClock);
  return gpu.boostClockMHz;
}

/** FLOPs per SM per clock of a dtype (undefined when the catalog lacks SM count or clocks). */
export function flopsPerSmClock(gpu: GpuSpec, dtype: ComputeDtype): number | undefined {
  const peak = gpu.tflops[dtype];
  const f = quotedClockMHz(gpu, dtype);
  if (peak === undefined || !f || !gpu.smCount) return undefined;
  return (peak * 1e6) / (gpu.smCount * f);
}

/** Efficiency on a GPU with ρ× the anchor's tensor FLOPs per SM-clock (module doc, point 2). */
export function transferEfficiency(eAnchor: number, rho: number, share = FIXED_OVERHEAD_SHARE): number {
  const e = Math.min(1, Math.max(1e-3, eAnchor));
  return 1 / (1 + (1 / e - 1) * ((1 - share) * rho + share));
}

/** Clock of pure dense BF16 tensor work held at the board power limit, from `ref`'s power curve. */
function powerLimitedClockMHz(gpu: GpuSpec, ref: GpuSpec): number | undefined {
  const curve = loadPowerCurve(ref.id);
  const r = flopsPerSmClock(gpu, 'bf16');
  const rRef = flopsPerSmClock(ref, 'bf16');
  if (!curve || !r || !rRef || !gpu.smCount || curve.perSmW.bf16 === undefined) return undefined;
  const p0 = curve.p0W * (gpu.tdpW / ref.tdpW);
  if (gpu.tdpW <= p0) return undefined;
  return curve.topClockMHz * Math.pow((gpu.tdpW - p0) / (gpu.smCount * curve.perSmW.bf16 * (r / rRef)), 1 / curve.alpha);
}

/** A measured rate of the reference GPU, as seen by the cost model. */
export interface ReferenceKernel {
  /** The reference's rate (TFLOP/s) at its profile-grid clock. */
  tflops: number;
  dtype: ComputeDtype;
}

/**
 * The reference GPU's profile carried over to another GPU (module doc). Built once per DeviceModel.
 */
export class CrossGpu {
  readonly arch: Architecture;
  /** Clock of compute-bound kernels in short runs and under sustained load (MHz). */
  readonly burstClockMHz: number;
  readonly sustainedClockMHz: number;
  readonly notes: string[] = [];
  private readonly anchor: GpuSpec;

  /**
   * `refGemm8192` is the reference profile's n×n×n BF16 GEMM rate at its grid clock `refGridClockMHz`;
   * `refSustainedFactor` the reference's sustained/burst ratio in a loaded forward.
   */
  constructor(readonly gpu: GpuSpec, readonly ref: GpuSpec, readonly refGridClockMHz: number, private readonly refGemm8192: number, refSustainedFactor: number) {
    this.arch = architectureOf(gpu);
    this.anchor = this.arch === 'ampere-ada' ? getGpu(AMPERE_ANCHOR.gpu) : ref;
    const measured = GPU_GEMM_MEASURED[gpu.id];
    const quoted = quotedClockMHz(gpu, 'bf16')!;
    const mine = this.arch === 'hopper' ? powerLimitedClockMHz(gpu, ref) : undefined;
    const theirs = powerLimitedClockMHz(ref, ref);
    const powerRatio = mine !== undefined && theirs !== undefined ? mine / theirs : undefined;
    if (measured) {
      const e = this.efficiency({ tflops: refGemm8192, dtype: 'bf16' });
      this.burstClockMHz = (measured.tflops * 1e6) / (gpu.smCount! * flopsPerSmClock(gpu, 'bf16')! * e);
      this.notes.push(`${gpu.id}: compute clock ~${Math.round(this.burstClockMHz)} MHz, implied by a measured ${measured.tflops} TFLOP/s BF16 matmul (${measured.source})`);
    } else if (powerRatio !== undefined) {
      // same silicon family as the reference: its grid ran at a power-bound clock too
      this.burstClockMHz = Math.min(quoted, refGridClockMHz * powerRatio);
      this.notes.push(`${gpu.id}: no measured matmul; short-run compute clock ~${Math.round(this.burstClockMHz)} MHz from ${ref.id}'s (${Math.round(refGridClockMHz)} MHz) and the two GPUs' power-limited clocks`);
    } else {
      this.burstClockMHz = quoted;
      this.notes.push(`${gpu.id}: no measured matmul; compute clock taken as ${Math.round(quoted)} MHz, the clock its datasheet tensor peak is quoted at`);
    }
    const refSustained = refGridClockMHz * refSustainedFactor;
    if (powerRatio !== undefined) {
      const capped = refSustained * powerRatio;
      this.sustainedClockMHz = Math.min(this.burstClockMHz, capped);
      this.notes.push(
        capped < this.burstClockMHz
          ? `${gpu.id}: sustained compute clock ~${Math.round(capped)} MHz under its ${gpu.tdpW} W limit (${ref.id}'s power curve scaled to its SMs and tensor rate; ${ref.id} holds ~${Math.round(refSustained)} MHz)`
          : `${gpu.id}: under sustained load it holds that clock (a loaded stage's kernels run at ${ref.id}'s grid rates, loaded-clock.ts; its ${gpu.tdpW} W limit against ${ref.id}'s set the clock)`,
      );
    } else {
      this.sustainedClockMHz = this.burstClockMHz;
      this.notes.push(`${gpu.id}: no power curve for its generation; its burst clock is assumed to hold under sustained load`);
    }
    if (this.arch === 'blackwell' || this.arch === 'other') this.notes.push(`${gpu.id}: per-clock efficiencies carried over from ${ref.id} (Hopper) kernels; no kernel of its own architecture was measured`);
  }

  /** Per-clock efficiency on this GPU of a reference kernel (module doc, points 1 and 2). */
  efficiency(k: ReferenceKernel): number {
    const rRef = flopsPerSmClock(this.ref, k.dtype)!;
    const eRef = (k.tflops * 1e6) / (this.ref.smCount! * rRef * this.refGridClockMHz);
    let eAnchor = eRef;
    if (this.anchor !== this.ref) {
      // Ampere/Ada: the reference's shape dependence, at the A100's measured matmul efficiency level
      const eRefGemm = (this.refGemm8192 * 1e6) / (this.ref.smCount! * flopsPerSmClock(this.ref, 'bf16')! * this.refGridClockMHz);
      eAnchor = eRef * (AMPERE_ANCHOR.gemmEfficiency / eRefGemm);
    }
    return this.transfer(eAnchor, k.dtype);
  }

  /** Efficiency on this GPU of a kernel that reaches `eAnchor` on the architecture's anchor GPU. */
  transfer(eAnchor: number, dtype: ComputeDtype): number {
    const r = flopsPerSmClock(this.gpu, dtype);
    const rAnchor = flopsPerSmClock(this.anchor, dtype);
    return transferEfficiency(eAnchor, r && rAnchor ? r / rAnchor : 1);
  }

  /** Rate (TFLOP/s) at this GPU's clock for an efficiency. */
  rate(dtype: ComputeDtype, efficiency: number, sustained: boolean): number | undefined {
    const r = flopsPerSmClock(this.gpu, dtype);
    if (r === undefined) return undefined;
    return (this.gpu.smCount! * r * (sustained ? this.sustainedClockMHz : this.burstClockMHz) * efficiency) / 1e6;
  }

  /** Whether the catalog has what this model needs for the GPU (else peak-ratio scaling). */
  static applies(gpu: GpuSpec, ref: GpuSpec): boolean {
    return flopsPerSmClock(gpu, 'bf16') !== undefined && flopsPerSmClock(ref, 'bf16') !== undefined;
  }
}
