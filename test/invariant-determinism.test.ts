/**
 * Invariant I4, determinism (src/serving/simulate.ts): the same scenario and seed give a byte-identical summary,
 * per-request records and time series — on every scenario; a different seed gives a different run; and each
 * subsystem draws from its own random stream, so changing the routing policy does not move any arrival.
 */
import { describe, it, expect } from 'vitest';
import { loadScenario } from '../src/scenario/load.ts';
import { toJson, toCsv } from '../src/report/output.ts';
import { simulate, summaryOf, type SimulationResult } from '../src/serving/simulate.ts';
import { scenarioRuns } from './support/scenario-runs.ts';

const bytes = (r: SimulationResult) => toJson(summaryOf(r)) + toCsv(r.records as unknown as Record<string, unknown>[]) + toCsv(r.timeseries as unknown as Record<string, unknown>[]);

function run(seed: number, set: string[] = []) {
  const { scenario } = loadScenario('scenarios/default.yaml', { seed, set: ['duration=3h', ...set] });
  return bytes(simulate(scenario, { records: true }));
}

describe('I4 determinism', () => {
  // every scenario twice in one process: the second run must not depend on what the first left behind (caches)
  const first = scenarioRuns();
  const second = scenarioRuns([], {}, 1);
  it.each(first.map((x, i) => [x.name, x, second[i]!] as const))('%s: same scenario and seed, byte-identical results', (_name, a, b) => {
    expect(b.result).not.toBe(a.result);
    expect(bytes(b.result)).toBe(bytes(a.result));
  });

  it('a different seed gives different results', () => {
    expect(run(5)).toBe(run(5));
    expect(run(5)).not.toBe(run(6));
  });

  it('changing the routing policy does not reshuffle arrivals (separate random streams)', () => {
    const a = loadScenario('scenarios/default.yaml', { seed: 3, set: ['duration=3h'] }).scenario;
    const b = loadScenario('scenarios/default.yaml', { seed: 3, set: ['duration=3h', 'scheduling.routing=power-of-two'] }).scenario;
    const ra = simulate(a, { records: true }).records!.map((x) => [x.arrival, x.cls]);
    const rb = simulate(b, { records: true }).records!.map((x) => [x.arrival, x.cls]);
    ra.sort((x, y) => (x[0] as number) - (y[0] as number));
    rb.sort((x, y) => (x[0] as number) - (y[0] as number));
    expect(rb).toEqual(ra);
  });
});
