import { ATTENTION_CHOICES } from '../../workload/ops.ts';
import type { Command } from 'commander';
import type { Estimate } from '../../perf/estimate.ts';
import { runEstimate } from '../../api/estimate-run.ts';
import { parsePlan, planGpus, replicaNodesProblem } from '../../parallel/plan.ts';
import { parseOfficialFlags } from '../../parallel/official-flags.ts';
import { getGpu, getNode } from '../../hardware/catalog.ts';
import { powerLimitProblem } from '../../perf/power-cap.ts';
import { parseResolution } from '../../units.ts';
import { table, fmtSeconds, pct } from '../../report/table.ts';
import { UsageError, choiceFlag, intFlag, numberFlag, MAX_GPUS_FLAG, BATCH_FLAG, HOST_DISPATCH_FLAG, OVERSUBSCRIPTION_FLAG } from '../usage-error.ts';
import { InputError } from '../../errors.ts';
import { accelerationFlagSource, accelerationSpec, addAccelerationFlags, type AccelerationFlags } from '../acceleration-flags.ts';
import { parsePostprocessFlag } from '../postprocess-flag.ts';
import { evidenceLine, heldOutRange, nearestCaveat, nearestLine, scopeHeldOutBand, scopeLine } from '../../perf/gpu-evidence.ts';

interface EstimateFlags extends AccelerationFlags {
  model: string;
  gpu?: string;
  node?: string;
  nodes?: string;
  gpus?: string;
  gpusPerNode?: string;
  fabric?: string;
  oversubscription: string;
  parallel?: string;
  resolution?: string;
  frames?: string;
  steps?: string;
  batch: string;
  attention: string;
  dtype: string;
  offload?: boolean;
  compile?: boolean;
  cfg: string;
  t5Cpu?: boolean;
  burst?: boolean;
  powerLimit?: string;
  hostDispatchUs?: string;
  profile?: string;
  fp32Matmul: string;
  weightDtype?: string;
  image?: boolean;
  official?: string;
  postprocess?: string;
  json?: boolean;
}

export function registerEstimate(program: Command): void {
  const cmd = program
    .command('estimate')
    .description('time and memory of one request on an idle, loaded replica, stage by stage')
    .option('--model <id>', 'model id (vgsim list models); or give --official')
    .option('--gpu <id>', 'GPU id (vgsim list gpus); or give --node')
    .option('--node <type>', 'node type (vgsim list nodes); default: the catalog node for the GPU')
    .option('--nodes <n>', 'spread the replica evenly over this many nodes')
    .option('--gpus <n>', 'GPUs in the replica (default: what --parallel needs)')
    .option('--gpus-per-node <n>', 'use only this many GPUs of each node (spreads the replica over more nodes)')
    .option('--fabric <link>', 'inter-node link id (default: the node type\'s NICs), e.g. roce-400, ib-hdr')
    .option('--oversubscription <x>', 'spine oversubscription between nodes', '1')
    .option('--parallel <spec>', 'parallel plan, e.g. ulysses=8,fsdp or ulysses=4,cfg=2,fsdp (see README)')
    .option('--resolution <WxH>', 'video size, e.g. 1280x720 (default: the model default)')
    .option('--frames <n>', 'frames (4n+1)')
    .option('--steps <n>', 'denoising steps')
    .option('--batch <n>', 'videos per forward', '1')
    .option('--attention <kernel>', `${ATTENTION_CHOICES.join('|')} (auto: the engine's default)`, 'auto')
    .option('--dtype <dtype>', 'bf16|fp8|int8 (DiT block linears, with the engine\'s activation quantisation)', 'bf16')
    .option('--offload', 'the official single-GPU offload path (umT5 and inactive expert on the CPU)')
    .option('--compile', 'torch.compile as the engine runs it (official: fused kernels and CUDA graphs, an idealisation)')
    .option('--cfg <mode>', 'official|sequential|batched|none: how the two guidance branches run (official = as the model\'s script: Wan, Mochi sequential; CogVideoX, LTX-Video batched), or none', 'official')
    .option('--t5-cpu', 'run umT5 on the CPU')
    .option('--burst', 'an extrapolated GPU at its short-run clock instead of the clock its power limit holds under load (a profiled GPU\'s rates are a loaded stage\'s either way: perf/loaded-clock.ts)')
    .option('--power-limit <W>', 'board power limit per GPU below the default (nvidia-smi -pl), e.g. 500')
    .option('--host-dispatch-us <us>', 'host CPU time per kernel eager PyTorch launches (default 23.5, an H100 host; measure yours with calibration/host/forward_host_probe.py)')
    .option('--profile <file>', 'GPU profile JSON from calibration/profile_gpu.py (default: the built-in one)')
    .option('--fp32-matmul <mode>', 'how fp32 matmuls run: tf32 (TF32 tensor cores, as the official table ran) or ieee (PyTorch default without TORCH_ALLOW_TF32_CUBLAS_OVERRIDE)', 'tf32')
    .option('--weight-dtype <dtype>', 'DiT weights on the GPU: bf16 (--convert_model_dtype) or fp32 (checkpoint kept; default for Wan2.1 models)')
    .option('--image', 'image-to-video request for ti2v models (VAE-encodes the reference image)')
    .option('--official <launch>', 'an official launch line, e.g. "torchrun --nproc_per_node=8 generate.py --task t2v-A14B --size 1280*720 --ulysses_size 8 --dit_fsdp --t5_fsdp": sets model, size, GPUs, plan and weights as the script would run them')
    .option('--postprocess <chain>', 'post-processing after the decode, on this replica: interpolate=FPS, upscale=SIZE[:MODEL], color, encode=CODEC[:nvenc|cpu][:PRESET][:CORES], dtype=fp16|bf16, comma-separated')
    .option('--json', 'print one JSON object');
  addAccelerationFlags(cmd)
    .addHelpText('after', `
Examples:
  $ vgsim estimate --model wan2.2-t2v-a14b --gpu h100-sxm --resolution 1280x720 --offload
  $ vgsim estimate --model wan2.1-i2v-14b --gpu h100-sxm --resolution 832x480 --engine lightx2v --attention sage2 --dtype fp8 --cache magcache:E024K6R02
  $ vgsim estimate --model wan2.2-t2v-a14b --gpu h100-sxm --gpus 8 --parallel ulysses=4,cfg=2 --engine sglang --distill lightx2v-4step
  $ vgsim estimate --model wan2.1-t2v-1.3b --gpu rtx4090 --resolution 832x480 --json
  $ vgsim estimate --model wan2.2-ti2v-5b --gpu h100-sxm --attention fa3 --compile
  $ vgsim estimate --model hunyuan-video --gpu h100-sxm --gpus 8 --parallel ulysses=8
  $ vgsim estimate --model my-dit/transformer/config.json --gpu h100-sxm
  $ vgsim estimate --model wan2.2-t2v-a14b --gpu h100-sxm --gpus 8 --parallel ulysses=8,fsdp
  $ vgsim estimate --model wan2.2-t2v-a14b --node h100-pcie-8 --parallel ulysses=4,cfg=2,fsdp --json
  $ vgsim estimate --model wan2.2-t2v-a14b --gpu h100-sxm --nodes 2 --parallel ulysses=8,cfg=2,fsdp
  $ vgsim estimate --model wan2.2-t2v-a14b --gpu h100-sxm --gpus 8 --parallel ulysses=8,fsdp --power-limit 500
  $ vgsim estimate --model wan2.2-t2v-a14b --gpu h100-sxm --gpus 4 --parallel ulysses=4,fsdp --resolution 832x480 --postprocess interpolate=32,upscale=1080p,color,encode=h264:cpu:medium:16
  $ vgsim estimate --gpu h20 --official "torchrun --nproc_per_node=8 generate.py --task t2v-A14B --size 1280*720 --ulysses_size 8 --dit_fsdp --t5_fsdp"`)
    .action((o: EstimateFlags) => {
      if (!o.gpu && !o.node) throw new UsageError('give --gpu <id> or --node <type>');
      const official = o.official !== undefined ? parseOfficialFlags(o.official) : undefined;
      if (official && (o.parallel || o.model || o.resolution || o.frames || o.steps || o.gpus || o.offload || o.t5Cpu)) {
        throw new UsageError('--official already sets the model, size, frames, steps, GPUs and plan; drop --model/--parallel/--resolution/--frames/--steps/--gpus/--offload/--t5-cpu');
      }
      if (!official && !o.model) throw new UsageError('give --model <id> (vgsim list models) or --official "<launch line>"');
      const plan = official?.plan ?? parsePlan(o.parallel ?? 'none');
      const gpus = official?.gpus ?? (o.gpus !== undefined ? intFlag('--gpus', o.gpus, 1, MAX_GPUS_FLAG) : planGpus(plan));
      let gpusPerNode = o.gpusPerNode !== undefined ? intFlag('--gpus-per-node', o.gpusPerNode, 1, MAX_GPUS_FLAG) : undefined;
      if (o.nodes !== undefined) {
        const nodes = intFlag('--nodes', o.nodes, 1, MAX_GPUS_FLAG);
        const tooMany = replicaNodesProblem(gpus, nodes);
        if (tooMany) throw new UsageError(`--nodes ${nodes}: ${tooMany} (raise --gpus or lower --nodes)`);
        gpusPerNode = Math.ceil(gpus / nodes);
      }
      if (gpus > 1 && !o.parallel && !official) throw new UsageError(`--gpus ${gpus} needs --parallel to say how the work is split, e.g. --parallel ulysses=${gpus},fsdp (or try: vgsim plan)`);
      const res = o.resolution ? parseResolution(o.resolution) : undefined;
      if (o.resolution && !res) throw new UsageError(`--resolution expects WIDTHxHEIGHT, got "${o.resolution}"`);
      const pick = choiceFlag;
      const attention = pick('--attention', o.attention, ATTENTION_CHOICES);
      const dtype = pick('--dtype', o.dtype, ['bf16', 'fp8', 'int8'] as const);
      const cfgMode = pick('--cfg', o.cfg, ['official', 'sequential', 'batched', 'none'] as const);
      const fp32Matmul = pick('--fp32-matmul', o.fp32Matmul, ['ieee', 'tf32'] as const);
      const weightDtype = o.weightDtype !== undefined ? pick('--weight-dtype', o.weightDtype, ['bf16', 'fp32'] as const) : 'auto';
      const gpuId = o.gpu ?? getNode(o.node!).gpu;
      const powerLimitW = o.powerLimit !== undefined ? intFlag('--power-limit', o.powerLimit) : undefined;
      const capProblem = powerLimitW !== undefined ? powerLimitProblem(getGpu(gpuId), powerLimitW) : undefined;
      if (capProblem) throw new UsageError(`--power-limit: ${capProblem.message}; ${capProblem.hint}`);
      const chain = o.postprocess !== undefined ? parsePostprocessFlag(o.postprocess) : undefined;
      // the request POST /api/estimate takes, already checked flag by flag above (no zod on this path: start-up);
      // what the request checks is reported at the flag that gave it
      const e = atFlags(() => runEstimate({
        model: o.model ?? '',
        official: o.official,
        gpu: gpuId,
        node: o.node,
        gpus: official ? undefined : gpus,
        parallel: o.parallel ?? 'none',
        gpus_per_node: gpusPerNode,
        fabric: o.fabric,
        oversubscription: numberFlag('--oversubscription', o.oversubscription, 1, 'the spine oversubscription between nodes: 1 = non-blocking, 2 = 2:1', OVERSUBSCRIPTION_FLAG),
        nodes: undefined,
        resolution: res ? `${res.width}x${res.height}` : undefined,
        frames: o.frames !== undefined ? intFlag('--frames', o.frames) : undefined,
        steps: o.steps !== undefined ? intFlag('--steps', o.steps) : undefined,
        batch: intFlag('--batch', o.batch, 1, BATCH_FLAG),
        // the model's default guidance unless asked for (HunyuanVideo's is distilled into the DiT: no CFG)
        guidance: cfgMode === 'none' ? false : cfgMode === 'official' ? undefined : true,
        image: o.image ? true : undefined,
        inference: {
          attention, dtype, compile: !!o.compile, cfg: cfgMode === 'none' ? 'official' : cfgMode, offload: !!o.offload,
          text_encoder: o.t5Cpu ? 'cpu' : 'gpu', sustained: !o.burst, power_limit_w: powerLimitW,
          ...(o.hostDispatchUs !== undefined ? { host_dispatch_us: numberFlag('--host-dispatch-us', o.hostDispatchUs, 0.001, 'microseconds of host CPU per launched kernel, e.g. 23.5', HOST_DISPATCH_FLAG) } : {}),
          fp32_matmul: fp32Matmul, weight_dtype: weightDtype, ...accelerationSpec(o),
        },
        profile: o.profile,
      }, chain));
      process.stdout.write(o.json ? JSON.stringify(e, null, 2) + '\n' : estimateText(e) + '\n');
    });
}

export function estimateText(e: Estimate): string {
  const r = e.request;
  const out: string[] = [];
  out.push(`${e.model} on ${e.gpus}x ${e.gpu} (${e.node}${e.nodes > 1 ? ` ×${e.nodes} nodes` : ''}), parallel ${e.parallel}: ${r.width}x${r.height}, ${r.frames} frames, ${r.steps} steps${r.cfg ? ' with CFG' : ''}, batch ${r.batch} → ${r.tokens} tokens`);
  // how a step runs its guidance branches: the plan's cfg=2 puts them on two GPU groups whatever the CFG mode says
  const cfgParallel = /(^|,)cfg=2/.test(e.parallel);
  const cfgMode = !r.cfg ? 'no CFG' : cfgParallel ? 'CFG parallel (cfg=2)' : `CFG ${e.options.cfg}`;
  out.push(`engine ${e.engine}: attention ${e.options.attention_kernel}, ${e.options.dtype}, ${e.options.compile ? 'compiled' : 'eager'}, ${cfgMode}${e.options.offload ? ', offload' : ''}; profile ${e.profile.extrapolated ? 'EXTRAPOLATED from ' : ''}${e.profile.source}${e.profile.sustained_factor !== 1 ? ` (sustained factor ${e.profile.sustained_factor.toFixed(3)})` : ''}${e.profile.power_limit_w !== null ? `; power limit ${e.profile.power_limit_w} W (compute clocks ×${e.profile.cap_clock_ratio.toFixed(3)})` : ''}`);
  // a layout the engine's own code does not run: priced on its kernels, but no launch line runs it (plan never picks it)
  if (e.what_if) out.push(`what-if: ${e.what_if}; priced on the ${e.engine} engine's kernels, never recommended by plan, size or tco`);
  out.push(`evidence: ${e.evidence ? evidenceLine(e.evidence, e.gpus) : `${e.gpu}: a profile given with --profile; vgsim's held-out record (vgsim list evidence) covers its built-in profiles only`}`);
  // an engine other than the official code, a family other than Wan: their own held-out record, over every GPU
  if (e.engine !== 'official') out.push(`evidence: ${scopeLine('engine', e.engine)}`);
  const family = e.family;
  if (family && family !== 'wan') out.push(`evidence: ${scopeLine('family', family)}`);
  if (e.nearest_held_out) out.push(`evidence: ${nearestLine(e.nearest_held_out)}`);
  const nearCaveat = nearestCaveat(e.nearest_held_out);
  if (nearCaveat) out.push(`caveat: ${nearCaveat}`);
  out.push('');
  // a request that does not fit cannot run as asked: say so first, and give no throughput or confidence range for it
  if (!e.fits) out.push('INFEASIBLE as asked: it does not fit in GPU memory ("memory:" below says where and what would fit); the times below are the GPU work alone, what it would take if the memory were there.');
  out.push(`total${e.request.batch > 1 ? ` for the batch of ${e.request.batch} videos` : ''}${e.fits ? '' : ' (if it fit)'} ${fmtSeconds(e.total_s)}  (text encode ${fmtSeconds(e.text_encode_s)}, denoise ${fmtSeconds(e.denoise_s)}, VAE decode ${fmtSeconds(e.vae_decode_s)}, transfers ${fmtSeconds(e.transfer_s)})`);
  // the empirical band: another engine's or family's own held-out errors where it is one, else the GPU's
  const scope = e.engine !== 'official' ? { kind: 'engine' as const, id: e.engine } : family && family !== 'wan' ? { kind: 'family' as const, id: family } : undefined;
  if (e.beyond_measured) out.push(`caveat: ${e.beyond_measured}`);
  // a shape the model's code is not run at: runnable, but no published or measured run of it
  for (const n of e.request_notes) out.push(`caveat: ${n}`);
  if (e.fits && scope && !e.beyond_measured) {
    const r = scopeHeldOutBand(scope.kind, scope.id, e.total_s, e.gpu);
    out.push(r.status === 'band'
      ? `held-out range for ${scope.kind} ${scope.id}: measured runs came out at ${fmtSeconds(r.lo)} to ${fmtSeconds(r.hi)} for this total (its 10th–90th percentile error over ${r.n} held-out timings of whole requests on ${r.gpus.join(', ')}; vgsim list evidence)`
      : r.status === 'other-gpus'
        ? `held-out range: none for ${scope.kind} ${scope.id} on ${e.gpu} (its held-out timings of whole requests ran on ${r.gpus.join(', ')} only; their errors do not carry to this GPU)`
        : `held-out range: none for ${scope.kind} ${scope.id} (too few fully specified held-out timings of whole requests for a band; the GPU's own band covers the official code only)`);
  }
  const range = e.evidence && e.fits && !scope && !e.beyond_measured ? heldOutRange(e.evidence, e.total_s) : null;
  if (range) out.push(`held-out range on ${e.gpu}: measured runs came out at ${fmtSeconds(range.lo)} to ${fmtSeconds(range.hi)} for this total (its 10th–90th percentile error over ${e.evidence!.time.n} cases; vgsim list evidence)`);
  // a forward is one guidance branch at the request's batch; a step runs the branches in sequence, in parallel or batched
  const stepHow = !e.request.cfg ? '' : cfgParallel ? ' (its guidance branches on two GPU groups at once)' : e.options.cfg === 'batched' ? ' (its guidance branches batched into one forward)' : ' (its guidance branches in sequence)';
  out.push(`one DiT forward ${fmtSeconds(e.forward_s)}${e.request.cfg ? ' (one guidance branch)' : ''}, one step ${fmtSeconds(e.step_s)}${stepHow}${r.high_noise_steps !== r.steps ? `; ${r.high_noise_steps} high-noise + ${r.low_noise_steps} low-noise steps${r.sample_shift !== null ? ` (sampler shift ${r.sample_shift})` : ''}` : ''}`);
  out.push(e.fits ? `throughput ${e.throughput_per_h.toFixed(2)} videos/h per replica (${(e.throughput_per_h / e.gpus).toFixed(2)} per GPU)` : 'throughput: none (the request does not fit; see memory below)');
  const pp = e.postprocess;
  if (pp) {
    const o = pp.shape.output;
    out.push(`post-processing ${pp.chain}: ${o.frames} frames of ${o.width}x${o.height} at ${o.fps} fps; ${fmtSeconds(pp.gpu_s)} on the GPUs (frames split over ${pp.gpus}, ${pp.power_w.toFixed(0)} W each)${pp.cpu_s > 0 ? `, then ${fmtSeconds(pp.cpu_s)} on ${pp.cpu_cores} host CPU cores` : ''}; ${pp.steps.map((s) => `${s.step} ${s.basis}`).join(', ')}`);
  }
  if (e.step_cache) out.push(`step cache ${e.step_cache.method}: ${e.step_cache.computed} of ${e.step_cache.forwards} forwards run their blocks (${e.step_cache.basis === 'rule' ? 'the method\'s rule' : e.step_cache.basis === 'published' ? 'published timings' : 'user-given'})`);
  if (e.accelerations.length) out.push(`accelerations: ${e.accelerations.map((a) => `${a.knob}=${a.value}${a.extrapolated ? ' (extrapolated)' : ''}`).join('; ')}`);
  if (e.quality.length) out.push(`published quality: ${e.quality.map((q) => `${q.metric} ${q.value} (${q.basis}; ${q.source})`).join('; ')}`);
  if (e.quality_note) out.push(`quality ${e.quality_note}`);
  out.push(`memory: ${e.memory.verdict}`);
  if (e.memory.tight) out.push(`warning: ${e.memory.tight_reason}`);
  for (const s of e.memory.suggestions) out.push(`  try: ${s}`);
  out.push('');
  out.push(table(['stage', 'count', 'each', 'total', 'share', 'bound', 'detail'], e.stages.map((s) => [s.name, s.count, fmtSeconds(s.seconds_each), fmtSeconds(s.seconds_total), pct(s.seconds_total / e.total_s), s.bound, s.detail ?? ''])));
  out.push('');
  out.push(table(['phase', 'peak GB', 'breakdown (GB)'], e.memory.phases.map((p) => [p.phase, p.peak_gb, Object.entries(p.breakdown_gb).sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k} ${v.toFixed(1)}`).join(', ')])));
  out.push('');
  if (e.collectives.length) {
    out.push(table(['collective', 'kind', 'GPUs', 'MB each', 'calls', 'time', 'exposed', 'busbw GB/s', 'bottleneck'], e.collectives.map((c) => [c.name, c.collective, c.gpus, c.bytes / 1e6, c.calls_per_request, fmtSeconds(c.seconds_per_request), fmtSeconds(c.exposed_seconds_per_request), c.bus_bw_gbs, c.bottleneck])));
    out.push('');
  }
  out.push(table(['top operators', 'shape', 'time', 'share', 'bound', 'rate'], e.ops.slice(0, 12).map((op) => [op.name, op.shape, fmtSeconds(op.seconds), pct(op.share), op.bound, op.rate])));
  if (e.warnings.length) {
    out.push('', 'notes:');
    for (const w of e.warnings) out.push(`  - ${w}`);
  }
  return out.join('\n');
}

/** The flag of a request field (the API's names), for errors: frames → --frames, inference.power_limit_w → --power-limit. */
const FLAG_OF: Record<string, string> = { 'inference.power_limit_w': '--power-limit', 'inference.host_dispatch_us': '--host-dispatch-us', gpus_per_node: '--gpus-per-node', official: '--official' };

/** The flag that sets a request field: postprocess.* all come from --postprocess (postprocess.upscale.to read "--to"). */
function flagOf(path: string): string {
  if (path === 'postprocess' || path.startsWith('postprocess.')) return '--postprocess';
  return FLAG_OF[path] ?? `--${path.split('.').at(-1)!.replaceAll('_', '-')}`;
}

/** Runs `fn`, reporting the InputErrors of the request it builds at the command-line flags. */
function atFlags<T>(fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (!(e instanceof InputError)) throw e;
    throw new InputError(e.issues.map((i) => (i.source === 'request' ? { ...i, source: flagOf(i.path) } : { ...i, source: accelerationFlagSource(i.source) })));
  }
}
