/**
 * A generation request's shape: resolution, frames, steps, CFG, and what it implies (latent grid,
 * DiT tokens, steps per expert). Shared by the cost model and the serving runtime.
 */
import { MODELS, highNoiseSteps, latentShape, type ModelSpec } from './models.ts';
import { InputError, didYouMean } from '../errors.ts';
import { modelFromDiffusersConfig } from './custom-models.ts';

export interface RequestShape {
  width: number;
  height: number;
  frames: number;
  steps: number;
  /** Classifier-free guidance (two DiT passes per step). */
  cfg: boolean;
  /**
   * Image-conditioned request (ti2v models given --image: the reference image is VAE-encoded); i2v models
   * always are. Default false.
   */
  image?: boolean;
  /** The sampler's flow shift, where it is not the model's own (sets the A14B expert switch). */
  shift?: number;
}

export interface ResolvedRequest extends RequestShape {
  /** Conditioned on an image (i2v models always; ti2v models when the request says so). */
  image: boolean;
  model: ModelSpec;
  latent: { channels: number; t: number; h: number; w: number };
  tokens: number;
  /** Steps on the high-noise expert (A14B); equals steps for single-expert models. */
  highSteps: number;
  lowSteps: number;
  /** Non-fatal notes: unusual sizes, frames not 4n+1, ... */
  warnings: string[];
}

/**
 * The models a computation sees besides the built-in zoo: a scenario's own (`models:`) while it is loaded or
 * simulated (withModelScope), else the process's (configs read by `--model path/config.json`). Scopes keep
 * scenarios apart: two scenarios may define the same id differently, in one process, in any order.
 */
let scope = new Map<string, ModelSpec>();

/** Runs `fn` (synchronous) seeing exactly these user-defined models; the previous scope is restored after. */
export function withModelScope<T>(models: readonly ModelSpec[], fn: () => T): T {
  const outer = scope;
  scope = new Map(models.map((m) => [m.id, m]));
  try {
    return fn();
  } finally {
    scope = outer;
  }
}

/** Adds a user-defined model (a diffusers config read on demand) to the current scope. */
export function registerModel(model: ModelSpec): void {
  scope.set(model.id, model);
}

export function listModels(): ModelSpec[] {
  return [...MODELS, ...scope.values()];
}

export function getModel(id: string): ModelSpec {
  if (id.endsWith('.json')) {
    const m = modelFromDiffusersConfig(id);
    registerModel(m);
    return m;
  }
  const key = id.toLowerCase();
  const m = scope.get(id) ?? MODELS.find((x) => x.id === key || x.name.toLowerCase() === key);
  if (!m) {
    // a path (a diffusers model folder, as from_pretrained takes it): the config file is what vgsim reads
    const folder = /[/\\]/.test(id) ? id.replace(/[/\\]+$/, '') : null;
    const asFile = folder ? `a diffusers config is given as its file: ${/transformer$/.test(folder) ? `${folder}/config.json` : `${folder}/transformer/config.json`}` : undefined;
    throw new InputError([{ source: '--model', path: 'model', message: `unknown model "${id}"`, hint: asFile ?? didYouMean(id, listModels().map((x) => x.id)) ?? `known: ${listModels().map((x) => x.id).join(', ')}` }]);
  }
  return m;
}

export function resolveRequest(model: ModelSpec, shape: Partial<RequestShape> = {}): ResolvedRequest {
  const width = shape.width ?? model.defaults.width;
  const height = shape.height ?? model.defaults.height;
  const frames = shape.frames ?? model.defaults.frames;
  const steps = shape.steps ?? model.defaults.steps;
  const cfg = shape.cfg ?? model.defaults.guidance;
  const warnings: string[] = [];
  const issues = [];
  if (!(Number.isInteger(width) && width > 0 && Number.isInteger(height) && height > 0)) issues.push({ source: 'request', path: 'resolution', message: `resolution must be positive integers, got ${width}x${height}` });
  if (!(Number.isInteger(frames) && frames >= 1)) issues.push({ source: 'request', path: 'frames', message: `frames must be a positive integer, got ${frames}` });
  if (!(Number.isInteger(steps) && steps >= 1)) issues.push({ source: 'request', path: 'steps', message: `steps must be a positive integer, got ${steps}` });
  if (shape.image && model.family !== 'wan') issues.push({ source: 'request', path: 'image', message: `${model.name} is modelled for text-to-video only; image conditioning exists for the Wan models` });
  // a text-to-video checkpoint has no image input: an image request added a VAE encode to a model that cannot use it
  else if (shape.image && model.task === 't2v') issues.push({ source: 'request', path: 'image', message: `${model.name} is a text-to-video model: it takes no image`, hint: 'drop --image, or use an image-to-video model (wan2.2-i2v-a14b, wan2.1-i2v-14b) or wan2.2-ti2v-5b' });
  if (issues.length) throw new InputError(issues);
  const k = model.frameModulus ?? model.vae.stride[0];
  if ((frames - 1) % k !== 0) {
    warnings.push(model.family === 'wan' ? `frames=${frames} is not 4n+1; the official code expects 4n+1 (e.g. 81, 121)` : `frames=${frames} is not ${k}n+1; ${model.name}'s code expects ${k}n+1 (e.g. ${model.defaults.frames})`);
  }
  const align = model.vae.stride[1] * model.dit.patch[1];
  if (width % align !== 0 || height % align !== 0) warnings.push(`${width}x${height} is not a multiple of ${align}; the latent grid is truncated`);
  if (model.sizes.length > 0 && !model.sizes.some(([w, h]) => w === width && h === height)) {
    warnings.push(`${width}x${height} is not among ${model.name}'s official sizes (${model.sizes.map(([w, h]) => `${w}x${h}`).join(', ')})`);
  }
  const lat = latentShape(model, width, height, frames);
  const highSteps = model.experts === 2 && model.expertSchedule ? highNoiseSteps(shape.shift !== undefined ? { ...model.expertSchedule, shift: shape.shift } : model.expertSchedule, steps) : steps;
  return {
    width, height, frames, steps, cfg, model,
    image: model.vaeEncodeFrames === 'clip' || shape.image === true,
    latent: { channels: lat.channels, t: lat.t, h: lat.h, w: lat.w },
    tokens: lat.tokens,
    highSteps,
    lowSteps: steps - highSteps,
    warnings,
  };
}
