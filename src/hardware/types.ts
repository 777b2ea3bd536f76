/**
 * Typed hardware catalog for vgsim.
 *
 * Units (everywhere in src/hardware):
 *   GB = 1e9 B, GB/s = 1e9 B/s, Gb/s = 1e9 bit/s, TFLOP/s = 1e12 FLOP/s **dense** (no 2:4 sparsity),
 *   W, USD, µs / ms as named.
 *
 * Provenance: every entry carries `sources: Record<fieldPath, string>`; every numeric field (nested fields as dotted
 * paths, e.g. 'tflops.bf16', 'nics.count') has an entry there: a datasheet / URL / catalog reference or
 * "derived: <formula>". Numeric values inside `measuredBusBw` items carry their own `source` string instead.
 * Optional fields left undefined mean "nothing sourced was found" (the entry's `notes` says so).
 */

export type Confidence = 'high' | 'medium' | 'low';

/** fieldPath -> citation or "derived: ..." */
export type Sources = Record<string, string>;

export type Vendor = 'nvidia' | 'amd' | 'huawei';

/** Dense peak throughput in TFLOP/s (1e12 FLOP/s), no structured sparsity. */
export interface TflopsSpec {
  /** BF16 tensor/matrix, FP32 accumulate. */
  bf16: number;
  /** FP16 tensor/matrix, FP32 accumulate where the vendor distinguishes (GeForce). */
  fp16: number;
  fp8?: number;
  fp4?: number;
  /** TF32 tensor (dense). */
  tf32?: number;
  /** Non-tensor (vector/SIMT) FP32. */
  fp32: number;
  /** Vector FP64 (non-tensor). */
  fp64?: number;
}

export type ScaleUpTopology = 'nvswitch' | 'nvlink-bridge-pair' | 'full-mesh' | 'none';

export interface GpuSpec {
  /** slug, e.g. 'h100-sxm' */
  id: string;
  name: string;
  vendor: Vendor;
  arch: string;
  formFactor: string;
  memType?: string;
  /** Marketed capacity (GB as printed by the vendor; for HBM parts this is usually really GiB). */
  memGB: number;
  /**
   * Device memory the runtime reports as total (nvidia-smi / cudaMemGetInfo / rocm-smi), converted to GB (1e9 B).
   * CUDA/ROCm context and allocator overheads are NOT subtracted.
   */
  memUsableGB: number;
  /** Peak memory bandwidth, GB/s. */
  memBwGBs: number;
  tflops: TflopsSpec;
  /** NVIDIA SMs; for AMD this holds the compute-unit (CU) count; for Ascend the AI-core count if known. */
  smCount?: number;
  /** Highest SM clock the GPU runs at when power and temperature allow (nvidia-smi max SM clock), MHz. */
  boostClockMHz?: number;
  /**
   * Dense BF16 tensor FLOPs one SM does per clock (FP32 accumulate): the silicon's per-clock rate, from
   * which the clock the datasheet's tensor peaks are quoted at follows (peak / (SMs × this)). Hopper GH100:
   * 4,096; cut-down or GeForce parts less. Undefined: the datasheet peak is taken at `boostClockMHz`.
   */
  tensorFlopsPerSmClock?: number;
  /** Vendor TDP / max board power, W. */
  tdpW: number;
  /** Deep idle (no context or idle context, lowest P-state reached), W. */
  idleW?: number;
  /** LinkSpec id of the host link the GPU supports (e.g. 'pcie5-x16', 'nvlink-c2c'). */
  hostLink: string;
  scaleUp: {
    /** LinkSpec id or null when the part has no scale-up fabric. */
    link: string | null;
    topology: ScaleUpTopology;
    /** Theoretical per-GPU per-direction scale-up bandwidth, GB/s (aggregate over all its links). */
    perGpuPerDirGBs: number;
  };
  /** Representative on-demand price, USD per GPU-hour (date and provider in sources). */
  cloudUsdPerGpuHour?: number;
  /**
   * What kind of price cloudUsdPerGpuHour is, in a few words from its source: who lists it and how
   * ("RunPod on-demand", the catalog's rule; else e.g. "median across providers"). Prices of one kind compare;
   * prices of different kinds (an upper-end list price against a market median) do not.
   */
  cloudPriceBasis?: string;
  confidence: Confidence;
  notes?: string;
  sources: Sources;
}

export type LinkKind =
  | 'nvlink'
  | 'pcie'
  | 'infinity-fabric'
  | 'hccs'
  | 'infiniband'
  | 'roce'
  | 'c2c'
  | 'upi'
  | 'ethernet';

export type Collective = 'allreduce' | 'allgather' | 'reducescatter' | 'alltoall' | 'broadcast' | 'sendrecv' | 'any';

export interface MeasuredBusBw {
  collective: Collective;
  /** 'ring' | 'nvls' | 'tree' | ... when the source says; undefined = not stated. */
  algorithm?: string;
  gpus: number;
  nodes?: number;
  /** Message size in bytes (nccl-tests sizes are binary: '8G' = 2^33 B). null = "large", size not stated. */
  messageBytes: number | null;
  /** nccl-tests/rccl-tests busbw, GB/s. */
  busBwGBs: number;
  source: string;
  note?: string;
}

export interface LinkSpec {
  id: string;
  name: string;
  kind: LinkKind;
  /** Theoretical bandwidth per direction, GB/s (per GPU aggregate for scale-up fabrics, per port for NICs). */
  perDirGBs: number;
  /** Port rate for NICs, Gb/s. */
  portGbps?: number;
  linksPerGpu?: number;
  /** Per single link per direction, GB/s (matters for meshes where one GPU pair gets one link). */
  perLinkPerDirGBs?: number;
  /** One-hop latency, µs (sourced or documented typical value). */
  latencyUs: number;
  measuredBusBw?: MeasuredBusBw[];
  /** Large-message achieved busbw / perDirGBs (derivation in sources.busBwEfficiency). */
  busBwEfficiency: number;
  confidence: Confidence;
  notes?: string;
  sources: Sources;
}

export type IntraNodeTopology =
  | 'nvswitch'
  | 'pcie-switch-tree'
  | 'nvlink-bridge-pairs'
  | 'full-mesh'
  | 'hccs-mesh'
  /** single-GPU box: no GPU-GPU fabric */
  | 'none';

export interface NodeSpec {
  id: string;
  name: string;
  /** What the entry is modelled on (system / submission / VM type). */
  referencePlatform: string;
  /** GpuSpec id */
  gpu: string;
  gpusPerNode: number;
  intraNode: {
    topology: IntraNodeTopology;
    /** LinkSpec id of the GPU-GPU path (NVLink gen, HCCS, xGMI, or the PCIe gen for PCIe-only boxes). */
    link: string;
    pcieSwitches?: number;
    gpusPerPcieSwitch?: number;
    cpuSockets: number;
    /** LinkSpec id of the socket-to-socket link, e.g. 'upi'. */
    crossSocketLink?: string;
    /**
     * GPU peer-to-peer over PCIe (default true). GeForce drivers disable it: NCCL then stages every byte
     * through host memory (SHM transport), so GPUs behind one PCIe switch share its uplink to the CPU.
     */
    p2p?: boolean;
  };
  /** Host DRAM, GB. */
  hostDramGB?: number;
  /** LinkSpec id of each GPU's path to host memory as wired in this platform (may be below what the GPU supports). */
  hostLinkPerGpu: string;
  /** The node's CPUs, where --t5_cpu runs umT5 (default: a generic server CPU; host-cpu.ts). */
  hostCpu?: import('./host-cpu.ts').HostCpu;
  /** How the host pages in fresh memory (default: bare metal with transparent huge pages; host-memory.ts). */
  hostMemory?: import('./host-memory.ts').HostMemory;
  nics: {
    count: number;
    /** LinkSpec id (ib-ndr, roce-400, ...) or null when count = 0. */
    link: string | null;
    perNicGbps: number;
  };
  localStorage: {
    drives?: number;
    driveTB?: number;
    /** StorageSpec id of the drive class. */
    storage?: string;
    /** Sequential read per drive, GB/s. */
    driveReadGBs?: number;
    /** Node-level striped read, GB/s (measured where available). */
    raid0ReadGBs?: number;
  };
  /** PSU-rated / nameplate system max input power, W. */
  maxPowerW?: number;
  /** Everything except the GPUs (CPUs, DRAM, NICs, switches, fans, storage, PSU loss), W. */
  nonGpuPowerW: { idle: number; busy: number };
  /**
   * Set where nonGpuPowerW is not this system's own figure but borrowed from another one: what it is borrowed
   * from (outputs that use the node's power say so).
   */
  nonGpuPowerProxy?: string;
  psuEfficiency?: number;
  rackUnits?: number;
  confidence: Confidence;
  notes?: string;
  sources: Sources;
}

export type StorageKind = 'local-nvme' | 'nfs' | 'object-store' | 'parallel-fs' | 'network-fs-gds';

export interface StorageSpec {
  id: string;
  name: string;
  kind: StorageKind;
  /** Sequential read per device (local-nvme) or per client node (network storage), GB/s. */
  readGBs: number;
  writeGBs?: number;
  /** Access latency, ms (undefined where nothing sourced). */
  latencyMs?: number;
  /** GPUDirect Storage read per GPU / per node where the catalog has a figure, GB/s. */
  gdsReadGBs?: number;
  confidence: Confidence;
  notes: string;
  sources: Sources;
}

export interface PowerDefaults {
  pue: {
    /** The value the simulator should use unless a scenario overrides it. */
    default: number;
    industryAverage: number;
    hyperscale: number;
    colocation: number;
  };
  /** AC->DC PSU efficiency at ~50% load. Nameplate and measured wall power already include it. */
  psuEfficiency: number;
  /** Generic non-GPU power of an 8-GPU 2-socket server, W (proxy for nodes without their own figure). */
  genericHostNonGpuPowerW: { idle: number; busy: number };
  notes?: string;
  sources: Sources;
}

export interface PriceDefaults {
  electricityUsdPerKwh: number;
  electricityUsdPerKwhChina: number;
  colocationUsdPerKwMonth: number;
  amortizationYears: number;
  /** Annual support/maintenance as % of hardware purchase price. */
  maintenancePctPerYear: number;
  /** Resale/residual value after the amortization period, % of purchase. */
  residualValuePct?: number;
  notes?: string;
  sources: Sources;
}
