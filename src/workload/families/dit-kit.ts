/**
 * Building blocks the family DiT builders share: eager PyTorch linear layers (with autocast's per-call
 * weight cast for fp32 checkpoints and fp8 activation quantisation), LayerNorm/RMSNorm written out as the
 * codes write them, adaLN modulation, gated residuals, RoPE variants, attention and the sequence-parallel
 * collectives of xDiT's USP (Ulysses all-to-alls, ring KV exchange). Each helper adds operators with their
 * bytes and allocates/frees the tensors it creates, so a stage's peak memory follows program order.
 *
 * Element sizes: activations bf16 (2 B) unless a helper says otherwise; `fused` (compile) collapses every
 * elementwise chain to one kernel that reads its inputs and writes its output once.
 */
import { DTYPE_BYTES, StageBuilder, type AttentionKernel, type ElementwiseKind } from '../ops.ts';
import type { DitForwardOptions } from '../dit.ts';
import { familyParamSplit } from './params.ts';
import type { FamilyDitSpec } from './specs.ts';

export const ACT = DTYPE_BYTES.bf16;
export const F32 = DTYPE_BYTES.fp32;

type Mem = Parameters<StageBuilder['op']>[1];

export interface KitOptions {
  linearDtype: 'bf16' | 'fp8';
  fused: boolean;
  /** fp32 weights kept as stored; autocast casts each weight to bf16 on every call (a transient copy). */
  castWeights: boolean;
  kernel: AttentionKernel;
  ulysses: number;
  ring: number;
}

export class DitKit {
  readonly b = new StageBuilder();
  private n = 0;

  constructor(readonly o: KitOptions) {}

  /** A fresh tensor name. */
  t(what: string): string {
    return `${what}#${this.n++}`;
  }

  ew(name: string, kind: ElementwiseKind, bytes: number, kernels = 1, mem: Mem = {}): void {
    this.b.op({ kind: 'elementwise', name, ew: kind, bytes, kernels: this.o.fused ? 1 : kernels }, mem);
  }

  /** An elementwise op producing a new [elems] tensor of `bytesPer` bytes per element; returns its name. */
  make(name: string, kind: ElementwiseKind, bytes: number, elems: number, bytesPer = ACT, kernels = 1, cat = 'activations', frees: string[] = []): string {
    const out = this.t(name);
    this.ew(name, kind, bytes, kernels, { outputs: [[out, elems * bytesPer, cat]], frees });
    return out;
  }

  /**
   * nn.Linear on `rows` rows (k → n), output bf16 [rows, n]. fp32 checkpoints under autocast: a bf16 copy of
   * the weight is made per call and freed after the GEMM; fp8: the activation is quantised first.
   */
  linear(name: string, rows: number, n: number, k: number, frees: string[] = []): string {
    let w: string | undefined;
    if (this.o.castWeights && this.o.linearDtype !== 'fp8') {
      w = this.t(`${name}.w_bf16`);
      this.ew(`${name}.weight_cast`, 'cast_down', n * k * (F32 + ACT), 1, { outputs: [[w, n * k * ACT, 'activations']] });
    }
    const out = this.t(name);
    if (this.o.linearDtype === 'fp8') {
      const q = this.t(`${name}.in_fp8`);
      this.ew(`${name}.quantize_fp8`, 'cast_down', rows * k * (ACT + 1), 2, { outputs: [[q, rows * k, 'activations']] });
      this.b.op({ kind: 'gemm', name, m: rows, n, k, dtype: 'fp8', batch: 1 }, { outputs: [[out, rows * n * ACT, 'activations']], frees: [q, ...frees] });
    } else {
      this.b.op({ kind: 'gemm', name, m: rows, n, k, dtype: 'bf16', batch: 1 }, { outputs: [[out, rows * n * ACT, 'activations']], frees });
    }
    if (w) this.b.free(w);
    return out;
  }

  /** F.layer_norm in bf16 (one kernel: read, write). */
  layerNorm(name: string, x: string, elems: number): string {
    return this.make(name, 'norm', elems * 2 * ACT, elems);
  }

  /**
   * nn.LayerNorm(headDim) on q or k viewed as [B, heads, S, headDim] (`x.view(B, S, heads, hd).transpose(1, 2)`):
   * F.layer_norm needs a contiguous input (layer_norm_cuda: `input.expect_contiguous()`), so the transposed view
   * is copied first (a temporary, freed after the norm); the norm then runs one 128-thread block per row of
   * headDim elements (launch_vectorized_layer_norm_kernel: `blocks(M)`), B·heads·S blocks, which the SMs retire
   * slower than DRAM streams the bytes (perf/rowwise-reduction.ts shortRowSeconds).
   */
  headLayerNorm(name: string, x: string, elems: number, headDim: number): string {
    // [assumption] torch.compile writes its own norm kernel (Inductor: many rows per block, the transpose folded into
    // its loads; not profiled here), so the eager kernel's block-per-row rate does not apply
    if (this.o.fused) return this.layerNorm(name, x, elems);
    const c = this.t(`${name}.contiguous`);
    this.ew(`${name}.contiguous`, 'copy', elems * 2 * ACT, 1, { outputs: [[c, elems * ACT, 'activations']] });
    const out = this.t(name);
    this.b.op({ kind: 'elementwise', name, ew: 'norm', bytes: elems * 2 * ACT, kernels: 1, rowBlocks: elems / headDim }, { outputs: [[out, elems * ACT, 'activations']], frees: [c] });
    return out;
  }

  /**
   * RMSNorm written out in fp32 (x.float(), pow, mean, + eps, rsqrt, x·r, type_as, · weight): the composite
   * the profile measured for Wan's identical code (rmsnorm_wan).
   */
  rmsNorm(name: string, elems: number, frees: string[] = []): string {
    if (this.o.fused) return this.make(name, 'norm', elems * 2 * ACT, elems, ACT, 1, 'activations', frees);
    // the fp32 copy and the normalised fp32 tensor live together at the peak
    const f = this.t(`${name}.f32`);
    this.b.alloc(f, elems * F32, 'activations');
    const nrm = this.t(`${name}.n`);
    this.b.alloc(nrm, elems * F32, 'activations');
    this.b.free(f, nrm);
    return this.make(name, 'rmsnorm_wan', elems * 2 * ACT, elems, ACT, 7, 'activations', frees);
  }

  /**
   * nn.LayerNorm inside torch.autocast (HunyuanVideo runs its DiT under autocast bf16,
   * Tencent/HunyuanVideo@fa14b00:hyvideo/diffusion/pipelines/pipeline_hunyuan_video.py:988-990): layer_norm is on
   * autocast's fp32 list (pytorch/pytorch aten/src/ATen/autocast_mode.cpp: KERNEL_CUDA(layer_norm, fp32)), so the
   * bf16 input is cast up (a copy), normalised in fp32, and the output stays fp32. Returns the fp32 tensor.
   */
  layerNormAutocast(name: string, elems: number): string {
    if (this.o.fused) return this.make(name, 'norm', elems * 2 * ACT, elems);
    const up = this.make(`${name}.autocast_fp32`, 'cast_up', elems * (ACT + F32), elems, F32);
    return this.make(name, 'norm', elems * 2 * F32, elems, F32, 1, 'activations', [up]);
  }

  /**
   * x·(1 + scale) + shift on an fp32 x with bf16 scale/shift rows: type promotion keeps both products fp32
   * (2 big kernels, fp32 in and out; the rows broadcast over the tokens, so PyTorch's generic loop runs them,
   * ops.ts binary_bcast_bf16). Returns the fp32 tensor.
   */
  modulateFp32(name: string, elems: number, frees: string[] = []): string {
    if (this.o.fused) return this.make(name, 'binary', elems * 2 * ACT, elems, ACT, 1, 'activations', frees);
    const m = this.make(`${name}.mul`, 'binary_bcast_bf16', elems * 2 * F32, elems, F32, 1, 'activations', frees);
    return this.make(`${name}.add_shift`, 'binary_bcast_bf16', elems * 2 * F32, elems, F32, 1, 'activations', [m]);
  }

  /**
   * The cast autocast puts before a Linear (or conv) whose input is fp32: a bf16 copy (read fp32, write bf16;
   * pytorch/pytorch aten/src/ATen/autocast_mode.cpp: KERNEL_CUDA(linear, lower_precision_fp) → cached_cast).
   */
  autocastInput(name: string, x: string, elems: number): string {
    if (this.o.fused) return x;
    return this.make(`${name}.autocast_bf16`, 'cast_down', elems * (F32 + ACT), elems, ACT, 1, 'activations', [x]);
  }

  /**
   * The same autocast cast where the fp32 tensor stays referenced after the Linear (a Python local, or the
   * argument of a module call still running): x is not freed. Returns the bf16 copy (x itself when fused).
   */
  autocastCopy(name: string, x: string, elems: number): string {
    if (this.o.fused) return x;
    return this.make(`${name}.autocast_bf16`, 'cast_down', elems * (F32 + ACT), elems, ACT, 1, 'activations');
  }

  /** x·(1 + scale) + shift with per-sample scale/shift rows (bf16): 2 big kernels, broadcasting the rows (binary_bcast16). */
  modulate(name: string, x: string, elems: number, frees: string[] = []): string {
    if (this.o.fused) return this.make(name, 'binary', elems * 2 * ACT, elems, ACT, 1, 'activations', frees);
    void x;
    const m = this.make(`${name}.mul`, 'binary_bcast16', elems * 2 * ACT, elems);
    return this.make(`${name}.add_shift`, 'binary_bcast16', elems * 2 * ACT, elems, ACT, 1, 'activations', [m, ...frees]);
  }

  /**
   * residual + gate·y (bf16): mul then add; returns the new residual. Frees y and the old residual unless
   * `keep` says the code still references them: a block's input residual is held by the caller
   * (`x = block(x, ...)` rebinds only when the block returns), and a branch output bound to a local
   * (`attn_out, ... = self.attn(...)`) lives until the block returns.
   */
  gatedResidual(name: string, residual: string, y: string, elems: number, gated = true, keep: { residual?: boolean; y?: boolean } = {}): string {
    const fy = keep.y ? [] : [y];
    const fr = keep.residual ? [] : [residual];
    if (gated && !this.o.fused) {
      const g = this.make(`${name}.gate_mul`, 'binary_bcast16', elems * 2 * ACT, elems, ACT, 1, 'activations', fy); // a per-sample gate row
      return this.make(`${name}.add`, 'binary', elems * 3 * ACT, elems, ACT, 1, 'residual', [g, ...fr]);
    }
    return this.make(`${name}.add`, 'binary', elems * 3 * ACT, elems, ACT, 1, 'residual', [...fy, ...fr]);
  }

  /**
   * Rotary embedding in fp32 on a bf16 tensor (x.float()·cos + rotate_half(x.float())·sin, then back to
   * bf16): two casts up, the negate-and-stack copy of rotate_half, two products, a sum, a cast down.
   * Peak: three fp32 temporaries of the tensor's size.
   */
  ropeFp32(name: string, elems: number, frees: string[] = []): string {
    if (this.o.fused) return this.make(name, 'complex', elems * 2 * ACT, elems, ACT, 1, 'activations', frees);
    const xf = this.make(`${name}.float`, 'cast_up', elems * (ACT + F32), elems, F32, 2);
    const rot = this.make(`${name}.rotate_half`, 'copy', elems * 2 * F32, elems, F32, 2);
    const a = this.make(`${name}.mul_cos`, 'binary', elems * 3 * F32, elems, F32);
    const c = this.make(`${name}.mul_sin`, 'binary', elems * 3 * F32, elems, F32, 1, 'activations', [rot, xf]);
    const s = this.make(`${name}.add`, 'binary', elems * 3 * F32, elems, F32, 1, 'activations', [a, c]);
    return this.make(`${name}.type_as`, 'cast_down', elems * (F32 + ACT), elems, ACT, 1, 'activations', [s, ...frees]);
  }

  /**
   * diffusers' apply_rotary_emb (use_real, unbind_dim -1; huggingface/diffusers@58eb52c embeddings.py:1221-1232)
   * on a bf16 tensor with fp32 tables: the rotation (negate the odd half, stack) in bf16, then
   * x.float() · cos + x_rotated.float() · sin and a cast back. Peak: the bf16 rotation (a local until the function
   * returns) and three fp32 tensors (x·cos, x_rotated.float(), x_rotated·sin) of the tensor's size.
   */
  ropeDiffusers(name: string, elems: number, frees: string[] = []): string {
    if (this.o.fused) return this.make(name, 'complex', elems * 2 * ACT, elems, ACT, 1, 'activations', frees);
    const neg = this.make(`${name}.neg_imag`, 'copy', elems * ACT, elems / 2);
    const rot = this.make(`${name}.stack`, 'copy', elems * 3 * ACT, elems, ACT, 1, 'activations', [neg]);
    const xf = this.make(`${name}.x_float`, 'cast_up', elems * (ACT + F32), elems, F32);
    const a = this.make(`${name}.mul_cos`, 'binary', elems * 3 * F32, elems, F32, 1, 'activations', [xf]);
    // x_rotated is a local of apply_rotary_emb: alive until it returns
    const rf = this.make(`${name}.rot_float`, 'cast_up', elems * (ACT + F32), elems, F32);
    const c = this.make(`${name}.mul_sin`, 'binary', elems * 3 * F32, elems, F32, 1, 'activations', [rf]);
    const s = this.make(`${name}.add`, 'binary', elems * 3 * F32, elems, F32, 1, 'activations', [a, c]);
    return this.make(`${name}.to_bf16`, 'cast_down', elems * (F32 + ACT), elems, ACT, 1, 'activations', [s, rot, ...frees]);
  }

  /** Rotary embedding in the tensor's own dtype (bf16 tables): negate/stack copy, two products, a sum. */
  ropeBf16(name: string, elems: number, frees: string[] = []): string {
    if (this.o.fused) return this.make(name, 'complex', elems * 2 * ACT, elems, ACT, 1, 'activations', frees);
    const rot = this.make(`${name}.rotate`, 'copy', elems * 2 * ACT, elems, ACT, 2);
    const a = this.make(`${name}.mul_cos`, 'binary', elems * 3 * ACT, elems);
    const c = this.make(`${name}.mul_sin`, 'binary', elems * 3 * ACT, elems, ACT, 1, 'activations', [rot]);
    return this.make(`${name}.add`, 'binary', elems * 3 * ACT, elems, ACT, 1, 'activations', [a, c, ...frees]);
  }

  /** GELU (tanh) in bf16 on [elems]. */
  gelu(name: string, elems: number, frees: string[] = []): string {
    return this.make(name, 'activation', elems * 2 * ACT, elems, ACT, 1, 'activations', frees);
  }

  /** torch.cat of bf16 tensors into a new [elems] tensor (a copy). */
  cat(name: string, elems: number, frees: string[] = []): string {
    return this.make(name, 'copy', elems * 2 * ACT, elems, ACT, 1, 'activations', frees);
  }

  /**
   * Attention of `batch` × `heads` (this GPU's heads) over lq queries and lk keys; with ring > 1 the KV
   * blocks travel the ring behind the attention steps (xDiT USP) and the partial outputs are merged.
   * Returns the output tensor (bf16, lq rows × heads·headDim per sample).
   */
  attention(name: string, a: { batch: number; heads: number; lq: number; lk: number; headDim: number; kernel?: AttentionKernel }, frees: string[] = []): string {
    const kernel = a.kernel ?? this.o.kernel;
    const e = a.batch * a.heads * a.lq * a.headDim;
    const out = this.t(name);
    const r = this.o.ring;
    if (r > 1) {
      const kvBytes = 2 * a.batch * a.heads * (a.lk / r) * a.headDim * ACT;
      this.b.op({ kind: 'collective', name: `${name}.ring_kv_sendrecv`, collective: 'sendrecv', bytes: kvBytes, comm: 'ring', hiddenBehind: name, count: r - 1 }, { outputs: [[`${out}.kv`, kvBytes, 'activations']] });
      this.b.op({ kind: 'attention', name, batch: a.batch, heads: a.heads, lq: a.lq, lk: a.lk / r, headDim: a.headDim, kernel, dtype: 'bf16', count: r }, { outputs: [[out, e * ACT, 'activations']], workspace: a.batch * a.heads * a.lq * 8 });
      this.b.op({ kind: 'elementwise', name: `${name}.ring_merge`, ew: 'binary', bytes: e * (F32 + ACT + F32), kernels: 3, count: r - 1 });
      this.b.free(`${out}.kv`, ...frees);
      return out;
    }
    this.b.op({ kind: 'attention', name, batch: a.batch, heads: a.heads, lq: a.lq, lk: a.lk, headDim: a.headDim, kernel, dtype: 'bf16' }, { outputs: [[out, e * ACT, 'activations']], frees, workspace: a.batch * a.heads * a.lq * 8 });
    return out;
  }

  /**
   * One Ulysses all-to-all of a bf16 tensor of `elems` elements on this GPU (xDiT's SeqAllToAll4D: a
   * contiguous copy before, the exchange, a copy after). Returns the received tensor.
   */
  allToAll(name: string, elems: number, frees: string[] = []): string {
    const bytes = elems * ACT;
    const inp = this.make(`${name}.contiguous`, 'copy', 2 * bytes, elems);
    const recv = this.t(`${name}.recv`);
    this.b.op({ kind: 'collective', name, collective: 'alltoall', bytes, comm: 'ulysses' }, { outputs: [[recv, bytes, 'activations']], frees: [inp, ...frees] });
    return this.make(`${name}.reshape`, 'copy', 2 * bytes, elems, ACT, 1, 'activations', [recv]);
  }
}

/**
 * What every family forward starts from: the kit, the sequence-parallel degree P, this GPU's video rows R
 * (batch × tokens/P) and text rows T (batch × text length, on every rank), its heads after Ulysses, the
 * parameter split and the bytes per linear weight.
 */
export function forwardFrame(dit: FamilyDitSpec, o: DitForwardOptions) {
  const k = new DitKit({ linearDtype: o.linearDtype, fused: o.fused, castWeights: !!o.castWeights, kernel: o.kernel, ulysses: o.ulysses, ring: o.ring });
  const P = o.ulysses * o.ring;
  const B = o.batch;
  const Nl = Math.ceil(o.tokens / P);
  return {
    k, b: k.b, P, B, Nl, R: B * Nl, T: B * dit.textLen, L: dit.textLen, heads: dit.heads / o.ulysses, hd: dit.headDim,
    split: familyParamSplit(dit), wBytes: o.linearDtype === 'fp8' ? 1 : 2,
  };
}
