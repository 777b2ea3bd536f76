/**
 * The scenario library's item 9: scenarios/failure-drill.yaml's sweep (4 HGX H100 nodes, node 0 lost at the
 * daily peak, against the same day without the failure) run now. Whether the three remaining nodes hold the
 * peak is computed (the peak rate in the failure window against three quarters of the cluster's saturation
 * rate, serving/load-bound.ts), so the conclusion follows the runs.
 */
import type { RunSummary } from '../serving/result.ts';
import { loadScenario } from '../scenario/load.ts';
import { dailyCurve } from '../workload/rate-curve.ts';
import { packagePath } from '../package-files.ts';
import { sweepRuns, variantSummary } from './scenario-runs.ts';
import { minutes } from './prose-figures.ts';

export const FAILURE_DRILL_SCENARIO = 'scenarios/failure-drill.yaml';
const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
const clock = (s: number) => `${String(Math.floor(s / 3600) % 24).padStart(2, '0')}:${String(Math.floor(s / 60) % 60).padStart(2, '0')}`;


export function failureDrillLibrary(): string {
  const runs = sweepRuns(FAILURE_DRILL_SCENARIO);
  const hit = variantSummary(FAILURE_DRILL_SCENARIO, runs, 'with node failure');
  const calm = variantSummary(FAILURE_DRILL_SCENARIO, runs, 'no failure');
  const s = loadScenario(packagePath(FAILURE_DRILL_SCENARIO)).scenario;
  const ev = s.failures!.events[0]!;
  const nodes = s.cluster.nodes.reduce((a, n) => a + n.count, 0);
  const curve = dailyCurve(s.workload.curve);
  let peak = 0;
  for (let t = ev.at; t <= ev.at + ev.repair_after; t += 60) peak = Math.max(peak, curve.at(t));
  const peakRate = hit.load.offered_rate_per_h * peak;
  const load = peakRate / (hit.load.saturation_rate_per_h * (nodes - 1) / nodes);
  const f = hit.failures;
  const att = (r: RunSummary) => r.slo_attainment ?? 0;
  const holds = load < 1 && att(hit) >= 0.95;
  return `**9. A failure drill** (\`failure-drill.yaml\`: ${nodes} HGX H100 nodes, one Ulysses-8 replica each, diurnal traffic ` +
    `averaging ${hit.load.offered_rate_per_h.toFixed(0)}/h, node ${ev.node} lost at ${clock(ev.at)} for ${(ev.repair_after / 3600).toFixed(0)} h): SLO attainment ` +
    `${pct(att(calm))} without the failure, ${pct(att(hit))} with it; p95 ${minutes(calm.latency_s.p95)} → ${minutes(hit.latency_s.p95)}. ` +
    `At the ~${peakRate.toFixed(0)}/h peak of that window the ${nodes - 1} remaining nodes run at ~${(100 * load).toFixed(0)}% of their capacity; ` +
    `availability ${pct(f.availability)}; ` +
    (f.requests_retried === 0 ? 'no request was retried (none was running on the node when it failed). ' : `${f.requests_retried} running request${f.requests_retried === 1 ? '' : 's'} retried, ${f.lost_gpu_hours.toFixed(2)} GPU-hours of work lost. `) +
    (holds
      ? `At this traffic they hold it: losing a node at the peak costs ${(100 * (att(calm) - att(hit))).toFixed(1)} points of attainment and the SLO (95% within it) holds; with more traffic at the peak, one spare node's worth of headroom (or shedding 480P) is what keeps it.`
      : `One spare node's worth of headroom (or shedding 480P at peak) is the difference.`);
}
