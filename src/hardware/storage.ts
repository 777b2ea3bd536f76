/**
 * Storage classes for model-weight / checkpoint loading. readGBs is per device for local NVMe and per client node
 * for network storage. GB/s = 1e9 B/s; GiB/s figures from sources are converted (x 1.0737, noted).
 *
 * End-to-end load rates are far below raw device rates: vLLM cold load of a 145 GB model on 4x H100 from an
 * 8-drive local NVMe stripe ran at ~6.5-7.2 GB/s effective (vllm PR #52462); fastsafetensors + GDS reached
 * 26.4 GB/s raw NVMe read (fastsafetensors README). The perf model should apply its own loader efficiency.
 */
import type { StorageSpec } from './types.ts';
import { R, GIB_GB } from './refs.ts';

const round2 = (x: number): number => Math.round(x * 100) / 100;

export const STORAGE: readonly StorageSpec[] = [
  {
    id: 'nvme-gen3',
    name: 'NVMe SSD, PCIe 3.0 x4',
    kind: 'local-nvme',
    readGBs: 3.5,
    confidence: 'medium',
    notes: 'Typical upper bound for Gen3 x4 drives. Latency not sourced.',
    sources: { readGBs: `${R.nuvorixNvme} (up to 3,500 MB/s); ${R.velocitymicro}` },
  },
  {
    id: 'nvme-gen4',
    name: 'NVMe SSD, PCIe 4.0 x4',
    kind: 'local-nvme',
    readGBs: 7,
    writeGBs: 6.9,
    gdsReadGBs: round2(26.4 * GIB_GB),
    confidence: 'medium',
    notes:
      'Per-drive sequential read up to ~7 GB/s (Samsung 990 Pro 7.45 read / 6.9 write). gdsReadGBs: peak GPUDirect Storage read into ONE GPU (L40S, Gen4 x16) = 26.4 GiB/s, i.e. bounded by the GPU PCIe link, not one drive; 24.3 GiB/s at 8 MiB I/O. POSIX compat mode costs ~2x on writes. Latency not sourced.',
    sources: {
      readGBs: `${R.nuvorixNvme} (up to 7,000 MB/s); ${R.velocitymicro}; ${R.digiopediaGen5}`,
      writeGBs: `${R.digiopediaGen5} (Samsung 990 Pro 6.9 GB/s write)`,
      gdsReadGBs: `derived: 26.4 GiB/s x 1.0737 (${R.gdsReport}; ${R.gdsTheory})`,
    },
  },
  {
    id: 'nvme-gen5',
    name: 'NVMe SSD, PCIe 5.0 x4',
    kind: 'local-nvme',
    readGBs: 14,
    writeGBs: 11.8,
    confidence: 'medium',
    notes:
      'Real Gen5 drives 12-14.5 GB/s read, 10-12.7 write (Crucial T700 12.4/11.8; enterprise Solidigm D7-PS1010 ~14.5 read); x4 theoretical ~16 GB/s. Latency not sourced.',
    sources: {
      readGBs: `${R.nuvorixNvme} (up to 14,000 MB/s); ${R.digiopediaGen5}`,
      writeGBs: `${R.digiopediaGen5} (Crucial T700 11.8 GB/s write)`,
    },
  },
  {
    id: 'nvme-gen5-raid0-4x',
    name: 'RAID0 of 4x Gen5 NVMe (Solidigm D7-PS1010, md raid0 XFS) -> 4 GPUs via GDS',
    kind: 'local-nvme',
    readGBs: round2(53.0 * GIB_GB),
    writeGBs: round2(39.5 * GIB_GB),
    gdsReadGBs: round2(13.3 * GIB_GB),
    confidence: 'medium',
    notes: 'Array read 53.0 GiB/s = 91% of the 58 GB/s theoretical; gdsReadGBs is per GPU when 4 GPUs share the array (13.3 GiB/s).',
    sources: {
      readGBs: `derived: 53.0 GiB/s x 1.0737 (${R.gdsReport}; ${R.gdsTheory})`,
      writeGBs: `derived: 39.5 GiB/s x 1.0737 (${R.gdsReport})`,
      gdsReadGBs: `derived: 13.3 GiB/s per GPU x 1.0737 (${R.gdsReport})`,
    },
  },
  {
    id: 'nfs',
    name: 'NFS over RDMA (VAST, 400GbE client) -> GPU via GDS',
    kind: 'nfs',
    readGBs: round2(43.4 * GIB_GB),
    gdsReadGBs: round2(43.4 * GIB_GB),
    confidence: 'medium',
    notes:
      'Per client node with one 400GbE port: 43.4 GiB/s = 96% of line rate. Plain NFS over TCP without RDMA/GDS is not characterised in the catalog. Latency not sourced.',
    sources: {
      readGBs: `derived: 43.4 GiB/s x 1.0737 (${R.gdsTheory})`,
      gdsReadGBs: `derived: 43.4 GiB/s x 1.0737 (${R.gdsTheory})`,
    },
  },
  {
    id: 'parallel-fs',
    name: 'Parallel file system on a DGX SuperPOD storage fabric (per node, GDS)',
    kind: 'parallel-fs',
    readGBs: 40,
    gdsReadGBs: 40,
    confidence: 'medium',
    notes:
      'NVIDIA H100 SuperPOD RA design target: "a GDS-enabled application should be able to read data at over 40 GBps" per node (vendor-neutral: Lustre/Weka/GPFS/VAST class). Weaker exam-prep guidance: "often 8 GiB/s or more" sustained per node. Latency not sourced.',
    sources: {
      readGBs: `${R.superpodRa} (over 40 GB/s per node with GDS); alternative 8 GiB/s sustained guidance (${R.certsforce})`,
      gdsReadGBs: `${R.superpodRa}`,
    },
  },
  {
    id: 'object-store-s3',
    name: 'Amazon S3 (object store) from one EC2 instance',
    kind: 'object-store',
    readGBs: 8.003,
    latencyMs: 20,
    confidence: 'medium',
    notes:
      'Best single-instance download throughput in a 2019 sweep (c5n.18xlarge, 100 Gb/s NIC); most instance types were NIC-limited at 1.1-2.7 GB/s. Per-connection ~93 MB/s, so ~86 parallel streams are needed for 8 GB/s. p90 time-to-first-byte ~20 ms regardless of object size. Request limits: 5,500 GET/HEAD per second per partitioned prefix.',
    sources: {
      readGBs: `${R.s3Benchmark} (8,003 MB/s)`,
      latencyMs: `${R.s3Benchmark} (p90 TTFB ~20 ms)`,
    },
  },
];
