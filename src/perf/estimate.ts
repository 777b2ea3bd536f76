/**
 * `vgsim estimate`: the time and memory of one request on an idle, loaded replica, stage by stage.
 *
 * Pipeline (as the official Wan2.2 generate path runs it):
 *   text encode (umT5, prompt + negative prompt) → `steps` denoising steps, each one DiT forward per CFG
 *   branch (sequential, batched, or on two GPU groups with cfg=2), on the high-noise expert for the first
 *   steps and the low-noise expert after the boundary (A14B) → VAE decode (fp32, frame by frame, on one
 *   GPU or patch-parallel).
 * The parallel plan (src/parallel/plan.ts) shards the DiT forward and adds its collectives, priced on the
 * replica's topology (src/parallel/network.ts); memory is reported per GPU (the largest).
 * With `offload` (the official single-GPU default): umT5 is moved to the GPU to encode and back, only the
 * active expert is resident (swapped with module.to at the start and at the boundary), and the DiT is
 * moved off before the VAE decode.
 */
import { buildDitForward } from '../workload/dit.ts';
import { buildVaeDecode } from '../workload/vae.ts';
import { buildTextEncode } from '../workload/text-encoder.ts';
import { ditParams, type ModelSpec } from '../workload/models.ts';
import { resolveRequest, type RequestShape, type ResolvedRequest } from '../workload/request.ts';
import type { AttentionKernel, MemoryPeak, Op } from '../workload/ops.ts';
import { DeviceModel, type DeviceOptions } from './device.ts';
import { priceStage, type PricedOp, type StageCost } from './stage-cost.ts';
import { SINGLE_GPU, formatPlan, groupGpus, planProblems, type ParallelPlan } from '../parallel/plan.ts';
import { ReplicaLayout, defaultNodeFor } from './layout.ts';
import type { FabricOptions } from '../parallel/network.ts';
import { getNode } from '../hardware/catalog.ts';
import { POWER_DEFAULTS } from '../hardware/defaults.ts';
import { powerTable, stageEnergy } from './power.ts';
import { InputError } from '../errors.ts';

export interface InferenceOptions {
  attention: AttentionKernel | 'auto';
  dtype: 'bf16' | 'fp8';
  /** Fused/compiled kernels and CUDA graphs (torch.compile-class) instead of eager PyTorch. */
  compile: boolean;
  /** CFG branches run as two sequential forwards (official) or one forward at batch 2. */
  cfg: 'sequential' | 'batched';
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
  /**
   * The stages this replica runs (stage disaggregation: text encoder, DiT and VAE on separate pools). Only
   * their weights are resident and only their memory phases count; times are still reported for all.
   */
  stages?: { encode: boolean; denoise: boolean; decode: boolean };
}

export const DEFAULT_INFERENCE: InferenceOptions = {
  attention: 'auto',
  dtype: 'bf16',
  compile: false,
  cfg: 'sequential',
  offload: false,
  textEncoderOnCpu: false,
  batch: 1,
  sustained: true,
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
  gpu: string;
  gpus: number;
  node: string;
  nodes: number;
  parallel: string;
  request: { width: number; height: number; frames: number; steps: number; cfg: boolean; batch: number; tokens: number; high_noise_steps: number; low_noise_steps: number };
  options: InferenceOptions & { attention_kernel: AttentionKernel };
  forward_s: number;
  step_s: number;
  denoise_s: number;
  text_encode_s: number;
  vae_decode_s: number;
  transfer_s: number;
  total_s: number;
  /** Requests per hour this replica sustains back to back (split experts pipeline two requests). */
  throughput_per_h: number;
  peak_memory_gb: number;
  capacity_gb: number;
  fits: boolean;
  memory: { phases: MemoryPhase[]; verdict: string; suggestions: string[] };
  stages: StageReport[];
  collectives: CollectiveReport[];
  ops: { name: string; group: string; kind: string; shape: string; seconds: number; share: number; bound: string; rate: string }[];
  profile: { source: string; extrapolated: boolean; sustained_factor: number; power_limit_w: number | null; cap_clock_ratio: number };
  /** GPU board energy of one request over all the replica's GPUs, Wh. */
  gpu_energy_wh: number;
  /** Including the node's non-GPU share and the facility PUE, Wh. */
  energy_wh: number;
  /** Mean board power per GPU in each phase and the node figures the runtime integrates. */
  power: {
    per_gpu_w: { text_encode: number; denoise: number; vae_decode: number; vae_idle_ranks: number; transfer: number; idle: number; deep_idle: number };
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

/** Bytes not visible to torch's allocator: CUDA context, cuBLAS/cuDNN/NCCL workspaces (documented assumption, see README). */
export const RUNTIME_OVERHEAD_GB = 1.0;

/** Number of non-pipelined warm-up steps PipeFusion runs before using stale activations (xDiT default). */
export const PIPEFUSION_WARMUP_STEPS = 1;

export function chooseAttention(device: DeviceModel, requested: AttentionKernel | 'auto'): AttentionKernel {
  if (requested !== 'auto') {
    const why = device.attentionAvailable(requested);
    if (why) throw new Error(`attention kernel ${requested} is not available on ${device.gpu.name}: ${why}`);
    return requested;
  }
  // What PyTorch SDPA picks on that GPU: cuDNN attention on NVIDIA Hopper and newer, FlashAttention-2 elsewhere.
  const arch = device.gpu.arch.toLowerCase();
  if (device.gpu.vendor === 'nvidia' && (arch.includes('hopper') || arch.includes('blackwell'))) return 'cudnn';
  return 'fa2';
}

export interface EstimateInput {
  model: ModelSpec;
  /** GPU id; optional when `node` is given. */
  gpu?: string;
  /** Node type id (default: the catalog's node for the GPU). */
  node?: string;
  plan?: ParallelPlan;
  /** Total GPUs (checked against the plan). */
  gpus?: number;
  fabric?: FabricOptions;
  request?: Partial<RequestShape>;
  options?: Partial<InferenceOptions>;
  device?: DeviceOptions;
}

const GB = 1e9;

export function estimate(input: EstimateInput): Estimate {
  const opts: InferenceOptions = { ...DEFAULT_INFERENCE, ...input.options };
  const plan: ParallelPlan = { ...(input.plan ?? SINGLE_GPU) };
  if (opts.offload) plan.offload = true;
  if (opts.textEncoderOnCpu) plan.t5 = 'cpu';
  opts.offload = plan.offload;
  opts.textEncoderOnCpu = plan.t5 === 'cpu';
  const req = resolveRequest(input.model, input.request);
  const model = req.model;
  const groupN = groupGpus(plan);
  const totalGpus = input.gpus ?? groupN * plan.dp * (plan.experts === 'split' ? 2 : 1);
  const nodeId = input.node ?? defaultNodeFor(input.gpu ?? 'h100-sxm', totalGpus);
  const node = getNode(nodeId);
  if (input.gpu && getNode(nodeId).gpu !== input.gpu && input.node) {
    throw new InputError([{ source: '--node', path: 'node', message: `node type ${nodeId} carries ${node.gpu}, not ${input.gpu}` }]);
  }
  const problems = planProblems(plan, model, totalGpus, { cfg: req.cfg, tokens: req.tokens });
  if (problems.length) throw new InputError(problems.map((m) => ({ source: '--parallel', path: 'parallel', message: m })));
  const layout = new ReplicaLayout(plan, nodeId, input.fabric);
  const device = new DeviceModel(node.gpu, { sustained: opts.sustained, launch: opts.compile ? 'graph' : 'eager', powerLimitW: opts.powerLimitW, ...input.device });
  const kernel = chooseAttention(device, opts.attention);
  if (opts.dtype === 'fp8' && DeviceModel.peak(device.gpu, 'fp8') === undefined) {
    throw new Error(`${device.gpu.name} has no fp8 tensor cores; use --dtype bf16`);
  }
  const warnings = [...req.warnings, ...device.notes];
  if (kernel === 'fa3') warnings.push('FlashAttention-3 is not measured on this machine: its rate is the measured FA2 rate × 1.92 (FA3 paper, H100 BF16 hd128)');
  if (opts.compile) warnings.push('compile: fused elementwise kernels and CUDA graphs are an idealisation, not calibrated by a measurement');
  if (opts.dtype === 'fp8') warnings.push('fp8: linear layers in e4m3 with per-tensor scales (rates measured with torch._scaled_mm); attention stays bf16');
  if (plan.tp > 1) warnings.push('tensor parallel: Megatron-style all-reduces after o/ffn.2 and for the q/k RMSNorm statistics; not part of the official Wan code');
  if (plan.pipefusion > 1) warnings.push(`PipeFusion: ${plan.pipefusion} stages × ${plan.pipefusion} patches with stale KV after ${PIPEFUSION_WARMUP_STEPS} warm-up step (xDiT); not part of the official Wan code`);
  if (plan.ring > 1) warnings.push('ring attention: KV exchange overlapped with attention (xDiT USP); the official Wan2.2 code has Ulysses only');
  if (layout.nodes > 1) warnings.push(`the replica spans ${layout.nodes} nodes: inter-node collectives use the ${node.nics.link} rail NICs (hierarchical model)`);

  // ---- the denoising forward on one GPU of the group ----
  const cfgBatched = req.cfg && plan.cfg === 1 && opts.cfg === 'batched';
  const batchPerForward = opts.batch * (cfgBatched ? 2 : 1);
  const forwardsPerStep = req.cfg && plan.cfg === 1 && !cfgBatched ? 2 : 1;
  const pp = plan.pipefusion;
  const wBytes = opts.dtype === 'fp8' ? 1 : 2;
  const expertParams = ditParams(model.dit);
  const fsdpN = plan.fsdp ? layout.group('fsdp').p : 1;
  const forwardOpts = {
    tokens: req.tokens, kernel, linearDtype: opts.dtype, fused: opts.compile, ulysses: plan.ulysses, ring: plan.ring, tp: plan.tp,
    layers: Math.ceil(model.dit.layers / pp), weightsResident: false, fsdp: plan.fsdp ? fsdpN : undefined,
  } as const;
  const fwd = buildDitForward(model.dit, { ...forwardOpts, batch: batchPerForward, patches: pp > 1 ? pp : undefined });
  const fwdStage = priceStage(device, fwd.builder.ops, layout.pricer);
  // PipeFusion: a step runs pp patches through pp stages: (patches + stages − 1) patch-stage times
  const fwdFull = pp > 1 ? priceStage(device, buildDitForward(model.dit, { ...forwardOpts, batch: batchPerForward }).builder.ops, layout.pricer) : fwdStage;
  // PipeFusion: the blocks run (patches + stages − 1) patch-stage times per step; the embeddings, time MLP
  // and head run once on the full sequence
  const pipelineFactor = pp > 1 ? pp + pp - 1 : 1;
  const pipelined = (patchStage: StageCost, full: StageCost) => (patchStage.byGroup.block ?? 0) * pipelineFactor + (full.seconds - (full.byGroup.block ?? 0));
  const forwardSeconds = pp > 1 ? pipelined(fwdStage, fwdFull) : fwdStage.seconds;
  const branchForward = batchPerForward === opts.batch
    ? forwardSeconds
    : (() => {
        const one = { ...forwardOpts, batch: opts.batch };
        const patchStage = priceStage(device, buildDitForward(model.dit, { ...one, patches: pp > 1 ? pp : undefined }).builder.ops, layout.pricer);
        return pp > 1 ? pipelined(patchStage, priceStage(device, buildDitForward(model.dit, one).builder.ops, layout.pricer)) : patchStage.seconds;
      })();

  // scheduler step + CFG combine on the latents (fp32); cfg=2 exchanges the branches' predictions
  const latentBytes = opts.batch * req.latent.channels * req.latent.t * req.latent.h * req.latent.w * 4;
  const schedOps: Op[] = [
    { kind: 'elementwise', name: 'cfg_combine', group: 'scheduler', ew: 'binary', bytes: latentBytes * 5, kernels: 3, count: req.cfg ? 1 : 0 },
    { kind: 'elementwise', name: 'unipc_update', group: 'scheduler', ew: 'binary', bytes: latentBytes * 12, kernels: 15, count: 1 },
  ];
  if (plan.cfg === 2) schedOps.push({ kind: 'collective', name: 'cfg.allgather_prediction', group: 'scheduler', collective: 'allgather', bytes: 2 * latentBytes, comm: 'cfg', count: 1 });
  const schedCost = priceStage(device, schedOps, layout.pricer);
  const stepSeconds = forwardSeconds * forwardsPerStep + schedCost.seconds;
  const warmupExtra = pp > 1 ? PIPEFUSION_WARMUP_STEPS * forwardsPerStep * Math.max(0, fwdFull.seconds * pp - forwardSeconds) : 0;
  const denoiseSeconds = stepSeconds * req.steps + warmupExtra;

  // ---- text encoder ----
  const teStage = buildTextEncode(model.textEncoder, { calls: 2, weightsResident: false, fsdp: plan.t5 === 'fsdp' ? groupN : undefined });
  const teCost = plan.t5 === 'cpu' ? cpuTextEncode(model) : priceStage(device, teStage.ops, layout.pricer);
  if (plan.t5 === 'cpu') warnings.push('umT5 on the CPU: 2 TFLOP/s effective is an assumption (no CPU measurement in this repository)');

  // ---- VAE decode (rank 0, or patch-parallel over the group) ----
  const vaeShards = plan.vae === 'patch' ? groupN : 1;
  if (plan.vae === 'patch') warnings.push('patch-parallel VAE decode (split along the width with halo exchange); not part of the official Wan code');
  const vae = buildVaeDecode(model.vae, {
    t: req.latent.t, h: req.latent.h, w: req.latent.w, tf32: true, spatialShards: vaeShards,
    convWorkspace: (kind, cin, cout, px, bytes, k) => device.convWorkspaceBytes(kind, true, cin, cout, px, bytes, k),
  });
  const vaeOnce = priceStage(device, vae.ops, layout.pricer);
  const vaeSeconds = vaeOnce.seconds * opts.batch;

  // ---- weights and transfers ----
  const t5Bytes = (model.textEncoder.blockParams + model.textEncoder.embeddingParams) * 2;
  const vaeBytes = model.vae.params * 4;
  const expertsHere = plan.experts === 'split' ? 1 : model.experts;
  // official FSDP keeps the fp32 checkpoint dtype in the shards and gathers in bf16
  const ditWeightBytesPerGpu = plan.cpuOffload
    ? 0
    : plan.fsdp
      ? (expertParams * 4 * (plan.experts === 'swap' || plan.offload ? 1 : expertsHere)) / fsdpN / pp
      : (expertParams * wBytes * (plan.experts === 'swap' || plan.offload ? 1 : expertsHere)) / plan.tp / pp;
  const expertShardBytes = (expertParams * (plan.fsdp ? 4 : wBytes)) / (plan.fsdp ? fsdpN : plan.tp) / pp;
  const transfers: { name: string; bytes: number; direction: 'h2d' | 'd2h'; phase: 'encode' | 'denoise' | 'decode' }[] = [];
  if (plan.offload) {
    if (plan.t5 === 'gpu') transfers.push({ name: 'umt5 to GPU', bytes: t5Bytes, direction: 'h2d', phase: 'encode' }, { name: 'umt5 to CPU', bytes: t5Bytes, direction: 'd2h', phase: 'encode' });
  }
  if (plan.offload || plan.experts === 'swap') {
    if (model.experts === 2) {
      transfers.push({ name: 'high-noise expert to GPU', bytes: expertShardBytes, direction: 'h2d', phase: 'denoise' });
      if (req.lowSteps > 0 && req.highSteps > 0) {
        transfers.push({ name: 'high-noise expert to CPU', bytes: expertShardBytes, direction: 'd2h', phase: 'denoise' }, { name: 'low-noise expert to GPU', bytes: expertShardBytes, direction: 'h2d', phase: 'denoise' });
      }
      transfers.push({ name: 'active expert to CPU before VAE decode', bytes: expertShardBytes, direction: 'd2h', phase: 'decode' });
    } else if (plan.offload) {
      transfers.push({ name: 'DiT to GPU', bytes: expertShardBytes, direction: 'h2d', phase: 'denoise' }, { name: 'DiT to CPU before VAE decode', bytes: expertShardBytes, direction: 'd2h', phase: 'decode' });
    }
  }
  const transferTime = (t: { bytes: number; direction: 'h2d' | 'd2h' }) => t.bytes / (device.hostLinkGBs(t.direction, false, true) * GB);
  let transferSeconds = transfers.reduce((a, t) => a + transferTime(t), 0);
  // cpu-offload: every forward streams the DiT's bf16 weights over PCIe (pinned), prefetched behind compute
  let streamExposed = 0;
  if (plan.cpuOffload) {
    const perForward = (expertParams * wBytes) / plan.tp / pp / (plan.fsdp ? 1 : 1);
    const stream = perForward / (device.hostLinkGBs('h2d', true, false) * GB);
    streamExposed = Math.max(0, stream - forwardSeconds) * forwardsPerStep * req.steps;
    warnings.push(`cpu-offload: ${(perForward / GB).toFixed(1)} GB of weights cross PCIe every forward (${stream.toFixed(2)} s per forward at the measured pinned rate)`);
  }
  // split experts: the latents move from the high-noise group to the low-noise group once
  let handoff = 0;
  if (plan.experts === 'split' && req.lowSteps > 0 && req.highSteps > 0) {
    handoff = layout.network.collective('sendrecv', latentBytes, 2, groupN).seconds;
    transferSeconds += handoff;
  }

  const totalSeconds = teCost.seconds + denoiseSeconds + streamExposed + vaeSeconds + transferSeconds;
  // throughput: back-to-back requests; with split experts two requests overlap (one per group)
  const busiest = plan.experts === 'split'
    ? Math.max(req.highSteps, req.lowSteps) * stepSeconds + teCost.seconds + vaeSeconds
    : totalSeconds;
  const throughputPerH = (3600 / busiest) * plan.dp;

  // ---- memory by phase (per GPU; rank 0 holds the VAE decode) ----
  const runs = opts.stages ?? { encode: true, denoise: true, decode: true };
  const t5Resident = !runs.encode ? 0 : plan.t5 === 'gpu' && !plan.offload ? t5Bytes : plan.t5 === 'fsdp' ? t5Bytes / groupN : 0;
  const vaeResident = runs.decode ? vaeBytes : 0;
  const phases: MemoryPhase[] = [];
  const phase = (name: string, resident: Record<string, number>, peak: MemoryPeak) => {
    const breakdown: Record<string, number> = {};
    for (const [k, v] of Object.entries(resident)) if (v > 0) breakdown[k] = v / GB;
    for (const [k, v] of Object.entries(peak.byCategory)) if (v > 0) breakdown[k] = (breakdown[k] ?? 0) + v / GB;
    const total = Object.values(breakdown).reduce((a, b) => a + b, 0);
    phases.push({ phase: name, peak_gb: total, breakdown_gb: roundAll(breakdown), at: peak.at });
  };
  const ditOutsideDenoise = plan.offload || !runs.denoise ? 0 : ditWeightBytesPerGpu;
  const latentsResident = latentBytes * (req.cfg ? 3 : 1);
  if (plan.t5 !== 'cpu' && runs.encode) {
    const t5Here = plan.t5 === 'fsdp' ? t5Bytes / groupN : t5Bytes;
    phase('text_encode', { text_encoder_weights: t5Here, dit_weights: ditOutsideDenoise, vae_weights: vaeResident }, teStage.peakMemory());
  }
  const pipefusionKv = pp > 1 ? 2 * req.tokens * (model.dit.dim / plan.tp) * 2 * Math.ceil(model.dit.layers / pp) * batchPerForward : 0;
  if (runs.denoise) phase('denoise', { dit_weights: ditWeightBytesPerGpu, text_encoder_weights: t5Resident, vae_weights: vaeResident, latents: latentsResident, pipefusion_kv: pipefusionKv, cpu_offload_buffers: plan.cpuOffload ? 2 * fwd.blockWeightBytes : 0 }, fwd.builder.peakMemory());
  // the VAE stage's own timeline holds the VAE weights
  if (runs.decode) phase('vae_decode', { dit_weights: ditOutsideDenoise, text_encoder_weights: t5Resident }, vae.peakMemory());
  if (phases.length === 0) phase('text_encode', { text_encoder_weights: 0 }, teStage.peakMemory()); // umT5 on the CPU, nothing on the GPU
  const peak = Math.max(...phases.map((p) => p.peak_gb));
  const capacity = device.gpu.memUsableGB;
  const fits = peak + RUNTIME_OVERHEAD_GB <= capacity;
  const worst = phases.reduce((a, b) => (b.peak_gb > a.peak_gb ? b : a));
  const suggestions: string[] = [];
  if (!fits) {
    if (groupN === 1 && !plan.offload) suggestions.push('--offload (official single-GPU path: one expert resident, umT5 and DiT moved off when unused)');
    if (opts.dtype !== 'fp8' && DeviceModel.peak(device.gpu, 'fp8') !== undefined) suggestions.push('--dtype fp8 (halves DiT weights)');
    if (!plan.fsdp) suggestions.push(`FSDP weight sharding${groupN === 1 ? ' with sequence parallelism over more GPUs, e.g. --gpus 8 --parallel ulysses=8,fsdp' : ' (add fsdp to --parallel)'}`);
    else suggestions.push('more GPUs in the sequence-parallel group (activations and shards shrink with it)');
    if (worst.phase === 'vae_decode' && plan.vae === 'rank0' && groupN > 1) suggestions.push('vae=patch (split the decode over the group)');
    if (plan.t5 === 'gpu') suggestions.push('--t5-cpu (keep umT5 on the CPU)');
  }
  const verdict = fits
    ? `fits: peak ${peak.toFixed(1)} GB per GPU (+${RUNTIME_OVERHEAD_GB} GB runtime) of ${capacity.toFixed(1)} GB, in the ${worst.phase} phase`
    : `OOM: the ${worst.phase} phase needs ${(peak + RUNTIME_OVERHEAD_GB).toFixed(1)} GB per GPU (incl. ${RUNTIME_OVERHEAD_GB} GB runtime) but ${device.gpu.name} has ${capacity.toFixed(1)} GB — short by ${(peak + RUNTIME_OVERHEAD_GB - capacity).toFixed(1)} GB; largest items: ${topItems(worst.breakdown_gb)}`;

  // ---- stage table, collectives and top ops ----
  const fwdCount = req.steps * forwardsPerStep;
  const stages: StageReport[] = [
    { name: 'text_encode', count: 1, seconds_each: teCost.seconds, seconds_total: teCost.seconds, bound: dominant(teCost), detail: plan.t5 === 'cpu' ? 'umT5 on CPU' : `umT5-XXL, 2 calls × 512 tokens${plan.t5 === 'fsdp' ? ', FSDP-sharded' : ''}` },
    { name: 'dit_forward', count: fwdCount, seconds_each: forwardSeconds, seconds_total: forwardSeconds * fwdCount, bound: dominant(fwdStage), detail: `${req.tokens} tokens × batch ${batchPerForward}, ${kernel}${groupN > 1 ? `, ${formatPlan(plan)}` : ''}` },
    { name: 'scheduler', count: req.steps, seconds_each: schedCost.seconds, seconds_total: schedCost.seconds * req.steps, bound: dominant(schedCost) },
    { name: 'vae_decode', count: opts.batch, seconds_each: vaeOnce.seconds, seconds_total: vaeSeconds, bound: dominant(vaeOnce), detail: `${model.vae.id}, ${req.latent.t} latent frames, fp32${vaeShards > 1 ? `, split over ${vaeShards} GPUs` : ''}` },
  ];
  if (warmupExtra > 0) stages.push({ name: 'pipefusion_warmup', count: PIPEFUSION_WARMUP_STEPS, seconds_each: warmupExtra / PIPEFUSION_WARMUP_STEPS, seconds_total: warmupExtra, bound: 'compute', detail: 'synchronous first step' });
  if (streamExposed > 0) stages.push({ name: 'cpu_offload_stream', count: fwdCount, seconds_each: streamExposed / fwdCount, seconds_total: streamExposed, bound: 'link', detail: 'weight streaming not hidden by compute' });
  for (const t of transfers) {
    const s = transferTime(t);
    stages.push({ name: `transfer: ${t.name}`, count: 1, seconds_each: s, seconds_total: s, bound: 'link', detail: `${(t.bytes / GB).toFixed(1)} GB` });
  }
  if (handoff > 0) stages.push({ name: 'transfer: latents to the low-noise group', count: 1, seconds_each: handoff, seconds_total: handoff, bound: 'link' });

  // with PipeFusion the priced forward is one patch-stage: its block ops run pipelineFactor times per forward
  const blockScale = (op: PricedOp) => (pp > 1 && op.group === 'block' ? pipelineFactor : 1);
  const collectives: CollectiveReport[] = [];
  const addCollectives = (cost: StageCost, perRequest: number) => {
    for (const op of cost.ops) {
      if (op.kind !== 'collective' || op.count === 0) continue;
      const scale = perRequest * (cost === fwdStage ? blockScale(op) : 1);
      const src = [...fwd.builder.ops, ...teStage.ops, ...vae.ops, ...schedOps].find((o) => o.name === op.name);
      const comm = src && src.kind === 'collective' ? src : undefined;
      collectives.push({
        name: op.name,
        collective: comm?.collective ?? 'unknown',
        group: comm?.comm ?? 'unknown',
        gpus: comm ? layout.group(comm.comm).p : 0,
        bytes: comm?.bytes ?? 0,
        calls_per_request: op.count * scale,
        seconds_per_request: (op.fullSeconds ?? op.seconds) * scale,
        exposed_seconds_per_request: op.seconds * scale,
        bus_bw_gbs: op.rate,
        bottleneck: op.bottleneck ?? '',
      });
    }
  };
  addCollectives(fwdStage, fwdCount);
  addCollectives(schedCost, req.steps);
  if (plan.t5 !== 'cpu') addCollectives(teCost, 1);
  addCollectives(vaeOnce, opts.batch);
  const modelled = [...new Set(collectives.filter((c) => c.gpus > 1 && !c.bottleneck.startsWith('measured')).map((c) => c.gpus))].sort((a, b) => a - b);
  if (modelled.length > 0 && layout.nodes === 1) {
    warnings.push(
      `collectives on ${modelled.join('/')} GPUs are modelled (alpha-beta with the catalog's bus-bandwidth efficiency), not measured: ` +
        `at 2 GPUs of an HGX H100, where they are measured, that model came out 15-45% faster than NCCL for 16 MB-1 GB messages (npm run validate:collectives)`,
    );
  }

  // ---- energy ----
  const pt = powerTable(device.gpu.id, device.profile, !device.extrapolated, opts.sustained ? device.powerLimitW : undefined);
  const teE = plan.t5 === 'cpu' ? { joules: 0, meanW: pt.idleW } : stageEnergy(pt, teCost.ops, teCost.seconds);
  const fwdE = stageEnergy(pt, fwdStage.ops, fwdStage.seconds);
  const vaeE = stageEnergy(pt, vaeOnce.ops, vaeOnce.seconds);
  const denoiseW = fwdE.meanW;
  const gpuJoules =
    groupN * teCost.seconds * teE.meanW +
    groupN * (denoiseSeconds + streamExposed) * denoiseW +
    vaeSeconds * (vaeShards * vaeE.meanW + (groupN - vaeShards) * pt.idleW) +
    groupN * transferSeconds * pt.transferW;
  const gpuEnergyWh = gpuJoules / 3600;
  const nonGpu = node.nonGpuPowerW;
  const nodeShare = totalGpus / node.gpusPerNode;
  const pue = POWER_DEFAULTS.pue.default;
  const energyWh = (gpuEnergyWh + (nonGpu.busy * nodeShare * totalSeconds) / 3600) * pue;
  if (pt.extrapolated) warnings.push(`power: ${pt.gpu} has no measured power; board power scaled from the H100 by TDP`);
  for (const n of device.notes) if (!warnings.includes(n)) warnings.push(n); // notes raised while pricing

  const weighted: { op: PricedOp; seconds: number }[] = [
    ...fwdStage.ops.map((op) => ({ op, seconds: op.seconds * fwdCount * blockScale(op) })),
    ...vaeOnce.ops.map((op) => ({ op, seconds: op.seconds * opts.batch })),
    ...teCost.ops.map((op) => ({ op, seconds: op.seconds })),
  ].sort((a, b) => b.seconds - a.seconds);
  const ops = weighted.slice(0, 25).map(({ op, seconds }) => ({
    name: op.name, group: op.group, kind: op.kind, shape: op.shape, seconds, share: seconds / totalSeconds, bound: op.bound,
    rate: `${op.rate.toFixed(op.rateUnit === 'GB/s' ? 0 : 1)} ${op.rateUnit}`,
  }));

  const result: Estimate = {
    model: model.id,
    gpu: device.gpu.id,
    gpus: totalGpus,
    node: nodeId,
    nodes: layout.nodes,
    parallel: formatPlan(plan),
    request: { width: req.width, height: req.height, frames: req.frames, steps: req.steps, cfg: req.cfg, batch: opts.batch, tokens: req.tokens, high_noise_steps: req.highSteps, low_noise_steps: req.lowSteps },
    options: { ...opts, attention_kernel: kernel },
    forward_s: branchForward,
    step_s: stepSeconds,
    denoise_s: denoiseSeconds + streamExposed,
    text_encode_s: teCost.seconds,
    vae_decode_s: vaeSeconds,
    transfer_s: transferSeconds,
    total_s: totalSeconds,
    throughput_per_h: throughputPerH,
    peak_memory_gb: peak,
    capacity_gb: capacity,
    fits,
    memory: { phases, verdict, suggestions },
    stages,
    collectives,
    ops,
    profile: { source: device.profile.origin, extrapolated: device.extrapolated, sustained_factor: device.sustainedFactor, power_limit_w: device.powerLimitW ?? null, cap_clock_ratio: device.capClockRatio },
    gpu_energy_wh: gpuEnergyWh,
    energy_wh: energyWh,
    power: {
      per_gpu_w: { text_encode: teE.meanW, denoise: denoiseW, vae_decode: vaeE.meanW, vae_idle_ranks: pt.idleW, transfer: pt.transferW, idle: pt.idleW, deep_idle: pt.deepIdleW },
      node_non_gpu_w: { idle: nonGpu.idle, busy: nonGpu.busy },
      gpus_per_node: node.gpusPerNode,
      pue,
      extrapolated: pt.extrapolated,
    },
    warnings,
  };
  // per-GPU operator view of a step (the trace): kept out of JSON, built lazily on first use
  let forwardOps: ForwardOps | undefined;
  Object.defineProperty(result, 'forwardOps', {
    enumerable: false,
    configurable: true,
    get: () => {
      if (!forwardOps) {
        const collectiveOf = (op: Op) => (op.kind === 'collective' ? op : undefined);
        const inOrder = (ops: readonly Op[], cost: StageCost, repeat: (op: PricedOp) => number): StepOp[] => {
          // priceStage lists compute ops first, then collectives: restore program order
          const nCompute = ops.filter((o) => o.kind !== 'collective').length;
          let ci = 0, ki = 0;
          const out: StepOp[] = [];
          for (const op of ops) {
            const p = op.kind === 'collective' ? cost.ops[nCompute + ci++]! : cost.ops[ki++]!;
            if (op.count === 0) continue;
            const c = collectiveOf(op);
            const r = repeat(p);
            out.push({
              name: p.name, group: p.group, kind: p.kind, shape: p.shape, count: p.count * r, seconds: p.seconds * r, bound: p.bound, rate: p.rate, rateUnit: p.rateUnit, flops: p.flops * r, bytes: p.bytes * r,
              ...(c ? { collective: { op: c.collective, comm: c.comm, gpus: layout.group(c.comm).p, bytes: c.bytes, full_s: (p.fullSeconds ?? p.seconds) * r, hidden_behind: c.hiddenBehind, bottleneck: p.bottleneck } } : {}),
            });
          }
          return out;
        };
        const forward = inOrder(fwd.builder.ops, fwdStage, blockScale);
        const scheduler = inOrder(schedOps, schedCost, () => 1);
        const forwards = forwardsPerStep === 2 ? ['forward (cond)', 'forward (uncond)'] : cfgBatched ? ['forward (cond + uncond, batched)'] : plan.cfg === 2 ? ['forward (one CFG branch per GPU group)'] : ['forward'];
        const sum = (l: StepOp[]) => l.reduce((a, o) => a + o.seconds, 0);
        forwardOps = { forward, forwards, scheduler, step_s: sum(forward) * forwards.length + sum(scheduler) };
      }
      return forwardOps;
    },
  });
  return result;
}

/** umT5 on the CPU (--t5_cpu): ~9.5 TFLOP per request at an assumed 2 TFLOP/s server-CPU rate (flagged in the output). */
function cpuTextEncode(model: ModelSpec): StageCost {
  const flops = 2 * 2 * model.textEncoder.blockParams * model.textEncoder.tokens;
  const seconds = flops / 2e12;
  return { seconds, gpuSeconds: 0, launchSeconds: 0, kernels: 0, flops, bytes: 0, byBound: { compute: seconds, memory: 0, launch: 0, link: 0 }, byGroup: { text_encoder: seconds }, ops: [], launchBound: false };
}

function dominant(c: StageCost): string {
  if (c.launchBound) return 'launch';
  const entries = Object.entries(c.byBound).sort((a, b) => b[1] - a[1]);
  return entries[0]![0];
}

function roundAll(r: Record<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(r)) out[k] = Math.round(v * 100) / 100;
  return out;
}

function topItems(r: Record<string, number>): string {
  return Object.entries(r).sort((a, b) => b[1] - a[1]).slice(0, 3).map(([k, v]) => `${k} ${v.toFixed(1)} GB`).join(', ');
}

export type { ResolvedRequest };
