/**
 * What request shapes a model can run, checked before anything is estimated or simulated: the same rules for
 * a scenario's mix classes, every row of a replayed trace and `vgsim estimate`'s flags.
 *
 *  - frames: 4n+1 for the Wan VAEs (the first frame is its own latent frame, then every `stride_t` frames make
 *    one; wan-architecture.md §A.5: "Frames must be 4n+1");
 *  - width and height: whole multiples of VAE stride × DiT patch (16 px for the Wan2.1 VAE, 32 px for the
 *    Wan2.2 VAE), so the latent grid patchifies without truncation (the official code supports only listed
 *    sizes, all multiples: wan/configs/__init__.py SUPPORTED_SIZES);
 *  - at most 1024 latent positions per axis after patching: the DiT's 3D RoPE tables hold 1024 positions per
 *    axis (wan-architecture.md §A.1, `rope_params(1024, ...)` in wan/modules/model.py; diffusers'
 *    WanRotaryPosEmbed has the same max_seq_len 1024), so a larger grid has no position encoding;
 *  - a model with a learned position table of one size (ModelSpec.onlySize) runs at that size only;
 *  - steps: at most 1000, the schedulers' training timesteps (shared_config.py num_train_timesteps = 1000,
 *    wan-architecture.md §A.5): a sampler with more steps than that repeats timesteps.
 */
import type { ModelSpec } from './models.ts';

/** Latent positions per axis the DiT's RoPE tables cover (wan-architecture.md §A.1). */
export const ROPE_MAX_POSITIONS = 1024;
/** Training timesteps of the Wan schedulers (shared_config.py num_train_timesteps). */
export const MAX_STEPS = 1000;

export interface ShapeProblem {
  field: 'frames' | 'resolution' | 'steps';
  message: string;
  hint?: string;
}

/** The problems of a request shape on a model (empty when it can run). */
export function shapeProblems(model: ModelSpec, shape: { width: number; height: number; frames: number; steps: number }): ShapeProblem[] {
  const out: ShapeProblem[] = [];
  const [st, sh, sw] = model.vae.stride;
  const [pt, ph, pw] = model.dit.patch;
  const { width, height, frames, steps } = shape;

  if ((frames - 1) % st !== 0) {
    const lo = frames - ((frames - 1) % st);
    out.push({ field: 'frames', message: `${model.id} takes ${st}n+1 frames (its VAE makes one latent frame of the first frame and one of every ${st} after it), got ${frames}`, hint: `use ${lo >= 1 ? `${lo} or ` : ''}${lo + st}` });
  } else {
    const positions = Math.ceil(((frames - 1) / st + 1) / pt);
    if (positions > ROPE_MAX_POSITIONS) out.push({ field: 'frames', message: `${frames} frames make ${positions} latent frames; ${model.id}'s position encoding (3D RoPE) covers ${ROPE_MAX_POSITIONS}`, hint: `at most ${(ROPE_MAX_POSITIONS * pt - 1) * st + 1} frames` });
  }

  const alignH = sh * ph;
  const alignW = sw * pw;
  const badW = width % alignW !== 0;
  const badH = height % alignH !== 0;
  if (badW || badH) {
    // the nearest multiple that the position encoding still covers
    const near = (v: number, a: number) => Math.min(ROPE_MAX_POSITIONS * a, Math.max(a, Math.round(v / a) * a));
    out.push({
      field: 'resolution',
      message: `${width}x${height} is not a multiple of ${alignW}x${alignH} px (${model.id}: VAE stride ${sw} × DiT patch ${pw}), so the latent grid would be truncated`,
      hint: `use ${near(width, alignW)}x${near(height, alignH)}${model.sizes.length ? `, or an official size: ${model.sizes.map(([w, h]) => `${w}x${h}`).join(', ')}` : ''}`,
    });
  } else {
    const gw = width / alignW;
    const gh = height / alignH;
    if (gw > ROPE_MAX_POSITIONS || gh > ROPE_MAX_POSITIONS) {
      out.push({ field: 'resolution', message: `${width}x${height} makes a ${gw}x${gh} latent grid; ${model.id}'s position encoding (3D RoPE) covers ${ROPE_MAX_POSITIONS} per axis`, hint: `at most ${ROPE_MAX_POSITIONS * alignW}x${ROPE_MAX_POSITIONS * alignH} px` });
    }
  }

  // a learned position table of one size (CogVideoX-5B-I2V's): the code refuses any other
  const only = model.onlySize;
  if (only && (width !== only.width || height !== only.height)) {
    out.push({ field: 'resolution', message: `${width}x${height}: ${model.id} runs at ${only.width}x${only.height} only (${only.why})`, hint: `use ${only.width}x${only.height}` });
  }

  if (steps > MAX_STEPS) out.push({ field: 'steps', message: `${steps} steps: the sampler has ${MAX_STEPS} training timesteps, so more steps only repeat them`, hint: `the official default is ${model.defaults.steps}` });
  return out;
}
