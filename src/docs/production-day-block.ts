/**
 * The scenario library's item 7: scenarios/production-day.yaml's sweep (16 Ulysses-4 replicas on 8 HGX H100
 * nodes under two days of diurnal traffic, always on vs sleeping idle nodes) run now, conclusions included.
 */
import type { RunSummary } from '../serving/result.ts';
import { loadScenario } from '../scenario/load.ts';
import { dailyCurve } from '../workload/rate-curve.ts';
import { packagePath } from '../package-files.ts';
import { sweepRuns, variantSummary } from './scenario-runs.ts';
import { minutes, usdPerVideo } from './prose-figures.ts';

export const PRODUCTION_DAY_SCENARIO = 'scenarios/production-day.yaml';
const pct = (x: number, d = 0) => `${(100 * x).toFixed(d)}%`;


export function productionDayLibrary(): string {
  const runs = sweepRuns(PRODUCTION_DAY_SCENARIO);
  const on = variantSummary(PRODUCTION_DAY_SCENARIO, runs, 'always on');
  const sleep = variantSummary(PRODUCTION_DAY_SCENARIO, runs, 'sleep idle nodes');
  const s = loadScenario(packagePath(PRODUCTION_DAY_SCENARIO)).scenario;
  const slo = Math.max(...on.classes.map((c) => c.slo_s ?? 0));
  const peak = dailyCurve(s.workload.curve).peak;
  const keeps = (r: RunSummary) => (r.slo_attainment ?? 0) >= 0.95;
  const cost = (r: RunSummary) => r.cost!.usd_per_video!;
  const energySaved = 1 - sleep.energy.per_video_wh / on.energy.per_video_wh;
  const costSaved = 1 - cost(sleep) / cost(on);
  const electricity = on.cost!.per_month.electricity! / on.cost!.usd_per_month;
  return `**7. A production cluster under a daily curve** (\`production-day.yaml\`: gateway → least-outstanding balancer → ` +
    `8 HGX H100 nodes, 16 Ulysses-4 replicas → NVMe; ${on.load.offered_rate_per_h.toFixed(0)} videos/h on average, 70% 720P, two days): always on, **${on.gpus} GPUs** ` +
    `${keeps(on) ? 'keep' : 'miss'} the ${(slo / 60).toFixed(0)}-minute SLO (${pct(on.slo_attainment ?? 0, 1)} attainment, p95 ${minutes(on.latency_s.p95)}, ` +
    `${pct(on.gpu_utilization)} average utilization to absorb the ~${peak.toFixed(1)}× afternoon peak) at **${usdPerVideo(cost(on))} per video** and ` +
    `${on.energy.per_video_wh.toFixed(0)} Wh per video (facility). Sleeping idle nodes saves **${pct(energySaved)} of the energy** ` +
    `(${sleep.energy.per_video_wh.toFixed(0)} Wh/video) but only **${pct(costSaved, 1)} of the cost** (${usdPerVideo(cost(sleep))}): electricity is ` +
    `${pct(electricity, 1)} of the monthly TCO of the owned H100s; the price is p95 rising to ${minutes(sleep.latency_s.p95)} from boots and cold starts ` +
    `(${pct(sleep.slo_attainment ?? 0, 1)} within SLO).`;
}
