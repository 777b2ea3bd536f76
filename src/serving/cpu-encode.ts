/**
 * Host-CPU video encoding (x264/x265, a class's `postprocess.encode.on: cpu`): after a request's GPU work, its
 * encode runs on the cores of the node that finished it, while the GPUs take the next request. Each node has
 * its host CPU's physical cores (catalog hostCpu, else the generic default of hardware/host-cpu.ts); an encode
 * takes `cores` of them for `seconds` (the measured per-core rate scaled by cores, perf/postprocess-cost.ts)
 * and waits, first come first served, while too few are free. The cores' power is not metered (the node's
 * non-GPU power is a fixed idle/busy pair): a known gap, stated in the README.
 */
import { FifoQueue } from '../engine/index.ts';
import { DEFAULT_HOST_CPU } from '../hardware/host-cpu.ts';
import type { ClusterState, NodeState } from './state.ts';

interface Job {
  cores: number;
  seconds: number;
  queuedAt: number;
  done: () => void;
}

export interface CpuEncodeStats {
  encodes: number;
  waitSeconds: number;
  coreSeconds: number;
}

export class CpuEncoders {
  private readonly stats: CpuEncodeStats;
  private readonly free = new Map<NodeState, number>();
  private readonly queues = new Map<NodeState, FifoQueue<Job>>();

  constructor(private readonly state: ClusterState) {
    this.stats = state.recorder.cpuEncodes;
  }

  /** Cores of a node's host CPU. */
  static cores(node: NodeState): number {
    return node.spec.hostCpu?.cores ?? DEFAULT_HOST_CPU.cores;
  }

  /** Runs an encode of `seconds` on `cores` cores of `node`, then calls `done`. */
  run(node: NodeState, cores: number, seconds: number, done: () => void): void {
    let q = this.queues.get(node);
    if (!q) this.queues.set(node, (q = new FifoQueue<Job>()));
    if (!this.free.has(node)) this.free.set(node, CpuEncoders.cores(node));
    q.push({ cores: Math.min(cores, CpuEncoders.cores(node)), seconds, queuedAt: this.state.sim.now, done });
    this.pump(node);
  }

  private pump(node: NodeState): void {
    const q = this.queues.get(node)!;
    const sim = this.state.sim;
    for (let head = q.peek(); head && this.free.get(node)! >= head.cores; head = q.peek()) {
      q.shift();
      const job = head;
      this.free.set(node, this.free.get(node)! - job.cores);
      this.stats.encodes++;
      this.stats.waitSeconds += sim.now - job.queuedAt;
      this.stats.coreSeconds += job.cores * job.seconds;
      sim.schedule(job.seconds, () => {
        this.free.set(node, this.free.get(node)! + job.cores);
        job.done();
        this.pump(node);
      });
    }
  }
}
