/**
 * The time of one operator on one GPU: the roofline bound corrected by measured efficiency.
 *
 *   compute-bound ops (GEMM, attention, convolution): time = FLOPs / rate, where rate is the profile's
 *     measured TFLOP/s for that shape (interpolated, see profile.ts), floored by the memory roofline
 *     (minimum bytes / measured copy bandwidth); a loaded stage runs at the grid's rates (loaded-clock.ts), a power
 *     cap below the default lowers them (power-cap.ts);
 *   memory-bound ops: time = bytes / measured bandwidth of that kernel family at that size;
 *   host transfers: bytes / measured host-link rate (pinned, pageable, or module.to());
 *   launch: every kernel costs the measured GPU-side launch gap, and a stage cannot run faster than the
 *     CPU can issue its kernels (host-dispatch.ts: eager per kernel of a real forward, or graph replay).
 *
 * GPUs without their own profile use the reference GPU's profile carried over by cross-gpu.ts: compute-bound
 * kernels at the GPU's own clock (power limit, max clock) and per-clock efficiency (tensor throughput per
 * SM), memory-bound kernels by peak memory bandwidth, transfers by the host link's bandwidth. GPUs the
 * catalog lacks SM counts or clocks for fall back to dense-peak ratios. Every result carries
 * `extrapolated: true` in that case, and the notes say how the clock was set.
 */
import { rowwiseReductionGBs, shortRowSeconds } from './rowwise-reduction.ts';
import { nearestUpsampleSeconds, replicationPadSeconds, stridedElementwiseGBs } from './sm-bound-elementwise.ts';
import { ownKernelGBsOn } from './own-kernel-rates.ts';
import { smBoundCarryGBs } from './sm-bound-carry.ts';
import type { GpuSpec } from '../hardware/types.ts';
import { getGpu, getLink } from '../hardware/catalog.ts';
import { DEFAULT_HOST_MEMORY, moduleToCpuGBs, type HostMemory } from '../hardware/host-memory.ts';
import { builtinProfile, gridClockFromProfile, REFERENCE_GPU, type GpuProfile } from './profile.ts';
import { capEffect } from './power-cap.ts';
import { CrossGpu, AMPERE_ANCHOR, measuredAttentionRatio, measuredGemmRatio, measuredRatioNotes, memoryBandwidthRatio, type ComputeDtype } from './cross-gpu.ts';
import { isQuantizedAttention, opBytes, opFlops, type AttentionKernel, type Op } from '../workload/ops.ts';
import { headDimFactor } from './attention-head-dim.ts';
import { attentionWaves } from './attention-waves.ts';
import { LOADED_STAGE_FACTOR } from './loaded-clock.ts';
import { FA3_OVER_FA2, fa3OverCudnn } from './fa3-paper.ts';
import { quantizedAttentionProblem, quantizedAttentionRatio } from './quantized-attention.ts';
import { int8GemmRatio } from './linear-quant-rates.ts';
import { opKey } from './op-key.ts';
import { belowMeasuredChannels, biasAddGBs, smallConvCore, NCHW_CONV_KERNELS, SMALL_CONV_NOTE } from './small-conv.ts';
import { convPassBytes, rowCoreTflops } from './conv-layout-carry.ts';
import { isHopper } from '../hardware/architecture.ts';

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
  /** The node's host side: the GPU's host link as wired (LinkSpec id), how host memory pages in, its eager dispatch cost (s per kernel). */
  host?: { link?: string; memory?: HostMemory; dispatchS?: number };
}

export { REFERENCE_GPU };

export class DeviceModel {
  readonly gpu: GpuSpec;
  readonly profile: GpuProfile;
  /** True when `profile` was measured on a different GPU and is scaled by peak ratios. */
  readonly extrapolated: boolean;
  readonly sustainedFactor: number;
  /** Extrapolated GPUs: the reference profile carried over to this GPU (cross-gpu.ts); undefined otherwise. */
  readonly cross: CrossGpu | undefined;
  private readonly sustained: boolean;
  readonly capClockRatio: number;
  readonly powerLimitW: number | undefined;
  /** What the model assumed about this GPU (fixed at construction). */
  readonly notes: string[] = [];
  /** Notes raised while pricing the current estimate (beginEstimate clears them). */
  private raised: string[] = [];
  /** opTime results by op signature, with the notes pricing raised (instances are shared across estimates). */
  private readonly memo = new Map<string, { time: OpTime; notes: string[] }>();
  private readonly ref: GpuSpec;
  readonly launch: 'eager' | 'graph';
  private readonly hostLink: string | undefined;
  private readonly hostMemory: HostMemory;
  readonly hostDispatchS: number | undefined; // the host's eager dispatch per kernel when given (default: host-dispatch.ts)

  constructor(gpuId: string, opts: DeviceOptions = {}) {
    this.gpu = getGpu(gpuId);
    const own = opts.profile ?? builtinProfile(this.gpu.id);
    const refProfile = own ?? builtinProfile(REFERENCE_GPU);
    if (!refProfile) throw new Error(`no GPU profile available (looked for calibration/profiles/${REFERENCE_GPU}.json)`);
    this.profile = refProfile;
    this.extrapolated = !own;
    this.ref = own ? this.gpu : getGpu(REFERENCE_GPU);
    if (this.extrapolated) {
      this.notes.push(`${this.gpu.id}: no measured profile; kernel rates extrapolated from the ${REFERENCE_GPU} profile (compute-bound from public kernel measurements and the catalog, cross-gpu.ts and the notes below; memory-bound by its memory bandwidth: ${memoryBandwidthRatio(this.gpu, this.ref).measured ? 'the ratio of measured copy rates' : 'the datasheet ratio (no measured copy rate)'}; PyTorch's generic loop and torch.compile's Triton kernels by its SM count, sm-bound-carry.ts)`);
    }
    this.launch = opts.launch ?? 'eager';
    this.hostLink = opts.host?.link;
    this.hostMemory = opts.host?.memory ?? DEFAULT_HOST_MEMORY;
    this.hostDispatchS = opts.host?.dispatchS;
    const refSustained = LOADED_STAGE_FACTOR; // a loaded stage's compute kernels run at the grid's rates (loaded-clock.ts)
    this.sustained = opts.sustained !== false;
    const grid = this.extrapolated ? gridClockFromProfile(refProfile, this.ref.smCount, this.ref.tensorFlopsPerSmClock) : undefined;
    const gemm = refProfile.gemmTflops('bf16', 8192, 8192, 8192);
    this.cross = grid !== undefined && gemm !== undefined && CrossGpu.applies(this.gpu, this.ref) ? new CrossGpu(this.gpu, this.ref, grid, gemm, refSustained) : undefined;
    if (this.cross) this.notes.push(...this.cross.notes);
    else if (this.extrapolated) this.notes.push(...measuredRatioNotes(this.gpu, this.ref, refProfile));
    // an extrapolated GPU's rates are at its own (sustained or burst) clock already
    this.sustainedFactor = this.cross || !this.sustained ? 1 : refSustained;
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

  /**
   * A rate measured on the profiled GPU, carried over to this GPU for a dtype: its own clock and per-clock
   * efficiency when the catalog has the per-clock rates (cross-gpu.ts), else the dtype's dense-peak ratio.
   */
  private carryOver(refTflops: number, dtype: string): number {
    if (!this.extrapolated) return refTflops;
    if (this.cross && DeviceModel.peak(this.gpu, dtype) !== undefined) {
      const r = this.cross.rate(dtype as ComputeDtype, this.cross.efficiency({ tflops: refTflops, dtype: dtype as ComputeDtype }), this.sustained);
      if (r !== undefined) return r;
    }
    return refTflops * this.computeScale(dtype);
  }

  /** Dense-peak ratio from the profiled GPU to this one for a dtype (the fallback of carryOver). */
  private computeScale(dtype: string): number {
    if (!this.extrapolated) return 1;
    const mine = DeviceModel.peak(this.gpu, dtype);
    const ref = DeviceModel.peak(this.ref, dtype);
    if (mine === undefined && dtype === 'tf32' && this.gpu.tflops.fp32 !== undefined && ref) {
      // no TF32 figure in the catalog (e.g. MI300X, where only AMD's FP32 matrix peak is sourced): price the
      // fp32 work at the FP32 rate: conservative, and said in the output
      this.raise(`${this.gpu.id}: no TF32 rate in the catalog; fp32 (TF32-eligible) convolutions and GEMMs are priced at its FP32 peak (${this.gpu.tflops.fp32} TFLOP/s), a conservative bound`);
      return this.gpu.tflops.fp32 / ref;
    }
    if (mine === undefined) throw new UnsupportedOnGpuError(this.gpu, dtype);
    // a public measured matmul where the catalog lacks the per-clock rates: the measured ratio, the dtype's on top
    const gemm = measuredGemmRatio(this.gpu, this.profile);
    return !ref ? 1 : gemm !== undefined ? gemm * ((mine / this.gpu.tflops.bf16) / (ref / this.ref.tflops.bf16)) : mine / ref;
  }

  /** Effective memory bandwidth (GB/s) of a kernel family at a size (`triton`: a Triton kernel); elsewhere than the profiled GPU, scaled by cross-gpu.ts memoryBandwidthRatio or carried per SM (sm-bound-carry.ts). */
  memoryGBs(family: string, bytes: number, triton = false): number {
    // a kernel measured apart from the profile (full-tensor reductions, SageAttention's input kernels), unless the profile measures it
    const own = ownKernelGBsOn(family, bytes, this.gpu);
    if (own !== undefined && !this.profile.measuresMemoryFamily(family)) return own;
    const measured = this.profile.memoryGBs(family, bytes) ?? 0.85 * this.ref.memBwGBs;
    // PyTorch's generic loop (binary_*) and Triton kernels: elsewhere the reference's rate per SM, at most this GPU's contiguous rate
    const carried = measured * (this.extrapolated ? memoryBandwidthRatio(this.gpu, this.ref).ratio : 1);
    return this.extrapolated && (triton || family.startsWith('binary_')) ? smBoundCarryGBs(measured, family.startsWith('binary_') ? this.memoryGBs('binary', bytes) : carried, this.gpu, this.ref) : carried;
  }

  /** GPU-side gap per kernel launch (s). */
  get kernelGapS(): number {
    return this.profile.data.launch_overhead_us.cuda_graph_per_kernel * 1e-6;
  }

  /** CPU cost to launch one kernel (s) in the profile's microbenchmark: one eager `x.add_(1)`, or the graph replay cost. */
  get cpuLaunchS(): number {
    const l = this.profile.data.launch_overhead_us;
    return (this.launch === 'eager' ? l.eager_per_kernel : l.cuda_graph_per_kernel) * 1e-6;
  }

  /** cuDNN workspace (bytes) of an fp32/TF32 convolution with `inputBytes` of padded input. */
  convWorkspaceBytes(kind: 'conv3d' | 'conv2d', tf32: boolean, cin: number, cout: number, pixels: number, inputBytes: number, kernel: number[]): number {
    return this.profile.convWorkspaceBytes(kind, 'fp32', tf32, cin, cout, pixels, kernel, inputBytes) ?? 0;
  }

  /** Whether an attention kernel exists for this GPU; returns the reason if not. */
  attentionAvailable(kernel: AttentionKernel): string | undefined {
    const nvidia = this.gpu.vendor === 'nvidia';
    if (kernel === 'fa3' && !isHopper(this.gpu)) return 'FlashAttention-3 runs on Hopper GPUs only (H100/H200/H800/H20)';
    if (kernel === 'cudnn' && !nvidia) return 'cuDNN attention needs an NVIDIA GPU';
    if ((kernel === 'fa2' || kernel === 'cudnn') && nvidia && /volta|turing/i.test(this.gpu.arch)) return `${kernel} needs an Ampere or newer GPU`;
    if (isQuantizedAttention(kernel)) return quantizedAttentionProblem(kernel, this.gpu);
    return undefined;
  }

  /** Starts an estimate: notes raised while pricing are collected afresh (raisedNotes). */
  beginEstimate(): void {
    this.raised = [];
  }

  /** Notes raised while pricing since beginEstimate, in the order first raised. */
  get raisedNotes(): readonly string[] {
    return this.raised;
  }

  /** Records a note raised while pricing (once per estimate). */
  raise(note: string): void {
    if (!this.raised.includes(note)) this.raised.push(note);
  }

  /** The time of an op (memoised by its shape: the same op costs the same on the same device). */
  opTime(op: Op): OpTime {
    const key = opKey(op);
    const hit = this.memo.get(key);
    if (hit) {
      for (const n of hit.notes) this.raise(n);
      return hit.time;
    }
    const before = this.raised.length;
    const time = this.priceOp(op);
    if (this.memo.size > 200_000) this.memo.clear();
    this.memo.set(key, { time, notes: this.raised.slice(before) });
    return time;
  }

  private priceOp(op: Op, rateScale = 1): OpTime {
    const flops = opFlops(op) * op.count;
    const bytes = opBytes(op) * op.count;
    switch (op.kind) {
      case 'gemm': {
        if (op.dtype === 'int8') {
          // the fp8 (or bf16) GEMM rate of this shape × an INT8 ratio: measured on Hopper, else the peaks' (linear-quant-rates.ts)
          const q = int8GemmRatio(this.gpu, op);
          this.raise(`INT8 GEMMs${q.measured ? '' : ' are not measured here'}: priced as the ${q.reference} GEMM of the same shape × ${q.ratio} (${q.source})`);
          return this.priceOp({ ...op, dtype: q.reference, count: op.count }, q.ratio);
        }
        const dtype = op.dtype === 'fp16' ? 'bf16' : op.dtype;
        const measured = this.profile.gemmTflops(dtype, op.m, op.n, op.k) ?? this.profile.gemmTflops('bf16', op.m, op.n, op.k)! * ((DeviceModel.peak(this.ref, dtype) ?? 1) / (DeviceModel.peak(this.ref, 'bf16') ?? 1));
        return this.computeBound(flops, bytes, this.carryOver(measured, dtype) * rateScale, op.count);
      }
      case 'attention': {
        const backend = this.attentionBackend(op.kernel, op.lq);
        const fp32 = op.dtype === 'fp32';
        let rate = this.profile.attentionTflops(backend.profile, op.batch, op.heads, op.lq, op.lk, attentionWaves(backend.profile, this.ref, this.gpu, op.headDim)) ?? 0;
        rate *= backend.scale;
        rate *= headDimFactor(backend.reference ?? op.kernel, op.headDim, op.lq); // measured at head dim 128; others by the FA3 paper's ratios
        rate *= op.efficiency ?? 1; // a block-sparse kernel below the dense one's rate (VSA's fine stage)
        // a quantised kernel (SageAttention, FP8 FA3) runs its INT8/FP8 tensor work above the BF16 rate its
        // reference kernel's efficiency is of: its ratio (quantized-attention.ts) multiplies the reference's rate on this GPU, after
        // the reference is carried here (carried as a fraction of the BF16 peak, it would be cut at that peak)
        const quant = backend.quantRatio ?? 1;
        if (this.extrapolated && backend.profile === 'flash' && this.preHopperNvidia()) {
          // FlashAttention-2 uses mma.sync, Hopper's legacy path (~38% of the H100 wgmma peak here), but it
          // is the native instruction on Ampere/Ada: the FA2 paper reports 50–73% of peak on A100
          // (arXiv 2307.08691). Anchor on 70% of the A100's peak at long sequences (with the shape
          // dependence of our measured FA2 curve), carried to this GPU's tensor rate per SM-clock and clock.
          const plateau = this.profile.attentionTflops('flash', 1, 40, 75600, 75600, attentionWaves('flash', this.ref, this.gpu)) ?? rate;
          const eA100 = AMPERE_ANCHOR.fa2Efficiency * (rate / plateau);
          const carried = this.cross?.rate('bf16', this.cross.transfer(eA100, 'bf16'), this.sustained);
          return this.computeBound(flops, bytes, (carried ?? eA100 * this.gpu.tflops.bf16) * quant, op.count);
        }
        const anchored = this.extrapolated && !this.cross && !fp32 ? measuredAttentionRatio(this.gpu, this.profile) : undefined;
        if (anchored !== undefined) return this.computeBound(flops, bytes, rate * anchored * quant, op.count);
        return this.computeBound(flops, bytes, this.carryOver(rate, fp32 ? 'fp32' : 'bf16') * quant, op.count);
      }
      case 'conv': {
        const dtype = op.dtype === 'fp16' ? 'bf16' : op.dtype; // fp16 convs: same tensor cores, equal dense peak → bf16 measurements
        const prec = dtype === 'fp32' ? (op.tf32 ? 'tf32' : 'fp32') : dtype;
        const pixels = op.out[0] * op.out[1] * op.out[2];
        // measured convolution rates; else the implicit-GEMM shape (pixels × cout × cin·k³) at the GEMM rate of that
        // precision; else the bf16 GEMM rate scaled by the precision's peak ratio
        const kvol = op.cin * op.kernel[0] * op.kernel[1] * op.kernel[2];
        const core = belowMeasuredChannels(this.profile, op.dims === 3 ? 'conv3d' : 'conv2d', dtype, op.cin, op.cout, op.kernel) ? smallConvCore(this.profile, pixels, op.cout, kvol, this.ref.smCount!) : undefined;
        if (core !== undefined) return this.nchwConv(op, flops, core, 'bf16', SMALL_CONV_NOTE);
        const rate =
          this.profile.convTflops(op.dims === 3 ? 'conv3d' : 'conv2d', dtype, dtype === 'fp32' && op.tf32, op.cin, op.cout, pixels, op.kernel) ??
          this.profile.gemmTflops(prec, pixels, op.cout, kvol) ??
          (this.profile.gemmTflops('bf16', pixels, op.cout, kvol) ?? 0) * ((DeviceModel.peak(this.ref, prec) ?? 0) / (DeviceModel.peak(this.ref, 'bf16') ?? 1));
        // extrapolated tensor-core convs: the row's passes carried at memory/SM rates, its core at the compute ratio (conv-layout-carry.ts)
        if (this.extrapolated && (prec === 'bf16' || prec === 'tf32')) return this.nchwConv(op, flops, rowCoreTflops(op, prec === 'bf16' ? 2 : 4, rate, (b) => this.profile.memoryGBs('copy', b) ?? this.ref.memBwGBs, this.ref.smCount!, DeviceModel.peak(this.ref, prec)!), prec);
        const t = this.computeBound(flops, bytes, this.carryOver(rate, prec), op.count);
        // the measured rate holds the layout passes' GPU time; the CPU still launches each of their kernels
        return prec === 'bf16' ? { ...t, kernels: NCHW_CONV_KERNELS * op.count } : t;
      }
      case 'elementwise': {
        // a composite (the official RMSNorm or rope_apply: several kernels timed together in the profile,
        // rated on the whole op's minimum bytes, launch gaps included) is looked up by the whole op's bytes;
        // a single-kernel family by the bytes of one kernel, plus its launch gaps
        const composite = COMPOSITE_KINDS.has(op.ew);
        const full = this.memoryGBs(op.ew, composite ? op.bytes : op.bytes / Math.max(1, op.kernels), op.triton);
        const sms = this.gpu.smCount ?? this.ref.smCount!;
        const gbs = Math.min(full, op.rows !== undefined ? rowwiseReductionGBs(op.rows, this.ref.smCount ?? op.rows, op.elementBytes) : Infinity, op.strided ? stridedElementwiseGBs(sms) : Infinity);
        const seconds = Math.max(bytes / (gbs * 1e9), shortRowSeconds(op, sms), nearestUpsampleSeconds(op, sms) + replicationPadSeconds(op, sms)) + (composite ? 0 : op.kernels * op.count * this.kernelGapS);
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

  /**
   * Host↔device bandwidth (GB/s) for a copy on this GPU's host link (the node's wiring when given).
   * Pinned copies are link-bound: the measured rate scaled by the link ratio. Pageable copies and
   * `module.to('cuda')` are bounded by host memcpy (the measured rate) and by the link. `module.to('cpu')`
   * also pays first touch of its fresh host pages (host-memory.ts).
   */
  hostLinkGBs(direction: 'h2d' | 'd2h', pinned: boolean, module: boolean): number {
    const p = this.profile;
    const pinnedRef = p.hostLinkGBs(`${direction}_pinned`) ?? 25;
    const linkId = this.hostLink ?? this.gpu.hostLink;
    const scale = getLink(linkId).perDirGBs / getLink(this.ref.hostLink).perDirGBs;
    const pinnedHere = pinnedRef * scale;
    if (pinned && !module) return pinnedHere;
    if (module && direction === 'd2h') return moduleToCpuGBs(Math.min(p.hostLinkGBs('d2h_pageable') ?? pinnedRef, pinnedHere), this.hostMemory);
    const key = module ? 'module_to_cuda' : (`${direction}_pageable` as const);
    return Math.min(p.hostLinkGBs(key) ?? pinnedRef, pinnedHere);
  }

  private preHopperNvidia(): boolean {
    const arch = this.gpu.arch.toLowerCase();
    return this.gpu.vendor === 'nvidia' && (arch.includes('ampere') || arch.includes('ada'));
  }

  /**
   * Which measured curve prices an attention kernel: `scale` relates it at the same precision (FA3 from cuDNN),
   * `quantRatio` is a quantised kernel's throughput over that reference (quantized-attention.ts).
   */
  private attentionBackend(kernel: AttentionKernel, lq: number): { profile: string; scale: number; quantRatio?: number; reference?: AttentionKernel } {
    switch (kernel) {
      case 'fa2':
        return { profile: 'flash', scale: 1 };
      case 'cudnn':
        return { profile: this.profile.hasAttention('cudnn') ? 'cudnn' : 'flash', scale: 1 };
      case 'efficient':
        return { profile: 'efficient', scale: 1 };
      case 'math':
        return { profile: this.profile.hasAttention('math') ? 'math' : 'efficient', scale: 1 };
      case 'sage1':
      case 'sage2':
      case 'fa3-fp8': {
        // not measured here: the reference kernel's rate × the kernel's own throughput ratio (quantized-attention.ts)
        const q = quantizedAttentionRatio(kernel, this.gpu, lq);
        const ref = this.attentionBackend(q.reference, lq);
        return { profile: ref.profile, scale: ref.scale, quantRatio: q.ratio, reference: q.reference };
      }
      case 'fa3': {
        // Not measured here (no FlashAttention-3 build on the calibration machine). The FA3 paper (Shah et
        // al. 2024, arXiv 2407.08608, Fig. 5: H100 SXM5, BF16 forward, head dim 128, non-causal) measures FA3
        // and cuDNN side by side; its cuDNN numbers match our own cuDNN measurements at 16k tokens within 2%
        // (595 vs 582-588 TFLOP/s), so FA3 = our measured cuDNN × the paper's FA3/cuDNN ratio at that length.
        return this.profile.hasAttention('cudnn') ? { profile: 'cudnn', scale: fa3OverCudnn(lq) } : { profile: 'flash', scale: FA3_OVER_FA2 };
      }
    }
  }

  /** A tensor-core conv as its passes (small-conv.ts, conv-layout-carry.ts): NCHW⇄NHWC at copy bandwidth, the bias add, the core at `core` TFLOP/s. */
  private nchwConv(op: Extract<Op, { kind: 'conv' }>, flops: number, core: number, prec: 'bf16' | 'tf32', note?: string): OpTime {
    if (note) this.raise(note);
    const { layout, bias } = convPassBytes(op, prec === 'bf16' ? 2 : 4), copy = this.memoryGBs('copy', layout / 2), passes = prec === 'bf16' ? NCHW_CONV_KERNELS : 1;
    const gemm = this.computeBound(flops, opBytes(op) * op.count, this.carryOver(core, prec), op.count);
    const seconds = gemm.seconds + (op.count * layout) / (copy * 1e9) + (op.count * bias) / (biasAddGBs(this.gpu.smCount ?? this.ref.smCount!, copy) * 1e9) + (passes - 1) * op.count * this.kernelGapS;
    return { seconds, kernels: passes * op.count, bound: gemm.bound, flops, bytes: gemm.bytes + op.count * (layout + bias), rate: flops / seconds / 1e12, rateUnit: 'TFLOP/s' };
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

/** Memory-bound kinds measured as a whole multi-kernel op (profile_gpu.py: rms_norm_wan, rope_apply_wan). */
const COMPOSITE_KINDS: ReadonlySet<string> = new Set(['rmsnorm_wan', 'rope_wan']);

export class UnsupportedOnGpuError extends Error {
  constructor(readonly gpu: GpuSpec, readonly dtype: string) {
    super(`${gpu.name} has no ${dtype} ${dtype === 'fp8' ? 'tensor cores (fp8 needs Ada, Hopper, Blackwell or MI300-class GPUs)' : 'support in the catalog'}`);
    this.name = 'UnsupportedOnGpuError';
  }
}
