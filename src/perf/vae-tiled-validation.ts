/**
 * The Wan2.1 VAE's fp32 encode and decode, whole-frame and tiled, as calibration/wan_vae_tiled.py timed them on a
 * GPU, against vgsim's prices of the same stages (VALIDATION: nothing here sets a rate). vgsim's side is the
 * estimate of an image-to-video request by an engine with a tiled VAE (LightX2V of July 2025: fp32 VAE, tiles of
 * 256 px every 192), with the tiling off and on: its `vae_encode_s` (the 81-frame conditioning clip) and
 * `vae_decode_s`.
 */
import { readFileSync } from 'node:fs';
import { median } from 'simple-statistics';
import { catalogGpuOfDeviceName } from '../hardware/device-names.ts';
import { estimate } from './estimate.ts';
import { getModel } from '../workload/request.ts';
import { parsePlan } from '../parallel/plan.ts';

export interface VaeTiledRun {
  file: string;
  gpuName: string;
  /** vgsim's GPU id for the run's card. */
  gpu: string;
  rows: { case: string; op: string; seconds?: number[]; peak_bytes?: number; skipped?: string }[];
}

export interface VaeTiledRow {
  gpu: string;
  case: string;
  op: 'decode' | 'decode_tiled' | 'encode' | 'encode_tiled';
  measuredS: number | null;
  modelS: number;
  error: number | null;
  /** tiled / whole-frame time, measured and modelled (tiled rows only). */
  tiledRatio?: { measured: number | null; model: number };
  skipped?: string;
}

export function loadVaeTiledRun(file: string): VaeTiledRun {
  const doc = JSON.parse(readFileSync(file, 'utf8')) as { env?: { gpu_name?: string; name?: string }; rows: VaeTiledRun['rows'] };
  const gpuName = doc.env?.gpu_name ?? doc.env?.name ?? '';
  return { file, gpuName, gpu: catalogGpuOfDeviceName(gpuName) ?? 'h100-sxm', rows: doc.rows };
}

function modelSeconds(gpu: string, kase: string, tiled: boolean): { encode: number; decode: number } {
  const [w, h, f] = kase.split('x').map(Number);
  const e = estimate({
    model: getModel('wan2.1-i2v-14b'), gpu, plan: parsePlan('none'),
    request: { width: w!, height: h!, frames: f!, steps: 1, cfg: false },
    options: { engine: 'lightx2v-2507', vae: { tiled } },
  });
  return { encode: e.vae_encode_s, decode: e.vae_decode_s };
}

export function compareVaeTiled(run: VaeTiledRun): VaeTiledRow[] {
  const out: VaeTiledRow[] = [];
  const measured = new Map<string, number>();
  for (const r of run.rows) if (r.seconds?.length) measured.set(`${r.case}/${r.op}`, median(r.seconds));
  // one estimate per clip and tiling (each gives both the encode and the decode)
  const priced = new Map<string, { encode: number; decode: number }>();
  const model = (kase: string, tiled: boolean) => {
    const k = `${kase}/${tiled}`;
    if (!priced.has(k)) priced.set(k, modelSeconds(run.gpu, kase, tiled));
    return priced.get(k)!;
  };
  for (const r of run.rows) {
    const op = r.op as VaeTiledRow['op'];
    const tiled = op.endsWith('_tiled');
    const kind = op.startsWith('encode') ? 'encode' : 'decode';
    const m = model(r.case, tiled)[kind];
    const meas = measured.get(`${r.case}/${op}`) ?? null;
    const row: VaeTiledRow = { gpu: run.gpu, case: r.case, op, measuredS: meas, modelS: m, error: meas === null ? null : m / meas - 1 };
    if (tiled) {
      const whole = measured.get(`${r.case}/${kind}`) ?? null;
      row.tiledRatio = { measured: meas !== null && whole !== null ? meas / whole : null, model: m / model(r.case, false)[kind] };
    }
    if (r.skipped) row.skipped = r.skipped;
    out.push(row);
  }
  return out;
}
