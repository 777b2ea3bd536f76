/**
 * Invariant I2, causality (src/serving/simulate.ts): a request starts no earlier than it arrives and ends no
 * earlier than it starts; a completed request took at least the service time of its class on an idle cluster.
 * Checked on every request of every scenario, also with failures injected (retries start over).
 */
import { describe, it, expect } from 'vitest';
import { scenarioRuns, INJECTED_FAILURES, type ScenarioRun } from './support/scenario-runs.ts';

function checkCausality({ result: r }: ScenarioRun): void {
  const service = new Map(r.classes.map((c) => [c.name, c.service_s]));
  const broken = r.records!.filter((x) => {
    if (!(x.arrival >= 0 && x.finish >= x.arrival)) return true;
    // a completed request started (a retry: restarted) after it arrived, and took no less than on an idle cluster
    if (x.outcome === 'completed') return !(x.start >= x.arrival && x.finish >= x.start && x.finish - x.arrival >= service.get(x.cls)! * (1 - 1e-9));
    // a dropped or failed one may never have started
    return !Number.isNaN(x.start) && !(x.start >= x.arrival && x.finish >= x.start);
  });
  expect(broken).toEqual([]);
  // summary statistics follow: the shortest latency is at least the shortest service time
  if (r.requests.completed > 0) expect(r.latency_s.max).toBeGreaterThanOrEqual(Math.min(...r.classes.filter((c) => c.completed > 0).map((c) => c.service_s)) * (1 - 1e-9));
  expect(r.queue_wait_s.mean).toBeGreaterThanOrEqual(0);
}

describe('I2 causality: arrival <= start <= finish', () => {
  it.each(scenarioRuns().map((x) => [x.name, x] as const))('%s', (_name, run) => checkCausality(run));
  it.each(scenarioRuns(INJECTED_FAILURES).map((x) => [x.name, x] as const))('%s with GPU and node failures', (_name, run) => checkCausality(run));
});
