/**
 * The first seam of an estimate: what is being asked, on what — options with their defaults, the parallel
 * plan and its validity, the node, the replica layout, the device model and the attention kernel — and the
 * notes every estimate of that setup carries. Devices and layouts depend on nothing request-specific, so one
 * instance per (GPU, options) and per (plan, node, fabric) serves every estimate of a process (plan searches,
 * sizing and sweeps call the cost model thousands of times).
 */
import { DeviceModel, type DeviceOptions } from './device.ts';
import { ReplicaLayout, defaultNodeFor } from './layout.ts';
import type { FabricOptions } from '../parallel/network.ts';
import { SINGLE_GPU, groupGpus, planProblems, type ParallelPlan } from '../parallel/plan.ts';
import { getGpu, getNode } from '../hardware/catalog.ts';
import { isHopper } from '../hardware/architecture.ts';
import type { NodeSpec } from '../hardware/types.ts';
import { resolveRequest, type RequestShape, type ResolvedRequest } from '../workload/request.ts';
import { ditParams, type ModelSpec } from '../workload/models.ts';
import { ATTENTION_CHOICES, isQuantizedAttention, type AttentionKernel } from '../workload/ops.ts';
import { InputError } from '../errors.ts';
import type { InferenceOptions } from './estimate.ts';
import { familyNotes } from './family-notes.ts';
import { resolveEngine, type EngineExecution } from '../engines/rules.ts';
import { cacheSchedule, type CacheSchedule } from '../engines/step-cache.ts';
import { requestShift, type ShiftChoice } from '../engines/sample-shift.ts';
import { radialDensity } from '../engines/sparse-attention.ts';
import { quantizedAttentionRatio, SAGE_MEASURED_GPU } from './quantized-attention.ts';
import { linearDtypeProblem } from './linear-quant-rates.ts';
import { vsaLayout, type VsaLayout } from '../workload/vsa.ts';

export interface EstimateInput {
  model: ModelSpec;
  /** GPU id; optional when `node` is given. */
  gpu?: string;
  /** Node type id (default: the catalog's node for the GPU). */
  node?: string;
  plan?: ParallelPlan;
  /** Total GPUs (checked against the plan). */
  gpus?: number;
  fabric?: FabricOptions;
  request?: Partial<RequestShape>;
  options?: Partial<InferenceOptions>;
  device?: DeviceOptions;
}

/** Everything the later seams need, resolved once. */
export interface EstimateSetup {
  opts: InferenceOptions;
  plan: ParallelPlan;
  req: ResolvedRequest;
  model: ModelSpec;
  /** GPUs of one request group (sequence × tensor × pipeline × CFG). */
  groupN: number;
  totalGpus: number;
  nodeId: string;
  node: NodeSpec;
  layout: ReplicaLayout;
  device: DeviceModel;
  kernel: AttentionKernel;
  /** DiT weights as resident: bytes per parameter (fp8 1, bf16 2, the fp32 checkpoint 4). */
  residentWBytes: number;
  /** The linear layers cast fp32 weights to bf16 on every call (autocast over an fp32 checkpoint). */
  castWeights: boolean;
  /** Bytes per parameter of the linear layers' compute dtype (fp8 1, else 2). */
  wBytes: number;
  expertParams: number;
  /** GPUs an FSDP shard is spread over (1 without FSDP). */
  fsdpN: number;
  /** PipeFusion degree. */
  pp: number;
  /** The engine and accelerations as the cost model prices them (src/engines/rules.ts). */
  exec: EngineExecution;
  /** Sparse attention's block density for this request (1 = dense). */
  density: number;
  /** Video Sparse Attention's tiling of this request (when `--sparse vsa`). */
  vsa?: VsaLayout;
  cache?: CacheSchedule;
  /** The sampler's flow shift the request runs at, with its source (undefined: not known for this engine). */
  shift?: ShiftChoice;
  warnings: string[];
}

/** Number of non-pipelined warm-up steps PipeFusion runs before using stale activations (xDiT default). */
export const PIPEFUSION_WARMUP_STEPS = 1;

export function chooseAttention(device: DeviceModel, requested: AttentionKernel | 'auto'): AttentionKernel {
  if (requested !== 'auto') {
    const why = device.attentionAvailable(requested);
    if (why) {
      const here = ATTENTION_CHOICES.filter((k) => k !== 'auto' && !device.attentionAvailable(k));
      throw new InputError([{ source: 'request', path: 'attention', message: `attention kernel ${requested} is not available on ${device.gpu.name}: ${why}`, hint: `kernels that run on it: ${here.join(', ')} (or auto)` }]);
    }
    return requested;
  }
  // What the official code runs: wan/modules/attention.py calls flash_attn directly (FlashAttention-3's
  // flash_attn_interface when installed, as the official README's table ran it on Hopper; FlashAttention-2
  // otherwise; it asserts one is installed). FA3 exists for Hopper only.
  if (isHopper(device.gpu)) return 'fa3';
  return 'fa2';
}

const devices = new Map<string, DeviceModel>();
const layouts = new Map<string, ReplicaLayout>();

/** One device model per GPU and device options (a user's profile object is never shared). */
function deviceFor(gpu: string, options: DeviceOptions): DeviceModel {
  if (options.profile) return new DeviceModel(gpu, options);
  const key = JSON.stringify([gpu, options.sustained, options.launch, options.powerLimitW, options.host?.link, options.host?.memory?.pages, options.host?.dispatchS]);
  let d = devices.get(key);
  if (!d) devices.set(key, (d = new DeviceModel(gpu, options)));
  return d;
}

function layoutFor(plan: ParallelPlan, nodeId: string, fabric: FabricOptions | undefined): ReplicaLayout {
  const key = JSON.stringify([plan, nodeId, fabric ?? null]);
  let l = layouts.get(key);
  if (!l) layouts.set(key, (l = new ReplicaLayout(plan, nodeId, fabric)));
  return l;
}

export function setupEstimate(input: EstimateInput, defaults: InferenceOptions): EstimateSetup {
  const opts: InferenceOptions = { ...defaults, ...input.options };
  const plan: ParallelPlan = { ...(input.plan ?? SINGLE_GPU) };
  if (opts.offload) plan.offload = true;
  if (opts.textEncoderOnCpu) plan.t5 = 'cpu';
  opts.offload = plan.offload;
  opts.textEncoderOnCpu = plan.t5 === 'cpu';
  // CFG as the model's official script runs it (Wan, Mochi: sequential; CogVideoX, LTX-Video: batched), unless asked for otherwise
  const cfg = opts.cfg === 'official' ? (input.model.sampler.guidance === 'batched' ? 'batched' : 'sequential') : opts.cfg;
  opts.cfg = cfg;
  const groupN = groupGpus(plan);
  const totalGpus = input.gpus ?? groupN * plan.dp * (plan.experts === 'split' ? 2 : 1);
  const nodeId = input.node ?? defaultNodeFor(input.gpu ?? 'h100-sxm', totalGpus);
  const node = getNode(nodeId);
  if (input.gpu && node.gpu !== input.gpu && input.node) {
    throw new InputError([{ source: '--node', path: 'node', message: `node type ${nodeId} carries ${node.gpu}, not ${input.gpu}` }]);
  }
  // a node cannot give a replica more GPUs than it has (the layout would silently take all of them)
  const perNode = input.fabric?.gpusPerNode;
  if (perNode !== undefined && perNode > node.gpusPerNode) {
    throw new InputError([{ source: '--gpus-per-node', path: 'gpus_per_node', message: `node type ${nodeId} has ${node.gpusPerNode} GPUs, so a replica uses at most ${node.gpusPerNode} of each, got ${perNode}`, hint: `give at most ${node.gpusPerNode}, or spread the replica over more nodes (--nodes ${Math.ceil(totalGpus / node.gpusPerNode)})` }]);
  }
  // the engine and its accelerations, checked against what it runs (an InputError names what it does not)
  const exec = resolveEngine({ ...opts, cfg }, plan, input.model, getGpu(node.gpu));
  // a distilled model fixes the steps and CFG of every request
  const distilled = exec.distill ? { ...input.request, steps: exec.distill.steps, cfg: exec.distill.cfg } : input.request;
  // the sampler's shift: the user's, else the engine's for the model (sets the A14B switch, checks cache schedules)
  const size = { width: distilled?.width ?? input.model.defaults.width, height: distilled?.height ?? input.model.defaults.height };
  const shift = requestShift(opts.sampleShift, exec.engine.id, input.model, size);
  const req = resolveRequest(input.model, shift ? { ...distilled, shift: shift.shift } : distilled);
  const model = req.model;
  if (exec.distill && input.request?.steps !== undefined && input.request.steps !== exec.distill.steps) req.warnings.push(`${exec.distill.name}: runs ${exec.distill.steps} steps, not the ${input.request.steps} asked for`);
  const problems = planProblems(plan, model, totalGpus, { cfg: req.cfg, tokens: req.tokens, ...(exec.distill ? { cfgOffBy: `${exec.distill.id} distilled it away: one forward per step` } : {}) });
  if (problems.length) throw new InputError(problems.map((m) => ({ source: '--parallel', path: 'parallel', message: m })));
  const layout = layoutFor(plan, nodeId, input.fabric);
  // a replica across boxes without a scale-out NIC has no path between its GPUs (collectives were priced free, or failed)
  const nicLink = input.fabric?.link ?? node.nics.link;
  if (layout.nodes > 1 && !nicLink) {
    throw new InputError([{ source: '--gpus', path: 'gpus', message: `a replica of ${totalGpus} GPUs spans ${layout.nodes} ${nodeId} boxes of ${node.gpusPerNode} GPU${node.gpusPerNode === 1 ? '' : 's'}, which have no scale-out NIC to connect them`, hint: `at most ${node.gpusPerNode} GPU${node.gpusPerNode === 1 ? '' : 's'} a replica on ${nodeId} (run more replicas instead), a node type with more GPUs, or name the link between the boxes (cluster.fabric.link / --fabric)` }]);
  }
  const device = deviceFor(node.gpu, {
    sustained: opts.sustained, launch: exec.cudaGraphs ? 'graph' : 'eager', powerLimitW: opts.powerLimitW, ...input.device,
    host: { link: node.hostLinkPerGpu, memory: input.device?.host?.memory ?? node.hostMemory, dispatchS: opts.hostDispatchS },
  });
  device.beginEstimate();
  const kernel = chooseAttention(device, exec.kernel);
  if (exec.denseKernel !== kernel) chooseAttention(device, exec.denseKernel);
  // quantised linears the GPU has no rate for (fp8 tensor cores, a priced INT8 rate): the DiT's and umT5's
  const dtypeProblems = (['dtype', 'text_encoder_dtype'] as const).flatMap((path) => {
    const problem = linearDtypeProblem(device.gpu, path === 'dtype' ? opts.dtype : exec.textEncoderDtype);
    return problem ? [{ source: 'request', path, ...problem }] : [];
  });
  if (dtypeProblems.length) throw new InputError(dtypeProblems);
  const warnings = [...req.warnings, ...(model.notes ?? []), ...device.notes, ...exec.warnings];
  if (model.family !== 'wan') warnings.push(...familyNotes(model, plan, kernel));
  // one warning for FA3: how its rate is priced and, where the engine defaults to it, what a stock install runs instead
  if (kernel === 'fa3' || exec.denseKernel === 'fa3') warnings.push(`FlashAttention-3 is not measured here: its rate is our measured cuDNN attention × the FA3 paper's FA3/cuDNN ratio at the same length (1.09 at 16k tokens, held beyond)${exec.fa3Install ? `; ${exec.fa3Install}` : ''}`);
  if (isQuantizedAttention(kernel)) {
    // the note names the ratios the pricing takes (quantized-attention.ts)
    const q = quantizedAttentionRatio(kernel, device.gpu, req.tokens);
    const here = device.gpu.id === SAGE_MEASURED_GPU;
    warnings.push(q.measured
      ? `${kernel}: its rate is ${q.basis}${here ? '' : `; on the ${device.gpu.name} scaled with vgsim's cuDNN rate, not measured on it`}; its input kernels at their rates measured on the H100 SXM${here ? '' : ', carried as a copy share (memory bandwidth) and an SM-bound share (SM count)'}`
      : `${kernel} is not measured here: its rate is ${q.basis} (quantisation passes priced as memory-bound kernels); calibration/engines_bench.py measures it`);
  }
  if (opts.compile && exec.fusedLegacy) warnings.push('compile: fused elementwise kernels and CUDA graphs are an idealisation, not calibrated by a measurement');
  if (opts.compile && !exec.fusedLegacy) warnings.push(`compile (${exec.engine.name}): inductor's fusion of the elementwise chains is modelled from the operator list, not measured${exec.cudaGraphs ? '' : '; no CUDA graphs (eager launches)'}`);
  if (opts.dtype === 'fp8' && exec.legacyFp8) warnings.push('fp8: linear layers in e4m3 with per-tensor scales (rates measured with torch._scaled_mm); attention stays bf16');
  if (exec.engine.id !== 'official') warnings.push(`engine ${exec.engine.id}: the DiT block's elementwise kernels follow its code (${exec.style}); their rates are our measured kernel families, the fused kernels priced at one pass over their bytes`);
  const cache = opts.cache ? cacheSchedule(opts.cache, model, req, 'cache', shift) : undefined;
  if (cache) warnings.push(...cache.notes);
  const sparse = exec.sparse;
  const p = model.dit.patch;
  const vsa = sparse?.method === 'vsa' ? vsaLayout([Math.floor(req.latent.t / p[0]), Math.floor(req.latent.h / p[1]), Math.floor(req.latent.w / p[2])], sparse.sparsity!) : undefined;
  const density = !sparse ? 1 : sparse.method === 'radial' ? radialDensity(req.latent.t, req.tokens / req.latent.t, sparse.decay) : vsa ? vsa.density : sparse.density!;
  if (plan.tp > 1 && model.family === 'wan') warnings.push('tensor parallel: Megatron-style all-reduces after o/ffn.2 and for the q/k RMSNorm statistics; not part of the official Wan code');
  if (plan.pipefusion > 1 && model.family === 'wan') warnings.push(`PipeFusion: ${plan.pipefusion} stages × ${plan.pipefusion} patches with stale KV after ${PIPEFUSION_WARMUP_STEPS} warm-up step (xDiT); not part of the official Wan code`);
  if (plan.ring > 1 && model.family === 'wan') warnings.push('ring attention: KV exchange overlapped with attention (xDiT USP); the official Wan2.2 code has Ulysses only');
  if (layout.nodes > 1) warnings.push(`the replica spans ${layout.nodes} nodes: inter-node collectives use the ${nicLink} rail NICs (hierarchical model)`);
  // DiT weights as resident on the GPU: fp8, bf16 (--convert_model_dtype), or the fp32 checkpoint that
  // autocast casts to bf16 in every linear layer (the official path without the flag; Wan2.1 code always)
  const weightDtype = opts.weightDtype ?? (exec.engine.id === 'official' ? model.officialWeightDtype : 'bf16'); // engines load bf16 (diffusers torch_dtype, LightX2V DTYPE)
  const residentWBytes = opts.dtype !== 'bf16' ? 1 : weightDtype === 'fp32' && !plan.fsdp ? 4 : 2;
  return {
    opts, plan, req, model, groupN, totalGpus, nodeId, node, layout, device, kernel,
    residentWBytes,
    // Mochi's FSDP gathers fp32 parameters (MixedPrecision param_dtype fp32), so autocast still casts them per call
    castWeights: residentWBytes === 4 || (model.family === 'mochi' && opts.dtype === 'bf16' && weightDtype === 'fp32'),
    wBytes: opts.dtype !== 'bf16' ? 1 : 2,
    expertParams: ditParams(model.dit),
    fsdpN: plan.fsdp ? layout.group('fsdp').p : 1,
    pp: plan.pipefusion,
    exec, density, ...(vsa ? { vsa } : {}), cache, ...(shift ? { shift } : {}),
    warnings,
  };
}

