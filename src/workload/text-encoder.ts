/**
 * umT5-XXL encoder as operators (wan/modules/t5.py @ Wan-Video/Wan2.2): bf16 weights, 24 blocks of
 * T5LayerNorm → attention (einsum QKᵀ + per-layer relative position bias, fp32 softmax, einsum PV,
 * no scaling) → residual → T5LayerNorm → gated-GELU FFN (gate, fc1, fc2; GELU written out with tanh and
 * pow) → residual. One call encodes one 512-token prompt; the pipeline calls it twice per request
 * (prompt and negative prompt).
 */
import { StageBuilder, type Dtype } from './ops.ts';
import type { ImageEncoderSpec, TextEncoderSpec } from './models.ts';

export interface TextEncodeOptions {
  calls: number;
  weightsResident: boolean;
  fsdp?: number;
  /**
   * Quantised umT5 (LightX2V t5_quantized: int8-vllm / fp8-sgl checkpoints, ModelTC/LightX2V@f8aee98:
   * docs/EN/source/method_tutorials/quantization.md): the block linears as fp8/int8 GEMMs, each input
   * quantised per token by one kernel. fp32 (FastVideo's default, configs/pipelines/wan.py:54-55): every weight,
   * activation and GEMM in fp32 (the GEMMs as `fp32Matmul` says: TF32 or IEEE). Default bf16.
   */
  linearDtype?: 'bf16' | 'fp32' | 'fp8' | 'int8';
  /** fp32 GEMMs on TF32 tensor cores or in IEEE fp32 (an fp32 umT5 only). */
  fp32Matmul?: 'ieee' | 'tf32';
  /** Wan2.1 I2V: the CLIP image encoder also runs in this stage, on the conditioning image. */
  image?: ImageEncoderSpec;
}

const BF16 = 2;
const F32 = 4;

export function buildTextEncode(te: TextEncoderSpec, opts: TextEncodeOptions): StageBuilder {
  const b = new StageBuilder();
  const q = opts.linearDtype === 'fp8' || opts.linearDtype === 'int8' ? opts.linearDtype : undefined;
  const fp32 = opts.linearDtype === 'fp32';
  // the activations' element size and the GEMMs' dtype (an fp32 umT5 keeps everything in fp32)
  const A = fp32 ? F32 : BF16;
  const mm: Dtype = fp32 ? (opts.fp32Matmul === 'tf32' ? 'tf32' : 'fp32') : 'bf16';
  /** A block linear: bf16 (fp32), or quantised (a per-token quantisation kernel, then the fp8/int8 GEMM). */
  const linear = (name: string, m: number, n: number, k: number) => {
    if (q) b.op({ kind: 'elementwise', name: `${name}.quantize_per_token`, ew: 'cast_down', bytes: m * k * (A + 1) + m * F32, kernels: 1 });
    b.op({ kind: 'gemm', name, m, n, k, dtype: q ?? mm, batch: 1 });
  };
  const L = te.tokens;
  const d = te.dim;
  const f = te.ffnDim;
  const H = te.heads;
  const hd = d / H;
  if (opts.weightsResident) b.alloc('weights', te.blockParams * (q ? 1 : A) + te.embeddingParams * A, 'text_encoder_weights');
  b.section('text_encoder.embed', opts.calls);
  b.op({ kind: 'elementwise', name: 'token_embedding', ew: 'copy', bytes: L * d * 2 * A, kernels: 1 }, { outputs: [['x', L * d * A, 'activations']] });
  b.section('text_encoder.block', opts.calls * te.layers);
  if (opts.fsdp && opts.fsdp > 1) {
    // --t5_fsdp: each layer's bf16 weights are all-gathered before use, prefetched behind the previous layer
    b.op({ kind: 'collective', name: 'text_encoder.fsdp_allgather', collective: 'allgather', bytes: (te.blockParams / te.layers) * A, comm: 'fsdp', hiddenBehind: 'text_encoder.block' });
  }
  const norm = (name: string) =>
    // x.float(), pow(2), mean(-1), + eps, rsqrt, x * r (fp32), type_as, weight * x: 8 kernels
    b.op({ kind: 'elementwise', name, ew: 'norm', bytes: L * d * (A + F32 + 2 * F32 + F32 + A + F32 + F32 + A + 2 * A), kernels: 8 });
  norm('norm1');
  for (const p of ['q', 'k', 'v']) linear(`attn.${p}`, L, d, d);
  // relative position bias (shared_pos=False: every layer): ~19 int64 kernels on [L, L] for the buckets,
  // the embedding gather → [L, L, H] and permute().contiguous(); then zeros, += bias, masked_fill
  b.op({ kind: 'elementwise', name: 'attn.pos_buckets', ew: 'binary', bytes: L * L * 8 * 3 * 19, kernels: 19 });
  b.op({ kind: 'elementwise', name: 'attn.pos_bias', ew: 'copy', bytes: H * L * L * A * 4 + L * L * 8, kernels: 2 });
  b.op({ kind: 'elementwise', name: 'attn.bias_mask', ew: 'binary', bytes: H * L * L * A * 5, kernels: 4 });
  // einsum('binc,bjnc->bnij'): q, k permuted to [b·n, i, c] (copies) and a batched GEMM; + bias
  b.op({ kind: 'elementwise', name: 'attn.qk_permute', ew: 'copy', bytes: 2 * L * d * 2 * A, kernels: 2 });
  b.op({ kind: 'gemm', name: 'attn.qk', m: L, n: L, k: hd, dtype: mm, batch: H }, { outputs: [['scores', H * L * L * A, 'activations']] });
  b.op({ kind: 'elementwise', name: 'attn.add_bias', ew: 'binary', bytes: H * L * L * 3 * A, kernels: 1 });
  // softmax(a.float()).type_as(a)
  b.op({ kind: 'elementwise', name: 'attn.softmax', ew: 'softmax', bytes: H * L * L * (A + F32 + 2 * F32 + F32 + A), kernels: 3 });
  b.op({ kind: 'elementwise', name: 'attn.v_permute', ew: 'copy', bytes: L * d * 2 * A, kernels: 1 });
  b.op({ kind: 'gemm', name: 'attn.pv', m: L, n: hd, k: L, dtype: mm, batch: H }, { frees: ['scores'] });
  b.op({ kind: 'elementwise', name: 'attn.out_permute', ew: 'copy', bytes: L * d * 2 * A, kernels: 1 });
  linear('attn.o', L, d, d);
  b.op({ kind: 'elementwise', name: 'residual1', ew: 'binary', bytes: L * d * 3 * A, kernels: 1 });
  norm('norm2');
  linear('ffn.gate', L, f, d);
  // GELU written out: pow, *0.044715, +x, *sqrt(2/pi), tanh, 1+, 0.5*x, * → 8 kernels
  b.op({ kind: 'elementwise', name: 'ffn.gelu', ew: 'activation', bytes: L * f * 2 * A * 8, kernels: 8 });
  linear('ffn.fc1', L, f, d);
  b.op({ kind: 'elementwise', name: 'ffn.mul', ew: 'binary', bytes: L * f * 3 * A, kernels: 1 });
  linear('ffn.fc2', L, d, f);
  b.op({ kind: 'elementwise', name: 'residual2', ew: 'binary', bytes: L * d * 3 * A, kernels: 1 });
  b.section('text_encoder.final', opts.calls);
  norm('final_norm');
  b.free('x');
  if (opts.image) imageEncode(b, opts.image);
  return b;
}

/**
 * CLIP ViT-H/14 on one 224×224 image (Wan2.1 I2V, wan/modules/clip.py, fp16): patch embedding as a GEMM,
 * then `layers` pre-norm blocks (LayerNorm, qkv, 16-head attention over 257 tokens, out, LayerNorm, GELU MLP).
 */
function imageEncode(b: StageBuilder, c: ImageEncoderSpec): void {
  const L = c.tokens;
  const d = c.dim;
  b.section('image_encoder.embed', 1);
  b.op({ kind: 'gemm', name: 'clip.patch_embedding', m: L - 1, n: d, k: c.patchK, dtype: 'bf16', batch: 1 });
  b.section('image_encoder.block', c.layers);
  b.op({ kind: 'elementwise', name: 'clip.norms', ew: 'norm', bytes: 2 * L * d * 2 * BF16, kernels: 2 });
  b.op({ kind: 'gemm', name: 'clip.qkv', m: L, n: 3 * d, k: d, dtype: 'bf16', batch: 1 });
  b.op({ kind: 'attention', name: 'clip.attention', batch: 1, heads: c.heads, lq: L, lk: L, headDim: d / c.heads, kernel: 'fa2', dtype: 'bf16' });
  b.op({ kind: 'gemm', name: 'clip.o', m: L, n: d, k: d, dtype: 'bf16', batch: 1 });
  b.op({ kind: 'gemm', name: 'clip.fc1', m: L, n: c.mlpDim, k: d, dtype: 'bf16', batch: 1 });
  b.op({ kind: 'elementwise', name: 'clip.gelu_residuals', ew: 'activation', bytes: L * (c.mlpDim + 2 * d) * 2 * BF16, kernels: 3 });
  b.op({ kind: 'gemm', name: 'clip.fc2', m: L, n: d, k: c.mlpDim, dtype: 'bf16', batch: 1 });
}
