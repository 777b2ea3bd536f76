/**
 * A stack of Wan DiT blocks run with its weights streamed from pinned host memory (calibration/offload_stream.py:
 * FSDP2 CPU offload, as FastVideo loads its DiT, and a layerwise stream with one block prefetched, as SGLang's
 * layerwise offload), against vgsim's rule for every streamed residency (VALIDATION: nothing here sets a rate).
 *
 * vgsim prices a forward streamed by a side-stream prefetch (the plan's cpu-offload; layerwise here) as its compute
 * plus the copy its compute does not hide (weights.ts streamExposedPerForward), and one streamed by FSDP2's CPU
 * offload (FastVideo's and SGLang's residencies; fsdp2 here) as its compute plus the whole copy
 * (engine-residency.ts: the copy-in waits for the compute before it), the copy at the GPU profile's pinned
 * host-to-device rate. Here the compute is the same blocks' measured resident time, so what is checked is the
 * rule and the rate, not the blocks' kernels (those are checked by validate:model).
 */
import { readFileSync } from 'node:fs';
import { DeviceModel } from './device.ts';
import { streamExposedPerForward } from './weights.ts';
import { catalogGpuOfDeviceName } from '../hardware/device-names.ts';

export interface OffloadStreamRun {
  file: string;
  gpuName: string;
  /** vgsim's GPU id for the run's card. */
  gpu: string;
  model: string;
  layers: number;
  blockBytes: number;
  /** The run's own pinned host-to-device rate for one block's bytes (GB/s). */
  measuredH2dGBs: number | null;
  rows: { shape: string; tokens: number; mode: string; seconds?: number; max_abs_diff_vs_resident?: number; error?: string }[];
}

export interface OffloadStreamRow {
  shape: string;
  tokens: number;
  /** How the weights were streamed; '-compiled': under torch.compile, against the compiled resident stack. */
  mode: 'fsdp2' | 'layerwise' | 'fsdp2-compiled';
  residentS: number;
  /** The stack's weights over the profile's pinned rate. */
  copyS: number;
  measuredS: number;
  /** Resident compute plus vgsim's exposed copy (fsdp2: the whole copy; layerwise: what the compute does not hide). */
  modelS: number;
  error: number;
  /** Which of the copy and the resident compute takes longer. */
  longer: 'copy' | 'compute';
  /** The streamed output's largest difference from the resident one (0: every block read its own weights). */
  maxAbsDiff: number | null;
}

export function loadOffloadStreamRun(file: string): OffloadStreamRun {
  const doc = JSON.parse(readFileSync(file, 'utf8')) as {
    env?: { gpu_name?: string }; model: string; layers: number; block_bytes: number; h2d_pinned_gbs?: number | null; rows: OffloadStreamRun['rows'];
  };
  const gpuName = doc.env?.gpu_name ?? '';
  return {
    file, gpuName, gpu: catalogGpuOfDeviceName(gpuName) ?? 'h100-sxm', model: doc.model, layers: doc.layers,
    blockBytes: doc.block_bytes, measuredH2dGBs: doc.h2d_pinned_gbs ?? null, rows: doc.rows,
  };
}

/** vgsim's price of each streamed row: the resident time of the same shape plus the copy it does not hide. */
export function compareOffloadStream(run: OffloadStreamRun): OffloadStreamRow[] {
  const pinned = new DeviceModel(run.gpu).hostLinkGBs('h2d', true, false) * 1e9;
  const copyS = (run.layers * run.blockBytes) / pinned;
  const resident = new Map(run.rows.filter((r) => r.mode.startsWith('resident') && r.seconds !== undefined).map((r) => [`${r.mode}/${r.shape}`, r.seconds!]));
  const out: OffloadStreamRow[] = [];
  for (const r of run.rows) {
    if (r.mode !== 'fsdp2' && r.mode !== 'layerwise' && r.mode !== 'fsdp2-compiled') continue;
    const res = resident.get(`${r.mode.endsWith('-compiled') ? 'resident-compiled' : 'resident'}/${r.shape}`);
    if (r.seconds === undefined || res === undefined) continue;
    const modelS = res + (r.mode.startsWith('fsdp2') ? copyS : streamExposedPerForward(copyS, res));
    out.push({
      shape: r.shape, tokens: r.tokens, mode: r.mode, residentS: res, copyS, measuredS: r.seconds, modelS,
      error: modelS / r.seconds - 1, longer: copyS > res ? 'copy' : 'compute', maxAbsDiff: r.max_abs_diff_vs_resident ?? null,
    });
  }
  return out;
}
