/**
 * What else differs between the runs of a comparison besides the cluster and the stack — so a reader does not
 * take a difference of luck, of what was measured, or of the video itself for a better deployment: a seed, a run
 * that dropped requests or left them unfinished, another model, an acceleration that changes the output. Each is
 * a note under the table (compare-traffic.ts unranks the rows where the traffic itself differs).
 */
import type { SimulationResult } from '../serving/simulate.ts';
import { outputChangeLabels } from '../engines/quality.ts';

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
