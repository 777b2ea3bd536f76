/**
 * Runs an estimate request that has been validated (by EstimateRequestSchema in api/estimate.ts, or by the
 * CLI's own flag checks): ids resolved, plan parsed, the cost model called. No zod here, so `vgsim estimate`
 * does not load the schema library (start-up).
 */
import { estimate as estimateCost, type Estimate } from '../perf/estimate.ts';
import { parsePlan, planGpus, replicaNodesProblem } from '../parallel/plan.ts';
import { parseOfficialFlags } from '../parallel/official-flags.ts';
import { getGpu, getNode } from '../hardware/catalog.ts';
import { GpuProfile } from '../perf/profile.ts';
import { powerLimitProblem } from '../perf/power-cap.ts';
import { getModel } from '../workload/request.ts';
import { shapeProblems } from '../workload/shape-limits.ts';
import { parseResolution } from '../units.ts';
import { inferenceOptions } from '../perf/estimate-input.ts';
import { InputError } from '../errors.ts';
import type { ValidEstimateRequest } from './estimate.ts';
import { chainOf, chainProblems, type PostprocessChain } from '../workload/postprocess/chain.ts';
import { nvencProblem } from '../hardware/video-encoders.ts';

/** The launch-line flag of each shape field (parallel/official-flags.ts). */
const OFFICIAL_FLAG = { frames: '--frame_num', resolution: '--size', steps: '--sample_steps' } as const;

/** Time, memory and energy of one request (throws InputError for bad ids and combinations). */
/** `chain`: a post-processing chain already parsed (the CLI's --postprocess); else the request's own `postprocess`. */
export function runEstimate(r: ValidEstimateRequest, chain?: PostprocessChain): Estimate {
  if (!r.gpu && !r.node) throw new InputError([{ source: 'request', path: 'gpu', message: 'give gpu (a GPU id) or node (a node type)' }]);
  // an official launch line sets the model, request, GPUs, plan and weight dtype as generate.py would
  const official = r.official !== undefined ? parseOfficialFlags(r.official, 'official') : undefined;
  const plan = official?.plan ?? parsePlan(r.parallel, 'parallel');
  const gpus = official?.gpus ?? r.gpus ?? planGpus(plan);
  if (gpus > 1 && !official && r.parallel === 'none') throw new InputError([{ source: 'request', path: 'parallel', message: `${gpus} GPUs need a parallel plan that says how the work is split`, hint: `e.g. "ulysses=${gpus},fsdp" (or ask /api/plan)` }]);
  const tooMany = r.nodes !== undefined ? replicaNodesProblem(gpus, r.nodes) : undefined;
  if (tooMany) throw new InputError([{ source: 'request', path: 'nodes', message: `${tooMany}, got nodes ${r.nodes}`, hint: 'raise gpus or lower nodes' }]);
  const gpusPerNode = r.nodes !== undefined ? Math.ceil(gpus / r.nodes) : r.gpus_per_node;
  const res = r.resolution ? parseResolution(r.resolution) : undefined;
  const gpuId = r.gpu ?? getNode(r.node!).gpu;
  const inf = r.inference;
  if (inf.power_limit_w !== undefined) {
    const problem = powerLimitProblem(getGpu(gpuId), inf.power_limit_w);
    if (problem) throw new InputError([{ source: 'request', path: 'inference.power_limit_w', message: problem.message, hint: problem.hint }]);
  }
  if (!official && !r.model) throw new InputError([{ source: 'request', path: 'model', message: 'give model (a model id) or official (a launch line)' }]);
  const weightDtype = inf.weight_dtype !== 'auto' ? inf.weight_dtype : official?.weightDtype;
  if (!(r.oversubscription >= 1 && Number.isFinite(r.oversubscription))) throw new InputError([{ source: 'request', path: 'oversubscription', message: `expected a spine oversubscription of at least 1 (1 = non-blocking, 2 = 2:1), got ${r.oversubscription}` }]);
  const model = getModel(official?.model ?? r.model);
  // the shape rules a scenario's mix classes get (frames 4n+1, resolution a multiple of stride × patch, ...);
  // an official launch line's --size, --frame_num and --sample_steps get them too (the script refuses such shapes)
  const asked = official ? official.request : { width: res?.width, height: res?.height, frames: r.frames, steps: r.steps };
  const shape = { width: asked.width ?? model.defaults.width, height: asked.height ?? model.defaults.height, frames: asked.frames ?? model.defaults.frames, steps: asked.steps ?? model.defaults.steps };
  const problems = shapeProblems(model, shape);
  if (problems.length) throw new InputError(problems.map((p) => ({ source: 'request', path: official ? 'official' : p.field, message: official ? `${OFFICIAL_FLAG[p.field]}: ${p.message}` : p.message, hint: p.hint })));
  const postprocess = chain ?? (r.postprocess ? chainOf(r.postprocess) : undefined);
  if (postprocess) {
    const w = res?.width ?? official?.request.width ?? model.defaults.width;
    const h = res?.height ?? official?.request.height ?? model.defaults.height;
    const issues = chainProblems(postprocess, w, h, model.defaults.fps).map((p) => ({ source: 'request', path: `postprocess.${p.field}`, message: p.message }));
    const nv = postprocess.encode?.on === 'nvenc' ? nvencProblem(gpuId, postprocess.encode.codec) : undefined;
    if (nv) issues.push({ source: 'request', path: 'postprocess.encode.on', message: nv, hint: 'encode on cpu, or estimate on a GPU with NVENC (l4, l40s)' } as (typeof issues)[number]);
    if (issues.length) throw new InputError(issues);
  }
  return estimateCost({
    model,
    gpu: gpuId,
    node: r.node,
    gpus,
    plan,
    fabric: { gpusPerNode, link: r.fabric, oversubscription: r.oversubscription },
    request: official
      ? { ...official.request, cfg: r.guidance }
      : { width: res?.width, height: res?.height, frames: r.frames, steps: r.steps, cfg: r.guidance, image: r.image },
    // the same mapping as a scenario's inference section (perf/estimate-input.ts)
    options: { ...inferenceOptions({ ...inf, weight_dtype: weightDtype, sample_shift: inf.sample_shift ?? official?.sampleShift }), batch: r.batch, ...(postprocess ? { postprocess } : {}) },
    device: r.profile ? { profile: GpuProfile.loadForPricing(r.profile) } : undefined,
  });
}
