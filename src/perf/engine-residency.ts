/**
 * An engine's default component residency (EngineProfile.residency): the host↔device copies its code makes
 * inside the timed generation when it keeps components in host memory between uses (FastVideo: every component;
 * SGLang: umT5). Which components are off the GPU is decided once, in the weight plan (weights.ts `offGpu`: a plan
 * that places umT5 itself, t5=cpu or t5=fsdp, or streams the DiT itself, cpu-offload, replaces the engine's default).
 *
 * - 'stream' (FSDP2 CPUOffloadPolicy(pin_memory=True), no explicit forward prefetch): each call copies the whole
 *   model host→device from pinned memory, unit by unit, in the unit's pre-forward hook; after the call the GPU copy
 *   is freed (reshard_after_forward), nothing is copied back. The copy-in stream waits for the compute issued
 *   before it, so a unit's copy starts when the previous unit has finished, not behind its compute: the whole copy
 *   is exposed (measured on an H100: eight Wan2.1-14B blocks under FSDP2 offload took their resident time plus
 *   the copy, 10-45% slower than the overlapped layerwise stream at every size; calibration/offload_stream.py,
 *   npm run validate:offload-stream). The DiT per forward, umT5 per encoder call (the prompt, and the negative
 *   prompt under CFG). A DiT sharded over the replica's N GPUs (FastVideo's FSDP inference) copies 1/N per GPU
 *   and all-gathers each block over the GPU link (the collective model), the gather's call cost once a block.
 *   (A plan's cpu-offload, a side-stream prefetch, hides its copy behind compute instead: weights.ts.)
 * - 'module' (module.to(gpu) / module.to('cpu')): the image encoder around its stage, the VAE around the
 *   conditioning encode and around the decode; whole copies, nothing to overlap with (the stage waits).
 * - the decoded video copied to the host in the decoding stage (`image.cpu()`, pageable memory).
 *
 * Rates: the device's host-link model (DeviceModel.hostLinkGBs: pinned, pageable and module.to rates).
 */
import type { EstimateSetup } from './estimate-setup.ts';
import type { DenoiseCost } from './denoise-cost.ts';
import type { EncodeDecodeCost } from './encode-decode-cost.ts';
import type { Transfer, WeightPlan } from './weights.ts';

const GB = 1e9;

export interface ResidencyCost {
  /** Whole-module moves and the video copy (seconds each), by request phase. */
  transfers: Transfer[];
  /** Streamed weights' copy time (FSDP2 offload: none of it hidden): umT5 (encode phase) and the DiT (denoise), seconds per request. */
  encodeStreamExposed: number;
  /** umT5 bytes copied host→device per request (every call). */
  encodeStreamBytes: number;
  ditStreamExposed: number;
}

export function engineResidency(s: EstimateSetup, d: DenoiseCost, ed: EncodeDecodeCost, w: WeightPlan): ResidencyCost | null {
  const r = s.exec.residency;
  if (!r || s.model.family !== 'wan') return null;
  const { device, model, req, opts } = s;
  const pinnedH2d = device.hostLinkGBs('h2d', true, false) * GB;
  const moduleH2d = device.hostLinkGBs('h2d', false, true) * GB;
  const moduleD2h = device.hostLinkGBs('d2h', false, true) * GB;
  const pageableD2h = device.hostLinkGBs('d2h', false, false) * GB;
  const transfers: Transfer[] = [];
  const pair = (name: string, bytes: number, phase: Transfer['phase']) => transfers.push(
    { name: `${name} to GPU`, bytes, direction: 'h2d', phase, seconds: bytes / moduleH2d },
    { name: `${name} to CPU`, bytes, direction: 'd2h', phase, seconds: bytes / moduleD2h },
  );
  // image encoder (Wan2.1 I2V's CLIP): moved in and out around its stage
  const clipBytes = model.imageEncoder?.residentBytes ?? 0;
  if (r.imageEncoder === 'module' && clipBytes > 0) pair('image encoder', clipBytes, 'encode');
  // VAE: around the conditioning encode (image-to-video) and around the decode
  if (w.offGpu.vae && w.vaeBytes > 0) {
    if (ed.encodeFrames > 0) pair('VAE (conditioning encode)', w.vaeBytes, 'encode');
    pair('VAE (decode)', w.vaeBytes, 'decode');
  }
  // the decoded video (3 channels per pixel, in the VAE's dtype) copied to host memory
  if (r.videoToHost) {
    const bytes = opts.batch * req.frames * req.height * req.width * 3 * (s.exec.vae.dtype === 'bf16' ? 2 : 4);
    transfers.push({ name: 'decoded video to CPU', bytes, direction: 'd2h', phase: 'decode', seconds: bytes / pageableD2h });
  }
  // umT5 streamed in every encoder call: the prompt, and the negative prompt under CFG, each copy before its compute
  let encodeStreamExposed = 0;
  let encodeStreamBytes = 0;
  if (w.offGpu.textEncoder) {
    const umt5Bytes = w.t5Bytes - clipBytes;
    const calls = req.cfg ? 2 : 1;
    encodeStreamExposed = calls * (umt5Bytes / pinnedH2d);
    encodeStreamBytes = calls * umt5Bytes;
  }
  // the DiT streamed in every forward (bf16 weights as loaded), each block's copy before its compute; sharded over
  // the replica (FSDP inference), each GPU copies its 1/N share and all-gathers the unit, block by block
  let ditStreamExposed = 0;
  if (w.offGpu.dit) {
    const perForward = (s.expertParams * s.wBytes) / s.plan.tp / s.pp;
    // a plan with fsdp names the shard group, and the forward already prices its gathers (denoise-cost.ts)
    const shards = !r.ditSharded ? 1 : s.plan.fsdp ? s.fsdpN : s.groupN;
    const blocks = Math.ceil(model.dit.layers / s.pp);
    const gather = shards > 1 && !s.plan.fsdp ? blocks * s.layout.network.collective('allgather', perForward / blocks, shards).seconds : 0;
    ditStreamExposed = (perForward / shards / pinnedH2d + gather) * d.forwardsPerStep * req.steps;
  }
  return { transfers, encodeStreamExposed, encodeStreamBytes, ditStreamExposed };
}

/** The weight plan with an engine's residency moves added (transfers by phase, streaming in streamExposed). */
export function withResidency(w: WeightPlan, r: ResidencyCost | null): WeightPlan {
  if (!r) return w;
  const encodeStream: Transfer[] = r.encodeStreamExposed > 0
    ? [{ name: 'umT5 streamed per call (time not hidden by its compute)', bytes: r.encodeStreamBytes, direction: 'h2d', phase: 'encode', seconds: r.encodeStreamExposed }]
    : [];
  const added = [...r.transfers, ...encodeStream];
  return {
    ...w,
    transfers: [...w.transfers, ...added],
    transferSeconds: w.transferSeconds + added.reduce((a, t) => a + t.seconds, 0),
    streamExposed: w.streamExposed + r.ditStreamExposed,
  };
}
