/**
 * Lookups over the hardware catalog. Ids are case-insensitive; common aliases ('h100', 'a100', 'dgx-h100', 'ndr',
 * 's3', ...) resolve through an explicit table; unknown ids throw UnknownIdError with the closest ids
 * (optimal-string-alignment edit distance, so transpositions like 'smx' -> 'sxm' cost 1).
 */
import type { GpuSpec, LinkSpec, NodeSpec, StorageSpec } from './types.ts';
import { GPUS } from './gpus.ts';
import { LINKS } from './links.ts';
import { NODES } from './nodes.ts';
import { STORAGE } from './storage.ts';

export type HardwareKind = 'gpu' | 'link' | 'node' | 'storage';

export class UnknownIdError extends Error {
  readonly kind: HardwareKind;
  readonly id: string;
  readonly suggestions: string[];

  constructor(kind: HardwareKind, id: string, suggestions: string[], known: readonly string[]) {
    const hint =
      suggestions.length > 0
        ? `did you mean ${suggestions.map((s) => `"${s}"`).join(' or ')}?`
        : `known ${kind} ids: ${known.join(', ')}`;
    super(`unknown ${kind} "${id}"; ${hint}`);
    this.name = 'UnknownIdError';
    this.kind = kind;
    this.id = id;
    this.suggestions = suggestions;
  }
}

/** Explicit alias -> canonical id tables (keys are normalized: lower-case, '_' and spaces -> '-'). */
export const GPU_ALIASES: Readonly<Record<string, string>> = {
  h100: 'h100-sxm',
  'h100-sxm5': 'h100-sxm',
  'h100-80g': 'h100-sxm',
  'h100-80gb': 'h100-sxm',
  'h100-80gb-hbm3': 'h100-sxm',
  'h100-nvl-94g': 'h100-nvl',
  'h200-sxm': 'h200',
  'h200-141g': 'h200',
  'h800-sxm': 'h800',
  'h20-96g': 'h20',
  'b200-sxm': 'b200',
  a100: 'a100-sxm-80g',
  'a100-sxm': 'a100-sxm-80g',
  'a100-80g': 'a100-sxm-80g',
  'a100-80gb': 'a100-sxm-80g',
  'a100-sxm4-80gb': 'a100-sxm-80g',
  'a100-pcie': 'a100-pcie-80g',
  'a100-80gb-pcie': 'a100-pcie-80g',
  'a800-sxm': 'a800',
  '4090': 'rtx4090',
  'rtx-4090': 'rtx4090',
  'geforce-rtx-4090': 'rtx4090',
  '3090': 'rtx3090',
  'rtx-3090': 'rtx3090',
  'geforce-rtx-3090': 'rtx3090',
  'l40s-48g': 'l40s',
  'l20-48g': 'l20',
  mi300: 'mi300x',
  'instinct-mi300x': 'mi300x',
  mi325: 'mi325x',
  mi355: 'mi355x',
  '910b': 'ascend-910b',
  'ascend910b': 'ascend-910b',
  '910c': 'ascend-910c',
  'ascend910c': 'ascend-910c',
};

export const LINK_ALIASES: Readonly<Record<string, string>> = {
  'nvlink-3': 'nvlink3',
  'nvlink-4': 'nvlink4',
  'nvlink-5': 'nvlink5',
  'nvlink-a800': 'nvlink3-a800',
  'nvlink-h800': 'nvlink4-h800',
  c2c: 'nvlink-c2c',
  xgmi: 'amd-if-mi300x',
  'infinity-fabric': 'amd-if-mi300x',
  hccs: 'hccs-ascend',
  pcie4: 'pcie4-x16',
  'pcie-gen4': 'pcie4-x16',
  pcie5: 'pcie5-x16',
  'pcie-gen5': 'pcie5-x16',
  pcie6: 'pcie6-x16',
  'pcie-gen6': 'pcie6-x16',
  hdr: 'ib-hdr',
  ndr: 'ib-ndr',
  xdr: 'ib-xdr',
  'ib-400': 'ib-ndr',
  'ib-200': 'ib-hdr',
  'ib-800': 'ib-xdr',
  roce: 'roce-400',
  'roce-400g': 'roce-400',
  'roce-200g': 'roce-200',
};

export const NODE_ALIASES: Readonly<Record<string, string>> = {
  'dgx-h100': 'hgx-h100-sxm-8',
  'hgx-h100': 'hgx-h100-sxm-8',
  'hgx-h100-8': 'hgx-h100-sxm-8',
  'h100-8': 'hgx-h100-sxm-8',
  'dgx-h200': 'hgx-h200-8',
  'hgx-h200': 'hgx-h200-8',
  'hgx-h800': 'hgx-h800-8',
  'hgx-h20': 'hgx-h20-8',
  'dgx-b200': 'dgx-b200-8',
  'hgx-b200': 'dgx-b200-8',
  'dgx-a100': 'hgx-a100-8',
  'hgx-a100': 'hgx-a100-8',
  'atlas-800t-a2': 'ascend-910b-8',
  'mi300x-platform': 'mi300x-8',
};

export const STORAGE_ALIASES: Readonly<Record<string, string>> = {
  nvme: 'nvme-gen4',
  'nvme-gen-4': 'nvme-gen4',
  'nvme-gen-5': 'nvme-gen5',
  s3: 'object-store-s3',
  'object-store': 'object-store-s3',
  'nfs-rdma': 'nfs',
  lustre: 'parallel-fs',
  weka: 'parallel-fs',
  gpfs: 'parallel-fs',
};

// ------------------------------------------------------------------ distance / suggestions

/** Optimal string alignment distance (Levenshtein + adjacent transposition). */
export function editDistance(a: string, b: string): number {
  const n = a.length;
  const m = b.length;
  if (n === 0) return m;
  if (m === 0) return n;
  const d: number[][] = Array.from({ length: n + 1 }, () => new Array<number>(m + 1).fill(0));
  for (let i = 0; i <= n; i++) d[i]![0] = i;
  for (let j = 0; j <= m; j++) d[0]![j] = j;
  for (let i = 1; i <= n; i++) {
    for (let j = 1; j <= m; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        v = Math.min(v, d[i - 2]![j - 2]! + 1);
      }
      d[i]![j] = v;
    }
  }
  return d[n]![m]!;
}

function normalize(id: string): string {
  return id.trim().toLowerCase().replace(/[\s_]+/g, '-');
}

/** Closest canonical ids (via ids and alias keys): the ties at the best distance, at most 3, only if reasonably close. */
export function suggestIds(
  query: string,
  ids: readonly string[],
  aliases: Readonly<Record<string, string>> = {},
): string[] {
  const q = normalize(query);
  const best = new Map<string, number>();
  const consider = (candidate: string, target: string): void => {
    const dist = editDistance(q, candidate);
    const prev = best.get(target);
    if (prev === undefined || dist < prev) best.set(target, dist);
  };
  for (const id of ids) consider(id, id);
  for (const [alias, target] of Object.entries(aliases)) consider(alias, target);
  const limit = Math.max(2, Math.floor(q.length / 3));
  const ranked = [...best.entries()].filter(([, dist]) => dist <= limit).sort((x, y) => x[1] - y[1] || x[0].localeCompare(y[0]));
  if (ranked.length === 0) return [];
  const top = ranked[0]![1];
  return ranked
    .filter(([, dist]) => dist === top)
    .slice(0, 3)
    .map(([id]) => id);
}

// ------------------------------------------------------------------ generic index

interface Indexed<T extends { id: string }> {
  kind: HardwareKind;
  byId: ReadonlyMap<string, T>;
  ids: readonly string[];
  aliases: Readonly<Record<string, string>>;
}

function makeIndex<T extends { id: string }>(
  kind: HardwareKind,
  items: readonly T[],
  aliases: Readonly<Record<string, string>>,
): Indexed<T> {
  const byId = new Map<string, T>();
  for (const item of items) {
    if (byId.has(item.id)) throw new Error(`duplicate ${kind} id "${item.id}" in hardware catalog`);
    byId.set(item.id, item);
  }
  for (const [alias, target] of Object.entries(aliases)) {
    if (!byId.has(target)) throw new Error(`${kind} alias "${alias}" points to unknown id "${target}"`);
    if (byId.has(alias)) throw new Error(`${kind} alias "${alias}" shadows a real id`);
  }
  return { kind, byId, ids: items.map((i) => i.id), aliases };
}

function resolve<T extends { id: string }>(index: Indexed<T>, id: string): T {
  const key = normalize(id);
  const direct = index.byId.get(key);
  if (direct) return direct;
  const aliased = index.aliases[key];
  if (aliased !== undefined) {
    const hit = index.byId.get(aliased);
    if (hit) return hit;
  }
  throw new UnknownIdError(index.kind, id, suggestIds(id, index.ids, index.aliases), index.ids);
}

const GPU_INDEX = makeIndex('gpu', GPUS, GPU_ALIASES);
const LINK_INDEX = makeIndex('link', LINKS, LINK_ALIASES);
const NODE_INDEX = makeIndex('node', NODES, NODE_ALIASES);
const STORAGE_INDEX = makeIndex('storage', STORAGE, STORAGE_ALIASES);

export function getGpu(id: string): GpuSpec {
  return resolve(GPU_INDEX, id);
}
export function getLink(id: string): LinkSpec {
  return resolve(LINK_INDEX, id);
}
export function getNode(id: string): NodeSpec {
  return resolve(NODE_INDEX, id);
}
export function getStorage(id: string): StorageSpec {
  return resolve(STORAGE_INDEX, id);
}

export function listGpus(): readonly GpuSpec[] {
  return GPUS;
}
export function listLinks(): readonly LinkSpec[] {
  return LINKS;
}
export function listNodes(): readonly NodeSpec[] {
  return NODES;
}
export function listStorage(): readonly StorageSpec[] {
  return STORAGE;
}

/** Canonical id for an id or alias (throws UnknownIdError like the getters). */
export function canonicalId(kind: HardwareKind, id: string): string {
  switch (kind) {
    case 'gpu':
      return getGpu(id).id;
    case 'link':
      return getLink(id).id;
    case 'node':
      return getNode(id).id;
    case 'storage':
      return getStorage(id).id;
  }
}
