/**
 * What the serving engines and accelerations cover beyond Wan: nothing yet. Every engine profile (profiles.ts)
 * was read from the engine's Wan code path — its DiT block kernels, its layouts, its step caches' thresholds,
 * its distilled Wan weights, its Wan VAE — so none of it says how the engine runs HunyuanVideo, CogVideoX,
 * LTX-Video or Mochi. A non-Wan model runs as its own official pipeline does (workload/families/), with the
 * knobs that pipeline has: the attention kernel (a bf16 one), the CFG mode, the parallel plan, and vgsim's
 * compile and fp8 what-ifs on its operator graph. Anything else is an InputError naming the reason, never a
 * Wan-shaped estimate of another model.
 */
import type { InputIssue } from '../errors.ts';
import { isQuantizedAttention } from '../workload/ops.ts';
import type { ModelSpec } from '../workload/models.ts';
import type { AccelerationOptions } from './rules.ts';

const WHY = 'its profile was read from the engine\'s Wan code path';

export function familyAccelerationProblems(o: AccelerationOptions, model: ModelSpec, source: string): InputIssue[] {
  if (model.family === 'wan') return [];
  const out: InputIssue[] = [];
  const name = model.name;
  const no = (path: string, what: string, hint: string) => out.push({ source, path, message: `${what} is modelled for the Wan models only; ${name} (${model.family}) runs as its official pipeline`, hint });
  if (o.engine !== undefined && o.engine !== 'official') no('engine', `engine ${o.engine} (${WHY})`, `drop engine: ${name} is priced as its own official code runs it`);
  if (o.attention !== undefined && isQuantizedAttention(o.attention)) no('attention', `the quantised attention kernel ${o.attention}`, 'a bf16 kernel: fa2, fa3, cudnn or efficient');
  if (o.dtype === 'int8') no('dtype', 'int8 linear layers (an engine\'s quantisation scheme)', '--dtype bf16, or fp8 (vgsim\'s per-tensor what-if)');
  if (o.dtypeLayers) no('dtype_layers', 'quantising some linear groups (an engine\'s scheme)', 'drop dtype_layers');
  if (o.sparse) no('sparse', 'sparse attention (radial and density masks read from Wan ports)', 'drop sparse');
  if (o.cache) no('cache', `the ${o.cache.method} step cache (thresholds and schedules calibrated on Wan)`, 'drop cache');
  if (o.distill) no('distill', `distilled weights ${o.distill} (Wan checkpoints)`, 'drop distill; steps and guidance are request settings');
  if (o.vae && Object.values(o.vae).some((v) => v !== undefined)) no('vae', 'the VAE knobs (precision, tiling, tiny decoder of Wan\'s VAE)', `drop vae: ${name}'s decoder runs in its pipeline's dtype and tiling`);
  if (o.lora && !o.lora.fused) no('lora', 'an unfused LoRA (PEFT layers on Wan\'s block linears)', 'drop lora, or merge it (lora "<rank>,fused")');
  if (o.textEncoderDtype !== undefined && o.textEncoderDtype !== 'bf16') no('text_encoder_dtype', `an ${o.textEncoderDtype} umT5 (${o.textEncoderDtype === 'fp32' ? 'FastVideo\'s precision' : 'quantised umT5 checkpoints'})`, `drop text_encoder_dtype: ${name}'s text encoders run in its pipeline's dtypes`);
  return out;
}
