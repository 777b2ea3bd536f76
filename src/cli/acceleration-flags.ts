/**
 * The engine and acceleration flags shared by `vgsim estimate` and `vgsim plan`: --engine, --dtype-layers,
 * --sparse, --cache, --distill, --vae, --t5-dtype, --lora, --keep-on-gpu, --sample-shift. They map to the scenario's `inference:` fields (checked by
 * the engine's rules when the estimate runs, src/engines/rules.ts).
 */
import type { Command } from 'commander';
import { UsageError, choiceFlag } from './usage-error.ts';
import { InputError } from '../errors.ts';
import type { AccelerationSpec } from '../engines/inference-spec.ts';
import { RESIDENT_COMPONENTS } from '../engines/profiles.ts';

const ENGINES = ['official', 'diffusers', 'xdit', 'sglang', 'lightx2v', 'lightx2v-2507', 'fastvideo', 'cache-dit', 'vllm-omni'] as const;
const DISTILLS = ['lightx2v-4step', 'lightning-4step', 'fastwan-3step'] as const;

export interface AccelerationFlags {
  engine?: string;
  dtypeLayers?: string;
  sparse?: string;
  cache?: string;
  distill?: string;
  vae?: string;
  t5Dtype?: string;
  lora?: string;
  keepOnGpu?: string;
  sampleShift?: string;
}

export function addAccelerationFlags(cmd: Command): Command {
  return cmd
    .option('--engine <id>', `serving engine: ${ENGINES.join('|')} (vgsim list engines; default official)`)
    .option('--dtype-layers <groups>', 'with --dtype fp8|int8: which block linears, comma-separated self,cross,ffn (default all)')
    .option('--sparse <spec>', 'sparse self-attention: radial[,decay=0.2,steps=12,layers=1], vsa,sparsity=0.9 (Video Sparse Attention) or a density like 0.3,steps=10,layers=1')
    .option('--cache <spec>', 'step cache: magcache[:0.12,K=2,R=0.2][,first] | magcache:E024K6R02 | teacache:0.2[,ret] | fbcache:0.05,skip=0.4 | scm:fast')
    .option('--distill <id>', `distilled few-step weights: ${DISTILLS.join('|')}`)
    .option('--vae <variant>', 'VAE decode: comma-separated fp32|bf16, tiled, tiny (default: the engine\'s)')
    .option('--t5-dtype <dtype>', 'umT5: bf16|fp32|fp8|int8 (fp8/int8: quantised linears; default: the engine\'s)')
    .option('--lora <rank[,fused]>', 'a LoRA on the DiT: its rank, run unfused as PEFT does (diffusers, xdit, cache-dit), or "<rank>,fused" (merged: no per-call cost)')
    .option('--keep-on-gpu <components>', `keep resident what the engine keeps in host memory by default, comma-separated ${RESIDENT_COMPONENTS.join('|')} (e.g. FastVideo's --dit-cpu-offload False: dit)`)
    .option('--sample-shift <x>', 'the sampler\'s flow shift (default: the engine\'s for the model; sets the A14B expert switch and where a step cache\'s published schedule holds)');
}

/** The flags as an inference spec (UsageError for values no engine has). */
export function accelerationSpec(o: AccelerationFlags): AccelerationSpec {
  const spec: AccelerationSpec = {};
  const pick = choiceFlag;
  if (o.engine !== undefined) spec.engine = pick('--engine', o.engine, ENGINES);
  if (o.dtypeLayers !== undefined) spec.dtype_layers = o.dtypeLayers.split(',').map((g) => pick('--dtype-layers', g.trim(), ['self', 'cross', 'ffn'] as const));
  if (o.sparse !== undefined) spec.sparse = o.sparse;
  if (o.cache !== undefined) spec.cache = o.cache;
  if (o.distill !== undefined) spec.distill = pick('--distill', o.distill, DISTILLS);
  if (o.vae !== undefined) {
    const vae: NonNullable<AccelerationSpec['vae']> = {};
    for (const part of o.vae.split(',').map((x) => x.trim())) {
      const v = pick('--vae', part, ['fp32', 'bf16', 'tiled', 'tiny', 'full'] as const);
      if (v === 'fp32' || v === 'bf16') vae.dtype = v;
      else if (v === 'tiled') vae.tiled = true;
      else vae.decoder = v;
    }
    spec.vae = vae;
  }
  if (o.lora !== undefined) spec.lora = o.lora;
  if (o.t5Dtype !== undefined) spec.text_encoder_dtype = pick('--t5-dtype', o.t5Dtype, ['bf16', 'fp32', 'fp8', 'int8'] as const);
  if (o.sampleShift !== undefined) {
    const x = Number(o.sampleShift);
    if (!(Number.isFinite(x) && x > 0)) throw new UsageError(`--sample-shift expects a positive number (e.g. 5 or 12), got "${o.sampleShift}"`);
    spec.sample_shift = x;
  }
  if (o.keepOnGpu !== undefined) spec.keep_on_gpu = o.keepOnGpu.split(',').map((c) => pick('--keep-on-gpu', c.trim(), RESIDENT_COMPONENTS));
  return spec;
}

/**
 * The source a flag's problem is reported at: an acceleration spec's parsers name the scenario field
 * (inference.sparse, inference.cache, inference.lora), which on the command line is the flag that set it.
 */
export function accelerationFlagSource(source: string): string {
  const m = /^inference\.(sparse|cache|lora)$/.exec(source);
  return m ? `--${m[1]}` : source;
}

/** Runs `fn`, its InputErrors at the acceleration flags (accelerationFlagSource). */
export function atAccelerationFlags<T>(fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (!(e instanceof InputError)) throw e;
    throw new InputError(e.issues.map((i) => ({ ...i, source: accelerationFlagSource(i.source) })));
  }
}
