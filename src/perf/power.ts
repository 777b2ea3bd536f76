/**
 * GPU board power by state and kind of work.
 *
 * H100 SXM (measured, calibration/profiles/h100-sxm.json and ../shared/data/h100-microbench.json):
 *   deep idle (no context, lowest P-state) 71.1 W   — microbench power_states.deep_idle_W
 *   awake idle (CUDA context open, no kernels) 117 W — profile idle.power_w
 *   compute-bound GEMM, sustained       698 W (at the 700 W limit, 1370 MHz)  — profile sustained gemm_bf16_8192
 *   attention (cuDNN), sustained        698 W (1517 MHz)                      — profile sustained attention_cudnn_32760
 *   memory-bound elementwise, sustained 527 W (1980 MHz)                      — profile sustained memory_add_fp32
 *   VAE conv3d (TF32), sustained        693 W                                 — profile sustained conv3d_tf32_96x96_720p
 *   communication (NCCL) and host copies: not measured; charged as memory-bound and awake-idle power
 *   respectively (assumptions, listed in the output notes).
 * A stage's power is the time-weighted mean over its operators, so a DiT forward that alternates GEMMs,
 * attention and elementwise kernels draws less than a pure-GEMM loop (checked against the validation set's
 * measured forward power, which is not used here).
 *
 * Other GPUs: the H100 shape scaled by TDP (busy states) and by the catalog's idle power where it has one
 * (else the H100's idle fractions of TDP). Flagged as extrapolated.
 * A board power limit below the default (nvidia-smi -pl) clips every busy state at the limit; what it does to
 * clocks and time is in power-cap.ts.
 */
import type { GpuSpec } from '../hardware/types.ts';
import { getGpu } from '../hardware/catalog.ts';
import type { PricedOp } from './stage-cost.ts';
import type { GpuProfile } from './profile.ts';

export interface PowerTable {
  gpu: string;
  deepIdleW: number;
  idleW: number;
  gemmW: number;
  attentionW: number;
  memoryW: number;
  convW: number;
  commW: number;
  transferW: number;
  tdpW: number;
  extrapolated: boolean;
  sources: Record<string, string>;
}

const REF = 'h100-sxm';
/** ../shared/data/h100-microbench.json power_states.deep_idle_W (nvidia-smi, 100 ms samples). */
const H100_DEEP_IDLE_W = 71.1;

export function powerTable(gpuId: string, profile: GpuProfile | undefined, profileIsOwn: boolean, powerLimitW?: number): PowerTable {
  const t = uncappedPowerTable(gpuId, profile, profileIsOwn);
  if (powerLimitW === undefined || powerLimitW >= t.tdpW) return t;
  // under a cap every busy state draws at most the cap (compute-bound work lowers its clock to get there,
  // see power-cap.ts); idle states are far below any cap the GPU takes
  const clip = (w: number) => Math.min(w, powerLimitW);
  const capped = { ...t, gemmW: clip(t.gemmW), attentionW: clip(t.attentionW), memoryW: clip(t.memoryW), convW: clip(t.convW), commW: clip(t.commW), sources: { ...t.sources } };
  for (const k of ['gemmW', 'attentionW', 'memoryW', 'convW', 'commW'] as const) {
    if (capped[k] < t[k]) capped.sources[k] = `${t.sources[k]}; clipped at the ${powerLimitW} W power limit`;
  }
  return capped;
}

function uncappedPowerTable(gpuId: string, profile: GpuProfile | undefined, profileIsOwn: boolean): PowerTable {
  const sustained = (name: string) => profile?.data.sustained?.find((s) => s.workload.startsWith(name))?.mean_power_w;
  const ref = getGpu(REF);
  const gpu: GpuSpec = getGpu(gpuId);
  const base = {
    deepIdleW: H100_DEEP_IDLE_W,
    idleW: profile?.data.idle?.power_w ?? 117,
    gemmW: sustained('gemm_bf16') ?? ref.tdpW,
    attentionW: sustained('attention_cudnn') ?? ref.tdpW,
    memoryW: sustained('memory_add') ?? 0.75 * ref.tdpW,
    convW: sustained('conv3d') ?? ref.tdpW,
  };
  const sources: Record<string, string> = {
    deepIdleW: 'h100-microbench.json power_states.deep_idle_W',
    idleW: 'profile idle.power_w (context open, no kernels)',
    gemmW: 'profile sustained gemm_bf16_8192 mean_power_w',
    attentionW: 'profile sustained attention_cudnn_32760 mean_power_w',
    memoryW: 'profile sustained memory_add_fp32 mean_power_w',
    convW: 'profile sustained conv3d_tf32 mean_power_w',
    commW: 'assumption: NCCL traffic charged at memory-bound power (not measured)',
    transferW: 'assumption: host copies charged at awake-idle power (not measured)',
  };
  const own = profileIsOwn && gpu.id === REF;
  if (own || gpu.id === REF) {
    return { gpu: gpu.id, ...base, commW: base.memoryW, transferW: base.idleW, tdpW: gpu.tdpW, extrapolated: false, sources };
  }
  const busyScale = gpu.tdpW / ref.tdpW;
  const idleScale = gpu.idleW !== undefined ? gpu.idleW / H100_DEEP_IDLE_W : busyScale;
  const t: PowerTable = {
    gpu: gpu.id,
    deepIdleW: gpu.idleW ?? base.deepIdleW * busyScale,
    idleW: base.idleW * idleScale,
    gemmW: base.gemmW * busyScale,
    attentionW: base.attentionW * busyScale,
    memoryW: base.memoryW * busyScale,
    convW: base.convW * busyScale,
    commW: base.memoryW * busyScale,
    transferW: base.idleW * idleScale,
    tdpW: gpu.tdpW,
    extrapolated: true,
    sources: Object.fromEntries(Object.entries(sources).map(([k, v]) => [k, `${v}; scaled from ${REF} by ${k.includes('dle') || k === 'transferW' ? (gpu.idleW !== undefined ? 'catalog idleW' : 'TDP') : 'TDP'} ratio`])),
  };
  return t;
}

/** Board power of one operator's kind of work. */
export function opPowerW(t: PowerTable, op: Pick<PricedOp, 'kind' | 'bound'>): number {
  switch (op.kind) {
    case 'gemm':
      return op.bound === 'memory' ? t.memoryW : t.gemmW;
    case 'attention':
      return t.attentionW;
    case 'conv':
      return t.convW;
    case 'elementwise':
      return t.memoryW;
    case 'collective':
      return t.commW;
    case 'transfer':
      return t.transferW;
  }
}

/** Energy (J) and mean power (W) of a priced stage on one GPU; launch-bound slack is charged at idle power. */
export function stageEnergy(t: PowerTable, ops: readonly PricedOp[], stageSeconds: number): { joules: number; meanW: number } {
  let joules = 0;
  let busy = 0;
  for (const op of ops) {
    joules += op.seconds * opPowerW(t, op);
    busy += op.seconds;
  }
  joules += Math.max(0, stageSeconds - busy) * t.idleW;
  return { joules, meanW: stageSeconds > 0 ? joules / stageSeconds : t.idleW };
}
