/**
 * Prices a stage (a list of operators) on a device: per-op times, the launch bound, and the top operators.
 */
import type { Op } from '../workload/ops.ts';
import type { DeviceModel, OpTime, Bound } from './device.ts';

export interface PricedOp extends OpTime {
  name: string;
  group: string;
  kind: Op['kind'];
  count: number;
  /** Shape summary for reports, e.g. "m=75600 n=5120 k=5120 bf16". */
  shape: string;
}

export interface StageCost {
  /** Wall time of one execution of the stage, seconds. */
  seconds: number;
  /** Sum of GPU kernel time (launch gaps included). */
  gpuSeconds: number;
  /** CPU time to launch all kernels (eager PyTorch is CPU-bound when kernels are tiny). */
  launchSeconds: number;
  kernels: number;
  flops: number;
  bytes: number;
  /** GPU time by bound. */
  byBound: Record<Bound, number>;
  /** GPU time by model part (group). */
  byGroup: Record<string, number>;
  ops: PricedOp[];
  /** The stage is launch-bound (CPU cannot feed the GPU). */
  launchBound: boolean;
}

export function shapeOf(op: Op): string {
  switch (op.kind) {
    case 'gemm':
      return `m=${op.m} n=${op.n} k=${op.k}${op.batch > 1 ? ` batch=${op.batch}` : ''} ${op.dtype}`;
    case 'attention':
      return `${op.kernel} b=${op.batch} h=${op.heads} lq=${op.lq} lk=${op.lk} d=${op.headDim}`;
    case 'conv':
      return `conv${op.dims}d ${op.cin}->${op.cout} k=${op.kernel.join('x')} out=${op.out.join('x')} ${op.dtype}${op.dtype === 'fp32' && op.tf32 ? '(tf32)' : ''}`;
    case 'elementwise':
      return `${op.ew} ${(op.bytes / 1e6).toFixed(1)} MB x${op.kernels} kernels`;
    case 'transfer':
      return `${op.direction} ${(op.bytes / 1e9).toFixed(2)} GB ${op.module ? 'module.to()' : op.pinned ? 'pinned' : 'pageable'}`;
    case 'collective':
      return `${op.collective} ${(op.bytes / 1e6).toFixed(1)} MB over ${op.ranks} GPUs`;
  }
}

/**
 * Prices ops on a device. `extra` lets the caller price ops the device model does not own
 * (collectives on the network).
 */
export function priceStage(device: DeviceModel, ops: readonly Op[], extra?: (op: Op) => OpTime | undefined): StageCost {
  const priced: PricedOp[] = [];
  const byBound: Record<Bound, number> = { compute: 0, memory: 0, launch: 0, link: 0 };
  const byGroup: Record<string, number> = {};
  let gpu = 0, kernels = 0, flops = 0, bytes = 0;
  for (const op of ops) {
    const t = extra?.(op) ?? device.opTime(op);
    priced.push({ ...t, name: op.name, group: op.group, kind: op.kind, count: op.count, shape: shapeOf(op) });
    gpu += t.seconds;
    kernels += t.kernels;
    flops += t.flops;
    bytes += t.bytes;
    byBound[t.bound] += t.seconds;
    byGroup[op.group] = (byGroup[op.group] ?? 0) + t.seconds;
  }
  const launch = kernels * device.cpuLaunchS;
  const launchBound = launch > gpu;
  if (launchBound) byBound.launch += launch - gpu;
  return { seconds: Math.max(gpu, launch), gpuSeconds: gpu, launchSeconds: launch, kernels, flops, bytes, byBound, byGroup, ops: priced, launchBound };
}
