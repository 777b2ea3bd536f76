/**
 * What a cross-hardware comparison (`vgsim tco`, `vgsim size`) must say about rows that were not priced alike:
 *  - the attention kernel each row runs, when the rows differ (with `--attention auto` each GPU gets its engine's
 *    default: FlashAttention-3 on Hopper under the official code, which a stock install does not have);
 *  - the node types whose non-GPU power is borrowed from another system (NodeSpec.nonGpuPowerProxy);
 *  - the power basis of an iso-power comparison (one for every row: the PSU nameplate only when every compared
 *    node type has one, else the estimate for all).
 */
import { getNode } from '../hardware/catalog.ts';
import type { NodeSpec } from '../hardware/types.ts';
import { OFFICIAL_FA3_FROM_SOURCE } from '../engines/rules.ts';
import { InputError } from '../errors.ts';
import type { PowerBasis } from '../economics/index.ts';

/**
 * Rows → "fa3 on a, b; fa2 on c" in order of first appearance, or null when every row runs the same kernel. The
 * from-source FA3 caveat is the official code's (it takes FA3 only from a from-source flash_attn_interface build):
 * said when an fa3 row runs the official engine (a row without an engine is the official code's).
 */
export function attentionMixNote(rows: readonly { node: string; attention: string | null; engine?: string }[], noun = 'rows'): string | null {
  const by = new Map<string, string[]>();
  for (const r of rows) {
    if (r.attention === null) continue;
    const list = by.get(r.attention) ?? [];
    if (!list.includes(r.node)) list.push(r.node);
    by.set(r.attention, list);
  }
  if (by.size < 2) return null;
  const groups = [...by].map(([k, nodes]) => `${k} on ${nodes.join(', ')}`).join('; ');
  const fa3Nodes = by.get('fa3') ?? [];
  const official = [...new Set(rows.filter((r) => r.attention === 'fa3' && (r.engine ?? 'official') === 'official').map((r) => r.node))];
  // every fa3 row on the official code: "the fa3 (Hopper) rows"; some: name them
  const which = official.length === fa3Nodes.length ? `the fa3 (Hopper) ${noun}` : `the fa3 (Hopper) ${noun} on the official code (${official.join(', ')})`;
  const fa3 = official.length ? `; ${which} assume a from-source FlashAttention-3 build: in the official code ${OFFICIAL_FA3_FROM_SOURCE}` : '';
  return `the ${noun} ${noun === 'rows' ? 'run' : 'use'} different attention kernels (${groups})${fa3}: --attention fa2 (or cudnn) prices every ${noun.replace(/s$/, '')} with the same kernel`;
}

/** One note naming the node types whose non-GPU power is borrowed from another system, grouped by what from; null when none is. */
export function powerProxyNote(nodeIds: readonly string[]): string | null {
  const by = new Map<string, string[]>();
  for (const id of new Set(nodeIds)) {
    const proxy = getNode(id).nonGpuPowerProxy;
    if (proxy === undefined) continue;
    by.set(proxy, [...(by.get(proxy) ?? []), id]);
  }
  if (by.size === 0) return null;
  return `non-GPU power (CPUs, DRAM, NICs, fans) not measured on these systems but borrowed: ${[...by].map(([from, ids]) => `${ids.join(', ')} from ${from}`).join('; ')}; it enters their energy per video and estimated peak power`;
}

/** The CLI's words for the two peak-power bases. */
export type PowerBasisChoice = 'nameplate' | 'estimate';
export const POWER_BASIS_CHOICES: readonly PowerBasisChoice[] = ['nameplate', 'estimate'];

export interface ChosenPowerBasis {
  choice: PowerBasisChoice;
  /** economics' name for it (nodePeakPowerW). */
  basis: PowerBasis;
  /** Why this basis, on one line. */
  why: string;
}

/**
 * One power basis for every compared node type: the one asked for, else the PSU nameplate when every node type has
 * one, else the estimate (non-GPU busy power + GPUs x TDP) for all. A nameplate asked for where a node type has none
 * is an input error naming them.
 */
export function choosePowerBasis(nodes: readonly NodeSpec[], asked?: PowerBasisChoice): ChosenPowerBasis {
  const without = nodes.filter((n) => n.maxPowerW === undefined).map((n) => n.id);
  const estimate = (why: string): ChosenPowerBasis => ({ choice: 'estimate', basis: 'estimated-peak', why });
  if (asked === 'nameplate') {
    if (without.length) {
      throw new InputError([{ source: '--power-basis', path: 'power_basis', message: `nameplate: ${without.join(', ')} ha${without.length === 1 ? 's' : 've'} no PSU nameplate in the catalog, so the rows would mix bases`, hint: 'use --power-basis estimate, or leave those node types out of --nodes' }]);
    }
    return { choice: 'nameplate', basis: 'nameplate', why: 'asked for (--power-basis nameplate): PSU-rated system max input power of every node type' };
  }
  if (asked === 'estimate') return estimate('asked for (--power-basis estimate): non-GPU busy power + GPUs x TDP for every node type');
  if (without.length === 0) return { choice: 'nameplate', basis: 'nameplate', why: 'every compared node type has a PSU nameplate (--power-basis estimate uses non-GPU busy power + GPUs x TDP instead)' };
  return estimate(`${without.join(', ')} ha${without.length === 1 ? 's' : 've'} no PSU nameplate in the catalog, so every node type is counted at the estimate, non-GPU busy power + GPUs x TDP, not some at a nameplate (--power-basis)`);
}
