/**
 * The Wan models as data: Wan2.1 / Wan2.2 as the official code runs them — umT5, the two VAEs, Wan2.1 I2V's CLIP,
 * the DiT shapes, the sampler and the parallel modes of the official code. A data catalog; the types and the
 * formulas over them are in models.ts. Every fact is from ../shared/data/wan-architecture.md (which cites the
 * Wan-Video/Wan2.2 @42bf4cf and Wan-Video/Wan2.1 @9737cba sources), recorded per field in `sources`.
 */
import type { DitSpec, ImageEncoderSpec, TextEncoderSpec, VaeSpec, WanModel } from './models.ts';
import type { ParallelSupport, SamplerSpec } from './families/specs.ts';
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

/**
 * Wan's sampler: FlowUniPCMultistepScheduler, CFG as two sequential forwards (wan/text2video.py); the step's
 * elementwise work (15 kernels, 12 passes over the fp32 latents) as perf/denoise-cost.ts has always priced it.
 */
const WAN_SAMPLER: SamplerSpec = { name: 'flow UniPC', guidance: 'sequential', step: { kernels: 15, latentPasses: 12 }, latentBytes: 4 };

/**
 * Wan: Ulysses, FSDP, --t5_fsdp/--t5_cpu and the offload path are in the official code (generate.py); ring,
 * CFG-parallel, PipeFusion, TP and patch-parallel VAE are modelled as xDiT/Megatron-style extensions (the
 * estimate warns).
 */
const WAN_PARALLEL: ParallelSupport = {
  ulysses: true, ring: true, tp: true, pipefusion: true, cfg: true, fsdp: true, offload: true, cpuOffload: true, vaeSplit: true, t5: ['gpu', 'cpu', 'fsdp'],
  source: 'Wan-Video/Wan2.2 generate.py (--ulysses_size, --dit_fsdp, --t5_fsdp, --t5_cpu, --offload_model); xDiT for ring/CFG/PipeFusion',
};

export const WAN_MODELS: readonly WanModel[] = [
  {
    family: 'wan',
    sampler: WAN_SAMPLER,
    parallel: WAN_PARALLEL,
    id: 'wan2.2-t2v-a14b',
    release: 'Wan-Video/Wan2.2@42bf4cf (generate.py)',
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
    family: 'wan',
    sampler: WAN_SAMPLER,
    parallel: WAN_PARALLEL,
    id: 'wan2.2-i2v-a14b',
    release: 'Wan-Video/Wan2.2@42bf4cf (generate.py)',
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
    family: 'wan',
    sampler: WAN_SAMPLER,
    parallel: WAN_PARALLEL,
    id: 'wan2.2-ti2v-5b',
    release: 'Wan-Video/Wan2.2@42bf4cf (generate.py)',
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
    family: 'wan',
    sampler: WAN_SAMPLER,
    parallel: WAN_PARALLEL,
    id: 'wan2.1-t2v-14b',
    release: 'Wan-Video/Wan2.1@9737cba (generate.py)',
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
    family: 'wan',
    sampler: WAN_SAMPLER,
    parallel: WAN_PARALLEL,
    id: 'wan2.1-i2v-14b',
    release: 'Wan-Video/Wan2.1@9737cba (generate.py)',
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
    family: 'wan',
    sampler: WAN_SAMPLER,
    parallel: WAN_PARALLEL,
    id: 'wan2.1-t2v-1.3b',
    release: 'Wan-Video/Wan2.1@9737cba (generate.py)',
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
