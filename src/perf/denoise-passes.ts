/**
 * The denoising loop of a sampler whose forwards are not all alike (LTX-Video): one or more passes, each at
 * its own latent size, each step batching 1 + CFG + STG conditions into one forward (the batch changes from
 * step to step in the 13B multi-scale first pass), and the latent upsampler between the passes. Every
 * distinct (pass, batch) forward is built and priced once and counted as often as the schedule runs it.
 *
 * What the rest of the estimate reads from a DenoiseCost keeps its meaning: `fwd`/`fwdStage` are the forward
 * with the largest working set (memory, power), `forwardSeconds` the mean forward, `forwardsPerStep` the
 * forwards per requested step (fractional when the passes skip steps), `denoiseSeconds` the whole loop.
 */
import { priceStageOnce, type StageCost } from './stage-cost.ts';
import { ditForward } from './stage-builds.ts';
import type { EstimateSetup } from './estimate-setup.ts';
import type { DenoiseCost } from './denoise-cost.ts';
import { schedulerOps } from './denoise-cost.ts';
import { buildLatentUpsampler, samplingPasses } from '../workload/families/sampling.ts';
import { buildHv15SrUpsampler } from '../workload/families/hunyuan-video-15-sr.ts';
import type { DitForward } from '../workload/dit.ts';

export function passesDenoiseCost(s: EstimateSetup): DenoiseCost {
  const { opts, plan, req, model, device, layout, exec } = s;
  const passes = samplingPasses(model, req.latent, req.steps, req.cfg);
  const base = {
    kernel: s.kernel, linearDtype: exec.legacyFp8 ? 'fp8' : 'bf16', fp32Matmul: opts.fp32Matmul, fused: exec.fusedLegacy, ulysses: plan.ulysses, ring: plan.ring, tp: plan.tp,
    weightsResident: false, castWeights: s.castWeights,
  } as const;
  const price = (tokens: number, batch: number) => {
    const f = ditForward(model.dit, { ...base, tokens, batch });
    return { f, cost: priceStageOnce(device, f.builder.ops, layout.pricer) };
  };
  let forwardTotal = 0;
  let forwards = 0;
  const priced: { cost: StageCost; n: number }[] = [];
  let schedTotal = 0;
  let biggest: { f: DitForward; cost: StageCost } | undefined;
  let schedCost: StageCost | undefined;
  let schedOpsOut: ReturnType<typeof schedulerOps> = [];
  let latentBytes = 0;
  for (const p of passes) {
    const counts = new Map<number, number>();
    for (const c of p.conds) counts.set(c, (counts.get(c) ?? 0) + 1);
    for (const [conds, n] of [...counts].sort((a, b) => a[0] - b[0])) {
      const fw = price(p.tokens, opts.batch * conds);
      forwardTotal += fw.cost.seconds * n;
      forwards += n;
      priced.push({ cost: fw.cost, n });
      if (!biggest || fw.f.builder.peakMemory().bytes > biggest.f.builder.peakMemory().bytes) biggest = fw;
    }
    latentBytes = opts.batch * model.vae.zDim * p.latent.t * p.latent.h * p.latent.w * model.sampler.latentBytes;
    const ops = schedulerOps(s, latentBytes);
    const sc = priceStageOnce(device, ops, layout.pricer);
    schedTotal += sc.seconds * p.conds.length;
    schedCost = sc;
    schedOpsOut = ops;
  }
  // the latent upsampler between the passes (multi-scale), once per video
  let between = 0;
  const betweenKind = model.sampler.between;
  if (betweenKind && passes.length > 1) {
    // LTX-Video's latent upsampler, or HunyuanVideo-1.5's SR upsampler (base latent → SR latent)
    const up = betweenKind === 'ltx-latent-upsampler'
      ? buildLatentUpsampler(passes[0]!.latent, model.vae.zDim)
      : buildHv15SrUpsampler(betweenKind, passes[0]!.latent, passes[1]!.latent, model.vae.zDim);
    between = priceStageOnce(device, up.ops, layout.pricer).seconds * opts.batch;
  }
  const last = passes[passes.length - 1]!;
  const branch = price(last.tokens, opts.batch).cost.seconds;
  const denoiseSeconds = forwardTotal + schedTotal + between;
  const forwardsPerStep = forwards / req.steps;
  return {
    fwd: biggest!.f,
    fwdStage: biggest!.cost,
    fwdMean: meanStage(priced, forwards),
    passes: passes.map((p) => ({ name: p.name, tokens: p.tokens, forwards: p.conds.length, batches: [...new Set(p.conds)].sort((a, b) => a - b).map((c) => c * opts.batch) })),
    forwardSeconds: forwardTotal / forwards,
    branchForward: branch,
    forwardsPerStep,
    batchPerForward: Math.max(...passes.flatMap((p) => p.conds)) * opts.batch,
    cfgBatched: req.cfg,
    pipelineFactor: 1,
    schedOps: schedOpsOut,
    schedCost: schedCost!,
    cacheBytes: 0,
    stepSeconds: denoiseSeconds / req.steps,
    hostSyncSeconds: 0,
    warmupExtra: 0,
    denoiseSeconds,
    latentBytes,
  };
}

/** The average forward of the loop: every priced forward's ops, weighted by its share of the forwards. */
function meanStage(priced: { cost: StageCost; n: number }[], forwards: number): StageCost {
  const out: StageCost = { seconds: 0, gpuSeconds: 0, launchSeconds: 0, kernels: 0, flops: 0, bytes: 0, byBound: { compute: 0, memory: 0, launch: 0, link: 0 }, byGroup: {}, ops: [], launchBound: false };
  for (const { cost, n } of priced) {
    const w = n / forwards;
    out.seconds += cost.seconds * w;
    out.gpuSeconds += cost.gpuSeconds * w;
    out.launchSeconds += cost.launchSeconds * w;
    out.kernels += cost.kernels * w;
    out.flops += cost.flops * w;
    out.bytes += cost.bytes * w;
    for (const [k, v] of Object.entries(cost.byBound)) out.byBound[k as keyof StageCost['byBound']] += v * w;
    for (const [k, v] of Object.entries(cost.byGroup)) out.byGroup[k] = (out.byGroup[k] ?? 0) + v * w;
    out.launchBound ||= cost.launchBound;
    for (const op of cost.ops) {
      out.ops.push({ ...op, count: op.count * w, seconds: op.seconds * w, kernels: op.kernels * w, flops: op.flops * w, bytes: op.bytes * w, ...(op.fullSeconds !== undefined ? { fullSeconds: op.fullSeconds * w } : {}) });
    }
  }
  return out;
}
