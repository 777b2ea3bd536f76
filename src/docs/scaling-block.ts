/**
 * The README's scenario-library question 3, "1, 2, 4, 8 GPUs on one NVLink node": scenarios/scaling-one-node.yaml's
 * variants run now (one node kept saturated), tabulated, with the conclusion drawn from the same runs.
 */
import { sweepRuns, variantRun, type SweepRun } from './scenario-runs.ts';
import { minutes } from './prose-figures.ts';

export const SCALING_SCENARIO = 'scenarios/scaling-one-node.yaml';

const pct = (x: number) => `${(100 * x).toFixed(0)}%`;

export function scalingBlock(runs = sweepRuns(SCALING_SCENARIO)): string {
  const out = ['| layout (replicas × GPUs) | latency of one request | videos/h per node | per GPU |', '|---|---:|---:|---:|'];
  const perGpu = (r: SweepRun) => r.summary!.throughput_per_h / r.summary!.gpus;
  for (const r of runs) {
    const s = r.summary;
    const oom = /needs ([\d.]+) GB per GPU/.exec(r.error ?? '');
    out.push(s
      ? `| ${r.point.variant} | ${minutes(s.classes[0]!.service_s)} | ${s.throughput_per_h.toFixed(1)} | ${perGpu(r).toFixed(2)} |`
      : `| ${r.point.variant} | ${oom ? `OOM (${oom[1]} GB per GPU)` : 'does not run'} | – | – |`);
  }
  const u4 = variantRun(runs, '2 x 4 GPUs Ulysses-4 FSDP');
  const u8 = variantRun(runs, '1 x 8 GPUs Ulysses-8 FSDP');
  const u4c = variantRun(runs, '1 x 8 GPUs Ulysses-4 CFG-2 FSDP');
  const ran = runs.filter((r) => r.summary);
  const best = ran.reduce((a, b) => (perGpu(b) > perGpu(a) ? b : a));
  out.push(
    '',
    `\`vgsim sweep ${SCALING_SCENARIO}\` (720P, the node kept saturated for ${(ran[0]!.summary!.sim_time_s / 3600).toFixed(0)} h). ` +
      `The most videos per GPU: ${best.point.variant} (${perGpu(best).toFixed(2)}/h); Ulysses-8 gives ${pct(1 - perGpu(u8) / perGpu(u4))} less per GPU than Ulysses-4 ` +
      '(the per-token fp32 time embedding is computed on the full sequence on every GPU and the all-to-alls do not overlap). ' +
      `For one request on 8 GPUs, Ulysses-4 × CFG-2 (${minutes(u4c.summary!.classes[0]!.service_s)}, ${pct(perGpu(u4c) / perGpu(u4))} of Ulysses-4's per-GPU throughput) ` +
      `${u4c.summary!.classes[0]!.service_s < u8.summary!.classes[0]!.service_s ? 'beats' : 'does not beat'} Ulysses-8 (${minutes(u8.summary!.classes[0]!.service_s)}); ` +
      'the official Wan code runs no CFG parallel, though (see *Deploying a plan*).',
  );
  return out.join('\n');
}
