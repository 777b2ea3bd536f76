/**
 * The model zoo: Wan2.1 / Wan2.2 video diffusion models as the official code runs them.
 * Every fact is from ../shared/data/wan-architecture.md (which cites the Wan-Video/Wan2.2 @42bf4cf and
 * Wan-Video/Wan2.1 @9737cba sources), recorded per field in `sources`.
 */

export interface DitSpec {
  dim: number;
  ffnDim: number;
  heads: number;
  headDim: number;
  layers: number;
  /** (t, h, w) patch of the 3D patch embedding. */
  patch: [number, number, number];
  inChannels: number;
  outChannels: number;
  /** Sinusoidal timestep embedding width. */
  freqDim: number;
  /** Text tokens the cross-attention always sees (umT5 output zero-padded to this length). */
  textLen: number;
  textDim: number;
  /**
   * Wan2.2 code expands the timestep to one per token, so the time MLP, the 6-way modulation tensor e0
   * [L, 6, d] and its per-block add run per token in fp32; Wan2.1 code computes it once per sample.
   */
  perTokenTimestep: boolean;
  /**
   * Wan2.1 I2V: CLIP image tokens the cross-attention also attends to (WanI2VCrossAttention: k_img, v_img,
   * norm_k_img and a second attention, added to the text attention's output), after the img_emb MLP
   * (LayerNorm, Linear, GELU, Linear, LayerNorm) from `imageDim` to dim.
   */
  imageTokens?: number;
  imageDim?: number;
}

/** The CLIP ViT-H/14 image encoder of Wan2.1 I2V (wan/modules/clip.py: 32 layers of which 31 run, width 1280). */
export interface ImageEncoderSpec {
  id: 'clip-vit-h-14';
  /** Blocks run (visual(..., use_31_block=True)). */
  layers: number;
  dim: number;
  mlpDim: number;
  heads: number;
  /** 16 × 16 patches of a 224-pixel image + the class token. */
  tokens: number;
  /** Conv patch embedding input: 3 channels × 14 × 14. */
  patchK: number;
  /** Weights as loaded (fp16, visual and text towers). */
  residentBytes: number;
}

export interface VaeSpec {
  id: 'wan2.1-vae' | 'wan2.2-vae';
  zDim: number;
  /** (t, h, w) compression of pixels to latents. */
  stride: [number, number, number];
  /** Decoder base width and multipliers; see workload/vae.ts for the layer walk. */
  decoderDim: number;
  dimMult: number[];
  numResBlocks: number;
  /** Wan2.2 VAE patchifies pixels 2x2 before the convolutions. */
  patchify: number;
  /** fp32 checkpoint size, bytes. */
  checkpointBytes: number;
  params: number;
}

export interface TextEncoderSpec {
  id: 'umt5-xxl';
  layers: number;
  dim: number;
  ffnDim: number;
  heads: number;
  vocab: number;
  tokens: number;
  /** Parameters in the encoder blocks (excluding the token embedding). */
  blockParams: number;
  embeddingParams: number;
  checkpointBytes: number;
}

export interface ExpertSchedule {
  /** Steps with t >= boundary * 1000 use the high-noise expert. */
  boundary: number;
  shift: number;
}

export interface ModelSpec {
  id: string;
  name: string;
  task: 't2v' | 'i2v' | 'ti2v';
  dit: DitSpec;
  /** 1, or 2 for the A14B two-expert models (one full DiT per expert, timestep-routed). */
  experts: 1 | 2;
  expertSchedule?: ExpertSchedule;
  vae: VaeSpec;
  textEncoder: TextEncoderSpec;
  defaults: { steps: number; frames: number; width: number; height: number; fps: number; guidance: boolean };
  /** W×H sizes the official code supports. */
  sizes: [number, number][];
  /** DiT checkpoint dtype on disk in the official release. */
  checkpointDtype: 'fp32' | 'bf16';
  /**
   * DiT weight dtype on the GPU as the model's official script runs it on one GPU: Wan2.2's README
   * commands pass --convert_model_dtype (bf16); Wan2.1's generate.py has no such flag and keeps the fp32
   * checkpoint, which autocast casts per layer.
   */
  officialWeightDtype: 'bf16' | 'fp32';
  /** Whether I2V encodes the conditioning clip with the VAE before sampling (A14B I2V: full clip on every rank). */
  vaeEncodeFrames: 'none' | 'clip' | 'image';
  /** Wan2.1 I2V's CLIP image encoder (run once per request on the conditioning image). */
  imageEncoder?: ImageEncoderSpec;
  sources: Record<string, string>;
}

const WAN_ARCH = '../shared/data/wan-architecture.md';

export const UMT5_XXL: TextEncoderSpec = {
  id: 'umt5-xxl',
  layers: 24,
  dim: 4096,
  ffnDim: 10240,
  heads: 64,
  vocab: 256384,
  tokens: 512,
  // derived: per layer 4·d² (q,k,v,o; dim_attn = d) + 3·d·f (gated GELU: gate, fc1, fc2) + 2 RMSNorm weights
  blockParams: 24 * (4 * 4096 * 4096 + 3 * 4096 * 10240 + 2 * 4096),
  embeddingParams: 256384 * 4096,
  checkpointBytes: 11.4e9,
};

export const WAN21_VAE: VaeSpec = {
  id: 'wan2.1-vae',
  zDim: 16,
  stride: [4, 8, 8],
  decoderDim: 96,
  dimMult: [1, 2, 4, 4],
  numResBlocks: 2,
  patchify: 1,
  checkpointBytes: 507_609_880,
  params: 507_609_880 / 4,
};

export const WAN22_VAE: VaeSpec = {
  id: 'wan2.2-vae',
  zDim: 48,
  stride: [4, 16, 16],
  decoderDim: 256,
  dimMult: [1, 2, 4, 4],
  numResBlocks: 2,
  patchify: 2,
  checkpointBytes: 2_818_839_170,
  params: 2_818_839_170 / 4,
};

/**
 * open-clip-xlm-roberta-large-vit-huge-14 as Wan2.1 I2V loads it (Wan-Video/Wan2.1@9737cba: wan/modules/clip.py:
 * 471-498 vision_dim 1280, vision_layers 32, vision_heads 16, mlp ratio 4, patch 14, image 224; :541
 * use_31_block=True; wan/configs/wan_i2v_14B.py clip_dtype float16). Weights: the fp16 repack is 2.39 GB
 * (../shared/data/wan-architecture.md, Kijai/WanVideo_comfy listing).
 */
export const CLIP_VIT_H_14: ImageEncoderSpec = { id: 'clip-vit-h-14', layers: 31, dim: 1280, mlpDim: 5120, heads: 16, tokens: 257, patchK: 3 * 14 * 14, residentBytes: 2.39e9 };

const DIT_14B: Omit<DitSpec, 'inChannels' | 'outChannels' | 'perTokenTimestep'> = {
  dim: 5120, ffnDim: 13824, heads: 40, headDim: 128, layers: 40, patch: [1, 2, 2], freqDim: 256, textLen: 512, textDim: 4096,
};

const WAN_SIZES_14B: [number, number][] = [[1280, 720], [720, 1280], [832, 480], [480, 832]];

const COMMON_SOURCES = {
  dit: `${WAN_ARCH} §A.1 (wan/configs/*.py)`,
  textEncoder: `${WAN_ARCH} §A.2 (wan/modules/t5.py: umt5_xxl, 512 tokens, bf16, 11.4 GB checkpoint)`,
  vae: `${WAN_ARCH} §A.3 (vae2_1.py / vae2_2.py; checkpoint sizes from LFS pointers)`,
  defaults: `${WAN_ARCH} §A.5 (sample_steps, frame_num, sizes, fps)`,
  perTokenTimestep: `${WAN_ARCH} §A.1 'Timestep embedding' (Wan2.2 expands t to seq_len; Wan2.1 per sample)`,
  checkpointDtype: `${WAN_ARCH} §D.4 (official DiT checkpoints are fp32)`,
  officialWeightDtype: 'Wan-Video/Wan2.2 README single-GPU commands use --convert_model_dtype (generate.py); Wan-Video/Wan2.1 generate.py has no such flag (text2video.py keeps the fp32 checkpoint)',
};

export const MODELS: readonly ModelSpec[] = [
  {
    id: 'wan2.2-t2v-a14b',
    name: 'Wan2.2-T2V-A14B',
    task: 't2v',
    dit: { ...DIT_14B, inChannels: 16, outChannels: 16, perTokenTimestep: true },
    experts: 2,
    expertSchedule: { boundary: 0.875, shift: 12.0 },
    vae: WAN21_VAE,
    textEncoder: UMT5_XXL,
    defaults: { steps: 40, frames: 81, width: 1280, height: 720, fps: 16, guidance: true },
    sizes: WAN_SIZES_14B,
    checkpointDtype: 'fp32',
    officialWeightDtype: 'bf16',
    vaeEncodeFrames: 'none',
    sources: { ...COMMON_SOURCES, expertSchedule: `${WAN_ARCH} §A.4 (boundary 0.875, shift 12 → 26 high + 14 low of 40 steps)` },
  },
  {
    id: 'wan2.2-i2v-a14b',
    name: 'Wan2.2-I2V-A14B',
    task: 'i2v',
    dit: { ...DIT_14B, inChannels: 36, outChannels: 16, perTokenTimestep: true },
    experts: 2,
    expertSchedule: { boundary: 0.9, shift: 5.0 },
    vae: WAN21_VAE,
    textEncoder: UMT5_XXL,
    defaults: { steps: 40, frames: 81, width: 1280, height: 720, fps: 16, guidance: true },
    sizes: WAN_SIZES_14B,
    checkpointDtype: 'fp32',
    officialWeightDtype: 'bf16',
    vaeEncodeFrames: 'clip',
    sources: { ...COMMON_SOURCES, expertSchedule: `${WAN_ARCH} §A.4 (boundary 0.900, shift 5 → 15 high + 25 low)`, vaeEncode: `${WAN_ARCH} §A.3 (I2V-A14B VAE-encodes the F-frame clip on every rank)` },
  },
  {
    id: 'wan2.2-ti2v-5b',
    name: 'Wan2.2-TI2V-5B',
    task: 'ti2v',
    dit: { dim: 3072, ffnDim: 14336, heads: 24, headDim: 128, layers: 30, patch: [1, 2, 2], inChannels: 48, outChannels: 48, freqDim: 256, textLen: 512, textDim: 4096, perTokenTimestep: true },
    experts: 1,
    vae: WAN22_VAE,
    textEncoder: UMT5_XXL,
    defaults: { steps: 50, frames: 121, width: 1280, height: 704, fps: 24, guidance: true },
    sizes: [[1280, 704], [704, 1280]],
    checkpointDtype: 'bf16',
    officialWeightDtype: 'bf16',
    vaeEncodeFrames: 'none',
    sources: { ...COMMON_SOURCES, checkpointDtype: `${WAN_ARCH} §D.4 (TI2V-5B fp16/bf16 10 GB)` },
  },
  {
    id: 'wan2.1-t2v-14b',
    name: 'Wan2.1-T2V-14B',
    task: 't2v',
    dit: { ...DIT_14B, inChannels: 16, outChannels: 16, perTokenTimestep: false },
    experts: 1,
    vae: WAN21_VAE,
    textEncoder: UMT5_XXL,
    defaults: { steps: 50, frames: 81, width: 1280, height: 720, fps: 16, guidance: true },
    sizes: WAN_SIZES_14B,
    checkpointDtype: 'fp32',
    officialWeightDtype: 'fp32',
    vaeEncodeFrames: 'none',
    sources: COMMON_SOURCES,
  },
  {
    id: 'wan2.1-i2v-14b',
    name: 'Wan2.1-I2V-14B',
    task: 'i2v',
    dit: { ...DIT_14B, inChannels: 36, outChannels: 16, perTokenTimestep: false, imageTokens: 257, imageDim: 1280 },
    experts: 1,
    vae: WAN21_VAE,
    textEncoder: UMT5_XXL,
    defaults: { steps: 40, frames: 81, width: 1280, height: 720, fps: 16, guidance: true },
    sizes: WAN_SIZES_14B,
    checkpointDtype: 'fp32',
    officialWeightDtype: 'fp32',
    vaeEncodeFrames: 'clip',
    imageEncoder: CLIP_VIT_H_14,
    sources: {
      ...COMMON_SOURCES,
      dit: 'Wan-Video/Wan2.1@9737cba:wan/configs/wan_i2v_14B.py (dim 5120, 40 layers, 40 heads, ffn 13824; in_dim 36 = 16 noise + 4 mask + 16 conditioning latents) and wan/modules/model.py:187-229 (WanI2VCrossAttention: k_img, v_img, norm_k_img, 257 CLIP tokens), :350-366 (img_emb MLPProj 1280 → 5120)',
      defaults: 'Wan-Video/Wan2.1@9737cba:generate.py:35 (i2v-14B: 40 steps, 81 frames), :76-79 (shift 3.0 at 832*480, else 5.0); one checkpoint per resolution (Wan2.1-I2V-14B-480P, -720P) with the same architecture',
      vaeEncode: 'Wan-Video/Wan2.1@9737cba:wan/image2video.py:240 (vae.encode of the image followed by F-1 zero frames)',
      imageEncoder: 'Wan-Video/Wan2.1@9737cba:wan/image2video.py:94-99,235-238 (CLIPModel fp16; clip.visual on the conditioning image; moved to the CPU after use with offload_model)',
    },
  },
  {
    id: 'wan2.1-t2v-1.3b',
    name: 'Wan2.1-T2V-1.3B',
    task: 't2v',
    dit: { dim: 1536, ffnDim: 8960, heads: 12, headDim: 128, layers: 30, patch: [1, 2, 2], inChannels: 16, outChannels: 16, freqDim: 256, textLen: 512, textDim: 4096, perTokenTimestep: false },
    experts: 1,
    vae: WAN21_VAE,
    textEncoder: UMT5_XXL,
    defaults: { steps: 50, frames: 81, width: 832, height: 480, fps: 16, guidance: true },
    sizes: [[832, 480], [480, 832]],
    checkpointDtype: 'fp32',
    officialWeightDtype: 'fp32',
    vaeEncodeFrames: 'none',
    sources: COMMON_SOURCES,
  },
];

/** DiT parameter count (wan-architecture.md §A.1 formula; matches the checkpoint sizes exactly). */
export function ditParams(d: DitSpec): number {
  const { dim: D, ffnDim: F, inChannels, outChannels, freqDim, textDim } = d;
  const patch = d.patch[0] * d.patch[1] * d.patch[2];
  const perBlock = 2 * (4 * (D * D + D) + 2 * D) + 2 * D + (2 * D * F + F + D) + 6 * D;
  const embeddings = inChannels * D * patch + D + (textDim * D + D + D * D + D) + (freqDim * D + D + D * D + D) + (6 * D * D + 6 * D);
  const head = D * patch * outChannels + patch * outChannels + 2 * D;
  return d.layers * (perBlock + imageCrossParams(d)) + embeddings + head + imageEmbeddingParams(d);
}

/** Per block: WanI2VCrossAttention's k_img, v_img (Linear d→d with bias) and norm_k_img (d); 0 without image tokens. */
export function imageCrossParams(d: DitSpec): number {
  return d.imageTokens ? 2 * (d.dim * d.dim + d.dim) + d.dim : 0;
}

/** img_emb (MLPProj): LayerNorm(in), Linear(in, in), GELU, Linear(in, dim), LayerNorm(dim); 0 without image tokens. */
export function imageEmbeddingParams(d: DitSpec): number {
  const i = d.imageDim ?? 0;
  return d.imageTokens ? 2 * i + (i * i + i) + (i * d.dim + d.dim) + 2 * d.dim : 0;
}

/** Latent grid and DiT token count for a request (wan-architecture.md §A.6). */
export function latentShape(model: ModelSpec, width: number, height: number, frames: number) {
  const [st, sh, sw] = model.vae.stride;
  const t = Math.floor((frames - 1) / st) + 1;
  const h = Math.floor(height / sh);
  const w = Math.floor(width / sw);
  const [pt, ph, pw] = model.dit.patch;
  const tokens = (t / pt) * Math.floor(h / ph) * Math.floor(w / pw);
  return { channels: model.vae.zDim, t, h, w, tokens };
}

/**
 * Steps that use the high-noise expert: the official UniPC scheduler's timesteps
 * (sigmas = linspace(0.999, 0, N+1)[:-1]; σ' = shift·σ/(1+(shift−1)·σ); t = int(σ'·1000)), compared with
 * boundary·1000 (wan-architecture.md §A.4).
 */
export function highNoiseSteps(schedule: ExpertSchedule, steps: number): number {
  let high = 0;
  for (let i = 0; i < steps; i++) {
    const sigma = 0.999 - (0.999 * i) / steps;
    const shifted = (schedule.shift * sigma) / (1 + (schedule.shift - 1) * sigma);
    const t = Math.floor(shifted * 1000);
    if (t >= schedule.boundary * 1000) high++;
  }
  return high;
}
