/**
 * Hugging Face text encoders as operators, as transformers runs them in eager PyTorch:
 *  - T5EncoderModel (modeling_t5.py): T5LayerNorm (fp32 variance, 6-7 kernels), q/k/v/o without bias, eager
 *    attention (matmul QKᵀ per head, + the relative position bias computed in layer 0 and reused, softmax in
 *    fp32, matmul PV, transpose copy), gated-GELU FF (wi_0, gelu_new written out: 7 kernels, wi_1, product, wo),
 *    residuals; a final T5LayerNorm;
 *  - LlamaModel (modeling_llama.py, SDPA attention; Qwen2.5-VL's language model is the same block with biases
 *    on q/k/v, which cuBLAS adds in the GEMM epilogue): RMSNorm (fp32 inside), q/o d → d, k/v d → d·kv/heads,
 *    RoPE (q·cos + rotate_half(q)·sin), repeat_kv copies to all heads, SDPA with the causal + padding mask
 *    (memory-efficient kernel), o_proj, residual; RMSNorm, SwiGLU MLP, residual. All layers run (HunyuanVideo
 *    reads hidden_states[-3], output_hidden_states keeps every layer's output);
 *  - CLIPTextModel (modeling_clip.py): token + position embeddings, LayerNorm, q/k/v/o with bias, attention
 *    with the causal mask, quick-GELU MLP, residuals, final LayerNorm.
 * Weights in the encoder's dtype (fp16, bf16 or fp32: fp32 GEMMs follow the fp32-matmul setting).
 */
import { StageBuilder, type Dtype } from '../ops.ts';
import type { HfTextEncoderSpec } from './specs.ts';

const BYTES = { fp16: 2, bf16: 2, fp32: 4 } as const;

export interface HfEncodeOptions {
  /** Prompts encoded one after the other (prompt and negative prompt: 2). */
  calls: number;
  weightsResident: boolean;
  /** How fp32 GEMMs run (fp32 encoders: Mochi's T5). */
  fp32Matmul: 'ieee' | 'tf32';
  /** FSDP over this many GPUs (Mochi shards T5 per block in multi-GPU mode). */
  fsdp?: number;
}

/** Adds one encoder's calls to the stage. */
export function addHfTextEncode(b: StageBuilder, e: HfTextEncoderSpec, o: HfEncodeOptions): void {
  const L = e.tokens;
  const d = e.dim;
  const f = e.ffnDim;
  const H = e.heads;
  // attention width: d, or T5's heads × d_kv where it differs (byT5-small: 6 × 64 = 384 of 1472)
  const inner = e.innerDim ?? d;
  const hd = inner / H;
  const kvD = (inner * e.kvHeads) / H;
  const A = BYTES[e.dtype];
  const F32 = 4;
  const gemmDtype: Dtype = e.dtype === 'fp32' ? (o.fp32Matmul === 'tf32' ? 'tf32' : 'fp32') : e.dtype;
  const tag = e.id;
  const gemm = (name: string, m: number, n: number, k: number, batch = 1) => b.op({ kind: 'gemm', name: `${tag}.${name}`, m, n, k, dtype: gemmDtype, batch });
  const ew = (name: string, kind: 'copy' | 'binary' | 'norm' | 'activation' | 'softmax' | 'rmsnorm_wan', bytes: number, kernels: number) =>
    b.op({ kind: 'elementwise', name: `${tag}.${name}`, ew: kind, bytes, kernels });
  const rms = (name: string) => ew(name, 'rmsnorm_wan', L * d * 2 * A, 7);

  if (o.weightsResident) b.alloc(`${tag}.weights`, (e.blockParams + e.embeddingParams) * A, 'text_encoder_weights');
  b.section(`${tag}.embed`, o.calls);
  b.op({ kind: 'elementwise', name: `${tag}.token_embedding`, ew: 'copy', bytes: L * d * 2 * A, kernels: e.arch === 'clip' ? 2 : 1 }, { outputs: [[`${tag}.x`, L * d * A, 'activations']] });
  if (e.arch === 't5') {
    // relative position bias, computed once (layer 0) and reused: bucket arithmetic on [L, L], gather → [H, L, L]
    ew('position_bias', 'copy', H * L * L * A * 3 + L * L * 8 * 10, 12);
  }
  b.section(`${tag}.block`, o.calls * e.layers);
  if (o.fsdp && o.fsdp > 1) {
    b.op({ kind: 'collective', name: `${tag}.fsdp_allgather`, collective: 'allgather', bytes: (e.blockParams / e.layers) * A, comm: 'fsdp', hiddenBehind: `${tag}.block` });
  }
  if (e.arch === 'clip') ew('layer_norm1', 'norm', L * d * 2 * A, 1);
  else rms('norm1');
  gemm('attn.q', L, inner, d);
  gemm('attn.k', L, kvD, d);
  gemm('attn.v', L, kvD, d);
  if (e.arch === 'llama') {
    // RoPE on q and k (rotate_half copy, two products, a sum), repeat_kv copies of k and v to all heads
    ew('attn.rope', 'binary', (L * d + L * kvD) * A * 8, 8);
    ew('attn.repeat_kv', 'copy', 2 * L * d * 2 * A, 2);
    b.op({ kind: 'attention', name: `${tag}.attn.sdpa`, batch: 1, heads: H, lq: L, lk: L, headDim: hd, kernel: 'efficient', dtype: 'bf16' });
  } else {
    // eager attention: QKᵀ per head, bias/mask add, softmax (fp32 for T5), PV, transpose copy
    ew('attn.qk_transpose', 'copy', 2 * L * inner * 2 * A, 2);
    gemm('attn.qk', L, L, hd, H);
    ew('attn.add_bias_mask', 'binary', H * L * L * 3 * A, 1);
    ew('attn.softmax', 'softmax', H * L * L * (e.arch === 't5' ? A + 2 * F32 + F32 + A : 2 * A), e.arch === 't5' ? 3 : 1);
    gemm('attn.pv', L, hd, L, H);
    ew('attn.out_transpose', 'copy', L * inner * 2 * A, 1);
  }
  gemm('attn.o', L, d, inner);
  ew('residual1', 'binary', L * d * 3 * A, 1);
  if (e.arch === 'clip') ew('layer_norm2', 'norm', L * d * 2 * A, 1);
  else rms('norm2');
  if (e.arch === 't5') {
    gemm('ffn.wi_0', L, f, d);
    ew('ffn.gelu_new', 'activation', L * f * 2 * A * 7, 7);
    gemm('ffn.wi_1', L, f, d);
    ew('ffn.mul', 'binary', L * f * 3 * A, 1);
    gemm('ffn.wo', L, d, f);
  } else if (e.arch === 'llama') {
    gemm('mlp.gate_proj', L, f, d);
    gemm('mlp.up_proj', L, f, d);
    ew('mlp.silu_mul', 'activation', L * f * 5 * A, 2);
    gemm('mlp.down_proj', L, d, f);
  } else {
    gemm('mlp.fc1', L, f, d);
    ew('mlp.quick_gelu', 'activation', L * f * 5 * A, 3);
    gemm('mlp.fc2', L, d, f);
  }
  ew('residual2', 'binary', L * d * 3 * A, 1);
  b.section(`${tag}.final`, o.calls);
  if (e.arch === 'clip') ew('final_layer_norm', 'norm', L * d * 2 * A, 1);
  else rms('final_norm');
  b.free(`${tag}.x`);
  if (o.weightsResident) b.free(`${tag}.weights`);
}

/** All encoders of a family's stack, one stage. */
export function buildHfTextEncode(encoders: HfTextEncoderSpec[], o: HfEncodeOptions & { callsOf?: (e: HfTextEncoderSpec) => number }): StageBuilder {
  const b = new StageBuilder();
  for (const e of encoders) addHfTextEncode(b, e, { ...o, calls: o.callsOf ? o.callsOf(e) : o.calls });
  return b;
}
