/**
 * The post-processing networks' operator model against calibration/postprocess_bench.py's measurements
 * (vgsim-postprocess-bench/1): per network, resolution, precision and batch, the model's time of one call and
 * its FLOPs against the measured ones. VALIDATION, not fitting: nothing here feeds the cost model.
 * A --device cpu --tiny file (calibration/postprocess/cpu-tiny.json) checks only the FLOPs (its CPU timings say
 * nothing about a GPU).
 */
import { readFileSync } from 'node:fs';
import { opFlops, type StageBuilder } from '../workload/ops.ts';
import { buildRifeCall } from '../workload/postprocess/rife.ts';
import { buildUpscaleCall } from '../workload/postprocess/esrgan.ts';
import { DeviceModel } from './device.ts';
import { priceStage } from './stage-cost.ts';
import { catalogGpuOfDeviceName } from '../hardware/device-names.ts';

export interface BenchRow {
  network: string;
  resolution: string;
  width: number;
  height: number;
  dtype: string;
  batch: number;
  conv_flops?: number;
  s_per_call?: number;
  s_per_frame?: number;
  peak_allocated_bytes?: number;
  error?: string;
}

export interface BenchFile {
  schema: 'vgsim-postprocess-bench/1';
  device: 'cuda' | 'cpu';
  tiny?: boolean;
  gpu_name: string | null;
  networks: BenchRow[];
  [k: string]: unknown;
}

export function loadBench(file: string): BenchFile {
  const data = JSON.parse(readFileSync(file, 'utf8')) as BenchFile;
  if (data.schema !== 'vgsim-postprocess-bench/1') throw new Error(`${file}: not a vgsim post-processing bench file (schema "${String(data.schema)}")`);
  return data;
}

/** The op list of one call of a bench network at a frame size (undefined: not a network the model has). */
export function benchNetworkCall(network: string, width: number, height: number, dtype: 'fp16' | 'bf16'): StageBuilder | undefined {
  switch (network) {
    case 'rife':
      return buildRifeCall(width, height, dtype);
    case 'rrdbnet_x4':
      return buildUpscaleCall('realesrgan-x4', width, height, dtype);
    case 'srvgg_16':
      return buildUpscaleCall('realesr-animevideov3', width, height, dtype);
    case 'srvgg_32':
      return buildUpscaleCall('realesr-general-x4v3', width, height, dtype);
    default:
      return undefined;
  }
}

export interface PostprocessCheck {
  network: string;
  resolution: string;
  dtype: string;
  batch: number;
  flops_measured: number | null;
  flops_model: number;
  measured_ms: number | null;
  model_ms: number | null;
  time_error: number | null;
  measured_gb: number | null;
  model_gb: number;
}


/**
 * Model vs measurement for every batch-1 network row of a bench file (timing only for a GPU file), priced on
 * the GPU the file was measured on (`gpu` overrides), eager launches, at burst clocks: each bench case runs for
 * about half a second, too short and too light for the power limit to lower the clock.
 */
export function comparePostprocess(bench: BenchFile, gpu?: string): PostprocessCheck[] {
  const id = gpu ?? catalogGpuOfDeviceName(bench.gpu_name) ?? 'h100-sxm';
  const device = bench.device === 'cuda' ? new DeviceModel(id, { sustained: false, launch: 'eager' }) : undefined;
  const out: PostprocessCheck[] = [];
  for (const r of bench.networks) {
    if (r.error || r.batch !== 1) continue;
    const dt = r.dtype === 'bfloat16' ? 'bf16' : 'fp16';
    const b = benchNetworkCall(r.network, r.width, r.height, dt);
    if (!b) continue;
    const flops = b.ops.reduce((a, o) => a + opFlops(o) * o.count, 0);
    const cost = device ? priceStage(device, b.ops) : undefined;
    const measured = device ? r.s_per_call ?? null : null;
    out.push({
      network: r.network, resolution: r.resolution, dtype: dt, batch: r.batch,
      flops_measured: r.conv_flops ?? null, flops_model: flops,
      measured_ms: measured !== null ? measured * 1e3 : null, model_ms: cost ? cost.seconds * 1e3 : null,
      time_error: measured && cost ? cost.seconds / measured - 1 : null,
      measured_gb: device && r.peak_allocated_bytes ? r.peak_allocated_bytes / 1e9 : null, model_gb: b.peakMemory().bytes / 1e9,
    });
  }
  return out;
}
