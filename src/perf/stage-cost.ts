/**
 * Prices a stage (a list of operators) on a device: per-op times, the launch bound, and the top operators.
 */
import type { CollectiveOp, Op } from '../workload/ops.ts';
import type { DeviceModel, OpTime, Bound } from './device.ts';
import { overlapContention } from '../parallel/measured-collectives.ts';
import { hostSecondsPerKernel } from './host-dispatch.ts';

export interface PricedOp extends OpTime {
  name: string;
  group: string;
  kind: Op['kind'];
  count: number;
  /** Shape summary for reports, e.g. "m=75600 n=5120 k=5120 bf16". */
  shape: string;
  /** Collectives: time before overlap with compute (`seconds` is the exposed part). */
  fullSeconds?: number;
  /** Collectives: the link that limits them. */
  bottleneck?: string;
}

export interface StageCost {
  /** Wall time of one execution of the stage, seconds. */
  seconds: number;
  /** Sum of GPU kernel time (launch gaps included). */
  gpuSeconds: number;
  /** CPU time to issue all kernels (eager PyTorch is host-bound when kernels are tiny; host-dispatch.ts). */
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
      return `${op.collective} ${(op.bytes / 1e6).toFixed(1)} MB over the ${op.comm} group`;
  }
}

/** Prices a collective: its full (unhidden) time for all `count` executions. */
export type CollectivePricer = (op: CollectiveOp) => OpTime & { bottleneck?: string };

/**
 * Prices ops on a device; collectives go to `collectives` (the network model of the replica). A
 * collective marked `hiddenBehind` another op (or op group) only exposes the part of each execution
 * that outlasts one execution of that op, plus the contention share κ of the overlapped part:
 * exposed = max(0, t_c − t_h) + κ·min(t_c, t_h) per execution (κ from calibration/collectives, see
 * parallel/measured-collectives.ts; 0 would be perfect overlap).
 */
const CONTENTION = overlapContention();
export function priceStage(device: DeviceModel, ops: readonly Op[], collectives?: CollectivePricer): StageCost {
  const priced: PricedOp[] = [];
  const byBound: Record<Bound, number> = { compute: 0, memory: 0, launch: 0, link: 0 };
  const byGroup: Record<string, number> = {};
  let gpu = 0, kernels = 0, flops = 0, bytes = 0;
  // compute ops first, so overlapped collectives can see what they hide behind
  const computeTime = new Map<string, { seconds: number; count: number }>();
  const groupTime = new Map<string, number>();
  const add = (p: PricedOp) => {
    priced.push(p);
    gpu += p.seconds;
    kernels += p.kernels;
    flops += p.flops;
    bytes += p.bytes;
    byBound[p.bound] += p.seconds;
    byGroup[p.group] = (byGroup[p.group] ?? 0) + p.seconds;
  };
  for (const op of ops) {
    if (op.kind === 'collective') continue;
    const t = device.opTime(op);
    // the fields written out, in OpTime's order, not `{ ...t, name, … }`: V8 copied the memoised OpTimes
    // (several hidden classes) through its slow path, over half of a plan search's pricing time
    add({ seconds: t.seconds, kernels: t.kernels, bound: t.bound, flops: t.flops, bytes: t.bytes, rate: t.rate, rateUnit: t.rateUnit, name: op.name, group: op.group, kind: op.kind, count: op.count, shape: shapeOf(op) });
    computeTime.set(op.name, { seconds: t.seconds, count: op.count });
    groupTime.set(op.group, (groupTime.get(op.group) ?? 0) + t.seconds);
  }
  for (const op of ops) {
    if (op.kind !== 'collective') continue;
    if (!collectives) throw new Error(`collective ${op.name} needs a network model (a multi-GPU layout)`);
    const full = collectives(op);
    let exposed = full.seconds;
    if (op.hiddenBehind && op.count > 0) {
      const target = computeTime.get(op.hiddenBehind);
      const each = target ? target.seconds / target.count : (groupTime.get(op.hiddenBehind) ?? 0) / op.count;
      const t = full.seconds / op.count;
      // the overlap is not free: NCCL's kernels take SMs and HBM bandwidth from the compute they run beside
      // (contention κ measured with an FSDP all-gather next to a block's GEMMs, measured-collectives.ts)
      exposed = (Math.max(0, t - each) + CONTENTION.kappa * Math.min(t, each)) * op.count;
    }
    add({ seconds: exposed, kernels: full.kernels, bound: full.bound, flops: full.flops, bytes: full.bytes, rate: full.rate, rateUnit: full.rateUnit, bottleneck: full.bottleneck, fullSeconds: full.seconds, name: op.name, group: op.group, kind: op.kind, count: op.count, shape: shapeOf(op) });
  }
  const hostPerKernel = hostSecondsPerKernel(device);
  const launch = kernels * hostPerKernel;
  // one host thread issues the compute ops into one stream; collectives add their exposed time after
  const compute = priced.filter((p) => p.kind !== 'collective');
  const exposedCollectives = priced.reduce((a, p) => a + (p.kind === 'collective' ? p.seconds : 0), 0);
  const wall = issuedStreamSeconds(compute, hostPerKernel) + exposedCollectives;
  const seconds = Math.max(gpu, wall);
  if (seconds > gpu) byBound.launch += seconds - gpu;
  return { seconds, gpuSeconds: gpu, launchSeconds: launch, kernels, flops, bytes, byBound, byGroup, ops: priced, launchBound: launch > gpu };
}

/**
 * Wall time of ops that one host thread issues, in program order, into one CUDA stream: the host spends
 * `hostPerKernel` on each kernel it launches; the GPU starts a kernel when it has been issued and the one
 * before it has finished. Where the host is slower than the GPU (runs of tiny kernels) the GPU idles; where
 * the GPU is slower (large GEMMs, attention) the host runs ahead and later tiny kernels hide behind the
 * queue. Consecutive ops with the same count > 1 (a DiT block's ops, `count` = layers) are replayed as one
 * block `count` times; an op's kernels share its time equally.
 */
export function issuedStreamSeconds(ops: readonly { count: number; kernels: number; seconds: number }[], hostPerKernel: number): number {
  let issued = 0; // host clock: when the last kernel was launched
  let done = 0; // GPU clock: when the last kernel finished
  const h = hostPerKernel;
  const run = (op: { count: number; kernels: number; seconds: number }) => {
    if (op.kernels === 0) { done += op.seconds / op.count; return; } // a copy without a kernel: GPU timeline only
    const k = Math.max(1, Math.round(op.kernels / op.count));
    const g = op.seconds / op.count / k;
    // k identical kernels, each issued h after the last and started when issued and the GPU is free:
    // the closed form of done_j = max(done_{j-1}, issued + j·h) + g after k steps
    done = Math.max(done + k * g, issued + h + (k - 1) * Math.max(g, h) + g);
    issued += k * h;
  };
  for (let i = 0; i < ops.length;) {
    const count = ops[i].count;
    let end = i + 1;
    while (count > 1 && end < ops.length && ops[end].count === count) end++;
    if (count > 0) for (let r = 0; r < count; r++) for (let j = i; j < end; j++) run(ops[j]);
    i = end;
  }
  return done;
}

const pricedStages = new WeakMap<readonly Op[], WeakMap<DeviceModel, Map<CollectivePricer | undefined, { cost: StageCost; notes: readonly string[] }>>>();
/** Whether an op list has collectives: only then does its price depend on the layout's collective pricer. */
const hasCollectives = new WeakMap<readonly Op[], boolean>();

/**
 * priceStage, memoised by (ops, device, collective pricer) identity: op lists built once per shape
 * (stage-builds.ts) on shared devices and layouts are priced once per process. An op list without
 * collectives never calls the pricer, so it is priced once per device whatever the layout (a plan search's
 * VAE decode on rank 0). The notes pricing raised are raised again on a hit. Callers must not mutate the
 * returned cost.
 */
export function priceStageOnce(device: DeviceModel, ops: readonly Op[], collectives?: CollectivePricer): StageCost {
  let byDevice = pricedStages.get(ops);
  if (!byDevice) {
    pricedStages.set(ops, (byDevice = new WeakMap()));
    hasCollectives.set(ops, ops.some((op) => op.kind === 'collective'));
  }
  if (!hasCollectives.get(ops)) collectives = undefined;
  let byPricer = byDevice.get(device);
  if (!byPricer) byDevice.set(device, (byPricer = new Map()));
  const hit = byPricer.get(collectives);
  if (hit) {
    for (const n of hit.notes) device.raise(n);
    return hit.cost;
  }
  const before = device.raisedNotes.length;
  const cost = priceStage(device, ops, collectives);
  byPricer.set(collectives, { cost, notes: device.raisedNotes.slice(before) });
  return cost;
}
