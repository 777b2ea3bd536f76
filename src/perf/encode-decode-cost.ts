/**
 * The stages around the denoising loop: umT5 text encoding (on the GPU, FSDP-sharded, or on the host CPU),
 * the VAE encode of an image-to-video conditioning (every rank, before sampling) and the VAE decode (rank 0,
 * or patch-parallel over the group).
 */
import type { StageBuilder } from '../workload/ops.ts';
import type { ModelSpec } from '../workload/models.ts';
import { DEFAULT_HOST_CPU, ISA_FACTOR, cpuMatmulSeconds, type HostCpu } from '../hardware/host-cpu.ts';
import { priceStageOnce, type StageCost } from './stage-cost.ts';
import { textEncode, tinyVaeDecode, vaeDecode, vaeEncode } from './stage-builds.ts';
import { vaeTiling } from '../engines/rules.ts';
import type { EstimateSetup } from './estimate-setup.ts';

export interface EncodeDecodeCost {
  teStage: StageBuilder;
  teCost: StageCost;
  /** Frames the VAE encodes for the conditioning (0: none). */
  encodeFrames: number;
  vaeEncode?: StageBuilder;
  encodeCost?: StageCost;
  /** VAE encode seconds per request (all videos of the batch). */
  encodeSeconds: number;
  vae: StageBuilder;
  vaeOnce: StageCost;
  /** GPUs the decode is split over (1: rank 0, the official path). */
  vaeShards: number;
  /** VAE decode seconds per request (all videos of the batch). */
  vaeSeconds: number;
}

export function encodeDecodeCost(s: EstimateSetup): EncodeDecodeCost {
  const { opts, plan, req, model, device, layout, node, groupN, warnings, exec } = s;
  // ---- text encoder (and Wan2.1 I2V's CLIP image encoder) ----
  const teStage = textEncode(model.textEncoder, {
    calls: 2, weightsResident: false, fsdp: plan.t5 === 'fsdp' ? groupN : undefined,
    ...(exec.textEncoderDtype !== 'bf16' ? { linearDtype: exec.textEncoderDtype } : {}), ...(model.imageEncoder ? { image: model.imageEncoder } : {}),
  });
  // --t5_cpu: every rank of the group encodes on the node's CPU at once (they share its cores)
  const hostCpu = node.hostCpu ?? DEFAULT_HOST_CPU;
  const ranks = Math.min(groupN, node.gpusPerNode);
  const teCost = plan.t5 === 'cpu' ? cpuTextEncode(model, hostCpu, ranks) : priceStageOnce(device, teStage.ops, layout.pricer);
  if (plan.t5 === 'cpu') {
    warnings.push(`umT5 on the CPU: ${hostCpu.name}, ${hostCpu.cores} cores, ${hostCpu.isa} (${ISA_FACTOR[hostCpu.isa].measured ? 'BF16 rate per core measured on a Zen 5 core' : 'BF16 rate per core scaled from a Zen 5 measurement by instruction set: an assumption'})${groupN > 1 ? `, shared by the ${ranks} ranks that encode at once` : ''}${node.hostCpu ? '' : '; the node type does not name its CPUs, a generic server CPU is assumed'}`);
  }

  // ---- VAE decode (rank 0, or patch-parallel over the group) ----
  const vaeShards = plan.vae === 'patch' ? groupN : 1;
  if (plan.vae === 'patch') warnings.push('patch-parallel VAE decode (split along the width with halo exchange); not part of the official Wan code');
  const vaeOpts = {
    ...(exec.vae.dtype !== 'fp32' ? { dtype: exec.vae.dtype } : {}),
    ...(exec.vae.tiled ? { tiling: vaeTiling(model.vae.stride[1]) } : {}),
  };
  const vae = exec.vae.tiny
    ? tinyVaeDecode(model.vae, { t: req.latent.t, h: req.latent.h, w: req.latent.w })
    : vaeDecode(model.vae, { t: req.latent.t, h: req.latent.h, w: req.latent.w, tf32: true, spatialShards: vaeShards, ...vaeOpts }, device);
  const vaeOnce = priceStageOnce(device, vae.ops, layout.pricer);

  // ---- VAE encode of the conditioning (image-to-video), on every rank before sampling ----
  const encodeFrames = model.vaeEncodeFrames === 'clip' ? req.frames : model.vaeEncodeFrames === 'image' || req.image ? 1 : 0;
  const enc = encodeFrames > 0 ? vaeEncode(model.vae, { frames: encodeFrames, height: req.height, width: req.width, tf32: true, ...(exec.vae.dtype !== 'fp32' ? { dtype: exec.vae.dtype } : {}) }) : undefined;
  const encodeCost = enc ? priceStageOnce(device, enc.ops, layout.pricer) : undefined;
  return {
    teStage, teCost, encodeFrames, vaeEncode: enc, encodeCost, encodeSeconds: (encodeCost?.seconds ?? 0) * opts.batch,
    vae, vaeOnce, vaeShards, vaeSeconds: vaeOnce.seconds * opts.batch,
  };
}

/** umT5 on the CPU (--t5_cpu): two 512-token calls (~9.5 TFLOP per request) at the host CPU's BF16 rate. */
function cpuTextEncode(model: ModelSpec, cpu: HostCpu, processes: number): StageCost {
  const flops = 2 * 2 * model.textEncoder.blockParams * model.textEncoder.tokens;
  const seconds = cpuMatmulSeconds(flops, cpu, processes);
  return { seconds, gpuSeconds: 0, launchSeconds: 0, kernels: 0, flops, bytes: 0, byBound: { compute: seconds, memory: 0, launch: 0, link: 0 }, byGroup: { text_encoder: seconds }, ops: [], launchBound: false };
}
