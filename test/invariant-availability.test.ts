/**
 * Invariant I6, availability under failures (src/serving/simulate.ts, serving/failures.ts): with random GPU and
 * node failures injected into every scenario,
 *  - no replica runs a batch while it is down (failed), and every failure the timeline records is repaired
 *    after its repair time (or the run ended first);
 *  - availability = 1 − replica-time down / replica-time, recomputed here from the timeline's replica states
 *    (down: failed, then loading again until active when it was serving), matches the reported value;
 *  - without failures, availability is exactly 1.
 */
import { describe, it, expect } from 'vitest';
import type { SimulationResult, TimelineReplicaState } from '../src/serving/simulate.ts';
import { scenarioRuns, INJECTED_FAILURES, type ScenarioRun } from './support/scenario-runs.ts';

/** Down time of each replica from its state intervals: each 'failed' interval, plus the reload that follows it. */
function downTimes(r: SimulationResult): Map<number, number> {
  const byReplica = new Map<number, TimelineReplicaState[]>();
  for (const ev of r.timeline!) if (ev.type === 'replica') byReplica.set(ev.replica, [...(byReplica.get(ev.replica) ?? []), ev]);
  const down = new Map<number, number>();
  for (const [id, states] of byReplica) {
    let total = 0;
    for (let i = 0; i < states.length; i++) {
      if (states[i]!.state !== 'failed') continue;
      total += states[i]!.end - states[i]!.start;
      // repaired while it was serving: it reloads, and is down until it is active again
      for (let j = i + 1; j < states.length && states[j]!.state === 'loading'; j++) total += states[j]!.end - states[j]!.start;
    }
    down.set(id, total);
  }
  return down;
}

function checkAvailability({ result: r }: ScenarioRun): void {
  const replicas = r.pools.reduce((a, p) => a + p.replicas, 0);
  const failed = r.timeline!.filter((e): e is TimelineReplicaState => e.type === 'replica' && e.state === 'failed');
  // no batch runs on a replica while it is failed (a batch cut by the failure ends at its start)
  const failedOf = new Map<number, TimelineReplicaState[]>();
  for (const f of failed) failedOf.set(f.replica, [...(failedOf.get(f.replica) ?? []), f]);
  const overlaps = r.timeline!.filter((b) => b.type === 'batch' && (failedOf.get(b.replica) ?? []).some((f) => b.end > f.start && b.start < f.end));
  expect(overlaps).toEqual([]);
  expect(r.timeline!.filter((f) => f.type === 'failure' && f.end > f.start + f.repair_s + 1e-9)).toEqual([]);
  const down = [...downTimes(r).values()].reduce((a, b) => a + b, 0);
  const expected = r.sim_time_s > 0 ? 1 - down / (replicas * r.sim_time_s) : 1;
  expect(r.failures.availability).toBeGreaterThanOrEqual(0);
  expect(r.failures.availability).toBeLessThanOrEqual(1);
  expect(Math.abs(r.failures.availability - expected)).toBeLessThan(1e-9);
  if (r.failures.gpu + r.failures.node + r.failures.link === 0) expect(r.failures.availability).toBe(1);
}

describe('I6 availability under failures', () => {
  const runs = scenarioRuns(INJECTED_FAILURES, { timeline: true });
  it('the injected failures happen (every scenario that runs long enough sees some)', () => {
    expect(runs.filter((x) => x.result.failures.gpu + x.result.failures.node > 0).length).toBeGreaterThan(runs.length / 2);
  });
  it.each(runs.map((x) => [x.name, x] as const))('%s with GPU and node failures', (_name, run) => checkAvailability(run));
  it.each(scenarioRuns([], { timeline: true }).map((x) => [x.name, x] as const))('%s as written', (_name, run) => checkAvailability(run));
});
