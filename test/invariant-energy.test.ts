/**
 * Invariant I5, energy = ∫ power (src/serving/simulate.ts, engine/power-meter.ts): the IT energy of a run equals
 * the integral of its power step series, the energy by component adds up to it, the nodes' energies add up to
 * it, and no power sample exceeds the peak — on every scenario.
 */
import { describe, it, expect } from 'vitest';
import { integrateSteps } from '../src/engine/power-meter.ts';
import { scenarioRuns, type ScenarioRun } from './support/scenario-runs.ts';

function checkEnergy({ result: r, scenario: s }: ScenarioRun): void {
  const e = r.energy;
  const close = (a: number, b: number) => expect(Math.abs(a - b)).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(b)));
  // ∫ power dt over the step series = total IT energy (the series is what the meter integrated)
  close(integrateSteps(r.power_steps!, r.sim_time_s) / 3.6e6, e.total_kwh);
  close(Object.values(e.by_component_kwh).reduce((a, b) => a + b, 0), e.total_kwh);
  close(e.nodes.per_node.reduce((a, n) => a + n.avg_kw, 0) * r.sim_time_s / 3600, e.total_kwh);
  close(e.facility_kwh, e.total_kwh * e.pue);
  close(e.avg_power_kw, r.sim_time_s > 0 ? (e.total_kwh * 3600) / r.sim_time_s : 0);
  // the peak is the largest step, each node's peak is at most the cluster's, samples lie between 0 and the peak
  close(e.peak_power_kw, Math.max(...r.power_steps!.map((p) => p.watts)) / 1000);
  expect(e.nodes.per_node.filter((n) => n.peak_kw > e.peak_power_kw * (1 + 1e-12))).toEqual([]);
  expect(r.timeseries.filter((p) => !(p.power_kw >= 0 && p.power_kw <= e.peak_power_kw * (1 + 1e-12)))).toEqual([]);
  // per video: facility energy / completed videos
  if (r.requests.completed > 0) close(e.per_video_wh, (e.facility_kwh * 1000) / r.requests.completed);
  expect(s.power.pue ?? e.pue).toBe(e.pue);
}

describe('I5 energy = ∫ power', () => {
  it.each(scenarioRuns().map((x) => [x.name, x] as const))('%s', (_name, run) => checkEnergy(run));
});
