/**
 * Where the weights live and what moving them costs: the DiT as resident per GPU (bf16, fp8, the fp32
 * checkpoint, or FSDP's fp32 shards), the roots FSDP keeps gathered, umT5 and the VAE; the official
 * offload path's module.to() moves (umT5 in and out around encoding, A14B expert swaps at the boundary, the
 * DiT off before the VAE decode); cpu-offload's per-forward streaming; the split-expert latent hand-off.
 */
import { embeddingBytes } from '../workload/dit.ts';
import { familyOutsideParams, familyVaeBytes, stackBytes } from '../workload/families/stages.ts';
import type { EstimateSetup } from './estimate-setup.ts';
import type { DenoiseCost } from './denoise-cost.ts';
import { loraParams } from '../engines/lora.ts';

const GB = 1e9;

/**
 * Weights streamed behind a forward (the next block's copy on its own stream while this block computes, as
 * diffusers' group offload with use_stream, LightX2V's block offload and SGLang's layerwise offload run it): the
 * copy time the forward's compute does not hide, per forward. The plan's cpu-offload; checked against a measured
 * layerwise stream by calibration/offload_stream.py (FSDP2's offload, which does not overlap, is
 * engine-residency.ts's).
 */
export function streamExposedPerForward(copySeconds: number, computeSeconds: number): number {
  return Math.max(0, copySeconds - computeSeconds);
}

export interface Transfer {
  name: string;
  bytes: number;
  direction: 'h2d' | 'd2h';
  /** The request stage it belongs to (for the runtime's stage split). */
  phase: 'encode' | 'denoise' | 'decode';
  seconds: number;
}

export interface WeightPlan {
  t5Bytes: number;
  vaeBytes: number;
  /** DiT weights per GPU while denoising. */
  ditWeightBytesPerGpu: number;
  /** An unfused LoRA's bf16 weights beside the DiT's (engines/lora.ts), per GPU. */
  loraBytes: number;
  /** FSDP roots kept gathered (bf16) per GPU. */
  fsdpRootBytes: number;
  /** umT5's root (token embedding) kept gathered with t5=fsdp. */
  t5RootBytes: number;
  transfers: Transfer[];
  /** All host↔GPU moves and the split-expert hand-off, seconds per request. */
  transferSeconds: number;
  /** cpu-offload: weight streaming not hidden by compute, seconds per request. */
  streamExposed: number;
  /** Split experts: the latents' trip from the high-noise group to the low-noise group. */
  handoff: number;
  /**
   * What an engine keeps in host memory and brings to the GPU only for its use (EngineProfile.residency, Wan
   * only): the DiT and umT5 streamed a block at a time (FastVideo's FSDP CPU offload), the VAE and image
   * encoder moved in whole for their stage. Empty for the official code and most engines.
   */
  offGpu: { dit: boolean; textEncoder: boolean; vae: boolean };
  /** A streamed umT5 on the GPU while it encodes: its token embedding (the FSDP root) and two blocks (one computing, one prefetched). */
  t5StreamedBytes: number;
}

/** Bytes per umT5 block parameter by its precision (quantised checkpoints keep the embedding in bf16). */
const T5_BLOCK_BYTES = { bf16: 2, fp32: 4, fp8: 1, int8: 1 } as const;

export function weightPlan(s: EstimateSetup, d: DenoiseCost): WeightPlan {
  const { plan, req, model, device, layout, pp, groupN, expertParams, residentWBytes, fsdpN, wBytes, warnings } = s;
  // weights as each pipeline keeps them: Wan's umT5 (bf16, or its blocks in fp8/int8) with Wan2.1 I2V's CLIP,
  // which lives and moves with it, and its fp32 VAE (bf16 by an engine; the tiny VAE's stage holds its own);
  // the other families' encoders and VAEs in their own dtypes
  const wan = model.family === 'wan';
  // umT5 (Wan): its blocks and its token embedding, in the engine's precision
  const t5Blocks = wan ? model.textEncoder.blockParams * T5_BLOCK_BYTES[s.exec.textEncoderDtype] : 0;
  const t5Embedding = wan ? model.textEncoder.embeddingParams * (s.exec.textEncoderDtype === 'fp32' ? 4 : 2) : 0;
  const t5Bytes = wan ? t5Blocks + t5Embedding + (model.imageEncoder?.residentBytes ?? 0) : stackBytes(model.textEncoder);
  const t5StreamedBytes = wan ? t5Embedding + (2 * t5Blocks) / model.textEncoder.layers : 0;
  const vaeBytes = !wan ? familyVaeBytes(model.vae) : s.exec.vae.tiny ? 0 : model.vae.params * (s.exec.vae.dtype === 'bf16' ? 2 : 4);
  const teName = wan ? 'umt5' : model.textEncoder.id;
  const expertsHere = plan.experts === 'split' ? 1 : model.experts;
  // official FSDP keeps the fp32 checkpoint dtype in the shards and gathers in bf16
  const expertsResident = plan.experts === 'swap' || plan.offload ? 1 : expertsHere;
  // a second DiT for the later sampler passes (HunyuanVideo-1.5's SR DiT): resident beside the first unless
  // models move between uses (the official default, --offloading true: one DiT on the GPU at a time)
  const secondDit = model.sampler.secondDitParams ?? 0;
  const residency = model.family === 'wan' ? s.exec.residency : undefined;
  // a plan that places umT5 itself (t5=cpu, t5=fsdp) overrides the engine's default streaming
  const offGpu = { dit: residency?.dit === 'stream' && !plan.cpuOffload, textEncoder: residency?.textEncoder === 'stream' && plan.t5 === 'gpu', vae: residency?.vae === 'module' };
  const ditWeightBytesPerGpu = plan.cpuOffload || offGpu.dit
    ? 0
    : plan.fsdp
      ? (expertParams * 4 * expertsResident) / fsdpN / pp
      : ((expertParams * expertsResident + (plan.offload ? 0 : secondDit)) * residentWBytes) / plan.tp / pp;
  const expertShardBytes = (expertParams * (plan.fsdp ? 4 : residentWBytes)) / (plan.fsdp ? fsdpN : plan.tp) / pp;
  // FSDP (FULL_SHARD) never frees the root unit's unsharded parameters after a forward ("immediately used
  // for backward", torch/distributed/fsdp/_runtime_utils.py _post_forward_reshard): the params outside the
  // wrapped blocks stay gathered in bf16 — each DiT expert's embeddings, time MLP and head, and with
  // t5=fsdp the umT5 token embedding
  // (Mochi's FSDP keeps fp32 parameters: MixedPrecision param_dtype fp32)
  const fsdpRootBytes = !plan.fsdp ? 0 : wan ? embeddingBytes(model.dit, 2) * expertsResident : familyOutsideParams(model.dit) * (model.family === 'mochi' ? 4 : 2);
  const t5RootBytes = plan.t5 === 'fsdp' && groupN > 1 ? model.textEncoder.embeddingParams * (wan ? 2 : t5Bytes / (model.textEncoder.blockParams + model.textEncoder.embeddingParams)) : 0;
  const moves: Omit<Transfer, 'seconds'>[] = [];
  if (plan.offload) {
    if (plan.t5 === 'gpu') moves.push({ name: `${teName} to GPU`, bytes: t5Bytes, direction: 'h2d', phase: 'encode' }, { name: `${teName} to CPU`, bytes: t5Bytes, direction: 'd2h', phase: 'encode' });
  }
  if (plan.offload || plan.experts === 'swap') {
    if (model.experts === 2) {
      moves.push({ name: 'high-noise expert to GPU', bytes: expertShardBytes, direction: 'h2d', phase: 'denoise' });
      if (req.lowSteps > 0 && req.highSteps > 0) {
        moves.push({ name: 'high-noise expert to CPU', bytes: expertShardBytes, direction: 'd2h', phase: 'denoise' }, { name: 'low-noise expert to GPU', bytes: expertShardBytes, direction: 'h2d', phase: 'denoise' });
      }
      moves.push({ name: 'active expert to CPU before VAE decode', bytes: expertShardBytes, direction: 'd2h', phase: 'decode' });
    } else if (plan.offload && secondDit > 0) {
      const srBytes = (secondDit * residentWBytes) / plan.tp / pp;
      moves.push(
        { name: 'DiT to GPU', bytes: expertShardBytes, direction: 'h2d', phase: 'denoise' }, { name: 'DiT to CPU before the SR pass', bytes: expertShardBytes, direction: 'd2h', phase: 'denoise' },
        { name: 'SR DiT to GPU', bytes: srBytes, direction: 'h2d', phase: 'denoise' }, { name: 'SR DiT to CPU before VAE decode', bytes: srBytes, direction: 'd2h', phase: 'decode' },
      );
    } else if (plan.offload) {
      moves.push({ name: 'DiT to GPU', bytes: expertShardBytes, direction: 'h2d', phase: 'denoise' }, { name: 'DiT to CPU before VAE decode', bytes: expertShardBytes, direction: 'd2h', phase: 'decode' });
    }
  }
  const transfers = moves.map((t) => ({ ...t, seconds: t.bytes / (device.hostLinkGBs(t.direction, false, true) * GB) }));
  let transferSeconds = transfers.reduce((a, t) => a + t.seconds, 0);
  // cpu-offload: every forward streams the DiT's bf16 weights over PCIe (pinned), prefetched behind compute
  let streamExposed = 0;
  if (plan.cpuOffload) {
    const perForward = (expertParams * wBytes) / plan.tp / pp;
    const stream = perForward / (device.hostLinkGBs('h2d', true, false) * GB);
    streamExposed = streamExposedPerForward(stream, d.forwardSeconds) * d.forwardsPerStep * req.steps;
    warnings.push(`cpu-offload: ${(perForward / GB).toFixed(1)} GB of weights cross PCIe every forward (${stream.toFixed(2)} s per forward at the measured pinned rate)`);
  }
  // split experts: the latents move from the high-noise group to the low-noise group once
  let handoff = 0;
  if (plan.experts === 'split' && req.lowSteps > 0 && req.highSteps > 0) {
    handoff = layout.network.collective('sendrecv', d.latentBytes, 2, groupN).seconds;
    transferSeconds += handoff;
  }
  // an unfused LoRA stays beside the DiT: bf16 lora_A and lora_B of every block linear, split as the DiT is
  const loraBytes = s.exec.loraRank ? (loraParams(model.dit, s.exec.loraRank) * 2) / plan.tp / pp / (plan.fsdp ? fsdpN : 1) : 0;
  return { t5Bytes, vaeBytes, ditWeightBytesPerGpu, loraBytes, fsdpRootBytes, t5RootBytes, transfers, transferSeconds, streamExposed, handoff, offGpu, t5StreamedBytes };
}
