/**
 * The README's A14B 720P memory figures: the caption under the memory-by-phase chart (the two estimates
 * scripts/readme-charts.ts draws, run now) and the scenario library's item 2 (scenarios/memory-720p-claim.yaml's
 * sweep on one H200, with the official offload path priced on an H100 as `vgsim estimate --offload` does).
 */
import { readFileSync } from 'node:fs';
import { estimate, RUNTIME_OVERHEAD_GB, type Estimate } from '../perf/estimate.ts';
import { parsePlan } from '../parallel/plan.ts';
import { getModel } from '../workload/request.ts';
import { packagePath } from '../package-files.ts';
import { sweepRuns, variantRun } from './scenario-runs.ts';
import { minutes } from './prose-figures.ts';

export const MEMORY_CLAIM_SCENARIO = 'scenarios/memory-720p-claim.yaml';
const MODEL = 'wan2.2-t2v-a14b';
const REQUEST = { width: 1280, height: 720 };
const gb = (x: number) => x.toFixed(1);

/** The chart's two estimates: A14B 720P on H100, the official single-GPU offload path and Ulysses-8 + FSDP. */
export function memoryChartEstimates(): { offload: Estimate; ulysses: Estimate } {
  const model = getModel(MODEL);
  return {
    offload: estimate({ model, gpu: 'h100-sxm', request: REQUEST, options: { offload: true } }),
    ulysses: estimate({ model, gpu: 'h100-sxm', request: REQUEST, plan: parsePlan('ulysses=8,fsdp'), gpus: 8 }),
  };
}

const peak = (e: Estimate, phase: string) => e.memory.phases.find((p) => p.phase === phase)!.peak_gb;
const worst = (e: Estimate) => e.memory.phases.reduce((a, b) => (b.peak_gb > a.peak_gb ? b : a));

/** The caption under the memory-by-phase chart (the bars include the runtime, as the chart draws them). */
export function memoryCaption(): string {
  const { offload, ulysses } = memoryChartEstimates();
  const w = worst(offload);
  const withRuntime = (e: Estimate, ph: string) => gb(peak(e, ph) + RUNTIME_OVERHEAD_GB);
  return `*A14B at 720P on H100 (\`vgsim estimate\`): the offload path peaks at ${gb(w.peak_gb + RUNTIME_OVERHEAD_GB)} GB in ${w.phase.replace('_', ' ')} (${offload.capacity_gb.toFixed(1)} GB usable); ` +
    `Ulysses-8 + FSDP needs ${['text_encode', 'denoise', 'vae_decode'].map((ph) => withRuntime(ulysses, ph)).join(' / ')} GB per GPU for encode / denoise / VAE decode (each incl. ${RUNTIME_OVERHEAD_GB} GB runtime).*`;
}

/** The validation set's measured peak of one 14B expert's whole forward at 720P on the H100. */
function measuredForwardPeakGb(): number {
  const file = JSON.parse(readFileSync(packagePath('calibration/validation/h100-sxm.json'), 'utf8')) as { cases: { kind: string; model: string; width: number; height: number; frames: number; peak_memory_gb: number }[] };
  const c = file.cases.find((x) => x.kind === 'dit_forward' && x.model === 'wan2.1-t2v-14b' && x.width === 1280 && x.height === 720 && x.frames === 81);
  if (!c) throw new Error('calibration/validation/h100-sxm.json has no 720P 14B forward');
  return c.peak_memory_gb;
}

/** The scenario library's item 2. */
export function memoryClaimLibrary(): string {
  const runs = sweepRuns(MEMORY_CLAIM_SCENARIO);
  const service = (name: string) => {
    const s = variantRun(runs, name).summary;
    if (!s) throw new Error(`${MEMORY_CLAIM_SCENARIO} ${name}: ${variantRun(runs, name).error}`);
    return s.service_times[0]!;
  };
  const resident = service('everything resident');
  const fp8 = service('fp8 linear layers');
  const h200 = estimate({ model: getModel(MODEL), gpu: 'h200', request: REQUEST });
  const d = h200.memory.phases.find((p) => p.phase === 'denoise')!.breakdown_gb;
  const part = (k: string) => d[k] ?? 0;
  const weights = part('dit_weights') + part('text_encoder_weights') + part('vae_weights');
  const h100 = memoryChartEstimates().offload;
  const offloadGb = h100.peak_memory_gb + RUNTIME_OVERHEAD_GB;
  const fits = offloadGb <= h100.capacity_gb;
  return `**2. Is ≥ 90 GB needed at 720P on one card?** (\`memory-720p-claim.yaml\`, one H200). The popular breakdown — ` +
    `"weights ~65 GB + activations 20–30 GB + KV cache ~10 GB + buffers" — gets the parts wrong. With everything resident the ${worst(h200).phase.replace('_', ' ')} phase peaks at ` +
    `**${gb(resident.peak_memory_gb + RUNTIME_OVERHEAD_GB)} GB** (incl. ${RUNTIME_OVERHEAD_GB} GB runtime): weights ${gb(weights)} GB (both 14B experts in bf16 ${gb(part('dit_weights'))} GB, umT5 ${gb(part('text_encoder_weights'))}, VAE ${gb(part('vae_weights'))}), ` +
    `then Wan2.2's fp32 per-token modulation (the timestep embedding e0 expanded to every token and its per-block sum: ${gb(part('modulation'))} GB), ` +
    `float64 RoPE temporaries ${gb(part('rope_temporaries'))} GB, activations proper ${gb(part('activations'))} GB, the fp32 residual stream ${gb(part('residual'))} GB. ` +
    `There is **no KV cache** (a diffusion transformer recomputes attention every step). The official offload path keeps one expert and drops umT5 before denoising: ` +
    `${gb(offloadGb)} GB peak on an H100 (\`vgsim estimate --offload\`, incl. the runtime), so 720P **${fits ? 'fits' : 'does not fit'} an 80 GB H100** (${gb(h100.capacity_gb)} GB usable; ${minutes(h100.total_s)}); ` +
    `the measured single-expert forward peak is ${gb(measuredForwardPeakGb())} GB (validation set). ` +
    `fp8 linear layers: ${minutes(fp8.total_s)} for the resident run on the H200 (${minutes(resident.total_s)} in bf16).`;
}
