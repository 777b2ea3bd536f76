/**
 * Shared replicas: a pool whose replicas serve several models (`models:` in a pool). Each replica keeps every
 * model's weights in host memory (loaded when the replica starts) and the models on the GPU that fit:
 *
 *  - co-resident: when the weights of all the models plus the largest working set of any of them fit the
 *    GPU (per GPU: Σ resident weights + max(peak − weights) + the runtime overhead ≤ usable memory), nothing
 *    moves between requests;
 *  - otherwise one model is resident at a time, and a request of another model first swaps it in: the old
 *    copy is dropped (freeing GPU memory is immediate) and the new one moves host → GPU with module.to() at
 *    the GPU's measured pageable rate (what a PyTorch server holding CPU copies does).
 * Routing prefers a replica that already holds the request's model: a replica that would have to swap counts
 * SWAP_AFFINITY more outstanding work (between an idle replica that must swap and a busy one that need not,
 * the idle one wins).
 */
import type { Estimate } from '../perf/estimate.ts';

/** Weights resident on one GPU in the phase that holds the most of them (DiT, text encoders, VAE), GB. */
export function residentWeightsGb(e: Estimate): number {
  return Math.max(...e.memory.phases.map((p) => Object.entries(p.breakdown_gb).filter(([k]) => k.endsWith('_weights')).reduce((a, [, v]) => a + v, 0)));
}

/** The largest working set on one GPU beyond the weights (activations, workspaces, latents), GB. */
export function workingSetGb(e: Estimate): number {
  return Math.max(...e.memory.phases.map((p) => p.peak_gb - Object.entries(p.breakdown_gb).filter(([k]) => k.endsWith('_weights')).reduce((a, [, v]) => a + v, 0)));
}

export interface SharedModels {
  ids: string[];
  /** All models fit on the GPU together: no swaps. */
  coResident: boolean;
  /** Seconds to bring each model onto the GPU (0 when co-resident). */
  swapSeconds: Map<string, number>;
  /** Per-GPU GB the models need together (weights + the largest working set + runtime). */
  togetherGb: number;
}

/**
 * What sharing costs on a pool: `byModel` holds one estimate of each model on the pool's replica layout,
 * `h2dGBs` the host-to-GPU rate of module.to() on its GPU, `runtimeGb` the memory outside torch's allocator.
 */
export function sharedModels(byModel: Map<string, Estimate>, capacityGb: number, runtimeGb: number, h2dGBs: number): SharedModels {
  const ids = [...byModel.keys()];
  const weights = ids.map((id) => residentWeightsGb(byModel.get(id)!));
  const working = Math.max(...ids.map((id) => workingSetGb(byModel.get(id)!)));
  const togetherGb = weights.reduce((a, b) => a + b, 0) + working + runtimeGb;
  const coResident = togetherGb <= capacityGb;
  const swapSeconds = new Map(ids.map((id, i) => [id, coResident ? 0 : weights[i]! / h2dGBs] as const));
  return { ids, coResident, swapSeconds, togetherGb };
}

/** Routing penalty (in outstanding requests) of a replica that would have to swap the request's model in. */
export const SWAP_AFFINITY = 0.5;

/** The replica with the lowest score, counting SWAP_AFFINITY for those that do not hold `model`. */
export function pickWithAffinity<R>(candidates: Iterable<R>, score: (r: R) => number, holds: (r: R) => boolean): R | undefined {
  let best: R | undefined;
  let bestValue = Infinity;
  for (const r of candidates) {
    const base = score(r);
    if (!Number.isFinite(base)) continue;
    const v = base + (holds(r) ? 0 : SWAP_AFFINITY);
    if (v < bestValue) {
      best = r;
      bestValue = v;
    }
  }
  return best;
}
