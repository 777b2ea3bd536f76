/**
 * Power: what every GPU group and node draws, set at each event that changes it; the meter (engine/power-meter.ts)
 * integrates the levels exactly.
 *
 *  - a stage server running a phase draws the phase's per-GPU power × its GPUs (service.ts sets it);
 *  - a replica's GPUs otherwise sit at awake idle (serving, loading), at deep idle (asleep, or failed on a node
 *    that is up), or at 0 on a node that is off or failed;
 *  - a node's non-GPU parts draw between its idle and busy figures by the share of its GPUs that are busy
 *    (linear), its GPUs no replica uses sit at deep idle, and nothing is drawn while the node is off or failed.
 * Per-GPU levels come from each pool's cost-model estimate (perf/power.ts); GPUs of a pool no class runs on
 * use the GPU's power table.
 */
import type { Scenario } from '../scenario/schema.ts';
import type { NodeSpec } from '../hardware/types.ts';
import type { Estimate } from '../perf/estimate.ts';
import { powerTable } from '../perf/power.ts';
import type { ClusterState, NodeState, Replica } from './state.ts';

/** Per-GPU power (W) of each state of a pool's GPUs. */
export type PowerLevels = Estimate['power']['per_gpu_w'];

export class Power {
  constructor(private readonly state: ClusterState) {}

  /** Every replica state change passes here: GPU-hours awake, the timeline and the routing score follow it. */
  markAwake(r: Replica): void {
    this.state.awakeGpus.set(`r${r.id}`, r.state === 'asleep' ? 0 : r.pool.gpus, r.pool.name);
    this.state.timeline?.replicaState(r);
    this.state.ports.touch(r);
  }

  /** A replica's GPUs when not running a batch: awake idle, deep idle, or off with their node. */
  idlePower(r: Replica): void {
    this.markAwake(r);
    const pw = r.pool.power;
    const level = r.state === 'active' || r.state === 'loading' ? pw.idle : r.nodes.some((n) => n.state === 'off' || n.state === 'failed') ? 0 : pw.deep_idle;
    for (const server of r.servers) {
      this.state.meter.setLevel(server.power, level * server.gpus);
      this.state.cooling?.level(r, server, level);
    }
  }

  /** Node non-GPU power follows the share of its GPUs that are busy (linear between the idle and busy figures). */
  updateNodePower(n: NodeState): void {
    const meter = this.state.meter;
    this.state.timeline?.nodeState(n);
    const np = n.overhead;
    let watts = 0;
    if (n.state === 'on' || n.state === 'booting') {
      let busy = 0;
      for (const r of n.replicas) for (const server of r.servers) if (server.batch) busy += server.gpus / r.nodes.length;
      const frac = Math.min(1, busy / n.spec.gpusPerNode);
      watts = np.idle + (np.busy - np.idle) * (n.state === 'on' ? frac : 0);
      // GPUs no replica uses sit at deep idle while the node is on
      meter.setLevel(n.freePower, n.freeGpus * n.deepIdleW);
      this.state.cooling?.node(n, n.deepIdleW, n.state === 'on' ? frac : 0, true);
    } else {
      meter.setLevel(n.freePower, 0);
      this.state.cooling?.node(n, 0, 0, false);
    }
    meter.setLevel(n.power, watts);
  }
}

/** A pool's per-GPU power levels: its estimate's, or the GPU's power table when no class runs on it. */
export function powerLevels(e: Estimate | undefined, gpu: string): PowerLevels {
  if (e) return e.power.per_gpu_w;
  const t = powerTable(gpu, undefined, false);
  return { text_encode: 0, denoise: 0, vae_decode: 0, vae_idle_ranks: 0, transfer: 0, idle: t.idleW, deep_idle: t.deepIdleW, postprocess: 0 };
}

/** Non-GPU power of a node: the scenario's power.node_overhead_w (for all nodes or by node type), else the catalog. */
export function nodeOverhead(s: Scenario, spec: NodeSpec): { idle: number; busy: number } {
  const o = s.power.node_overhead_w;
  const mine = o === undefined ? undefined : 'idle' in o || 'busy' in o ? (o as { idle?: number; busy?: number }) : (o as Record<string, { idle?: number; busy?: number }>)[spec.id];
  return { idle: mine?.idle ?? spec.nonGpuPowerW.idle, busy: mine?.busy ?? spec.nonGpuPowerW.busy };
}

const deepIdleCache = new Map<string, number>();
/** Deep-idle board power of a GPU (W), from its power table. */
export function deepIdleOf(gpu: string): number {
  let w = deepIdleCache.get(gpu);
  if (w === undefined) deepIdleCache.set(gpu, (w = powerTable(gpu, undefined, false).deepIdleW));
  return w;
}
