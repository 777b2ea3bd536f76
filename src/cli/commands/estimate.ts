import type { Command } from 'commander';
import { estimate, type Estimate } from '../../perf/estimate.ts';
import { estimateInput, type EstimateSpec } from '../../perf/estimate-input.ts';
import { InputError } from '../../errors.ts';
import { table, fmtSeconds, pct } from '../../report/table.ts';
import { UsageError, intFlag } from '../usage-error.ts';

interface EstimateFlags {
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
  profile?: string;
  json?: boolean;
}

/** The flag that sets a field of the estimate spec. */
const flagName = (field: keyof EstimateSpec): string => (field === 'power_limit_w' ? '--power-limit' : `--${field.replace(/_/g, '-')}`);

export function registerEstimate(program: Command): void {
  program
    .command('estimate')
    .description('time and memory of one request on an idle, loaded replica, stage by stage')
    .requiredOption('--model <id>', 'model id (vgsim list models)')
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
    .option('--attention <kernel>', 'auto|fa2|fa3|cudnn|efficient', 'auto')
    .option('--dtype <dtype>', 'bf16|fp8 (linear layers)', 'bf16')
    .option('--offload', 'the official single-GPU offload path (umT5 and inactive expert on the CPU)')
    .option('--compile', 'fused/compiled kernels and CUDA graphs instead of eager PyTorch')
    .option('--cfg <mode>', 'sequential|batched|none', 'sequential')
    .option('--t5-cpu', 'run umT5 on the CPU')
    .option('--burst', 'short-burst clocks instead of sustained (power-limited) clocks')
    .option('--power-limit <W>', 'board power limit per GPU below the default (nvidia-smi -pl), e.g. 500')
    .option('--profile <file>', 'GPU profile JSON from calibration/profile_gpu.py (default: the built-in one)')
    .option('--json', 'print one JSON object')
    .addHelpText('after', `
Examples:
  $ vgsim estimate --model wan2.2-t2v-a14b --gpu h100-sxm --resolution 1280x720 --offload
  $ vgsim estimate --model wan2.1-t2v-1.3b --gpu rtx4090 --resolution 832x480 --json
  $ vgsim estimate --model wan2.2-ti2v-5b --gpu h100-sxm --attention fa3 --compile
  $ vgsim estimate --model wan2.2-t2v-a14b --gpu h100-sxm --gpus 8 --parallel ulysses=8,fsdp
  $ vgsim estimate --model wan2.2-t2v-a14b --node h100-pcie-8 --parallel ulysses=4,cfg=2,fsdp --json
  $ vgsim estimate --model wan2.2-t2v-a14b --gpu h100-sxm --nodes 2 --parallel ulysses=8,cfg=2,fsdp
  $ vgsim estimate --model wan2.2-t2v-a14b --gpu h100-sxm --gpus 8 --parallel ulysses=8,fsdp --power-limit 500`)
    .action((o: EstimateFlags) => {
      const spec: EstimateSpec = {
        model: o.model, gpu: o.gpu, node: o.node,
        nodes: o.nodes !== undefined ? intFlag('--nodes', o.nodes) : undefined,
        gpus: o.gpus !== undefined ? intFlag('--gpus', o.gpus) : undefined,
        gpus_per_node: o.gpusPerNode !== undefined ? intFlag('--gpus-per-node', o.gpusPerNode) : undefined,
        fabric: o.fabric, oversubscription: Number(o.oversubscription), parallel: o.parallel, resolution: o.resolution,
        frames: o.frames !== undefined ? intFlag('--frames', o.frames) : undefined,
        steps: o.steps !== undefined ? intFlag('--steps', o.steps) : undefined,
        batch: intFlag('--batch', o.batch),
        attention: o.attention as EstimateSpec['attention'], dtype: o.dtype as EstimateSpec['dtype'], cfg: o.cfg as EstimateSpec['cfg'],
        offload: !!o.offload, compile: !!o.compile, t5_cpu: !!o.t5Cpu, burst: !!o.burst,
        power_limit_w: o.powerLimit !== undefined ? intFlag('--power-limit', o.powerLimit) : undefined,
        profile: o.profile,
      };
      let input;
      try {
        input = estimateInput(spec, { names: flagName });
      } catch (e) {
        // a flag's bad value is a usage error (exit 2), worded with the flag's name
        if (e instanceof InputError && e.issues.every((i) => i.source.startsWith('--'))) throw new UsageError(e.issues.map((i) => (i.hint ? `${i.message} (${i.hint})` : i.message)).join('\n'));
        throw e;
      }
      const e = estimate(input);
      process.stdout.write(o.json ? JSON.stringify(e, null, 2) + '\n' : estimateText(e) + '\n');
    });
}

export function estimateText(e: Estimate): string {
  const r = e.request;
  const out: string[] = [];
  out.push(`${e.model} on ${e.gpus}x ${e.gpu} (${e.node}${e.nodes > 1 ? ` ×${e.nodes} nodes` : ''}), parallel ${e.parallel}: ${r.width}x${r.height}, ${r.frames} frames, ${r.steps} steps${r.cfg ? ' with CFG' : ''}, batch ${r.batch} → ${r.tokens} tokens`);
  out.push(`attention ${e.options.attention_kernel}, ${e.options.dtype}, ${e.options.compile ? 'compiled' : 'eager'}, CFG ${e.options.cfg}${e.options.offload ? ', offload' : ''}; profile ${e.profile.extrapolated ? 'EXTRAPOLATED from ' : ''}${e.profile.source} (sustained factor ${e.profile.sustained_factor.toFixed(3)})${e.profile.power_limit_w !== null ? `; power limit ${e.profile.power_limit_w} W (compute clocks ×${e.profile.cap_clock_ratio.toFixed(3)})` : ''}`);
  out.push('');
  out.push(`total ${fmtSeconds(e.total_s)}  (text encode ${fmtSeconds(e.text_encode_s)}, denoise ${fmtSeconds(e.denoise_s)}, VAE decode ${fmtSeconds(e.vae_decode_s)}, transfers ${fmtSeconds(e.transfer_s)})`);
  out.push(`one DiT forward ${fmtSeconds(e.forward_s)}, one step ${fmtSeconds(e.step_s)}${r.high_noise_steps !== r.steps ? `; ${r.high_noise_steps} high-noise + ${r.low_noise_steps} low-noise steps` : ''}`);
  out.push(`throughput ${e.throughput_per_h.toFixed(2)} videos/h per replica (${(e.throughput_per_h / e.gpus).toFixed(2)} per GPU)`);
  out.push(`memory: ${e.memory.verdict}`);
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
