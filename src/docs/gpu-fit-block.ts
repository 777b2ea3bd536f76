/**
 * The README's scenario-library question 1, "which GPUs can run it at all, and how?": scenarios/gpu-fit.yaml's
 * sweep run now (every node type × 480P/720P × five ways), tabulated, and the conclusions stated from the same
 * runs (src/docs/readme-blocks.ts; test/readme.test.ts fails when they drift).
 */
import { getGpu, getNode } from '../hardware/catalog.ts';
import { sweepRuns, type SweepRun } from './scenario-runs.ts';

export const GPU_FIT_SCENARIO = 'scenarios/gpu-fit.yaml';

/** The memory a run that does not fit needs per GPU (the memory check's reason), NaN for another error. */
const needGb = (r: SweepRun) => Number(/OOM: the \w+ phase needs ([\d.]+) GB/.exec(r.error ?? '')?.[1] ?? NaN);

const NODE_KEY = 'cluster.nodes.0.type';
const RES_KEY = 'workload.mix.0.resolution';

/** One request on an idle replica: its service time, "OOM (N GB)" from the memory check's reason, "no fp8", or "–". */
function cell(r: SweepRun | undefined): string {
  if (!r) return '–';
  if (r.summary) return `${(r.summary.classes[0]!.service_s / 60).toFixed(1)} min`;
  if (/has no fp8 tensor cores/.test(r.error ?? '')) return 'no fp8';
  const need = needGb(r);
  return Number.isFinite(need) ? `OOM (${need.toFixed(1)} GB)` : '–';
}


export function gpuFitBlock(runs = sweepRuns(GPU_FIT_SCENARIO)): string {
  const at = (node: string, res: string, variant: string) => runs.find((r) => r.point.values[NODE_KEY] === node && r.point.values[RES_KEY] === res && r.point.variant === variant);
  const nodes = [...new Set(runs.map((r) => String(r.point.values[NODE_KEY])))];
  const out = [
    '| node type | GPU (usable GB) | 720P on 1 GPU | 720P, official offload | 480P, official offload | 480P, offload + fp8 | 8 GPUs, Ulysses-8 + FSDP, 720P / 480P |',
    '|---|---|---|---|---|---|---|',
  ];
  for (const node of nodes) {
    const gpu = getGpu(getNode(node).gpu);
    const u8 = getNode(node).gpusPerNode < 8 ? '– (single cards)' : `${cell(at(node, '1280x720', '8 GPUs Ulysses + FSDP'))} / ${cell(at(node, '832x480', '8 GPUs Ulysses + FSDP'))}`;
    out.push(`| \`${node}\` | ${gpu.name} (${gpu.memUsableGB.toFixed(1)}) | ${cell(at(node, '1280x720', '1 GPU as is'))} | ${cell(at(node, '1280x720', '1 GPU offload'))} | ${cell(at(node, '832x480', '1 GPU offload'))} | ${cell(at(node, '832x480', '1 GPU offload + fp8'))} | ${u8} |`);
  }
  // the conclusions, from the same runs
  const offload480 = runs.filter((r) => r.point.variant === '1 GPU offload' && r.point.values[RES_KEY] === '832x480');
  const offload720 = runs.filter((r) => r.point.variant === '1 GPU offload' && r.point.values[RES_KEY] === '1280x720');
  const smallest = (xs: SweepRun[]) => Math.min(...xs.filter((r) => !r.summary).map(needGb).filter((x) => Number.isFinite(x)));
  const fitsAsIs = nodes.filter((n) => at(n, '1280x720', '1 GPU as is')?.summary).map((n) => getGpu(getNode(n).gpu).id);
  const u8Everywhere = nodes.filter((n) => getNode(n).gpusPerNode >= 8).every((n) => at(n, '1280x720', '8 GPUs Ulysses + FSDP')?.summary);
  const umt5 = runs.filter((r) => r.point.variant === '1 GPU offload + umT5 on CPU');
  const umt5Helps = umt5.some((r) => r.summary && !at(String(r.point.values[NODE_KEY]), String(r.point.values[RES_KEY]), '1 GPU offload')?.summary);
  out.push(
    '',
    `As the official code runs it, A14B needs ${smallest(offload480).toFixed(1)} GB on one card at 480P (${smallest(offload720).toFixed(1)} GB at 720P) even with offload` +
      `; umT5 on the CPU ${umt5Helps ? 'lets some cards fit' : 'does not help (offload already moves umT5 off before denoising; the peak is in the denoise phase)'}. ` +
      `${u8Everywhere ? 'Every 8-GPU server here runs 720P with Ulysses-8 + FSDP. ' : ''}Only ${fitsAsIs.join(', ')} hold everything at 720P without offload. ` +
      `(\`vgsim sweep ${GPU_FIT_SCENARIO}\`: one request on an idle replica; OOM gives the memory the run needs per GPU.)`,
  );
  return out.join('\n');
}
