/**
 * Compares the cost model with a validation set measured by calibration/validate_gpu.py (whole blocks,
 * whole forwards, VAE decodes and text encodes of our own PyTorch re-implementation of the official Wan
 * code path). The validation set is never used to fit the model; this module only reports the errors.
 *
 * The harness runs the Wan2.2 code path (per-token fp32 timestep embedding) for every DiT size, so the
 * comparison uses that path for all of them. Memory is compared as torch.cuda.max_memory_allocated, the
 * quantity the harness records; for VAE decodes the weights are subtracted on both sides because the
 * harness builds the decoder only (the official pipeline also keeps the encoder resident).
 */
import { readFileSync } from 'node:fs';
import { buildDitForward, embeddingBytes } from '../workload/dit.ts';
import { buildVaeDecode } from '../workload/vae.ts';
import { buildTextEncode } from '../workload/text-encoder.ts';
import { WAN_MODELS, WAN21_VAE, WAN22_VAE, UMT5_XXL, type DitSpec } from '../workload/models.ts';
import { DeviceModel, type DeviceOptions } from './device.ts';
import { priceStage } from './stage-cost.ts';
import type { AttentionKernel } from '../workload/ops.ts';
import { powerTable, stageEnergy } from './power.ts';
import { ReplicaLayout } from './layout.ts';
import { parsePlan } from '../parallel/plan.ts';

export interface ValidationCase {
  kind: 'dit_block' | 'dit_forward' | 'vae_decode' | 'text_encode';
  model: string;
  width: number | null;
  height: number | null;
  frames: number | null;
  tokens: number;
  attention: string | null;
  batch: number;
  layers: number | null;
  mode?: string;
  latent?: number[];
  s: number;
  peak_memory_gb: number;
  weights_gb: number;
  mean_power_w?: number | null;
  error: string | null;
}

/** One measured case against vgsim's prediction: time and peak memory, with their relative errors. */
export interface MeasuredVsPredicted {
  case: string;
  measured_s: number;
  predicted_s: number;
  time_error: number;
  measured_gb: number;
  predicted_gb: number;
  memory_error: number;
}

export interface ValidationRow extends MeasuredVsPredicted {
  kind: ValidationCase['kind'];
  /** Mean board power during the case (nvidia-smi), and the power model's prediction. */
  measured_w?: number;
  predicted_w?: number;
}

function ditFor(model: string): DitSpec {
  const m = WAN_MODELS.find((x) => x.id === model);
  if (!m) throw new Error(`validation case for unknown model ${model}`);
  return { ...m.dit, perTokenTimestep: true };
}

function kernelOf(a: string | null): AttentionKernel {
  if (a === 'flash') return 'fa2';
  if (a === 'cudnn' || a === 'efficient' || a === 'math') return a;
  return 'cudnn';
}

export function loadValidation(file: string): { gpu_name: string; cases: ValidationCase[] } {
  return JSON.parse(readFileSync(file, 'utf8'));
}

export function compareValidation(gpuId: string, cases: ValidationCase[], device: DeviceOptions = {}): ValidationRow[] {
  const dev = new DeviceModel(gpuId, { sustained: true, launch: 'eager', ...device });
  const pt = powerTable(gpuId, dev.profile, !dev.extrapolated);
  const rows: ValidationRow[] = [];
  for (const c of cases) {
    if (c.error || !(c.s > 0)) continue;
    if (c.kind === 'dit_forward' && c.mode === 'sustained') continue; // same shape as the 'single' case
    const label = `${c.kind} ${c.model}${c.width ? ` ${c.width}x${c.height}x${c.frames}` : ''}${c.attention ? ` ${c.attention}` : ''}`;
    let seconds: number;
    let peakGb: number;
    let predictedW: number | undefined;
    let measuredGb = c.peak_memory_gb;
    if (c.kind === 'dit_block' || c.kind === 'dit_forward') {
      const dit = ditFor(c.model);
      const fwd = buildDitForward(dit, {
        tokens: c.tokens, batch: c.batch, kernel: kernelOf(c.attention), linearDtype: 'bf16', fused: false,
        ulysses: 1, ring: 1, tp: 1, weightsResident: false, part: c.kind === 'dit_block' ? 'block' : 'forward', ropeVariant: 'harness',
      });
      const cost = priceStage(dev, fwd.builder.ops);
      seconds = cost.seconds;
      predictedW = stageEnergy(pt, cost.ops, cost.seconds).meanW;
      const weights = c.kind === 'dit_block' ? fwd.blockWeightBytes : fwd.blockWeightBytes * dit.layers + embeddingBytes(dit);
      peakGb = (fwd.builder.peakMemory().bytes + weights) / 1e9;
    } else if (c.kind === 'vae_decode') {
      const vae = c.model === 'wan2.2-vae' ? WAN22_VAE : WAN21_VAE;
      const [, t, h, w] = c.latent!;
      const b = buildVaeDecode(vae, { t: t!, h: h!, w: w!, tf32: true, spatialShards: 1, convWorkspace: (kind, cin, cout, px, bytes, kernel) => dev.convWorkspaceBytes(kind, true, cin, cout, px, bytes, kernel) });
      const cost = priceStage(dev, b.ops);
      seconds = cost.seconds;
      predictedW = stageEnergy(pt, cost.ops, cost.seconds).meanW;
      peakGb = (b.peakMemory().bytes - vae.params * 4) / 1e9;
      measuredGb = c.peak_memory_gb - c.weights_gb;
    } else {
      const b = buildTextEncode(UMT5_XXL, { calls: 1, weightsResident: true });
      seconds = priceStage(dev, b.ops).seconds;
      peakGb = b.peakMemory().bytes / 1e9;
    }
    rows.push({
      case: label, kind: c.kind, measured_s: c.s, predicted_s: seconds, time_error: seconds / c.s - 1,
      measured_gb: measuredGb, predicted_gb: peakGb, memory_error: peakGb / measuredGb - 1,
      // power only where the case ran long enough for 100 ms samples to mean something (≥ 1 s)
      ...(c.mean_power_w && c.s >= 1 && predictedW !== undefined ? { measured_w: c.mean_power_w, predicted_w: predictedW } : {}),
    });
  }
  return rows;
}

/** A multi-GPU validation case (calibration/validate_sp.py): a whole forward under Ulysses on `ranks` GPUs. */
export interface SpValidationCase {
  kind: 'dit_forward_ulysses';
  model: string;
  width: number;
  height: number;
  frames: number;
  tokens: number;
  ranks: number;
  /** FSDP FULL_SHARD per block over the same ranks (fp32 shards, bf16 all-gather), as the official path. */
  fsdp?: boolean;
  attention: string;
  s: number;
  peak_memory_gb: number;
}

/**
 * Compares Ulysses forwards with the model: the same op list as a single-GPU forward with `ulysses = ranks`,
 * collectives priced by the replica layout on the node type the measurement ran on (measured curves where
 * calibration/collectives has them). Memory: the per-rank peak of the forward plus the weights a rank
 * holds: all bf16 weights without FSDP, its fp32 shard with FSDP.
 */
export function compareSpValidation(gpuId: string, nodeId: string, cases: SpValidationCase[], opts: { measuredCollectives?: boolean } = {}): ValidationRow[] {
  const dev = new DeviceModel(gpuId, { sustained: true, launch: 'eager' });
  return cases.map((c) => {
    const dit = ditFor(c.model === 'wan2.2-a14b-expert' ? 'wan2.1-t2v-14b' : c.model);
    const layout = new ReplicaLayout(parsePlan(`ulysses=${c.ranks}${c.fsdp ? ',fsdp' : ''}`), nodeId, { measured: opts.measuredCollectives ?? true });
    const fwd = buildDitForward(dit, {
      tokens: c.tokens, batch: 1, kernel: kernelOf(c.attention), linearDtype: 'bf16', fused: false,
      ulysses: c.ranks, ring: 1, tp: 1, weightsResident: false, part: 'forward', fsdp: c.fsdp ? c.ranks : undefined, ropeVariant: 'harness',
    });
    const seconds = priceStage(dev, fwd.builder.ops, layout.pricer).seconds;
    const bf16Weights = fwd.blockWeightBytes * dit.layers + embeddingBytes(dit);
    const weights = c.fsdp ? (bf16Weights * 2) / c.ranks : bf16Weights;
    const peakGb = (fwd.builder.peakMemory().bytes + weights) / 1e9;
    return {
      case: `dit_forward ${c.model} ${c.width}x${c.height}x${c.frames} ${c.attention}, Ulysses ${c.ranks} GPUs${c.fsdp ? ' + FSDP' : ''}`, kind: 'dit_forward' as const,
      measured_s: c.s, predicted_s: seconds, time_error: seconds / c.s - 1,
      measured_gb: c.peak_memory_gb, predicted_gb: peakGb, memory_error: peakGb / c.peak_memory_gb - 1,
    };
  });
}
