/**
 * Where the GPU groups of a parallel plan sit on the hardware, and what their collectives cost there.
 *
 * Ranks are assigned innermost-first in the order tp, ulysses, ring, pipefusion, cfg, (expert group),
 * dp — the groups that communicate most get the closest GPUs (the same rule xDiT/Megatron use). A group
 * of size p with rank stride s has min(p, gpusPerNode/s) members on a node.
 */
import type { CollectiveOp, CommGroup } from '../workload/ops.ts';
import type { OpTime } from './device.ts';
import type { CollectivePricer } from './stage-cost.ts';
import { Network, type FabricOptions } from '../parallel/network.ts';
import { groupGpus, planGpus, type ParallelPlan } from '../parallel/plan.ts';
import { getGpu, getNode, listGpus, listNodes } from '../hardware/catalog.ts';
import { InputError } from '../errors.ts';

export interface GroupShape {
  /** GPUs in the group. */
  p: number;
  /** Rank distance between consecutive members. */
  stride: number;
}

export class ReplicaLayout {
  readonly network: Network;
  readonly gpus: number;
  /** Nodes the replica spans. */
  readonly nodes: number;

  constructor(
    readonly plan: ParallelPlan,
    readonly nodeId: string,
    fabric: FabricOptions = {},
  ) {
    this.network = new Network(nodeId, fabric);
    this.gpus = planGpus(plan);
    this.nodes = Math.ceil(this.gpus / this.network.gpusPerNode);
  }

  group(comm: CommGroup): GroupShape {
    const p = this.plan;
    switch (comm) {
      case 'tp':
        return { p: p.tp, stride: 1 };
      case 'ulysses':
        return { p: p.ulysses, stride: p.tp };
      case 'ring':
        return { p: p.ring, stride: p.tp * p.ulysses };
      case 'sp':
        return { p: p.ulysses * p.ring, stride: p.tp };
      case 'fsdp':
        return { p: p.tp * p.ulysses * p.ring, stride: 1 };
      case 'pipefusion':
        return { p: p.pipefusion, stride: p.tp * p.ulysses * p.ring };
      case 'cfg':
        return { p: p.cfg, stride: p.tp * p.ulysses * p.ring * p.pipefusion };
      case 'vae':
        return { p: groupGpus(p), stride: 1 };
    }
  }

  /** Prices collective ops on this layout (full time of all executions, before any overlap). */
  readonly pricer: CollectivePricer = (op: CollectiveOp): OpTime & { bottleneck?: string } => {
    const g = this.group(op.comm);
    const c = this.network.collective(op.collective, op.bytes, g.p, g.stride);
    const seconds = c.seconds * op.count;
    return { seconds, kernels: op.count, bound: 'link', flops: 0, bytes: op.bytes * op.count, rate: c.busBwGBs, rateUnit: 'GB/s', bottleneck: c.bottleneck };
  };
}

/** The node type a GPU normally comes in: an explicit id, else the catalog's first multi-GPU node of that GPU. */
export function defaultNodeFor(gpuId: string, gpus: number): string {
  const gpu = getGpu(gpuId);
  const nodes = listNodes().filter((n) => n.gpu === gpu.id);
  const multi = nodes.filter((n) => n.gpusPerNode > 1);
  const pick = (gpus > 1 ? multi[0] : undefined) ?? nodes.find((n) => n.gpusPerNode === 1) ?? multi[0] ?? nodes[0];
  if (!pick) {
    // --node cannot help: a node type names its GPU, and none names this one
    const carried = listGpus().filter((g) => listNodes().some((n) => n.gpu === g.id)).map((g) => g.id);
    throw new InputError([{
      source: 'request', path: 'gpu',
      message: `no node type in the catalog carries ${gpu.name}, so vgsim has no box (GPUs per node, intra-node links, NICs, host) to place it in`,
      hint: `pick a GPU that a node type carries (vgsim list nodes): ${carried.join(', ')}`,
    }]);
  }
  return pick.id;
}

export function nodeGpu(nodeId: string): string {
  return getNode(nodeId).gpu;
}
