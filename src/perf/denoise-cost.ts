/**
 * The denoising loop of one request on one GPU of its group: the DiT forward as built for the plan
 * (sequence/tensor sharding, FSDP gathers, PipeFusion patches), CFG as two sequential forwards, one batched
 * forward or two GPU groups, and the scheduler step with the CFG combine.
 *
 * PipeFusion: a step runs `pp` patches through `pp` stages, (patches + stages − 1) patch-stage times for the
 * blocks; the embeddings, time MLP and head run once on the full sequence; the first step is synchronous.
 */
import type { Op } from '../workload/ops.ts';
import type { DitForward } from '../workload/dit.ts';
import { priceStageOnce, type StageCost } from './stage-cost.ts';
import { ditForward } from './stage-builds.ts';
import { PIPEFUSION_WARMUP_STEPS, type EstimateSetup } from './estimate-setup.ts';
import { passesDenoiseCost } from './denoise-passes.ts';

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
  /** One CFG branch's forward (differs from forwardSeconds when the branches are batched). */
  branchForward: number;
  forwardsPerStep: number;
  batchPerForward: number;
  cfgBatched: boolean;
  /** Block ops of the priced forward run this many times per forward (PipeFusion), else 1. */
  pipelineFactor: number;
  schedOps: Op[];
  schedCost: StageCost;
  stepSeconds: number;
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
  const { opts, plan, req, model, device, layout, pp } = s;
  const cfgBatched = req.cfg && plan.cfg === 1 && opts.cfg === 'batched';
  const batchPerForward = opts.batch * (cfgBatched ? 2 : 1);
  const forwardsPerStep = req.cfg && plan.cfg === 1 && !cfgBatched ? 2 : 1;
  const forwardOpts = {
    tokens: req.tokens, kernel: s.kernel, linearDtype: opts.dtype, fp32Matmul: opts.fp32Matmul, fused: opts.compile, ulysses: plan.ulysses, ring: plan.ring, tp: plan.tp,
    layers: Math.ceil(model.dit.layers / pp), weightsResident: false, fsdp: plan.fsdp ? s.fsdpN : undefined,
    castWeights: s.castWeights,
  } as const;
  const price = (batch: number, patches?: number) => {
    const f = ditForward(model.dit, { ...forwardOpts, batch, patches });
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
  const stepSeconds = forwardSeconds * forwardsPerStep + schedCost.seconds;
  const warmupExtra = pp > 1 ? PIPEFUSION_WARMUP_STEPS * forwardsPerStep * Math.max(0, full.seconds * pp - forwardSeconds) : 0;
  return {
    fwd: patched.f, fwdStage: patched.cost, forwardSeconds, branchForward, forwardsPerStep, batchPerForward, cfgBatched, pipelineFactor,
    schedOps, schedCost, stepSeconds, warmupExtra, denoiseSeconds: stepSeconds * req.steps + warmupExtra, latentBytes,
  };
}

/**
 * One scheduler step on the latents: the CFG combine (when guidance runs) and the sampler's update (Wan's
 * UniPC: 15 kernels over 12 latent passes; the other families' steps in their sampler spec); cfg=2 exchanges
 * the branches' predictions.
 */
export function schedulerOps(s: EstimateSetup, latentBytes: number): Op[] {
  const step = s.model.sampler.step;
  const ops: Op[] = [
    { kind: 'elementwise', name: 'cfg_combine', group: 'scheduler', ew: 'binary', bytes: latentBytes * 5, kernels: 3, count: s.req.cfg ? 1 : 0 },
    { kind: 'elementwise', name: s.model.family === 'wan' ? 'unipc_update' : 'scheduler_step', group: 'scheduler', ew: 'binary', bytes: latentBytes * step.latentPasses, kernels: step.kernels, count: 1 },
  ];
  if (s.plan.cfg === 2) ops.push({ kind: 'collective', name: 'cfg.allgather_prediction', group: 'scheduler', collective: 'allgather', bytes: 2 * latentBytes, comm: 'cfg', count: 1 });
  return ops;
}
