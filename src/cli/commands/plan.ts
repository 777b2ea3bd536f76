import type { Command } from 'commander';
import { searchPlans, type Objective } from '../../parallel/search.ts';
import { getModel } from '../../workload/request.ts';
import { getNode } from '../../hardware/catalog.ts';
import { parseResolution } from '../../scenario/units.ts';
import { table, fmtSeconds } from '../../report/table.ts';
import { UsageError, intFlag } from '../usage-error.ts';

export function registerPlan(program: Command): void {
  program
    .command('plan')
    .description('enumerate the valid parallel layouts for a model on a GPU budget and rank them')
    .requiredOption('--model <id>', 'model id')
    .option('--gpu <id>', 'GPU id (or --node)')
    .option('--node <type>', 'node type')
    .requiredOption('--gpus <n>', 'GPU budget (replicas × GPUs per replica)')
    .option('--resolution <WxH>', 'video size (default: the model default)')
    .option('--frames <n>', 'frames')
    .option('--steps <n>', 'denoising steps')
    .option('--rank <objective>', 'latency|throughput|headroom', 'latency')
    .option('--official', 'only what the official Wan code runs (Ulysses, FSDP, single-GPU offload)')
    .option('--all', 'also list infeasible layouts')
    .option('--top <n>', 'rows to show', '20')
    .option('--json', 'print JSON')
    .addHelpText('after', `
Examples:
  $ vgsim plan --model wan2.2-t2v-a14b --gpu h100-sxm --gpus 8 --resolution 1280x720
  $ vgsim plan --model wan2.2-t2v-a14b --node h100-pcie-8 --gpus 8 --rank throughput
  $ vgsim plan --model wan2.1-t2v-1.3b --gpu l40s --gpus 4 --all --json`)
    .action((o: { model: string; gpu?: string; node?: string; gpus: string; resolution?: string; frames?: string; steps?: string; rank: string; official?: boolean; all?: boolean; top: string; json?: boolean }) => {
      if (!o.gpu && !o.node) throw new UsageError('give --gpu <id> or --node <type>');
      if (!['latency', 'throughput', 'headroom'].includes(o.rank)) throw new UsageError(`--rank expects latency, throughput or headroom, got "${o.rank}"`);
      const res = o.resolution ? parseResolution(o.resolution) : undefined;
      if (o.resolution && !res) throw new UsageError(`--resolution expects WIDTHxHEIGHT, got "${o.resolution}"`);
      const rows = searchPlans({
        model: getModel(o.model),
        gpu: o.gpu ?? getNode(o.node!).gpu,
        node: o.node,
        budget: intFlag('--gpus', o.gpus),
        request: { width: res?.width, height: res?.height, frames: o.frames ? intFlag('--frames', o.frames) : undefined, steps: o.steps ? intFlag('--steps', o.steps) : undefined },
        objective: o.rank as Objective,
        include: o.official ? { ring: false, tp: false, pipefusion: false, cfg: false, expertSplit: false } : undefined,
      });
      const shown = (o.all ? rows : rows.filter((r) => r.feasible)).slice(0, intFlag('--top', o.top));
      if (o.json) {
        process.stdout.write(JSON.stringify(shown.map(({ estimate: _e, ...r }) => r), null, 2) + '\n');
        return;
      }
      const feasible = rows.filter((r) => r.feasible).length;
      process.stdout.write(`${feasible} feasible of ${rows.length} layouts (ranked by ${o.rank}; --all lists the infeasible ones with the reason)\n\n`);
      process.stdout.write(table(['parallel (per replica)', 'GPUs', 'replicas', 'latency', 'videos/h/GPU', 'peak GB', 'headroom GB', 'note'], shown.map((r) => [
        r.parallel, r.gpus_per_replica, r.replicas, r.latency_s !== undefined ? fmtSeconds(r.latency_s) : '-', r.throughput_per_gpu_h ?? null, r.peak_memory_gb ?? null, r.headroom_gb ?? null, r.feasible ? '' : r.reason,
      ])) + '\n');
    });
}
