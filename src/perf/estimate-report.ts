/**
 * What an estimate reports about where the time goes: the stage table, each collective's calls and exposed
 * time per request, the top operators, and (lazily, for the trace) one denoising step's operators in
 * program order.
 */
import type { Op } from '../workload/ops.ts';
import { formatPlan } from '../parallel/plan.ts';
import type { PricedOp, StageCost } from './stage-cost.ts';
import { PIPEFUSION_WARMUP_STEPS, type EstimateSetup } from './estimate-setup.ts';
import type { DenoiseCost } from './denoise-cost.ts';
import type { EncodeDecodeCost } from './encode-decode-cost.ts';
import type { WeightPlan } from './weights.ts';
import type { CollectiveReport, Estimate, ForwardOps, StageReport, StepOp } from './estimate.ts';
import { familyDecodeCalls, stackDetail } from '../workload/families/stages.ts';
import { decodeLatent } from '../workload/families/sampling.ts';
import { vaeTiling } from '../engines/rules.ts';

const GB = 1e9;
/** Seconds in a stage detail: 12.43 s, 860 ms. */
const secs = (x: number) => (x >= 1 ? `${x.toFixed(2)} s` : `${(x * 1e3).toFixed(0)} ms`);

/** Forwards per request (both CFG branches when sequential). */
export function forwardCount(s: EstimateSetup, d: DenoiseCost): number {
  return s.req.steps * d.forwardsPerStep;
}

/** With PipeFusion the priced forward is one patch-stage: its block ops run pipelineFactor times per forward. */
function blockScale(s: EstimateSetup, d: DenoiseCost) {
  return (op: PricedOp) => (s.pp > 1 && op.group === 'block' ? d.pipelineFactor : 1);
}

export function stageReports(s: EstimateSetup, d: DenoiseCost, ed: EncodeDecodeCost, w: WeightPlan): StageReport[] {
  const { opts, plan, req, model, groupN } = s;
  const fwdCount = forwardCount(s, d);
  const teDetail = model.family === 'wan'
    ? (plan.t5 === 'cpu' ? 'umT5 on CPU' : `umT5-XXL${s.exec.textEncoderDtype !== 'bf16' ? ` (${s.exec.textEncoderDtype})` : ''}, 2 calls × 512 tokens${plan.t5 === 'fsdp' ? ', FSDP-sharded' : ''}`)
    : `${stackDetail(model.textEncoder, req.cfg)}${plan.t5 === 'cpu' ? ', on the CPU' : plan.t5 === 'fsdp' ? ', FSDP-sharded' : ''}`;
  let vaeDetail: string;
  if (model.family === 'wan') vaeDetail = s.exec.vae.tiny ? `tiny VAE (TAEHV), ${req.latent.t} latent frames` : `${model.vae.id}, ${req.latent.t} latent frames, ${s.exec.vae.dtype}${s.exec.vae.tiled ? ', tiled (256-px tiles every 192)' : ''}${ed.vaeShards > 1 ? `, split over ${ed.vaeShards} GPUs` : ''}`;
  else {
    const z = decodeLatent(model, req.latent);
    const calls = familyDecodeCalls(model.vae, { ...z, shards: ed.vaeShards, tiled: opts.vaeTiling ?? model.vaeTiling ?? true });
    vaeDetail = `${model.vae.id}, ${z.t}×${z.h}×${z.w} latent in ${calls} decoder call${calls > 1 ? 's' : ''}, ${model.vae.id === 'mochi-vae' && ed.vaeShards > 1 ? 'bf16' : model.vae.dtype}${ed.vaeShards > 1 ? (model.vae.id === 'hunyuan-video-15-vae' ? `, tiles dealt over ${ed.vaeShards} GPUs` : `, frames split over ${ed.vaeShards} GPUs`) : ''}`;
  }
  const meanForward = d.meanForwardSeconds ?? d.forwardSeconds;
  const c = s.cache;
  const cacheDetail = c && d.cacheForwards
    ? `; mean of ${c.computed} computed (${secs(d.cacheForwards.computedS)} each) and ${c.forwards - c.computed} cached forwards (${secs(d.cacheForwards.skippedS)}) of ${c.forwards}`
    : meanForward !== d.forwardSeconds ? `; mean forward (${secs(d.forwardSeconds)} at the steps' main kernel)` : '';
  const stages: StageReport[] = [
    { name: 'text_encode', count: 1, seconds_each: ed.teCost.seconds, seconds_total: ed.teCost.seconds, bound: dominant(ed.teCost), detail: teDetail },
    ...(ed.encodeCost ? [{ name: 'vae_encode', count: opts.batch, seconds_each: ed.encodeCost.seconds, seconds_total: ed.encodeSeconds, bound: dominant(ed.encodeCost), detail: `${model.vae.id}, ${ed.encodeFrames === 1 ? 'the reference image' : `${ed.encodeFrames}-frame conditioning clip`}, ${s.exec.vae.dtype === 'bf16' ? 'bf16' : 'fp32'}${s.exec.vae.tiled ? `, tiled (${vaeTiling(1).tile}-px tiles every ${vaeTiling(1).stride})` : ''}, on every rank` }] : []),
    {
      // the mean forward where they differ (a step cache's cached forwards, dense warm-up steps), so the row sums to the denoise
      name: 'dit_forward', count: fwdCount, seconds_each: meanForward, seconds_total: meanForward * fwdCount, bound: dominant(d.fwdMean ?? d.fwdStage),
      detail: `${d.passes ? d.passes.map((p) => `${p.forwards} × ${p.tokens} tokens (batch ${p.batches.join('/')})`).join(' + ') : `${req.tokens} tokens × batch ${d.batchPerForward}`}, ${s.kernel}${groupN > 1 ? `, ${formatPlan(plan)}` : ''}${cacheDetail}`,
    },
    { name: 'scheduler', count: req.steps, seconds_each: d.schedCost.seconds, seconds_total: d.schedCost.seconds * req.steps, bound: dominant(d.schedCost) },
    { name: 'vae_decode', count: opts.batch, seconds_each: ed.vaeOnce.seconds, seconds_total: ed.vaeSeconds, bound: dominant(ed.vaeOnce), detail: vaeDetail },
  ];
  if (d.hostSyncSeconds > 0) stages.push({ name: 'host_sync', count: req.steps, seconds_each: d.hostSyncSeconds, seconds_total: d.hostSyncSeconds * req.steps, bound: 'launch', detail: `${s.exec.engine.name}: CPU RoPE tables and a stream sync in every block, ${d.forwardsPerStep} forward${d.forwardsPerStep > 1 ? 's' : ''} a step` });
  if (d.warmupExtra > 0) stages.push({ name: 'pipefusion_warmup', count: PIPEFUSION_WARMUP_STEPS, seconds_each: d.warmupExtra / PIPEFUSION_WARMUP_STEPS, seconds_total: d.warmupExtra, bound: 'compute', detail: 'synchronous first step' });
  if (w.streamExposed > 0) stages.push({ name: 'cpu_offload_stream', count: fwdCount, seconds_each: w.streamExposed / fwdCount, seconds_total: w.streamExposed, bound: 'link', detail: 'weight streaming not hidden by compute' });
  for (const t of w.transfers) stages.push({ name: `transfer: ${t.name}`, count: 1, seconds_each: t.seconds, seconds_total: t.seconds, bound: 'link', detail: `${(t.bytes / GB).toFixed(1)} GB` });
  if (w.handoff > 0) stages.push({ name: 'transfer: latents to the low-noise group', count: 1, seconds_each: w.handoff, seconds_total: w.handoff, bound: 'link' });
  return stages;
}

/** Every collective of a request with its calls and (exposed) time; warns when they are modelled, not measured. */
export function collectiveReports(s: EstimateSetup, d: DenoiseCost, ed: EncodeDecodeCost): CollectiveReport[] {
  const { opts, plan, req, layout, warnings } = s;
  const scaleOf = blockScale(s, d);
  const sources = [...d.fwd.builder.ops, ...ed.teStage.ops, ...ed.vae.ops, ...d.schedOps];
  const collectives: CollectiveReport[] = [];
  const add = (cost: StageCost, perRequest: number) => {
    for (const op of cost.ops) {
      if (op.kind !== 'collective' || op.count === 0) continue;
      const scale = perRequest * (cost === d.fwdStage || cost === d.fwdMean ? scaleOf(op) : 1);
      const src = sources.find((o) => o.name === op.name);
      const comm = src && src.kind === 'collective' ? src : undefined;
      collectives.push({
        name: op.name,
        collective: comm?.collective ?? 'unknown',
        group: comm?.comm ?? 'unknown',
        gpus: comm ? layout.group(comm.comm).p : 0,
        bytes: comm?.bytes ?? 0,
        calls_per_request: op.count * scale,
        seconds_per_request: (op.fullSeconds ?? op.seconds) * scale,
        exposed_seconds_per_request: op.seconds * scale,
        bus_bw_gbs: op.rate,
        bottleneck: op.bottleneck ?? '',
      });
    }
  };
  add(d.fwdMean ?? d.fwdStage, forwardCount(s, d));
  add(d.schedCost, req.steps);
  if (plan.t5 !== 'cpu') add(ed.teCost, 1);
  add(ed.vaeOnce, opts.batch);
  const modelled = [...new Set(collectives.filter((c) => c.gpus > 1 && !c.bottleneck.startsWith('measured')).map((c) => c.gpus))].sort((a, b) => a - b);
  if (modelled.length > 0 && layout.nodes === 1) {
    warnings.push(
      `collectives on ${modelled.join('/')} GPUs are modelled (alpha-beta with the catalog's bus-bandwidth efficiency), not measured: ` +
        `at 2 GPUs of an HGX H100, where they are measured, that model came out 15-45% faster than NCCL for 16 MB-1 GB messages (npm run validate:collectives)`,
    );
  }
  return collectives;
}

/** The 25 operators that take the most time per request. */
export function topOps(s: EstimateSetup, d: DenoiseCost, ed: EncodeDecodeCost, totalSeconds: number): Estimate['ops'] {
  const fwdCount = forwardCount(s, d);
  const scaleOf = blockScale(s, d);
  const weighted: { op: PricedOp; seconds: number }[] = [
    ...(d.fwdMean ?? d.fwdStage).ops.map((op) => ({ op, seconds: op.seconds * fwdCount * scaleOf(op) })),
    ...ed.vaeOnce.ops.map((op) => ({ op, seconds: op.seconds * s.opts.batch })),
    ...ed.teCost.ops.map((op) => ({ op, seconds: op.seconds })),
  ].sort((a, b) => b.seconds - a.seconds);
  return weighted.slice(0, 25).map(({ op, seconds }) => ({
    name: op.name, group: op.group, kind: op.kind, shape: op.shape, seconds, share: seconds / totalSeconds, bound: op.bound,
    rate: `${op.rate.toFixed(op.rateUnit === 'GB/s' ? 0 : 1)} ${op.rateUnit}`,
  }));
}

/** One denoising step's priced operators in program order (the trace's per-GPU operator view). */
export function forwardOps(s: EstimateSetup, d: DenoiseCost): ForwardOps {
  const scaleOf = blockScale(s, d);
  const inOrder = (ops: readonly Op[], cost: StageCost, repeat: (op: PricedOp) => number): StepOp[] => {
    // priceStage lists compute ops first, then collectives: restore program order
    const nCompute = ops.filter((o) => o.kind !== 'collective').length;
    let ci = 0, ki = 0;
    const out: StepOp[] = [];
    for (const op of ops) {
      const p = op.kind === 'collective' ? cost.ops[nCompute + ci++]! : cost.ops[ki++]!;
      if (op.count === 0) continue;
      const c = op.kind === 'collective' ? op : undefined;
      const r = repeat(p);
      out.push({
        name: p.name, group: p.group, kind: p.kind, shape: p.shape, count: p.count * r, seconds: p.seconds * r, bound: p.bound, rate: p.rate, rateUnit: p.rateUnit, flops: p.flops * r, bytes: p.bytes * r,
        ...(c ? { collective: { op: c.collective, comm: c.comm, gpus: s.layout.group(c.comm).p, bytes: c.bytes, full_s: (p.fullSeconds ?? p.seconds) * r, hidden_behind: c.hiddenBehind, bottleneck: p.bottleneck } } : {}),
      });
    }
    return out;
  };
  const forward = inOrder(d.fwd.builder.ops, d.fwdStage, scaleOf);
  const scheduler = inOrder(d.schedOps, d.schedCost, () => 1);
  const forwards = d.forwardsPerStep === 2 ? ['forward (cond)', 'forward (uncond)'] : d.cfgBatched ? ['forward (cond + uncond, batched)'] : s.plan.cfg === 2 ? ['forward (one CFG branch per GPU group)'] : ['forward'];
  const sum = (l: StepOp[]) => l.reduce((a, o) => a + o.seconds, 0);
  return { forward, forwards, scheduler, step_s: sum(forward) * forwards.length + sum(scheduler) };
}

function dominant(c: StageCost): string {
  if (c.launchBound) return 'launch';
  const entries = Object.entries(c.byBound).sort((a, b) => b[1] - a[1]);
  return entries[0]![0];
}
