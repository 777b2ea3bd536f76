/**
 * Scenario files of the package run in this thread for README blocks that quote their numbers, so the numbers are
 * what the commands print: `vgsim run FILE` (runScenario) and `vgsim sweep FILE` point by point (sweepRuns: the
 * same points, overrides and seeds, through sweep/spec.ts expandSweep and sweep/worker.ts runPoint).
 */
import { dirname, resolve } from 'node:path';
import { loadScenario } from '../scenario/load.ts';
import { expandSweep, type SweepPoint } from '../sweep/spec.ts';
import { runPoint, type RunSummary } from '../sweep/worker.ts';
import { simulate } from '../serving/simulate.ts';
import { summaryOf, type SimulationResult } from '../serving/result.ts';
import { packagePath } from '../package-files.ts';

export interface SweepRun {
  point: SweepPoint;
  /** The run's summary, or null when the point does not run (e.g. the layout does not fit). */
  summary: RunSummary | null;
  /** Why the point did not run. */
  error: string | null;
}

/** Every point of the sweep in `file` (a path relative to the package root), in point order. */
export function sweepRuns(file: string): SweepRun[] {
  const path = resolve(packagePath(file));
  const plan = expandSweep(loadScenario(path));
  return plan.points.map((point) => {
    const o = runPoint({ id: point.id, file: path, set: point.set, seed: point.seed });
    return { point, summary: o.ok ? o.summary : null, error: o.ok ? null : o.error };
  });
}

/** Every point of the sweep in `file` run as sweepRuns does, keeping the whole result (its cost-model estimates too):
 * for blocks that quote a request's estimate (its energy) beside the run. Throws when a point does not run. */
export function sweepResults(file: string): { point: SweepPoint; result: SimulationResult }[] {
  const path = resolve(packagePath(file));
  return expandSweep(loadScenario(path)).points.map((point) => {
    const l = loadScenario(path, { set: point.set, seed: point.seed, cache: true });
    return { point, result: simulate(l.scenario, { baseDir: dirname(path), locate: l.locate }) };
  });
}

/** The run of the variant called `name` (throws when the scenario has none: the block names a variant it lost). */
export function variantRun<T extends { point: SweepPoint }>(runs: readonly T[], name: string): T {
  const r = runs.find((x) => x.point.variant === name);
  if (!r) throw new Error(`no sweep variant "${name}" (have: ${runs.map((x) => x.point.variant).join(', ')})`);
  return r;
}

/** The summary of a sweep variant's run of `file` (an error naming the file and variant where the run failed). */
export function variantSummary(file: string, runs: readonly SweepRun[], name: string): RunSummary {
  const x = variantRun(runs, name);
  if (!x.summary) throw new Error(`${file} ${name}: ${x.error}`);
  return x.summary;
}

/** A scenario file of the package (with --set overrides), simulated as `vgsim run FILE` does. */
export function runScenario(file: string, set: string[] = []): RunSummary {
  const path = resolve(packagePath(file));
  const l = loadScenario(path, { set });
  return summaryOf(simulate(l.scenario, { baseDir: dirname(path), locate: l.locate }));
}
