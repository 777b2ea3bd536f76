/**
 * The forwards a multi-pass sampler runs for one request (LTX-Video): each pass's latent size and tokens,
 * and the batch (conditions) of each of its steps; the latent the VAE decodes (the last pass's); and the
 * latent upsampler between the passes of the multi-scale pipeline as operators.
 */
import { StageBuilder } from '../ops.ts';
import type { ModelSpec } from '../models.ts';
import { DecoderWalk } from './vae-walk.ts';

export interface PassPlan {
  name: string;
  latent: { t: number; h: number; w: number };
  tokens: number;
  /** Conditions batched in each forward (1 when guidance is off). */
  conds: number[];
}

export function samplingPasses(model: ModelSpec, latent: { t: number; h: number; w: number }, steps: number, guidance: boolean): PassPlan[] {
  const passes = model.sampler.passes;
  if (!passes) return [];
  const [pt, ph, pw] = model.dit.patch;
  return passes.map((p) => {
    const { h, w } = p.scale(latent);
    const tokens = Math.ceil(latent.t / pt) * Math.floor(h / ph) * Math.floor(w / pw);
    const conds = p.condsPerStep(tokens, steps).map((c) => (guidance ? c : 1));
    return { name: p.name, latent: { t: latent.t, h, w }, tokens, conds };
  });
}

/** The latent the VAE decodes: the last pass's for multi-pass samplers, else the request's. */
export function decodeLatent(model: ModelSpec, latent: { t: number; h: number; w: number }): { t: number; h: number; w: number } {
  const passes = model.sampler.passes;
  if (!passes || passes.length === 0) return latent;
  const { h, w } = passes[passes.length - 1]!.scale(latent);
  return { t: latent.t, h, w };
}

/**
 * LTX-Video's spatial latent upsampler (huggingface/diffusers@58eb52c:src/diffusers/pipelines/ltx/
 * modeling_latent_upsampler.py; config in scripts/convert_ltx_to_diffusers.py:362-381: in 128, mid 512,
 * 4 blocks per stage, 3D convs, spatial ×2): initial conv + GroupNorm + SiLU, 4 ResBlocks, a conv to 4× the
 * channels (per frame) and a 2× pixel shuffle, 4 ResBlocks, a final conv; bf16, once per request.
 */
export function buildLatentUpsampler(latent: { t: number; h: number; w: number }, channels: number): StageBuilder {
  const b = new StageBuilder();
  b.section('latent_upsampler');
  const d = new DecoderWalk(b, { dtype: 'bf16', tf32: false });
  const mid = 512;
  const res = (name: string, x: ReturnType<DecoderWalk['input']>) => {
    const c1 = d.conv(`${name}.conv1`, x, mid, [3, 3, 3], { keep: true });
    const a1 = d.act(`${name}.act1`, d.norm(`${name}.norm1`, c1));
    const c2 = d.conv(`${name}.conv2`, a1, mid, [3, 3, 3]);
    const n2 = d.norm(`${name}.norm2`, c2);
    return d.act(`${name}.act2`, d.add(`${name}.add`, n2, x));
  };
  const z = d.input({ c: channels, ...latent });
  let x = d.act('initial_activation', d.norm('initial_norm', d.conv('initial_conv', z, mid, [3, 3, 3], { keep: true })));
  for (let i = 0; i < 4; i++) x = res(`res_blocks.${i}`, x);
  x = d.depthToSpace('upsampler.pixel_shuffle', d.conv('upsampler.conv', x, 4 * mid, [1, 3, 3]), 1, 2, 0);
  for (let i = 0; i < 4; i++) x = res(`post_upsample_res_blocks.${i}`, x);
  const out = d.conv('final_conv', x, channels, [3, 3, 3]);
  d.free(out, z);
  return b;
}
