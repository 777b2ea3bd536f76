/**
 * HunyuanVideo-1.5 in the zoo (Tencent-Hunyuan/HunyuanVideo-1.5@60783e7, generate.py and its pipelines): T2V 480p
 * and 720p, each as generate.py runs it by default (with the super-resolution stage, --sr true) and with
 * --sr false. Its cfg-distilled, step-distilled and sparse-attention (SSTA, --sparse_attn) variants are off by
 * default and not modelled (the 720p T2V distilled and sparse checkpoints are "coming soon" in its README.md:
 * 200-215). Values with repo@commit:path:line (line numbers of hyvideo/pipelines/hunyuan_video_pipeline.py as
 * "pipeline :N"); Hugging Face file sizes and configs by URL.
 */
import type { ModelSpec } from '../models.ts';
import type { FamilyVaeSpec, Hunyuan15DitSpec, ParallelSupport, SamplerSpec, TextEncoderStack } from './specs.ts';
import { BYT5_SMALL_GLYPH, QWEN25_VL_7B_LM, stack } from './text-encoder-specs.ts';
import { familyDitParams } from './params.ts';
import { srLatent } from './hunyuan-video-15-sr.ts';

const HV15 = 'Tencent-Hunyuan/HunyuanVideo-1.5@60783e7';
const HV15_HF = 'https://huggingface.co/tencent/HunyuanVideo-1.5';

const HUNYUAN15_VAE: FamilyVaeSpec = {
  id: 'hunyuan-video-15-vae',
  // 32 latent channels, 16× space, 4× time (vae/config.json: latent_channels 32, ffactor_spatial 16, ffactor_temporal 4,
  // block_out_channels [128, 256, 512, 1024, 1024], layers_per_block 2; https://huggingface.co/DiffusersVersionsOfModels/HunyuanVideo-1.5-vae/blob/main/config.json)
  zDim: 32,
  stride: [4, 16, 16],
  // vae/diffusion_pytorch_model.safetensors 5.04 GB fp32, encoder + decoder (${HV15_HF}/tree/refs%2Fpr%2F6/vae)
  params: 5.04e9 / 4,
  checkpointBytes: 5.04e9,
  // loaded with torch_dtype float16 and decoded under autocast fp16 (${HV15}:hyvideo/pipelines/hunyuan_video_pipeline.py:1513-1516, 1565-1578, 1298)
  dtype: 'fp16',
  autocast: true,
};

/**
 * The 54-block DiT of HunyuanVideo-1.5 (480p and 720p T2V share it): transformer/480p_i2v/config.json (hidden 2048,
 * 16 heads, 54 double blocks, 0 single, patch [1, 1, 1], in 32 with concat_condition → 65 input channels, out 32,
 * text_states_dim 3584, glyph byT5, vision projection 1152, cond-type embedding, no guidance embed;
 * https://huggingface.co/DiffusersVersionsOfModels/HunyuanVideo-1.5-480p_i2v/blob/main/config.json); the diffusers
 * port loads the T2V checkpoints strictly with the same shape (huggingface/diffusers@58eb52c:scripts/convert_hunyuan_video1_5_to_diffusers.py:47-77, 649-658;
 * transformer_hunyuan_video15.py:562-584).
 */
const HV15_DIT: Hunyuan15DitSpec = {
  family: 'hunyuan-video-1.5',
  dim: 2048, heads: 16, headDim: 128, layers: 54, refinerLayers: 2, ffnDim: 4 * 2048,
  patch: [1, 1, 1], inChannels: 2 * 32 + 1, outChannels: 32,
  // 1000 LLM tokens of width 3584 (pipeline :1592), byT5 256 × 1472 (:1520, :602), 729 SigLIP tokens × 1152 (:104-105), sinusoid 256
  textLen: 1000, textDim: 3584, freqDim: 256, byt5Len: 256, byt5Dim: 1472, byt5Hidden: 2048, visionTokens: 729, visionDim: 1152,
  // [assumption] flash_attn_no_pad keeps only the unmasked text rows (utils/flash_attn_no_pad.py:20-50): the prompt's
  // LLM tokens (a long prompt: 256) — byT5 adds its tokens only for quoted text, the T2V vision tokens are masked out
  attnTextTokens: 256,
};

/** The SR DiT (transformer/720p_sr_distilled/config.json: the same shape, in_channels 98, concat_condition false; ${HV15_HF}/commit/9e92ee83a08efa6c49f7532ccb6b9044898fe8c7). */
const HV15_SR_DIT_PARAMS = familyDitParams({ ...HV15_DIT, inChannels: 98 });

/**
 * Text encoders as the pipeline calls them (pipeline :1097-1141): the LLM encodes the prompt and, with CFG, the
 * negative prompt; byT5 runs only on a prompt that quotes text (never the empty negative prompt, :589-621) —
 * counted once, the README's example prompt quotes text; the SR pipeline encodes the prompt again with both (no
 * CFG, sr_pipeline :285-305). Checkpoints: the Qwen2.5-VL-7B-Instruct download (8.29 B bf16 ≈ 16.6 GB) and
 * byT5 in fp32.
 */
function hv15Text(sr: boolean): TextEncoderStack {
  return {
    ...stack('qwen2.5-vl-7b + byt5-small-glyph', [QWEN25_VL_7B_LM, BYT5_SMALL_GLYPH], 8.29e9 * 2 + (BYT5_SMALL_GLYPH.blockParams + BYT5_SMALL_GLYPH.embeddingParams) * 4),
    callsPerRequest: (e, cfg) => (e.id === 'qwen2.5-vl-7b-lm' ? (cfg ? 2 : 1) : 1) + (sr ? 1 : 0),
  };
}

/**
 * The sampler (pipeline :1197-1260): flow-matching Euler (shift 5 at 480p, 9 at 720p; commons/__init__.py:48-68),
 * CFG 6 as one batch-2 forward; per step torch.concat of latents and condition (65 bf16 channels), the CFG
 * torch.cat, and the scheduler step in fp32 on bf16 latents (scheduling_flow_match_discrete.py:270-281: two casts
 * up, mul, add, cast down): 7 kernels over ≈14.5 fp32-latent passes. With SR (hunyuan_video_sr_pipeline.py):
 * the latent resized to the high-resolution bucket, the upsampler, then `srSteps` forwards of the SR DiT at
 * batch 1 (guidance 1).
 */
function hv15Sampler(shift: number, sr?: { hrBase: number; steps: number; between: 'hv15-sr-720p-upsampler' | 'hv15-sr-1080p-upsampler' }): SamplerSpec {
  const base: SamplerSpec = { name: `flow-matching Euler (shift ${shift}), CFG 6 batched`, guidance: 'batched', step: { kernels: 7, latentPasses: 14.5 }, latentBytes: 4 };
  if (!sr) return base;
  return {
    ...base,
    name: `${base.name}; SR DiT ${sr.steps} steps (shift 2, no CFG)`,
    passes: [
      { name: 'base', scale: (l) => l, condsPerStep: (_tokens, steps) => Array.from({ length: steps }, () => 2) },
      { name: `super-resolution (${sr.hrBase === 960 ? '720p' : '1080p'})`, scale: (l) => srLatent(l, sr.hrBase), condsPerStep: () => Array.from({ length: sr.steps }, () => 1) },
    ],
    between: sr.between,
    secondDitParams: HV15_SR_DIT_PARAMS,
  };
}

const HV15_PARALLEL: ParallelSupport = {
  ulysses: true, ring: false, tp: false, pipefusion: false, cfg: false, fsdp: false, offload: true, cpuOffload: true, vaeSplit: true, t5: ['gpu'],
  source: `${HV15}:generate.py:39 (sequence parallel over the whole world), hyvideo/models/transformers/modules/attention.py:120-293 (Ulysses all-to-all; no ring, no CFG parallel), generate.py:160-198 and pipeline :1401-1413, 1549-1563 (--offloading: model moves; group offloading streams blocks), hyvideo/models/autoencoders/hunyuanvideo_15_vae.py:677-770 (tile-parallel decode)`,
};

function hv15Model(res: '480p' | '720p', sr: boolean): ModelSpec {
  const is480 = res === '480p';
  return {
    family: 'hunyuan-video-1.5',
    id: `hunyuan-video-1.5-${res}${sr ? '' : '-no-sr'}`,
    name: `HunyuanVideo-1.5 ${res} T2V${sr ? ` + SR ${is480 ? '720p' : '1080p'}` : ''}`,
    task: 't2v',
    release: `${HV15} (transformer/${res}_t2v${sr ? `, ${is480 ? '720p' : '1080p'}_sr_distilled` : ''}; generate.py${sr ? '' : ' --sr false'})`,
    dit: HV15_DIT,
    experts: 1,
    vae: HUNYUAN15_VAE,
    textEncoder: hv15Text(sr),
    sampler: hv15Sampler(is480 ? 5 : 9, sr ? (is480 ? { hrBase: 960, steps: 6, between: 'hv15-sr-720p-upsampler' } : { hrBase: 1440, steps: 8, between: 'hv15-sr-1080p-upsampler' }) : undefined),
    parallel: HV15_PARALLEL,
    // attn_mode "flash" → flash_attn_varlen_qkvpacked_func from the flash-attn (FA2) package the README installs (commons/__init__.py:178-226; README.md:162-166)
    attention: 'fa2',
    // memory_efficient_context: slicing + spatial tiling (hunyuanvideo_15_vae.py:889-897)
    vaeTiling: true,
    // --video_length 121, 50 steps, 16:9 bucket of 640² (480p: 848×480) or 960² (720p: 1280×720), saved at 24 fps (generate.py:48, 297-304; pipeline :173-179, 800-824)
    defaults: { steps: 50, frames: 121, width: is480 ? 848 : 1280, height: is480 ? 480 : 720, fps: 24, guidance: true },
    // the 16:9, 9:16, 1:1, 4:3, 3:4 buckets (generate_crop_size_list, utils/data_utils.py:61-73)
    sizes: is480 ? [[848, 480], [480, 848], [640, 640], [720, 544], [544, 720]] : [[1280, 720], [720, 1280], [960, 960], [1104, 832], [832, 1104]],
    // transformer/*/diffusion_pytorch_model.safetensors bf16, --dtype bf16 (generate.py:153-158, 358-362)
    checkpointDtype: 'bf16',
    officialWeightDtype: 'bf16',
    vaeEncodeFrames: 'none',
    sources: {
      dit: `${HV15}:hyvideo/models/transformers/hunyuanvideo_1_5_transformer.py:45-205, 351-865`,
      textEncoder: `${HV15}:hyvideo/models/text_encoders/__init__.py, hyvideo/models/text_encoders/byT5/__init__.py`,
      vae: `${HV15}:hyvideo/models/autoencoders/hunyuanvideo_15_vae.py:110-897`,
      defaults: `${HV15}:generate.py:277-455, hyvideo/commons/__init__.py:48-140`,
      ...(sr ? { sr: `${HV15}:hyvideo/pipelines/hunyuan_video_sr_pipeline.py:46-469, hyvideo/models/transformers/modules/upsample.py` } : {}),
    },
  };
}

export const HUNYUAN_VIDEO_15_MODELS: readonly ModelSpec[] = [hv15Model('480p', true), hv15Model('720p', true), hv15Model('480p', false), hv15Model('720p', false)];
