/**
 * What a video-model family is made of, beyond Wan: the DiT, VAE and text-encoder descriptions of
 * HunyuanVideo, CogVideoX, LTX-Video and Mochi, the sampler as each official script runs it, and the
 * parallel modes its public inference code offers. The values live in families/zoo.ts, each with its source.
 *
 * Every DiT spec carries the fields the rest of vgsim reads from any model (dim, heads, headDim, layers,
 * ffnDim, patch, channels, textLen, textDim), so plan rules, the serving runtime's hand-over sizes and the
 * loaders work unchanged; the family-specific fields drive the family's operator builder.
 */

export type ModelFamily = 'wan' | 'hunyuan-video' | 'hunyuan-video-1.5' | 'cogvideox' | 'ltx-video' | 'mochi';

/** Fields every DiT spec has, whatever its family. */
export interface DitCommon {
  dim: number;
  /** Feed-forward hidden width of the (video-stream) MLP. */
  ffnDim: number;
  heads: number;
  headDim: number;
  /** Transformer blocks (all kinds). */
  layers: number;
  /** (t, h, w) patch of the patch embedding. */
  patch: [number, number, number];
  inChannels: number;
  outChannels: number;
  /** Text tokens the DiT sees per prompt (padded length). */
  textLen: number;
  /** Width of the text-encoder states fed to the DiT. */
  textDim: number;
}

export interface HunyuanDitSpec extends DitCommon {
  family: 'hunyuan-video';
  /** Dual-stream (separate image/text weights, joint attention) blocks, then single-stream blocks. */
  doubleLayers: number;
  singleLayers: number;
  /** Token-refiner blocks on the LLM states (txt_in). */
  refinerLayers: number;
  /** Width of the CLIP pooled vector (vector_in). */
  pooledDim: number;
  /** Sinusoidal timestep width. */
  freqDim: number;
  /** guidance_in embedder (the cfg-distilled checkpoint). */
  guidanceEmbed: boolean;
}

/**
 * HunyuanVideo-1.5: dual-stream blocks only, no pooled vector; the text stream is the LLM states after the
 * token refiner, the byT5 glyph states through their mapper and the (T2V: zeroed) SigLIP tokens, reordered
 * valid-first into one padded sequence of textLen + byt5Len + visionTokens rows.
 */
export interface Hunyuan15DitSpec extends DitCommon {
  family: 'hunyuan-video-1.5';
  /** Token-refiner blocks on the LLM states (txt_in). */
  refinerLayers: number;
  /** Sinusoidal timestep width. */
  freqDim: number;
  /** byT5 glyph tokens (padded) and their width; the mapper's hidden width. */
  byt5Len: number;
  byt5Dim: number;
  byt5Hidden: number;
  /** SigLIP semantic tokens and their width (zeros for T2V, still projected). */
  visionTokens: number;
  visionDim: number;
  /** Text tokens the attention sees after flash_attn_no_pad drops the padding (see the zoo entry). */
  attnTextTokens: number;
}

export interface CogDitSpec extends DitCommon {
  family: 'cogvideox';
  /** Width of the timestep embedding that drives the adaLN-Zero (time_embed_dim). */
  timeEmbedDim: number;
  /** Bias on the patch projection (1.0: true, 1.5: false). */
  patchBias: boolean;
  /**
   * Position encodings (cogvideox_transformer_3d.py: CogVideoXPatchEmbed(use_positional_embeddings=not
   * use_rotary_positional_embeddings, use_learned_positional_embeddings)): RoPE on q and k in every block (the 5B
   * and 1.5 releases; default), and/or an additive embedding over the joint sequence at the patch embedding (3D
   * sin-cos when RoPE is off, as CogVideoX-2B's config has it; learned, as the 5B I2V's).
   */
  rope: boolean;
  additivePositions: boolean;
}

export interface LtxDitSpec extends DitCommon {
  family: 'ltx-video';
  /** Width of the projected caption states the cross-attention keys/values come from. */
  crossDim: number;
  freqDim: number;
}

export interface MochiDitSpec extends DitCommon {
  family: 'mochi';
  /** Text-stream width (hidden_size_y). */
  dimY: number;
  /** SwiGLU hidden width of the text stream. */
  ffnDimY: number;
  freqDim: number;
}

export type FamilyDitSpec = HunyuanDitSpec | Hunyuan15DitSpec | CogDitSpec | LtxDitSpec | MochiDitSpec;

/** A Hugging Face text encoder as its pipeline loads it. */
export interface HfTextEncoderSpec {
  id: 'llava-llama-3-8b' | 'clip-vit-large-text' | 't5-v1.1-xxl' | 'qwen2.5-vl-7b-lm' | 'byt5-small-glyph';
  arch: 'llama' | 'clip' | 't5';
  /** Attention width when it differs from `dim` (T5's heads × d_kv: byT5-small 6 × 64 = 384). */
  innerDim?: number;
  layers: number;
  dim: number;
  ffnDim: number;
  heads: number;
  /** Key/value heads (grouped-query attention; = heads otherwise). */
  kvHeads: number;
  vocab: number;
  /** Tokens of one call (padded length). */
  tokens: number;
  /** Weights as the pipeline keeps them on the GPU. */
  dtype: 'bf16' | 'fp16' | 'fp32';
  blockParams: number;
  embeddingParams: number;
}

/** The text encoders of a non-Wan family, in the order the pipeline runs them. */
export interface TextEncoderStack {
  id: string;
  encoders: HfTextEncoderSpec[];
  /** Sums over the encoders (what the loaders and the runtime's resident-size checks read). */
  blockParams: number;
  embeddingParams: number;
  /** Checkpoint bytes on disk (all encoders). */
  checkpointBytes: number;
  /**
   * Calls of an encoder per request when they differ from "prompt, and the negative prompt with CFG"
   * (HunyuanVideo-1.5: byT5 only encodes the prompt; the super-resolution stage encodes the prompt again).
   */
  callsPerRequest?: (e: HfTextEncoderSpec, cfg: boolean) => number;
}

/** A non-Wan VAE: the fields the loaders read, and the decoder description its builder walks. */
export interface FamilyVaeSpec {
  id: 'hunyuan-video-vae' | 'hunyuan-video-15-vae' | 'cogvideox-vae' | 'ltx-video-vae' | 'mochi-vae';
  zDim: number;
  /** (t, h, w) compression of pixels to latents. */
  stride: [number, number, number];
  /** Parameters resident on the GPU (what the pipeline loads: encoder + decoder, or the decoder alone). */
  params: number;
  checkpointBytes: number;
  /** Weights and decode arithmetic as the official pipeline runs them. */
  dtype: 'fp16' | 'bf16' | 'fp32';
  /** The pipeline decodes under `torch.autocast` to `dtype` (vae-walk.ts WalkOptions.autocast: GroupNorm, upsampling and RMS norms in fp32). */
  autocast?: boolean;
}

/** How the official sampler runs guidance. */
export type GuidanceMode =
  /** guidance distilled into the DiT (an input): one forward per step */
  | 'embedded'
  /** classifier-free guidance as two batch-1 forwards per step */
  | 'sequential'
  /** classifier-free guidance as one forward at batch 2 (LTX: batch = 1 + CFG + STG) */
  | 'batched';

/** One pass of a (multi-scale) sampler: its share of the output size and the batch of every forward. */
export interface SamplingPass {
  name: string;
  /** Latent width/height of this pass relative to the request's (LTX multi-scale: 2/3, then 4/3). */
  scale: (latent: { h: number; w: number }) => { h: number; w: number };
  /**
   * Conditions per forward (batch per video) of each step with guidance on, for a pass of `tokens` video
   * tokens when the request asks for `steps` steps; its length is the pass's forwards.
   */
  condsPerStep: (tokens: number, steps: number) => number[];
}

export interface SamplerSpec {
  name: string;
  guidance: GuidanceMode;
  /** Elementwise work of one scheduler step on the latents: kernels and passes over the latent tensor. */
  step: { kernels: number; latentPasses: number };
  /** Bytes per latent element in the scheduler (fp32, or bf16 where the pipeline keeps latents in bf16). */
  latentBytes: number;
  /** Multi-pass samplers (LTX multi-scale); undefined = `steps` forwards at the request's size. */
  passes?: SamplingPass[];
  /** Work between passes (LTX latent upsampler, HunyuanVideo-1.5's SR upsampler), as a builder key. */
  between?: 'ltx-latent-upsampler' | 'hv15-sr-720p-upsampler' | 'hv15-sr-1080p-upsampler';
  /**
   * Parameters of a second DiT that runs the later passes (HunyuanVideo-1.5's super-resolution DiT, same
   * architecture, its own weights): resident beside the base DiT unless models are offloaded between uses.
   */
  secondDitParams?: number;
}

/**
 * Parallel plan options the model's public inference code implements (plan.ts rejects the rest, and
 * `vgsim plan` does not offer them). Wan supports every mode vgsim models (some via xDiT, with warnings).
 */
export interface ParallelSupport {
  ulysses: boolean;
  ring: boolean;
  tp: boolean;
  pipefusion: boolean;
  cfg: boolean;
  fsdp: boolean;
  /** Whole-model moves between uses (the official single-GPU offload path). */
  offload: boolean;
  /** Weights streamed from host memory during the forward (sequential CPU offload). */
  cpuOffload: boolean;
  /** The decode split over the group (patch-parallel, or Mochi's frame-parallel context-parallel decode). */
  vaeSplit: boolean;
  /** Where the text encoder may run. */
  t5: ('gpu' | 'cpu' | 'fsdp')[];
  source: string;
}
