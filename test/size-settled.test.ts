/**
 * `vgsim size` counts a node count as passing only once its queue has settled (finding of the sweep review: a
 * count near saturation passed on a run too short for its queue, started empty, to fill; the README's MI300X row
 * was 5 nodes at p95 39.1 min in 24 h that way, 6 nodes settled). The rule is capacity's: the arrival window spans
 * RELAXATION_TIMES_PER_RUN relaxation times (Whitt 1989, serving/load-bound.ts); a pass that does not is run again
 * for long enough, once.
 */
import { describe, it, expect } from 'vitest';
import { loadScenario } from '../src/scenario/load.ts';
import { simulate } from '../src/serving/simulate.ts';
import { parseSlo } from '../src/studies/capacity.ts';
import { sizeCluster, evaluateRun } from '../src/studies/size.ts';
import { sizedScenario } from '../src/studies/size-layouts.ts';
import { unsettledReason } from '../src/serving/load-bound.ts';

describe('vgsim size: a pass holds in steady state', () => {
  it('1000 videos/h of the 1.3B at 480p: 3 nodes pass on a run long enough to settle, not on the 30 minutes asked', () => {
    const { scenario } = loadScenario('test/fixtures/md1.yaml', { set: ['duration=1800', 'seed=3', 'workload.arrivals.rate_per_hour=1000', 'workload.mix[0].steps=50'] });
    const terms = parseSlo('p95<=20m');
    const res = sizeCluster(scenario, { terms, nodes: ['hgx-h100-sxm-8'], layouts: 1, maxNodes: 8 });
    const extended = res.rows.flatMap((r) => r.trials.filter((t) => t.pass && t.duration_s > res.trial_duration_s).map((t) => ({ r, t })));
    expect(extended.length).toBeGreaterThan(0);
    for (const { r, t } of extended) {
      const short = simulate({ ...sizedScenario(scenario, r, t.nodes), duration: res.trial_duration_s }, { rateScale: res.rate_scale });
      expect(unsettledReason(short.load), `${r.label} at ${t.nodes}: the asked duration is too short`).toMatch(/^not shown sustained/);
      const long = simulate({ ...sizedScenario(scenario, r, t.nodes), duration: t.duration_s }, { rateScale: res.rate_scale });
      expect(unsettledReason(long.load)).toBeNull();
      expect(evaluateRun(long, terms).pass).toBe(true);
      expect(t.duration_s % scenario.duration).toBe(0);
    }
  }, 120_000);
});
