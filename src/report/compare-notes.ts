/**
 * What else differs between the runs of a comparison besides the cluster and the stack — so a reader does not
 * take a difference of luck, of what was measured, or of the video itself for a better deployment: a seed, a run
 * that dropped requests or left them unfinished, another model, an acceleration that changes the output. Each is
 * a note under the table (compare-traffic.ts unranks the rows where the traffic itself differs).
 */
import type { SimulationResult } from '../serving/simulate.ts';
import { outputChangeLabels } from '../engines/quality.ts';
import { getNode } from '../hardware/catalog.ts';
import { scopeLine } from '../perf/gpu-evidence.ts';
import { attentionMixNote } from '../studies/comparison-notes.ts';

interface NotedRun {
  label: string;
  result: SimulationResult;
}

/** "fp8, cache teacache:0.2": the accelerations of a pool that change the video, from its estimates. */
export function outputChanges(r: SimulationResult, pool: string): string[] {
  const p = r.pools.find((x) => x.name === pool);
  if (!p?.approximate) return [];
  const out = new Set<string>();
  for (const e of r.estimates ?? []) {
    if (e.pool !== pool) continue;
    for (const label of outputChangeLabels(e.estimate.accelerations)) out.add(label);
  }
  return [...out];
}

/** The notes on what differs beyond the deployment (empty when nothing does). */
export function likeWithLikeNotes(runs: readonly NotedRun[]): string[] {
  const notes: string[] = [];
  const seeds = new Set(runs.map((x) => x.result.seed));
  if (seeds.size > 1) {
    notes.push(`the runs use different seeds (${runs.map((x) => `${x.label}: ${x.result.seed}`).join(', ')}): their arrivals and failures differ by chance, so a small difference ranks luck; give them one seed (--seed) or replicate them with vgsim sweep`);
  }
  for (const x of runs) {
    const q = x.result.requests;
    const lost = q.dropped + q.failed;
    if (lost > 0) notes.push(`${x.label} dropped or lost ${lost} of ${q.arrived} requests (${((100 * lost) / Math.max(q.arrived, 1)).toFixed(1)}%): its latency rows cover only those it served (shown, not ranked); its SLO attainment counts the others as misses`);
    if (q.in_flight > 0) notes.push(`${x.label} left ${q.in_flight} request${q.in_flight === 1 ? '' : 's'} unfinished (drain off): its latency rows leave out the slowest (shown, not ranked)`);
  }
  const models = runs.map((x) => [...new Set(x.result.pools.map((p) => p.model))].sort().join('+'));
  if (new Set(models).size > 1) notes.push(`the runs serve different models (${runs.map((x, i) => `${x.label}: ${models[i]}`).join('; ')}): the videos differ, not only the deployment`);
  const changes = runs.map((x) => x.result.pools.flatMap((p) => outputChanges(x.result, p.name)).sort().join(', '));
  if (new Set(changes).size > 1) {
    notes.push(`the runs make different videos: ${runs.map((x, i) => `${x.label}: ${changes[i] || 'as the model\'s own code'}`).join('; ')} (caching, distillation and quantisation trade quality for speed; vgsim estimate --json gives the published quality)`);
  }
  return notes;
}

/**
 * What the runs were not priced alike on, as size and tco say it (studies/comparison-notes.ts): the attention kernel
 * each run's pools run when they differ (with auto, FlashAttention-3 on Hopper under the official code, which a
 * stock install lacks, against FlashAttention-2 elsewhere), the runs whose nodes' non-GPU power is borrowed from
 * another system, and the held-out record of every engine other than the official code.
 */
export function pricedAlikeNotes(runs: readonly NotedRun[]): string[] {
  const notes: string[] = [];
  notes.push(...kernelAndPowerNotes(runs.map((x) => ({ label: x.label, pools: x.result.pools })), 'runs'));
  const engines = [...new Set(runs.flatMap((x) => x.result.pools.map((p) => p.engine)))].filter((e) => e !== 'official');
  for (const e of engines) notes.push(`evidence: ${scopeLine('engine', e)}`);
  return notes;
}

/**
 * The attention kernels of labelled runs or points when they differ (studies/comparison-notes.ts attentionMixNote), and
 * the ones whose nodes' non-GPU power is borrowed from another system: compare's runs, a sweep's points.
 */
export function kernelAndPowerNotes(items: readonly { label: string; pools: readonly { node: string; engine: string; attention?: string }[] }[], noun: 'runs' | 'points'): string[] {
  const notes: string[] = [];
  const attention = attentionMixNote(items.flatMap((x) => x.pools.map((p) => ({ node: x.label, attention: p.attention ?? null, engine: p.engine }))), noun);
  if (attention) notes.push(attention);
  const by = new Map<string, { labels: string[]; nodes: string[] }>();
  for (const x of items) {
    for (const p of x.pools) {
      const proxy = p.node ? getNode(p.node).nonGpuPowerProxy : undefined;
      if (proxy === undefined) continue;
      const g = by.get(proxy) ?? { labels: [], nodes: [] };
      if (!g.labels.includes(x.label)) g.labels.push(x.label);
      if (!g.nodes.includes(p.node)) g.nodes.push(p.node);
      by.set(proxy, g);
    }
  }
  if (by.size) notes.push(`non-GPU power (CPUs, DRAM, NICs, fans) not measured on these systems but borrowed: ${[...by].map(([from, g]) => `${g.labels.join(', ')} (${g.nodes.join(', ')}) from ${from}`).join('; ')}; it enters their energy per video and peak power`);
  return notes;
}
