/**
 * HunyuanVideo's and HunyuanVideo-1.5's VAE decoder calls under their pipelines' fp16 autocast and plain fp16, as
 * calibration/vae_autocast_probe.py timed both on a GPU (VALIDATION: nothing here sets a rate), against vgsim's prices of
 * the same calls (vae-walk.ts with and without `autocast`), and HunyuanVideo's whole tiled decode of a 129-frame
 * 1280×720 video (the estimate's decode stage: the tiles' kernels plus the mid-block masks' Python loop).
 */
import { readFileSync } from 'node:fs';
import { DeviceModel } from './device.ts';
import { priceStage } from './stage-cost.ts';
import { familyConvWorkspace } from './stage-builds.ts';
import { SLICE_FILL_PER_EAGER_LAUNCH } from './encode-decode-cost.ts';
import { catalogGpuOfDeviceName } from '../hardware/device-names.ts';
import { MODELS } from '../workload/models.ts';
import { buildDecoderCall, decodeCalls } from '../workload/families/vae-decoders.ts';
import { buildFamilyDecode, familyDecodeHostLoops } from '../workload/families/stages.ts';
import type { FamilyVaeSpec } from '../workload/families/specs.ts';

interface ProbeCall {
  vae: string;
  latent: [number, number, number];
  plain_s?: number;
  autocast_s?: number;
  plain_peak_activation_bytes?: number;
  autocast_peak_activation_bytes?: number;
  error?: string;
}

interface ProbeTiled {
  vae: string;
  latent: [number, number, number];
  mode: 'plain' | 'autocast';
  run: 'cold' | 'warm';
  decode_s?: number;
  to_host_s?: number;
  error?: string;
}

export interface VaeAutocastRun {
  file: string;
  device: string;
  /** vgsim's GPU id for the run's card. */
  gpu: string;
  torch: string;
  calls: ProbeCall[];
  tiled: ProbeTiled[];
}

export interface VaeAutocastRow {
  case: string;
  mode: 'plain' | 'autocast';
  measuredS: number;
  modelS: number;
  error: number;
  measuredGb?: number;
  modelGb?: number;
  memoryError?: number;
  /** A whole tiled decode: vgsim's kernels and host loop apart, the mask-row slice fills and the decoder calls. */
  tiled?: { kernelsS: number; hostLoopS: number; fills: number; calls: number };
}

export function loadVaeAutocastRun(file: string): VaeAutocastRun {
  const doc = JSON.parse(readFileSync(file, 'utf8')) as Omit<VaeAutocastRun, 'file' | 'gpu'> & { schema: string };
  if (!String(doc.schema).startsWith('vgsim-vae-autocast/')) throw new Error(`${file}: not a vae_autocast_probe.py file (schema ${doc.schema})`);
  return { file, device: doc.device, gpu: catalogGpuOfDeviceName(doc.device) ?? 'h100-sxm', torch: doc.torch, calls: doc.calls, tiled: doc.tiled };
}

const vaeSpec = (id: string): FamilyVaeSpec => {
  const m = MODELS.find((x) => x.family !== 'wan' && x.vae.id === id);
  if (!m) throw new Error(`vae_autocast_probe row of unknown VAE ${id}`);
  return m.vae as FamilyVaeSpec;
};

/** Decoder calls (plain and autocast, time and peak over weights and input) and the whole tiled decode (warm runs). */
export function compareVaeAutocast(run: VaeAutocastRun): VaeAutocastRow[] {
  const dev = new DeviceModel(run.gpu, { sustained: true, launch: 'eager' });
  const rows: VaeAutocastRow[] = [];
  for (const c of run.calls) {
    if (c.error) continue;
    const vae = vaeSpec(c.vae);
    const [t, h, w] = c.latent;
    const input = vae.zDim * t * h * w * 2; // the fp16 latent tile the probe passes in
    for (const mode of ['plain', 'autocast'] as const) {
      const measured = mode === 'plain' ? c.plain_s : c.autocast_s;
      // a decoder whose pipeline does not decode under autocast (FamilyVaeSpec.autocast unset) is compared plain only
      if (!(measured! > 0) || (mode === 'autocast' && !vae.autocast)) continue;
      const call = buildDecoderCall(vae, t, h, w, { convWorkspace: familyConvWorkspace(dev, vae.dtype, true), safeConv: false, autocast: mode === 'autocast' });
      const modelS = priceStage(dev, call.builder.ops).seconds;
      const peak = mode === 'plain' ? c.plain_peak_activation_bytes : c.autocast_peak_activation_bytes;
      const modelGb = (call.builder.peakMemory().bytes - input) / 1e9;
      rows.push({
        case: `call ${c.vae} ${t}x${h}x${w}`, mode, measuredS: measured!, modelS, error: modelS / measured! - 1,
        ...(peak ? { measuredGb: peak / 1e9, modelGb, memoryError: modelGb / (peak / 1e9) - 1 } : {}),
      });
    }
  }
  for (const r of run.tiled) {
    if (r.error || r.run !== 'warm' || !(r.decode_s! > 0)) continue;
    // vgsim's whole tiled decode: its kernels (tile calls, blend and cat) and its host-side mask-row loop, apart
    const vae = { ...vaeSpec(r.vae), autocast: r.mode === 'autocast' };
    const [t, h, w] = r.latent;
    const stage = buildFamilyDecode(vae, { t, h, w, tf32: true, shards: 1, tiled: true, convWorkspace: familyConvWorkspace(dev, vae.dtype, true) });
    const fills = familyDecodeHostLoops(vae, { t, h, w, shards: 1, tiled: true });
    const calls = decodeCalls(vae, { t, h, w, shards: 1, tiled: true }).reduce((a, c) => a + c.count, 0);
    const tiled = { kernelsS: priceStage(dev, stage.ops).seconds, hostLoopS: fills * dev.cpuLaunchS * SLICE_FILL_PER_EAGER_LAUNCH, fills, calls };
    const modelS = tiled.kernelsS + tiled.hostLoopS;
    rows.push({ case: `tiled decode ${r.vae} ${r.latent.join('x')}`, mode: r.mode, measuredS: r.decode_s!, modelS, error: modelS / r.decode_s! - 1, tiled });
  }
  return rows;
}

/**
 * The plain whole decode's host loop as measured, by difference: the measured decode less vgsim's price of its kernels
 * (its calls compared with their own measurements in the same rows), against vgsim's price of the loop; null without
 * that run.
 */
export function hostLoopResidual(rows: readonly VaeAutocastRow[]): { calls: number; fills: number; measuredS: number; modelS: number } | null {
  const r = rows.find((x) => x.tiled !== undefined && x.mode === 'plain');
  if (!r) return null;
  const { calls, fills, kernelsS, hostLoopS } = r.tiled!;
  return { calls, fills, measuredS: r.measuredS - kernelsS, modelS: hostLoopS };
}

/** First-decode cost of the tiled run: its cold plain decode over the warm one (cuDNN's per-shape setup of every tile shape). */
export function coldDecodeExtra(run: VaeAutocastRun): number | null {
  const cold = run.tiled.find((r) => r.mode === 'plain' && r.run === 'cold' && !r.error)?.decode_s;
  const warm = run.tiled.find((r) => r.mode === 'plain' && r.run === 'warm' && !r.error)?.decode_s;
  return cold && warm ? cold - warm : null;
}
