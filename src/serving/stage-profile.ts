/**
 * Measured stage times (vgsim-stage-profile/1): per request shape, the mean time of the text encode, of one
 * denoising step (both CFG passes) and of the VAE decode, each shape run alone on the serving harness
 * (`calibration/serving/harness.py profile`). A pool that names such a file (`deployment.stage_times`) takes
 * its stage times from it instead of the cost model: the way to simulate hardware vgsim has no kernel profile
 * for (the harness's CPU worker), or to check the serving layer apart from the cost model.
 */
import { readInputJson } from '../input-file.ts';
import { InputError, type InputIssue } from '../errors.ts';
import type { ServiceTime } from './service-times.ts';
import type { RequestShape } from '../workload/request.ts';

export const STAGE_PROFILE_FORMAT = 'vgsim-stage-profile/1';

interface Stat {
  mean: number;
  cv?: number;
  n?: number;
}

export interface StageProfileShape {
  width: number;
  height: number;
  frames: number;
  /** Steps of the profiled requests (the per-step time applies to any step count). */
  steps?: number;
  cfg?: boolean;
  encode_s: Stat;
  step_s: Stat;
  decode_s: Stat;
}

export interface StageProfile {
  file: string;
  model: string | undefined;
  shapes: StageProfileShape[];
}

export function readStageProfile(file: string, where: Pick<InputIssue, 'source' | 'line' | 'col'>, path: string): StageProfile {
  const fail = (message: string, hint?: string): never => {
    throw new InputError([{ ...where, path, message: `${file}: ${message}`, ...(hint ? { hint } : {}) }]);
  };
  const data = readInputJson(file, fail);
  if (data?.format !== STAGE_PROFILE_FORMAT) fail(`expected "format": "${STAGE_PROFILE_FORMAT}"`, 'write it with calibration/serving/harness.py profile');
  if (!Array.isArray(data.shapes) || data.shapes.length === 0) fail('no "shapes"');
  const mean = (x: unknown) => (x && typeof (x as Stat).mean === 'number' && (x as Stat).mean >= 0 ? (x as Stat).mean : NaN);
  data.shapes.forEach((s: any, i: number) => {
    for (const k of ['width', 'height', 'frames']) if (!(Number.isInteger(s?.[k]) && s[k] > 0)) fail(`shapes[${i}].${k}: expected a positive integer`);
    for (const k of ['encode_s', 'step_s', 'decode_s']) if (Number.isNaN(mean(s[k]))) fail(`shapes[${i}].${k}.mean: expected a non-negative number of seconds`);
  });
  return { file, model: typeof data.model === 'string' ? data.model : undefined, shapes: data.shapes };
}

function shapeKey(s: { width: number; height: number; frames: number }): string {
  return `${s.width}x${s.height}x${s.frames}f`;
}

/**
 * The service time of a request shape from the profile, in the cost model's ServiceTime form (the estimate,
 * kept for power and memory, comes from the cost model); undefined when the profile lacks the shape.
 */
export function measuredServiceTime(profile: StageProfile, base: ServiceTime, shape: RequestShape): ServiceTime | undefined {
  const s = profile.shapes.find((x) => shapeKey(x) === shapeKey(shape) && (x.cfg ?? true) === shape.cfg);
  if (!s) return undefined;
  const encode = s.encode_s.mean;
  const step = s.step_s.mean;
  const decode = s.decode_s.mean;
  const denoise = step * shape.steps;
  return { ...base, encode_s: encode, step_s: step, denoise_s: denoise, decode_s: decode, total_s: encode + denoise + decode + base.postprocess_s + base.postprocess_cpu_s, transfer_s: { encode: 0, denoise: 0, decode: 0 } };
}

export function profileShapes(profile: StageProfile): string {
  return profile.shapes.map((s) => `${shapeKey(s)}${s.cfg === false ? ' (no CFG)' : ''}`).join(', ');
}
