/**
 * LTX-Video's per-step guidance batch: which denoising steps run CFG and/or STG, as the official pipeline
 * decides it (Lightricks/LTX-Video@5260738:ltx_video/pipelines/pipeline_ltx_video.py:958-1124): the
 * timesteps of the rectified-flow scheduler are mapped to a guidance segment (the first entry of
 * `guidance_timesteps` at or below the step's timestep), and a step batches 1 + [cfg > 1] + [stg > 0]
 * conditions into one forward.
 *
 * Timesteps (Lightricks/LTX-Video@5260738:ltx_video/schedulers/rf.py:25-149, 201-257): Uniform
 * linspace(1, 1/N, N), shifted "SD3"-style by the token count (mu = 0.95 + (2.05 − 0.95)·(n − 1024)/3072,
 * t' = e^mu / (e^mu + 1/t − 1)) and stretched so the last value is 0.1 (target_shift_terminal). The
 * scheduler config lives in the checkpoint's metadata ("from_checkpoint"); we take the one the repository
 * maps the diffusers release to (ltx_video/utils/diffusers_config_mapping.py OURS_SCHEDULER_CONFIG:
 * shifting SD3, target_shift_terminal 0.1) — an inference, not read from the 0.9.8 checkpoint itself.
 */

/** Timesteps of one pass, after dropping `skipInitial` and `skipFinal` of the N scheduled ones. */
export function ltxTimesteps(n: number, tokens: number, skipInitial = 0, skipFinal = 0): number[] {
  const m = (2.05 - 0.95) / (4096 - 1024);
  const mu = m * tokens + (0.95 - m * 1024);
  const uniform = Array.from({ length: n }, (_, i) => (n === 1 ? 1 : 1 - (i * (1 - 1 / n)) / (n - 1)));
  const shifted = uniform.map((t) => Math.exp(mu) / (Math.exp(mu) + (1 / t - 1)));
  const scale = (1 - shifted[shifted.length - 1]!) / (1 - 0.1);
  const stretched = shifted.map((s) => 1 - (1 - s) / scale);
  return stretched.slice(skipInitial, stretched.length - skipFinal);
}

export interface GuidanceSegments {
  guidanceTimesteps: number[];
  cfg: number[];
  stg: number[];
}

/** Conditions batched per step (1 + CFG + STG) for each timestep. */
export function condsPerStep(timesteps: number[], g: GuidanceSegments): number[] {
  return timesteps.map((t) => {
    const idx = g.guidanceTimesteps.findIndex((v) => v <= t);
    const i = idx >= 0 ? idx : g.guidanceTimesteps.length - 1;
    return 1 + (g.cfg[i]! > 1 ? 1 : 0) + (g.stg[i]! > 0 ? 1 : 0);
  });
}
