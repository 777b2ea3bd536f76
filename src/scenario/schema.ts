/**
 * The scenario file format, as zod schemas: the single source of truth for validation, TypeScript types
 * (z.infer) and the committed JSON Schema (scenario.schema.json, `npm run schema`).
 *
 * Units: durations accept seconds or strings with units ("90s", "30m", "24h", "7d"); rates are per hour
 * unless the key says otherwise; resolutions are "WIDTHxHEIGHT" or "480p"/"720p".
 */
import { ATTENTION_CHOICES } from '../workload/ops.ts';
import { MAX_DIT_LAYERS, MAX_DIT_WIDTH, MAX_PATCH } from '../workload/config-limits.ts';
import { RESIDENT_COMPONENTS } from '../engines/profiles.ts';
import { z } from 'zod';
import { parseDuration, parseResolution, thousands } from '../units.ts';
import type { ArrivalSpec } from '../workload/arrivals.ts';
import type { CurveSpec } from '../workload/rate-curve.ts';
import { LimitsSchema, DEFAULT_LIMITS, DEFAULT_SWEEP_MAX_EVENTS } from './limits.ts';
import { SharedModelsSchema } from './shared-pool-schema.ts';
import { CoolingSchema } from './cooling-schema.ts';
import { PostprocessSchema } from './postprocess-schema.ts'; // workload.mix[].postprocess
import { CostSchema, perNodeType } from './cost-schema.ts';
import { MAX_BATCH, MAX_CURVE_X, MAX_HOST_DISPATCH_US, MAX_MIX_WEIGHT } from '../input-bounds.ts';

export { CostSchema } from './cost-schema.ts';

const duration = (what: string, o: { positive?: boolean } = {}) =>
  z
    // a union's own failure (1e309, .nan, a list) would read "Invalid input": say what a duration is
    .union([z.number().nonnegative(), z.string()], { error: (iss) => `expected a ${o.positive ? 'positive ' : ''}finite duration such as 90s, 30m, 24h or a number of seconds, got ${typeof iss.input === 'string' ? `"${iss.input}"` : typeof iss.input === 'number' ? String(iss.input) : JSON.stringify(iss.input)}` })
    .transform((v, ctx) => {
      const s = typeof v === 'number' ? v : parseDuration(v);
      if (s === undefined || !Number.isFinite(s) || s < 0 || (o.positive && s === 0)) {
        ctx.addIssue({ code: 'custom', message: `expected a ${o.positive ? 'positive ' : ''}finite duration such as 90s, 30m, 24h or a number of seconds, got ${typeof v === 'string' ? `"${v}"` : String(v)}` });
        return z.NEVER;
      }
      return s;
    })
    .describe(`${what} (seconds, or a string like "90s", "30m", "24h", "7d")`);

const resolution = z
  .string()
  .transform((v, ctx) => {
    const r = parseResolution(v);
    if (!r) {
      ctx.addIssue({ code: 'custom', message: `expected WIDTHxHEIGHT (e.g. 1280x720) or 480p/720p, got "${v}"` });
      return z.NEVER;
    }
    return r;
  })
  .describe('video size, "WIDTHxHEIGHT" (e.g. 1280x720) or "480p" / "720p"');

const positiveInt = z.number().int().positive();
// a user's DiT sizes (workload/config-limits.ts: the same bounds as a diffusers config)
const ditWidth = positiveInt.max(MAX_DIT_WIDTH, `at most ${MAX_DIT_WIDTH}`);
const ditPatch = positiveInt.max(MAX_PATCH, `at most ${MAX_PATCH}`);
/** Serving engines (src/engines/profiles.ts ENGINE_IDS; `vgsim list engines`). */
export const ENGINE_CHOICES = ['official', 'diffusers', 'xdit', 'sglang', 'lightx2v', 'lightx2v-2507', 'fastvideo', 'cache-dit', 'vllm-omni'] as const;

export const InferenceSchema = z
  .strictObject({
    engine: z.enum(ENGINE_CHOICES).optional().describe('serving engine whose kernels, layouts and features are modelled (default official; vgsim list engines)'),
    attention: z.enum(ATTENTION_CHOICES).default('auto').describe('attention kernel; auto = the engine\'s default (official: flash_attn, FlashAttention-3 on Hopper, FlashAttention-2 elsewhere); sage1 = SageAttention1\'s INT8 QK, FP16 PV; sage2 = SageAttention2 (INT8 QK, FP8 PV), fa3-fp8 = FlashAttention-3 FP8'),
    dtype: z.enum(['bf16', 'fp8', 'int8']).default('bf16').describe('precision of the DiT linear layers (fp8/int8 with the engine\'s activation quantisation)'),
    dtype_layers: z.array(z.enum(['self', 'cross', 'ffn'])).min(1).optional().describe('which block linears dtype quantises (default all): self-attention, cross-attention, FFN'),
    sparse: z.string().optional().describe('sparse self-attention: "radial" (Radial Attention\'s mask; decay=, steps=, layers=), "vsa,sparsity=0.9" (Video Sparse Attention: FastVideo, SGLang) or a block density such as "0.3,steps=10,layers=1"'),
    cache: z.string().optional().describe('step cache: "magcache[:thresh][,K=n][,R=r][,first]" or "magcache:E024K6R02[,first]", "teacache:thresh[,ret]", "fbcache:thresh,skip=f", "scm:slow|medium|fast|ultra"'),
    distill: z.enum(['lightx2v-4step', 'lightning-4step', 'fastwan-3step']).optional().describe('distilled few-step weights: steps and CFG become the model\'s'),
    lora: z.string().optional().describe('a LoRA on the DiT\'s block linears: its rank, run unfused as PEFT does ("256"; diffusers, xdit, cache-dit), or merged into the weights ("256,fused": no per-call cost)'),
    vae: z
      .strictObject({
        dtype: z.enum(['fp32', 'bf16']).optional().describe('decode precision (default: the engine\'s)'),
        tiled: z.boolean().optional().describe('tiled decode (256-pixel tiles every 192)'),
        decoder: z.enum(['full', 'tiny']).optional().describe('tiny = the TAEHV decoder'),
      })
      .optional()
      .describe('VAE variant'),
    text_encoder_dtype: z.enum(['bf16', 'fp32', 'fp8', 'int8']).optional().describe('umT5 precision: bf16, fp32 (FastVideo\'s default), or quantised block linears fp8/int8 (default: the engine\'s)'),
    keep_on_gpu: z.array(z.enum(RESIDENT_COMPONENTS)).optional().describe('components kept resident on the GPU that the engine keeps in host memory by default (vgsim list engines, "off the GPU by default"), as its flags allow: e.g. [dit, vae] for FastVideo\'s --dit-cpu-offload False --vae-cpu-offload False'),
    sample_shift: z.number().positive().optional().describe('the sampler\'s flow shift (default: the engine\'s for the model, e.g. 5, or 3 for SGLang\'s Wan2.1-1.3B): sets the A14B expert switch and whether a step cache\'s published schedule holds'),
    compile: z.boolean().default(false).describe('fused/compiled kernels and CUDA graphs instead of eager PyTorch'),
    cfg: z.enum(['official', 'sequential', 'batched']).default('official').describe('run the two classifier-free-guidance passes one after the other or as one batch-2 forward; official = as the model\'s own script does (Wan, Mochi: sequential; CogVideoX, LTX-Video: batched)'),
    offload: z.boolean().default(false).describe('the official single-GPU offload path (umT5 and the inactive expert live on the CPU)'),
    text_encoder: z.enum(['gpu', 'cpu']).default('gpu').describe('where umT5 runs (cpu = --t5_cpu)'),
    sustained: z.boolean().default(true).describe('model sustained clocks under the power limit (serving), not short-burst clocks'),
    power_limit_w: z.number().positive().optional().describe('board power limit per GPU in W (nvidia-smi -pl), below the default (TDP): lowers compute clocks and busy power along the measured power curve'),
    fp32_matmul: z.enum(['tf32', 'ieee']).default('tf32').describe('how fp32 matmuls run (Wan2.2 time embedding, head): tf32 tensor cores (TORCH_ALLOW_TF32_CUBLAS_OVERRIDE=1; what the official table is consistent with) or ieee (PyTorch default)'),
    host_dispatch_us: z.number().positive().max(MAX_HOST_DISPATCH_US).optional().describe('host CPU time per kernel eager PyTorch launches, µs (default 23.5, measured on an H100 host with calibration/host/forward_host_probe.py: run it on your host and set its result here); bounds small, host-bound requests'),
    weight_dtype: z.enum(['auto', 'bf16', 'fp32']).default('auto').describe('DiT weights on the GPU: bf16 (--convert_model_dtype), fp32 (checkpoint kept; autocast casts per layer), auto = the official script (Wan2.2: bf16, Wan2.1: fp32)'),
  })
  .describe('how the model is executed (kernel and precision knobs)');

export const RequestClassSchema = z.strictObject({
  name: z.string().optional().describe('label used in reports (default: resolution/frames/steps)'),
  weight: z.number().positive().max(MAX_MIX_WEIGHT, `at most ${thousands(MAX_MIX_WEIGHT)}: weights are relative shares, and their sum must stay finite`).default(1).describe('relative share of arrivals'),
  model: z.string().optional().describe('model id of this class (default: the scenario model)'),
  resolution: resolution.optional(),
  frames: positiveInt.optional().describe('frames per video (4n+1 for Wan, e.g. 81)'),
  steps: positiveInt.optional().describe('denoising steps (default: the model default)'),
  cfg: z.boolean().optional().describe('classifier-free guidance (default: the model\'s; HunyuanVideo\'s distilled guidance needs none)'),
  slo_s: z.number().positive().optional().describe('latency SLO of this class, seconds from arrival to video'),
  priority: z.number().int().min(0).max(9).default(0).describe('0 = most urgent; used by the priority queue policy'),
  postprocess: PostprocessSchema.optional(),
});

const rateFields = {
  rate_per_hour: z.number().nonnegative().optional().describe('mean arrivals per hour'),
  rate_per_min: z.number().nonnegative().optional().describe('mean arrivals per minute'),
  rate_per_s: z.number().nonnegative().optional().describe('mean arrivals per second'),
};

export const ArrivalsSchema = z.discriminatedUnion('process', [
  z.strictObject({ process: z.literal('poisson'), ...rateFields }).describe('Poisson arrivals (exponential gaps)'),
  z.strictObject({ process: z.literal('gamma'), ...rateFields, cv: z.number().positive().describe('coefficient of variation of the gaps (1 = Poisson, >1 burstier)') }).describe('renewal process with Gamma-distributed gaps'),
  z
    .strictObject({
      process: z.literal('trace'),
      file: z.string().describe('CSV with a header, columns by name: vgsim\'s (timestamp_s[,model,resolution,frames,steps,priority,slo_s]), an observed trace of calibration/serving (arrival_s, request_id, ...), or a DiT-benchmark per-request file (width,height,num_frames,num_inference_steps,slo_ms[,timestamp], CSV or Request(...) lines)'),
      rate_per_s: z.number().positive().optional().describe('for a trace without a time column: send its rows at this fixed rate (one every 1/rate s from t=0)'),
    })
    .describe('replay of a trace file'),
]);

export const CurveSchema = z
  .union([
    z.enum(['flat', 'diurnal', 'office-hours']),
    z.array(z.strictObject({ at: z.string().regex(/^\d{1,2}:\d{2}$/, 'expected HH:MM').describe('time of day'), x: z.number().nonnegative().max(MAX_CURVE_X, `at most ${thousands(MAX_CURVE_X)}: multipliers are relative (the curve is normalised to a mean of 1)`).describe('rate multiplier') })).min(1),
  ])
  .default('flat')
  .describe('daily rate curve: multipliers over a 24 h cycle (piecewise linear between points); the arrival rate is the mean over the day');

// The domain declares what it takes (workload/arrivals.ts, workload/rate-curve.ts); the schema's inferred
// types must fit those declarations, so the workload layer never imports the scenario layer.
ArrivalsSchema satisfies z.ZodType<ArrivalSpec>;
CurveSchema satisfies z.ZodType<CurveSpec>;

export const PoolSchema = z.strictObject({
  name: z.string().optional(),
  model: z.string().optional().describe('model served (default: the scenario model)'),
  models: SharedModelsSchema.optional(),
  replicas: positiveInt.default(1).describe('number of replicas (each a copy of the model)'),
  gpus_per_replica: positiveInt.optional().describe('GPUs per replica (default: what `parallel` needs)'),
  parallel: z.string().default('none').describe('parallel plan of one replica, e.g. "ulysses=8,fsdp" or "ulysses=4,cfg=2,fsdp" (vgsim plan lists valid ones)'),
  node: z.string().optional().describe('node type the replicas run on (default: the first node type of the cluster)'),
  engine: z.enum(ENGINE_CHOICES).optional().describe('serving engine of this pool (default: inference.engine, else official); vgsim list engines'),
  inference: InferenceSchema.partial().optional().describe('overrides of the scenario-level inference knobs for this pool'),
  warm: z.boolean().default(true).describe('replicas start loaded at t=0 (false: every replica cold-starts from storage)'),
  stages: z
    .array(z.enum(['encode', 'denoise', 'decode', 'postprocess']))
    .min(1)
    .default(['encode', 'denoise', 'decode', 'postprocess'])
    .describe('stage disaggregation: the stages this pool runs (consecutive, in order); a request moves between pools, its text embeddings, latents or decoded frames sent over the fabric. postprocess: the class\'s post-processing chain (nothing for classes without one)'),
  stage_times: z
    .string()
    .optional()
    .describe('measured stage times (a vgsim-stage-profile/1 JSON from calibration/serving/harness.py profile, relative to the scenario) that replace the cost model\'s for the request shapes they list; every shape the pool serves must be in it'),
  batching: z
    .strictObject({
      max_batch: positiveInt.max(MAX_BATCH, `at most ${thousands(MAX_BATCH)} requests in one forward (more than any serving engine batches)`).default(1).describe('requests of the same shape run together in one forward'),
      window_s: z.number().nonnegative().default(0).describe('how long the first waiting request may wait for companions'),
    })
    .optional()
    .describe('batching of compatible requests'),
});

export const ServingOverheadsSchema = z
  .strictObject({
    dispatch_s: z.number().nonnegative().default(0).describe('router hands a request to a replica → the replica starts it (IPC, deserialisation); holds the replica'),
    handoff_s: z.number().nonnegative().default(0).describe('between two consecutive stages of a request on a replica (encode → denoise, denoise → decode); holds the replica'),
    request_s: z.number().nonnegative().default(0).describe('the rest of a request\'s occupancy outside its stages: pre/post-processing and returning the result; holds the replica'),
    service_cv: z.number().nonnegative().default(0).describe('coefficient of variation of a request\'s service time: each batch\'s phases are scaled by a log-normal speed factor of mean 1 (0 = deterministic, the default)'),
    service_correlation_s: z.number().nonnegative().default(0).describe('correlation time of the speed factor (its log an Ornstein–Uhlenbeck process per replica): slow spells last about this long; 0 = independent per batch'),
    host_dispatch_us: z.number().positive().max(MAX_HOST_DISPATCH_US).optional().describe('host CPU time per launched kernel, µs, as `vgsim calibrate` fits it from a trace\'s denoise times; prices the stages where inference.host_dispatch_us is not set'),
  })
  .describe('serving overheads in seconds per request');

const failureProcess = z
  .strictObject({
    mtbf_h: z.number().positive().describe('mean time between failures of one unit, hours'),
    mttr_h: z.number().positive().describe('mean time to repair, hours'),
    distribution: z.enum(['exponential', 'weibull']).default('exponential'),
    shape: z.number().positive().default(1).describe('Weibull shape k (k < 1: infant mortality, k > 1: wear-out)'),
  });

export const AutoscaleSchema = z
  .strictObject({
    pool: z.string().optional().describe('pool name (default: every pool)'),
    min_replicas: z.number().int().nonnegative().default(1),
    max_replicas: positiveInt.optional().describe('default: the pool size'),
    metric: z.enum(['queue_length', 'utilization', 'slo_risk']).default('queue_length').describe('queue_length: waiting requests per active replica; utilization: busy fraction of active replicas; slo_risk: fraction of waiting requests predicted to miss their SLO'),
    scale_up_at: z.number().nonnegative().default(1).describe('metric value at or above which a replica is added'),
    scale_down_at: z.number().nonnegative().default(0).describe('metric value at or below which an idle replica is put to sleep'),
    interval_s: z.number().positive().default(60),
    cooldown_s: z.number().nonnegative().default(300).describe('minimum time between two scaling actions of the pool'),
    scale_down_delay_s: z.number().nonnegative().default(600).describe('a replica must have been idle this long before it is put to sleep (the stabilisation window of Kubernetes HPA / Knative scale-to-zero grace), so it does not cold-start again minutes later'),
    sleep: z.enum(['gpus', 'node']).default('node').describe('gpus: unload and idle the GPUs; node: also power the node off once all its replicas sleep'),
    boot_s: z.number().nonnegative().default(300).describe('power-on to ready time of a node before the model loads (a scenario assumption; set it from your fleet)'),
  })
  .describe('replica autoscaling with sleeping nodes');

export const CustomModelSchema = z
  .strictObject({
    id: z.string().min(1).describe('id to use in `model:` and in pools/classes'),
    name: z.string().optional(),
    diffusers_config: z.string().optional().describe('path of a diffusers transformer/config.json (WanTransformer3DModel); other fields then override it'),
    base: z.string().optional().describe('zoo model to start from (default wan2.1-t2v-14b)'),
    dit: z
      .strictObject({
        dim: ditWidth.optional(),
        ffn_dim: ditWidth.optional(),
        heads: ditWidth.optional(),
        head_dim: ditWidth.optional(),
        layers: positiveInt.max(MAX_DIT_LAYERS, `at most ${MAX_DIT_LAYERS} blocks (the largest public video DiTs have 40-60)`).optional(),
        in_channels: ditWidth.optional(),
        out_channels: ditWidth.optional(),
        patch: z.tuple([ditPatch, ditPatch, ditPatch]).optional(),
        per_token_timestep: z.boolean().optional().describe('Wan2.2-style per-token fp32 timestep embedding'),
        text_len: positiveInt.optional(),
      })
      .optional(),
    experts: z.union([z.literal(1), z.literal(2)]).optional(),
    boundary: z.number().gt(0).lt(1).optional().describe('two experts: timestep fraction where the low-noise expert takes over'),
    shift: z.number().positive().optional().describe('sampler shift (sets the steps per expert)'),
    vae: z.enum(['wan2.1-vae', 'wan2.2-vae']).optional(),
    defaults: z.strictObject({ steps: positiveInt.optional(), frames: positiveInt.optional(), width: positiveInt.optional(), height: positiveInt.optional(), fps: positiveInt.optional() }).optional(),
  })
  .describe('a user-defined DiT');

export const StorageSchema = z
  .strictObject({
    tier: z.string().default('local-nvme').describe('where model weights load from: local-nvme (the node\'s drives, RAID 0), or a storage id (vgsim list storage): nfs, parallel-fs, object-store-s3, ...'),
    read_gbs: z.number().positive().optional().describe('override of the tier\'s read bandwidth per node, GB/s'),
    aggregate_gbs: z.number().positive().optional().describe('network tiers: total bandwidth shared by all nodes, GB/s'),
    gds: z.boolean().default(false).describe('GPUDirect Storage: read straight into GPU memory (needs bf16 checkpoints; skips the host copy and cast)'),
    page_cache: z.boolean().default(true).describe('a node keeps loaded checkpoints in host RAM, so reloading skips storage'),
    checkpoint_dtype: z.enum(['fp32', 'bf16']).default('fp32').describe('dtype of the DiT weights on disk (official Wan releases are fp32; cast on the CPU)'),
    process_start_s: z.number().nonnegative().optional().describe('start-up of a replica\'s processes before loading: interpreter, import torch, CUDA context, NCCL (default: measured, calibration/host/startup-h100-x2.json: 6.7 s, +1.1 s NCCL for multi-GPU replicas)'),
  })
  .describe('model storage and loading');

/** Non-GPU power of a node, W (bounded, with the reason and a suggestion, in scenario/bounds.ts: at most 20 kW). */
const watts = z.number().nonnegative();
const NODE_OVERHEAD = z.strictObject({ idle: watts.optional(), busy: watts.optional() });

export const ScenarioSchema = z
  .strictObject({
    $schema: z.string().optional(),
    extends: z.string().optional().describe('path of a scenario this one overrides (relative to this file)'),
    name: z.string().min(1).describe('scenario name, used in reports'),
    description: z.string().optional(),
    seed: z.number().int().nonnegative().default(1).describe('seed of every random stream (arrivals, request mix, failures, ...)'),
    duration: duration('simulated time during which requests arrive', { positive: true }).default(3600),
    drain: z.boolean().default(true).describe('after `duration`, keep simulating until every admitted request finishes'),
    model: z.string().describe('model id (vgsim list models), a custom id from `models:`, or a diffusers config.json path'),
    models: z.array(CustomModelSchema).optional().describe('user-defined models'),
    inference: InferenceSchema.default(InferenceSchema.parse({})),
    cluster: z
      .strictObject({
        nodes: z.array(z.strictObject({ type: z.string().describe('node type id (vgsim list nodes)'), count: positiveInt.default(1) })).min(1),
        fabric: z
          .strictObject({
            link: z.string().optional().describe('inter-node link id (default: the node type\'s NICs), e.g. ib-ndr, roce-400'),
            oversubscription: z.number().min(1).default(1).describe('spine oversubscription for traffic between nodes (1 = non-blocking)'),
          })
          .optional()
          .describe('the network between nodes'),
        storage: StorageSchema.default(StorageSchema.parse({})),
        cooling: CoolingSchema.optional(),
      })
      .describe('the hardware'),
    deployment: z
      .union([PoolSchema, z.array(PoolSchema).min(1)])
      .describe('replica pools: how many copies of which model, on how many GPUs each'),
    workload: z.strictObject({
      arrivals: ArrivalsSchema,
      curve: CurveSchema,
      mix: z.array(RequestClassSchema).min(1).default([{ weight: 1, priority: 0 }]).describe('request classes and their shares'),
      trace_models: z
        .record(z.string().min(1), z.string().min(1))
        .optional()
        .describe('model names in trace files (their model column) -> this scenario\'s model ids, e.g. a checkpoint name to the custom model that describes the code it ran on; used by trace arrivals and by vgsim replay/calibrate'),
    }),
    serving_overheads: z
      .union([z.string(), ServingOverheadsSchema])
      .optional()
      .describe('per-request serving overheads that kernel profiles cannot see (dispatch, stage hand-off, pre/post-processing): a vgsim-serving-overheads/1 JSON written by `vgsim calibrate --write` (path relative to the scenario) or inline {dispatch_s, handoff_s, request_s}'),
    scheduling: z
      .strictObject({
        routing: z.enum(['round-robin', 'least-outstanding', 'join-shortest-queue', 'power-of-two', 'random', 'slo-aware']).default('least-outstanding').describe('how the load balancer picks a replica (slo-aware: earliest predicted completion)'),
        queue: z.enum(['fcfs', 'priority', 'sjf', 'edf']).default('fcfs').describe('order of waiting requests on a replica'),
        max_queue: positiveInt.optional().describe('requests waiting per replica beyond which arrivals are dropped'),
        timeout_s: z.number().positive().optional().describe('a request still waiting after this long is dropped'),
        granularity: z.enum(['step', 'stage']).default('step').describe('step: one event per denoising step (expert swaps and failures land on step boundaries); stage: one event per stage (faster for very long runs)'),
      })
      .default({ routing: 'least-outstanding', queue: 'fcfs', granularity: 'step' }),
    autoscale: z.union([AutoscaleSchema, z.array(AutoscaleSchema)]).optional(),
    failures: z
      .strictObject({
        gpu: failureProcess.optional().describe('per GPU'),
        node: failureProcess.optional().describe('per node (the whole server)'),
        link: failureProcess.optional().describe('per node NIC set: replicas spanning nodes lose their interconnect'),
        events: z
          .array(
            z.strictObject({
              at: duration('when the failure happens (simulated time from the start, e.g. 14h)'),
              what: z.enum(['gpu', 'node', 'link']).describe('gpu: one GPU; node: the whole server; link: the node\'s NICs'),
              node: z.number().int().nonnegative().describe('node index (0-based, in cluster.nodes order)'),
              gpu: z.number().int().nonnegative().default(0).describe('GPU index on the node (what: gpu)'),
              repair_after: duration('how long until it is repaired'),
            }),
          )
          .default([])
          .describe('scheduled failures (a failure drill), in addition to the random ones'),
        policy: z.enum(['retry', 'drop']).default('retry').describe('what happens to requests running on failed hardware'),
        max_retries: z.number().int().nonnegative().default(2),
      })
      .optional(),
    power: z
      .strictObject({
        pue: z.number().min(1).optional().describe('facility power / IT power (default from the catalog: 1.2)'),
        // keyed by catalog id, as cost.server_price_usd: an alias or unknown node type was ignored, silently
        node_overhead_w: perNodeType(NODE_OVERHEAD, 'node', 'node overheads', 'expected {idle: W, busy: W} for every node, or {node-type: {idle: W, busy: W}}, each 0 to 100,000 W (a whole 8-GPU node draws 6-14 kW)')
          .optional()
          .describe('non-GPU power of a node (CPUs, DRAM, NICs, NVSwitches, fans, storage), W at idle and with all GPUs busy; for every node or {node-type: {...}} (default: the catalog, derived from wall measurements, so PSU losses are inside)'),
        psu_efficiency: z.number().gt(0.5).max(1).optional().describe('only if your node_overhead_w and the GPU board powers are DC-side: wall power = DC power / efficiency (e.g. 0.94 for 80 PLUS Titanium at typical load)'),
      })
      .default({}),
    cost: CostSchema.default(CostSchema.parse({})),
    sweep: z
      .strictObject({
        mode: z
          .enum(['grid', 'variants', 'random', 'lhs'])
          .optional()
          .describe('grid: every combination of the parameter values (the last parameter varies fastest); variants: one point per named variant; random: `samples` independent uniform draws; lhs: a Latin hypercube of `samples` draws (each parameter\'s range cut into `samples` equal strata, each stratum drawn once, strata paired at random). Default: grid, or variants when only `variants` is given'),
        parameters: z
          .record(
            z.string().min(1).describe('field path, e.g. workload.arrivals.rate_per_hour or workload.mix[0].weight'),
            z.union([
              z.array(z.unknown()).min(1).describe('values to try (grid: each in turn; random/lhs: drawn with equal probability); any YAML value, null removes the field'),
              z
                .strictObject({
                  min: z.number().describe('lowest value'),
                  max: z.number().describe('highest value (included)'),
                  steps: z.number().int().min(2).optional().describe('grid: this many evenly spaced values from min to max (geometric with log: true)'),
                  integer: z.boolean().default(false).describe('draw / round to whole numbers (replicas, GPUs, batch sizes)'),
                  log: z.boolean().default(false).describe('spread values evenly in log space (needs min > 0): rates, sizes spanning decades'),
                })
                .describe('a numeric range: random and lhs draw from it, grid needs `steps`'),
            ]),
          )
          .default({})
          .describe('the swept fields: a field path (the syntax of --set: dots, list indices as .0 or [0]) mapped to a list of values or a {min, max} range'),
        variants: z
          .array(
            z.strictObject({
              name: z.string().min(1).describe('label of the variant in tables and charts'),
              set: z.record(z.string(), z.unknown()).default({}).describe('field path → value overrides applied together (as --set would)'),
            }),
          )
          .min(1)
          .optional()
          .describe('named override sets; in grid/random/lhs mode every sampled point runs once per variant'),
        samples: positiveInt.optional().describe('random / lhs: number of points to draw'),
        seed: z.number().int().nonnegative().default(1).describe('seed of the random / lhs draws (independent of the scenario seed, so the same points come back when the simulation seed changes)'),
        replicate_seeds: positiveInt.default(1).describe('simulate every point with this many simulation seeds: the scenario seed, seed+1, ...'),
        max_points: positiveInt.default(100000).describe('refuse to expand a sweep larger than this (a guard against a grid exploding combinatorially)'),
        max_events: z.number().positive().default(DEFAULT_SWEEP_MAX_EVENTS).describe('refuse to start a sweep whose runs are estimated to process more events than this, all together (default 1e10, about 37 min of one thread); the estimate is printed before every sweep'),
        objectives: z.string().min(1).optional().describe('what a point must meet to be recommended ("best"), as `vgsim capacity --slo` takes them: "p95<=45m,attainment>=0.95,720p-5s.p95<=1h"; always with nothing dropped or failed. Default: the scenario\'s own SLOs (every class with slo_s keeps >= 95% of its requests within it)'),
      })
      .superRefine((s, ctx) => {
        const mode = s.mode ?? (Object.keys(s.parameters).length === 0 && s.variants ? 'variants' : 'grid');
        const nParams = Object.keys(s.parameters).length;
        if (mode === 'variants') {
          if (!s.variants) ctx.addIssue({ code: 'custom', path: ['variants'], message: 'mode variants needs a `variants:` list of {name, set}' });
          if (nParams > 0) ctx.addIssue({ code: 'custom', path: ['parameters'], message: 'mode variants takes no `parameters:` (use mode grid to cross parameters with variants)' });
        } else if (nParams === 0 && !s.variants) ctx.addIssue({ code: 'custom', path: ['parameters'], message: `mode ${mode} needs at least one entry under \`parameters:\`` });
        if ((mode === 'random' || mode === 'lhs') && s.samples === undefined) ctx.addIssue({ code: 'custom', path: ['samples'], message: `mode ${mode} needs \`samples:\` (how many points to draw)` });
        if ((mode === 'grid' || mode === 'variants') && s.samples !== undefined) ctx.addIssue({ code: 'custom', path: ['samples'], message: `samples applies to modes random and lhs, not ${mode}` });
        for (const [key, p] of Object.entries(s.parameters)) {
          if (Array.isArray(p)) continue;
          if (!(p.max >= p.min)) ctx.addIssue({ code: 'custom', path: ['parameters', key, 'max'], message: `max (${p.max}) is below min (${p.min})` });
          if (p.log && !(p.min > 0)) ctx.addIssue({ code: 'custom', path: ['parameters', key, 'min'], message: 'log: true needs min > 0' });
          if (p.integer && Math.ceil(p.min) > Math.floor(p.max)) ctx.addIssue({ code: 'custom', path: ['parameters', key], message: `no whole number between ${p.min} and ${p.max}` });
          if (mode === 'grid' && p.steps === undefined) ctx.addIssue({ code: 'custom', path: ['parameters', key], message: 'a range in a grid needs `steps` (how many values from min to max), or give a list of values' });
        }
        const names = (s.variants ?? []).map((v) => v.name);
        names.forEach((n, i) => {
          if (names.indexOf(n) !== i) ctx.addIssue({ code: 'custom', path: ['variants', i, 'name'], message: `variant name "${n}" is used twice` });
        });
      })
      .optional()
      .describe('a parameter sweep run by `vgsim sweep`: the points (grid, variants, random or Latin hypercube samples) each override fields of this scenario; `vgsim run` ignores it'),
    limits: LimitsSchema.default(DEFAULT_LIMITS),
    output: z.strictObject({ sample_interval_s: z.number().positive().optional().describe('time-series sampling interval (default: duration/500)') }).default({}),
  })
  .describe('a vgsim scenario');

export type Scenario = z.output<typeof ScenarioSchema>;
export type ScenarioInput = z.input<typeof ScenarioSchema>;
export type Inference = z.output<typeof InferenceSchema>;
export type RequestClass = z.output<typeof RequestClassSchema>;
export type Pool = z.output<typeof PoolSchema>;
export type Arrivals = z.output<typeof ArrivalsSchema>;
export type CustomModel = z.output<typeof CustomModelSchema>;
export type Autoscale = z.output<typeof AutoscaleSchema>;
export type ServingOverheadsInput = z.output<typeof ServingOverheadsSchema>;
export type Storage = z.output<typeof StorageSchema>;
export type CostSpec = z.output<typeof CostSchema>;
export type Workload = Scenario['workload'];
export type SweepSpec = NonNullable<Scenario['sweep']>;

export function scenarioJsonSchema(): object {
  return z.toJSONSchema(ScenarioSchema, { io: 'input', unrepresentable: 'any' });
}
