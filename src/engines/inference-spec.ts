/**
 * The acceleration knobs as scenario files, the HTTP API and the CLI write them (snake_case, strings for the
 * cache and sparse specs) → InferenceOptions fields. Every field stays unset unless given, so the default
 * options (and estimate JSON) do not change.
 */
import { parseCache, type CacheSpec } from './step-cache.ts';
import { parseSparse, type SparseAttention } from './sparse-attention.ts';
import { parseLora, type LoraSpec } from './lora.ts';
import type { AccelerationOptions } from './rules.ts';
import type { EngineId, ResidentComponent, TextEncoderDtype } from './profiles.ts';
import type { DistillId } from './distill.ts';

export interface AccelerationSpec {
  engine?: EngineId;
  dtype_layers?: ('self' | 'cross' | 'ffn')[];
  sparse?: string;
  cache?: string;
  distill?: DistillId;
  vae?: { dtype?: 'fp32' | 'bf16'; tiled?: boolean; decoder?: 'full' | 'tiny' };
  text_encoder_dtype?: TextEncoderDtype;
  lora?: string;
  keep_on_gpu?: ResidentComponent[];
  sample_shift?: number;
}

/**
 * The acceleration knobs of the cost model's InferenceOptions (perf/estimate.ts extends this), beside the
 * attention kernel, dtype, compile and CFG mode it always has.
 */
export interface AccelerationKnobs {
  /**
   * The serving engine whose kernels, layouts and features are modelled (profiles.ts); undefined = 'official'.
   * The other knobs are checked against it (rules.ts).
   */
  engine?: string;
  /** Which block linears --dtype quantises (default all): self-attention, cross-attention, FFN. */
  dtypeLayers?: ('self' | 'cross' | 'ffn')[];
  /** Sparse self-attention (radial mask or a block density), with dense steps and layers. */
  sparse?: SparseAttention;
  /** Step cache: forwards whose blocks are replaced by a cached residual. */
  cache?: CacheSpec;
  /** Distilled few-step weights (steps and CFG become the model's): lightx2v-4step, lightning-4step, fastwan-3step. */
  distill?: string;
  /** VAE decode: precision (default: the engine's), tiled decode, or the tiny VAE. */
  vae?: { dtype?: 'fp32' | 'bf16'; tiled?: boolean; decoder?: 'full' | 'tiny' };
  /** umT5 linear precision (quantised umT5 checkpoints of LightX2V / torchao). */
  textEncoderDtype?: TextEncoderDtype;
  /** A LoRA on the DiT's block linears: unfused (PEFT, a per-call cost) or merged into the weights (lora.ts). */
  lora?: LoraSpec;
  /**
   * Components kept on the GPU that the engine would keep in host memory by default (EngineProfile.residency),
   * as its flags allow: FastVideo's --dit-cpu-offload False, --vae-cpu-offload False, ...
   */
  keepOnGpu?: ResidentComponent[];
  /**
   * The sampler's flow shift (default: the engine's for the model, sample-shift.ts). It sets the timesteps: the
   * A14B expert switch and the step caches' published schedules follow it.
   */
  sampleShift?: number;
}

/** The AccelerationKnobs of the spec (InputError for a bad cache or sparse spec); unset fields stay unset. */
export function accelerationOptions(i: AccelerationSpec, source = 'inference'): AccelerationKnobs {
  const out: AccelerationKnobs = {};
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
  if (i.lora !== undefined) {
    const l = parseLora(i.lora, `${source}.lora`);
    if (l) out.lora = l;
  }
  if (i.keep_on_gpu !== undefined) out.keepOnGpu = [...i.keep_on_gpu];
  if (i.sample_shift !== undefined) out.sampleShift = i.sample_shift;
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
