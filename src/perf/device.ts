/**
 * The time of one operator on one GPU: the roofline bound corrected by measured efficiency.
 *
 *   compute-bound ops (GEMM, attention, convolution): time = FLOPs / rate, where rate is the profile's
 *     measured TFLOP/s for that shape (interpolated, see profile.ts), floored by the memory roofline
 *     (minimum bytes / measured copy bandwidth), and divided by the sustained-clock factor when the GPU is
 *     modelled under sustained load (the power limit lowers the SM clock; profile `sustained`);
 *   memory-bound ops: time = bytes / measured bandwidth of that kernel family at that size;
 *   host transfers: bytes / measured host-link rate (pinned, pageable, or module.to());
 *   launch: every kernel costs the measured GPU-side launch gap, and a stage cannot run faster than the
 *     CPU can launch its kernels (eager: measured per-op launch cost; CUDA graphs: the graph replay cost).
 *
 * GPUs without their own profile use the reference GPU's profile scaled by physical ratios: the dtype's
 * dense peak TFLOP/s for compute-bound kernels, peak memory bandwidth for memory-bound kernels, the host
 * link's bandwidth for transfers. Every result carries `extrapolated: true` in that case.
 */
import type { GpuSpec } from '../hardware/types.ts';
import { getGpu, getLink } from '../hardware/catalog.ts';
import { builtinProfile, type GpuProfile } from './profile.ts';
import { capEffect } from './power-cap.ts';
import { opBytes, opFlops, type AttentionKernel, type Op } from '../workload/ops.ts';

export type Bound = 'compute' | 'memory' | 'launch' | 'link';

export interface OpTime {
  /** GPU time of all `count` executions, seconds (launch gaps included). */
  seconds: number;
  /** Kernels launched over all executions. */
  kernels: number;
  bound: Bound;
  flops: number;
  bytes: number;
  /** Achieved TFLOP/s or GB/s, for reports. */
  rate: number;
  rateUnit: 'TFLOP/s' | 'GB/s';
}

export interface DeviceOptions {
  /** Model clocks under sustained load (power-limited), as a serving GPU runs. Default true. */
  sustained?: boolean;
  /** Kernel launch mode: eager PyTorch, or CUDA graphs / compiled. */
  launch?: 'eager' | 'graph';
  /** Use this profile instead of the built-in one (a user's own calibration). */
  profile?: GpuProfile;
  /** Board power limit (W) below the default (nvidia-smi -pl); see power-cap.ts. */
  powerLimitW?: number;
}

/** The GPU whose profile stands in for GPUs without one. */
export const REFERENCE_GPU = 'h100-sxm';

export class DeviceModel {
  readonly gpu: GpuSpec;
  readonly profile: GpuProfile;
  /** True when `profile` was measured on a different GPU and is scaled by peak ratios. */
  readonly extrapolated: boolean;
  readonly sustainedFactor: number;
  /** Clock ratio of compute-bound work under the power limit (1 without one). */
  readonly capClockRatio: number;
  readonly powerLimitW: number | undefined;
  readonly notes: string[] = [];
  private readonly ref: GpuSpec;
  private readonly launch: 'eager' | 'graph';

  constructor(gpuId: string, opts: DeviceOptions = {}) {
    this.gpu = getGpu(gpuId);
    const own = opts.profile ?? builtinProfile(this.gpu.id);
    const refProfile = own ?? builtinProfile(REFERENCE_GPU);
    if (!refProfile) throw new Error(`no GPU profile available (looked for calibration/profiles/${REFERENCE_GPU}.json)`);
    this.profile = refProfile;
    this.extrapolated = !own;
    this.ref = own ? this.gpu : getGpu(REFERENCE_GPU);
    if (this.extrapolated) {
      this.notes.push(`${this.gpu.id}: no measured profile; kernel rates extrapolated from the ${REFERENCE_GPU} profile by peak TFLOP/s and memory-bandwidth ratios`);
    }
    this.launch = opts.launch ?? 'eager';
    const sf = refProfile.sustainedFactor();
    this.sustainedFactor = opts.sustained === false ? 1 : (sf?.factor ?? 1);
    if (opts.sustained !== false && !sf) this.notes.push('profile has no sustained-load measurement; burst clocks assumed');
    this.powerLimitW = opts.powerLimitW;
    this.capClockRatio = 1;
    if (opts.powerLimitW !== undefined) {
      // compute-bound work (GEMM, attention, convolution) at the default limit draws the profile's sustained
      // power of those kinds (scaled by TDP for a borrowed profile); a lower cap lowers its clock along the
      // GPU's power curve. The GEMM's sustained clock is the one quoted.
      const compute = (refProfile.data.sustained ?? []).filter((p) => !p.workload.startsWith('memory') && typeof p.mean_power_w === 'number');
      const measuredW = compute.length ? compute.reduce((a, p) => a + p.mean_power_w!, 0) / compute.length : this.ref.tdpW;
      const uncappedW = measuredW * (this.gpu.tdpW / this.ref.tdpW);
      const gemmClock = compute.find((p) => p.workload.startsWith('gemm'))?.mean_sm_clock_mhz;
      const cap = capEffect(this.gpu, opts.powerLimitW, uncappedW, this.extrapolated ? undefined : gemmClock);
      if (opts.sustained === false) this.notes.push(`power limit ${opts.powerLimitW} W is not applied to short-burst clocks (--burst)`);
      else {
        this.capClockRatio = cap.clockRatio;
        this.notes.push(...cap.notes);
      }
    }
  }

  /** Dense peak TFLOP/s for a dtype on a GPU (undefined if the GPU lacks the format). */
  static peak(gpu: GpuSpec, dtype: string): number | undefined {
    switch (dtype) {
      case 'bf16':
        return gpu.tflops.bf16;
      case 'fp16':
        return gpu.tflops.fp16;
      case 'fp8':
        return gpu.tflops.fp8;
      case 'tf32':
        return gpu.tflops.tf32;
      case 'fp32':
        return gpu.tflops.fp32;
      case 'fp64':
        return gpu.tflops.fp64;
      default:
        return undefined;
    }
  }

  /** Scale factor from the profiled GPU to this one for a dtype's compute peak. */
  private computeScale(dtype: string): number {
    if (!this.extrapolated) return 1;
    const mine = DeviceModel.peak(this.gpu, dtype);
    const ref = DeviceModel.peak(this.ref, dtype);
    if (mine === undefined && dtype === 'tf32' && this.gpu.tflops.fp32 !== undefined && ref) {
      // no TF32 figure in the catalog (e.g. MI300X, where only AMD's FP32 matrix peak is sourced): price the
      // fp32 work at the FP32 rate: conservative, and said in the output
      const note = `${this.gpu.id}: no TF32 rate in the catalog; fp32 (TF32-eligible) convolutions and GEMMs are priced at its FP32 peak (${this.gpu.tflops.fp32} TFLOP/s), a conservative bound`;
      if (!this.notes.includes(note)) this.notes.push(note);
      return this.gpu.tflops.fp32 / ref;
    }
    if (mine === undefined) throw new UnsupportedOnGpuError(this.gpu, dtype);
    return ref ? mine / ref : 1;
  }

  private memoryScale(): number {
    return this.extrapolated ? this.gpu.memBwGBs / this.ref.memBwGBs : 1;
  }

  /** Effective memory bandwidth (GB/s) of a kernel family at a size. */
  memoryGBs(family: string, bytes: number): number {
    const measured = this.profile.memoryGBs(family, bytes) ?? 0.85 * this.ref.memBwGBs;
    return measured * this.memoryScale();
  }

  /** GPU-side gap per kernel launch (s). */
  get kernelGapS(): number {
    return this.profile.data.launch_overhead_us.cuda_graph_per_kernel * 1e-6;
  }

  /** CPU cost to launch one kernel (s): eager per-op cost, or the graph replay cost. */
  get cpuLaunchS(): number {
    const l = this.profile.data.launch_overhead_us;
    return (this.launch === 'eager' ? l.eager_per_kernel : l.cuda_graph_per_kernel) * 1e-6;
  }

  /** cuDNN workspace (bytes) of an fp32/TF32 convolution with `inputBytes` of padded input. */
  convWorkspaceBytes(kind: 'conv3d' | 'conv2d', tf32: boolean, cin: number, cout: number, pixels: number, inputBytes: number, kernel: number[]): number {
    const r = this.profile.convWorkspaceRatio(kind, 'fp32', tf32, cin, cout, pixels, kernel);
    return r === undefined ? 0 : r * inputBytes;
  }

  /** Whether an attention kernel exists for this GPU; returns the reason if not. */
  attentionAvailable(kernel: AttentionKernel): string | undefined {
    const arch = this.gpu.arch.toLowerCase();
    const nvidia = this.gpu.vendor === 'nvidia';
    if (kernel === 'fa3' && !(nvidia && arch.includes('hopper'))) return 'FlashAttention-3 runs on Hopper GPUs only (H100/H200/H800/H20)';
    if (kernel === 'cudnn' && !nvidia) return 'cuDNN attention needs an NVIDIA GPU';
    if ((kernel === 'fa2' || kernel === 'cudnn') && nvidia && /volta|turing/.test(arch)) return `${kernel} needs an Ampere or newer GPU`;
    return undefined;
  }

  opTime(op: Op): OpTime {
    const flops = opFlops(op) * op.count;
    const bytes = opBytes(op) * op.count;
    switch (op.kind) {
      case 'gemm': {
        const dtype = op.dtype === 'fp16' ? 'bf16' : op.dtype;
        const measured = this.profile.gemmTflops(dtype, op.m, op.n, op.k) ?? this.profile.gemmTflops('bf16', op.m, op.n, op.k)! * ((DeviceModel.peak(this.ref, dtype) ?? 1) / (DeviceModel.peak(this.ref, 'bf16') ?? 1));
        return this.computeBound(flops, bytes, measured * this.computeScale(dtype), op.count);
      }
      case 'attention': {
        const backend = this.attentionBackend(op.kernel);
        const fp32 = op.dtype === 'fp32';
        let rate = this.profile.attentionTflops(backend.profile, op.batch, op.heads, op.lq, op.lk) ?? 0;
        rate *= backend.scale;
        if (this.extrapolated && backend.profile === 'flash' && this.preHopperNvidia()) {
          // FlashAttention-2 uses mma.sync, Hopper's legacy path (~38% of the H100 wgmma peak here), but it
          // is the native instruction on Ampere/Ada: the FA2 paper reports 50–73% of peak on A100
          // (arXiv 2307.08691). Use 70% of this GPU's bf16 peak at long sequences, with the shape
          // dependence of our measured FA2 curve.
          const plateau = this.profile.attentionTflops('flash', 1, 40, 75600, 75600) ?? rate;
          return this.computeBound(flops, bytes, FA2_PRE_HOPPER_EFFICIENCY * this.gpu.tflops.bf16 * (rate / plateau), op.count);
        }
        const scale = this.computeScale(fp32 ? 'fp32' : 'bf16');
        return this.computeBound(flops, bytes, rate * scale, op.count);
      }
      case 'conv': {
        const prec = op.dtype === 'fp32' ? (op.tf32 ? 'tf32' : 'fp32') : op.dtype;
        const pixels = op.out[0] * op.out[1] * op.out[2];
        // measured convolution rates; else the implicit-GEMM shape (pixels × cout × cin·k³) at the GEMM rate of that
        // precision; else the bf16 GEMM rate scaled by the precision's peak ratio
        const kvol = op.cin * op.kernel[0] * op.kernel[1] * op.kernel[2];
        const rate =
          this.profile.convTflops(op.dims === 3 ? 'conv3d' : 'conv2d', op.dtype, op.dtype === 'fp32' && op.tf32, op.cin, op.cout, pixels, op.kernel) ??
          this.profile.gemmTflops(prec, pixels, op.cout, kvol) ??
          (this.profile.gemmTflops('bf16', pixels, op.cout, kvol) ?? 0) * ((DeviceModel.peak(this.ref, prec) ?? 0) / (DeviceModel.peak(this.ref, 'bf16') ?? 1));
        return this.computeBound(flops, bytes, rate * this.computeScale(prec), op.count);
      }
      case 'elementwise': {
        const perKernel = op.bytes / Math.max(1, op.kernels);
        const gbs = this.memoryGBs(op.ew, perKernel);
        const seconds = bytes / (gbs * 1e9) + op.kernels * op.count * this.kernelGapS;
        return { seconds, kernels: op.kernels * op.count, bound: 'memory', flops: 0, bytes, rate: gbs, rateUnit: 'GB/s' };
      }
      case 'transfer': {
        const gbs = this.hostLinkGBs(op.direction, op.pinned, op.module);
        return { seconds: bytes / (gbs * 1e9), kernels: 0, bound: 'link', flops: 0, bytes, rate: gbs, rateUnit: 'GB/s' };
      }
      case 'collective':
        throw new Error('collectives are priced by the network model (src/parallel/collectives.ts)');
    }
  }

  /** Host↔device bandwidth (GB/s) for a copy, scaled to this GPU's host link. */
  hostLinkGBs(direction: 'h2d' | 'd2h', pinned: boolean, module: boolean): number {
    const key = module ? (direction === 'h2d' ? 'module_to_cuda' : 'module_to_cpu') : (`${direction}_${pinned ? 'pinned' : 'pageable'}` as const);
    const measured = this.profile.hostLinkGBs(key) ?? this.profile.hostLinkGBs(`${direction}_pinned`) ?? 25;
    if (!this.extrapolated) return measured;
    const mine = getLink(this.gpu.hostLink).perDirGBs;
    const ref = getLink(this.ref.hostLink).perDirGBs;
    // pageable copies are bounded by host memcpy, not the link: scale only the pinned rate fully
    const scale = mine / ref;
    return pinned && !module ? measured * scale : measured * Math.min(1, scale);
  }

  private preHopperNvidia(): boolean {
    const arch = this.gpu.arch.toLowerCase();
    return this.gpu.vendor === 'nvidia' && (arch.includes('ampere') || arch.includes('ada'));
  }

  private attentionBackend(kernel: AttentionKernel): { profile: string; scale: number } {
    switch (kernel) {
      case 'fa2':
        return { profile: 'flash', scale: 1 };
      case 'cudnn':
        return { profile: this.profile.hasAttention('cudnn') ? 'cudnn' : 'flash', scale: 1 };
      case 'efficient':
        return { profile: 'efficient', scale: 1 };
      case 'math':
        return { profile: this.profile.hasAttention('math') ? 'math' : 'efficient', scale: 1 };
      case 'fa3':
        // Not measured here (no FlashAttention-3 build on the calibration machine). FlashAttention-3 paper
        // (Shah et al. 2024, Fig. 5, H100 SXM, BF16 forward, head dim 128, non-causal): 648 TFLOP/s at 16k
        // tokens vs FlashAttention-2's 338 on the same plot → FA3 = 1.92 × FA2. We scale our measured FA2
        // (PyTorch flash backend) by that published ratio.
        return { profile: 'flash', scale: FA3_OVER_FA2 };
    }
  }

  private computeBound(flops: number, bytes: number, tflops: number, count: number): OpTime {
    if (!(tflops > 0)) throw new Error('no measured rate for this kernel');
    let seconds = flops / (tflops * 1e12) / this.sustainedFactor / this.capClockRatio;
    let bound: Bound = 'compute';
    const memFloor = bytes / (this.memoryGBs('copy', bytes / count) * 1e9);
    if (memFloor > seconds) {
      seconds = memFloor;
      bound = 'memory';
    }
    seconds += count * this.kernelGapS;
    return { seconds, kernels: count, bound, flops, bytes, rate: flops / seconds / 1e12, rateUnit: 'TFLOP/s' };
  }
}

/** FA2 forward efficiency on Ampere/Ada at long sequences (FA2 paper: 50–73% of peak on A100; we take 70%). */
export const FA2_PRE_HOPPER_EFFICIENCY = 0.7;

/** FlashAttention-3 / FlashAttention-2 forward throughput on H100 (FA3 paper, Fig. 5: 648 / 338 TFLOP/s). */
export const FA3_OVER_FA2 = 648 / 338;

export class UnsupportedOnGpuError extends Error {
  constructor(readonly gpu: GpuSpec, readonly dtype: string) {
    super(`${gpu.name} has no ${dtype} ${dtype === 'fp8' ? 'tensor cores (fp8 needs Ada, Hopper, Blackwell or MI300-class GPUs)' : 'support in the catalog'}`);
    this.name = 'UnsupportedOnGpuError';
  }
}
