/**
 * Cold starts: how a replica gets its model onto its GPUs, and how it sleeps and wakes.
 *
 *   0. its processes start: interpreter, `import torch`, CUDA context, and NCCL for multi-GPU replicas
 *      (measured: calibration/host/startup-h100-x2.json; cluster.storage.process_start_s overrides);
 *   1. the checkpoint (DiT experts, umT5, VAE: the parts of the stages its pool runs) is read from the storage
 *      tier into host memory — a flow that shares the tier's bandwidth with every other load in progress (per
 *      node for local NVMe, per client and in aggregate for network tiers; engine/flows.ts), capped by what the
 *      host ingests with PyTorch's default loader (measured: calibration/host/h100-test-vm.json:
 *      page_cache_read_gbps for the safetensors DiT shards, torch_load_from_page_cache_gbps for the .pth umT5
 *      and VAE files). A node whose page cache still holds the checkpoint skips storage and reads it from
 *      memory at the same ingest cap;
 *   2. the fp32 DiT weights are cast to bf16 on the CPU, as the official code does (measured
 *      cpu_cast_fp32_to_bf16_gbps);
 *   3. each GPU's share is copied to the GPU with module.to() from pageable memory (measured
 *      module_to_cuda_gbps in the GPU profile), all GPUs of the replica in parallel.
 * With GPUDirect Storage the DiT checkpoint (bf16 safetensors) streams from the tier straight into the GPUs
 * at the tier's GDS rate, skipping 2 and 3; the umT5 and VAE .pth files still go through torch.load and a
 * host copy.
 *
 * Sleep and wake (autoscale.ts decides when): a sleeping replica's GPUs idle deeply, or its node powers off
 * once all its replicas sleep (sleep: node; the page cache is lost); waking boots the node (boot_s, an
 * assumption the scenario sets) and cold-starts the replica. A replica serves only once active; requests
 * routed to it meanwhile queue there, and requests that waited at its pool move onto it when it activates.
 */
import { readFileSync } from 'node:fs';
import { packagePath } from '../package-files.ts';
import type { StorageSpec, NodeSpec } from '../hardware/types.ts';
import { getStorage } from '../hardware/catalog.ts';
import type { ModelSpec } from '../workload/models.ts';
import { ditParams } from '../workload/models.ts';
import type { Storage } from '../scenario/schema.ts';
import { getModel } from '../workload/request.ts';
import { DeviceModel } from '../perf/device.ts';
import type { ClusterState, Replica } from './state.ts';
import type { TimelineLoad } from './timeline.ts';


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
    const file = packagePath('calibration', 'host', 'startup-h100-x2.json');
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
    const file = packagePath('calibration', 'host', 'h100-test-vm.json');
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
  // + HunyuanVideo-1.5's SR DiT, loaded with the base DiT
  const dit = stages.denoise ? (model.experts * ditParams(model.dit) + (model.sampler.secondDitParams ?? 0)) * ditBytesPerParam : 0;
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

const GB = 1e9;

/** Process start-up before loading (s): the scenario's process_start_s, else measured (+ NCCL for multi-GPU replicas). */
export function processStartSeconds(storage: Storage, gpus: number, measured: ProcessStart = measuredProcessStart()): number {
  return storage.process_start_s ?? measured.processS + (gpus > 1 ? measured.ncclS : 0);
}

/**
 * Host-side seconds after the checkpoint is read: with GDS only the .pth files (umT5, VAE) go through torch.load
 * and a copy to the GPU (`pthGpuBytes` of their bf16/fp32 weights); otherwise the CPU cast of the fp32 DiT and
 * the copy of each GPU's resident weights (`residentGb`, all GPUs in parallel).
 */
export function hostSeconds(o: { gds: boolean; bytes: CheckpointBytes; pthGpuBytes: number; residentGb: number; h2dBps: number; rates: HostLoadRates }): number {
  if (o.gds) return o.bytes.pthBytes / (o.rates.torchLoadGBs * GB) + o.pthGpuBytes / o.h2dBps;
  return o.bytes.castBytes / (o.rates.castGBs * GB) + (o.residentGb * GB) / o.h2dBps;
}

/** Cold starts, sleep and wake of the cluster's replicas. */
export class ColdStart {
  private readonly hostRates = measuredHostRates();
  private readonly procStart = measuredProcessStart();

  constructor(private readonly state: ClusterState) {}

  /** The replica starts serving: requests waiting at its pool move onto it. */
  activate(rep: Replica): void {
    const { sim, ports } = this.state;
    rep.state = 'active';
    endDowntime(rep, sim.now);
    ports.idlePower(rep);
    for (let req = rep.pool.pending.shift(); req; req = rep.pool.pending.shift()) {
      if (req.timeout !== undefined) sim.cancel(req.timeout);
      req.timeout = undefined;
      ports.dispatch(req);
    }
    ports.startNext(rep);
  }

  /** Cold start: process start → storage (or page cache) → CPU cast → GPU copy; then the replica serves. */
  load(rep: Replica): void {
    const { sim, scenario: s, recorder, flows, timeline: tl } = this.state;
    rep.state = 'loading';
    this.state.ports.idlePower(rep);
    recorder.coldStarts++;
    const t0 = sim.now;
    const storage = s.cluster.storage;
    const model = getModel(rep.pool.modelId);
    const runs = { encode: rep.pool.first <= 0, denoise: rep.pool.first <= 1 && rep.pool.last >= 1, decode: rep.pool.first <= 2 && rep.pool.last >= 2 };
    const bytes = checkpointBytes(model, storage, runs);
    const node = rep.nodes[0]!;
    const tier = this.state.tiers.get(node.spec.id)!;
    const cached = storage.page_cache && !storage.gds && rep.nodes.every((n) => n.pageCache.has(rep.pool.modelId));
    const h2dBps = new DeviceModel(rep.pool.gpu).hostLinkGBs('h2d', false, true) * GB;
    const startup = processStartSeconds(storage, rep.pool.gpus, this.procStart);
    const rec: TimelineLoad | undefined = tl ? {
      type: 'load', replica: rep.id, start: t0, end: NaN, outcome: 'running', bytes: bytes.total,
      source: cached ? 'page cache' : storage.gds ? `${tier.id} (GPUDirect Storage)` : tier.id,
      parts: [{ label: 'process start-up', start: t0, end: t0 + startup }],
    } : undefined;
    if (rec) tl!.loadStart(rep, rec);
    const afterRead = () => {
      rep.loadFlow = undefined;
      if (storage.page_cache) for (const n of rep.nodes) n.pageCache.add(rep.pool.modelId);
      const est = this.state.estimates.find((e) => e.pool === rep.pool.name)?.estimate;
      const residentGb = est ? Math.max(...est.memory.phases.map((p) => (p.breakdown_gb.dit_weights ?? 0) + (p.breakdown_gb.text_encoder_weights ?? 0) + (p.breakdown_gb.vae_weights ?? 0))) : bytes.total / rep.pool.gpus / GB;
      const pthGpuBytes = (runs.encode ? (model.textEncoder.blockParams + model.textEncoder.embeddingParams) * 2 : 0) + (runs.decode ? model.vae.params * 4 : 0);
      const host = hostSeconds({ gds: !!storage.gds, bytes, pthGpuBytes, residentGb, h2dBps, rates: this.hostRates });
      if (rec) {
        rec.parts[1]!.end = sim.now;
        rec.parts.push({ label: storage.gds ? 'umT5/VAE .pth load + copy to GPU (DiT by GDS)' : 'host cast + copy to GPU', start: sim.now, end: sim.now + host });
      }
      rep.wakeEvent = sim.schedule(host, () => {
        rep.wakeEvent = undefined;
        tl?.loadEnd(rep, 'ready');
        recorder.coldStartTimes.add(sim.now - t0);
        this.activate(rep);
      });
    };
    rep.wakeEvent = sim.schedule(startup, () => {
      rep.wakeEvent = undefined;
      const pipes = [...rep.nodes.map((n) => n.storagePipe)];
      const agg = this.state.aggregatePipes.get(tier.id);
      if (agg && !cached) pipes.push(agg);
      const cap = storage.gds ? tier.gdsPerGpuBps * rep.pool.gpus : hostIngestBps(bytes, this.hostRates) * rep.nodes.length;
      rec?.parts.push({ label: cached ? 'checkpoint read (page cache)' : `checkpoint read (${tier.id}${storage.gds ? ', GDS' : ''})`, start: sim.now, end: NaN });
      // a page-cache hit reads host memory at the ingest rate, without touching storage
      rep.loadFlow = cached ? flows.start(bytes.total, [], afterRead, cap) : flows.start(bytes.total, pipes, afterRead, cap);
    });
  }

  /** Wakes a sleeping replica: boots its nodes that are off (boot_s), then cold-starts it. */
  wake(rep: Replica): void {
    const { sim, recorder, ports } = this.state;
    const off = rep.nodes.filter((n) => n.state === 'off');
    if (off.length === 0) return this.load(rep);
    rep.state = 'waking';
    ports.markAwake(rep);
    for (const n of off) {
      n.state = 'booting';
      recorder.nodeBoots++;
      ports.updateNodePower(n);
    }
    rep.wakeEvent = sim.schedule(rep.pool.autoscale?.boot_s ?? 0, () => {
      rep.wakeEvent = undefined;
      for (const n of rep.nodes) if (n.state === 'booting') {
        n.state = 'on';
        ports.updateNodePower(n);
        for (const other of n.replicas) if (other !== rep) ports.idlePower(other);
      }
      this.load(rep);
    });
  }

  /** Puts a replica to sleep; with sleep: node, powers off each of its nodes whose replicas all sleep. */
  sleep(rep: Replica): void {
    const { recorder, ports } = this.state;
    rep.state = 'asleep';
    ports.idlePower(rep);
    if (rep.pool.autoscale?.sleep === 'node') {
      for (const n of rep.nodes) {
        if (n.state === 'on' && n.replicas.every((r) => r.state === 'asleep')) {
          n.state = 'off';
          n.pageCache.clear();
          recorder.nodeShutdowns++;
          ports.updateNodePower(n);
          for (const r of n.replicas) ports.idlePower(r);
        }
      }
    }
  }
}

/** The replica is up again: the time since it went down for a failure counts as downtime. */
export function endDowntime(rep: Replica, now: number): void {
  if (Number.isNaN(rep.downSince)) return;
  rep.downTime += now - rep.downSince;
  rep.downSince = NaN;
}
