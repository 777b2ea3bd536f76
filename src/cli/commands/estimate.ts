import type { Command } from 'commander';
import { estimate, type Estimate } from '../../perf/estimate.ts';
import { GpuProfile } from '../../perf/profile.ts';
import { getModel } from '../../workload/request.ts';
import { parseResolution } from '../../scenario/units.ts';
import { table, fmtSeconds, pct } from '../../report/table.ts';
import { UsageError, intFlag } from '../usage-error.ts';

interface EstimateFlags {
  model: string;
  gpu: string;
  gpus: string;
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
  profile?: string;
  json?: boolean;
}

export function registerEstimate(program: Command): void {
  program
    .command('estimate')
    .description('time and memory of one request on an idle, loaded replica, stage by stage')
    .requiredOption('--model <id>', 'model id (vgsim list models)')
    .requiredOption('--gpu <id>', 'GPU id (vgsim list gpus)')
    .option('--gpus <n>', 'GPUs in the replica', '1')
    .option('--parallel <spec>', 'parallel plan, e.g. ulysses=4,cfg=2,fsdp')
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
    .option('--profile <file>', 'GPU profile JSON from calibration/profile_gpu.py (default: the built-in one)')
    .option('--json', 'print one JSON object')
    .addHelpText('after', `
Examples:
  $ vgsim estimate --model wan2.2-t2v-a14b --gpu h100-sxm --resolution 1280x720 --offload
  $ vgsim estimate --model wan2.1-t2v-1.3b --gpu rtx4090 --resolution 832x480 --json
  $ vgsim estimate --model wan2.2-ti2v-5b --gpu h100-sxm --attention fa3 --compile`)
    .action((o: EstimateFlags) => {
      const gpus = intFlag('--gpus', o.gpus);
      if (gpus > 1 || (o.parallel && o.parallel !== 'none')) throw new UsageError('multi-GPU layouts (--gpus > 1, --parallel) are not supported by this version yet');
      const res = o.resolution ? parseResolution(o.resolution) : undefined;
      if (o.resolution && !res) throw new UsageError(`--resolution expects WIDTHxHEIGHT, got "${o.resolution}"`);
      const pick = <T extends string>(flag: string, v: string, allowed: readonly T[]): T => {
        if (!(allowed as readonly string[]).includes(v)) throw new UsageError(`${flag} expects one of ${allowed.join(', ')}, got "${v}"`);
        return v as T;
      };
      const attention = pick('--attention', o.attention, ['auto', 'fa2', 'fa3', 'cudnn', 'efficient'] as const);
      const dtype = pick('--dtype', o.dtype, ['bf16', 'fp8'] as const);
      const cfgMode = pick('--cfg', o.cfg, ['sequential', 'batched', 'none'] as const);
      const e = estimate({
        model: getModel(o.model),
        gpu: o.gpu,
        request: {
          width: res?.width, height: res?.height,
          frames: o.frames !== undefined ? intFlag('--frames', o.frames) : undefined,
          steps: o.steps !== undefined ? intFlag('--steps', o.steps) : undefined,
          cfg: cfgMode !== 'none',
        },
        options: {
          attention, dtype, compile: !!o.compile, cfg: cfgMode === 'batched' ? 'batched' : 'sequential', offload: !!o.offload,
          textEncoderOnCpu: !!o.t5Cpu, batch: intFlag('--batch', o.batch), sustained: !o.burst,
        },
        device: o.profile ? { profile: GpuProfile.load(o.profile) } : undefined,
      });
      process.stdout.write(o.json ? JSON.stringify(e, null, 2) + '\n' : estimateText(e) + '\n');
    });
}

export function estimateText(e: Estimate): string {
  const r = e.request;
  const out: string[] = [];
  out.push(`${e.model} on ${e.gpus}x ${e.gpu}: ${r.width}x${r.height}, ${r.frames} frames, ${r.steps} steps${r.cfg ? ' with CFG' : ''}, batch ${r.batch} → ${r.tokens} tokens`);
  out.push(`attention ${e.options.attention_kernel}, ${e.options.dtype}, ${e.options.compile ? 'compiled' : 'eager'}, CFG ${e.options.cfg}${e.options.offload ? ', offload' : ''}; profile ${e.profile.extrapolated ? 'EXTRAPOLATED from ' : ''}${e.profile.source} (sustained factor ${e.profile.sustained_factor.toFixed(3)})`);
  out.push('');
  out.push(`total ${fmtSeconds(e.total_s)}  (text encode ${fmtSeconds(e.text_encode_s)}, denoise ${fmtSeconds(e.denoise_s)}, VAE decode ${fmtSeconds(e.vae_decode_s)}, transfers ${fmtSeconds(e.transfer_s)})`);
  out.push(`one DiT forward ${fmtSeconds(e.forward_s)}, one step ${fmtSeconds(e.step_s)}${r.high_noise_steps !== r.steps ? `; ${r.high_noise_steps} high-noise + ${r.low_noise_steps} low-noise steps` : ''}`);
  out.push(`memory: ${e.memory.verdict}`);
  for (const s of e.memory.suggestions) out.push(`  try: ${s}`);
  out.push('');
  out.push(table(['stage', 'count', 'each', 'total', 'share', 'bound', 'detail'], e.stages.map((s) => [s.name, s.count, fmtSeconds(s.seconds_each), fmtSeconds(s.seconds_total), pct(s.seconds_total / e.total_s), s.bound, s.detail ?? ''])));
  out.push('');
  out.push(table(['phase', 'peak GB', 'breakdown (GB)'], e.memory.phases.map((p) => [p.phase, p.peak_gb, Object.entries(p.breakdown_gb).sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k} ${v.toFixed(1)}`).join(', ')])));
  out.push('');
  out.push(table(['top operators', 'shape', 'time', 'share', 'bound', 'rate'], e.ops.slice(0, 12).map((op) => [op.name, op.shape, fmtSeconds(op.seconds), pct(op.share), op.bound, op.rate])));
  if (e.warnings.length) {
    out.push('', 'notes:');
    for (const w of e.warnings) out.push(`  - ${w}`);
  }
  return out.join('\n');
}
