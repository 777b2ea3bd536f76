/**
 * A scenario's request mix resolved against the model catalog, one way for the runtime and for sizing: each
 * class's model, its full request shape (defaults filled in), its name, and how many seconds of video it makes.
 */
import type { Scenario, RequestClass } from './schema.ts';
import { inScenarioModels } from './models.ts';
import { getModel, resolveRequest, type RequestShape } from '../workload/request.ts';
import type { ModelSpec } from '../workload/models.ts';
import { chainIsEmpty, chainOf, type PostprocessChain } from '../workload/postprocess/chain.ts';


export interface ResolvedClass {
  name: string;
  spec: RequestClass;
  model: ModelSpec;
  modelId: string;
  shape: RequestShape;
  /** Seconds of video one request makes (frames / the model's fps). */
  videoSeconds: number;
  /** What resolving the request changed or assumed (e.g. frames rounded to 4n+1). */
  warnings: string[];
  /** Post-processing after the decode (undefined: none). */
  postprocess: PostprocessChain | undefined;
}

/** A class's name: the one the scenario gives, else its shape ("1280x720x81f/40st"). */
export function classLabel(c: RequestClass, shape: RequestShape): string {
  return c.name ?? `${shape.width}x${shape.height}x${shape.frames}f/${shape.steps}st`;
}

/** A class for a request shape: the scenario's mix entry `spec` of `model`. */
export function resolveClass(spec: RequestClass, model: ModelSpec, request: Partial<RequestShape>): ResolvedClass {
  const req = resolveRequest(model, request);
  const shape: RequestShape = { width: req.width, height: req.height, frames: req.frames, steps: req.steps, cfg: req.cfg };
  const chain = spec.postprocess ? chainOf(spec.postprocess) : undefined;
  const postprocess = chain && !chainIsEmpty(chain) ? chain : undefined;
  return { name: classLabel(spec, shape), spec, model, modelId: model.id, shape, videoSeconds: req.frames / model.defaults.fps, warnings: req.warnings, postprocess };
}

/** Every class of the scenario's mix, in order. */
export function resolveClasses(s: Scenario): ResolvedClass[] {
  return inScenarioModels(s, () => s.workload.mix.map((c) => resolveClass(c, getModel(c.model ?? s.model), { width: c.resolution?.width, height: c.resolution?.height, frames: c.frames, steps: c.steps, cfg: c.cfg })));
}
