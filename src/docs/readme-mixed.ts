/**
 * README block: the mixed-model scenario (scenarios/mixed-models.yaml) — dedicated pools or shared GPUs for
 * Wan2.2 and HunyuanVideo — run variant by variant and seed by seed as `vgsim sweep` runs them, with the conclusion
 * drawn from every seed's numbers (test/families.test.ts checks its direction): one 12-hour run is one draw of about
 * 300 arrivals, whose p95 and attainment move by tens of points from one seed to the next.
 */
import { loadScenario } from '../scenario/load.ts';
import { expandSweep } from '../sweep/spec.ts';
import { runPoint, type RunSummary } from '../sweep/worker.ts';
import { packagePath } from '../package-files.ts';
import { median } from '../hardware/refs.ts';
import { minutes } from './prose-figures.ts';

export interface MixedVariant {
  name: string;
  /** One summary per replicate seed (sweep.replicate_seeds), the scenario's own seed first. */
  seeds: RunSummary[];
}

let cached: MixedVariant[] | undefined;

/** Every variant of the mixed-model scenario at each of its seeds, simulated in-process. */
export function mixedVariants(): MixedVariant[] {
  if (cached) return cached;
  const file = packagePath('scenarios/mixed-models.yaml');
  const plan = expandSweep(loadScenario(file));
  const byName = new Map<string, RunSummary[]>();
  for (const p of plan.points) {
    const o = runPoint({ id: p.id, file, set: p.set, seed: p.seed });
    if (!o.ok) throw new Error(`mixed-models variant "${p.label}" (seed ${p.seed}) failed: ${o.error}`);
    const name = p.variant ?? p.label;
    byName.set(name, [...(byName.get(name) ?? []), o.summary]);
  }
  cached = [...byName].map(([name, seeds]) => ({ name, seeds }));
  return cached;
}

const pct = (x: number | null) => (x === null ? '–' : `${(100 * x).toFixed(1)}%`);
const lo = (xs: number[]) => Math.min(...xs);
const hi = (xs: number[]) => Math.max(...xs);

export function mixedModelsBlock(): string {
  const vs = mixedVariants();
  const n = vs[0]!.seeds.length;
  const out = [`| variant | p50 | p95 (${n} seeds: median, range) | within SLO (20 min; median, range) | videos/h | GPU utilization | $/video | model swaps |`, '|---|---:|---:|---:|---:|---:|---:|---:|'];
  for (const v of vs) {
    const of = (f: (s: RunSummary) => number) => v.seeds.map(f);
    const p95 = of((s) => s.latency_s.p95);
    const slo = of((s) => s.slo_attainment ?? 0);
    const swaps = of((s) => s.pools.reduce((a, p) => a + (p.model_swaps ?? 0), 0));
    const shared = v.seeds[0]!.pools.some((p) => p.models);
    const cost = v.seeds.every((s) => s.cost?.usd_per_video != null) ? `$${median(of((s) => s.cost!.usd_per_video!)).toFixed(3)}` : '–';
    out.push(`| ${v.name} | ${minutes(median(of((s) => s.latency_s.p50)))} | ${minutes(median(p95))} (${minutes(lo(p95))}–${minutes(hi(p95))}) | ${pct(median(slo))} (${pct(lo(slo))}–${pct(hi(slo))}) | ${median(of((s) => s.throughput_per_h)).toFixed(1)} | ${pct(median(of((s) => s.gpu_utilization)))} | ${cost} | ${shared ? median(swaps) : '–'} |`);
  }
  const by = (name: string) => vs.find((v) => v.name === name)!.seeds;
  const slo = (name: string) => by(name).map((s) => s.slo_attainment ?? 0);
  const d50 = by('dedicated pools, 50/50');
  const s50 = by('shared replicas, 50/50');
  // seed by seed: the same arrivals for both layouts
  const wins50 = s50.filter((s, i) => s.latency_s.p95 < d50[i]!.latency_s.p95).length;
  const [d75, r75, s75] = [slo('dedicated pools, 25/75'), slo('dedicated pools re-sized 1+3, 25/75'), slo('shared replicas, 25/75')];
  const winsResized = s75.filter((x, i) => x >= r75[i]!).length;
  const sharedPool = s50[0]!.pools.find((p) => p.models)!;
  const swapS = Object.values(sharedPool.swap_s ?? {});
  const swapsPerVideo = ((sharedPool.model_swaps ?? 0) * (swapS.reduce((a, b) => a + b, 0) / swapS.length)) / s50[0]!.requests.completed;
  const range = (xs: number[]) => `${pct(lo(xs))}–${pct(hi(xs))}`;
  const shareWins = wins50 === n && winsResized === n;
  out.push(
    '',
    `Over ${n} seeds (the same arrivals for each variant at a seed), shared replicas have the lower p95 at a 50/50 mix in ${wins50} of ${n} (four replicas that take either request queue less than two pools of two; within SLO ${range(slo('shared replicas, 50/50'))} vs ${range(slo('dedicated pools, 50/50'))}). ` +
      `When the mix shifts to 25/75, dedicated pools left at 2 + 2 overload the HunyuanVideo pool (${range(d75)} within SLO); re-sized to 1 + 3 for the new mix they keep ${range(r75)}, and the shared replicas ${range(s75)}, at least as much in ${winsResized} of ${n} seeds. ` +
      `${sharedPool.co_resident ? 'The two models fit on a replica together, so nothing is swapped.' : 'The two models do not fit on a 4-GPU replica together, so a shared replica swaps:'} ` +
      `${lo(swapS).toFixed(1)}–${hi(swapS).toFixed(1)} s of host → GPU copy per model change, about ${swapsPerVideo.toFixed(1)} s per video at 50/50 against ${minutes(s50[0]!.latency_s.p50)} of generation. ` +
      `Answer: ${shareWins ? 'share the GPUs — the swaps cost seconds; dedicated pools need re-sizing whenever the mix moves, and even re-sized they do no better' : 'no single answer over these seeds: compare the ranges above'}.`,
  );
  return out.join('\n');
}
