/**
 * What a post-processing chain (workload/postprocess/chain.ts) costs on a GPU group: time, energy and memory.
 *
 *   networks (interpolate, upscale) and the memory-bound passes (resize, color, RGB→YUV) are operator lists
 *     priced per call by the same cost model as every other stage (priceStage: measured conv rates or the
 *     implicit GEMM, the memory roofline, launch gaps, the CPU launch bound of eager PyTorch); the frames are
 *     independent, so `gpus` GPUs split them evenly (frame-parallel, each GPU holding a copy of the small
 *     networks); the slowest GPU's share is the stage's wall time;
 *   NVENC: one encode session on one engine of one GPU at the published rate (hardware/video-encoders.ts:
 *     PUBLISHED, NOT MEASURED); it holds the stage (conservative: NVENC could overlap the next request's CUDA
 *     work); board power at awake idle (NVENC's own draw is not in any source we have);
 *   x264/x265 on `cores` host CPU cores (measured per core here, scaled linearly): not GPU time; the runtime
 *     runs it on the node's CPUs after the GPU part (serving/cpu-encode.ts).
 * Energy: every op at its kind's board power (power.ts), launch slack and NVENC at awake idle.
 * Memory per GPU: the chain's weights + the largest call's activations + the decoded video (fp16) resident.
 */
import { chainShape, describeChain, type ChainShape, type NvencPreset, type PostprocessChain } from '../workload/postprocess/chain.ts';
import { buildRifeCall, rifePadded, rifeParams } from '../workload/postprocess/rife.ts';
import { buildUpscaleCall, upscaleParams } from '../workload/postprocess/esrgan.ts';
import { buildColorCall, buildYuvCall } from '../workload/postprocess/color.ts';
import { DTYPE_BYTES, StageBuilder } from '../workload/ops.ts';
import { CPU_ENCODE_SOURCE, NVENC_SOURCE, cpuEncodeFps, nvencFps } from '../hardware/video-encoders.ts';
import type { DeviceModel } from './device.ts';
import { priceStageOnce } from './stage-cost.ts';
import { powerTable, stageEnergy } from './power.ts';

const GB = 1e9;

export interface PostprocessStep {
  step: 'interpolate' | 'upscale' | 'resize' | 'color' | 'to_yuv420' | 'encode';
  /** What runs, e.g. "rife (IFNet v4.15-4.21) at 1280x736". */
  what: string;
  on: 'gpu' | 'nvenc' | 'cpu';
  /** Calls (network calls, frames) over the whole video. */
  calls: number;
  /** Time of one call on one GPU (GPU steps), seconds. */
  call_s: number;
  /** Wall time on the replica (GPU steps: the slowest GPU's share), seconds. */
  seconds: number;
  /** Busy time summed over all GPUs (GPU steps) or the encode's own time. */
  busy_s: number;
  flops: number;
  /** op-level: priced from the operator list; published: a vendor table; measured: our own CPU measurement. */
  basis: 'op-level' | 'published, not measured' | 'measured here (CPU)';
  source?: string;
  /** Peak activations of one call (GPU steps), GB. */
  activations_gb?: number;
}

export interface PostprocessCost {
  chain: string;
  shape: ChainShape;
  gpus: number;
  steps: PostprocessStep[];
  /** Wall seconds the replica's GPUs are held (networks, passes, NVENC). */
  gpu_s: number;
  /** Host-CPU encode seconds after the GPU part (does not hold the GPUs). */
  cpu_s: number;
  /** Cores one CPU encode uses (0 when none). */
  cpu_cores: number;
  /** Mean board power per GPU while the GPU part runs, W. */
  power_w: number;
  /** GPU board energy of the GPU part over the group, Wh. */
  gpu_energy_wh: number;
  weights_gb: number;
  /** Per GPU: weights + the largest call's activations + the decoded video, GB. */
  peak_gb: number;
  breakdown_gb: Record<string, number>;
  notes: string[];
}

/** Op lists per (call kind, size, dtype), built once per process (as stage-builds.ts does for the DiT). */
const builds = new Map<string, StageBuilder>();
function once(key: string, build: () => StageBuilder): StageBuilder {
  let b = builds.get(key);
  if (!b) builds.set(key, (b = build()));
  return b;
}

export function postprocessCost(device: DeviceModel, chain: PostprocessChain, video: { frames: number; width: number; height: number; fps: number }, gpus: number): PostprocessCost {
  const shape = chainShape(chain, video.frames, video.width, video.height, video.fps);
  const pt = powerTable(device.gpu.id, device.profile, !device.extrapolated, device.powerLimitW);
  const steps: PostprocessStep[] = [];
  const notes: string[] = [];
  let joules = 0;
  let activations = 0;
  const dt = chain.dtype;
  /** A GPU step: `calls` calls of one op list, split over the group's GPUs. */
  const gpuStep = (step: PostprocessStep['step'], what: string, calls: number, b: StageBuilder) => {
    const cost = priceStageOnce(device, b.ops);
    if (cost.launchBound) notes.push(`${step}: eager launch-bound at batch 1 (${cost.kernels} kernels per call at the profile's per-kernel launch cost); cuDNN conv, grid_sample and interpolate dispatch cost the host more than that and are not measured (calibration/postprocess_bench.py --sections host), so this call time is a lower bound`);
    const perGpu = Math.ceil(calls / gpus);
    const e = stageEnergy(pt, cost.ops, cost.seconds);
    joules += e.joules * calls; // every call on some GPU
    const peak = b.peakMemory();
    const act = peak.bytes - (peak.byCategory.postprocess_weights ?? 0);
    activations = Math.max(activations, act);
    steps.push({ step, what, on: 'gpu', calls, call_s: cost.seconds, seconds: perGpu * cost.seconds, busy_s: calls * cost.seconds, flops: cost.flops * calls, basis: 'op-level', activations_gb: act / GB });
  };
  if (chain.interpolate && shape.interpolate) {
    const p = rifePadded(video.width, video.height);
    gpuStep('interpolate', `rife (IFNet v4.15-4.21) at ${p.width}x${p.height}`, shape.interpolate.calls, once(`rife:${video.width}x${video.height}:${dt}`, () => buildRifeCall(video.width, video.height, dt)));
  }
  if (chain.upscale && shape.upscale) {
    const u = shape.upscale;
    gpuStep('upscale', `${chain.upscale.model} x4 at ${u.inWidth}x${u.inHeight}`, u.frames, once(`sr:${chain.upscale.model}:${u.inWidth}x${u.inHeight}:${dt}`, () => buildUpscaleCall(chain.upscale!.model, u.inWidth, u.inHeight, dt)));
    if (u.outWidth !== 4 * u.inWidth || u.outHeight !== 4 * u.inHeight) {
      // Real-ESRGAN's --outscale: the ×4 output resized to the target (a read of the ×4 frame, a write of the target)
      gpuStep('resize', `x4 output ${4 * u.inWidth}x${4 * u.inHeight} resized to ${u.outWidth}x${u.outHeight}`, u.frames, once(`resize:${u.inWidth}x${u.inHeight}:${u.outWidth}x${u.outHeight}:${dt}`, () => resizeCall(4 * u.inWidth, 4 * u.inHeight, u.outWidth, u.outHeight, dt)));
    }
  }
  const out = shape.output;
  if (chain.color) gpuStep('color', `color matrix, offset, clamp, gamma at ${out.width}x${out.height}`, out.frames, once(`color:${out.width}x${out.height}:${dt}`, () => buildColorCall(out.width, out.height, dt)));
  let cpuS = 0;
  if (chain.encode?.on === 'nvenc') {
    gpuStep('to_yuv420', `RGB → YUV 4:2:0 8-bit at ${out.width}x${out.height}`, out.frames, once(`yuv:${out.width}x${out.height}:${dt}`, () => buildYuvCall(out.width, out.height, dt)));
    const fps = nvencFps(device.gpu.id, chain.encode.codec, chain.encode.preset as NvencPreset, out.width, out.height);
    const s = out.frames / fps;
    joules += s * pt.idleW;
    steps.push({ step: 'encode', what: `${chain.encode.codec} NVENC ${chain.encode.preset}, one session (${fps.toFixed(0)} fps at ${out.width}x${out.height})`, on: 'nvenc', calls: out.frames, call_s: 1 / fps, seconds: s, busy_s: s, flops: 0, basis: 'published, not measured', source: NVENC_SOURCE });
    notes.push(`NVENC throughput is published, not measured (${NVENC_SOURCE}); taken at the GeForce card's video clock and scaled to ${out.width}x${out.height} by pixel count`);
  } else if (chain.encode?.on === 'cpu') {
    const codec = chain.encode.codec === 'av1' ? undefined : chain.encode.codec;
    if (!codec) throw new Error('AV1 on the CPU is not modelled (no SVT-AV1/libaom measurement)');
    const fps = cpuEncodeFps(codec, chain.encode.cores, out.width, out.height);
    cpuS = out.frames / fps;
    steps.push({ step: 'encode', what: `${codec === 'h264' ? 'x264' : 'x265'} medium on ${chain.encode.cores} CPU cores (${fps.toFixed(1)} fps at ${out.width}x${out.height})`, on: 'cpu', calls: out.frames, call_s: 1 / fps, seconds: cpuS, busy_s: cpuS, flops: 0, basis: 'measured here (CPU)', source: CPU_ENCODE_SOURCE });
    notes.push(`x264/x265 rate ${CPU_ENCODE_SOURCE}, scaled linearly with cores`);
  }
  const gpuS = steps.filter((s) => s.on !== 'cpu').reduce((a, s) => a + s.seconds, 0);
  // idle ranks while the slowest GPU finishes its share, and the others during NVENC: awake idle
  const busyAll = steps.filter((s) => s.on === 'gpu').reduce((a, s) => a + s.busy_s, 0) + steps.filter((s) => s.on === 'nvenc').reduce((a, s) => a + s.busy_s, 0);
  joules += Math.max(0, gpuS * gpus - busyAll) * pt.idleW;
  const eb = DTYPE_BYTES[dt];
  const weights = ((chain.interpolate ? rifeParams() : 0) + (chain.upscale ? upscaleParams(chain.upscale.model) : 0)) * eb;
  const videoBytes = 3 * video.frames * video.width * video.height * eb;
  const breakdown: Record<string, number> = { postprocess_weights: weights / GB, postprocess_activations: activations / GB, decoded_video: videoBytes / GB };
  if (device.extrapolated) notes.push(`${device.gpu.id}: post-processing kernels priced from the ${device.profile.origin} profile carried over (cross-gpu.ts)`);
  return {
    chain: describeChain(chain, video.fps), shape, gpus, steps, gpu_s: gpuS, cpu_s: cpuS, cpu_cores: chain.encode?.on === 'cpu' ? chain.encode.cores : 0,
    power_w: gpuS > 0 ? joules / (gpuS * gpus) : pt.idleW, gpu_energy_wh: joules / 3600,
    weights_gb: weights / GB, peak_gb: (weights + activations + videoBytes) / GB, breakdown_gb: breakdown, notes,
  };
}

/** A bicubic resize of one frame from (w0, h0) to (w1, h1): read the source, write the target (3 channels). */
function resizeCall(w0: number, h0: number, w1: number, h1: number, dt: 'fp16' | 'bf16'): StageBuilder {
  const b = new StageBuilder().section('resize');
  b.op({ kind: 'elementwise', name: 'resize.bicubic', ew: 'copy', bytes: 3 * (w0 * h0 + w1 * h1) * DTYPE_BYTES[dt], kernels: 1 });
  return b;
}
