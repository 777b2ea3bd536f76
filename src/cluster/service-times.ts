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
    let st = this.cache.get(key);
    if (!st) {
      const e = estimate({ model: getModel(modelId), node, plan, request: shape, options, fabric });
      const transfer = (match: (name: string) => boolean) =>
        e.stages.filter((s) => s.name.startsWith('transfer:') && match(s.name)).reduce((a, s) => a + s.seconds_total, 0);
      const tEncode = transfer((n) => n.includes('umt5'));
      const tDecode = transfer((n) => n.includes('before VAE'));
      const tDenoise = e.transfer_s - tEncode - tDecode;
      const encode = e.text_encode_s + tEncode;
      const decode = e.vae_decode_s + tDecode;
      const denoise = e.total_s - encode - decode;
      st = { encode_s: encode, step_s: e.step_s, highSteps: e.request.high_noise_steps, lowSteps: e.request.low_noise_steps, denoise_s: denoise, decode_s: decode, total_s: e.total_s, transfer_s: { encode: tEncode, denoise: tDenoise, decode: tDecode }, steps: e.request.steps, peak_memory_gb: e.peak_memory_gb, fits: e.fits, estimate: e };
      this.cache.set(key, st);
    }
    return st;
  }

  get size(): number {
    return this.cache.size;
  }
}
