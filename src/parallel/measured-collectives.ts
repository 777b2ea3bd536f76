/**
 * Measured collective times (calibration/nccl_bench.py → calibration/collectives/<name>.json): where a
 * file covers the node type and the group size, its curve replaces the alpha-beta model inside a node.
 * Between measured sizes the time is interpolated linearly in log(bytes)–log(seconds); below the smallest
 * size the smallest time holds (the latency floor); above the largest, time grows in proportion to bytes
 * (the largest size's bandwidth).
 *
 * The same files hold the FSDP overlap measurement: an all-gather running on a side stream next to a
 * block's GEMMs does not hide for free — NCCL's kernels take SMs and HBM bandwidth from the GEMMs. The
 * contention factor κ = (t_overlapped − max(t_c, t_g)) / min(t_c, t_g) is the share of the shorter of
 * the two that is still paid (0: perfect overlap, 1: none).
 */
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { packagePath } from '../package-files.ts';
import type { CollectiveKind } from './network.ts';

const DIR = packagePath('calibration', 'collectives');

interface Row {
  kind: CollectiveKind;
  ranks: number;
  bytes: number;
  seconds: number;
  bus_gbs: number;
}

export interface CollectivesFile {
  schema: string;
  gpu: string;
  node: string;
  world_size: number;
  collectives: Row[];
  ulysses: { tokens: number; ranks: number; heads_per_rank: number; head_dim: number; a2a_bytes_per_rank: number; a2a_qkv_s: number; attention_s: number; a2a_out_s: number; layer_s: number }[];
  fsdp_overlap: { tokens: number; ranks: number; gathered_bytes: number; compute_s: number; allgather_s: number; overlapped_s: number }[];
  file: string;
}

let cache: CollectivesFile[] | undefined;

export function collectiveFiles(): CollectivesFile[] {
  if (!cache) {
    cache = [];
    if (existsSync(DIR)) {
      for (const f of readdirSync(DIR).filter((x) => x.endsWith('.json')).sort()) {
        const d = JSON.parse(readFileSync(join(DIR, f), 'utf8')) as CollectivesFile;
        if (d.schema === 'vgsim-collectives/1' && d.gpu && d.node) cache.push({ ...d, file: `calibration/collectives/${f}` });
      }
    }
  }
  return cache;
}

/** Measured time of a collective on `p` GPUs of one node of this type, or undefined when not measured. */
export function measuredCollective(nodeId: string, kind: CollectiveKind, bytes: number, p: number): { seconds: number; source: string } | undefined {
  for (const f of collectiveFiles()) {
    if (f.node !== nodeId) continue;
    const rows = f.collectives.filter((r) => r.kind === kind && r.ranks === p).sort((a, b) => a.bytes - b.bytes);
    if (rows.length < 2) continue;
    return { seconds: interpolate(rows, bytes), source: `measured, ${f.file}` };
  }
  return undefined;
}

/**
 * Per-call fixed cost of a collective kind on this node type, from its measured curve: the intercept of a
 * least-squares line t = a + S/B over the bandwidth regime (sizes ≥ 32 MiB) of the largest measured group.
 * It holds what a size-independent floor should: PyTorch's call overhead, NCCL's launch and protocol
 * pipeline fill (2 × H100: 46 µs all-gather … 100 µs send/recv). Undefined where nothing was measured.
 */
export function measuredCallCost(nodeId: string, kind: CollectiveKind): { seconds: number; source: string } | undefined {
  for (const f of collectiveFiles()) {
    if (f.node !== nodeId) continue;
    const ranks = Math.max(...f.collectives.filter((r) => r.kind === kind).map((r) => r.ranks));
    const rows = f.collectives.filter((r) => r.kind === kind && r.ranks === ranks && r.bytes >= 32 * 2 ** 20);
    if (rows.length < 3) continue;
    const mx = rows.reduce((a, r) => a + r.bytes, 0) / rows.length;
    const my = rows.reduce((a, r) => a + r.seconds, 0) / rows.length;
    const slope = rows.reduce((a, r) => a + (r.bytes - mx) * (r.seconds - my), 0) / rows.reduce((a, r) => a + (r.bytes - mx) ** 2, 0);
    return { seconds: Math.max(0, my - slope * mx), source: `${f.file} (${ranks} GPUs)` };
  }
  return undefined;
}

function interpolate(rows: Row[], bytes: number): number {
  const first = rows[0]!;
  const last = rows[rows.length - 1]!;
  if (bytes <= first.bytes) return first.seconds;
  if (bytes >= last.bytes) return last.seconds * (bytes / last.bytes);
  let i = 0;
  while (rows[i + 1]!.bytes < bytes) i++;
  const a = rows[i]!;
  const b = rows[i + 1]!;
  const f = Math.log(bytes / a.bytes) / Math.log(b.bytes / a.bytes);
  return Math.exp(Math.log(a.seconds) + f * Math.log(b.seconds / a.seconds));
}

/** κ per FSDP overlap measurement row. */
export function contentionSamples(f: CollectivesFile): number[] {
  return f.fsdp_overlap.map((r) => (r.overlapped_s - Math.max(r.compute_s, r.allgather_s)) / Math.min(r.compute_s, r.allgather_s));
}

/**
 * The overlap contention factor: the mean over every FSDP overlap measurement on file (clamped to [0, 1]),
 * with where it came from. Used for every collective that runs alongside compute.
 */
export function overlapContention(): { kappa: number; source: string } {
  const samples = collectiveFiles().flatMap((f) => contentionSamples(f).map((k) => ({ k, file: f.file })));
  if (samples.length === 0) return { kappa: 0, source: 'no overlap measurement on file: perfect overlap assumed' };
  const mean = samples.reduce((a, s) => a + s.k, 0) / samples.length;
  return { kappa: Math.min(1, Math.max(0, mean)), source: `mean of ${samples.length} FSDP all-gather/GEMM overlap runs in ${[...new Set(samples.map((s) => s.file))].join(', ')}` };
}
