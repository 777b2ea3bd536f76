/**
 * The non-Wan models of the zoo, as their official inference code runs them. Sources (commit-pinned):
 *   Tencent/HunyuanVideo@fa14b00, THUDM/CogVideo@e519ece, Lightricks/LTX-Video@5260738, genmoai/mochi@0c86aeb,
 *   huggingface/diffusers@58eb52c, xdit-project/xDiT@175e0bf, xdit-project/mochi-xdit@5f27f34
 * (path:line next to each value; Hugging Face file sizes by URL).
 *
 * Versions: HunyuanVideo T2V 720p cfg-distilled (the CLI default); CogVideoX1.5-5B T2V and CogVideoX-5B (1.0,
 * for the published diffusers/torchao table); LTX-Video 2B 0.9.6-dev (single-scale, CFG + STG) and
 * 13B 0.9.8-dev (multi-scale: two passes and a latent upsampler); Mochi-1-preview.
 * HunyuanVideo-1.5 (T2V 480p and 720p, with and without its default super-resolution stage) lives in
 * zoo-hunyuan-video-15.ts.
 */
import type { ModelSpec } from '../models.ts';
import type { CogDitSpec, FamilyVaeSpec, ParallelSupport } from './specs.ts';
import { CLIP_L_TEXT, LLAVA_LLAMA3_8B, stack, t5Xxl } from './text-encoder-specs.ts';
import { HUNYUAN_VIDEO_15_MODELS } from './zoo-hunyuan-video-15.ts';
import { condsPerStep, ltxTimesteps } from './ltx-schedule.ts';

const HV = 'Tencent/HunyuanVideo@fa14b00';
const COG = 'THUDM/CogVideo@e519ece';
const LTX = 'Lightricks/LTX-Video@5260738';
const MOCHI = 'genmoai/mochi@0c86aeb';
const DIFF = 'huggingface/diffusers@58eb52c';
const XDIT = 'xdit-project/xDiT@175e0bf';

const NONE: Omit<ParallelSupport, 'source'> = { ulysses: false, ring: false, tp: false, pipefusion: false, cfg: false, fsdp: false, offload: false, cpuOffload: false, vaeSplit: false, t5: ['gpu'] };

/** T5-XXL encoder checkpoint: 19.05 GB fp32 (https://huggingface.co/HanLiii/mochi-1-preview-diffusers/tree/main/text_encoder). */
const T5_XXL_FP32_BYTES = 19.05e9;

const HUNYUAN_VAE: FamilyVaeSpec = {
  id: 'hunyuan-video-vae',
  // 884-16c-hy: 4× time, 8× space, 16 channels (Tencent/HunyuanVideo@fa14b00:README.md:170)
  zDim: 16,
  stride: [4, 8, 8],
  // vae/pytorch_model.pt 986 MB torch.FloatStorage (encoder + decoder), cast to fp16 at load
  // (https://huggingface.co/tencent/HunyuanVideo/tree/8e6dfeacc273e97035f71cdc6463939b86a8c8aa/hunyuan-video-t2v-720p/vae)
  params: 986e6 / 4,
  checkpointBytes: 986e6,
  // --vae-precision fp16 (Tencent/HunyuanVideo@fa14b00:hyvideo/config.py:67-73; vae/__init__.py:49-50)
  dtype: 'fp16',
  // decoded inside torch.autocast("cuda", dtype=fp16) (hyvideo/diffusion/pipelines/pipeline_hunyuan_video.py:1071-1082)
  autocast: true,
};

const COG_VAE: FamilyVaeSpec = {
  id: 'cogvideox-vae',
  // AutoencoderKLCogVideoX: 16 latent channels, 4× time, 8× space (huggingface/diffusers@58eb52c:src/diffusers/models/autoencoders/autoencoder_kl_cogvideox.py:994-1024)
  zDim: 16,
  stride: [4, 8, 8],
  // vae/diffusion_pytorch_model.safetensors 862 MB fp32 (https://huggingface.co/THUDM/CogVideoX-5b/tree/8fb199d2afcf7a11a061dfa444bbe111946ce806/vae)
  params: 862e6 / 4,
  checkpointBytes: 862e6,
  // the pipeline runs in bf16 (THUDM/CogVideo@e519ece:inference/cli_demo.py:65, 253)
  dtype: 'bf16',
};

const LTX_VAE: FamilyVaeSpec = {
  id: 'ltx-video-vae',
  // latent 128 channels, 32× space, 8× time (huggingface/diffusers@58eb52c:scripts/convert_ltx_to_diffusers.py:295-358)
  zDim: 128,
  stride: [8, 32, 32],
  // [derived] the single-file ltxv-13b-0.9.7 checkpoint (28.6 GB, transformer + VAE) minus the 13B transformer's
  // 26.09 GB bf16 shards: ≈2.5 GB of bf16 VAE (https://huggingface.co/Alignment-Lab-AI/Vid/blob/ec4aa7e09df59b557a912d21ee93583d5ad70214/ltxv-13b-0.9.7-distilled.safetensors,
  // https://huggingface.co/Lightricks/LTX-Video-0.9.7-dev/tree/main/transformer)
  params: (28.6e9 - 26.09e9) / 2,
  checkpointBytes: 28.6e9 - 26.09e9,
  // VAE cast to bf16 (Lightricks/LTX-Video@5260738:ltx_video/inference.py:271-272)
  dtype: 'bf16',
};

const MOCHI_VAE: FamilyVaeSpec = {
  id: 'mochi-vae',
  // 8×8 spatial, 6× temporal, 12 channels (genmoai/mochi@0c86aeb:README.md:110-115)
  zDim: 12,
  stride: [6, 8, 8],
  // T2V loads the decoder only (genmoai/mochi@0c86aeb:src/genmo/mochi_preview/pipelines.py:258-271): ≈362 M params
  // (bf16 repack 725 MB, https://huggingface.co/Kijai/Mochi_preview_comfy/blob/main/mochi_preview_vae_decoder_bf16.safetensors),
  // kept fp32 as stored
  params: 725e6 / 2,
  checkpointBytes: 725e6 * 2,
  // single GPU: decode_latents_tiled_spatial without autocast → fp32 (pipelines.py:565-571; vae/models.py:998-1010)
  dtype: 'fp32',
};

const COG_DIT_BASE: Omit<CogDitSpec, 'patch' | 'patchBias'> = {
  family: 'cogvideox',
  // 42 layers, 48 heads × 64, time_embed_dim 512 (THUDM/CogVideo@e519ece:sat/configs/cogvideox1.5_5b.yaml:21-65)
  dim: 3072, heads: 48, headDim: 64, layers: 42, ffnDim: 4 * 3072, inChannels: 16, outChannels: 16, timeEmbedDim: 512,
  // 226 T5 tokens in the joint sequence, T5 width 4096 (huggingface/diffusers@58eb52c:src/diffusers/pipelines/cogvideo/pipeline_cogvideox.py:206-219)
  textLen: 226, textDim: 4096,
  // the 5B and 1.5 releases: RoPE, no additive position embedding (use_rotary_positional_embeddings true,
  // use_learned_positional_embeddings false: test/fixtures/diffusers-cogvideox15/transformer/config.json)
  rope: true, additivePositions: false,
};

const COG_PARALLEL: ParallelSupport = {
  ...NONE, ulysses: true, ring: true, cfg: true, offload: true, cpuOffload: true,
  source: `${XDIT}:README.md:112-113 (CogVideoX CFG ✔, SP ✔; no PipeFusion/TP); ${COG}:inference/cli_demo.py:149-152 (enable_sequential_cpu_offload); diffusers enable_model_cpu_offload (${DIFF}:docs/source/en/api/pipelines/cogvideox.md:182-188)`,
};

/** CogVideoXDPMScheduler step after the CFG combine (pipeline_cogvideox.py:742-760): ~15 elementwise ops on the latents. */
const COG_SAMPLER = { name: 'CogVideoXDPMScheduler (DPM-Solver++ 2M), dynamic CFG', guidance: 'batched' as const, step: { kernels: 15, latentPasses: 12 }, latentBytes: 4 };

/**
 * What the CogVideoX 1.0 releases (5B and 2B) share: the 3D VAE, T5-v1.1-XXL at 226 tokens (2 bytes a weight: bf16, or the
 * 2B's recommended fp16), the sampler, SDPA's FlashAttention-2 backend, 720×480 at 49 frames (8N+1), 8 fps, 50 steps
 * (${COG}:README.md:183-250; THUDM/CogVideo@6a93ac6:sat/configs/cogvideox_2b.yaml:21-29, 70-79, 90-118, 156-173).
 */
const COG_10 = {
  family: 'cogvideox' as const, task: 't2v' as const, experts: 1 as const, vae: COG_VAE,
  textEncoder: stack('t5-v1.1-xxl', [t5Xxl(226, 'bf16')], T5_XXL_FP32_BYTES / 2),
  sampler: COG_SAMPLER, parallel: COG_PARALLEL, attention: 'fa2' as const,
  defaults: { steps: 50, frames: 49, width: 720, height: 480, fps: 8, guidance: true },
  frameModulus: 8, sizes: [[720, 480]] as [number, number][],
  checkpointDtype: 'bf16' as const, officialWeightDtype: 'bf16' as const, vaeEncodeFrames: 'none' as const,
};

const LTX_PARALLEL: ParallelSupport = {
  ...NONE, ulysses: true, ring: true, offload: true,
  source: `${LTX}: single GPU (no distributed code); ${DIFF}:src/diffusers/models/transformers/transformer_ltx.py:417-430 (_cp_plan: ring/Ulysses context parallel); offload_to_cpu (${LTX}:ltx_video/inference.py:451, pipelines/pipeline_ltx_video.py:1042-1045, 1292-1296)`,
};

/** Rectified-flow Euler step plus the CFG/STG combine and rescaling (pipeline_ltx_video.py:1215-1260): ~10 ops. */
const LTX_STEP = { kernels: 10, latentPasses: 10 };


export const FAMILY_MODELS: readonly ModelSpec[] = [
  {
    family: 'hunyuan-video',
    id: 'hunyuan-video',
    name: 'HunyuanVideo',
    task: 't2v',
    release: `${HV} (HYVideo-T/2-cfgdistill, hunyuan-video-t2v-720p)`,
    dit: {
      family: 'hunyuan-video',
      // HYVideo-T/2-cfgdistill: 20 double + 40 single blocks, hidden 3072, 24 heads, MLP ×4, guidance_embed (hyvideo/modules/models.py:742-760; config.py:26-31)
      dim: 3072, heads: 24, headDim: 128, doubleLayers: 20, singleLayers: 40, layers: 60, refinerLayers: 2, ffnDim: 4 * 3072,
      // patch [1,2,2], latent channels 16 (models.py:448-470; inference.py:191-192)
      patch: [1, 2, 2], inChannels: 16, outChannels: 16,
      // 256 LLM tokens of width 4096 (text_len 256, inference.py:216-225), CLIP pooled 768 (models.py:529-531), sinusoid 256 (embed_layers.py:93-157)
      textLen: 256, textDim: 4096, pooledDim: 768, freqDim: 256, guidanceEmbed: true,
    },
    experts: 1,
    vae: HUNYUAN_VAE,
    // text_encoder/ (the LLaVA LM, fp16 ≈15.0 GB) + text_encoder_2/ (CLIP-L text, ≈0.25 GB fp16) (${HV}:ckpts/README.md:61-85)
    textEncoder: stack('llava-llama-3-8b + clip-l', [LLAVA_LLAMA3_8B, CLIP_L_TEXT], (LLAVA_LLAMA3_8B.blockParams + LLAVA_LLAMA3_8B.embeddingParams + CLIP_L_TEXT.blockParams + CLIP_L_TEXT.embeddingParams) * 2),
    // flow-matching Euler, shift 7, 50 steps, embedded guidance 6 (cfg-scale 1: one forward per step) (config.py:185-191, 265-270, 335-347);
    // step = sample + model_output.float()·dt (scheduling_flow_match_discrete.py:236-242): cast, mul, add
    sampler: { name: 'flow-matching Euler (shift 7), embedded guidance', guidance: 'embedded', step: { kernels: 3, latentPasses: 7 }, latentBytes: 4 },
    // xfuser USP (ulysses × ring) (config.py:364-381, inference.py:157-176); xDiT: CFG NA, PipeFusion ✘, TP ✘ (${XDIT}:README.md:110);
    // weights replicated (no FSDP); --use-cpu-offload = sequential CPU offload, single GPU only (inference.py:161-162, 443-446);
    // every rank decodes the whole video (pipeline_hunyuan_video.py:1047-1082)
    parallel: { ...NONE, ulysses: true, ring: true, cpuOffload: true, source: `${HV}:hyvideo/config.py:364-381, hyvideo/inference.py:157-176, 443-446; ${XDIT}:README.md:110` },
    // flash_attn_varlen_func from the FlashAttention-2 package (hyvideo/modules/attenion.py:8-16, 107-120)
    attention: 'fa2',
    // --video-size 720 1280, --video-length 129 (4n+1), 50 steps; saved at 24 fps (config.py:240-315; sample_video.py:54)
    defaults: { steps: 50, frames: 129, width: 1280, height: 720, fps: 24, guidance: false },
    // 540p and 720p buckets (README.md:312-317)
    sizes: [[1280, 720], [720, 1280], [1104, 832], [832, 1104], [960, 960], [960, 544], [544, 960], [832, 624], [624, 832], [720, 720]],
    // DiT checkpoint mp_rank_00_model_states.pt 25.6 GB torch.BFloat16Storage; run in bf16 (inference.py:190, config.py:39-45)
    checkpointDtype: 'bf16',
    officialWeightDtype: 'bf16',
    vaeEncodeFrames: 'none',
    sources: {
      dit: `${HV}:hyvideo/modules/models.py:21-393, 448-760`,
      textEncoder: `${HV}:hyvideo/text_encoder/__init__.py, hyvideo/constants.py:38-59`,
      vae: `${HV}:hyvideo/vae/vae.py:136-223, autoencoder_kl_causal_3d.py:118-157, 417-525`,
      defaults: `${HV}:hyvideo/config.py:240-347`,
      parallel: `${HV}:hyvideo/inference.py:40-100, 157-176; hyvideo/modules/attenion.py:159-212`,
    },
  },
  ...HUNYUAN_VIDEO_15_MODELS,
  {
    family: 'cogvideox',
    id: 'cogvideox1.5-5b',
    name: 'CogVideoX1.5-5B',
    task: 't2v',
    release: `${COG} (CogVideoX1.5-5B, diffusers CogVideoXPipeline via inference/cli_demo.py)`,
    // 1.5: temporal patch 2, no patch bias (huggingface/diffusers@58eb52c:scripts/convert_cogvideox_to_diffusers.py:200-223)
    dit: { ...COG_DIT_BASE, patch: [2, 2, 2], patchBias: false },
    experts: 1,
    vae: COG_VAE,
    // T5-v1.1-XXL encoder, bf16, 226 tokens (${COG}:sat/configs/cogvideox1.5_5b.yaml:74-77; pipeline_cogvideox.py:206-219)
    textEncoder: stack('t5-v1.1-xxl', [t5Xxl(226, 'bf16')], T5_XXL_FP32_BYTES / 2),
    sampler: COG_SAMPLER,
    parallel: COG_PARALLEL,
    // PyTorch SDPA without a mask, bf16, head dim 64: the FlashAttention-2 backend (cogvideox attention processor, attention_processor.py:2277-2343)
    attention: 'fa2',
    // 1360×768, 81 frames (16N+1), 16 fps, 50 steps, guidance 6 (${COG}:README.md:199-207, 244-250; inference/cli_demo.py:41-68)
    defaults: { steps: 50, frames: 81, width: 1360, height: 768, fps: 16, guidance: true },
    frameModulus: 16,
    sizes: [[1360, 768], [768, 1360]],
    // transformer shards 4.98 + 4.95 + 1.22 GB bf16 (https://huggingface.co/THUDM/CogVideoX1.5-5B/tree/main/transformer); BF16 recommended (${COG}:README.md:210-213)
    checkpointDtype: 'bf16',
    officialWeightDtype: 'bf16',
    vaeEncodeFrames: 'none',
    sources: {
      dit: `${DIFF}:src/diffusers/models/transformers/cogvideox_transformer_3d.py:38-157, 253-471`,
      vae: `${DIFF}:src/diffusers/models/autoencoders/autoencoder_kl_cogvideox.py:841-1197`,
      defaults: `${COG}:inference/cli_demo.py:41-68, 139-192`,
    },
  },
  {
    ...COG_10,
    id: 'cogvideox-5b',
    name: 'CogVideoX-5B',
    release: `${COG} (CogVideoX-5B 1.0, diffusers CogVideoXPipeline)`,
    // 1.0: spatial patch only, patch bias (cogvideox_transformer_3d.py:222-251 defaults; RoPE for 5B)
    dit: { ...COG_DIT_BASE, patch: [1, 2, 2], patchBias: true },
    sources: { dit: `${DIFF}:src/diffusers/models/transformers/cogvideox_transformer_3d.py`, defaults: `${COG}:README.md:183-250` },
  },
  {
    ...COG_10,
    id: 'cogvideox-2b',
    name: 'CogVideoX-2B',
    release: 'THUDM/CogVideo@6a93ac6:sat/configs/cogvideox_2b.yaml (CogVideoX-2B 1.0, diffusers CogVideoXPipeline)',
    // 30 layers, 30 heads × 64 (hidden 1920), time_embed_dim 512, patch 2 with bias, 16 latent channels, T5 width 4096, 226 text
    // tokens; a 3D sin-cos position embedding added at the patch embedding instead of RoPE (Basic3DPositionEmbeddingMixin;
    // THUDM/CogVideo@6a93ac6:sat/configs/cogvideox_2b.yaml:24-49; diffusers' config: use_rotary_positional_embeddings false)
    dit: { ...COG_DIT_BASE, dim: 1920, heads: 30, headDim: 64, layers: 30, ffnDim: 4 * 1920, patch: [1, 2, 2], patchBias: true, rope: false, additivePositions: true },
    // the sampler is priced as the 5B's DPM-Solver++ step: the 2B's DDIM step (THUDM/CogVideo inference/cli_demo.py recommends
    // CogVideoXDDIMScheduler for the 2B) runs fewer latent passes, a difference under 0.1% of a step
    sources: { dit: `${DIFF}:src/diffusers/models/transformers/cogvideox_transformer_3d.py`, defaults: 'THUDM/CogVideo@6a93ac6:sat/configs/cogvideox_2b.yaml' },
  },
  {
    family: 'ltx-video',
    id: 'ltx-video-2b',
    name: 'LTX-Video-2B (0.9.6-dev)',
    task: 't2v',
    release: `${LTX}:configs/ltxv-2b-0.9.6-dev.yaml`,
    // 28 layers, 32 heads × 64, cross dim 2048, 128 latent channels, patch 1 (${DIFF}:scripts/convert_ltx_to_diffusers.py:195-232)
    dit: { family: 'ltx-video', dim: 2048, heads: 32, headDim: 64, layers: 28, ffnDim: 4 * 2048, crossDim: 2048, patch: [1, 1, 1], inChannels: 128, outChannels: 128, freqDim: 256, textLen: 256, textDim: 4096 },
    experts: 1,
    vae: LTX_VAE,
    // PixArt's T5-v1.1-XXL encoder, bf16, 256 tokens (${LTX}:ltx_video/inference.py:237-243, 272; pipeline_ltx_video.py:318, 790)
    textEncoder: stack('t5-v1.1-xxl', [t5Xxl(256, 'bf16')], T5_XXL_FP32_BYTES / 2),
    // 40 steps, guidance 3 and STG 1 on every step: batch 3 (${LTX}:configs/ltxv-2b-0.9.6-dev.yaml)
    sampler: {
      name: 'rectified flow (SD3 shift), CFG 3 + STG 1 batched', guidance: 'batched', step: LTX_STEP, latentBytes: 4,
      passes: [{ name: 'base', scale: (l) => l, condsPerStep: (_tokens, steps) => Array.from({ length: steps }, () => 3) }],
    },
    parallel: LTX_PARALLEL,
    attention: 'fa2',
    // 1216×704, 121 frames (8k+1), 30 fps (${LTX}:ltx_video/inference.py:328-350, README.md:281)
    defaults: { steps: 40, frames: 121, width: 1216, height: 704, fps: 30, guidance: true },
    sizes: [],
    // Transformer3DModel.from_pretrained(ckpt).to(bfloat16) (${LTX}:ltx_video/inference.py:185-204)
    checkpointDtype: 'bf16',
    officialWeightDtype: 'bf16',
    vaeEncodeFrames: 'none',
    sources: { dit: `${LTX}:ltx_video/models/transformers/attention.py:38-330, transformer3d.py:204-500`, vae: `${DIFF}:src/diffusers/models/autoencoders/autoencoder_kl_ltx.py:81-1034` },
  },
  {
    family: 'ltx-video',
    id: 'ltx-video-13b',
    name: 'LTX-Video-13B (0.9.8-dev, multi-scale)',
    task: 't2v',
    release: `${LTX}:configs/ltxv-13b-0.9.8-dev.yaml`,
    // 48 layers, 32 heads × 128, cross dim 4096 (${DIFF}:scripts/convert_ltx_to_diffusers.py:195-232)
    dit: { family: 'ltx-video', dim: 4096, heads: 32, headDim: 128, layers: 48, ffnDim: 4 * 4096, crossDim: 4096, patch: [1, 1, 1], inChannels: 128, outChannels: 128, freqDim: 256, textLen: 256, textDim: 4096 },
    experts: 1,
    vae: LTX_VAE,
    textEncoder: stack('t5-v1.1-xxl', [t5Xxl(256, 'bf16')], T5_XXL_FP32_BYTES / 2),
    // multi-scale (${LTX}:configs/ltxv-13b-0.9.8-dev.yaml:16-34; pipeline_ltx_video.py:1856-1893): pass 1 at int(size·2/3) rounded down
    // to /32 (30 steps, the last 3 skipped, guidance/STG by segment), latent upsampler ×2, pass 2 at twice that (30 steps, the first
    // 17 skipped, STG 1: batch 2). Another step count N keeps the config's proportions (skips 3N/30 and 17N/30).
    sampler: {
      name: 'rectified flow (SD3 shift), multi-scale, CFG/STG by segment', guidance: 'batched', step: LTX_STEP, latentBytes: 4,
      passes: [
        {
          name: 'first pass (2/3 size)',
          scale: (l) => ({ h: Math.floor((l.h * 32 * 0.6666666) / 32), w: Math.floor((l.w * 32 * 0.6666666) / 32) }),
          condsPerStep: (tokens, steps) => condsPerStep(ltxTimesteps(steps, tokens, 0, Math.round((3 * steps) / 30)), { guidanceTimesteps: [1.0, 0.996, 0.9933, 0.985, 0.9767, 0.9008, 0.618], cfg: [1, 1, 6, 8, 6, 1, 1], stg: [0, 0, 4, 4, 4, 2, 1] }),
        },
        {
          name: 'second pass (4/3 size)',
          scale: (l) => ({ h: 2 * Math.floor((l.h * 32 * 0.6666666) / 32), w: 2 * Math.floor((l.w * 32 * 0.6666666) / 32) }),
          condsPerStep: (tokens, steps) => condsPerStep(ltxTimesteps(steps, tokens, Math.round((17 * steps) / 30), 0), { guidanceTimesteps: [1.0], cfg: [1], stg: [1] }),
        },
      ],
      between: 'ltx-latent-upsampler',
    },
    parallel: LTX_PARALLEL,
    attention: 'fa2',
    defaults: { steps: 30, frames: 121, width: 1216, height: 704, fps: 30, guidance: true },
    sizes: [],
    checkpointDtype: 'bf16',
    officialWeightDtype: 'bf16',
    vaeEncodeFrames: 'none',
    sources: { dit: `${LTX}:ltx_video/models/transformers/attention.py:38-330`, sampler: `${LTX}:ltx_video/pipelines/pipeline_ltx_video.py:958-1124, 1821-1893` },
  },
  {
    family: 'mochi',
    id: 'mochi-1',
    name: 'Mochi-1-preview',
    task: 't2v',
    release: `${MOCHI} (mochi-1-preview, demos/cli.py)`,
    dit: {
      family: 'mochi',
      // depth 48, patch 2, 24 heads, hidden x 3072 / y 1536, MLP ratio 4 (SwiGLU hidden 8192 / 4096), 12 latent channels,
      // T5 features 4096 × 256 tokens (${MOCHI}:src/genmo/mochi_preview/pipelines.py:185-205; dit/joint_model/layers.py:85-110)
      dim: 3072, dimY: 1536, heads: 24, headDim: 128, layers: 48, ffnDim: 8192, ffnDimY: 4096, patch: [1, 2, 2], inChannels: 12, outChannels: 12, freqDim: 256, textLen: 256, textDim: 4096,
    },
    experts: 1,
    vae: MOCHI_VAE,
    // T5-v1.1-XXL encoder in fp32, 256 tokens (${MOCHI}:src/genmo/mochi_preview/pipelines.py:70-71, 106-128, 332-365)
    textEncoder: stack('t5-v1.1-xxl', [t5Xxl(256, 'fp32')], T5_XXL_FP32_BYTES),
    // Euler on a linear-quadratic sigma schedule, z = z + dsigma·pred in fp32, CFG 6 as two batch-1 forwards (batch_cfg False)
    // (pipelines.py:459-481; demos/cli.py:80-98, 139-150)
    sampler: { name: 'Euler, linear-quadratic sigmas, CFG 6 (two forwards)', guidance: 'sequential', step: { kernels: 3, latentPasses: 6 }, latentBytes: 4 },
    // official: context parallel (Ulysses-style all-to-all, heads % P == 0), FSDP of DiT and T5, frame-parallel VAE decode,
    // --cpu_offload single GPU only (pipelines.py:74-125, 487-503; context_parallel.py:78-158; vae/models.py:1014-1021);
    // mochi-xdit adds ring and CFG parallel (xdit-project/mochi-xdit@5f27f34:README.md)
    parallel: {
      ...NONE, ulysses: true, ring: true, cfg: true, fsdp: true, offload: true, vaeSplit: true, t5: ['gpu', 'fsdp'],
      source: `${MOCHI}:src/genmo/mochi_preview/pipelines.py:74-125, 487-503, dit/joint_model/context_parallel.py:78-158; xdit-project/mochi-xdit@5f27f34:README.md`,
    },
    // flash_attn_varlen_func (FlashAttention-2 package) (pipelines.py:139-143; asymm_models_joint.py:187-254)
    attention: 'fa2',
    // 848×480, 163 frames (6k+1), 64 steps; diffusers exports at 30 fps (demos/cli.py:139-144; pipelines.py:422; ${DIFF}:docs/source/en/api/pipelines/mochi.md:95)
    defaults: { steps: 64, frames: 163, width: 848, height: 480, fps: 30, guidance: true },
    sizes: [[848, 480]],
    // dit.safetensors 40.1 GB = fp32, loaded as stored and run under autocast bf16 (https://huggingface.co/genmo/mochi-1-preview/blob/refs%2Fpr%2F16/dit.safetensors; pipelines.py:454-463, 578-588)
    checkpointDtype: 'fp32',
    officialWeightDtype: 'fp32',
    vaeEncodeFrames: 'none',
    sources: {
      dit: `${MOCHI}:src/genmo/mochi_preview/dit/joint_model/asymm_models_joint.py:130-659`,
      vae: `${MOCHI}:src/genmo/mochi_preview/vae/models.py:103-606, 998-1021`,
      defaults: `${MOCHI}:demos/cli.py:50-150`,
    },
  },
];
