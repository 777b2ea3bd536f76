/**
 * The scenario library's item 8: scenarios/optimizations.yaml's sweep (one Ulysses-8 + FSDP replica, 720P,
 * a cuDNN/eager baseline and one change per variant) run now: each variant's time per request and, for the
 * baseline, the all-in variant and the distilled model, the energy of one request (its cost-model estimate).
 */
import type { SimulationResult } from '../serving/result.ts';
import { sweepResults, variantRun } from './scenario-runs.ts';
import { minutes } from './prose-figures.ts';

export const OPTIMIZATIONS_SCENARIO = 'scenarios/optimizations.yaml';
const BASELINE = 'baseline (cuDNN attention, eager)';
const ALL_IN = 'FA3 + compiled + fp8 + batched CFG';
const DISTILLED = '4-step distilled, no CFG';

const secs = (s: number) => `${s >= 100 ? s.toFixed(0) : s.toFixed(1)} s`;
const request = (r: SimulationResult) => r.service_times[0]!.total_s;
const energyWh = (r: SimulationResult) => r.estimates![0]!.estimate.energy_wh;

export function optimizationsLibrary(): string {
  const runs = sweepResults(OPTIMIZATIONS_SCENARIO);
  const get = (name: string) => variantRun(runs, name).result;
  const base = get(BASELINE);
  const all = get(ALL_IN);
  const distilled = get(DISTILLED);
  const between = runs.filter((x) => ![BASELINE, ALL_IN, DISTILLED].includes(x.point.variant!)).map(({ point, result }) => {
    const d = request(result) / request(base) - 1;
    const vs = Math.abs(d) < 0.005 ? 'as fast as the baseline' : `${d > 0 ? 'slower' : 'faster'} than the baseline`;
    return `${point.variant} ${secs(request(result))}${d > 0 ? ` (${vs})` : ''}`;
  });
  const missed = runs.filter((x) => (x.result.slo_attainment ?? 1) < 0.95).map((x) => `${x.point.variant} (${(100 * x.result.slo_attainment!).toFixed(0)}% within SLO)`);
  const saved = 1 - energyWh(all) / energyWh(base);
  return `**8. Optimizations** (\`optimizations.yaml\`, one Ulysses-8 + FSDP replica, 720P; time per request / energy of one request): ` +
    `baseline (cuDNN attention, eager) ${secs(request(base))} / ${energyWh(base).toFixed(0)} Wh; ${between.join('; ')}; ` +
    `all of them together ${secs(request(all))} / ${energyWh(all).toFixed(0)} Wh (${saved >= 0 ? '−' : '+'}${(100 * Math.abs(saved)).toFixed(0)}%); ` +
    `a 4-step distilled model without CFG ${secs(request(distilled))} / ${energyWh(distilled).toFixed(0)} Wh (${(request(base) / request(distilled)).toFixed(1)}× faster). ` +
    `At ${base.load.offered_rate_per_h.toFixed(0)} videos/h the all-in variant moves p95 from ${minutes(base.latency_s.p95)} to ${minutes(all.latency_s.p95)}` +
    (missed.length ? `; ${missed.join(', ')} misses the ${(base.classes[0]!.slo_s! / 60).toFixed(0)}-minute SLO at that rate` : '') + '. FA3, compile and fp8 are extrapolations the output flags.';
}
