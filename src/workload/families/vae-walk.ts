/**
 * A walker for the convolutional video decoders of the non-Wan families: it adds the operators of each
 * layer (convolutions as implicit GEMMs priced by the profile, the padding/cat copies before causal
 * convolutions, GroupNorm/RMSNorm passes, activations, nearest or depth-to-space upsampling, residual adds)
 * and allocates/frees their outputs in program order, so the stage's peak memory is the decoder's working
 * set. It also counts the parameters it walks (convolution weights and biases, norm affine parameters), which
 * the tests compare with PyTorch's count of the reference decoders (calibration/families_reference.py).
 *
 * Tensors are [channels, frames, height, width] in the decode dtype; `shards` splits the width (patch
 * parallel) or the frames (Mochi's context-parallel decode) over GPUs.
 */
import type { ElementwiseOp, StageBuilder } from '../ops.ts';

export interface Vol {
  c: number;
  t: number;
  h: number;
  w: number;
}

export interface Tensor {
  name: string;
  v: Vol;
  /** Held in fp32 although the walk's dtype is 16-bit: an autocast fp32 op's output and what follows it (WalkOptions.autocast). */
  fp32?: true;
}

export interface WalkOptions {
  dtype: 'fp16' | 'bf16' | 'fp32';
  /** TF32 tensor cores for fp32 convolutions (PyTorch's cudnn default: on). */
  tf32: boolean;
  convWorkspace?: (kind: 'conv3d' | 'conv2d', cin: number, cout: number, pixels: number, inputBytes: number, kernel: number[]) => number;
  /**
   * SafeConv3d (Mochi vae/models.py:36-76; CogVideoXSafeConv3d): an input of more than 2 GiB (counted at 2 bytes
   * an element) is convolved in int(GiB/2) + 1 chunks of frames, so each cuDNN call sees a chunk.
   */
  safeConv?: boolean;
  /**
   * CogVideoXCausalConv3d's conv cache (huggingface/diffusers@58eb52c autoencoder_kl_cogvideox.py:135-144): every
   * causal conv returns `inputs[:, :, -k_t + 1:].clone()` of its time-padded input — the last k_t − 1 frames, the
   * whole input when k_t = 1 (the slice starts at 0) — for the next frame batch: a copy, kept past the call.
   */
  convCache?: boolean;
  /**
   * 16-bit weights run under `torch.autocast` to the same dtype (HunyuanVideo, HunyuanVideo-1.5: FamilyVaeSpec.autocast). Autocast runs
   * GroupNorm and nearest upsampling in fp32 (PyTorch aten/src/ATen/autocast_mode.h, AT_FORALL_FP32: group_norm,
   * upsample_nearest3d): it casts their 16-bit input to an fp32 copy and returns fp32, so the SiLU and the causal
   * conv's F.pad that follow work on fp32 tensors, and every convolution or Linear casts its fp32 input back to
   * the 16-bit dtype (a copy per call: autocast caches casts of weights only). A norm can ask for an fp32 output too
   * (`norm` fp32Out: HunyuanVideo-1.5's RMS norm, whose division promotes to its fp32 reduction).
   */
  autocast?: boolean;
}

export class DecoderWalk {
  /** Parameters of the layers walked (one pass of the walk; reset per call of `countParams`). */
  params = 0;
  /** Conv-cache tensors this walk kept (WalkOptions.convCache), left allocated for the caller to free. */
  readonly caches: Tensor[] = [];
  private n = 0;
  readonly es: number;

  constructor(readonly b: StageBuilder, readonly o: WalkOptions) {
    this.es = o.dtype === 'fp32' ? 4 : 2;
  }

  bytes(v: Vol): number {
    return v.c * v.t * v.h * v.w * this.es;
  }

  /** Bytes of a tensor as it is held (fp32 where autocast left it so). */
  size(x: Tensor): number {
    return x.fp32 ? (this.bytes(x.v) * 4) / this.es : this.bytes(x.v);
  }

  private fresh(what: string, v: Vol, cat = 'vae_activations', fp32 = false): Tensor {
    const t: Tensor = fp32 && this.es !== 4 ? { name: `${what}#${this.n++}`, v, fp32: true } : { name: `${what}#${this.n++}`, v };
    this.b.alloc(t.name, this.size(t), cat);
    return t;
  }

  /** Autocast's fp32 copy of a 16-bit input to an fp32-listed op (the copy is the caller's to free); x itself if already fp32 or not autocast. */
  private toFp32(name: string, x: Tensor): Tensor {
    if (!this.o.autocast || x.fp32 || this.es === 4) return x;
    const c = this.fresh(`${name}.autocast_fp32`, x.v, 'vae_activations', true);
    this.ew(`${name}.autocast_fp32`, 'copy', this.size(x) + this.size(c), 1);
    return c;
  }

  /** Autocast's 16-bit copy of an fp32 input to a convolution or Linear (the caller frees it); x itself otherwise. */
  private to16(name: string, x: Tensor): Tensor {
    if (!x.fp32) return x;
    const c = this.fresh(`${name}.autocast_cast`, x.v);
    this.ew(`${name}.autocast_cast`, 'copy', this.size(x) + this.size(c), 1);
    return c;
  }

  free(...ts: Tensor[]): void {
    this.b.free(...ts.map((t) => t.name));
  }

  input(v: Vol, what = 'latents'): Tensor {
    return this.fresh(what, v);
  }

  /**
   * One elementwise op. `o.strided`: an operand is strided or broadcast (PyTorch's non-vectorized loop); the element
   * counts: kernels bound by per-output-element work (perf/sm-bound-elementwise.ts).
   */
  private ew(name: string, kind: 'copy' | 'norm' | 'activation' | 'binary' | 'softmax', bytes: number, kernels: number,
    o: { strided?: boolean } & Pick<ElementwiseOp, 'nearestOutElements' | 'replicationPadOutElements'> = {}): void {
    const { strided, ...counts } = o;
    this.b.op({ kind: 'elementwise', name, ew: kind, bytes, kernels, ...(strided ? { strided } : {}), ...counts });
  }

  /**
   * A convolution of kernel (kt, kh, kw), stride 1, output frames `outT` (default: same as the input, as
   * causal/“same” temporal padding gives). `pad`: the code builds the padded input explicitly — 'thw' (F.pad
   * of time and space, e.g. replicate padding) or 't' (torch.cat of cached/repeated frames; the spatial padding
   * is the convolution's own) — a copy of the input that lives during the conv; `replicate`: the copy is F.pad(mode=
   * 'replicate'), PyTorch's one-thread-per-output-element kernel (perf/sm-bound-elementwise.ts). Frees the input unless `keep`.
   */
  conv(name: string, x: Tensor, cout: number, k: [number, number, number], opts: { pad?: 'thw' | 't'; replicate?: boolean; keep?: boolean; bias?: boolean; outT?: number; cache?: boolean; sliceCat?: boolean } = {}): Tensor {
    const { c: cin, t, h, w } = x.v;
    const outT = opts.outT ?? t;
    const sp = opts.pad === 'thw';
    const padded = opts.pad && (k[0] > 1 || sp) ? { c: cin, t: outT + k[0] - 1, h: h + (sp ? k[1] - 1 : 0), w: w + (sp ? k[2] - 1 : 0) } : undefined;
    let src = x;
    if (padded) {
      // the padded copy keeps x's dtype (fp32 after an autocast GroupNorm and SiLU)
      src = this.fresh(`${name}.pad`, padded, 'vae_activations', x.fp32);
      // `sliceCat`: torch.cat([x[:, :, :1]] * (k_t − 1) + [x]) with no conv cache: the slices are not contiguous, so
      // cat copies each input into a narrow() of its output, k_t copies through the non-vectorized loop
      // (perf/sm-bound-elementwise.ts); with a cache (contiguous clones) it is one batched cat kernel
      const sliced = opts.sliceCat === true && !this.o.convCache;
      // `replicate`: F.pad(mode='replicate'), PyTorch's replication_pad3d kernel, one thread per output element
      const rep = opts.replicate ? { replicationPadOutElements: padded.c * padded.t * padded.h * padded.w } : {};
      this.ew(`${name}.pad`, 'copy', this.size(x) + this.size(src), sliced ? k[0] : 1, { strided: sliced, ...rep });
    }
    // autocast: the convolution casts an fp32 input to the 16-bit dtype first (the padded fp32 tensor stays referenced
    // by the caller until the conv returns: CausalConv3d.forward's `x = F.pad(x); return self.conv(x)`)
    const cast = this.to16(name, src);
    if (opts.cache && this.o.convCache) {
      // conv_cache = inputs[:, :, -k_t + 1:].clone() of the time-padded input
      const frames = k[0] > 1 ? k[0] - 1 : outT + k[0] - 1;
      const c = this.fresh(`${name}.conv_cache`, { c: cin, t: frames, h, w }, 'vae_conv_cache');
      this.ew(`${name}.conv_cache_clone`, 'copy', 2 * this.bytes(c.v), 1);
      this.caches.push(c);
    }
    const out = this.fresh(name, { c: cout, t: outT, h, w });
    const dims = k[0] === 1 && (k[1] > 1 || k[2] > 1) ? 2 : 3;
    const inputBytes = this.bytes(padded ?? { c: cin, t: outT + k[0] - 1, h: h + k[1] - 1, w: w + k[2] - 1 });
    const elemsIn = cin * (outT + k[0] - 1) * h * w;
    const parts = this.o.safeConv && k[0] > 1 && (elemsIn * 2) / 2 ** 30 > 2 ? Math.floor((elemsIn * 2) / 2 ** 30 / 2) + 1 : 1;
    const ws = this.o.convWorkspace ? this.o.convWorkspace(dims === 3 ? 'conv3d' : 'conv2d', cin, cout, (outT * h * w) / parts, inputBytes / parts, k) : 0;
    this.b.op({ kind: 'conv', name, dims, cin, cout, kernel: k, out: [outT, h, w], dtype: this.o.dtype, tf32: this.o.tf32 }, { workspace: ws });
    if (cast !== src) this.free(cast);
    if (src !== x) this.free(src);
    if (!opts.keep) this.free(x);
    this.params += cin * cout * k[0] * k[1] * k[2] + (opts.bias === false ? 0 : cout);
    return out;
  }

  /** A normalisation over channels (GroupNorm: 2 reads + 1 write; RMSNorm written out in fp32: `passes` more), `passes` in units of x's bytes. */
  norm(name: string, x: Tensor, opts: { passes?: number; kernels?: number; affine?: boolean; keep?: boolean; fp32Out?: boolean } = {}): Tensor {
    // `fp32Out`: under autocast the norm's output is fp32 (an fp32 reduction its division promotes to)
    const out = this.fresh(name, x.v, 'vae_activations', x.fp32 || (opts.fp32Out === true && this.o.autocast === true));
    this.ew(name, 'norm', this.size(x) * (opts.passes ?? 3), opts.kernels ?? 1);
    if (!opts.keep) this.free(x);
    if (opts.affine !== false) this.params += 2 * x.v.c;
    return out;
  }

  /**
   * torch.nn.GroupNorm (F.group_norm, 32 groups, batch 1) on the whole tensor: the moments kernel (one read,
   * one thread block per (sample, group) row: aten/src/ATen/native/cuda/group_norm_kernel.cu,
   * RowwiseMomentsCUDAKernel<<<N * G, ...>>>), then the fused scale-shift apply (read + write).
   */
  groupNorm(name: string, x: Tensor, opts: { groups?: number; keep?: boolean } = {}): Tensor {
    // autocast: group_norm is an fp32 op (its input cast to an fp32 copy, an fp32 output)
    const src = this.toFp32(name, x);
    const out = this.fresh(name, x.v, 'vae_activations', src.fp32);
    const elementBytes = this.size(src) / (src.v.c * src.v.t * src.v.h * src.v.w);
    this.b.op({ kind: 'elementwise', name: `${name}.moments`, ew: 'norm', bytes: this.size(src), kernels: 1, rows: opts.groups ?? 32, ...(elementBytes !== 2 ? { elementBytes } : {}) });
    this.ew(`${name}.apply`, 'norm', this.size(src) + this.size(out), 1);
    if (src !== x) this.free(src);
    if (!opts.keep) this.free(x);
    this.params += 2 * x.v.c;
    return out;
  }

  /**
   * diffusers' RMSNorm without affine on the channels-last view (LTX-Video's decoder: `norm(x.movedim(1, -1))`), in
   * units of x's 16-bit bytes: .to(float32) 1 + 2, pow 2 + 2, mean 2, .to(bf16) 2 + 1 (contiguous kernels), and
   * x · rsqrt(variance + eps), an fp32 statistic broadcast over the channels → fp32, 1 + 2 through the non-vectorized
   * loop. The reference's channel_rms (calibration/families_vae_reference.py channel_rms) runs the same kernels
   * (kernel-profiles/h100-sxm-vae-2.json: its fp32 MulFunctor in elementwise_kernel<128, 2>). The fp32 copy and its
   * square live until the mean returns, the fp32 product until the cast back.
   */
  channelRms(name: string, x: Tensor, keep = false): Tensor {
    const u = this.bytes(x.v);
    const op = (what: string, ew: 'copy' | 'activation' | 'norm' | 'binary', units: number, strided = false) => this.ew(`${name}.${what}`, ew, units * u, 1, { strided });
    this.b.alloc(`${name}.fp32`, 2 * u, 'vae_activations');
    op('to_fp32', 'copy', 3);
    this.b.alloc(`${name}.pow`, 2 * u, 'vae_activations');
    op('pow', 'activation', 4);
    op('mean', 'norm', 2);
    this.b.free(`${name}.fp32`, `${name}.pow`);
    this.b.alloc(`${name}.product`, 2 * u, 'vae_activations');
    op('mul_rsqrt', 'binary', 3, true);
    const out = this.copy(`${name}.to_bf16`, x, x.v, keep, { readBytes: 2 * u });
    this.b.free(`${name}.product`);
    return out;
  }

  /** SiLU (or another pointwise activation): read, write; `inplace` reuses the tensor. */
  act(name: string, x: Tensor, inplace = false): Tensor {
    this.ew(name, 'activation', 2 * this.size(x), 1);
    if (inplace) return x;
    const out = this.fresh(name, x.v, 'vae_activations', x.fp32);
    this.free(x);
    return out;
  }

  /**
   * Pointwise op of x with another operand: scale/shift, gates (read, write per kernel). `broadcast`: the operand is
   * per channel ([B, C, 1, 1, 1]), so PyTorch runs its non-vectorized loop (perf/sm-bound-elementwise.ts).
   */
  pointwise(name: string, x: Tensor, kernels: number, broadcast = false): Tensor {
    this.ew(name, 'binary', 2 * this.size(x) * kernels, kernels, { strided: broadcast });
    return x;
  }

  /** x + y → new tensor; frees both unless kept. */
  add(name: string, x: Tensor, y: Tensor, keep: Tensor[] = []): Tensor {
    // type promotion: fp32 if either operand is
    const out = this.fresh(name, x.v, 'vae_activations', x.fp32 || y.fp32);
    this.ew(name, 'binary', this.size(x) + this.size(y) + this.size(out), 1);
    for (const t of [x, y]) if (!keep.includes(t)) this.free(t);
    return out;
  }

  /**
   * Nearest upsampling to (t, h, w) = x's × (ft, fh, fw) (or `outT` frames), F.interpolate: reads the input, writes
   * the larger output, one thread per output element (perf/sm-bound-elementwise.ts). Frees x unless `keep`.
   */
  upsample(name: string, x: Tensor, ft: number, fh: number, fw: number, outT?: number, keep = false): Tensor {
    const v = { c: x.v.c, t: outT ?? x.v.t * ft, h: x.v.h * fh, w: x.v.w * fw };
    // autocast: upsample_nearest3d is an fp32 op (input cast to an fp32 copy, fp32 output)
    const src = this.toFp32(name, x);
    const out = this.fresh(name, v, 'vae_activations', src.fp32);
    this.ew(name, 'copy', this.size(src) + this.size(out), 1, { nearestOutElements: v.c * v.t * v.h * v.w });
    if (src !== x) this.free(src);
    if (!keep) this.free(x);
    return out;
  }

  /**
   * Depth-to-space(-time): channels c·st·s·s → c at (t·st − drop, h·s, w·s), a permute copy (rearrange +
   * contiguous), dropping the first `drop` frames.
   */
  depthToSpace(name: string, x: Tensor, st: number, s: number, drop: number): Tensor {
    const c = x.v.c / (st * s * s);
    const out = this.fresh(name, { c, t: x.v.t * st - drop, h: x.v.h * s, w: x.v.w * s }, 'vae_activations', x.fp32);
    this.ew(name, 'copy', this.size(x) + this.size(out), 1);
    this.free(x);
    return out;
  }

  /**
   * A copy into a new tensor (cat, clone, contiguous, a cast), `kernels` times over; `strided`: from a permuted view, through
   * PyTorch's non-vectorized loop (perf/sm-bound-elementwise.ts); `readBytes`: what one kernel reads, if not x's bytes (a cast).
   */
  copy(name: string, x: Tensor, v: Vol = x.v, keep = false, o: { strided?: boolean; kernels?: number; readBytes?: number } = {}): Tensor {
    const out = this.fresh(name, v, 'vae_activations', x.fp32);
    const k = o.kernels ?? 1;
    this.ew(name, 'copy', k * ((o.readBytes ?? this.size(x)) + this.size(out)), k, { strided: o.strided });
    if (!keep) this.free(x);
    return out;
  }

  /** Single-head attention over the t·h·w tokens of x (1 head of width c), as a memory-efficient kernel with a mask. */
  attention(name: string, x: Tensor, opts: { maskBytes: number }): Tensor {
    const tokens = x.v.t * x.v.h * x.v.w;
    const n = this.groupNorm(`${name}.group_norm`, x, { keep: true });
    // autocast: to_q, to_k and to_v each cast the fp32 GroupNorm output to 16 bits
    if (n.fp32) for (const p of ['to_q', 'to_k', 'to_v']) this.free(this.to16(`${name}.${p}`, n));
    const qkv = this.fresh(`${name}.qkv`, { ...x.v, c: 3 * x.v.c });
    this.b.op({ kind: 'gemm', name: `${name}.to_qkv`, m: tokens, n: 3 * x.v.c, k: x.v.c, dtype: this.o.dtype === 'fp32' ? 'fp32' : 'bf16', batch: 1 });
    this.free(n);
    const mask = this.fresh(`${name}.mask`, { c: 1, t: 1, h: 1, w: opts.maskBytes / this.es });
    const a = this.fresh(`${name}.out`, x.v);
    this.b.op({ kind: 'attention', name: `${name}.sdpa`, batch: 1, heads: 1, lq: tokens, lk: tokens, headDim: x.v.c, kernel: this.o.dtype === 'fp32' ? 'math' : 'efficient', dtype: this.o.dtype === 'fp32' ? 'fp32' : 'bf16' });
    this.free(qkv, mask);
    const p = this.fresh(`${name}.to_out`, x.v);
    this.b.op({ kind: 'gemm', name: `${name}.to_out`, m: tokens, n: x.v.c, k: x.v.c, dtype: this.o.dtype === 'fp32' ? 'fp32' : 'bf16', batch: 1 });
    this.free(a);
    this.params += 4 * (x.v.c * x.v.c + x.v.c);
    return this.add(`${name}.residual`, p, x);
  }
}
