/**
 * What collectives cost on the GPUs of a replica: the topology of the node type (NVSwitch, PCIe switch
 * tree with its cross-socket hop, NVLink bridge pairs, Infinity Fabric / HCCS full mesh) and of the
 * inter-node fabric (one NIC per GPU rail, optional spine oversubscription), turned into alpha-beta times.
 *
 * Bandwidths are per direction and corrected by each link's bus-bandwidth efficiency, derived in the
 * catalog from published nccl-tests/rccl-tests runs (src/hardware/links.ts, `busBwEfficiency`).
 *
 * Within a node, for p GPUs and a buffer of S bytes (nccl-tests "size"):
 *   all-gather / reduce-scatter (ring): (p−1)·α + (p−1)/p · S / B
 *   all-reduce (ring):                 2(p−1)·α + 2(p−1)/p · S / B
 *   all-to-all (pairwise):              (p−1)·α + (p−1)/p · S / B_a2a
 *   send/recv:                          α + S / B_pair
 * where B is the ring bottleneck and B_a2a the all-to-all bottleneck: on NVSwitch both are the per-GPU
 * NVLink bandwidth; on a full mesh a group of p GPUs uses p−1 of each GPU's links; on a PCIe tree the
 * all-to-all also pushes p·S/4 bytes through the cross-socket link when the group spans both sockets.
 * Across k nodes (n GPUs of the group per node) collectives are hierarchical: the intra-node phase over
 * NVLink and the inter-node phase over the rail NICs, e.g. all-gather = (n−1)/n·S/B_intra +
 * (k−1)/k·(S/n)/B_nic; all-to-all = max(local (n−1)/p·S / B_intra, remote (p−n)/p·S / B_nic).
 * Every collective also pays a fixed per-call cost: the intercept of this node type's measured curves where
 * calibration/collectives/ has them (PyTorch + NCCL at 2 × H100: 46-100 µs by kind), else the catalog's
 * NCCL small-message floor (~10 µs intra-node).
 * Where calibration/collectives/ holds a measured curve for the node type and group size, it is used
 * instead inside a node (measured-collectives.ts); `FabricOptions.measured: false` turns that off.
 */
import type { LinkSpec, NodeSpec } from '../hardware/types.ts';
import { getLink, getNode } from '../hardware/catalog.ts';
import { measuredCallCost, measuredCollective } from './measured-collectives.ts';

export type CollectiveKind = 'alltoall' | 'allgather' | 'reducescatter' | 'allreduce' | 'sendrecv' | 'broadcast';

/** NCCL's small-message latency floor inside a node (hardware catalog, collectives.alpha_beta "Empirical crossover", factryze). */
export const COLLECTIVE_FLOOR_US = 10;

export interface FabricOptions {
  /** Inter-node link id (default: the node type's NIC link). */
  link?: string;
  /** Spine oversubscription (1 = non-blocking, e.g. rail-optimized within a rail group). */
  oversubscription?: number;
  /** GPUs of each node the replica uses (default: all of them); fewer spreads a replica over more nodes. */
  gpusPerNode?: number;
  /** Use measured collective curves where calibration/collectives has them (default true; false: pure model). */
  measured?: boolean;
}

export interface CollectiveCost {
  seconds: number;
  /** Bus bandwidth achieved (nccl-tests definition), GB/s. */
  busBwGBs: number;
  bottleneck: string;
}

export class Network {
  readonly node: NodeSpec;
  private readonly intra: LinkSpec | undefined;
  private readonly nic: LinkSpec | undefined;
  private readonly oversub: number;
  private readonly useMeasured: boolean;
  /** GPUs of each node the replica uses. */
  readonly gpusPerNode: number;

  constructor(nodeId: string, fabric: FabricOptions = {}) {
    this.node = getNode(nodeId);
    this.gpusPerNode = Math.min(this.node.gpusPerNode, fabric.gpusPerNode ?? this.node.gpusPerNode);
    this.intra = this.node.gpusPerNode > 1 ? getLink(this.node.intraNode.link) : undefined;
    const nicLink = fabric.link ?? this.node.nics.link;
    this.nic = nicLink ? getLink(nicLink) : undefined;
    this.oversub = fabric.oversubscription ?? 1;
    this.useMeasured = fabric.measured ?? true;
  }

  /** Per-GPU ring bandwidth inside a node for a group of `p` GPUs (GB/s, efficiency applied). */
  private intraRing(p: number): { gbs: number; what: string } {
    const l = this.intra!;
    const eff = l.busBwEfficiency;
    switch (this.node.intraNode.topology) {
      case 'nvswitch':
        return { gbs: l.perDirGBs * eff, what: `${l.id} via NVSwitch` };
      case 'full-mesh':
      case 'hccs-mesh': {
        // a pair has one direct link; a group of p uses p−1 links per GPU
        const perLink = l.perLinkPerDirGBs ?? l.perDirGBs / Math.max(1, (l.linksPerGpu ?? this.node.gpusPerNode - 1));
        return { gbs: Math.min(l.perDirGBs, perLink * (p - 1)) * eff, what: `${p - 1} ${l.id} link(s) of the mesh` };
      }
      case 'nvlink-bridge-pairs':
        if (p === 2) return { gbs: l.perDirGBs * eff, what: `${l.id} bridge` };
        return this.pcieRing(p);
      case 'pcie-switch-tree':
        return this.pcieRing(p);
      case 'none':
        return { gbs: Infinity, what: 'single GPU' };
    }
  }

  private pcieRing(p = this.node.gpusPerNode): { gbs: number; what: string } {
    const l = getLink(this.node.hostLinkPerGpu);
    const own = l.perDirGBs * l.busBwEfficiency;
    const shared = this.uplinkShare(p);
    if (shared !== undefined && shared < own) return { gbs: shared, what: `${l.id} switch uplink shared by ${this.gpusPerSwitch(p)} GPUs (no P2P: staged through host memory)` };
    return { gbs: own, what: `${l.id} through the PCIe tree` };
  }

  /** GPUs of a p-GPU group behind one PCIe switch. */
  private gpusPerSwitch(p: number): number {
    return Math.min(p, this.node.intraNode.gpusPerPcieSwitch ?? 1);
  }

  /**
   * Without GPU P2P (GeForce), NCCL's SHM transport moves every byte GPU → host memory → GPU, so all GPUs
   * behind a PCIe switch send and receive through its one uplink to the CPU (a link like the GPUs' own):
   * each gets a share of it. Undefined when P2P works or the GPUs have root ports of their own.
   */
  private uplinkShare(p: number): number | undefined {
    if (this.node.intraNode.p2p !== false) return undefined;
    const n = this.gpusPerSwitch(p);
    if (n <= 1) return undefined;
    const l = getLink(this.node.hostLinkPerGpu);
    return (l.perDirGBs * l.busBwEfficiency) / n;
  }

  /** Per-GPU all-to-all bandwidth inside a node (GB/s), including the cross-socket bottleneck on PCIe. */
  private intraAllToAll(p: number, S: number): { seconds: number; what: string } {
    const ring = this.intraRing(p);
    const perGpu = ((p - 1) / p) * S / (ring.gbs * 1e9);
    const topo = this.node.intraNode.topology;
    if ((topo === 'pcie-switch-tree' || (topo === 'nvlink-bridge-pairs' && p > 2)) && p > this.node.gpusPerNode / this.node.intraNode.cpuSockets) {
      const upiId = this.node.intraNode.crossSocketLink ?? 'upi';
      const upi = getLink(upiId);
      const cross = (p * S) / 4; // half the group on each socket: (p/2)·(p/2)·S/p bytes each way
      // the platform's measured 8-GPU ring all-reduce crosses the sockets, so the cross-socket path carries
      // at least the ring bandwidth per direction; the catalog's modelled UPI figure is a lower bound
      const crossGBs = Math.max(upi.perDirGBs * upi.busBwEfficiency, ring.gbs);
      const crossS = cross / (crossGBs * 1e9);
      if (crossS > perGpu) return { seconds: crossS, what: `cross-socket link (${crossGBs.toFixed(0)} GB/s)` };
    }
    return { seconds: perGpu, what: ring.what };
  }

  /** Bandwidth of the rail NIC(s) one GPU can use for inter-node traffic (GB/s, efficiency applied). */
  private nicPerGpu(): { gbs: number; what: string } {
    if (!this.nic || this.node.nics.count === 0) return { gbs: 0, what: 'no NIC' };
    const share = Math.min(1, this.node.nics.count / this.node.gpusPerNode);
    return { gbs: (this.nic.perDirGBs * this.nic.busBwEfficiency * share) / this.oversub, what: `${this.nic.id}${share < 1 ? ` shared by ${this.node.gpusPerNode / this.node.nics.count} GPUs` : ''}${this.oversub > 1 ? `, ${this.oversub}:1 oversubscribed` : ''}` };
  }

  private alpha(multiNode: boolean): number {
    const intra = this.intra?.latencyUs ?? 0;
    const inter = multiNode ? (this.nic?.latencyUs ?? 0) : 0;
    return (Math.max(intra, inter)) * 1e-6;
  }

  /**
   * Time of one collective over `p` GPUs, laid out as consecutive ranks (ranks r..r+p−1 with this
   * node type's GPUs per node), with `S` = nccl-tests size in bytes.
   */
  collective(kind: CollectiveKind, S: number, p: number, stride = 1): CollectiveCost {
    if (p <= 1 || S <= 0) return { seconds: 0, busBwGBs: Infinity, bottleneck: 'none' };
    const n = Math.min(p, Math.max(1, Math.floor(this.gpusPerNode / stride))); // group members per node
    const k = Math.ceil(p / n); // nodes spanned
    // the size-independent cost of one call: measured on this node type where we have it (PyTorch + NCCL,
    // protocol fill), else the catalog's NCCL small-message floor
    const floor = (this.useMeasured ? measuredCallCost(this.node.id, kind)?.seconds : undefined) ?? COLLECTIVE_FLOOR_US * 1e-6;
    const a = this.alpha(k > 1);
    let seconds: number;
    let bottleneck: string;
    const measured = k === 1 && this.useMeasured ? measuredCollective(this.node.id, kind, S, p) : undefined;
    if (measured) {
      seconds = measured.seconds;
      bottleneck = measured.source;
    } else if (k === 1) {
      const ring = this.intraRing(p);
      switch (kind) {
        case 'allgather':
        case 'reducescatter':
          seconds = floor + (p - 1) * a + ((p - 1) / p) * S / (ring.gbs * 1e9);
          bottleneck = ring.what;
          break;
        case 'allreduce':
          seconds = floor + 2 * (p - 1) * a + ((2 * (p - 1)) / p) * S / (ring.gbs * 1e9);
          bottleneck = ring.what;
          break;
        case 'broadcast':
          seconds = floor + (p - 1) * a + S / (ring.gbs * 1e9);
          bottleneck = ring.what;
          break;
        case 'sendrecv':
          seconds = floor + a + S / (ring.gbs * 1e9);
          bottleneck = ring.what;
          break;
        case 'alltoall': {
          const x = this.intraAllToAll(p, S);
          seconds = floor + (p - 1) * a + x.seconds;
          bottleneck = x.what;
          break;
        }
      }
    } else {
      const ring = this.intraRing(n);
      const nic = this.nicPerGpu();
      if (!(nic.gbs > 0)) throw new Error(`node type ${this.node.id} has no NICs: a replica cannot span ${k} nodes`);
      const intra = (bytes: number) => (n > 1 ? bytes / (ring.gbs * 1e9) : 0);
      const inter = (bytes: number) => bytes / (nic.gbs * 1e9);
      const steps = (p - 1) * a;
      switch (kind) {
        case 'allgather':
        case 'reducescatter': {
          const ti = intra(((n - 1) / n) * S);
          const te = inter(((k - 1) / k) * (S / n));
          seconds = floor + steps + ti + te;
          bottleneck = te > ti ? nic.what : ring.what;
          break;
        }
        case 'allreduce': {
          const ti = intra(((2 * (n - 1)) / n) * S);
          const te = inter(((2 * (k - 1)) / k) * (S / n));
          seconds = floor + 2 * steps + ti + te;
          bottleneck = te > ti ? nic.what : ring.what;
          break;
        }
        case 'broadcast': {
          const ti = intra(S);
          const te = inter(S);
          seconds = floor + steps + Math.max(ti, te);
          bottleneck = te > ti ? nic.what : ring.what;
          break;
        }
        case 'sendrecv':
          seconds = floor + a + inter(S);
          bottleneck = nic.what;
          break;
        case 'alltoall': {
          const ti = intra(((n - 1) / p) * S);
          const te = inter(((p - n) / p) * S);
          seconds = floor + steps + Math.max(ti, te);
          bottleneck = te > ti ? nic.what : ring.what;
          break;
        }
      }
    }
    const factor = kind === 'allreduce' ? (2 * (p - 1)) / p : kind === 'broadcast' || kind === 'sendrecv' ? 1 : (p - 1) / p;
    return { seconds, busBwGBs: (S * factor) / seconds / 1e9, bottleneck };
  }
}
