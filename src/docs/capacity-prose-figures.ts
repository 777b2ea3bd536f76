/**
 * The figures the README's capacity prose states: the default scenario doubled to 16 replicas (two nodes), whose
 * capacity for p95 ≤ 45 min sits close to its saturation bound, the case the relaxation-time rule of
 * src/studies/capacity.ts was written for (test/capacity-cost.test.ts checks the same search). Computed now, once
 * per process: one capacity search, a few seconds.
 */
import { loadScenario } from '../scenario/load.ts';
import { packagePath } from '../package-files.ts';
import { findCapacity, parseSlo, type CapacityResult } from '../studies/capacity.ts';

let result: CapacityResult | undefined;
function sixteenReplicas(): { rate: number; bound: number } {
  result ??= findCapacity(
    loadScenario(packagePath('scenarios/default.yaml'), { set: ['cluster.nodes.0.count=2', 'deployment.replicas=16'] }).scenario,
    parseSlo('p95<=45m'),
  );
  if (!result.feasible) throw new Error(`capacity prose figure: 16 replicas of the default scenario found no capacity: ${result.reason}`);
  return { rate: result.max_rate_per_h, bound: result.saturation_rate_per_h };
}

export const CAPACITY_PROSE_FIGURES: Record<string, () => string> = {
  /** "63/h of a 67.2/h bound": the capacity and the saturation bound. */
  'capacity.16-replicas': () => {
    const r = sixteenReplicas();
    return `${r.rate.toFixed(0)}/h of a ${r.bound.toFixed(1)}/h bound`;
  },
};
