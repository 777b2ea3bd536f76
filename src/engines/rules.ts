/**
 * An engine profile and the accelerations a user asked for → what the cost model prices: the DiT block's
 * elementwise style, attention kernel (and the steps/layers that run another), quantised linears, VAE and
 * umT5 precision, CUDA graphs, the step cache — and the list of accelerations the estimate names. Anything
 * the engine does not run is an InputError with the reason, the source, and what would work instead.
 */
import { InputError, type InputIssue } from '../errors.ts';
import { isQuantizedAttention, type AttentionKernel, type QuantizedAttention } from '../workload/ops.ts';
import type { BlockStyle } from '../workload/dit-kernels.ts';
import type { LinearQuant } from '../workload/dit.ts';
import type { ModelSpec } from '../workload/models.ts';
import type { ParallelPlan } from '../parallel/plan.ts';
import type { GpuSpec } from '../hardware/types.ts';
import { isAda, isHopper } from '../hardware/architecture.ts';
import { ENGINES, ENGINE_IDS, isEngineId, type EngineProfile, type EngineResidency, type QuantScheme, type ResidentComponent, type TextEncoderDtype } from './profiles.ts';
import { STYLE_SOURCES } from '../workload/dit-kernels.ts';
import { getDistill, distillProblem, type DistillPreset } from './distill.ts';
import type { CacheSpec } from './step-cache.ts';
import type { SparseAttention } from './sparse-attention.ts';
import type { LoraSpec } from './lora.ts';
import { familyAccelerationProblems } from './family-support.ts';
import { layoutSupport } from './layout-support.ts';

/** The acceleration knobs of InferenceOptions this module reads (estimate.ts owns the full type). */
/**
 * What `auto` gives Hopper under the official Wan code, and what a stock install runs instead: the official code
 * takes FlashAttention-3 only from a separately built flash_attn_interface; its requirements.txt installs flash_attn
 * (FlashAttention-2). estimate's warning and the cross-GPU comparisons' notes (tco, size) say it with these words.
 */
export const OFFICIAL_FA3_FROM_SOURCE = 'FlashAttention-3 is taken when flash_attn_interface is built from source (wan/modules/attention.py:4-8 of Wan-Video/Wan2.2@42bf4cf and Wan2.1@9737cba); a stock install of their requirements.txt (flash_attn) has FlashAttention-2 only';

export interface AccelerationOptions {
  engine?: string;
  attention: AttentionKernel | 'auto';
  dtype: 'bf16' | 'fp8' | 'int8';
  dtypeLayers?: readonly ('self' | 'cross' | 'ffn')[];
  compile: boolean;
  /** 'official': the model's own script's mode (resolved by the estimate before it calls resolveEngine). */
  cfg: 'official' | 'sequential' | 'batched';
  sparse?: SparseAttention;
  cache?: CacheSpec;
  distill?: string;
  vae?: { dtype?: 'fp32' | 'bf16'; tiled?: boolean; decoder?: 'full' | 'tiny' };
  textEncoderDtype?: TextEncoderDtype;
  lora?: LoraSpec;
  keepOnGpu?: readonly ResidentComponent[];
}

/** One acceleration applied, as the estimate's JSON names it. */
export interface Acceleration {
  knob: string;
  value: string;
  /** What it changes in the cost model. */
  models: string;
  source: string;
  /** Priced from published or assumed rates rather than our measurements. */
  extrapolated: boolean;
}

export interface EngineExecution {
  engine: EngineProfile;
  style: BlockStyle;
  /** The official path's compiled idealisation (official engine + compile). */
  fusedLegacy: boolean;
  perTokenTimestep: boolean;
  /** The attention kernel of most steps; `denseKernel` runs `denseSteps` of them (hybrid precision, sparse warm-up). */
  kernel: AttentionKernel;
  denseKernel: AttentionKernel;
  denseSteps: number;
  sparse?: SparseAttention;
  linearQuant?: LinearQuant;
  /** Legacy official fp8 what-if (DitForwardOptions.linearDtype 'fp8'). */
  legacyFp8: boolean;
  cudaGraphs: boolean;
  vae: { dtype: 'fp32' | 'bf16'; tiled: boolean; tiny: boolean };
  textEncoderDtype: TextEncoderDtype;
  distill?: DistillPreset;
  /** Rank of a LoRA run unfused on every block linear (its per-call GEMMs and adds); undefined: none, or merged. */
  loraRank?: number;
  /** What the engine keeps off the GPU here: its default residency less what keep_on_gpu keeps resident. */
  residency?: EngineResidency;
  accelerations: Acceleration[];
  /** Why the engine's own code does not run this layout for the model: a vgsim what-if (layout-support.ts); null when it runs it. */
  whatIf: string | null;
  warnings: string[];
  /** Where the engine's FA3 default needs a build a stock install lacks: what it runs instead (part of the FA3 warning). */
  fa3Install?: string;
}

/** diffusers AutoencoderKLWan tile: 256 pixels every 192 (autoencoder_kl_wan.py:1076-1081), in latents. */
export function vaeTiling(spatialStride: number): { tile: number; stride: number } {
  return { tile: 256 / spatialStride, stride: 192 / spatialStride };
}

/** Engines that support a thing, for suggestions. */
function enginesWith(pred: (e: EngineProfile) => boolean): string {
  const ids = ENGINE_IDS.filter((id) => pred(ENGINES[id]));
  return ids.length ? `engines that do: ${ids.join(', ')}` : 'no engine in vgsim does';
}

/** What vgsim prices for each quantised attention kernel (perf/quantized-attention.ts, workload/attention-kernels.ts). */
const QUANTIZED_ATTENTION_MODEL: Record<QuantizedAttention, { models: string; source: string }> = {
  sage1: {
    models: 'INT8 QK, FP16 PV (FP16 accumulator) kernel (Hopper: its Triton kernel measured on an H100, as a ratio to vgsim\'s cuDNN rate; Ada and Ampere: FA2 × the chart\'s Sage 8+16 ratio), plus smooth-K, the V cast to fp16 and Q/K quantisation (its Triton kernel at its measured rate) per call',
    source: 'thu-ml/SageAttention@d1a57a5:sageattention/core.py (sageattn_qk_int8_pv_fp16_triton); calibration/engines/h100-sxm-sage-split.json; assets/*_hd128.png',
  },
  sage2: {
    models: 'INT8 QK, FP8 PV kernel (Hopper: its SM90 kernel measured on an H100, as a ratio to vgsim\'s cuDNN rate; Ada and Ampere: FA2 × its chart\'s Sage/FA2 ratio), plus smooth-K, Q/K INT8 and V FP8 quantisation (their kernels at their measured rates) and the V padding copy per call',
    source: 'thu-ml/SageAttention@d1a57a5:sageattention/core.py; calibration/engines/h100-sxm-sage-split.json; assets/*_hd128.png',
  },
  'fa3-fp8': {
    models: 'FP8 FlashAttention-3 at FA3 × its FP8/FA3 ratio, plus xDiT\'s per-tensor quantisation passes per call',
    source: 'xdit-project/xDiT@175e0bf:xfuser/core/distributed/attention_backend.py:606-640; thu-ml/SageAttention@d1a57a5 charts',
  },
};

export function resolveEngine(o: AccelerationOptions, plan: ParallelPlan, model: ModelSpec, gpu: GpuSpec, source = 'engine'): EngineExecution {
  const id = o.engine ?? 'official';
  if (!isEngineId(id)) throw new InputError([{ source, path: 'engine', message: `unknown engine "${id}"`, hint: `one of ${ENGINE_IDS.join(', ')} (vgsim list engines)` }]);
  const e = ENGINES[id];
  // the other families: only what their own pipelines have (family-support.ts)
  const familyIssues = familyAccelerationProblems(o, model, source);
  if (familyIssues.length) throw new InputError(familyIssues);
  // keep_on_gpu against a plan that puts the same component on the host (both were accepted; one was priced)
  const keep = o.keepOnGpu ?? [];
  const clash = [
    keep.includes('text_encoder') && plan.t5 === 'cpu' ? 'text_encoder with the text encoder on the CPU (t5=cpu)' : undefined,
    keep.includes('dit') && (plan.offload || plan.cpuOffload) ? `dit with the DiT offloaded (${plan.offload ? 'offload' : 'cpu-offload'})` : undefined,
  ].filter((x): x is string => x !== undefined);
  if (clash.length) throw new InputError(clash.map((c) => ({ source, path: 'keep_on_gpu', message: `keep_on_gpu ${c}: the two contradict each other`, hint: 'drop one of them' })));
  const issues: InputIssue[] = [];
  const no = (path: string, message: string, hint: string) => issues.push({ source, path, message: `${e.name} ${message}`, hint });
  const hopper = isHopper(gpu);
  const acc: Acceleration[] = [];
  const warnings: string[] = [];

  // ---- attention ----
  // auto: the engine's default; a non-Wan model's official code names its own kernel (ModelSpec.attention)
  const chosen: AttentionKernel = o.attention !== 'auto' ? o.attention : model.family !== 'wan' && model.attention ? model.attention : hopper ? e.attention.default.hopper : e.attention.default.other;
  if (!e.attention.supported.includes(chosen)) no('attention', `has no ${chosen} attention backend (${e.attention.source})`, `supported: ${e.attention.supported.join(', ')}; ${enginesWith((x) => x.attention.supported.includes(chosen))}`);
  // what the engine's code calls for that choice on this GPU
  const swap = e.attention.onAda?.chosen === chosen && isAda(gpu) ? e.attention.onAda : undefined;
  const kernel: AttentionKernel = swap ? swap.runs : chosen;
  if (swap) warnings.push(`${e.name} runs ${swap.runs} for its ${chosen} setting on ${gpu.name} (compute capability 8.9; ${swap.source})`);
  // the official Wan code takes FA3 only from a separately built flash_attn_interface; its requirements.txt installs
  // flash_attn (FA2). The default follows the official team's own runs (FA3 on Hopper); say what a stock install
  // runs (estimate-setup.ts folds this into its one FA3 warning)
  const fa3Install = e.id === 'official' && model.family === 'wan' && o.attention === 'auto' && kernel === 'fa3'
    ? `in the official code on Hopper ${OFFICIAL_FA3_FROM_SOURCE}: --attention fa2 prices that`
    : undefined;
  let denseKernel = kernel;
  let denseSteps = 0;
  const quantized = isQuantizedAttention(kernel);
  if (quantized) {
    // SageAttention was measured on the H100 SXM (perf/quantized-attention.ts SAGE_MEASURED_GPU, a layer above
    // this one); FP8 FA3 nowhere, and other GPUs are scaled
    acc.push({ knob: 'attention', value: kernel, ...QUANTIZED_ATTENTION_MODEL[kernel], extrapolated: kernel === 'fa3-fp8' || gpu.id !== 'h100-sxm' });
    if (e.attention.highPrecisionSteps) {
      // xDiT's hybrid schedule: bf16 FA3 for the first and last N steps
      denseKernel = hopper ? 'fa3' : 'fa2';
      denseSteps = 2 * e.attention.highPrecisionSteps;
      warnings.push(`${e.name}: ${kernel} only between the first and last ${e.attention.highPrecisionSteps} steps (hybrid attention schedule), ${denseKernel} on those`);
    }
  } else if (o.attention !== 'auto' && kernel !== e.attention.default.hopper) {
    acc.push({ knob: 'attention', value: kernel, models: 'the attention kernel priced from its measured rate', source: e.attention.source, extrapolated: kernel === 'fa3' });
  }
  const sparse = o.sparse;
  if (sparse) {
    if (!e.attention.sparse) no('sparse', 'runs no sparse attention backend for Wan', enginesWith((x) => x.attention.sparse));
    if (sparse.method === 'vsa' && !e.attention.vsa) no('sparse', 'has no Video Sparse Attention kernel', enginesWith((x) => !!x.attention.vsa));
    if (sparse.method === 'vsa' && (plan.ring > 1 || plan.pipefusion > 1)) no('sparse', 'runs Video Sparse Attention with Ulysses sequence parallelism only (no ring attention or PipeFusion)', 'use ulysses=N');
    if (sparse.method === 'vsa' && quantized) no('sparse', `runs Video Sparse Attention with its own bf16 kernel, not with ${kernel}`, 'drop the quantised attention kernel');
    denseSteps = Math.max(denseSteps, sparse.denseSteps);
    const dense = `dense steps ${sparse.denseSteps}, dense layers ${sparse.denseLayers}`;
    acc.push(sparse.method === 'vsa'
      ? { knob: 'sparse', value: `vsa (sparsity ${sparse.sparsity}, ${dense})`, models: 'Video Sparse Attention\'s chain: 4×4×4 tiling with padding, the gate projection, mean-pooled coarse attention and top-k, the fine kernel on the top-k tiles at 85% of the dense kernel\'s rate (the VSA paper), the gated sum and the untiling', source: 'hao-ai-lab/FastVideo fastvideo/attention/backends/video_sparse_attn.py; vsa video_sparse_attn (V1); arXiv 2505.13389', extrapolated: true }
      : { knob: 'sparse', value: sparse.method === 'radial' ? `radial (decay ${sparse.decay}, ${dense})` : `density ${sparse.density} (${dense})`, models: 'self-attention FLOPs × density at the dense kernel\'s rate; the dense steps and layers at full cost', source: sparse.method === 'radial' ? 'mit-han-lab/radial-attention@72788d4:radial_attn/attn_mask.py' : 'user-given density', extrapolated: true });
  }

  // ---- compile ----
  let style: BlockStyle = e.style;
  let fusedLegacy = false;
  let cudaGraphs = false;
  if (o.compile) {
    if (!e.compile) no('compile', 'has no torch.compile path', enginesWith((x) => x.compile !== null));
    else {
      cudaGraphs = e.compile.cudaGraphs;
      if (e.style === 'official') fusedLegacy = true;
      else style = 'inductor';
      acc.push({ knob: 'compile', value: cudaGraphs ? 'torch.compile + CUDA graphs' : 'torch.compile', models: e.style === 'official' ? 'every elementwise chain one kernel, RoPE fp32, GELU in the GEMM epilogue, CUDA graphs (uncalibrated idealisation)' : 'inductor: each elementwise chain between GEMMs/attention one kernel (bf16 residual stream), GEMMs and attention unchanged', source: e.style === 'official' ? e.compile.source : `${STYLE_SOURCES.inductor}; ${e.compile.source}`, extrapolated: true });
    }
  }

  // ---- parallel layout, CFG, offload ----
  const layout = layoutSupport(id, plan, model);
  if (layout.missing.length) no('parallel', `does not run ${layout.missing.join(', ')} for Wan (${e.parallel.source})`, `it runs: ${e.parallel.supported.join(', ') || 'single-GPU only'}`);
  if (o.cfg === 'batched' && !e.cfg.modes.includes('batched')) no('cfg', `runs the CFG branches ${e.cfg.modes.join(' or ')}, not batched (${e.cfg.source})`, 'cfg sequential, or cfg=2 in the plan where supported');
  const offloadModes = [...e.offload.modes, ...(e.offload.whatIf ?? [])].join(', ') || 'none';
  if (layout.missingOffload.includes('model')) no('parallel', `has no whole-model offload (${e.offload.source})`, `offload modes: ${offloadModes}`);
  if (layout.missingOffload.includes('block')) no('parallel', `does not stream DiT blocks from host memory (${e.offload.source})`, `offload modes: ${offloadModes}`);
  if (layout.missingOffload.includes('t5-cpu')) no('parallel', `does not run umT5 on the CPU (${e.offload.source})`, 'drop t5=cpu');
  if (e.offload.note && !plan.cpuOffload) warnings.push(`${e.name}: ${e.offload.note}`);

  // ---- linear precision ----
  let linearQuant: LinearQuant | undefined;
  let legacyFp8 = false;
  // which layers to quantise, with nothing quantised, changed nothing without a word
  if (o.dtype === 'bf16' && o.dtypeLayers) issues.push({ source, path: 'dtype_layers', message: 'dtype_layers picks the linear groups a quantised dtype applies to, but dtype is bf16', hint: 'add dtype fp8 or int8, or drop dtype_layers' });
  if (o.dtype !== 'bf16') {
    const scheme: QuantScheme | undefined = e.quant.schemes.find((s) => s.dtype === o.dtype);
    if (!scheme) no('dtype', `has no ${o.dtype} linear layers (${e.quant.source})`, enginesWith((x) => x.quant.schemes.some((s) => s.dtype === o.dtype)));
    else if (e.id === 'official' && !o.dtypeLayers) legacyFp8 = true;
    else {
      const groups = o.dtypeLayers ?? ['self', 'cross', 'ffn'];
      const dense = scheme.denseBlocks && scheme.denseBlocks.layers === model.dit.layers && model.id.startsWith('wan2.1') ? { first: scheme.denseBlocks.first, last: scheme.denseBlocks.last } : undefined;
      linearQuant = { dtype: scheme.dtype, activation: scheme.activation, groups, ...(dense ? { denseBlocks: dense } : {}) };
    }
    if (scheme) acc.push({ knob: 'dtype', value: `${o.dtype}${o.dtypeLayers ? ` (${o.dtypeLayers.join(', ')})` : ''}`, models: `${scheme.name}: ${o.dtype} GEMMs${o.dtype === 'int8' ? (hopper ? ' (INT8 rate = FP8 GEMM × the INT8/FP8 ratio measured on H100 with torch._int_mm)' : ' (INT8 rate = FP8 or BF16 GEMM × the datasheet peak ratio, not measured)') : ' (measured FP8 GEMM rates)'} plus the activation-quantisation kernels per linear`, source: scheme.source, extrapolated: o.dtype === 'int8' || scheme.activation !== 'tensor-static' });
  }

  // ---- VAE, umT5 ----
  const vaeDtype = o.vae?.dtype ?? e.vae.dtype;
  if (!e.vae.dtypes.includes(vaeDtype)) no('vae', `decodes in ${e.vae.dtypes.join('/')}, not ${vaeDtype} (${e.vae.source})`, `vae dtype ${e.vae.dtypes.join(' or ')}`);
  const tiled = !!o.vae?.tiled;
  const tiny = o.vae?.decoder === 'tiny';
  if (tiled && !e.vae.tiling) no('vae', `has no tiled VAE decode (${e.vae.source})`, enginesWith((x) => x.vae.tiling));
  if (tiny && !e.vae.tiny) no('vae', `has no tiny VAE (${e.vae.source})`, enginesWith((x) => x.vae.tiny));
  if (tiny && tiled) no('vae', 'tiles only the full VAE', 'choose tiny or tiled');
  if (vaeDtype !== 'fp32' && !tiny) acc.push({ knob: 'vae', value: `${vaeDtype} decode`, models: 'the VAE decode\'s convolutions at the measured bf16 conv rates, half the activation bytes', source: e.vae.source, extrapolated: false });
  if (tiled) acc.push({ knob: 'vae', value: 'tiled decode', models: 'diffusers tiles (256 px every 192): the overlaps decoded twice, one tile\'s activations at a time', source: 'huggingface/diffusers@58eb52c:src/diffusers/models/autoencoders/autoencoder_kl_wan.py:1076-1081 (tiled_decode)', extrapolated: false });
  if (tiny) acc.push({ knob: 'vae', value: 'tiny VAE (TAEHV)', models: 'TAEHV decoder walk (2-D convs, parallel over frames) instead of the causal 3-D VAE', source: 'madebyollin/taehv@1f14a56:taehv.py:227-234', extrapolated: false });
  const textEncoderDtype = o.textEncoderDtype ?? e.textEncoder.default ?? 'bf16';
  if (!e.textEncoder.dtypes.includes(textEncoderDtype)) no('text_encoder_dtype', `runs umT5 in ${e.textEncoder.dtypes.join('/')}, not ${textEncoderDtype} (${e.textEncoder.source})`, enginesWith((x) => x.textEncoder.dtypes.includes(textEncoderDtype)));
  if (textEncoderDtype === 'fp8' || textEncoderDtype === 'int8') acc.push({ knob: 'text_encoder_dtype', value: textEncoderDtype, models: `umT5 linears as ${textEncoderDtype} GEMMs with per-token activation quantisation; weights at 1 byte`, source: e.textEncoder.source, extrapolated: true });

  // ---- residency: keep_on_gpu takes components out of the engine's default host residency ----
  const residency = keptResident(e, o.keepOnGpu ?? [], acc);

  // ---- step cache, distill ----
  if (o.cache && !e.caches.methods.includes(o.cache.method)) no('cache', `has no ${o.cache.method} for Wan (${e.caches.source})`, `${e.caches.methods.length ? `it has: ${e.caches.methods.join(', ')}; ` : ''}${enginesWith((x) => x.caches.methods.includes(o.cache!.method))}`);
  let distill: DistillPreset | undefined;
  if (o.distill) {
    distill = getDistill(o.distill);
    if (!distill) issues.push({ source, path: 'distill', message: `unknown distill "${o.distill}"`, hint: 'one of lightx2v-4step, lightning-4step, fastwan-3step' });
    else {
      const why = distillProblem(distill, model);
      if (why) issues.push({ source, path: 'distill', message: why, hint: 'pick a distill that exists for this model, or drop it' });
      if (!e.distill) no('distill', 'runs no distilled Wan weights', enginesWith((x) => x.distill !== null));
      acc.push({ knob: 'distill', value: distill.id, models: `${distill.steps} steps, one forward per step (CFG distilled away); same forward`, source: distill.source, extrapolated: false });
      // a published cache schedule is the undistilled model's: MagCache's magnitude ratios were recorded along its
      // 40/50 official timesteps (magcache-ratios.ts), TeaCache's fraction comes from its README's 50-step runs
      // (teacache-table.ts); a distill runs other weights on other timesteps, for which neither publishes anything
      if (o.cache && (o.cache.method === 'magcache' || o.cache.method === 'teacache')) {
        issues.push({ source, path: 'cache', message: `${o.cache.method === 'magcache' ? 'MagCache\'s magnitude-ratio tables were recorded' : 'TeaCache\'s published schedules were measured'} on the undistilled ${model.id} at its ${model.defaults.steps} official steps; ${distill.name} runs other weights on ${distill.steps} other timesteps, and no ${o.cache.method} schedule is published for it`, hint: `drop the cache (the distill already runs ${distill.steps} forwards), or give a cache whose skips you measured yourself (fbcache:0.05,skip=…)` });
      }
    }
  }
  // ---- LoRA ----
  let loraRank: number | undefined;
  if (o.lora && !o.lora.fused) {
    if (!e.unfusedLora) no('lora', 'is not modelled running a LoRA unfused (vgsim prices PEFT\'s unfused LoRA, as diffusers pipelines run it)', `merge it into the weights (lora "${o.lora.rank},fused": no per-call cost), or ${enginesWith((x) => !!x.unfusedLora)}`);
    else {
      loraRank = o.lora.rank;
      acc.push({ knob: 'lora', value: `rank ${o.lora.rank}, unfused`, models: 'PEFT on every block linear: lora_A and lora_B GEMMs (rows × rank × in, rows × out × rank), the scaling multiply and the add, each a rows × out pass', source: `${e.unfusedLora.source}; huggingface/peft src/peft/tuners/lora/layer.py (Linear.forward)`, extrapolated: false });
    }
  } else if (o.lora) acc.push({ knob: 'lora', value: `rank ${o.lora.rank}, fused`, models: 'merged into the weights: no per-call cost', source: 'diffusers fuse_lora(); engines that merge at load', extrapolated: false });
  // the profiles were read from each engine's CUDA code path; another vendor's GPU runs its platform backend
  // (ROCm, Ascend), whose kernels were not read: priced as the CUDA path's operators, and said so
  const otherVendor = gpu.vendor !== 'nvidia' && e.style !== 'official';
  if (otherVendor) warnings.push(`engine ${e.id} on ${gpu.name}: its profile was read from its CUDA code path (${e.source}); its ${gpu.vendor.toUpperCase()} backend's kernels were not read, so they are priced as the CUDA path's operators (extrapolated)`);
  if (e.style !== 'official') acc.unshift({ knob: 'engine', value: e.id, models: `${e.name}'s DiT block kernels (${style === 'inductor' ? 'compiled' : e.style}), default attention ${hopper ? e.attention.default.hopper : e.attention.default.other}, VAE ${e.vae.dtype}${otherVendor ? `, read from its CUDA path, not its ${gpu.vendor.toUpperCase()} backend` : ''}`, source: STYLE_SOURCES[e.style as Exclude<BlockStyle, 'official'>], extrapolated: otherVendor });
  if (issues.length) throw new InputError(issues);
  return {
    engine: e, style, fusedLegacy, perTokenTimestep: model.family === 'wan' && (e.perTokenTimestep === 'model' ? model.dit.perTokenTimestep : model.dit.perTokenTimestep && model.task === 'ti2v'),
    kernel, denseKernel: sparse ? kernel : denseKernel, denseSteps, sparse, linearQuant, legacyFp8, cudaGraphs,
    vae: { dtype: vaeDtype, tiled, tiny }, textEncoderDtype, distill, ...(loraRank !== undefined ? { loraRank } : {}), ...(residency ? { residency } : {}), accelerations: acc, whatIf: layout.note, warnings, ...(fa3Install ? { fa3Install } : {}),
  };
}

/**
 * The engine's default residency with the components `keep` names left on the GPU (its own flags, e.g. FastVideo's
 * --dit-cpu-offload False); a component the engine keeps resident anyway changes nothing.
 */
function keptResident(e: EngineProfile, keep: readonly ResidentComponent[], acc: Acceleration[]): EngineResidency | undefined {
  const r = e.residency;
  if (!r || !keep.length) return r;
  const off: Record<ResidentComponent, boolean> = { dit: !!r.dit, text_encoder: !!r.textEncoder, image_encoder: !!r.imageEncoder, vae: !!r.vae };
  const kept = keep.filter((c) => off[c]);
  if (!kept.length) return r;
  acc.push({ knob: 'keep_on_gpu', value: kept.join(','), models: `${kept.join(', ')} resident on the GPU instead of ${e.name}'s default host residency: no copies, and their weights counted in memory`, source: r.source, extrapolated: false });
  return {
    ...r,
    ...(kept.includes('dit') ? { dit: undefined, ditSharded: undefined } : {}),
    ...(kept.includes('text_encoder') ? { textEncoder: undefined } : {}),
    ...(kept.includes('image_encoder') ? { imageEncoder: undefined } : {}),
    ...(kept.includes('vae') ? { vae: undefined } : {}),
  };
}
