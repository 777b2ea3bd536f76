/**
 * The non-Wan families against our own GPU measurements (calibration/families_measure.py: the PyTorch reference
 * DiTs and VAE decoders of calibration/families_reference.py and families_vae_reference.py, random weights),
 * held out — nothing in the cost model is fitted to them; this module only reports the errors.
 *
 *  - dit_forward: one batch-1 forward at the model's measured latent (t, h, w), bf16 weights and compute, the
 *    attention kernel the run's SDPA dispatch picked (`sdpa_backend`: FlashAttention-2 unless the file says cuDNN,
 *    which PyTorch >= 2.10 prefers on Hopper with cuDNN > 9.15). A run with
 *    `--layers N` keeps min(N, depth) blocks of each kind; vgsim prices the same reduced model, built from its
 *    diffusers config with the block counts cut (workload/families/depth-config.ts). Time: the forward's
 *    operators priced on the GPU (sustained clocks, eager launches, as calibration compares Wan's forwards).
 *    Memory: weights + the forward's peak working set, against the measured weights + peak over them
 *    (torch.cuda.max_memory_allocated; the inputs, allocated before the baseline, are not in the measured peak:
 *    so vgsim's RoPE tables, which the reference receives as inputs, are left out of its peak too).
 *  - vae_decode_call: one decoder call on the case's latent tile in the pipeline's dtype; time, and the peak
 *    working set over the weights (the measured baseline holds the decoder and its input).
 */
import { readFileSync } from 'node:fs';
import type { MeasuredVsPredicted } from './validation.ts';
import { basename } from 'node:path';
import { DeviceModel } from './device.ts';
import { priceStage } from './stage-cost.ts';
import { familyConvWorkspace } from './stage-builds.ts';
import { MODELS, ditParams, type FamilyModel, type ModelSpec } from '../workload/models.ts';
import { buildFamilyDitForward } from '../workload/families/stages.ts';
import { buildDecoderCall } from '../workload/families/vae-decoders.ts';
import { reducedDepthModel } from '../workload/families/depth-config.ts';
import type { FamilyDitSpec, FamilyVaeSpec } from '../workload/families/specs.ts';
import { getGpu } from '../hardware/catalog.ts';

/** One row of a families_measure.py file. */
export interface FamilyMeasurementCase {
  kind: 'dit_forward' | 'vae_decode_call';
  model?: string;
  vae?: string;
  latent: [number, number, number];
  /** Blocks of each kind the run kept (null: the model's full depth). */
  layers?: number | null;
  seconds?: number;
  peak_activation_bytes?: number;
  weight_bytes?: number;
  error?: string;
}

export interface FamilyMeasurementFile {
  schema: string;
  torch: string;
  device: string;
  quick?: boolean;
  tiny?: boolean;
  layers: number | null;
  /** cuDNN version of the run (e.g. 91900 = 9.19.0). */
  cudnn?: number;
  /**
   * The backend PyTorch's default SDPA dispatch picked for the unmasked attentions: 'flash' (FlashAttention-2)
   * or 'cudnn' (torch >= 2.10 on sm90 with cuDNN > 9.15 puts cuDNN first: sdp_utils.cpp check_prefer_cudnn_attention).
   * Absent: flash, as older runs had it.
   */
  sdpa_backend?: string;
  cases: FamilyMeasurementCase[];
  /** Later runs whose rows replaced this file's (calibration/merge_runs.py): when, how many, and why; a caveat on rows not to trust. */
  notes?: {
    /** What the run measured and why, when it is not the standard families_measure.py set. */
    what?: string;
    merged_runs?: { measured_at?: string | null; replaced: number; added: number; note?: string }[];
    caveat?: string;
    /**
     * Models or VAEs whose peak in this file was measured with a reference since fixed to free what the official code
     * frees (the caveat says which fix): their memory error compares with that reference, not the official code, so
     * the summaries leave it out and say so.
     */
    old_reference_peaks?: string[];
  };
}

export interface FamilyMeasurementRow extends MeasuredVsPredicted {
  kind: FamilyMeasurementCase['kind'];
  /** The model (DiTs) or VAE (decoder calls) measured. */
  id: string;
  /** Blocks of each kind in the compared model (DiTs), e.g. "4+4 of 20+40". */
  depth?: string;
  /** DiTs: measured parameter bytes against vgsim's parameter count at bf16. */
  weights_error?: number;
}

/** The GPU of a measurement file: its name, `<gpu>[-l<N>].json` (e.g. h100-sxm-l4.json → h100-sxm). */
export function gpuOfMeasurementFile(file: string): string {
  const id = basename(file, '.json').replace(/-l\d+$/, '').replace(/-quick$/, '');
  getGpu(id); // an unknown GPU id is an error naming the file's convention
  return id;
}

export function loadFamilyMeasurements(file: string): FamilyMeasurementFile {
  const f = JSON.parse(readFileSync(file, 'utf8')) as FamilyMeasurementFile;
  if (!String(f.schema).startsWith('vgsim-family-measurements/')) throw new Error(`${file}: not a families_measure.py file (schema ${f.schema})`);
  return f;
}

const familyModel = (id: string): FamilyModel => {
  const m = MODELS.find((x) => x.id === id);
  if (!m || m.family === 'wan') throw new Error(`family measurement of unknown model ${id}`);
  return m;
};

/** Blocks of each kind, as "kept of full" per kind. */
function depthLabel(full: FamilyDitSpec, cut: FamilyDitSpec): string {
  if (full.family === 'hunyuan-video' && cut.family === 'hunyuan-video') return `${cut.doubleLayers}+${cut.singleLayers} of ${full.doubleLayers}+${full.singleLayers} (dual+single)`;
  return `${cut.layers} of ${full.layers}`;
}

/** The comparison rows of a measurement file on `gpu` (rows with an error or no time are left out). */
export function compareFamilyMeasurements(gpu: string, f: FamilyMeasurementFile): FamilyMeasurementRow[] {
  const dev = new DeviceModel(gpu, { sustained: true, launch: 'eager' });
  const rows: FamilyMeasurementRow[] = [];
  for (const c of f.cases) {
    if (c.error || !(c.seconds! > 0)) continue;
    const [t, h, w] = c.latent;
    if (c.kind === 'dit_forward') {
      const full = familyModel(c.model!);
      const layers = c.layers ?? f.layers ?? null;
      const m: ModelSpec = layers === null ? full : reducedDepthModel(full, layers, MODELS);
      const dit = m.dit as FamilyDitSpec;
      const [pt, ph, pw] = dit.patch;
      const tokens = Math.ceil(t / pt) * Math.floor(h / ph) * Math.floor(w / pw);
      // the kernel that ran: the SDPA backend of the run where it says so (like for like), else the official code's
      const kernel = f.sdpa_backend === 'cudnn' ? 'cudnn' : (full.attention ?? 'fa2');
      const fwd = buildFamilyDitForward(dit, { tokens, batch: 1, kernel, linearDtype: 'bf16', fused: false, ulysses: 1, ring: 1, tp: 1, weightsResident: false });
      const seconds = priceStage(dev, fwd.builder.ops).seconds;
      const weights = ditParams(dit) * 2;
      // like for like: the reference takes its RoPE cos/sin as inputs (families_reference.py inputs()), allocated
      // before families_measure.py reads its baseline (families_measure.py:111-115), so they are not in the measured
      // peak; vgsim's forward builds its tables itself (live from the embedding to the head, so at the peak too)
      const peak = fwd.builder.peakMemory();
      const predictedGb = (weights + peak.bytes - (peak.byCategory.rope_tables ?? 0)) / 1e9;
      const measuredGb = ((c.weight_bytes ?? 0) + (c.peak_activation_bytes ?? 0)) / 1e9;
      rows.push({
        case: `dit_forward ${c.model} latent ${t}x${h}x${w}`, kind: c.kind, id: c.model!, depth: depthLabel(full.dit, dit),
        measured_s: c.seconds!, predicted_s: seconds, time_error: seconds / c.seconds! - 1,
        measured_gb: measuredGb, predicted_gb: predictedGb, memory_error: measuredGb > 0 ? predictedGb / measuredGb - 1 : NaN,
        ...(c.weight_bytes ? { weights_error: weights / c.weight_bytes - 1 } : {}),
      });
    } else {
      const vae = MODELS.find((x) => x.family !== 'wan' && x.vae.id === c.vae)?.vae as FamilyVaeSpec | undefined;
      if (!vae) throw new Error(`family measurement of unknown VAE ${c.vae}`);
      // like for like: the reference decoders call plain nn.Conv3d (families_vae_reference.py C3), not the official
      // SafeConv3d that convolves an input over 2 GiB in frame chunks (Mochi's ContextParallelConv3d, CogVideoX's
      // CogVideoXSafeConv3d), so each conv's cuDNN workspace is the whole input's, as vgsim's safeConv off prices it
      const call = buildDecoderCall(vae, t, h, w, { convWorkspace: familyConvWorkspace(dev, vae.dtype, true), safeConv: false });
      const seconds = priceStage(dev, call.builder.ops).seconds;
      // the measured peak is over the decoder weights and its input latent: leave the input out here too
      const input = vae.zDim * t * h * w * (vae.dtype === 'fp32' ? 4 : 2);
      const predictedGb = (call.builder.peakMemory().bytes - input) / 1e9;
      const measuredGb = (c.peak_activation_bytes ?? 0) / 1e9;
      rows.push({
        case: `vae_decode_call ${c.vae} latent ${t}x${h}x${w}`, kind: c.kind, id: c.vae!,
        measured_s: c.seconds!, predicted_s: seconds, time_error: seconds / c.seconds! - 1,
        measured_gb: measuredGb, predicted_gb: predictedGb, memory_error: measuredGb > 0 ? predictedGb / measuredGb - 1 : NaN,
      });
    }
  }
  return rows;
}
