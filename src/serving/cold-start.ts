/**
 * Cold starts: how long a replica takes to load its model, phase by phase.
 *
 *   1. read the checkpoint (DiT experts, umT5, VAE) from the storage tier into host memory — a flow that
 *      shares the tier's bandwidth with every other load in progress (per node for local NVMe, per client
 *      and in aggregate for network tiers), capped by what the host can ingest with PyTorch's default
 *      loader (measured: calibration/host/h100-test-vm.json: page_cache_read_gbps for the safetensors DiT
 *      shards, torch_load_from_page_cache_gbps for the .pth umT5 and VAE files). A node whose page
 *      cache still holds the checkpoint skips storage and reads it from memory at the same ingest cap.
 *   2. cast the fp32 DiT weights to bf16 on the CPU, as the official code does (measured
 *      cpu_cast_fp32_to_bf16_gbps);
 *   3. copy each GPU's share to the GPU with module.to() from pageable memory (measured module_to_cuda_gbps
 *      in the GPU profile), all GPUs of the replica in parallel.
 * With GPUDirect Storage the DiT checkpoint (bf16 safetensors) streams from the tier straight into the GPUs
 * at the tier's GDS rate, skipping 2 and 3; the umT5 and VAE .pth files still go through torch.load and a
 * host copy. Before any of this the replica's processes start: interpreter, `import torch`, CUDA context,
 * and NCCL for multi-GPU replicas (measured: calibration/host/startup-h100-x2.json).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import type { StorageSpec, NodeSpec } from '../hardware/types.ts';
import { getStorage } from '../hardware/catalog.ts';
import type { ModelSpec } from '../workload/models.ts';
import { ditParams } from '../workload/models.ts';
import type { Storage } from '../scenario/schema.ts';

const here = dirname(fileURLToPath(import.meta.url));

export interface ProcessStart {
  /** Fresh interpreter + `import torch` + first CUDA tensor (context), s. */
  processS: number;
  /** NCCL init_process_group + first all-reduce (multi-GPU replicas), s; measured at `ncclRanks` ranks. */
  ncclS: number;
  ncclRanks: number;
  source: string;
}

let startup: ProcessStart | undefined;
/** Process start-up costs measured on the calibration host (calibration/startup.py). */
export function measuredProcessStart(): ProcessStart {
  if (!startup) {
    const file = join(here, '..', '..', 'calibration', 'host', 'startup-h100-x2.json');
    const d = JSON.parse(readFileSync(file, 'utf8')) as Record<string, number>;
    startup = { processS: d.process_total_s!, ncclS: d.nccl_init_s!, ncclRanks: d.nccl_init_ranks!, source: 'calibration/host/startup-h100-x2.json' };
  }
  return startup;
}

export interface HostLoadRates {
  /** GB/s the host ingests safetensors checkpoint bytes (the DiT shards): a plain sequential read. */
  ingestGBs: number;
  /** GB/s of torch.load() on a .pth file (umT5 and VAE checkpoints of the official release). */
  torchLoadGBs: number;
  /** GB/s of fp32 weights cast to bf16 on the CPU. */
  castGBs: number;
  source: string;
}

let hostRates: HostLoadRates | undefined;
/** Host-side loading rates measured on the calibration host. */
export function measuredHostRates(): HostLoadRates {
  if (!hostRates) {
    const file = join(here, '..', '..', 'calibration', 'host', 'h100-test-vm.json');
    const d = JSON.parse(readFileSync(file, 'utf8')) as Record<string, number>;
    hostRates = { ingestGBs: d.page_cache_read_gbps!, torchLoadGBs: d.torch_load_from_page_cache_gbps!, castGBs: d.cpu_cast_fp32_to_bf16_gbps_of_fp32_read!, source: 'calibration/host/h100-test-vm.json' };
  }
  return hostRates;
}

export interface CheckpointBytes {
  /** Bytes read from storage. */
  total: number;
  /** Of which .pth files read with torch.load (text encoder, VAE). */
  pthBytes: number;
  /** fp32 DiT bytes cast on the CPU (0 when stored in bf16 or loaded with GDS). */
  castBytes: number;
}

/** The checkpoint a replica reads: the parts its stages use (all of them unless the pool is disaggregated). */
export function checkpointBytes(model: ModelSpec, storage: Storage, stages: { encode: boolean; denoise: boolean; decode: boolean } = { encode: true, denoise: true, decode: true }): CheckpointBytes {
  const ditBytesPerParam = storage.checkpoint_dtype === 'fp32' ? 4 : 2;
  const dit = stages.denoise ? model.experts * ditParams(model.dit) * ditBytesPerParam : 0;
  const pth = (stages.encode ? model.textEncoder.checkpointBytes : 0) + (stages.decode ? model.vae.checkpointBytes : 0);
  return { total: dit + pth, pthBytes: pth, castBytes: storage.checkpoint_dtype === 'fp32' && !storage.gds ? dit : 0 };
}

export interface StorageTier {
  id: string;
  spec: StorageSpec | undefined;
  /** Read bandwidth per node (bytes/s). */
  perNodeBps: number;
  /** Shared by all nodes (bytes/s), Infinity for node-local storage. */
  aggregateBps: number;
  /** GPUDirect Storage read per GPU (bytes/s). */
  gdsPerGpuBps: number;
  local: boolean;
  /** True when the figures are an assumption (node type without drive data). */
  assumed?: boolean;
  note: string;
}

/** Rate (bytes/s) at which one replica's host ingests its checkpoint: safetensors at the read rate, .pth
 * files at the torch.load rate (the harmonic blend, since the loader reads the files one after another). */
export function hostIngestBps(bytes: CheckpointBytes, rates: HostLoadRates): number {
  const GB = 1e9;
  const seconds = (bytes.total - bytes.pthBytes) / (rates.ingestGBs * GB) + bytes.pthBytes / (rates.torchLoadGBs * GB);
  return seconds > 0 ? bytes.total / seconds : Infinity;
}

/** Resolves the scenario's storage section against the node type (local NVMe RAID 0 by default). */
export function storageTier(storage: Storage, node: NodeSpec): StorageTier {
  const GB = 1e9;
  if (storage.tier === 'local-nvme') {
    const ls = node.localStorage;
    const raid = ls.raid0ReadGBs ?? (ls.drives && ls.driveReadGBs ? ls.drives * ls.driveReadGBs : undefined);
    // a node type without drive figures in the catalog: assume one PCIe 4.0 NVMe drive (flagged in the note)
    const assumed = storage.read_gbs === undefined && raid === undefined;
    const drive = getStorage(ls.storage ?? 'nvme-gen4');
    const perNode = storage.read_gbs ?? raid ?? drive.readGBs;
    return {
      id: 'local-nvme', spec: drive, perNodeBps: perNode * GB, aggregateBps: Infinity,
      gdsPerGpuBps: (drive.gdsReadGBs ?? perNode) * GB, local: true, assumed,
      note: assumed
        ? `local storage of ${node.id} is not in the catalog: assumed one ${drive.id} drive at ${perNode.toFixed(1)} GB/s (set cluster.storage.read_gbs)`
        : `local NVMe RAID 0 of ${node.id}: ${perNode.toFixed(1)} GB/s per node${storage.read_gbs ? ' (override)' : ''}`,
    };
  }
  const spec = getStorage(storage.tier);
  const perNode = storage.read_gbs ?? spec.readGBs;
  return {
    id: spec.id, spec, perNodeBps: perNode * GB, aggregateBps: (storage.aggregate_gbs ?? Infinity) * GB,
    gdsPerGpuBps: (spec.gdsReadGBs ?? perNode) * GB, local: spec.kind === 'local-nvme',
    note: `${spec.name}: ${perNode.toFixed(1)} GB/s per node${storage.aggregate_gbs ? `, ${storage.aggregate_gbs} GB/s shared` : ''}`,
  };
}
