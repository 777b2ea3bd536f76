/**
 * Pre-tabulated cost model for the runtime (the Vidur idea): the simulation asks "how long does this
 * request class take on this pool's replica?" and gets an O(1) answer from a cache filled by the system
 * layer (perf/estimate) once per (pool, class).
 */
import { estimate, type Estimate, type InferenceOptions } from '../perf/estimate.ts';
import { getModel } from '../workload/request.ts';
import type { RequestShape } from '../workload/request.ts';

export interface ServiceTime {
  /** Text encoding incl. moving umT5 in/out (offload). */
  encode_s: number;
  /** All denoising steps incl. expert swaps. */
  denoise_s: number;
  /** VAE decode incl. moving the DiT off first (offload). */
  decode_s: number;
  total_s: number;
  steps: number;
  peak_memory_gb: number;
  fits: boolean;
  estimate: Estimate;
}

export class ServiceTimeTable {
  private readonly cache = new Map<string, ServiceTime>();

  lookup(modelId: string, gpu: string, gpus: number, shape: RequestShape, options: InferenceOptions): ServiceTime {
    const key = JSON.stringify([modelId, gpu, gpus, shape, options]);
    let st = this.cache.get(key);
    if (!st) {
      const e = estimate({ model: getModel(modelId), gpu, request: shape, options });
      const transfer = (match: (name: string) => boolean) =>
        e.stages.filter((s) => s.name.startsWith('transfer:') && match(s.name)).reduce((a, s) => a + s.seconds_total, 0);
      const encode = e.text_encode_s + transfer((n) => n.includes('umt5'));
      const decode = e.vae_decode_s + transfer((n) => n.includes('before VAE'));
      const denoise = e.total_s - encode - decode;
      st = { encode_s: encode, denoise_s: denoise, decode_s: decode, total_s: e.total_s, steps: shape.steps, peak_memory_gb: e.peak_memory_gb, fits: e.fits, estimate: e };
      this.cache.set(key, st);
    }
    return st;
  }

  get size(): number {
    return this.cache.size;
  }
}
