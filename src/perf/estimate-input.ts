/**
 * One request on one replica as people write it — `vgsim estimate`'s flags, a baseline's `estimate:` entry, a
 * scenario's `inference:` section — turned into the cost model's input, one way for all of them:
 *
 *  - inferenceOptions(spec): the inference settings (attention kernel, dtype, compile, CFG mode, offload, umT5
 *    on the CPU, sustained clocks, board power limit) over DEFAULT_INFERENCE. The runtime (per pool), sizing,
 *    the CLI and the baselines all call it, so a setting means the same everywhere.
 *  - estimateInput(spec): model, GPU/node, GPU count and plan, fabric, request shape, inference settings and
 *    profile → EstimateInput. Problems are InputErrors whose messages name each field the way its writer
 *    does (`names`: "--gpus" on the command line, "gpus" in a baseline file).
 */
import { isAbsolute, resolve } from 'node:path';
import { DEFAULT_INFERENCE, type EstimateInput, type InferenceOptions } from './estimate.ts';
import { GpuProfile } from './profile.ts';
import { powerLimitProblem } from './power-cap.ts';
import { ATTENTION_CHOICES, type AttentionKernel } from '../workload/ops.ts';
import { getModel } from '../workload/request.ts';
import { parsePlan, planGpus, replicaNodesProblem } from '../parallel/plan.ts';
import { getGpu, getNode } from '../hardware/catalog.ts';
import { parseResolution } from '../units.ts';
import { shapeProblems } from '../workload/shape-limits.ts';
import { InputError } from '../errors.ts';
import { accelerationOptions, type AccelerationSpec } from '../engines/inference-spec.ts';

/** Inference settings as a scenario's `inference:` (and a pool's) writes them; every field optional. */
export interface InferenceSpec extends AccelerationSpec {
  attention?: AttentionKernel | 'auto';
  dtype?: 'bf16' | 'fp8' | 'int8';
  compile?: boolean;
  /** official: as the model's own script runs the two guidance branches (Wan, Mochi sequential; CogVideoX, LTX-Video batched). */
  cfg?: 'official' | 'sequential' | 'batched';
  offload?: boolean;
  text_encoder?: 'gpu' | 'cpu';
  sustained?: boolean;
  /** Board power limit per GPU (W), below the default. */
  power_limit_w?: number;
  /** How fp32 matmuls run: tf32 tensor cores (the default; what the official Wan2.2 table is consistent with) or IEEE fp32. */
  fp32_matmul?: 'ieee' | 'tf32';
  /** DiT weights on the GPU; 'auto' (or unset) = what the model's official script keeps (ModelSpec.officialWeightDtype). */
  weight_dtype?: 'auto' | 'bf16' | 'fp32';
  /** Host CPU time per launched kernel of eager PyTorch (µs); default: perf/host-dispatch.ts. */
  host_dispatch_us?: number;
}

/** The cost model's inference options for a spec (unset fields keep DEFAULT_INFERENCE). */
export function inferenceOptions(i: InferenceSpec): InferenceOptions {
  return {
    ...DEFAULT_INFERENCE,
    attention: i.attention ?? DEFAULT_INFERENCE.attention,
    dtype: i.dtype ?? DEFAULT_INFERENCE.dtype,
    compile: i.compile ?? DEFAULT_INFERENCE.compile,
    cfg: i.cfg ?? DEFAULT_INFERENCE.cfg,
    offload: i.offload ?? DEFAULT_INFERENCE.offload,
    textEncoderOnCpu: i.text_encoder === 'cpu',
    sustained: i.sustained ?? DEFAULT_INFERENCE.sustained,
    ...(i.power_limit_w !== undefined ? { powerLimitW: i.power_limit_w } : {}),
    fp32Matmul: i.fp32_matmul ?? DEFAULT_INFERENCE.fp32Matmul,
    ...(i.weight_dtype !== undefined && i.weight_dtype !== 'auto' ? { weightDtype: i.weight_dtype } : {}),
    ...(i.host_dispatch_us !== undefined ? { hostDispatchS: i.host_dispatch_us * 1e-6 } : {}),
    ...accelerationOptions(i),
  };
}

const DTYPES = ['bf16', 'fp8', 'int8'] as const;
const CFG = ['official', 'sequential', 'batched', 'none'] as const;
const FP32_MATMUL = ['ieee', 'tf32'] as const;
const WEIGHT_DTYPES = ['bf16', 'fp32'] as const;

/** One request on one replica, field by field (the names a baseline's `estimate:` uses; the CLI flags are these in kebab case). */
export interface EstimateSpec {
  model: string;
  gpu?: string;
  node?: string;
  /** Spread the replica evenly over this many nodes. */
  nodes?: number;
  gpus?: number;
  gpus_per_node?: number;
  fabric?: string;
  oversubscription?: number;
  parallel?: string;
  resolution?: string;
  frames?: number;
  steps?: number;
  batch?: number;
  attention?: (typeof ATTENTION_CHOICES)[number];
  dtype?: (typeof DTYPES)[number];
  offload?: boolean;
  compile?: boolean;
  /** 'none': no classifier-free guidance (one forward per step); 'official' (the default): the model's guidance, run as its script runs it. */
  cfg?: (typeof CFG)[number];
  t5_cpu?: boolean;
  /** Short-burst clocks instead of sustained (power-limited) ones. */
  burst?: boolean;
  power_limit_w?: number;
  fp32_matmul?: (typeof FP32_MATMUL)[number];
  weight_dtype?: (typeof WEIGHT_DTYPES)[number];
  /** GPU profile JSON (calibration/profile_gpu.py). */
  profile?: string;
}

export interface EstimateInputOptions {
  /** How a field is called where the spec was written (default: its key). */
  names?: (field: keyof EstimateSpec) => string;
  /** Folder that relative model-config paths are read from (default: as given, i.e. the working directory). */
  baseDir?: string;
}

/** The cost model's input for a spec; an InputError (issues located at each field's name) for bad values. */
export function estimateInput(spec: EstimateSpec, o: EstimateInputOptions = {}): EstimateInput {
  const name = o.names ?? ((f: keyof EstimateSpec) => f);
  const problem = (field: keyof EstimateSpec, message: string, hint?: string): never => {
    throw new InputError([{ source: name(field), path: field, message, hint }]);
  };
  const oneOf = <T extends string>(field: keyof EstimateSpec, v: string | undefined, allowed: readonly T[], dflt: T): T => {
    if (v === undefined) return dflt;
    if (!(allowed as readonly string[]).includes(v)) problem(field, `${name(field)} expects one of ${allowed.join(', ')}, got "${v}"`);
    return v as T;
  };
  if (!spec.gpu && !spec.node) problem('gpu', `give ${name('gpu')} <id> or ${name('node')} <type>`);
  const plan = parsePlan(spec.parallel ?? 'none', name('parallel'));
  const gpus = spec.gpus ?? planGpus(plan);
  let gpusPerNode = spec.gpus_per_node;
  const tooMany = spec.nodes !== undefined ? replicaNodesProblem(gpus, spec.nodes) : undefined;
  if (tooMany) problem('nodes', `${tooMany}, got ${name('nodes')} ${spec.nodes}`, `raise ${name('gpus')} or lower ${name('nodes')}`);
  if (spec.nodes !== undefined) gpusPerNode = Math.ceil(gpus / spec.nodes);
  if (gpus > 1 && !spec.parallel) {
    problem('gpus', `${name('gpus')} ${gpus} needs ${name('parallel')} to say how the work is split, e.g. ${name('parallel')} ulysses=${gpus},fsdp`, 'or try: vgsim plan');
  }
  const res = spec.resolution !== undefined ? parseResolution(spec.resolution) : undefined;
  if (spec.resolution !== undefined && !res) problem('resolution', `${name('resolution')} expects WIDTHxHEIGHT, got "${spec.resolution}"`);
  const attention = oneOf('attention', spec.attention, ATTENTION_CHOICES, 'auto');
  const dtype = oneOf('dtype', spec.dtype, DTYPES, 'bf16');
  const cfg = oneOf('cfg', spec.cfg, CFG, 'official');
  const fp32Matmul = spec.fp32_matmul === undefined ? undefined : oneOf('fp32_matmul', spec.fp32_matmul, FP32_MATMUL, 'tf32');
  const weightDtype = spec.weight_dtype === undefined ? undefined : oneOf('weight_dtype', spec.weight_dtype, WEIGHT_DTYPES, 'bf16');
  const gpu = spec.gpu ?? getNode(spec.node!).gpu;
  if (spec.power_limit_w !== undefined) {
    const cap = powerLimitProblem(getGpu(gpu), spec.power_limit_w);
    if (cap) problem('power_limit_w', `${name('power_limit_w')}: ${cap.message}`, cap.hint);
  }
  const modelId = o.baseDir !== undefined && spec.model.endsWith('.json') && !isAbsolute(spec.model) ? resolve(o.baseDir, spec.model) : spec.model;
  const model = getModel(modelId);
  // the shape rules every request gets (frames 4n+1, resolution a multiple of stride × patch, RoPE, steps)
  const shape = { width: res?.width ?? model.defaults.width, height: res?.height ?? model.defaults.height, frames: spec.frames ?? model.defaults.frames, steps: spec.steps ?? model.defaults.steps };
  const bad = shapeProblems(model, shape);
  if (bad.length) throw new InputError(bad.map((p) => ({ source: name(p.field), path: p.field, message: p.message, hint: p.hint })));
  return {
    model,
    gpu,
    node: spec.node,
    gpus,
    plan,
    fabric: { gpusPerNode, link: spec.fabric, oversubscription: spec.oversubscription ?? 1 },
    // 'official' keeps the model's own guidance (HunyuanVideo's is distilled into the DiT: no CFG)
    request: { width: res?.width, height: res?.height, frames: spec.frames, steps: spec.steps, cfg: cfg === 'none' ? false : cfg === 'official' ? undefined : true },
    options: {
      ...inferenceOptions({ attention, dtype, compile: !!spec.compile, cfg: cfg === 'none' ? 'official' : cfg, offload: !!spec.offload, text_encoder: spec.t5_cpu ? 'cpu' : 'gpu', sustained: !spec.burst, power_limit_w: spec.power_limit_w, fp32_matmul: fp32Matmul, weight_dtype: weightDtype }),
      batch: spec.batch ?? 1,
    },
    device: spec.profile ? { profile: GpuProfile.loadForPricing(spec.profile) } : undefined,
  };
}
