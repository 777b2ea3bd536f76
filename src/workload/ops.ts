/**
 * Operators: the unit of work the cost model prices. A stage (text encode, one DiT forward, VAE decode)
 * is a list of operators with shapes, FLOPs and bytes, plus a memory timeline (allocations and frees in
 * program order) from which the peak and its breakdown are read.
 */

export type Dtype = 'fp64' | 'fp32' | 'tf32' | 'bf16' | 'fp16' | 'fp8' | 'int8';

export const DTYPE_BYTES: Record<Dtype, number> = { fp64: 8, fp32: 4, tf32: 4, bf16: 2, fp16: 2, fp8: 1, int8: 1 };

/**
 * Attention kernels: the bf16 ones the profile measures (fa2 = flash, cudnn, efficient, math) and FA3; the
 * quantised ones of serving engines (src/workload/attention-kernels.ts): `sage1` (SageAttention1's arithmetic:
 * INT8 QK, FP16 PV with an FP16 accumulator), `sage2` (SageAttention2: INT8 QK, FP8 PV) and `fa3-fp8`
 * (FlashAttention-3 with FP8 inputs and per-tensor descales).
 */
export type AttentionKernel = 'fa2' | 'fa3' | 'cudnn' | 'efficient' | 'math' | 'sage1' | 'sage2' | 'fa3-fp8';

/** The quantised attention kernels (priced from their own throughput ratios, with their input passes). */
export type QuantizedAttention = 'sage1' | 'sage2' | 'fa3-fp8';
export function isQuantizedAttention(k: string): k is QuantizedAttention {
  return k === 'sage1' || k === 'sage2' || k === 'fa3-fp8';
}

/** What `--attention` / a scenario's `attention:` accepts (auto: the engine's default). */
export const ATTENTION_CHOICES = ['auto', 'fa2', 'fa3', 'cudnn', 'efficient', 'sage1', 'sage2', 'fa3-fp8'] as const;

/** Kinds of memory-bound kernels; the profile's bandwidth curve is looked up by this kind. */
export type ElementwiseKind =
  | 'copy'
  | 'cast_up' // to a wider dtype (bf16 → fp32/fp64): measured slower than narrowing casts on H100
  | 'cast_down'
  | 'binary'
  /**
   * Two-operand ops that PyTorch cannot vectorize (its generic elementwise loop), as the Wan block's modulation runs
   * them; each priced at its own measured rate (profile_gpu.py memory ops add_bcast … add_wan_modulation):
   *  - binary_bcast: same dtype, one operand a broadcast row ([L, d] ⊙ [1, d], or [L, 6d] + [1, 6d])
   *  - binary_strided: same dtype, one operand a strided view (a chunk of the per-token [L, 6, d] modulation)
   *  - binary_cast_bcast: a bf16 [L, d] operand cast per element, times an fp32 broadcast row, fp32 out
   *  - binary_cast_strided: a bf16 [L, d] operand times an fp32 strided view, fp32 out
   *  - binary_bcast_bf16: an fp32 operand with a bf16 broadcast row, fp32 out (HunyuanVideo's fp32 modulate)
   *  - binary_bcast16: a bf16 operand with a bf16 broadcast row (the other families' modulate and gates)
   *  - binary_wan_modulation: Wan2.2's `modulation.unsqueeze(0) + e` as written: a bf16 [1, 1, 6, d] parameter
   *    first, the per-token fp32 e [1, L, 6, d] second (slower than the same add with the operands swapped)
   */
  | 'binary_bcast'
  | 'binary_strided'
  | 'binary_cast_bcast'
  | 'binary_cast_strided'
  | 'binary_bcast_bf16'
  | 'binary_bcast16'
  | 'binary_wan_modulation'
  | 'norm'
  | 'activation'
  | 'complex'
  | 'reduce'
  /** a whole tensor to one scalar (x.max()): bytes = bytes read, priced at its measured rate (perf/full-reduction.ts) */
  | 'reduce_full'
  /** the same, compiled by inductor: a Triton split reduction, priced at its own measured rate (perf/full-reduction.ts) */
  | 'reduce_full_split'
  /** SageAttention's own input kernels (INT8 Q/K per thread or per block, FP8 V per channel): bytes read + written, priced at their measured rates (perf/sage-input-rates.ts) */
  | 'sage_int8_qk_thread'
  | 'sage_int8_qk_block'
  | 'sage_fp8_v'
  | 'softmax'
  /** composite: the official WanRMSNorm (7 kernels), priced by its measured effective rate */
  | 'rmsnorm_wan'
  /** composite: the official rope_apply (float64 complex), priced by its measured effective rate */
  | 'rope_wan';

interface OpBase {
  /** Readable name, e.g. "block.self_attn.q" */
  name: string;
  /** How many times this op runs in the stage (e.g. per layer × layers). */
  count: number;
  /** Which part of the model (for breakdowns): "embed", "block", "head", "time_embedding", ... */
  group: string;
}

export interface GemmOp extends OpBase {
  kind: 'gemm';
  m: number;
  n: number;
  k: number;
  dtype: Dtype;
  /** Independent GEMMs of this shape batched in one call (bmm). */
  batch: number;
}

export interface AttentionOp extends OpBase {
  kind: 'attention';
  batch: number;
  heads: number;
  lq: number;
  lk: number;
  headDim: number;
  kernel: AttentionKernel;
  dtype: Dtype;
  /** Fraction of the query-key blocks computed (sparse attention); undefined = dense. */
  density?: number;
  /** A sparse kernel's rate per computed block relative to the dense kernel's (VSA's fine stage); undefined = 1. */
  efficiency?: number;
}

export interface ElementwiseOp extends OpBase {
  kind: 'elementwise';
  ew: ElementwiseKind;
  /** Bytes the kernel must read plus write. */
  bytes: number;
  /** Kernels launched for this op (a composite like "RMSNorm" is several). */
  kernels: number;
  /**
   * A row-parallel reduction whose grid has one thread block per row (PyTorch's GroupNorm moments kernel:
   * N × groups blocks), so at most `rows` SMs stream its bytes: priced at the measured per-block rate
   * (perf/rowwise-reduction.ts) when that is below the GPU's bandwidth. Undefined: a full-GPU kernel.
   */
  rows?: number;
  /**
   * Bytes per element of a `rows` reduction's input (default 2): the per-block rate is one of elements, so an fp32
   * input (GroupNorm under autocast, an fp32 decoder) takes as long as a 16-bit one of the same size (perf/rowwise-reduction.ts).
   */
  elementBytes?: number;
  /**
   * Blocks of a one-block-per-row kernel over many short rows (PyTorch's vectorized LayerNorm on a per-head
   * norm): the kernel takes at least the time the SMs need to retire them (perf/rowwise-reduction.ts
   * shortRowSeconds). Undefined: bandwidth only.
   */
  rowBlocks?: number;
  /**
   * Output elements of PyTorch's nearest-neighbour upsampling kernel (one thread per output element, index
   * arithmetic bound): the kernel takes at least the time the SMs need for them (perf/sm-bound-elementwise.ts).
   * Undefined: bandwidth only.
   */
  nearestOutElements?: number;
  /**
   * Output elements of PyTorch's replication-padding kernel (F.pad(mode='replicate'): one thread per output element,
   * index arithmetic bound, perf/sm-bound-elementwise.ts). Undefined: bandwidth only.
   */
  replicationPadOutElements?: number;
  /**
   * An operand is strided or broadcast (a copy into a narrow of a cat's output, a bias broadcast over channels), so
   * PyTorch runs its non-vectorized elementwise loop, priced at that loop's measured rate (perf/sm-bound-elementwise.ts)
   * when it is below the kind's. Undefined: contiguous operands.
   */
  strided?: boolean;
  /**
   * A Triton kernel (generated by torch.compile's Inductor, or an engine's own, as LightX2V's fuse_scale_shift): on a
   * GPU other than the profiled one it is carried at the reference's rate per SM, not by the memory bandwidth
   * (perf/sm-bound-carry.ts). Set by StageBuilder.compiled for a compiled forward.
   */
  triton?: boolean;
}

export interface ConvOp extends OpBase {
  kind: 'conv';
  dims: 2 | 3;
  cin: number;
  cout: number;
  kernel: [number, number, number];
  /** Output extent (t, h, w); t = 1 for conv2d. */
  out: [number, number, number];
  dtype: Dtype;
  /** TF32 tensor cores allowed for fp32 convolution (PyTorch's cudnn default). */
  tf32: boolean;
  /**
   * Input extent (h, w) when it differs from the output's: a strided convolution (2× the output) or a
   * transposed one, written as the equivalent sub-pixel convolution (kernel 2×2 on the 2× output, the same
   * FLOPs as ConvTranspose2d(k=4, s=2) on the input). Undefined: the output's extent (stride 1, padded).
   */
  inputHW?: [number, number];
}

export interface TransferOp extends OpBase {
  kind: 'transfer';
  direction: 'h2d' | 'd2h';
  bytes: number;
  pinned: boolean;
  /** A whole-module move (`module.to(device)`): many tensors, pageable memory, per-tensor overhead. */
  module: boolean;
}

/** Which GPU group of the parallel plan a collective runs over (resolved to ranks by src/parallel). */
export type CommGroup = 'ulysses' | 'ring' | 'tp' | 'fsdp' | 'cfg' | 'pipefusion' | 'sp' | 'vae';

export interface CollectiveOp extends OpBase {
  kind: 'collective';
  collective: 'alltoall' | 'allgather' | 'reducescatter' | 'allreduce' | 'sendrecv' | 'broadcast';
  /** Bytes of the buffer as nccl-tests defines "size" (the full gathered / total per-rank buffer). */
  bytes: number;
  comm: CommGroup;
  /**
   * Name of the op (or op group) this collective runs concurrently with, e.g. FSDP's next-block all-gather
   * behind the current block, ring attention's KV exchange behind the attention step. Only the part that
   * outlasts it is exposed. Undefined = on the critical path.
   */
  hiddenBehind?: string;
}

export type Op = GemmOp | AttentionOp | ElementwiseOp | ConvOp | TransferOp | CollectiveOp;

export function opFlops(op: Op): number {
  switch (op.kind) {
    case 'gemm':
      return 2 * op.m * op.n * op.k * op.batch;
    case 'attention':
      return 4 * op.batch * op.heads * op.lq * op.lk * op.headDim * (op.density ?? 1);
    case 'conv':
      return 2 * op.cin * op.cout * op.kernel[0] * op.kernel[1] * op.kernel[2] * op.out[0] * op.out[1] * op.out[2];
    default:
      return 0;
  }
}

/** Minimum bytes moved through device memory (each input read once, output written once). */
export function opBytes(op: Op): number {
  switch (op.kind) {
    case 'gemm': {
      const b = DTYPE_BYTES[op.dtype];
      return op.batch * b * (op.m * op.k + op.k * op.n) + op.batch * op.m * op.n * (b === 1 ? 2 : b);
    }
    case 'attention':
      return DTYPE_BYTES[op.dtype] * op.batch * op.heads * op.headDim * (2 * op.lq + 2 * op.lk);
    case 'elementwise':
      return op.bytes;
    case 'conv': {
      const b = DTYPE_BYTES[op.dtype];
      const [t, h, w] = op.out;
      const inT = t + op.kernel[0] - 1;
      const inHW = op.inputHW ? op.inputHW[0] * op.inputHW[1] : h * w;
      return b * (op.cin * inT * inHW + op.cout * t * h * w + op.cin * op.cout * op.kernel[0] * op.kernel[1] * op.kernel[2]);
    }
    case 'transfer':
    case 'collective':
      return op.bytes;
  }
}

/** A live tensor in the memory timeline. */
export interface MemoryEvent {
  /** Positive = allocate, negative = free. */
  bytes: number;
  tensor: string;
  /** Category for breakdowns: weights, activations, modulation, attention, workspace, vae, ... */
  category: string;
}

export interface MemoryPeak {
  bytes: number;
  /** Live tensors at the peak, by category. */
  byCategory: Record<string, number>;
  /** The op during which the peak occurred. */
  at: string;
}

/**
 * Builds a stage: ops in program order, with tensors allocated and freed around them. Tensors are
 * named; freeing an unknown tensor is a programming error and throws.
 */
export class StageBuilder {
  readonly ops: Op[] = [];
  private readonly live = new Map<string, { bytes: number; category: string }>();
  private liveBytes = 0;
  private peak: MemoryPeak = { bytes: 0, byCategory: {}, at: 'start' };
  private group = 'stage';
  private repeat = 1;
  /** Elementwise ops added from now on are Inductor's Triton kernels (a compiled forward): tagged `triton`. */
  compiled = false;

  /** Sets the group name and repeat count applied to ops added next. */
  section(group: string, repeat = 1): this {
    this.group = group;
    this.repeat = repeat;
    return this;
  }

  alloc(tensor: string, bytes: number, category: string): string {
    if (this.live.has(tensor)) throw new Error(`tensor ${tensor} allocated twice`);
    this.live.set(tensor, { bytes, category });
    this.liveBytes += bytes;
    this.notePeak(tensor);
    return tensor;
  }

  free(...tensors: string[]): void {
    for (const t of tensors) {
      const e = this.live.get(t);
      if (!e) throw new Error(`free of unknown tensor ${t}`);
      this.live.delete(t);
      this.liveBytes -= e.bytes;
    }
  }

  has(tensor: string): boolean {
    return this.live.has(tensor);
  }

  /**
   * Adds an op. `outputs` are allocated before the op runs (so they coexist with its inputs), `frees`
   * released after it; `workspace` is a temporary held only during the op.
   */
  op(op: DistributiveOmit<Op, 'count' | 'group'> & { count?: number }, mem: { outputs?: [string, number, string][]; frees?: string[]; workspace?: number } = {}): void {
    for (const [name, bytes, cat] of mem.outputs ?? []) this.alloc(name, bytes, cat);
    if (mem.workspace) {
      this.liveBytes += mem.workspace;
      this.notePeak(op.name, { workspace: mem.workspace });
      this.liveBytes -= mem.workspace;
    }
    const added = { ...op, count: (op.count ?? 1) * this.repeat, group: this.group } as Op;
    if (this.compiled && added.kind === 'elementwise') added.triton = true;
    this.ops.push(added);
    if (mem.frees) this.free(...mem.frees);
  }

  liveTensorBytes(): number {
    return this.liveBytes;
  }

  peakMemory(): MemoryPeak {
    return this.peak;
  }

  private notePeak(at: string, extra: Record<string, number> = {}): void {
    if (this.liveBytes <= this.peak.bytes) return;
    const byCategory: Record<string, number> = {};
    for (const { bytes, category } of this.live.values()) byCategory[category] = (byCategory[category] ?? 0) + bytes;
    for (const [k, v] of Object.entries(extra)) byCategory[k] = (byCategory[k] ?? 0) + v;
    this.peak = { bytes: this.liveBytes, byCategory, at };
  }
}

type DistributiveOmit<T, K extends keyof any> = T extends unknown ? Omit<T, K> : never;
