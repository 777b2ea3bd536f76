/**
 * The acceleration knobs as scenario files, the HTTP API and the CLI write them (snake_case, strings for the
 * cache and sparse specs) → InferenceOptions fields. Every field stays unset unless given, so the default
 * options (and estimate JSON) do not change.
 */
import type { InferenceOptions } from '../perf/estimate.ts';
import { parseCache } from './step-cache.ts';
import { parseSparse } from './sparse-attention.ts';
import type { AccelerationOptions } from './rules.ts';
import type { EngineId } from './profiles.ts';
import type { DistillId } from './distill.ts';

export interface AccelerationSpec {
  engine?: EngineId;
  dtype_layers?: ('self' | 'cross' | 'ffn')[];
  sparse?: string;
  cache?: string;
  distill?: DistillId;
  vae?: { dtype?: 'fp32' | 'bf16'; tiled?: boolean; decoder?: 'full' | 'tiny' };
  text_encoder_dtype?: 'bf16' | 'fp8' | 'int8';
}

/** The InferenceOptions fields of the spec's acceleration knobs (InputError for a bad cache or sparse spec). */
export function accelerationOptions(i: AccelerationSpec, source = 'inference'): Partial<InferenceOptions> {
  const out: Partial<InferenceOptions> = {};
  if (i.engine !== undefined) out.engine = i.engine;
  if (i.dtype_layers !== undefined) out.dtypeLayers = [...i.dtype_layers];
  if (i.sparse !== undefined) {
    const sp = parseSparse(i.sparse, `${source}.sparse`);
    if (sp) out.sparse = sp;
  }
  if (i.cache !== undefined) {
    const c = parseCache(i.cache, `${source}.cache`);
    if (c) out.cache = c;
  }
  if (i.distill !== undefined) out.distill = i.distill;
  if (i.vae !== undefined && Object.values(i.vae).some((v) => v !== undefined)) out.vae = { ...i.vae };
  if (i.text_encoder_dtype !== undefined) out.textEncoderDtype = i.text_encoder_dtype;
  return out;
}

/** A pool's inference spec: the scenario's, the pool's overrides, and the pool's `engine:`. */
export function poolInferenceSpec<T extends object>(scenario: T, pool: { engine?: EngineId; inference?: Partial<T> }): T & { engine?: EngineId } {
  return { ...scenario, ...(pool.inference ?? {}), ...(pool.engine !== undefined ? { engine: pool.engine } : {}) };
}

/** The knobs resolveEngine reads, from a scenario-style spec (snake_case), for checking a pool before it runs. */
export function engineCheckOptions(i: AccelerationSpec & { attention?: string; dtype?: string; compile?: boolean; cfg?: string }, source: string) {
  return {
    attention: (i.attention ?? 'auto') as AccelerationOptions['attention'],
    dtype: (i.dtype ?? 'bf16') as AccelerationOptions['dtype'],
    compile: !!i.compile,
    cfg: (i.cfg ?? 'sequential') as AccelerationOptions['cfg'],
    ...accelerationOptions(i, source),
  } as AccelerationOptions;
}
