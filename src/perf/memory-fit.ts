/**
 * Memory by phase, per GPU (rank 0, which also decodes): the resident weights of each phase plus the peak
 * of that phase's operator timeline; the largest phase against the GPU's memory, with the runtime overhead,
 * a verdict, and what would make it fit.
 */
import type { MemoryPeak } from '../workload/ops.ts';
import { DeviceModel } from './device.ts';
import type { EstimateSetup } from './estimate-setup.ts';
import type { DenoiseCost } from './denoise-cost.ts';
import type { EncodeDecodeCost } from './encode-decode-cost.ts';
import type { WeightPlan } from './weights.ts';
import type { MemoryPhase } from './estimate.ts';
import type { PostprocessCost } from './postprocess-cost.ts';
import { phaseSlackGb } from './allocator-slack.ts';
import type { FitSuggestion } from './fit-suggestion.ts';

const GB = 1e9;

/** Bytes not visible to torch's allocator: CUDA context, cuBLAS/cuDNN/NCCL workspaces (documented assumption, see README). */
export const RUNTIME_OVERHEAD_GB = 1.0;

export interface MemoryFit {
  phases: MemoryPhase[];
  peak: number;
  capacity: number;
  fits: boolean;
  verdict: string;
  /** What would make it fit, as data (perf/fit-suggestion.ts renders it as flags or as scenario fields); empty when it fits. */
  suggestions: FitSuggestion[];
  /** The largest phase peak plus what the caching allocator keeps reserved beyond it (allocator-slack.ts), GB. */
  reservedPeak: number;
  /** The slack of the phase that sets reservedPeak, GB. */
  slack: number;
  /** Fits on the allocated peak, but some phase's headroom is below its measured allocator slack: may not fit in practice. */
  tight: boolean;
  /** Why, when tight: the headroom, the slack and the measurement it rests on. */
  tightReason: string | null;
}

export function memoryFit(s: EstimateSetup, d: DenoiseCost, ed: EncodeDecodeCost, w: WeightPlan, post: PostprocessCost | null = null): MemoryFit {
  const { opts, plan, req, model, device, groupN, pp } = s;
  const runs = opts.stages ?? { encode: true, denoise: true, decode: true };
  const t5Resident = !runs.encode || w.offGpu.textEncoder ? 0 : plan.t5 === 'gpu' && !plan.offload ? w.t5Bytes : plan.t5 === 'fsdp' ? w.t5Bytes / groupN + w.t5RootBytes * (1 - 1 / groupN) : 0;
  // an engine that streams a module (EngineProfile.residency) holds only part of it at once (weights.ts
  // t5StreamedBytes; the DiT's two blocks below); a VAE moved in for its stage is absent from the others
  const vaeResident = runs.decode && !w.offGpu.vae ? w.vaeBytes : 0;
  const phases: MemoryPhase[] = [];
  // each phase's allocator slack: its operator timeline's transient (what it allocates and frees, not the weights it holds)
  const slacks: ReturnType<typeof phaseSlackGb>[] = [];
  const phase = (name: string, resident: Record<string, number>, peak: MemoryPeak) => {
    const transient = Object.entries(peak.byCategory).reduce((a, [k, v]) => a + (k.endsWith('_weights') ? 0 : v), 0) / GB;
    slacks.push(phaseSlackGb(name, transient, model.family));
    const breakdown: Record<string, number> = {};
    for (const [k, v] of Object.entries(resident)) if (v > 0) breakdown[k] = v / GB;
    for (const [k, v] of Object.entries(peak.byCategory)) if (v > 0) breakdown[k] = (breakdown[k] ?? 0) + v / GB;
    const total = Object.values(breakdown).reduce((a, b) => a + b, 0);
    phases.push({ phase: name, peak_gb: total, breakdown_gb: roundAll(breakdown), at: peak.at });
  };
  const ditOutsideDenoise = plan.offload || !runs.denoise ? 0 : w.ditWeightBytesPerGpu + w.loraBytes;
  const rootOutsideDenoise = runs.denoise ? w.fsdpRootBytes : 0;
  const latentsResident = d.latentBytes * (req.cfg ? 3 : 1);
  if (plan.t5 !== 'cpu' && runs.encode) {
    const t5Here = w.offGpu.textEncoder ? w.t5StreamedBytes : plan.t5 === 'fsdp' ? w.t5Bytes / groupN : w.t5Bytes;
    phase('text_encode', { text_encoder_weights: t5Here, dit_weights: ditOutsideDenoise, fsdp_unsharded_roots: rootOutsideDenoise, vae_weights: vaeResident }, ed.teStage.peakMemory());
  }
  const pipefusionKv = pp > 1 ? 2 * req.tokens * (model.dit.dim / plan.tp) * 2 * Math.ceil(model.dit.layers / pp) * d.batchPerForward : 0;
  if (runs.denoise) {
    phase('denoise', {
      dit_weights: w.ditWeightBytesPerGpu, lora_weights: w.loraBytes, fsdp_unsharded_roots: w.fsdpRootBytes, text_encoder_weights: t5Resident, vae_weights: vaeResident, latents: latentsResident,
      pipefusion_kv: pipefusionKv, cpu_offload_buffers: plan.cpuOffload || w.offGpu.dit ? 2 * d.fwd.blockWeightBytes : 0, step_cache: d.cacheBytes,
    }, d.fwd.builder.peakMemory());
  }
  // the VAE stage's own timeline holds the VAE weights
  if (runs.decode) phase('vae_decode', { dit_weights: ditOutsideDenoise, fsdp_unsharded_roots: rootOutsideDenoise, text_encoder_weights: t5Resident }, ed.vae.peakMemory());
  if (ed.vaeEncode && runs.encode) phase('vae_encode', { dit_weights: ditOutsideDenoise, fsdp_unsharded_roots: rootOutsideDenoise, text_encoder_weights: t5Resident }, ed.vaeEncode.peakMemory());
  if (post) {
    // post-processing after the decode: whatever else stays resident, plus the chain's weights, activations and the decoded video
    const resident: Record<string, number> = { dit_weights: ditOutsideDenoise, fsdp_unsharded_roots: rootOutsideDenoise, text_encoder_weights: t5Resident, vae_weights: vaeResident };
    for (const [k, v] of Object.entries(post.breakdown_gb)) resident[k] = v * GB;
    phase('postprocess', resident, { bytes: 0, byCategory: {}, at: post.steps.find((x) => x.on === 'gpu')?.what ?? 'encode' });
  }
  if (phases.length === 0) phase('text_encode', { text_encoder_weights: 0 }, ed.teStage.peakMemory()); // umT5 on the CPU, nothing on the GPU
  const peak = Math.max(...phases.map((p) => p.peak_gb));
  const capacity = device.gpu.memUsableGB;
  const fits = peak + RUNTIME_OVERHEAD_GB <= capacity;
  const worst = phases.reduce((a, b) => (b.peak_gb > a.peak_gb ? b : a));
  const suggestions: FitSuggestion[] = [];
  if (!fits) {
    // only what the model's inference code offers (ModelSpec.parallel; Wan offers all of it)
    const sup = model.parallel;
    if (groupN === 1 && !plan.offload && sup.offload) {
      suggestions.push({ kind: 'set', flag: '--offload', field: 'inference.offload', value: 'true', why: model.family === 'wan' ? 'official single-GPU path: one expert resident, umT5 and DiT moved off when unused' : 'text encoder and DiT moved off the GPU when unused' });
    }
    if (groupN === 1 && !plan.cpuOffload && !sup.offload && sup.cpuOffload) suggestions.push({ kind: 'set', flag: '--parallel cpu-offload', field: 'parallel', value: 'cpu-offload', why: 'weights streamed from host memory; the official single-GPU low-memory path' });
    // fp8 keeps a byte per parameter of the DiT's linears: half of bf16 weights, a quarter of an fp32 checkpoint kept as stored (Mochi, Wan2.1)
    const fp8Share = s.residentWBytes === 4 ? 'a quarter of' : s.residentWBytes === 2 ? 'half' : undefined;
    if (opts.dtype !== 'fp8' && fp8Share && DeviceModel.peak(device.gpu, 'fp8') !== undefined) {
      const why = `DiT weights at 1 byte a parameter instead of ${s.residentWBytes} (${s.residentWBytes === 4 ? 'fp32' : 'bf16'}): ${fp8Share} the size${model.family === 'wan' ? '' : `; a vgsim what-if: ${model.name}'s own code has no fp8 path`}`;
      suggestions.push({ kind: 'set', flag: '--dtype fp8', field: 'inference.dtype', value: 'fp8', why });
    }
    if (!plan.fsdp && sup.fsdp) suggestions.push({ kind: 'fsdp', example: groupN === 1 ? { gpus: 8, parallel: 'ulysses=8,fsdp' } : null });
    else if (sup.ulysses) suggestions.push({ kind: 'advice', text: `more GPUs in the sequence-parallel group (activations${plan.fsdp ? ' and shards' : ''} shrink with it)` });
    if (worst.phase === 'vae_decode' && plan.vae === 'rank0' && groupN > 1 && sup.vaeSplit) suggestions.push({ kind: 'parallel', token: 'vae=patch', why: 'split the decode over the group' });
    if (plan.t5 === 'gpu' && groupN > 1 && sup.t5.includes('fsdp')) suggestions.push({ kind: 'parallel', token: 't5=fsdp', why: 'shard umT5 over the group: the official --t5_fsdp' });
    if (plan.t5 === 'gpu' && sup.t5.includes('cpu')) suggestions.push({ kind: 'set', flag: '--t5-cpu', field: 'inference.text_encoder', value: 'cpu', why: 'keep umT5 on the CPU' });
  }
  // tight: fits on the allocated peak, but a phase's headroom is below the slack measured for its kind
  const reserved = phases.map((p, i) => ({ p, slack: slacks[i]!, headroom: capacity - RUNTIME_OVERHEAD_GB - p.peak_gb }));
  const binding = reserved.reduce((a, b) => (b.p.peak_gb + b.slack.gb > a.p.peak_gb + a.slack.gb ? b : a));
  const short = reserved.filter((r) => r.slack.gb > r.headroom).sort((a, b) => b.slack.gb - b.headroom - (a.slack.gb - a.headroom))[0];
  const tight = fits && short !== undefined;
  const tightReason = tight ? tightText(short.p.phase, short.headroom, short.slack.gb, short.slack.rule!) : null;
  const verdict = fits
    ? `fits: peak ${peak.toFixed(1)} GB per GPU (+${RUNTIME_OVERHEAD_GB} GB runtime) of ${capacity.toFixed(1)} GB usable, in the ${worst.phase} phase`
    : `OOM: the ${worst.phase} phase needs ${(peak + RUNTIME_OVERHEAD_GB).toFixed(1)} GB per GPU (incl. ${RUNTIME_OVERHEAD_GB} GB runtime) but ${device.gpu.name} has ${capacity.toFixed(1)} GB usable (${((capacity * 1e9) / 2 ** 30).toFixed(1)} GiB) — short by ${(peak + RUNTIME_OVERHEAD_GB - capacity).toFixed(1)} GB; largest items: ${topItems(worst.breakdown_gb)}`;
  return { phases, peak, capacity, fits, verdict, suggestions, reservedPeak: binding.p.peak_gb + binding.slack.gb, slack: binding.slack.gb, tight, tightReason };
}

/** "tight: 2.6 GB headroom in the vae_decode phase < ~9.4 GB the caching allocator kept …; may not fit". */
function tightText(phase: string, headroom: number, slack: number, rule: NonNullable<ReturnType<typeof phaseSlackGb>['rule']>): string {
  const kept = rule.basis === 'gb' ? `beyond the allocated peak of ${rule.source}` : `beyond the allocated peak: ${(rule.value * 100).toFixed(0)}% of the ${(slack / rule.value).toFixed(1)} GB the phase allocates and frees, as in ${rule.source}`;
  return `tight: ${headroom.toFixed(1)} GB headroom in the ${phase} phase < ~${slack.toFixed(1)} GB the caching allocator kept ${kept}; may not fit`;
}

function roundAll(r: Record<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(r)) out[k] = Math.round(v * 100) / 100;
  return out;
}

function topItems(r: Record<string, number>): string {
  return Object.entries(r).sort((a, b) => b[1] - a[1]).slice(0, 3).map(([k, v]) => `${k} ${v.toFixed(1)} GB`).join(', ');
}
