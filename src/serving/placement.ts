/**
 * Where a replica's GPUs are: first-fit placement on the pool's node type (a replica larger than a node spans
 * whole nodes), and which replica holds a given GPU of a node (failures hit GPUs).
 */
import type { NodeState, Replica } from './state.ts';

/** First-fit placement of a replica of `gpus` GPUs on nodes of one type; spans whole nodes when larger than one. */
export function place(nodes: NodeState[], nodeId: string, gpus: number): NodeState[] | undefined {
  const candidates = nodes.filter((n) => n.spec.id === nodeId);
  const per = candidates[0]?.spec.gpusPerNode ?? 0;
  if (gpus <= per) {
    const n = candidates.find((x) => x.freeGpus >= gpus);
    if (!n) return undefined;
    n.freeGpus -= gpus;
    return [n];
  }
  const need = Math.ceil(gpus / per);
  const empty = candidates.filter((x) => x.freeGpus === per).slice(0, need);
  if (empty.length < need) return undefined;
  for (const n of empty) n.freeGpus -= Math.min(per, gpus - per * empty.indexOf(n));
  return empty;
}

/** The replica using GPU index `g` of a node (replicas are packed in placement order). */
export function replicaOfGpu(n: NodeState, g: number): Replica | undefined {
  let offset = 0;
  for (const r of n.replicas) {
    const here = r.nodes.length > 1 ? n.spec.gpusPerNode : r.pool.gpus;
    if (g < offset + here) return r;
    offset += here;
  }
  return undefined;
}
