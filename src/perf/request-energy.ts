/**
 * Energy of one request: every GPU of the group at its phase's mean board power (text encode, the VAE
 * encode of a conditioning at the VAE's power, denoise, VAE decode on the decoding ranks with the others
 * idle, transfers), plus the node's non-GPU share and the facility PUE.
 */
import { POWER_DEFAULTS } from '../hardware/defaults.ts';
import { powerTable, stageEnergy } from './power.ts';
import type { EstimateSetup } from './estimate-setup.ts';
import type { DenoiseCost } from './denoise-cost.ts';
import type { EncodeDecodeCost } from './encode-decode-cost.ts';
import type { WeightPlan } from './weights.ts';
import type { Estimate } from './estimate.ts';
import type { PostprocessCost } from './postprocess-cost.ts';

export interface RequestEnergy {
  gpuEnergyWh: number;
  energyWh: number;
  power: Estimate['power'];
}

/** `totalSeconds`: the GPU group's time of the request (a host-CPU encode after it excluded); `pp`: its post-processing on the group. */
export function requestEnergy(s: EstimateSetup, d: DenoiseCost, ed: EncodeDecodeCost, w: WeightPlan, totalSeconds: number, pp: PostprocessCost | null = null): RequestEnergy {
  const { opts, plan, device, groupN, node, totalGpus, warnings } = s;
  const pt = powerTable(device.gpu.id, device.profile, !device.extrapolated, opts.sustained ? device.powerLimitW : undefined);
  const teE = plan.t5 === 'cpu' ? { joules: 0, meanW: pt.idleW } : stageEnergy(pt, ed.teCost.ops, ed.teCost.seconds);
  const fwd = d.fwdMean ?? d.fwdStage;
  const fwdE = stageEnergy(pt, fwd.ops, fwd.seconds);
  const vaeE = stageEnergy(pt, ed.vaeOnce.ops, ed.vaeOnce.seconds);
  const denoiseW = fwdE.meanW;
  const gpuJoules =
    groupN * ed.teCost.seconds * teE.meanW +
    groupN * ed.encodeSeconds * vaeE.meanW +
    groupN * (d.denoiseSeconds + w.streamExposed) * denoiseW +
    ed.vaeSeconds * (ed.vaeShards * vaeE.meanW + (groupN - ed.vaeShards) * pt.idleW) +
    groupN * w.transferSeconds * pt.transferW +
    (pp?.gpu_energy_wh ?? 0) * 3600;
  const gpuEnergyWh = gpuJoules / 3600;
  const nonGpu = node.nonGpuPowerW;
  const nodeShare = totalGpus / node.gpusPerNode;
  const pue = POWER_DEFAULTS.pue.default;
  const energyWh = (gpuEnergyWh + (nonGpu.busy * nodeShare * totalSeconds) / 3600) * pue;
  if (pt.extrapolated) warnings.push(`power: ${pt.gpu} has no measured power; board power scaled from the H100 by TDP`);
  if (node.nonGpuPowerProxy) warnings.push(`power: ${node.id}'s non-GPU power (${nonGpu.busy} W busy, ${nonGpu.idle} W idle: CPUs, DRAM, NICs, fans) is not measured on that system but borrowed from ${node.nonGpuPowerProxy}`);
  return {
    gpuEnergyWh,
    energyWh,
    power: {
      per_gpu_w: { text_encode: teE.meanW, denoise: denoiseW, vae_decode: vaeE.meanW, vae_idle_ranks: pt.idleW, transfer: pt.transferW, idle: pt.idleW, deep_idle: pt.deepIdleW, postprocess: pp?.power_w ?? pt.idleW },
      node_non_gpu_w: { idle: nonGpu.idle, busy: nonGpu.busy },
      gpus_per_node: node.gpusPerNode,
      pue,
      extrapolated: pt.extrapolated,
    },
  };
}
