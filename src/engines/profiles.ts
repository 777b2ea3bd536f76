/**
 * Serving engines for Wan as sourced profiles: what each runtime does differently from the official code,
 * read from its code at the commit named (the research notes behind them: ../shared/research and the
 * issue-15 notes). Every difference is a mechanism the cost model prices — which elementwise kernels the DiT
 * block runs (src/workload/dit-kernels.ts), which attention kernels and quantised GEMMs exist, which parallel
 * layouts, CFG modes, offload paths, VAE precisions, step caches — never a speed-up factor.
 *
 * `rules.ts` turns a profile and the options a user asked for into the cost model's settings, or an
 * InputError naming what the engine does not support. A data catalog: one entry per engine.
 */
import type { AttentionKernel } from '../workload/ops.ts';
import type { BlockStyle } from '../workload/dit-kernels.ts';
import type { LinearQuant } from '../workload/dit.ts';

export const ENGINE_IDS = ['official', 'diffusers', 'xdit', 'sglang', 'lightx2v', 'lightx2v-2507', 'fastvideo', 'cache-dit', 'vllm-omni'] as const;
export type EngineId = (typeof ENGINE_IDS)[number];

/** Parallel layouts as features of a plan (src/parallel/plan.ts). */
export type ParallelFeature = 'ulysses' | 'ring' | 'tp' | 'pipefusion' | 'cfg' | 'fsdp' | 'experts-split' | 'vae-patch' | 't5-fsdp';
/** Offload: 'model' = whole modules moved when unused (plan `offload`), 'block' = DiT blocks streamed from host memory (plan `cpu-offload`), 't5-cpu' = umT5 on the CPU. */
export type OffloadMode = 'model' | 'block' | 't5-cpu';
export type CacheMethodId = 'teacache' | 'magcache' | 'fbcache' | 'scm';
/** umT5's precision: bf16 (the official t5_dtype), fp32 (FastVideo's default), or quantised block linears. */
export type TextEncoderDtype = 'bf16' | 'fp32' | 'fp8' | 'int8';
export type CfgMode = 'sequential' | 'batched' | 'parallel';

/** How an engine runs `--dtype fp8|int8`: its activation scaling and which blocks stay bf16. */
export interface QuantScheme {
  dtype: 'fp8' | 'int8';
  activation: LinearQuant['activation'];
  /** Blocks kept bf16 at each end for models of this many layers (xDiT's Wan2.1 overrides). */
  denseBlocks?: { layers: number; first: number; last: number };
  name: string;
  source: string;
}

/** Components an engine may keep off the GPU between uses (EngineProfile.residency; inference keep_on_gpu). */
export const RESIDENT_COMPONENTS = ['dit', 'text_encoder', 'image_encoder', 'vae'] as const;
export type ResidentComponent = (typeof RESIDENT_COMPONENTS)[number];

export interface EngineResidency {
  dit?: 'stream';
  ditSharded?: boolean;
  textEncoder?: 'stream';
  imageEncoder?: 'module';
  vae?: 'module';
  videoToHost: boolean;
  source: string;
}

export interface EngineProfile {
  id: EngineId;
  name: string;
  summary: string;
  /** Repository and commit the profile was read from. */
  source: string;
  /** The DiT block's elementwise kernels, eager. */
  style: BlockStyle;
  /** Per-token timestep (Wan2.2 code expands t for every model; engines built on diffusers only for TI2V-5B). */
  perTokenTimestep: 'model' | 'ti2v-only';
  attention: {
    /** What runs when the user does not choose (Hopper, then other GPUs). */
    default: { hopper: AttentionKernel; other: AttentionKernel };
    supported: readonly AttentionKernel[];
    /** Sparse attention backends exist (radial, sliding-tile, SVG, VSA, ...). */
    sparse: boolean;
    /** Video Sparse Attention (with its gate projection) is one of them; its source is in `source`. */
    vsa?: boolean;
    /** xDiT: the first and last this many steps use bf16 FA3 when a quantised kernel is chosen. */
    highPrecisionSteps?: number;
    /** A kernel the engine's code calls instead of the chosen one on Ada GPUs (compute capability 8.9). */
    onAda?: { chosen: AttentionKernel; runs: AttentionKernel; source: string };
    source: string;
  };
  /** torch.compile support: null = none; graphs = CUDA graphs captured (launch overhead removed). */
  compile: { cudaGraphs: boolean; source: string } | null;
  /**
   * Layouts the engine runs; `only`: a supported feature the engine's code has for these models only (for the
   * others it is a what-if); `whatIf`: vgsim what-ifs priced on this engine's kernels, never recommended
   * (engines/layout-support.ts reads all three).
   */
  parallel: {
    supported: readonly ParallelFeature[];
    only?: Partial<Record<ParallelFeature, { models: readonly string[]; label: string; why: string; source: string }>>;
    whatIf?: readonly ParallelFeature[];
    source: string;
  };
  cfg: { modes: readonly CfgMode[]; source: string };
  /** `whatIf`: offload modes vgsim prices on this engine's kernels that its code does not have. */
  offload: { modes: readonly OffloadMode[]; whatIf?: readonly OffloadMode[]; note?: string; source: string };
  vae: { dtype: 'fp32' | 'bf16'; dtypes: readonly ('fp32' | 'bf16')[]; tiling: boolean; tiny: boolean; source: string };
  /** umT5's precisions; `default`: the one the engine builds it in (bf16 where absent). */
  textEncoder: { dtypes: readonly TextEncoderDtype[]; default?: 'bf16' | 'fp32'; source: string };
  quant: { schemes: readonly QuantScheme[]; source: string };
  caches: { methods: readonly CacheMethodId[]; source: string };
  /** Runs distilled few-step weights. */
  distill: { source: string } | null;
  /** Runs a LoRA unfused through PEFT (diffusers pipelines: engines/lora.ts prices it); undefined: merged only. */
  unfusedLora?: { source: string };
  /**
   * Where the engine keeps each component between uses by default, when not on the GPU (priced in
   * src/perf/engine-residency.ts): 'stream' = FSDP2 with CPUOffloadPolicy(pin_memory=True), the weights copied
   * host→device (pinned) in every call, unit by unit after the compute before it (no overlap: measured,
   * calibration/offload_stream.py), freed after the call (nothing copied back); 'module' = module.to(gpu) before the stage and module.to('cpu') after it. `videoToHost`: the decoded
   * video is copied to host memory inside the decoding stage. `ditSharded`: the streamed DiT is FSDP-sharded over
   * the replica's GPUs, so each GPU copies its 1/N share from host memory and all-gathers the rest over the GPU
   * link, unit by unit. A component left out stays resident; undefined: everything resident (the plan's
   * `offload`/`cpu-offload` then say what moves).
   */
  residency?: EngineResidency;
  /**
   * The eager forward builds its RoPE tables on the CPU and synchronises the host with the GPU inside every
   * block, so the host's share of each forward is not hidden behind the GPU's queue (priced per step in
   * src/perf/engine-host-sync.ts from a measurement of that pattern). Undefined: no such syncs.
   */
  hostSync?: { source: string };
}

const ALL_BF16_ATTN: readonly AttentionKernel[] = ['fa2', 'fa3', 'cudnn', 'efficient'];

export const ENGINES: Record<EngineId, EngineProfile> = {
  official: {
    id: 'official',
    name: 'Wan official generate.py',
    summary: 'the reference path: eager PyTorch under autocast, fp32 residual stream and modulation, float64 RoPE, flash_attn, fp32 VAE',
    source: 'Wan-Video/Wan2.2@42bf4cf',
    style: 'official',
    perTokenTimestep: 'model',
    attention: { default: { hopper: 'fa3', other: 'fa2' }, supported: ALL_BF16_ATTN, sparse: false, source: 'Wan-Video/Wan2.2@42bf4cf:wan/modules/attention.py (flash_attn: FlashAttention-3 when installed, else FlashAttention-2); cudnn/efficient are vgsim what-ifs' },
    compile: { cudaGraphs: true, source: 'no compile flag in generate.py; vgsim keeps its uncalibrated compiled idealisation (every chain one kernel, CUDA graphs) for a hand-applied torch.compile, as Morphic ran on this code (https://dev.to/muhammad_aliafridi_35ece/boosting-wan22-i2v-inference-on-8-h100s-25-faster-with-sequence-parallelism-magcache-4pfn)' },
    // tp, pipefusion, cfg=2, split experts and patch VAE (and ring on Wan2.2) are vgsim what-ifs on the official
    // kernels: estimated (the header says so), listed by plan, never recommended; kept so existing scenarios run unchanged
    parallel: {
      supported: ['ulysses', 'ring', 'fsdp', 't5-fsdp'],
      only: { ring: { models: ['wan2.1-t2v-14b', 'wan2.1-i2v-14b', 'wan2.1-t2v-1.3b'], label: 'Wan2.1', why: 'in Wan2.1\'s generate.py (--ring_size, through xDiT) only', source: 'Wan-Video/Wan2.1@9737cba:generate.py (--ring_size beside --ulysses_size, xDiT\'s USP); Wan-Video/Wan2.2@42bf4cf:generate.py (--ulysses_size only)' } },
      whatIf: ['tp', 'pipefusion', 'cfg', 'experts-split', 'vae-patch'],
      source: 'Wan-Video/Wan2.2@42bf4cf:generate.py (--ulysses_size, --dit_fsdp, --t5_fsdp); Wan-Video/Wan2.1@9737cba:generate.py (--ring_size); the rest are vgsim what-ifs',
    },
    cfg: { modes: ['sequential', 'batched', 'parallel'], source: 'Wan-Video/Wan2.2@42bf4cf:wan/text2video.py:348 (two sequential forwards); batched and cfg=2 are vgsim what-ifs' },
    offload: { modes: ['model', 't5-cpu'], whatIf: ['block'], source: 'Wan-Video/Wan2.2@42bf4cf:generate.py (--offload_model, --t5_cpu); block streaming is a vgsim what-if' },
    vae: { dtype: 'fp32', dtypes: ['fp32'], tiling: false, tiny: false, source: 'Wan-Video/Wan2.2@42bf4cf:wan/text2video.py (WanVAE built with dtype=torch.float)' },
    textEncoder: { dtypes: ['bf16'], source: 'Wan-Video/Wan2.2@42bf4cf:wan/configs/shared_config.py:10 (t5_dtype bf16)' },
    quant: {
      schemes: [{ dtype: 'fp8', activation: 'tensor-static', name: 'vgsim fp8 what-if (torch._scaled_mm, per-tensor scales)', source: 'vgsim what-if: the official code has no quantisation' }],
      source: 'no quantisation in the official code; --dtype fp8 keeps vgsim\'s what-if',
    },
    caches: { methods: ['teacache', 'magcache'], source: 'drop-in scripts for the official repo: ali-vilab/TeaCache@7c10efc:TeaCache4Wan2.1/teacache_generate.py, Zehong-Ma/MagCache@df81cb1:MagCache4Wan2.1/magcache_generate.py, MagCache4Wan2.2/magcache_generate.py' },
    distill: { source: 'ModelTC/Wan2.2-Lightning@92efeb4 (a fork of the official code running the 4-step LoRAs)' },
  },
  diffusers: {
    id: 'diffusers',
    name: 'diffusers WanPipeline',
    summary: 'WanTransformer3DModel: bf16 residual stream with fp32 LayerNorm regions, SDPA attention by default, user-applied compile, context parallel',
    source: 'huggingface/diffusers@58eb52c',
    style: 'diffusers',
    perTokenTimestep: 'ti2v-only',
    attention: {
      default: { hopper: 'fa2', other: 'fa2' },
      supported: ['fa2', 'fa3', 'cudnn', 'efficient', 'sage1', 'sage2'],
      // sparse methods ship as patches of diffusers' Wan pipeline: mit-han-lab/radial-attention@72788d4
      // (radial_attn/models/wan/*), svg-project/Sparse-VideoGen@5ce7b01 (scripts/wan/*)
      sparse: true,
      source: 'huggingface/diffusers@58eb52c:src/diffusers/utils/constants.py:45 (DIFFUSERS_ATTN_BACKEND default "native" = torch SDPA, whose fixed priority puts FlashAttention-2 first: pytorch/pytorch#142132, #138907); backends _flash_3, sage, _sage_qk_int8_pv_fp8_cuda_sm90, _sage_qk_int8_pv_fp16_triton (sage1): src/diffusers/models/attention_dispatch.py:214-254',
    },
    compile: { cudaGraphs: true, source: 'huggingface/diffusers@58eb52c:docs/source/en/api/pipelines/wan.md:147-149 (torch.compile(transformer, mode="max-autotune") captures CUDA graphs); _repeated_blocks for regional compile: transformer_wan.py:551' },
    parallel: { supported: ['ulysses', 'ring'], source: 'huggingface/diffusers@58eb52c:src/diffusers/models/transformers/transformer_wan.py:552-570 (_cp_plan: Ulysses/ring context parallel); no CFG-parallel or FSDP inference in the pipeline' },
    cfg: { modes: ['sequential'], source: 'huggingface/diffusers@58eb52c:src/diffusers/pipelines/wan/pipeline_wan.py:614-632 (cond, then uncond)' },
    offload: { modes: ['model', 'block', 't5-cpu'], source: 'huggingface/diffusers@58eb52c: enable_model_cpu_offload, group offloading (src/diffusers/hooks/group_offloading.py)' },
    vae: { dtype: 'fp32', dtypes: ['fp32', 'bf16'], tiling: true, tiny: true, source: 'huggingface/diffusers@58eb52c:docs/source/en/api/pipelines/wan.md:70 (AutoencoderKLWan loaded in float32), enable_tiling; AutoencoderTiny-class TAEHV (madebyollin/taehv@1f14a56:README.md)' },
    textEncoder: { dtypes: ['bf16', 'int8', 'fp8'], source: 'huggingface/diffusers@58eb52c: PipelineQuantizationConfig (torchao) on any component (docs/source/en/api/pipelines/wan.md)' },
    quant: {
      schemes: [
        { dtype: 'fp8', activation: 'tensor-dynamic', name: 'torchao float8 dynamic activation, per tensor', source: 'huggingface/diffusers@58eb52c: TorchAoConfig / PipelineQuantizationConfig (user-applied)' },
        { dtype: 'int8', activation: 'tensor-dynamic', name: 'torchao int8 dynamic activation', source: 'huggingface/diffusers@58eb52c: TorchAoConfig (user-applied)' },
      ],
      source: 'torchao through diffusers\' quantization configs',
    },
    caches: { methods: ['fbcache', 'magcache'], source: 'huggingface/diffusers@58eb52c:src/diffusers/hooks/first_block_cache.py:39-98, hooks/mag_cache.py (no TeaCache hook)' },
    distill: { source: 'LightX2V distill LoRAs load into diffusers (lightx2v/Wan2.1-Distill-Loras)' },
    unfusedLora: { source: 'huggingface/diffusers@58eb52c: WanLoraLoaderMixin.load_lora_weights injects PEFT LoRA layers; fuse_lora() merges them (docs/source/en/tutorials/using_peft_for_inference.md)' },
  },
  xdit: {
    id: 'xdit',
    name: 'xDiT / xfuser',
    summary: 'diffusers\' Wan model wrapped by xfuser: Ulysses/ring SP, FSDP2, CFG-parallel, parallel VAE, FA3 by default, torchao FP8 GEMMs, whole-model compile',
    source: 'xdit-project/xDiT@175e0bf',
    style: 'diffusers',
    perTokenTimestep: 'ti2v-only',
    attention: {
      default: { hopper: 'fa3', other: 'fa2' },
      supported: ['fa2', 'fa3', 'cudnn', 'efficient', 'fa3-fp8', 'sage2'],
      sparse: true,
      highPrecisionSteps: 5,
      source: 'xdit-project/xDiT@175e0bf:xfuser/core/distributed/runtime_state.py:173-202 (FA4 > FA3 > cuDNN > FA2 > SDPA), attention_backend.py:429-454 (FLASH_3_FP8, SAGE, sparge), :606-640 (FP8 per-tensor quantisation); hybrid schedule: xfuser/config/args.py:715-745, wan.py num_hybrid_attn_high_precision_steps = 5',
    },
    compile: { cudaGraphs: false, source: 'xdit-project/xDiT@175e0bf:xfuser/model_executor/models/runner_models/base_model.py:400-460 (torch.compile mode "default", per block under FSDP)' },
    parallel: {
      supported: ['ulysses', 'ring', 'fsdp', 'cfg', 'vae-patch'],
      only: { cfg: { models: ['wan2.2-i2v-a14b', 'wan2.1-i2v-14b'], label: 'I2V', why: 'xDiT supports --use_cfg_parallel for the Wan I2V models only', source: 'xdit-project/xDiT@175e0bf:docs/runner/runner.md, xfuser/cli.py, xfuser/model_executor/models/runner_models/wan.py (--use_cfg_parallel on the I2V models only, as read for src/deploy/launch.ts)' } },
      source: 'xdit-project/xDiT@175e0bf:xfuser/model_executor/models/runner_models/wan.py ModelCapabilities (ulysses, ring, fully_shard, cfg_parallel, parallel_vae); README.md:117-119 (no PipeFusion, no TP for Wan)',
    },
    cfg: { modes: ['sequential', 'parallel'], source: 'xdit-project/xDiT@175e0bf: wan.py use_cfg_parallel' },
    // whole-model offload is diffusers' enable_model_cpu_offload on the pipeline xDiT wraps, by hand: the xdit launcher has no flag for it
    offload: { modes: ['t5-cpu'], whatIf: ['model'], source: 'xdit-project/xDiT@175e0bf: wan.py COMMON_FSDP_STRATEGY (text encoder FSDP with CPU offload policy); diffusers model offload by hand (xfuser/cli.py has no offload flag)' },
    vae: { dtype: 'bf16', dtypes: ['bf16', 'fp32'], tiling: true, tiny: false, source: 'xdit-project/xDiT@175e0bf: wan.py _load_model passes torch_dtype=torch.bfloat16 to the whole pipeline (inferred: VAE bf16), VAE tiling/slicing capabilities' },
    textEncoder: { dtypes: ['bf16'], source: 'xdit-project/xDiT@175e0bf: wan.py (text encoder in the pipeline dtype)' },
    quant: {
      schemes: [
        { dtype: 'fp8', activation: 'tensor-dynamic', denseBlocks: { layers: 40, first: 10, last: 10 }, name: 'torchao Float8DynamicActivationFloat8Weight, per tensor; Wan2.1 blocks 0-9 and 30-39 stay bf16', source: 'xdit-project/xDiT@175e0bf:xfuser/core/utils/runner_utils.py:335-357; wan.py fp8_precision_overrides' },
        { dtype: 'int8', activation: 'tensor-dynamic', name: 'torchao Int8DynamicActivationInt8Weight, per row', source: 'xdit-project/xDiT@175e0bf:xfuser/core/utils/runner_utils.py:295-333' },
      ],
      source: 'xdit-project/xDiT@175e0bf:xfuser/core/utils/runner_utils.py:295-357',
    },
    caches: { methods: [], source: 'no step cache wired for Wan in xdit-project/xDiT@175e0bf (runner_models/wan.py)' },
    distill: { source: 'xdit-project/xDiT@175e0bf: wan.py Wan2.2-Distilled-I2V (LightX2V 4-step weights, _distilled_scheduler_sigmas)' },
    unfusedLora: { source: 'xdit-project/xDiT@175e0bf: runs diffusers\' Wan pipeline (load_lora_weights as diffusers)' },
  },
  sglang: {
    id: 'sglang',
    name: 'SGLang Diffusion',
    summary: 'FastVideo-derived Wan block with CuTeDSL fused LayerNorm/residual kernels, fused QK-norm, FlashInfer RoPE; SP, TP, FSDP, CFG-parallel, parallel VAE, layerwise offload',
    source: 'sgl-project/sglang (files at the commits named)',
    style: 'sglang',
    perTokenTimestep: 'ti2v-only',
    attention: {
      default: { hopper: 'fa3', other: 'fa2' },
      supported: ['fa2', 'fa3', 'efficient', 'sage2'],
      sparse: true,
      vsa: true,
      source: 'sgl-project/sglang@11387e7:docs/diffusion/performance/attention_backends.md (fa, torch_sdpa, sage_attn, sliding_tile_attn, video_sparse_attn, ...); compatibility_matrix.md @0201bc8 (Sage for Wan2.1/2.2)',
    },
    compile: { cudaGraphs: false, source: 'sgl-project/sglang@00c17ca:.claude/skills/sglang-diffusion-performance/SKILL.md (--enable-torch-compile, "~1.2-1.5x on denoising": the engine\'s own claim, not used)' },
    parallel: { supported: ['ulysses', 'ring', 'tp', 'fsdp', 'cfg', 'vae-patch', 't5-fsdp'], source: 'lm-sys/lm-sys.github.io@d4de1c5:blog/2026-02-16-sglang-diffusion-advanced-optimizations.md §1-3 (token-level SP, parallel folding of T5 over the SP group, parallel VAE by height with halo exchange); SKILL.md @00c17ca (--enable-cfg-parallel)' },
    cfg: { modes: ['sequential', 'parallel'], source: 'sgl-project/sglang@00c17ca: SKILL.md (--enable-cfg-parallel halves the Ulysses group); docs/diffusion/performance/deployment_cookbook.md @031ba4d' },
    offload: { modes: ['block', 't5-cpu', 'model'], note: 'layerwise DiT offload is on by default for Wan on GPUs under 130 GiB ("40 GB → ~11 GB for Wan A14B; can be near-zero speed cost"; SGLang keeps H200-class GPUs without it because it "regressed latency noticeably" there): add cpu-offload to the plan to model it', source: 'sgl-project/sglang@00c17ca: SKILL.md (dit_layerwise_offload default for Wan/MOVA; --text-encoder-cpu-offload); @d772b17: python/sglang/multimodal_gen/runtime/server_args.py (WAN_LAYERWISE_OFFLOAD_AUTO_DISABLE_MEM_GB = 130 and its comment; one layer prefetched, dit_offload_prefetch_size 0.0)' },
    vae: { dtype: 'fp32', dtypes: ['fp32', 'bf16'], tiling: true, tiny: false, source: 'sgl-project/sglang@00c17ca: SKILL.md ("VAE is FP32 by default for accuracy"; --vae-precision fp16|bf16)' },
    textEncoder: { dtypes: ['bf16'], source: 'sgl-project/sglang: text encoder in bf16 (configs)' },
    // umT5 only: SGLang's DiT, VAE and image-encoder defaults changed from version to version (FSDP offload,
    // layerwise offload, a component residency manager) and are left resident here (README "where it falls short")
    residency: {
      textEncoder: 'stream', videoToHost: false,
      source: 'sgl-project/sglang@d772b17: runtime/server_args.py _adjust_offload (text_encoder_cpu_offload defaults to True for video models on GPUs of 30 GB or more); runtime/loader/component_loader.py TextEncoderLoader.should_offload (FSDP CPU offload where the encoder config has _fsdp_shard_conditions, as umT5\'s has, from FastVideo); checked against the CI baseline perf_baselines/h100.json @03dbd7a: wan2_1_t2v_1.3b loads 3.6 GB (no umT5 on the GPU) and its TextEncodingStage takes 535 ms against 172 ms in the case that keeps the encoder resident (17.6 GB at load)',
    },
    quant: {
      schemes: [{ dtype: 'fp8', activation: 'tensor-static', name: 'ModelOpt FP8 (calibrated per-tensor scales)', source: 'sgl-project/sglang@00c17ca: SKILL.md (ModelOpt FP8/NVFP4 transformer overrides)' }],
      source: 'sgl-project/sglang@00c17ca: SKILL.md',
    },
    caches: { methods: ['teacache', 'fbcache', 'scm'], source: 'sgl-project/sglang@0201bc8:docs/diffusion/compatibility_matrix.md (TeaCache for Wan2.1 only); docs/diffusion/performance/cache/cache_dit.md @11f22d9 (Cache-DiT DBCache/SCM, single GPU only)' },
    distill: { source: 'sgl-project/sglang@008b79d: configs/sample/wan.py (FastWan, TurboWan configs)' },
  },
  lightx2v: {
    id: 'lightx2v',
    name: 'LightX2V',
    summary: 'its own Wan infer: Triton modulate, sgl-kernel RMSNorm, FlashInfer RoPE, SageAttention2, per-token FP8/INT8 GEMMs, bf16 VAE, tiny VAE, 4-step distills, step caches, block offload',
    source: 'ModelTC/LightX2V@f8aee98',
    style: 'lightx2v',
    perTokenTimestep: 'ti2v-only',
    attention: {
      default: { hopper: 'fa3', other: 'fa2' },
      supported: ['fa2', 'fa3', 'sage2'],
      sparse: true,
      onAda: { chosen: 'sage2', runs: 'sage1', source: 'ModelTC/LightX2V@f8aee98:lightx2v/common/ops/attn/sage_attn.py:26-31 (compute capability (8, 9) or (12, 0): from sageattention import sageattn_qk_int8_pv_fp16_triton as sageattn, "the legacy SM89 override")' },
      source: 'ModelTC/LightX2V@f8aee98:lightx2v/common/ops/attn/*.py (@ATTN_WEIGHT_REGISTER: flash_attn2/3, sage_attn2, radial_attn, svg_attn, ...); caching/parallel example configs use flash_attn3, configs/bench use sage_attn2',
    },
    compile: { cudaGraphs: false, source: 'ModelTC/LightX2V@f8aee98:lightx2v/common/transformer_infer/transformer_infer.py:9-33 (use_compile: torch.compile per block, off by default)' },
    parallel: { supported: ['ulysses', 'ring', 'cfg', 'tp', 'vae-patch'], source: 'ModelTC/LightX2V@f8aee98:docs/EN/source/method_tutorials/parallel.md (seq_p_size ulysses|ring, cfg_p_size 2, tensor parallel); wan_runner.py:327-405 (parallel VAE on with a parallel config)' },
    cfg: { modes: ['sequential', 'parallel'], source: 'ModelTC/LightX2V@f8aee98:lightx2v/models/networks/wan/model.py:307-335 (sequential, or cfg_parallel on 2 ranks)' },
    offload: { modes: ['block', 'model', 't5-cpu'], source: 'ModelTC/LightX2V@f8aee98: configs/bench/lightx2v_5.json (cpu_offload, offload_granularity block|phase|model, t5_cpu_offload); wan_runner.py:286-290' },
    vae: { dtype: 'bf16', dtypes: ['bf16', 'fp32'], tiling: true, tiny: true, source: 'ModelTC/LightX2V@f8aee98:lightx2v/models/runners/wan/wan_runner.py:327-405 (vae_dtype defaults to DTYPE = bf16; use_tiling_vae; use_tae)' },
    textEncoder: { dtypes: ['bf16', 'int8', 'fp8'], source: 'ModelTC/LightX2V@f8aee98:docs/EN/source/method_tutorials/quantization.md (t5 int8-vllm, fp8-sgl, ...); wan_runner.py:286-321' },
    quant: {
      schemes: [
        { dtype: 'fp8', activation: 'token', name: 'fp8-sgl: FP8 weights per output channel, activations per token (sgl_per_token_quant_fp8 + fp8_scaled_mm)', source: 'ModelTC/LightX2V@f8aee98:lightx2v/common/ops/mm/mm_weight.py:630-635,1812-1870' },
        { dtype: 'int8', activation: 'token', name: 'int8-sgl: INT8 weights per channel, activations per token', source: 'ModelTC/LightX2V@f8aee98:lightx2v/common/ops/mm/mm_weight.py (int8-sgl, int8-vllm)' },
      ],
      source: 'ModelTC/LightX2V@f8aee98:lightx2v/common/ops/mm/mm_weight.py',
    },
    caches: { methods: ['teacache', 'magcache', 'fbcache'], source: 'ModelTC/LightX2V@f8aee98: configs/caching/* (Tea, Mag, FirstBlock, DualBlock, TaylorSeer, Ada, Custom); lightx2v/models/networks/wan/infer/feature_caching/transformer_infer.py:26-170' },
    distill: { source: 'ModelTC/LightX2V@f8aee98:docs/EN/source/method_tutorials/step_distill.md' },
  },
  'lightx2v-2507': {
    id: 'lightx2v-2507',
    name: 'LightX2V (July 2025)',
    summary: 'LightX2V as its published H200/RTX 4090 benchmark ran it: float64 complex RoPE, unfused in-place modulate, fp32 VAE; SageAttention2, per-token FP8/INT8 GEMMs, 4-step distills, TeaCache, block offload',
    source: 'ModelTC/LightX2V@a10e7462 (2025-07-19, its published benchmark)',
    style: 'lightx2v-2507',
    perTokenTimestep: 'ti2v-only',
    attention: {
      default: { hopper: 'fa3', other: 'fa2' },
      supported: ['fa2', 'fa3', 'sage2'],
      sparse: true,
      onAda: { chosen: 'sage2', runs: 'sage1', source: 'ModelTC/LightX2V@a10e7462:lightx2v/common/ops/attn/attn_weight.py:26-31 (compute capability (8, 9): from sageattention import sageattn_qk_int8_pv_fp16_triton as sageattn)' },
      source: 'ModelTC/LightX2V@a10e7462:lightx2v/common/ops/attn/attn_weight.py; configs/attentions (wan_i2v_flash, wan_i2v_sage, wan_i2v_radial, wan_t2v_sparge)',
    },
    compile: { cudaGraphs: false, source: 'ModelTC/LightX2V@a10e7462:lightx2v/models/networks/wan/infer/transformer_infer.py:79-80 (@torch.compile(disable=not ENABLE_GRAPH_MODE)); scripts/bench set ENABLE_GRAPH_MODE=false' },
    parallel: { supported: ['ulysses', 'ring', 'vae-patch'], source: 'ModelTC/LightX2V@a10e7462:configs/dist_infer (parallel_attn_type ulysses|ring, parallel_vae); no CFG parallel in lightx2v/ at this commit' },
    cfg: { modes: ['sequential'], source: 'ModelTC/LightX2V@a10e7462:lightx2v/models/networks/wan/model.py infer (cond, then uncond)' },
    offload: { modes: ['block', 't5-cpu'], source: 'ModelTC/LightX2V@a10e7462:configs/bench/lightx2v_5.json (cpu_offload, offload_granularity block, t5_cpu_offload)' },
    vae: { dtype: 'fp32', dtypes: ['fp32'], tiling: true, tiny: true, source: 'ModelTC/LightX2V@a10e7462:lightx2v/models/video_encoders/hf/wan/vae.py:794 (WanVAE dtype=torch.float, not overridden by wan_runner.py:124-150); use_tiling_vae, tiny_vae' },
    textEncoder: { dtypes: ['bf16', 'int8', 'fp8'], source: 'ModelTC/LightX2V@a10e7462:lightx2v/models/runners/wan/wan_runner.py (t5_quantized, t5_quant_scheme)' },
    quant: {
      schemes: [
        { dtype: 'fp8', activation: 'token', name: 'W-fp8-channel-sym-A-fp8-channel-sym-dynamic-Sgl-ActVllm: FP8 weights per channel, activations per token', source: 'ModelTC/LightX2V@a10e7462:configs/bench/lightx2v_3.json' },
        { dtype: 'int8', activation: 'token', name: 'W-int8-channel-sym-A-int8-channel-sym-dynamic-Vllm', source: 'ModelTC/LightX2V@a10e7462:lightx2v/common/ops/mm/mm_weight.py' },
      ],
      source: 'ModelTC/LightX2V@a10e7462:lightx2v/common/ops/mm/mm_weight.py',
    },
    caches: { methods: ['teacache'], source: 'ModelTC/LightX2V@a10e7462:configs/caching (teacache; TaylorSeer, AdaCache, Custom not modelled); configs/bench/lightx2v_4.json' },
    distill: { source: 'ModelTC/LightX2V@a10e7462:configs/bench/lightx2v_3_distill.json (denoising_step_list of the 4-step model)' },
  },
  fastvideo: {
    id: 'fastvideo',
    name: 'FastVideo',
    summary: 'Wan block in the diffusers pattern (eager ScaleResidualLayerNormScaleShift), FA3/Sage/VSA attention, FSDP inference, torch.compile, DMD-distilled FastWan models',
    source: 'hao-ai-lab/FastVideo@2f3d407',
    style: 'diffusers',
    perTokenTimestep: 'ti2v-only',
    attention: {
      default: { hopper: 'fa3', other: 'fa2' },
      supported: ['fa2', 'fa3', 'efficient', 'sage2'],
      sparse: true,
      vsa: true,
      source: 'hao-ai-lab/FastVideo@2f3d407:docs/inference/optimizations.md (FASTVIDEO_ATTENTION_BACKEND: TORCH_SDPA, FLASH_ATTN, SAGE_ATTN, VIDEO_SPARSE_ATTN, ...)',
    },
    compile: { cudaGraphs: false, source: 'hao-ai-lab/FastVideo@2f3d407:docs/inference/optimizations.md (torch.compile)' },
    parallel: { supported: ['ulysses', 'fsdp'], source: 'hao-ai-lab/FastVideo@2f3d407:fastvideo/models/dits/wanvideo.py (DistributedAttention: sequence parallel); docs/inference/optimizations.md (FSDP inference)' },
    cfg: { modes: ['sequential'], source: 'hao-ai-lab/FastVideo@2f3d407 (not read: sequential assumed)' },
    offload: { modes: ['t5-cpu'], source: 'hao-ai-lab/FastVideo@2f3d407: text encoder CPU offload option' },
    vae: { dtype: 'fp32', dtypes: ['fp32', 'bf16'], tiling: true, tiny: false, source: 'hao-ai-lab/FastVideo@2f3d407: VAE precision option (as SGLang, which copied it; inferred)' },
    textEncoder: { dtypes: ['fp32', 'bf16'], default: 'fp32', source: 'hao-ai-lab/FastVideo@7d8cf38 (the FastWan blog\'s code) and @2f3d407: fastvideo/configs/pipelines/wan.py:54-55 (WanT2V480PConfig text_encoder_precisions ("fp32",), inherited by every Wan config), models/loader/component_loader.py:232-244 (umT5 built in that dtype), configs/pipelines/base.py:164-167 (--text-encoder-precisions)' },
    quant: {
      schemes: [{ dtype: 'fp8', activation: 'tensor-dynamic', name: 'transformer_quant="FP8" (per-tensor)', source: 'hao-ai-lab/FastVideo@2f3d407:docs/inference/optimizations.md' }],
      source: 'hao-ai-lab/FastVideo@2f3d407:docs/inference/optimizations.md',
    },
    caches: { methods: [], source: 'none documented for Wan in hao-ai-lab/FastVideo@2f3d407' },
    distill: { source: 'https://hao-ai-lab.github.io/FastVideo/distillation/dmd.html (FastWan, 3-step DMD)' },
    residency: {
      dit: 'stream', ditSharded: true, textEncoder: 'stream', imageEncoder: 'module', vae: 'module', videoToHost: true,
      source: 'hao-ai-lab/FastVideo@7d8cf38 (2025-08-04, the FastWan blog\'s code): fastvideo_args.py:122-127 (defaults dit_cpu_offload, use_fsdp_inference, text_encoder_cpu_offload, image_encoder_cpu_offload, vae_cpu_offload, pin_cpu_memory all True), :105 and :490-491 (hsdp_shard_dim -1 becomes num_gpus: the DiT sharded over every GPU); models/loader/fsdp_load.py:190-191 (CPUOffloadPolicy(pin_memory)); component_loader.py:252-293 (umT5 sharded with cpu_offload=True, reshard_after_forward=True over the size-1 "offload" dimension of a (1, world size) mesh: each GPU streams all of it); pipelines/stages/image_encoding.py:58,70-71, encoding.py:51,138-139, decoding.py:79,127,136-137 (image encoder and VAE .to(device) before, .to("cpu") after; image.cpu().float())',
    },
    hostSync: {
      source: 'hao-ai-lab/FastVideo@7d8cf38: fastvideo/models/dits/wanvideo.py:624-635 (get_rotary_pos_embed in float64 on the CPU every forward, then .to(hidden_states.device) from pageable memory), :342 and :493 (torch.tensor([0], device=hidden_states.device) in every block: a pageable copy and a stream synchronisation), pipelines/stages/denoising.py:200 and :700 (assert torch.isnan(latent_model_input).sum() == 0 at every step)',
    },
  },
  'cache-dit': {
    id: 'cache-dit',
    name: 'cache-dit (on diffusers)',
    summary: 'diffusers\' Wan pipeline with cache-dit\'s DBCache / static SCM masks, context and tensor parallel, compile with CUDA graphs',
    source: 'vipshop/cache-dit@f86744a',
    style: 'diffusers',
    perTokenTimestep: 'ti2v-only',
    attention: { default: { hopper: 'fa2', other: 'fa2' }, supported: ['fa2', 'fa3', 'cudnn', 'efficient', 'sage2'], sparse: false, source: 'diffusers\' attention dispatch (native SDPA by default)' },
    compile: { cudaGraphs: true, source: 'vipshop/cache-dit@f86744a:docs/user_guide/CUDA_GRAPH.md (torch.compile options={"triton.cudagraphs": True})' },
    parallel: { supported: ['ulysses', 'ring', 'tp'], source: 'vipshop/cache-dit@f86744a:docs/user_guide/CONTEXT_PARALLEL.md, TENSOR_PARALLEL.md (Wan2.1/2.2)' },
    cfg: { modes: ['sequential'], source: 'vipshop/cache-dit@f86744a:docs/user_guide/DBCACHE_DESIGN.md (enable_separate_cfg for Wan: cond and uncond are separate forwards)' },
    offload: { modes: ['model', 'block', 't5-cpu'], source: 'diffusers offload hooks' },
    vae: { dtype: 'fp32', dtypes: ['fp32', 'bf16'], tiling: true, tiny: false, source: 'diffusers AutoencoderKLWan' },
    textEncoder: { dtypes: ['bf16'], source: 'diffusers' },
    quant: { schemes: [{ dtype: 'fp8', activation: 'tensor-dynamic', name: 'torchao float8 (per tensor)', source: 'vipshop/cache-dit@f86744a:docs/user_guide/CUDA_GRAPH.md (FP8 row)' }], source: 'vipshop/cache-dit@f86744a' },
    caches: { methods: ['fbcache', 'scm'], source: 'vipshop/cache-dit@f86744a:src/cache_dit/caching/cache_interface.py:612-700 (SCM masks), docs/user_guide/DBCACHE_DESIGN.md (DBCache F8B0 default)' },
    distill: null,
    unfusedLora: { source: 'vipshop/cache-dit@f86744a: caches a diffusers pipeline (load_lora_weights as diffusers)' },
  },
  'vllm-omni': {
    id: 'vllm-omni',
    name: 'vLLM-Omni',
    summary: 'Wan2.2 through a diffusers-based pipeline with Cache-DiT; no TeaCache, no Ulysses for Wan in the snapshot read (2025-12)',
    source: 'vllm-project/vllm-omni@be81443',
    style: 'diffusers',
    perTokenTimestep: 'ti2v-only',
    attention: { default: { hopper: 'fa2', other: 'fa2' }, supported: ['fa2', 'fa3'], sparse: false, source: 'vllm-project/vllm-omni@be81443 (diffusers-based; inferred)' },
    compile: null,
    parallel: { supported: [], source: 'vllm-project/vllm-omni@be81443:docs/user_guide/acceleration/parallelism_acceleration.md:29-31 (Ulysses-SP not supported for Wan2.2)' },
    cfg: { modes: ['sequential'], source: 'vllm-project/vllm-omni@be81443 (diffusers pipeline; inferred)' },
    offload: { modes: [], source: 'vllm-project/vllm-omni@be81443 (not documented for Wan)' },
    vae: { dtype: 'fp32', dtypes: ['fp32'], tiling: false, tiny: false, source: 'diffusers AutoencoderKLWan (inferred)' },
    textEncoder: { dtypes: ['bf16'], source: 'inferred' },
    quant: { schemes: [], source: 'none documented for Wan in vllm-project/vllm-omni@be81443' },
    caches: { methods: ['fbcache', 'scm'], source: 'vllm-project/vllm-omni@be81443:docs/user_guide/diffusion_acceleration.md ("VideoGen" table: Cache-DiT yes, TeaCache no)' },
    distill: null,
  },
};

export function isEngineId(id: string): id is EngineId {
  return (ENGINE_IDS as readonly string[]).includes(id);
}

/** umT5's precisions for listings: the engine's default first, starred where there is a choice (bf16 where none is named). */
export function umt5Dtypes(t: EngineProfile['textEncoder'], sep = ','): string {
  const d = t.default ?? 'bf16';
  return [d, ...t.dtypes.filter((x) => x !== d)].map((x, i) => (i === 0 && t.dtypes.length > 1 ? `${x}*` : x)).join(sep);
}

/** What an engine keeps off the GPU by default and how it brings it in (EngineProfile.residency), e.g. "umT5 streamed"; '' for nothing. */
export function residencyText(e: EngineProfile, sep = ','): string {
  const r = e.residency;
  return r ? [r.dit && 'DiT streamed', r.textEncoder && 'umT5 streamed', r.imageEncoder && 'image encoder moved', r.vae && 'VAE moved'].filter(Boolean).join(sep) : '';
}
