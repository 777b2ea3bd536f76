/**
 * `vgsim estimate`: the time and memory of one request on an idle, loaded replica, stage by stage.
 *
 * Pipeline (as the official Wan2.2 generate path runs it):
 *   text encode (umT5, prompt + negative prompt) → [VAE encode of an I2V conditioning] → `steps` denoising
 *   steps, each one DiT forward per CFG branch (sequential, batched, or on two GPU groups with cfg=2), on the
 *   high-noise expert for the first steps and the low-noise expert after the boundary (A14B) → VAE decode
 *   (fp32, frame by frame, on one GPU or patch-parallel).
 * The parallel plan (src/parallel/plan.ts) shards the DiT forward and adds its collectives, priced on the
 * replica's topology (src/parallel/network.ts); memory is reported per GPU (the largest).
 * With `offload` (the official single-GPU default): umT5 is moved to the GPU to encode and back, only the
 * active expert is resident (swapped with module.to at the start and at the boundary), and the DiT is
 * moved off before the VAE decode.
 *
 * The estimate runs along its seams, one file each: setup (estimate-setup.ts: options, plan, node, layout,
 * device, kernel), the denoising loop (denoise-cost.ts), the stages around it (encode-decode-cost.ts),
 * weights and transfers (weights.ts), memory by phase (memory-fit.ts), the report tables
 * (estimate-report.ts) and energy (request-energy.ts). Op lists are built once per shape
 * (stage-builds.ts) and priced once per device (priceStageOnce): plan searches and sweeps call this
 * thousands of times.
 */
import { beyondMeasured } from './shape-coverage.ts';
import { hostBoundNote, hostSecondsPerKernel } from './host-dispatch.ts';
import type { AttentionKernel } from '../workload/ops.ts';
import type { ModelFamily } from '../workload/models.ts';
import type { AccelerationKnobs } from '../engines/inference-spec.ts';
import type { Acceleration } from '../engines/rules.ts';
import type { QualityRecord } from '../engines/quality.ts';
import type { ResolvedRequest } from '../workload/request.ts';
import type { PricedOp } from './stage-cost.ts';
import { formatPlan } from '../parallel/plan.ts';
import { builtinProfile, REFERENCE_GPU } from './profile.ts';
import { gpuEvidence, nearestHeldOut, type GpuEvidence, type NearestHeldOut } from './gpu-evidence.ts';
import { setupEstimate, type EstimateInput } from './estimate-setup.ts';
import { denoiseCost } from './denoise-cost.ts';
import { encodeDecodeCost } from './encode-decode-cost.ts';
import { weightPlan } from './weights.ts';
import { engineResidency, withResidency } from './engine-residency.ts';
import { FASTVIDEO_HOST_SYNC_MEASURED } from './engine-host-sync.ts';
import { memoryFit } from './memory-fit.ts';
import { requestEnergy } from './request-energy.ts';
import { collectiveReports, forwardOps, stageReports, topOps } from './estimate-report.ts';
import { publishedQuality } from '../engines/quality.ts';
import { postprocessCost, type PostprocessCost } from './postprocess-cost.ts';
import { chainIsEmpty, type PostprocessChain } from '../workload/postprocess/chain.ts';
import { flagText, type FitSuggestion } from './fit-suggestion.ts';

export { chooseAttention, PIPEFUSION_WARMUP_STEPS, type EstimateInput } from './estimate-setup.ts';
export { RUNTIME_OVERHEAD_GB } from './memory-fit.ts';

/** How a request runs: kernels, precision, CFG mode, offload, clocks — and the engine's knobs (AccelerationKnobs). */
export interface InferenceOptions extends AccelerationKnobs {
  attention: AttentionKernel | 'auto';
  /** Linear layers of the DiT blocks (bf16, or fp8/int8 with the engine's activation quantisation). */
  dtype: 'bf16' | 'fp8' | 'int8';
  /** Fused/compiled kernels and CUDA graphs (torch.compile-class) instead of eager PyTorch. */
  compile: boolean;
  /**
   * CFG branches run as two sequential forwards or one forward at batch 2; 'official' = as the model's
   * official script runs them (Wan, Mochi: sequential; CogVideoX, LTX-Video: batched), resolved per model.
   */
  cfg: 'sequential' | 'batched' | 'official';
  /** The official single-GPU offload path (see module doc); same as the plan's `offload`. */
  offload: boolean;
  /** Run umT5 on the CPU (--t5_cpu). */
  textEncoderOnCpu: boolean;
  /** Videos batched into one forward. */
  batch: number;
  /** Model sustained (power-limited) clocks. */
  sustained: boolean;
  /** Board power limit (W) below the GPU's default (nvidia-smi -pl). */
  powerLimitW?: number;
  /** Host CPU time per launched kernel of eager PyTorch (s); undefined: the measured default (perf/host-dispatch.ts). */
  hostDispatchS?: number;
  /**
   * DiT weights resident on the GPU: bf16 (`--convert_model_dtype`), or the fp32 checkpoint kept as stored
   * (Wan2.2 without the flag, Wan2.1 code always), which autocast casts to bf16 in every linear layer.
   * Undefined: the model's official script (ModelSpec.officialWeightDtype).
   */
  weightDtype?: 'bf16' | 'fp32';
  /**
   * How fp32 matmuls run (the per-token time embedding and projection of Wan2.2, the head): IEEE fp32 on
   * the CUDA cores (PyTorch's default, torch.backends.cuda.matmul.allow_tf32 = False) or TF32 tensor cores
   * (NVIDIA's PyTorch containers set TORCH_ALLOW_TF32_CUBLAS_OVERRIDE=1).
   */
  fp32Matmul: 'ieee' | 'tf32';
  /**
   * VAE decode tiling of the non-Wan families (their pipelines' enable_tiling): undefined = as the model's
   * official script (HunyuanVideo, CogVideoX cli_demo: on; Mochi one GPU: 4×2 spatial tiles; LTX: whole video).
   */
  vaeTiling?: boolean;
  /**
   * The stages this replica runs (stage disaggregation: text encoder, DiT and VAE on separate pools). Only
   * their weights are resident and only their memory phases count; times are still reported for all.
   */
  stages?: { encode: boolean; denoise: boolean; decode: boolean; postprocess?: boolean };
  /**
   * What the request does after the VAE decode (frame interpolation, super-resolution, color, encoding), run
   * on this replica's GPU group when `stages.postprocess` is not false (perf/postprocess-cost.ts).
   */
  postprocess?: PostprocessChain;
}

export const DEFAULT_INFERENCE: InferenceOptions = {
  attention: 'auto',
  dtype: 'bf16',
  compile: false,
  cfg: 'official',
  offload: false,
  textEncoderOnCpu: false,
  batch: 1,
  sustained: true,
  // what the official Wan2.2 table is consistent with (README, validation); 'ieee' is PyTorch's default
  fp32Matmul: 'tf32',
};

export interface StageReport {
  name: string;
  /** Times this stage runs per request. */
  count: number;
  seconds_each: number;
  seconds_total: number;
  bound: string;
  detail?: string;
}

export interface MemoryPhase {
  phase: string;
  peak_gb: number;
  breakdown_gb: Record<string, number>;
  /** The operator during which the peak occurs. */
  at: string;
}

export interface CollectiveReport {
  name: string;
  collective: string;
  group: string;
  gpus: number;
  /** nccl-tests size of one call, bytes. */
  bytes: number;
  calls_per_request: number;
  seconds_per_request: number;
  exposed_seconds_per_request: number;
  bus_bw_gbs: number;
  bottleneck: string;
}

export interface Estimate {
  model: string;
  /** The model's family (wan, hunyuan-video, cogvideox, …): a user's diffusers config too, whose id is not in the zoo. */
  family: ModelFamily;
  gpu: string;
  gpus: number;
  node: string;
  nodes: number;
  parallel: string;
  request: { width: number; height: number; frames: number; steps: number; cfg: boolean; batch: number; tokens: number; high_noise_steps: number; low_noise_steps: number; sample_shift: number | null };
  options: InferenceOptions & { attention_kernel: AttentionKernel };
  /** The serving engine modelled (src/engines/profiles.ts). */
  engine: string;
  /** Why the engine's own code does not run this layout for the model ("not in the official Wan2.2 code: CFG parallel (cfg=2)"): a vgsim what-if, priced on the engine's kernels; null when it runs it. */
  what_if: string | null;
  /** Every acceleration applied beyond the engine's defaults, with what it changes and its source. */
  accelerations: Acceleration[];
  /** Step cache: forwards of the request and how many ran their blocks. */
  step_cache: { method: string; forwards: number; computed: number; basis: 'rule' | 'published' | 'user'; off_schedule?: string } | null;
  /** Published quality of the settings that change the output, where a figure was published for this very setting; empty otherwise. */
  quality: QualityRecord[];
  /** Where the accelerations change the video and no published figure applies: "unknown: " and why (null: the video is unchanged, or \`quality\` holds). */
  quality_note: string | null;
  forward_s: number;
  /** One denoising step with every guidance branch, its scheduler and the weight streaming it leaves exposed. */
  step_s: number;
  denoise_s: number;
  text_encode_s: number;
  /** VAE encode of an image-to-video conditioning (0 for text-to-video). */
  vae_encode_s: number;
  vae_decode_s: number;
  transfer_s: number;
  total_s: number;
  /**
   * The request split as a staged runtime runs it: encode (text encoder and its offload moves), denoise
   * (the VAE encode of a conditioning, the loop, expert swaps, streaming), decode (the DiT moved off, the
   * VAE decode); each with the host↔GPU transfers inside it.
   */
  stage_split: {
    encode_s: number; denoise_s: number; decode_s: number; transfer_s: { encode: number; denoise: number; decode: number };
    /** Post-processing on the replica's GPUs (networks, passes, NVENC), and the host-CPU encode after it. */
    postprocess_s: number; postprocess_cpu_s: number;
  };
  /** The post-processing chain's cost on this replica, or null without one. */
  postprocess: PostprocessCost | null;
  /** Videos per hour this replica sustains back to back: `batch` videos a pass (split experts pipeline two requests). */
  throughput_per_h: number;
  peak_memory_gb: number;
  capacity_gb: number;
  fits: boolean;
  memory: {
    phases: MemoryPhase[];
    verdict: string;
    /** What would make it fit, as `vgsim estimate` flags (flagText of `fixes`). */
    suggestions: string[];
    /** The same, as data: the setting (flag and scenario field) and why (perf/fit-suggestion.ts); empty when it fits. */
    fixes: FitSuggestion[];
    /** The allocated peak plus what PyTorch's caching allocator keeps reserved beyond it (perf/allocator-slack.ts), GB. */
    reserved_peak_gb: number;
    /** That slack, GB, of the phase that sets reserved_peak_gb. */
    slack_gb: number;
    /** Fits (on the allocated peak) but a phase's headroom is below its measured allocator slack: may not fit in practice. */
    tight: boolean;
    /** Why, when tight. */
    tight_reason: string | null;
  };
  stages: StageReport[];
  collectives: CollectiveReport[];
  ops: { name: string; group: string; kind: string; shape: string; seconds: number; share: number; bound: string; rate: string }[];
  /** host_dispatch_us: the host CPU time per launched kernel the stages were priced with (eager: measured default or the scenario's; graphs: the replay cost). sustained_factor: compute kernels' rate under sustained load over the profile's (1: a loaded stage runs at the grid's rates, perf/loaded-clock.ts). */
  profile: { source: string; extrapolated: boolean; sustained_factor: number; power_limit_w: number | null; cap_clock_ratio: number; host_dispatch_us: number };
  /** What answers on this GPU rest on: its held-out record (perf/gpu-evidence.ts); null with a user's own profile, which that record does not cover. */
  evidence: GpuEvidence | null;
  /** The held-out end-to-end timings of this kind of run (family, engine, GPU, GPU count) and vgsim's error on them; null where none (or with a user's own profile). */
  nearest_held_out: NearestHeldOut | null;
  /** Why the request lies beyond what was measured (its sequence past the profile's longest attention), or null (perf/shape-coverage.ts). */
  beyond_measured: string | null;
  /** Where the request leaves what the model's code runs at (frames not its k·n+1, a size not among its official ones): estimate prints each as a caveat beside the total (also among the notes). */
  request_notes: string[];
  /** GPU board energy of one video over all the replica's GPUs, Wh (a batch's energy shared by its `batch` videos). */
  gpu_energy_wh: number;
  /** Including the node's non-GPU share and the facility PUE, Wh per video. */
  energy_wh: number;
  /** Mean board power per GPU in each phase and the node figures the runtime integrates. */
  power: {
    per_gpu_w: { text_encode: number; denoise: number; vae_decode: number; vae_idle_ranks: number; transfer: number; idle: number; deep_idle: number; postprocess: number };
    node_non_gpu_w: { idle: number; busy: number };
    gpus_per_node: number;
    pue: number;
    extrapolated: boolean;
  };
  warnings: string[];
  /**
   * The priced ops of one denoising step, in execution order (for the Chrome trace's per-GPU operator view).
   * Not enumerable: it never appears in `--json` output or summaries.
   */
  forwardOps?: ForwardOps;
}

/** One priced op of a denoising step, in execution order. */
export interface StepOp {
  name: string;
  group: string;
  kind: PricedOp['kind'];
  shape: string;
  /** Executions per forward (e.g. once per layer). */
  count: number;
  /** Seconds of all executions in one forward (PipeFusion: the patch-stage runs included); the exposed part for collectives. */
  seconds: number;
  bound: string;
  rate: number;
  rateUnit: PricedOp['rateUnit'];
  flops: number;
  bytes: number;
  /** Collectives: the call, its group, size (nccl-tests bytes) and the time before overlap with compute. */
  collective?: { op: string; comm: string; gpus: number; bytes: number; full_s: number; hidden_behind?: string; bottleneck?: string };
}

export interface ForwardOps {
  /** One DiT forward (one CFG branch, or both when batched). */
  forward: StepOp[];
  /** Forwards per denoising step and what each is (cond / uncond, ...). */
  forwards: string[];
  /** Scheduler step and CFG combine, once per step. */
  scheduler: StepOp[];
  /** Nominal step time (s): forwards + scheduler, before launch bounds and PipeFusion warm-up. */
  step_s: number;
}


export function estimate(input: EstimateInput): Estimate {
  const s = setupEstimate(input, DEFAULT_INFERENCE);
  const { opts, plan, req, model, device, layout, warnings } = s;
  const d = denoiseCost(s);
  const ed = encodeDecodeCost(s);
  const w0 = weightPlan(s, d);
  const w = withResidency(w0, engineResidency(s, d, ed, w0));
  const pp = opts.postprocess && !chainIsEmpty(opts.postprocess) && opts.stages?.postprocess !== false
    ? postprocessCost(device, opts.postprocess, { frames: req.frames, width: req.width, height: req.height, fps: model.defaults.fps }, s.groupN)
    : null;
  const ppGpu = pp?.gpu_s ?? 0;
  const ppCpu = pp?.cpu_s ?? 0;
  const totalSeconds = ed.teCost.seconds + ed.encodeSeconds + d.denoiseSeconds + w.streamExposed + ed.vaeSeconds + w.transferSeconds + ppGpu + ppCpu;
  // one step as the clock sees it: its forwards and scheduler, and the weight streaming they leave exposed
  const stepSeconds = d.stepSeconds + w.streamExposed / req.steps;
  // throughput: back-to-back requests (a host-CPU encode does not hold the GPUs); with split experts two requests overlap (one per group)
  const busiest = plan.experts === 'split'
    ? Math.max(req.highSteps, req.lowSteps) * stepSeconds + ed.teCost.seconds + ed.vaeSeconds + ppGpu
    : totalSeconds - ppCpu;
  const mem = memoryFit(s, d, ed, w, pp);
  const stages = stageReports(s, d, ed, w);
  const collectives = collectiveReports(s, d, ed);
  const energy = requestEnergy(s, d, ed, w, totalSeconds - ppCpu, pp);
  const beyond = beyondMeasured(req.tokens, device.profile);
  if (beyond) warnings.push(beyond);
  if (pp) for (const n of pp.notes) if (!warnings.includes(n)) warnings.push(n);
  for (const n of device.raisedNotes) if (!warnings.includes(n)) warnings.push(n); // notes raised while pricing
  if (d.hostSyncSeconds > 0) warnings.push(`engine ${s.exec.engine.id}: its eager forward builds the RoPE tables on the CPU and synchronises the host inside every block, ${(d.hostSyncSeconds * 1e3).toFixed(0)} ms a step left exposed: the mean of three measured hosts, which left ${FASTVIDEO_HOST_SYNC_MEASURED.rangeS.map((x) => (x * 1e3).toFixed(0)).join('–')} ms a forward exposed (${FASTVIDEO_HOST_SYNC_MEASURED.source}); under --compile neither is priced, not measured`);
  const hostNote = hostBoundNote(d.fwdMean ?? d.fwdStage, device, `${req.width}x${req.height}x${req.frames}f`);
  if (hostNote) warnings.push(hostNote);
  const moved = (phase: 'encode' | 'denoise' | 'decode') => w.transfers.filter((t) => t.phase === phase).reduce((a, t) => a + t.seconds, 0);
  const split = { encode: moved('encode'), denoise: w.transferSeconds - moved('encode') - moved('decode'), decode: moved('decode') };
  const encodeS = ed.teCost.seconds + split.encode;
  const decodeS = ed.vaeSeconds + split.decode;

  // the held-out record covers the built-in profiles only
  const builtin = device.profile === (builtinProfile(device.gpu.id) ?? builtinProfile(REFERENCE_GPU));
  const accelerations = s.exec.accelerations.concat(s.cache ? [{ knob: 'cache', value: s.cache.label, models: `${s.cache.computed} of ${s.cache.forwards} forwards run their blocks; skipped ones add the cached residual`, source: s.cache.basis === 'rule' ? 'the method\'s rule on its published tables' : s.cache.basis === 'published' ? 'published timings' : 'user-given skip fraction', extrapolated: s.cache.basis !== 'rule' || s.cache.offSchedule !== undefined }] : []);
  // a published figure holds for the setting it was published at only (engines/quality.ts)
  const quality = publishedQuality({ model: model.id, height: req.height, steps: req.steps, defaultSteps: model.defaults.steps, ...(s.cache ? { cache: s.cache } : {}), accelerations });
  const result: Estimate = {
    model: model.id,
    family: model.family,
    gpu: device.gpu.id,
    gpus: s.totalGpus,
    node: s.nodeId,
    nodes: layout.nodes,
    parallel: formatPlan(plan),
    request: { width: req.width, height: req.height, frames: req.frames, steps: req.steps, cfg: req.cfg, batch: opts.batch, tokens: req.tokens, high_noise_steps: req.highSteps, low_noise_steps: req.lowSteps, sample_shift: s.shift?.shift ?? null },
    options: { ...opts, attention_kernel: s.kernel },
    engine: s.exec.engine.id,
    what_if: s.exec.whatIf,
    accelerations,
    step_cache: s.cache ? { method: s.cache.spec.method, forwards: s.cache.forwards, computed: s.cache.computed, basis: s.cache.basis, ...(s.cache.offSchedule ? { off_schedule: s.cache.offSchedule } : {}) } : null,
    quality: quality.records,
    quality_note: quality.note,
    forward_s: d.branchForward,
    step_s: stepSeconds,
    denoise_s: d.denoiseSeconds + w.streamExposed,
    text_encode_s: ed.teCost.seconds,
    vae_encode_s: ed.encodeSeconds,
    vae_decode_s: ed.vaeSeconds,
    transfer_s: w.transferSeconds,
    total_s: totalSeconds,
    stage_split: { encode_s: encodeS, denoise_s: totalSeconds - encodeS - decodeS - ppGpu - ppCpu, decode_s: decodeS, transfer_s: split, postprocess_s: ppGpu, postprocess_cpu_s: ppCpu },
    postprocess: pp,
    throughput_per_h: ((3600 / busiest) * plan.dp) * opts.batch,
    peak_memory_gb: mem.peak,
    capacity_gb: mem.capacity,
    fits: mem.fits,
    memory: { phases: mem.phases, verdict: mem.verdict, suggestions: mem.suggestions.map(flagText), fixes: mem.suggestions, reserved_peak_gb: mem.reservedPeak, slack_gb: mem.slack, tight: mem.tight, tight_reason: mem.tightReason },
    stages: pp ? [...stages, ...pp.steps.map((p) => ({ name: `postprocess: ${p.step}`, count: p.calls, seconds_each: p.call_s, seconds_total: p.seconds, bound: p.on === 'gpu' ? 'compute' : p.on, detail: `${p.what}; ${p.basis}` }))] : stages,
    collectives,
    ops: topOps(s, d, ed, totalSeconds),
    profile: { source: device.profile.origin, extrapolated: device.extrapolated, sustained_factor: device.sustainedFactor, power_limit_w: device.powerLimitW ?? null, cap_clock_ratio: device.capClockRatio, host_dispatch_us: hostSecondsPerKernel(device) * 1e6 },
    evidence: builtin ? gpuEvidence(device.gpu.id) ?? null : null,
    nearest_held_out: builtin ? nearestHeldOut({ model: model.id, family: model.family, engine: s.exec.engine.id, gpu: device.gpu.id, gpus: s.totalGpus }) : null,
    beyond_measured: beyond,
    request_notes: [...req.warnings],
    gpu_energy_wh: energy.gpuEnergyWh / opts.batch,
    energy_wh: energy.energyWh / opts.batch,
    power: energy.power,
    warnings,
  };
  // per-GPU operator view of a step (the trace): kept out of JSON, built lazily on first use
  let ops: ForwardOps | undefined;
  Object.defineProperty(result, 'forwardOps', { enumerable: false, configurable: true, get: () => (ops ??= forwardOps(s, d)) });
  return result;
}

export type { ResolvedRequest };
