/**
 * The stages around the denoising loop: umT5 text encoding (on the GPU, FSDP-sharded, or on the host CPU),
 * the VAE encode of an image-to-video conditioning (every rank, before sampling) and the VAE decode (rank 0,
 * or patch-parallel over the group).
 */
import type { StageBuilder } from '../workload/ops.ts';
import type { ModelSpec } from '../workload/models.ts';
import { DEFAULT_HOST_CPU, ISA_FACTOR, cpuMatmulSeconds, type HostCpu } from '../hardware/host-cpu.ts';
import { priceStageOnce, type StageCost } from './stage-cost.ts';
import { familyVaeDecode, stackTextEncode, textEncode, tinyVaeDecode, vaeDecode, vaeEncode } from './stage-builds.ts';
import { vaeTiling } from '../engines/rules.ts';
import type { EstimateSetup } from './estimate-setup.ts';
import { familyDecodeHostLoops, stackEncodeFlops } from '../workload/families/stages.ts';
import { decodeLatent } from '../workload/families/sampling.ts';

/**
 * One iteration of a Python loop `mask[i, :n] = 0` on a CUDA tensor against one eager in-place op on the same
 * host: 1.29–1.43× (median 1.37) over fp16/bf16 masks of 4,096 and 12,138 rows on three hosts, torch 2.11 (an H200
 * host: 15–16 µs per fill; two H100 hosts: 8.5–8.6 and 8.7–9.3 µs; calibration/host/loop-probe-h200.json,
 * loop-probe-h100-sxm.json and loop-probe-h100-sxm-b.json, calibration/host_loop_probe.py). Hosts differ 1.8× in
 * speed, the ratio far less: it carries the slice view and the index arithmetic the profile's per-launch cost (one
 * `x.add_(1)`) leaves out.
 */
export const SLICE_FILL_PER_EAGER_LAUNCH = 1.37;

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
  // ---- text encoder: Wan's umT5 (and Wan2.1 I2V's CLIP image encoder) encodes prompt and negative prompt;
  // the other families' encoders as their pipelines call them ----
  const fsdp = plan.t5 === 'fsdp' ? groupN : undefined;
  const teStage = model.family === 'wan'
    ? textEncode(model.textEncoder, {
      calls: 2, weightsResident: false, fsdp,
      ...(exec.textEncoderDtype !== 'bf16' ? { linearDtype: exec.textEncoderDtype, fp32Matmul: opts.fp32Matmul } : {}), ...(model.imageEncoder ? { image: model.imageEncoder } : {}),
    })
    : stackTextEncode(model.textEncoder, { cfg: req.cfg, weightsResident: false, fp32Matmul: opts.fp32Matmul, fsdp });
  // --t5_cpu: every rank of the group encodes on the node's CPU at once (they share its cores)
  const hostCpu = node.hostCpu ?? DEFAULT_HOST_CPU;
  const ranks = Math.min(groupN, node.gpusPerNode);
  const teCost = plan.t5 === 'cpu' ? cpuTextEncode(model, req.cfg, hostCpu, ranks) : priceStageOnce(device, teStage.ops, layout.pricer);
  if (plan.t5 === 'cpu') {
    warnings.push(`umT5 on the CPU: ${hostCpu.name}, ${hostCpu.cores} cores, ${hostCpu.isa} (${ISA_FACTOR[hostCpu.isa].measured ? 'BF16 rate per core measured on a Zen 5 core' : 'BF16 rate per core scaled from a Zen 5 measurement by instruction set: an assumption'})${groupN > 1 ? `, shared by the ${ranks} ranks that encode at once` : ''}${node.hostCpu ? '' : '; the node type does not name its CPUs, a generic server CPU is assumed'}`);
  }

  // ---- VAE decode (rank 0, or split over the group) ----
  const vaeShards = plan.vae === 'patch' ? groupN : 1;
  let vae: StageBuilder;
  let hostLoopSeconds = 0;
  if (model.family === 'wan') {
    if (plan.vae === 'patch') warnings.push('patch-parallel VAE decode (split along the width with halo exchange); not part of the official Wan code');
    const vaeOpts = {
      ...(exec.vae.dtype !== 'fp32' ? { dtype: exec.vae.dtype } : {}),
      ...(exec.vae.tiled ? { tiling: vaeTiling(model.vae.stride[1]) } : {}),
    };
    vae = exec.vae.tiny
      ? tinyVaeDecode(model.vae, { t: req.latent.t, h: req.latent.h, w: req.latent.w })
      : vaeDecode(model.vae, { t: req.latent.t, h: req.latent.h, w: req.latent.w, tf32: true, spatialShards: vaeShards, ...vaeOpts }, device);
  } else {
    // multi-scale samplers decode the last pass's latent (LTX-Video: 4/3 of the request, resized after decoding)
    const z = decodeLatent(model, req.latent);
    if (plan.vae === 'patch') {
      warnings.push(model.vae.id === 'hunyuan-video-15-vae'
        ? `${model.name}: the decode's spatial tiles dealt round-robin over the ${groupN} GPUs and all-gathered (the official tile-parallel decode)`
        : `${model.name}: the decode's latent frames split over the ${groupN} GPUs with boundary frames passed between ranks (the official context-parallel decode)`);
    }
    const tiled = opts.vaeTiling ?? model.vaeTiling ?? true;
    vae = familyVaeDecode(model.vae, { t: z.t, h: z.h, w: z.w, tf32: true, shards: vaeShards, tiled }, device);
    // host-side Python loops of the decode (HunyuanVideo's mask rows): each row a slice fill, at the measured eager
    // launch cost times the measured slice-fill ratio; the GPU waits
    const loops = familyDecodeHostLoops(model.vae, { ...z, shards: vaeShards, tiled });
    if (loops > 0) {
      hostLoopSeconds = loops * device.cpuLaunchS * SLICE_FILL_PER_EAGER_LAUNCH;
      warnings.push(`${model.name}: the VAE's attention masks are built by a Python loop (${loops} slice fills per video, ${hostLoopSeconds.toFixed(1)} s at the measured slice-fill cost)`);
    }
  }
  const vaePriced = priceStageOnce(device, vae.ops, layout.pricer);
  const vaeOnce = hostLoopSeconds > 0 ? { ...vaePriced, seconds: vaePriced.seconds + hostLoopSeconds, byBound: { ...vaePriced.byBound, launch: vaePriced.byBound.launch + hostLoopSeconds } } : vaePriced;

  // ---- VAE encode of the conditioning (image-to-video, Wan), on every rank before sampling ----
  const encodeFrames = model.vaeEncodeFrames === 'clip' ? req.frames : model.vaeEncodeFrames === 'image' || req.image ? 1 : 0;
  // a tiled VAE tiles the encode too, in pixels (vaeTiling at stride 1: 256-px tiles every 192 px; vae-encode.ts)
  const enc = encodeFrames > 0 && model.family === 'wan' ? vaeEncode(model.vae, { frames: encodeFrames, height: req.height, width: req.width, tf32: true, ...(exec.vae.dtype !== 'fp32' ? { dtype: exec.vae.dtype } : {}), ...(exec.vae.tiled ? { tiling: vaeTiling(1) } : {}) }) : undefined;
  const encodeCost = enc ? priceStageOnce(device, enc.ops, layout.pricer) : undefined;
  return {
    teStage, teCost, encodeFrames, vaeEncode: enc, encodeCost, encodeSeconds: (encodeCost?.seconds ?? 0) * opts.batch,
    vae, vaeOnce, vaeShards, vaeSeconds: vaeOnce.seconds * opts.batch,
  };
}

/** umT5 on the CPU (--t5_cpu): two 512-token calls (~9.5 TFLOP per request) at the host CPU's BF16 rate; other encoders alike. */
function cpuTextEncode(model: ModelSpec, cfg: boolean, cpu: HostCpu, processes: number): StageCost {
  const flops = model.family === 'wan' ? 2 * 2 * model.textEncoder.blockParams * model.textEncoder.tokens : stackEncodeFlops(model.textEncoder, cfg);
  const seconds = cpuMatmulSeconds(flops, cpu, processes);
  return { seconds, gpuSeconds: 0, launchSeconds: 0, kernels: 0, flops, bytes: 0, byBound: { compute: seconds, memory: 0, launch: 0, link: 0 }, byGroup: { text_encoder: seconds }, ops: [], launchBound: false };
}
