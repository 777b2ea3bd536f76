/**
 * The denoising loop of one request on one GPU of its group: the DiT forward as built for the plan
 * (sequence/tensor sharding, FSDP gathers, PipeFusion patches), CFG as two sequential forwards, one batched
 * forward or two GPU groups, and the scheduler step with the CFG combine.
 *
 * PipeFusion: a step runs `pp` patches through `pp` stages, (patches + stages − 1) patch-stage times for the
 * blocks; the embeddings, time MLP and head run once on the full sequence; the first step is synchronous.
 */
import { DTYPE_BYTES, type Op } from '../workload/ops.ts';
import type { DitForward, DitForwardOptions } from '../workload/dit.ts';
import { priceStageOnce, type StageCost } from './stage-cost.ts';
import { ditForward } from './stage-builds.ts';
import { PIPEFUSION_WARMUP_STEPS, type EstimateSetup } from './estimate-setup.ts';
import { passesDenoiseCost } from './denoise-passes.ts';
import { hostSyncSecondsPerStep } from './engine-host-sync.ts';

export interface DenoiseCost {
  /** The priced forward (one PipeFusion patch-stage when pp > 1) and its op list. */
  fwd: DitForward;
  fwdStage: StageCost;
  /**
   * The average forward when the forwards differ (multi-pass samplers, a per-step batch): what the top
   * operators, collectives and energy weigh by the forward count. Undefined: every forward is fwdStage.
   */
  fwdMean?: StageCost;
  /** Multi-pass samplers: each pass's tokens, forwards and batches (for the report). */
  passes?: { name: string; tokens: number; forwards: number; batches: number[] }[];
  /** Seconds of one forward as run per step (PipeFusion: the pipelined patches). */
  forwardSeconds: number;
  /**
   * The mean forward a step runs where its forwards differ: a step cache's computed and cached forwards, a sparse
   * method's dense warm-up or xDiT's high-precision steps (undefined: every forward is forwardSeconds).
   */
  meanForwardSeconds?: number;
  /** Step cache: one computed forward (with the residual stored) and one cached forward. */
  cacheForwards?: { computedS: number; skippedS: number };
  /** One CFG branch's forward (differs from forwardSeconds when the branches are batched). */
  branchForward: number;
  forwardsPerStep: number;
  batchPerForward: number;
  cfgBatched: boolean;
  /** Block ops of the priced forward run this many times per forward (PipeFusion), else 1. */
  pipelineFactor: number;
  schedOps: Op[];
  schedCost: StageCost;
  /** Step cache: bytes per GPU of the cached residuals (0 without a cache). */
  cacheBytes: number;
  stepSeconds: number;
  /** Host work the engine's syncs leave exposed per step (engine-host-sync.ts; 0 for most engines), inside stepSeconds. */
  hostSyncSeconds: number;
  /** PipeFusion's synchronous first step, beyond a pipelined one. */
  warmupExtra: number;
  /** Every step plus the warm-up. */
  denoiseSeconds: number;
  /** fp32 latents of the batch, bytes. */
  latentBytes: number;
}

export function denoiseCost(s: EstimateSetup): DenoiseCost {
  // samplers with several passes or a per-step batch (LTX-Video) are priced pass by pass
  if (s.model.sampler.passes) return passesDenoiseCost(s);
  const { opts, plan, req, model, device, layout, pp, exec } = s;
  const cfgBatched = req.cfg && plan.cfg === 1 && opts.cfg === 'batched';
  const batchPerForward = opts.batch * (cfgBatched ? 2 : 1);
  const forwardsPerStep = req.cfg && plan.cfg === 1 && !cfgBatched ? 2 : 1;
  // the official path keeps exactly its historical options (zero drift); engines add their own
  const engineOpts: Partial<DitForwardOptions> = exec.engine.id === 'official' && !exec.linearQuant && !exec.sparse && exec.loraRank === undefined
    ? {}
    : {
      style: exec.style, perTokenTimestep: exec.perTokenTimestep,
      ...(exec.linearQuant ? { linearQuant: exec.linearQuant } : {}),
      ...(s.density < 1 ? { density: s.density, denseLayers: exec.sparse?.denseLayers ?? 0, ...(s.vsa ? { vsa: s.vsa } : {}) } : {}),
      ...(exec.loraRank !== undefined ? { loraRank: exec.loraRank } : {}),
    };
  const forwardOpts: DitForwardOptions = {
    tokens: req.tokens, kernel: s.kernel, linearDtype: exec.legacyFp8 ? 'fp8' : 'bf16', fp32Matmul: opts.fp32Matmul, fused: exec.fusedLegacy, ulysses: plan.ulysses, ring: plan.ring, tp: plan.tp,
    layers: Math.ceil(model.dit.layers / pp), weightsResident: false, fsdp: plan.fsdp ? s.fsdpN : undefined,
    castWeights: s.castWeights, batch: 1, ...engineOpts,
  };
  const price = (batch: number, patches?: number, variant: Partial<DitForwardOptions> = {}) => {
    const f = ditForward(model.dit, { ...forwardOpts, batch, patches, ...variant });
    return { f, cost: priceStageOnce(device, f.builder.ops, layout.pricer) };
  };
  const patched = price(batchPerForward, pp > 1 ? pp : undefined);
  const full = pp > 1 ? price(batchPerForward).cost : patched.cost;
  const pipelineFactor = pp > 1 ? pp + pp - 1 : 1;
  const pipelined = (patchStage: StageCost, whole: StageCost) => (patchStage.byGroup.block ?? 0) * pipelineFactor + (whole.seconds - (whole.byGroup.block ?? 0));
  const forwardSeconds = pp > 1 ? pipelined(patched.cost, full) : patched.cost.seconds;
  const branchForward = batchPerForward === opts.batch
    ? forwardSeconds
    : (() => {
        const one = price(opts.batch, pp > 1 ? pp : undefined).cost;
        return pp > 1 ? pipelined(one, price(opts.batch).cost) : one.seconds;
      })();

  // scheduler step + CFG combine on the latents (fp32); cfg=2 exchanges the branches' predictions
  const latentBytes = opts.batch * req.latent.channels * req.latent.t * req.latent.h * req.latent.w * model.sampler.latentBytes;
  const schedOps = schedulerOps(s, latentBytes);
  const schedCost = priceStageOnce(device, schedOps, layout.pricer);
  const blocks = (c: StageCost) => (c.byGroup.block ?? 0) * pipelineFactor;
  // steps that run another attention (xDiT's high-precision steps, a sparse method's dense warm-up)
  let forwardAvg = forwardSeconds;
  let blockAvg = blocks(patched.cost);
  const nDense = Math.min(req.steps, exec.denseSteps);
  if (nDense > 0 && (exec.denseKernel !== s.kernel || s.density < 1)) {
    const denseVariant: Partial<DitForwardOptions> = { kernel: exec.denseKernel, density: undefined, denseLayers: undefined, vsa: undefined };
    const dp = price(batchPerForward, pp > 1 ? pp : undefined, denseVariant).cost;
    const denseF = pp > 1 ? pipelined(dp, price(batchPerForward, undefined, denseVariant).cost) : dp.seconds;
    forwardAvg = (nDense * denseF + (req.steps - nDense) * forwardSeconds) / req.steps;
    blockAvg = (nDense * blocks(dp) + (req.steps - nDense) * blocks(patched.cost)) / req.steps;
  }
  const cache = cacheCost(s, patched.f, forwardsPerStep, forwardAvg, blockAvg);
  const hostSyncSeconds = hostSyncSecondsPerStep(exec.engine, opts.compile, forwardsPerStep, req.tokens / (plan.ulysses * plan.ring));
  const stepSeconds = cache.forwardSeconds * forwardsPerStep + schedCost.seconds + hostSyncSeconds;
  const warmupExtra = pp > 1 ? PIPEFUSION_WARMUP_STEPS * forwardsPerStep * Math.max(0, full.seconds * pp - forwardSeconds) : 0;
  return {
    fwd: patched.f, fwdStage: patched.cost, forwardSeconds, branchForward, forwardsPerStep, batchPerForward, cfgBatched, pipelineFactor,
    ...(cache.forwardSeconds !== forwardSeconds ? { meanForwardSeconds: cache.forwardSeconds } : {}), ...(cache.each ? { cacheForwards: cache.each } : {}),
    schedOps, schedCost, cacheBytes: cache.bytes, stepSeconds, hostSyncSeconds, warmupExtra, denoiseSeconds: stepSeconds * req.steps + warmupExtra, latentBytes,
  };
}

/**
 * One scheduler step on the latents: the CFG combine (when guidance runs) and the sampler's update (Wan's
 * UniPC: 15 kernels over 12 latent passes; the other families' steps in their sampler spec); cfg=2 exchanges
 * the branches' predictions.
 */
export function schedulerOps(s: EstimateSetup, latentBytes: number): Op[] {
  const step = s.model.sampler.step;
  const update: Op = { kind: 'elementwise', name: s.model.family === 'wan' ? 'unipc_update' : 'scheduler_step', group: 'scheduler', ew: 'binary', bytes: latentBytes * step.latentPasses, kernels: step.kernels, count: 1 };
  // SGLang's CFG-parallel combine: each rank scales its own branch's bf16 prediction (cond by s, uncond by
  // 1 − s: one kernel, read + write) and one all-reduce over the CFG group sums them into the guided
  // prediction on both ranks; no gather, no separate combine (guidance_rescale's broadcast only when > 0, Wan's
  // default is 0) (sgl-project/sglang python/sglang/multimodal_gen/runtime/pipelines_core/stages/denoising.py,
  // "Combine predictions": partial = s * noise_pred_cond | (1 - s) * noise_pred_uncond; noise_pred =
  // cfg_model_parallel_all_reduce(partial), in the stored versions read, not at the CI row's 001514a itself; the
  // later refactor keeps it for Wan: runtime/distributed/cfg_parallel_utils.py@5647a46 run_two_branch_cfg_parallel,
  // "keeps the existing WAN baselines: it avoids gathering both branch predictions", and adds a broadcast of the
  // cond prediction, not priced here)
  if (s.plan.cfg === 2 && s.exec.style === 'sglang') {
    const predBytes = (latentBytes / s.model.sampler.latentBytes) * DTYPE_BYTES.bf16;
    return [
      { kind: 'elementwise', name: 'cfg.scale_branch', group: 'scheduler', ew: 'binary', bytes: 2 * predBytes, kernels: 1, count: 1 },
      { kind: 'collective', name: 'cfg.allreduce_prediction', group: 'scheduler', collective: 'allreduce', bytes: predBytes, comm: 'cfg', count: 1 },
      update,
    ];
  }
  const ops: Op[] = [
    { kind: 'elementwise', name: 'cfg_combine', group: 'scheduler', ew: 'binary', bytes: latentBytes * 5, kernels: 3, count: s.req.cfg ? 1 : 0 },
    update,
  ];
  if (s.plan.cfg === 2) ops.push({ kind: 'collective', name: 'cfg.allgather_prediction', group: 'scheduler', collective: 'allgather', bytes: 2 * latentBytes, comm: 'cfg', count: 1 });
  return ops;
}

/**
 * A step cache's effect on the mean forward (src/engines/step-cache.ts): a computed forward also stores its
 * blocks' residual (x − x_in); a skipped one runs the embeddings, time MLP and head, the front blocks the method
 * keeps (FBCache 1, DBCache Fn) and adds the cached residual instead of the blocks. The check: TeaCache a few
 * vector ops on the timestep embedding, MagCache none (a table lookup on the host), FBCache a full-size
 * reduction of the first block's residual change. Memory: one residual per CFG branch (and FBCache's
 * first-block residual), in the residual stream's dtype.
 */
function cacheCost(s: EstimateSetup, fwd: DitForward, branches: number, forward: number, block: number): { forwardSeconds: number; bytes: number; each?: { computedS: number; skippedS: number } } {
  const c = s.cache;
  if (!c) return { forwardSeconds: forward, bytes: 0 };
  const R = s.exec.style === 'official' ? 4 : 2;
  const T = fwd.localTokens * s.model.dit.dim;
  const d = s.model.dit.dim;
  const ops: Op[] = [
    { kind: 'elementwise', name: 'cache.store_residual', group: 'cache', ew: 'binary', bytes: T * 3 * R, kernels: 1, count: 1 },
    { kind: 'elementwise', name: 'cache.add_residual', group: 'cache', ew: 'binary', bytes: T * 3 * R, kernels: 1, count: 1 },
  ];
  if (c.spec.method === 'teacache') ops.push({ kind: 'elementwise', name: 'cache.check', group: 'cache', ew: 'binary', bytes: 6 * d * 4 * 3 * 4, kernels: 6, count: 1 });
  if (c.spec.method === 'fbcache') ops.push({ kind: 'elementwise', name: 'cache.check', group: 'cache', ew: 'reduce', bytes: T * R * 3, kernels: 3, count: 1 });
  const priced = priceStageOnce(s.device, ops, s.layout.pricer);
  const t = (name: string) => priced.ops.find((o) => o.name === name)?.seconds ?? 0;
  const layersHere = Math.ceil(s.model.dit.layers / s.pp);
  const computedF = forward + t('cache.store_residual') + t('cache.check');
  const skippedF = forward - block + (block * Math.min(c.frontBlocks, layersHere)) / layersHere + t('cache.add_residual') + t('cache.check');
  const phi = c.computed / c.forwards;
  const perBranch = fwd.localTokens * d * R * (c.spec.method === 'fbcache' || c.frontBlocks > 0 ? 2 : 1);
  return { forwardSeconds: phi * computedF + (1 - phi) * skippedF, bytes: perBranch * branches, each: { computedS: computedF, skippedS: skippedF } };
}
