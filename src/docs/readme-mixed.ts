/**
 * README block: the mixed-model scenario (scenarios/mixed-models.yaml) — dedicated pools or shared GPUs for
 * Wan2.2 and HunyuanVideo — run variant by variant as `vgsim sweep` runs them, with the conclusion drawn from
 * the numbers (test/families.test.ts checks its direction).
 */
import { loadScenario } from '../scenario/load.ts';
import { expandSweep } from '../sweep/spec.ts';
import { runPoint, type RunSummary } from '../sweep/worker.ts';
import { packagePath } from '../package-files.ts';
import { minutes } from './prose-figures.ts';

export interface MixedVariant {
  name: string;
  summary: RunSummary;
}

let cached: MixedVariant[] | undefined;

/** Every variant of the mixed-model scenario, simulated in-process. */
export function mixedVariants(): MixedVariant[] {
  if (cached) return cached;
  const file = packagePath('scenarios/mixed-models.yaml');
  const plan = expandSweep(loadScenario(file));
  cached = plan.points.map((p) => {
    const o = runPoint({ id: p.id, file, set: p.set, seed: p.seed });
    if (!o.ok) throw new Error(`mixed-models variant "${p.label}" failed: ${o.error}`);
    return { name: p.label, summary: o.summary };
  });
  return cached;
}

const pct = (x: number | null) => (x === null ? '–' : `${(100 * x).toFixed(1)}%`);

export function mixedModelsBlock(): string {
  const vs = mixedVariants();
  const out = ['| variant | p50 | p95 | within SLO (20 min) | videos/h | GPU utilization | $/video | model swaps |', '|---|---:|---:|---:|---:|---:|---:|---:|'];
  for (const v of vs) {
    const s = v.summary;
    const swaps = s.pools.reduce((a, p) => a + (p.model_swaps ?? 0), 0);
    const shared = s.pools.some((p) => p.models);
    out.push(`| ${v.name} | ${minutes(s.latency_s.p50)} | ${minutes(s.latency_s.p95)} | ${pct(s.slo_attainment)} | ${s.throughput_per_h.toFixed(1)} | ${pct(s.gpu_utilization)} | ${s.cost?.usd_per_video != null ? `$${s.cost.usd_per_video.toFixed(3)}` : "–"} | ${shared ? swaps : '–'} |`);
  }
  const by = (name: string) => vs.find((v) => v.name === name)!.summary;
  const d50 = by('dedicated pools, 50/50');
  const s50 = by('shared replicas, 50/50');
  const d75 = by('dedicated pools, 25/75');
  const s75 = by('shared replicas, 25/75');
  const sharedPool = s50.pools.find((p) => p.models)!;
  const swapS = Object.values(sharedPool.swap_s ?? {});
  out.push(
    '',
    `Shared replicas ${s50.latency_s.p95 < d50.latency_s.p95 ? 'win' : 'lose'} at a 50/50 mix (p95 ${minutes(s50.latency_s.p95)} vs ${minutes(d50.latency_s.p95)}: four replicas that take either request queue less than two pools of two) and ` +
      `${s75.slo_attainment! > d75.slo_attainment! ? 'hold' : 'do not hold'} when it shifts: at 25/75 the dedicated HunyuanVideo pool is overloaded ` +
      `(p95 ${minutes(d75.latency_s.p95)}, ${pct(d75.slo_attainment)} within SLO) while the shared replicas keep ${pct(s75.slo_attainment)}. ` +
      `${sharedPool.co_resident ? 'The two models fit on a replica together, so nothing is swapped.' : 'The two models do not fit on a 4-GPU replica together, so a shared replica swaps:'} ` +
      `${Math.min(...swapS).toFixed(1)}–${Math.max(...swapS).toFixed(1)} s of host → GPU copy per model change, ${sharedPool.model_swaps} swaps for ${s50.requests.completed} videos at 50/50 — ` +
      `about ${(((sharedPool.model_swaps ?? 0) * (swapS.reduce((a, b) => a + b, 0) / swapS.length)) / s50.requests.completed).toFixed(1)} s per video against ${minutes(s50.latency_s.p50)} of generation. ` +
      `Answer: ${s50.latency_s.p95 < d50.latency_s.p95 && s75.slo_attainment! > d75.slo_attainment! ? 'share the GPUs — the swaps cost seconds, a mis-sized dedicated pool costs the SLO' : 'dedicated pools'}.`,
  );
  return out.join('\n');
}
