/**
 * Every scenario file in scenarios/ (found on disk, so a new one is checked without editing a test), simulated
 * with per-request records and power steps: the runs the invariant tests (test/invariant-*.test.ts) check.
 * Long runs are shortened; each
 * exception says why. Runs are memoized per test file (one worker each).
 */
import { readdirSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { loadScenario } from '../../src/scenario/load.ts';
import { simulate, type SimulationOptions, type SimulationResult } from '../../src/serving/simulate.ts';
import type { Scenario } from '../../src/scenario/schema.ts';

/** Overrides per scenario file name, with the reason. */
const ADJUST: Record<string, { set: string[]; why: string }> = {
  'cluster-1000-gpus': { set: ['duration=2h'], why: 'the benchmark day takes seconds; its first 2 h exercise the same code (autoscaling, three pools)' },
  'production-day': { set: ['duration=12h'], why: 'two days take ~0.4 s; half a day keeps the autoscaling and the cold starts' },
  'cold-start': { set: ['duration=12h'], why: 'two days take ~0.5 s; half a day keeps the sleeps, boots and cold starts' },
};

export interface ScenarioRun {
  name: string;
  file: string;
  scenario: Scenario;
  result: SimulationResult;
}

/** The scenario files, sorted (sweep and benchmark folders included). */
export function scenarioFiles(dir = 'scenarios'): string[] {
  const out: string[] = [];
  for (const f of readdirSync(dir).sort()) {
    const p = join(dir, f);
    if (statSync(p).isDirectory()) out.push(...scenarioFiles(p));
    else if (p.endsWith('.yaml')) out.push(p);
  }
  return out;
}

const cache = new Map<string, ScenarioRun[]>();

/** Every scenario, run with `extra` overrides appended (e.g. injected failures) and the given options; `again` asks for fresh runs. */
export function scenarioRuns(extra: string[] = [], opts: SimulationOptions = {}, again = 0): ScenarioRun[] {
  const key = JSON.stringify([extra, opts, again]);
  let runs = cache.get(key);
  if (!runs) {
    runs = scenarioFiles().map((file) => {
      const name = basename(file, '.yaml');
      const loaded = loadScenario(file, { set: [...(ADJUST[name]?.set ?? []), ...extra] });
      const result = simulate(loaded.scenario, { records: true, powerSteps: true, baseDir: dirname(file), locate: loaded.locate, ...opts });
      return { name, file, scenario: loaded.scenario, result };
    });
    cache.set(key, runs);
  }
  return runs;
}

/** Random GPU and node failures added to a scenario (MTBF short enough that a few hours see several). */
export const INJECTED_FAILURES = ['failures={gpu: {mtbf_h: 40, mttr_h: 1}, node: {mtbf_h: 120, mttr_h: 2}, policy: retry, max_retries: 2}'];
