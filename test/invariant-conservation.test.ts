/**
 * Invariant I1, conservation (src/serving/simulate.ts): every request that arrived is completed, dropped,
 * failed or still in flight — overall, per class, and in the per-request records — on every scenario, also with
 * failures injected (retries must not count a request twice).
 */
import { describe, it, expect } from 'vitest';
import { scenarioRuns, INJECTED_FAILURES, type ScenarioRun } from './support/scenario-runs.ts';

function checkConservation({ result: r }: ScenarioRun): void {
  const q = r.requests;
  expect(q.arrived).toBeGreaterThan(0);
  expect(q.completed + q.dropped + q.failed + q.in_flight).toBe(q.arrived);
  expect(q.in_flight).toBeGreaterThanOrEqual(0);
  // per class: the classes partition the arrivals and every outcome
  const sum = (f: (c: (typeof r.classes)[number]) => number) => r.classes.reduce((a, c) => a + f(c), 0);
  expect(sum((c) => c.arrived)).toBe(q.arrived);
  expect(sum((c) => c.completed)).toBe(q.completed);
  expect(sum((c) => c.dropped)).toBe(q.dropped);
  expect(sum((c) => c.failed)).toBe(q.failed);
  for (const c of r.classes) expect(c.completed + c.dropped + c.failed).toBeLessThanOrEqual(c.arrived);
  // the records: one per request that ended, each request at most once, outcomes matching the counts
  const recs = r.records!;
  expect(recs.length).toBe(q.completed + q.dropped + q.failed);
  expect(new Set(recs.map((x) => x.id)).size).toBe(recs.length);
  expect(recs.filter((x) => x.outcome === 'completed').length).toBe(q.completed);
  expect(recs.filter((x) => x.outcome === 'dropped').length).toBe(q.dropped);
  expect(recs.filter((x) => x.outcome === 'failed').length).toBe(q.failed);
  expect(Math.max(-1, ...recs.map((x) => x.id))).toBeLessThan(q.arrived);
  // at every sample, the requests in flight are what arrived and has not ended
  expect(r.timeseries.filter((p) => p.in_flight < 0)).toEqual([]);
  expect(r.timeseries[r.timeseries.length - 1]!.in_flight).toBeGreaterThanOrEqual(q.in_flight);
  // pools serve what completed (or was handed on): the last stage's pools completed every completed request
  expect(r.pools.reduce((a, p) => a + p.served, 0)).toBeGreaterThanOrEqual(q.completed);
}

describe('I1 conservation: arrived = completed + dropped + failed + in flight', () => {
  it.each(scenarioRuns().map((x) => [x.name, x] as const))('%s', (_name, run) => checkConservation(run));
  it.each(scenarioRuns(INJECTED_FAILURES).map((x) => [x.name, x] as const))('%s with GPU and node failures', (_name, run) => checkConservation(run));
});
