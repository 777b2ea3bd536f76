/**
 * Invariant I3, clock monotonicity (src/serving/simulate.ts; the engine's contract is in test/engine.test.ts):
 * what the runtime writes down as time passes is in time order — requests end in order, time-series samples
 * and power steps follow each other, timeline intervals end after they start — and nothing lies after the end
 * of the run.
 */
import { describe, it, expect } from 'vitest';
import { scenarioRuns, type ScenarioRun } from './support/scenario-runs.ts';

function checkClock({ result: r, scenario: s }: ScenarioRun): void {
  const end = r.sim_time_s;
  expect(end).toBeGreaterThanOrEqual(s.drain ? 0 : s.duration);
  /** Indices where a sequence of times goes back (strict: also where it stands still). */
  const backwards = (t: readonly number[], strict: boolean) => t.flatMap((x, i) => (i > 0 && (strict ? x <= t[i - 1]! : x < t[i - 1]!) ? [i] : []));
  const recs = r.records!.map((x) => x.finish);
  expect(backwards(recs, false)).toEqual([]);
  expect(recs.every((t) => t <= end)).toBe(true);
  const ts = r.timeseries.map((p) => p.t);
  expect(ts[0]).toBe(0);
  expect(backwards(ts, true)).toEqual([]);
  expect(ts[ts.length - 1]).toBeLessThanOrEqual(end);
  const steps = r.power_steps!.map((p) => p.t);
  expect(backwards(steps, true)).toEqual([]);
  expect(steps[steps.length - 1]).toBeLessThanOrEqual(end);
  expect((r.timeline ?? []).filter((ev) => !(ev.start <= ev.end && ev.end <= end))).toEqual([]);
}

describe('I3 clock monotonicity: records, samples, power steps and the timeline are in time order', () => {
  it.each(scenarioRuns([], { timeline: true }).map((x) => [x.name, x] as const))('%s', (_name, run) => checkClock(run));
});
