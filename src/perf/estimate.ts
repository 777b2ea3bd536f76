/**
 * `vgsim estimate`: the time and memory of one request on an idle, loaded replica, stage by stage.
 *
 * Pipeline (as the official Wan2.2 generate path runs it):
 *   text encode (umT5, prompt + negative prompt) → [I2V: VAE-encode the conditioning clip] →
 *   `steps` denoising steps, each one DiT forward per CFG branch (sequential, or batched), on the
 *   high-noise expert for the first steps and the low-noise expert after the boundary (A14B) →
 *   VAE decode (fp32, on one GPU, frame by frame) → optional post-processing stages.
 * With `offload` (the official single-GPU default): umT5 is moved to the GPU to encode and back, only the
 * active expert is resident (swapped over PCIe with module.to at the start and at the boundary), and the
 * DiT is moved off before the VAE decode. Without it, everything is resident.
 */
import { buildDitForward } from '../workload/dit.ts';
import { buildVaeDecode } from '../workload/vae.ts';
import { buildTextEncode } from '../workload/text-encoder.ts';
import { ditParams, type ModelSpec } from '../workload/models.ts';
import { resolveRequest, type RequestShape, type ResolvedRequest } from '../workload/request.ts';
import type { AttentionKernel, MemoryPeak, Op } from '../workload/ops.ts';
import { DeviceModel, type DeviceOptions } from './device.ts';
import { priceStage, type PricedOp, type StageCost } from './stage-cost.ts';

export interface InferenceOptions {
  attention: AttentionKernel | 'auto';
  dtype: 'bf16' | 'fp8';
  /** Fused/compiled kernels and CUDA graphs (torch.compile-class) instead of eager PyTorch. */
  compile: boolean;
  /** CFG branches run as two sequential forwards (official) or one forward at batch 2. */
  cfg: 'sequential' | 'batched';
  /** The official single-GPU offload path (see module doc). */
  offload: boolean;
  /** Run umT5 on the CPU (--t5_cpu). */
  textEncoderOnCpu: boolean;
  /** Videos batched into one forward. */
  batch: number;
  /** Model sustained (power-limited) clocks. */
  sustained: boolean;
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
  peak_memory_gb?: number;
  detail?: string;
}

export interface MemoryPhase {
  phase: string;
  peak_gb: number;
  breakdown_gb: Record<string, number>;
  /** The operator during which the peak occurs. */
  at: string;
}

export interface Estimate {
  model: string;
  gpu: string;
  gpus: number;
  request: { width: number; height: number; frames: number; steps: number; cfg: boolean; batch: number; tokens: number; high_noise_steps: number; low_noise_steps: number };
  options: InferenceOptions & { attention_kernel: AttentionKernel };
  forward_s: number;
  step_s: number;
  denoise_s: number;
  text_encode_s: number;
  vae_decode_s: number;
  transfer_s: number;
  total_s: number;
  peak_memory_gb: number;
  capacity_gb: number;
  fits: boolean;
  memory: { phases: MemoryPhase[]; verdict: string; suggestions: string[] };
  stages: StageReport[];
  ops: { name: string; group: string; kind: string; shape: string; seconds: number; share: number; bound: string; rate: string }[];
  profile: { source: string; extrapolated: boolean; sustained_factor: number };
  warnings: string[];
}

/** Bytes not visible to torch's allocator: CUDA context, cuBLAS/cuDNN workspaces (documented assumption, see README). */
export const RUNTIME_OVERHEAD_GB = 1.0;

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
  gpu: string;
  request?: Partial<RequestShape>;
  options?: Partial<InferenceOptions>;
  device?: DeviceOptions;
}

const GB = 1e9;

export function estimate(input: EstimateInput): Estimate {
  const opts: InferenceOptions = { ...DEFAULT_INFERENCE, ...input.options };
  const req = resolveRequest(input.model, input.request);
  const device = new DeviceModel(input.gpu, { sustained: opts.sustained, launch: opts.compile ? 'graph' : 'eager', ...input.device });
  const kernel = chooseAttention(device, opts.attention);
  if (opts.dtype === 'fp8' && DeviceModel.peak(device.gpu, 'fp8') === undefined) {
    throw new Error(`${device.gpu.name} has no fp8 tensor cores; use --dtype bf16`);
  }
  const model = req.model;
  const warnings = [...req.warnings, ...device.notes];
  if (kernel === 'fa3') warnings.push('FlashAttention-3 is not measured on this machine: its rate is the measured FA2 rate × 1.92 (FA3 paper, H100 BF16 hd128)');
  if (opts.compile) warnings.push('compile: fused elementwise kernels and CUDA graphs are an idealisation, not calibrated by a measurement');
  if (opts.dtype === 'fp8') warnings.push('fp8: linear layers in e4m3 with per-tensor scales (rates measured with torch._scaled_mm); attention stays bf16');

  const cfgPasses = req.cfg ? 2 : 1;
  const batchPerForward = opts.batch * (req.cfg && opts.cfg === 'batched' ? 2 : 1);
  const forwardsPerStep = req.cfg && opts.cfg === 'sequential' ? 2 : 1;
  const wBytes = opts.dtype === 'fp8' ? 1 : 2;
  const expertBytes = ditParams(model.dit) * wBytes;
  const t5Bytes = (model.textEncoder.blockParams + model.textEncoder.embeddingParams) * 2;
  const vaeBytes = model.vae.params * 4;

  // --- DiT forward (weights accounted separately below) ---
  const dit = buildDitForward(model.dit, {
    tokens: req.tokens, batch: batchPerForward, kernel, linearDtype: opts.dtype, fused: opts.compile,
    ulysses: 1, ring: 1, tp: 1, weightsResident: false,
  });
  const fwdCost = priceStage(device, dit.builder.ops);
  // one CFG branch at the requested batch, for the forward_s contract
  const branchCost = batchPerForward === opts.batch ? fwdCost : priceStage(device, buildDitForward(model.dit, {
    tokens: req.tokens, batch: opts.batch, kernel, linearDtype: opts.dtype, fused: opts.compile, ulysses: 1, ring: 1, tp: 1, weightsResident: false,
  }).builder.ops);
  // scheduler step + CFG combine on the latents (fp32): a handful of elementwise kernels
  const latentBytes = opts.batch * req.latent.channels * req.latent.t * req.latent.h * req.latent.w * 4;
  const schedOps: Op[] = [
    { kind: 'elementwise', name: 'cfg_combine', group: 'scheduler', ew: 'binary', bytes: latentBytes * 5, kernels: 3, count: req.cfg ? 1 : 0 },
    { kind: 'elementwise', name: 'unipc_update', group: 'scheduler', ew: 'binary', bytes: latentBytes * 12, kernels: 15, count: 1 },
  ];
  const schedCost = priceStage(device, schedOps);
  const stepSeconds = fwdCost.seconds * forwardsPerStep + schedCost.seconds;

  // --- text encoder ---
  const te = buildTextEncode(model.textEncoder, { calls: 2, weightsResident: false });
  const teCost = opts.textEncoderOnCpu ? cpuTextEncode(model) : priceStage(device, te.ops);

  // --- VAE decode ---
  const vae = buildVaeDecode(model.vae, {
    t: req.latent.t, h: req.latent.h, w: req.latent.w, tf32: true, spatialShards: 1,
    convWorkspace: (kind, cin, cout, px, bytes, kernel) => device.convWorkspaceBytes(kind, true, cin, cout, px, bytes, kernel),
  });
  const vaeOnce = priceStage(device, vae.ops);
  const vaeSeconds = vaeOnce.seconds * opts.batch;

  // --- transfers of the offload path ---
  const transfers: { name: string; bytes: number; direction: 'h2d' | 'd2h' }[] = [];
  if (opts.offload) {
    if (!opts.textEncoderOnCpu) transfers.push({ name: 'umt5 to GPU', bytes: t5Bytes, direction: 'h2d' }, { name: 'umt5 to CPU', bytes: t5Bytes, direction: 'd2h' });
    if (model.experts === 2) {
      transfers.push({ name: 'high-noise expert to GPU', bytes: expertBytes, direction: 'h2d' });
      if (req.lowSteps > 0 && req.highSteps > 0) {
        transfers.push({ name: 'high-noise expert to CPU', bytes: expertBytes, direction: 'd2h' }, { name: 'low-noise expert to GPU', bytes: expertBytes, direction: 'h2d' });
      }
      transfers.push({ name: 'active expert to CPU before VAE decode', bytes: expertBytes, direction: 'd2h' });
    } else {
      transfers.push({ name: 'DiT to GPU', bytes: expertBytes, direction: 'h2d' }, { name: 'DiT to CPU before VAE decode', bytes: expertBytes, direction: 'd2h' });
    }
  }
  const transferSeconds = transfers.reduce((a, t) => a + t.bytes / (device.hostLinkGBs(t.direction, false, true) * GB), 0);

  const denoiseSeconds = stepSeconds * req.steps;
  const totalSeconds = teCost.seconds + denoiseSeconds + vaeSeconds + transferSeconds;

  // --- memory by phase ---
  const expertsResident = opts.offload ? 1 : model.experts;
  const t5Resident = !opts.offload && !opts.textEncoderOnCpu;
  const phases: MemoryPhase[] = [];
  const phase = (name: string, resident: Record<string, number>, peak: MemoryPeak) => {
    const breakdown: Record<string, number> = {};
    for (const [k, v] of Object.entries(resident)) if (v > 0) breakdown[k] = v / GB;
    for (const [k, v] of Object.entries(peak.byCategory)) if (v > 0) breakdown[k] = (breakdown[k] ?? 0) + v / GB;
    const total = Object.values(breakdown).reduce((a, b) => a + b, 0);
    phases.push({ phase: name, peak_gb: total, breakdown_gb: roundAll(breakdown), at: peak.at });
  };
  const latentsResident = latentBytes * (req.cfg ? 3 : 1);
  if (!opts.textEncoderOnCpu) {
    phase('text_encode', { text_encoder_weights: t5Bytes, dit_weights: opts.offload ? 0 : expertBytes * model.experts, vae_weights: vaeBytes }, te.peakMemory());
  }
  phase('denoise', { dit_weights: expertBytes * expertsResident, text_encoder_weights: t5Resident ? t5Bytes : 0, vae_weights: vaeBytes, latents: latentsResident }, dit.builder.peakMemory());
  const vaePeak = vae.peakMemory();
  // vae weights are inside the VAE stage's own timeline
  phase('vae_decode', { dit_weights: opts.offload ? 0 : expertBytes * model.experts, text_encoder_weights: t5Resident ? t5Bytes : 0 }, vaePeak);
  const peak = Math.max(...phases.map((p) => p.peak_gb));
  const capacity = device.gpu.memUsableGB;
  const fits = peak + RUNTIME_OVERHEAD_GB <= capacity;
  const worst = phases.reduce((a, b) => (b.peak_gb > a.peak_gb ? b : a));
  const suggestions: string[] = [];
  if (!fits) {
    if (!opts.offload) suggestions.push('--offload (official single-GPU path: one expert resident, umT5 and DiT moved off when unused)');
    if (opts.dtype !== 'fp8' && DeviceModel.peak(device.gpu, 'fp8') !== undefined) suggestions.push('--dtype fp8 (halves DiT weights)');
    suggestions.push('more GPUs with FSDP + Ulysses (shards weights and activations), e.g. --gpus 8 --parallel ulysses=8,fsdp');
    if (!opts.textEncoderOnCpu) suggestions.push('--t5-cpu (keep umT5 on the CPU)');
  }
  const verdict = fits
    ? `fits: peak ${peak.toFixed(1)} GB (+${RUNTIME_OVERHEAD_GB} GB runtime) of ${capacity.toFixed(1)} GB in the ${worst.phase} phase`
    : `OOM: the ${worst.phase} phase needs ${(peak + RUNTIME_OVERHEAD_GB).toFixed(1)} GB (incl. ${RUNTIME_OVERHEAD_GB} GB runtime) but ${device.gpu.name} has ${capacity.toFixed(1)} GB — short by ${(peak + RUNTIME_OVERHEAD_GB - capacity).toFixed(1)} GB; largest items: ${topItems(worst.breakdown_gb)}`;

  // --- stage table and top ops ---
  const stages: StageReport[] = [
    { name: 'text_encode', count: 1, seconds_each: teCost.seconds, seconds_total: teCost.seconds, bound: dominant(teCost), detail: opts.textEncoderOnCpu ? 'umT5 on CPU' : 'umT5-XXL, 2 calls × 512 tokens' },
    { name: 'dit_forward', count: req.steps * forwardsPerStep, seconds_each: fwdCost.seconds, seconds_total: fwdCost.seconds * req.steps * forwardsPerStep, bound: dominant(fwdCost), detail: `${req.tokens} tokens × batch ${batchPerForward}, ${kernel}` },
    { name: 'scheduler', count: req.steps, seconds_each: schedCost.seconds, seconds_total: schedCost.seconds * req.steps, bound: dominant(schedCost) },
    { name: 'vae_decode', count: opts.batch, seconds_each: vaeOnce.seconds, seconds_total: vaeSeconds, bound: dominant(vaeOnce), detail: `${model.vae.id}, ${req.latent.t} latent frames, fp32` },
  ];
  for (const t of transfers) {
    const s = t.bytes / (device.hostLinkGBs(t.direction, false, true) * GB);
    stages.push({ name: `transfer: ${t.name}`, count: 1, seconds_each: s, seconds_total: s, bound: 'link', detail: `${(t.bytes / GB).toFixed(1)} GB` });
  }
  const weighted: { op: PricedOp; seconds: number }[] = [
    ...fwdCost.ops.map((op) => ({ op, seconds: op.seconds * req.steps * forwardsPerStep })),
    ...vaeOnce.ops.map((op) => ({ op, seconds: op.seconds * opts.batch })),
    ...(opts.textEncoderOnCpu ? [] : priceStage(device, te.ops).ops.map((op) => ({ op, seconds: op.seconds }))),
  ].sort((a, b) => b.seconds - a.seconds);
  const ops = weighted.slice(0, 25).map(({ op, seconds }) => ({
    name: op.name, group: op.group, kind: op.kind, shape: op.shape, seconds, share: seconds / totalSeconds, bound: op.bound,
    rate: `${op.rate.toFixed(op.rateUnit === 'GB/s' ? 0 : 1)} ${op.rateUnit}`,
  }));

  return {
    model: model.id,
    gpu: device.gpu.id,
    gpus: 1,
    request: { width: req.width, height: req.height, frames: req.frames, steps: req.steps, cfg: req.cfg, batch: opts.batch, tokens: req.tokens, high_noise_steps: req.highSteps, low_noise_steps: req.lowSteps },
    options: { ...opts, attention_kernel: kernel },
    forward_s: branchCost.seconds,
    step_s: stepSeconds,
    denoise_s: denoiseSeconds,
    text_encode_s: teCost.seconds,
    vae_decode_s: vaeSeconds,
    transfer_s: transferSeconds,
    total_s: totalSeconds,
    peak_memory_gb: peak,
    capacity_gb: capacity,
    fits,
    memory: { phases, verdict, suggestions },
    stages,
    ops,
    profile: { source: device.profile.origin, extrapolated: device.extrapolated, sustained_factor: device.sustainedFactor },
    warnings,
  };
}

/** umT5 on the CPU (--t5_cpu): ~9.5 TFLOP per request at a sustained server-CPU bf16/fp32 rate. */
function cpuTextEncode(model: ModelSpec): StageCost {
  // Assumption (documented in README): 2 TFLOP/s effective on a 2-socket server CPU (AMX bf16 class).
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
