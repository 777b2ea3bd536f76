/**
 * The Hugging Face text encoders of the non-Wan families, with their published configs:
 *  - LLaVA-Llama-3-8B's language model (HunyuanVideo's MLLM encoder): the text_config of
 *    xtuner/llava-llama-3-8b-v1_1-transformers — hidden 4096, 32 layers, 32 heads with 8 key/value heads,
 *    intermediate 14336, vocab 128320, fp16 (copy of its config.json:
 *    https://huggingface.co/asadfgglie/banban-vision-8b-v1-pretrain-zh/blame/6718488a8c1f835d2ac41912bbd996ba89a62401/config.json,
 *    _name_or_path xtuner/llava-llama-3-8b-v1_1-transformers; the 32 layers/32 heads are Llama-3-8B's,
 *    https://huggingface.co/jerryzh168/llama3-8B/blob/main/config.json);
 *  - CLIP ViT-L/14's text tower (HunyuanVideo's second encoder): width 768, 12 layers, 12 heads, MLP 3072,
 *    vocab 49408, 77 positions (openai/clip-vit-large-patch14 config.json text_config,
 *    https://huggingface.co/openai/clip-vit-large-patch14/blob/main/config.json);
 *  - T5 v1.1 XXL encoder (CogVideoX, LTX-Video, Mochi): d_model 4096, 24 layers, 64 heads × 64, d_ff 10240
 *    gated-GELU, vocab 32128 (https://huggingface.co/google/t5-v1_1-xxl/blame/main/config.json).
 *  - Qwen2.5-VL-7B-Instruct's language model (HunyuanVideo-1.5's MLLM encoder): hidden 3584, 28 layers, 28 heads
 *    with 4 key/value heads, intermediate 18944, vocab 152064, q/k/v with bias
 *    (https://huggingface.co/unsloth/Qwen2.5-VL-7B-Instruct/blob/main/config.json, a copy of the Qwen release's);
 *  - byT5-small's encoder (HunyuanVideo-1.5's glyph encoder, Glyph-SDXL-v2 weights): d_model 1472, 12 layers,
 *    6 heads × d_kv 64, d_ff 3584 gated-GELU, vocab 384 (https://huggingface.co/bookbot/byt5-small-wikipron-eng-latn-nz-broad/blame/0521a4a334460f37204cdfbc6a7b8ec846d17680/config.json,
 *    _name_or_path google/byt5-small).
 * Parameter counts from those shapes; checkpoint sizes in the comments check them.
 */
import type { HfTextEncoderSpec, TextEncoderStack } from './specs.ts';

/** Llama block: q, o (d·d), k, v (d·d·kv/heads), gate/up/down MLP, two RMSNorm weights; no biases. */
function llamaBlockParams(dim: number, heads: number, kvHeads: number, ffn: number): number {
  const kv = (dim * kvHeads) / heads;
  return 2 * dim * dim + 2 * dim * kv + 3 * dim * ffn + 2 * dim;
}

export const LLAVA_LLAMA3_8B: HfTextEncoderSpec = {
  id: 'llava-llama-3-8b',
  arch: 'llama',
  layers: 32,
  dim: 4096,
  ffnDim: 14336,
  heads: 32,
  kvHeads: 8,
  vocab: 128320,
  // text_len 256 + the video template's crop_start 95 (Tencent/HunyuanVideo@fa14b00:hyvideo/constants.py:38-59, inference.py:216-225)
  tokens: 351,
  // precision fp16 (Tencent/HunyuanVideo@fa14b00:hyvideo/config.py:88-94; text_encoder/__init__.py:35-45)
  dtype: 'fp16',
  // + final RMSNorm; AutoModel has no LM head (text_encoder/__init__.py:35-45): 6.98 B + 0.53 B embedding ≈ 15.0 GB fp16
  blockParams: 32 * llamaBlockParams(4096, 32, 8, 14336) + 4096,
  embeddingParams: 128320 * 4096,
};

export const CLIP_L_TEXT: HfTextEncoderSpec = {
  id: 'clip-vit-large-text',
  arch: 'clip',
  layers: 12,
  dim: 768,
  ffnDim: 3072,
  heads: 12,
  kvHeads: 12,
  vocab: 49408,
  // 77 tokens (Tencent/HunyuanVideo@fa14b00:hyvideo/config.py:165-170), fp16, pooler_output (text_encoder/__init__.py:173-174)
  tokens: 77,
  dtype: 'fp16',
  // per layer: q,k,v,o with bias, MLP 768→3072→768 with bias, 2 LayerNorms; + final LayerNorm
  blockParams: 12 * (4 * (768 * 768 + 768) + (768 * 3072 + 3072) + (3072 * 768 + 768) + 2 * 2 * 768) + 2 * 768,
  // token + position embeddings: ≈123 M in all
  embeddingParams: 49408 * 768 + 77 * 768,
};

/** T5 v1.1 XXL encoder at a pipeline's token count and dtype (≈4.76 B params: 19.05 GB fp32 / 9.5 GB bf16 shards). */
export function t5Xxl(tokens: number, dtype: 'bf16' | 'fp32'): HfTextEncoderSpec {
  return {
    id: 't5-v1.1-xxl',
    arch: 't5',
    layers: 24,
    dim: 4096,
    ffnDim: 10240,
    heads: 64,
    kvHeads: 64,
    vocab: 32128,
    tokens,
    dtype,
    // q,k,v,o (no bias), gated-GELU wi_0, wi_1, wo, 2 RMSNorm weights per layer; final norm; relative bias (32 buckets × 64 heads, layer 0)
    blockParams: 24 * (4 * 4096 * 4096 + 3 * 4096 * 10240 + 2 * 4096) + 4096 + 32 * 64,
    embeddingParams: 32128 * 4096,
  };
}

const BYTES = { fp16: 2, bf16: 2, fp32: 4 } as const;

/** Bytes of an encoder's weights as the pipeline keeps them. */
export function encoderBytes(e: HfTextEncoderSpec): number {
  return (e.blockParams + e.embeddingParams) * BYTES[e.dtype];
}

/** A family's encoders with the summed fields the loaders read; `checkpointBytes` as stored on disk. */
export function stack(id: string, encoders: HfTextEncoderSpec[], checkpointBytes: number): TextEncoderStack {
  return {
    id,
    encoders,
    blockParams: encoders.reduce((a, e) => a + e.blockParams, 0),
    embeddingParams: encoders.reduce((a, e) => a + e.embeddingParams, 0),
    checkpointBytes,
  };
}

/**
 * Qwen2.5-VL-7B's language model as HunyuanVideo-1.5 loads it: AutoModel(...).language_model in fp16
 * (Tencent-Hunyuan/HunyuanVideo-1.5@60783e7:hyvideo/models/text_encoders/__init__.py:84-111; pipeline
 * :1581-1604 text_encoder_precision "fp16"), all 28 layers run (hidden_state_skip_layer 2 reads layer 26's
 * output), 1000 prompt tokens + the template's crop_start 108 (pipeline :1592, text_encoders/__init__.py:316-413;
 * huggingface/diffusers@58eb52c:src/diffusers/pipelines/hunyuan_video1_5/pipeline_hunyuan_video1_5.py:234-235).
 * 7.07 B parameters without the LM head; with the head (0.55 B) and the vision tower the download is the
 * 8.29 B-parameter Qwen2.5-VL-7B-Instruct.
 */
export const QWEN25_VL_7B_LM: HfTextEncoderSpec = {
  id: 'qwen2.5-vl-7b-lm',
  arch: 'llama',
  layers: 28,
  dim: 3584,
  ffnDim: 18944,
  heads: 28,
  kvHeads: 4,
  vocab: 152064,
  tokens: 1108,
  dtype: 'fp16',
  // Llama block + the q/k/v biases (3584 + 2 · 512); + final RMSNorm
  blockParams: 28 * (llamaBlockParams(3584, 28, 4, 18944) + 3584 + 2 * 512) + 3584,
  embeddingParams: 152064 * 3584,
};

/**
 * byT5-small's encoder with the Glyph-SDXL-v2 weights, as HunyuanVideo-1.5 loads it: T5ForConditionalGeneration
 * .get_encoder() kept in fp32 (no dtype given), 256 tokens (byT5/__init__.py:23-184; pipeline :1520, :589-621).
 * The glyph color/font tokens the loader adds to the 384-byte vocabulary (resize_token_embeddings, :99-128) come
 * from JSON files that are not in the code repository; they are not counted (1472 parameters each).
 */
export const BYT5_SMALL_GLYPH: HfTextEncoderSpec = {
  id: 'byt5-small-glyph',
  arch: 't5',
  layers: 12,
  dim: 1472,
  innerDim: 6 * 64,
  ffnDim: 3584,
  heads: 6,
  kvHeads: 6,
  vocab: 384,
  tokens: 256,
  dtype: 'fp32',
  // q,k,v,o 1472 ↔ 384 (no bias), gated-GELU wi_0, wi_1, wo, 2 RMSNorm weights per layer; final norm; relative bias (32 buckets × 6 heads)
  blockParams: 12 * (4 * 1472 * 384 + 3 * 1472 * 3584 + 2 * 1472) + 1472 + 32 * 6,
  embeddingParams: 384 * 1472,
};
