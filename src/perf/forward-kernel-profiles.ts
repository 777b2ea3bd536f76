/**
 * Wan DiT forwards against their kernel profiles (calibration/host/forward-kernels-<gpu>*.json, written by
 * calibration/host/forward_kernel_profile.py): the GPU time vgsim prices for one forward, as the serving harness
 * runs it (calibration/wan_reference.py: the Wan2.2 DiT code's per-token timestep, cuDNN attention, bf16 weights,
 * PyTorch's default IEEE fp32 matmuls), against the sum of the times of every CUDA kernel the PyTorch profiler saw
 * in that forward. Held out: nothing in the cost model is fitted to them.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { packagePath } from '../package-files.ts';
import { buildDitForward } from '../workload/dit.ts';
import { WAN_MODELS } from '../workload/models.ts';
import { DeviceModel } from './device.ts';
import { priceStage, type StageCost } from './stage-cost.ts';

interface KernelProfileFile {
  model: string;
  /** Blocks built (the 14B on fewer); absent: all of the model's. */
  layers?: number;
  rows: { shape: string; tokens: number; kernels: [name: string, calls: number, seconds: number][] }[];
}

export interface ForwardKernelRow {
  file: string;
  model: string;
  layers: number;
  shape: string;
  tokens: number;
  measured_s: number;
  model_s: number;
  /** model / measured − 1. */
  error: number;
}

/** vgsim's price of one forward of `model` (on `layers` blocks) over `tokens`, op by op, as the harness runs it. */
export function harnessForwardCost(gpu: string, model: string, layers: number | undefined, tokens: number): StageCost {
  const m = WAN_MODELS.find((x) => x.id === model);
  if (!m) throw new Error(`no Wan model ${model}`);
  const fwd = buildDitForward({ ...m.dit, layers: layers ?? m.dit.layers, perTokenTimestep: true }, { tokens, batch: 1, kernel: 'cudnn', linearDtype: 'bf16', fused: false, ulysses: 1, ring: 1, tp: 1, weightsResident: true, part: 'forward', ropeVariant: 'harness', fp32Matmul: 'ieee' });
  return priceStage(new DeviceModel(gpu, { sustained: true, launch: 'eager' }), fwd.builder.ops);
}

/** Its GPU time. */
export function harnessForwardGpuSeconds(gpu: string, model: string, layers: number | undefined, tokens: number): number {
  return harnessForwardCost(gpu, model, layers, tokens).gpuSeconds;
}

/** Every committed kernel profile of `gpu`'s forwards, file by file and shape by shape. */
export function compareForwardKernelProfiles(gpu: string): ForwardKernelRow[] {
  const dir = packagePath('calibration', 'host');
  const files = existsSync(dir) ? readdirSync(dir).filter((f) => f.startsWith(`forward-kernels-${gpu}`) && f.endsWith('.json')).sort() : [];
  return files.flatMap((file) => {
    const kp = JSON.parse(readFileSync(`${dir}/${file}`, 'utf8')) as KernelProfileFile;
    const layers = kp.layers ?? WAN_MODELS.find((x) => x.id === kp.model)!.dit.layers;
    return kp.rows.map((r) => {
      const measured = r.kernels.reduce((a, k) => a + k[2], 0);
      const modelled = harnessForwardGpuSeconds(gpu, kp.model, layers, r.tokens);
      return { file, model: kp.model, layers, shape: r.shape, tokens: r.tokens, measured_s: measured, model_s: modelled, error: modelled / measured - 1 };
    });
  });
}
