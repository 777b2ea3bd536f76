/**
 * Pre-tabulated cost model for the runtime (the Vidur idea): the simulation asks "how long does this
 * request class take on this pool's replica?" and gets an O(1) answer from a cache filled by the system
 * layer (perf/estimate) once per (pool, class).
 */
import { estimate, type Estimate, type InferenceOptions } from '../perf/estimate.ts';
import type { ParallelPlan } from '../parallel/plan.ts';
import type { FabricOptions } from '../parallel/network.ts';
import { getModel } from '../workload/request.ts';
import type { RequestShape } from '../workload/request.ts';
import type { ClassState, PoolState } from './state.ts';
import { measuredServiceTime, profileShapes } from './stage-profile.ts';
import { overheadSeconds } from './overheads.ts';
import { InputError } from '../errors.ts';

export interface ServiceTime {
  /** Text encoding incl. moving umT5 in/out (offload). */
  encode_s: number;
  /** One denoising step. */
  step_s: number;
  highSteps: number;
  lowSteps: number;
  /** All denoising steps incl. expert swaps. */
  denoise_s: number;
  /** VAE decode incl. moving the DiT off first (offload). */
  decode_s: number;
  /** The class's post-processing on this replica's GPUs (0 without a chain or on a pool that does not run it). */
  postprocess_s: number;
  /** The host-CPU encode after it (does not hold the GPUs; serving/cpu-encode.ts). */
  postprocess_cpu_s: number;
  total_s: number;
  /** Of encode_s / denoise_s / decode_s: host↔GPU weight transfers (offload), drawn at transfer power. */
  transfer_s: { encode: number; denoise: number; decode: number };
  /** Denoising steps as run (a distilled model's own step count, not the class's). */
  steps: number;
  peak_memory_gb: number;
  fits: boolean;
  estimate: Estimate;
}

/**
 * One table per process, shared by every simulation (capacity searches, sweeps and sizing run the same
 * deployments many times); entries are immutable.
 */
export class ServiceTimeTable {
  static readonly shared = new ServiceTimeTable();

  private readonly cache = new Map<string, ServiceTime>();

  lookup(modelId: string, node: string, plan: ParallelPlan, shape: RequestShape, options: InferenceOptions, fabric?: FabricOptions): ServiceTime {
    // the model's definition is part of the key: scenarios may define their own model under a reused id
    const key = JSON.stringify([getModel(modelId), node, plan, shape, options, fabric]);
    let entry = this.cache.get(key);
    if (!entry) {
      const e = estimate({ model: getModel(modelId), node, plan, request: shape, options, fabric });
      const x = e.stage_split;
      entry = { encode_s: x.encode_s, step_s: e.step_s, highSteps: e.request.high_noise_steps, lowSteps: e.request.low_noise_steps, denoise_s: x.denoise_s, decode_s: x.decode_s, postprocess_s: x.postprocess_s, postprocess_cpu_s: x.postprocess_cpu_s, total_s: e.total_s, transfer_s: x.transfer_s, steps: e.request.steps, peak_memory_gb: e.peak_memory_gb, fits: e.fits, estimate: e };
      this.cache.set(key, entry);
    }
    return entry;
  }

  get size(): number {
    return this.cache.size;
  }
}

/**
 * The service time of a class on a pool at a batch size, from the pool's memo (O(1) on the hot path): the
 * class's model on the pool's layout (a shared pool's model on its own plan). A pool with measured stage times
 * (deployment.stage_times) takes them instead of the cost model's (batch 1 only).
 */
export function serviceOf(pool: PoolState, cls: ClassState, batch = 1): ServiceTime {
  let byBatch = pool.service.get(cls);
  if (!byBatch) pool.service.set(cls, (byBatch = []));
  const options = cls.postprocess ? { ...pool.inference, batch, postprocess: cls.postprocess } : { ...pool.inference, batch };
  return (byBatch[batch] ??= measured(pool, cls, ServiceTimeTable.shared.lookup(cls.modelId, pool.node.id, pool.plans.get(cls.modelId) ?? pool.plan, cls.shape, options, pool.fabric), batch));
}

function measured(pool: PoolState, cls: ClassState, times: ServiceTime, batch: number): ServiceTime {
  const prof = pool.stageProfile;
  if (!prof) return times;
  const m = batch === 1 ? measuredServiceTime(prof, times, cls.shape) : undefined;
  if (m) return m;
  throw new InputError([{
    source: prof.file, path: '',
    message: batch === 1 ? `no stage times for ${cls.name} (${cls.shape.width}x${cls.shape.height}x${cls.shape.frames}f${cls.shape.cfg ? '' : ', no CFG'}) of pool "${pool.name}"` : 'stage times are measured at batch 1; batching needs the cost model',
    hint: batch === 1 ? `the profile has ${profileShapes(prof)}` : undefined,
  }]);
}

/**
 * Seconds of a request's work on a pool's GPUs: the stages the pool runs (all of them unless disaggregated),
 * plus the serving overheads the replica spends on it (serving_overheads). A host-CPU encode after the
 * post-processing does not hold the replica and is not counted.
 */
export function partTime(pool: PoolState, cls: ClassState, batch = 1): number {
  const times = serviceOf(pool, cls, batch);
  const stages = Math.min(pool.last, cls.postprocess ? 3 : 2) - pool.first + 1;
  const extra = pool.overheads ? overheadSeconds(pool.overheads, Math.max(1, stages)) : 0;
  if (pool.first === 0 && pool.last >= 2) return times.total_s - times.postprocess_cpu_s + extra;
  return extra + (pool.first <= 0 && pool.last >= 0 ? times.encode_s : 0) + (pool.first <= 1 && pool.last >= 1 ? times.denoise_s : 0) + (pool.first <= 2 && pool.last >= 2 ? times.decode_s : 0) + (pool.last >= 3 ? times.postprocess_s : 0);
}
