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
 * the idle one wins). routing.ts calls pickWithAffinity, service.ts prepends the swap phase (withSwap), and
 * state.ts builds a pool's models (poolModels) and what sharing costs on it (sharedPoolModels).
 */
import { RUNTIME_OVERHEAD_GB, type Estimate } from '../perf/estimate.ts';
import { DeviceModel } from '../perf/device.ts';
import { parsePlan, type ParallelPlan } from '../parallel/plan.ts';
import { getModel, type RequestShape } from '../workload/request.ts';
import type { Pool } from '../scenario/schema.ts';
import { poolModelIds } from '../scenario/pools.ts';
import { ServiceTimeTable, type ServiceTime } from './service-times.ts';
import type { PhaseList } from './phases.ts';
import type { ClassState, PoolState } from './state.ts';

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

/**
 * The models a pool serves: its `model:` (or the scenario's), or a shared pool's `models:` list, with the
 * plan each model of a shared pool runs on the replica's GPUs when it names its own (else the pool's).
 */
export function poolModels(p: Pool, scenarioModel: string, planSource: (j: number) => string | undefined): { modelIds: string[]; plans: Map<string, ParallelPlan> } {
  const modelIds = poolModelIds(p, scenarioModel).map((id) => getModel(id).id);
  const plans = new Map((p.models ?? []).flatMap((m, j) => (typeof m === 'string' ? [] : [[modelIds[j]!, { ...parsePlan(m.parallel, planSource(j)), dp: 1 }] as const])));
  return { modelIds, plans };
}

/**
 * A shared pool's models together on its replica layout: one estimate per model (its first class's request,
 * else the model's default request), co-resident or each one's swap time at the GPU's module.to() rate.
 */
export function sharedPoolModels(pool: PoolState, classes: readonly ClassState[]): SharedModels {
  const byModel = new Map(pool.modelIds.map((id) => {
    const cls = classes.find((c) => c.modelId === id);
    const m = getModel(id);
    const shape: RequestShape = cls?.shape ?? { width: m.defaults.width, height: m.defaults.height, frames: m.defaults.frames, steps: m.defaults.steps, cfg: m.defaults.guidance };
    return [id, ServiceTimeTable.shared.lookup(id, pool.node.id, pool.plans.get(id) ?? pool.plan, shape, pool.inference, pool.fabric).estimate] as const;
  }));
  const first = byModel.get(pool.modelId)!;
  return sharedModels(byModel, first.capacity_gb, RUNTIME_OVERHEAD_GB, new DeviceModel(pool.gpu).hostLinkGBs('h2d', false, true));
}

/** A shared replica's phase list with the model swap (host → GPU weights, at transfer power) in front. */
export function withSwap(list: PhaseList, seconds: number, times: ServiceTime): PhaseList {
  const seconds_ = [seconds, ...list.seconds];
  const watts = [times.estimate.power.per_gpu_w.transfer, ...list.watts];
  return list.labels ? { seconds: seconds_, watts, labels: [{ label: 'model swap (host → GPU)' }, ...list.labels] } : { seconds: seconds_, watts };
}
