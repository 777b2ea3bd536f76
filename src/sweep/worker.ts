/**
 * One sweep run: load the scenario with the point's overrides, simulate, and return the summary. Runs in
 * a piscina worker thread (loaded through worker-entry.mjs) or in-process (--workers 0); either way the
 * outcome of a run depends only on the task, never on which thread ran it or what it ran before.
 *
 * An invalid point (a value the schema or the semantic checks reject, a layout that does not fit) is an
 * outcome, not a crash: it comes back as { ok: false, error } with the reasons, and the sweep goes on.
 */
import { dirname, join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { metricsText } from '../report/openmetrics.ts';
import { loadScenario } from '../scenario/load.ts';
import { simulate, summaryOf, type LatencySamples, type SimulationResult, type RunSummary } from '../serving/simulate.ts';
import { InputError } from '../errors.ts';
import { UnknownIdError } from '../hardware/catalog.ts';

export interface RunTask {
  id: number;
  /** Absolute path of the scenario file. */
  file: string;
  /** The command line's --set flags, then the point's overrides. */
  set: string[];
  seed: number;
  /** Keep the run's latency samples (replicated sweeps pool them per point). */
  samples?: boolean;
  /** `--openmetrics`: also write the run's monitoring series to dir/point-<id>.openmetrics.txt. */
  metrics?: { dir: string; startUnixS: number };
}

/** What a sweep keeps of a run: its summary (serving/result.ts; no wall time, so outputs are reproducible). */
export type { RunSummary };

export type RunOutcome = { id: number; ok: true; summary: RunSummary; samples?: LatencySamples } | { id: number; ok: false; error: string };

export function sweepSummary(r: SimulationResult): RunSummary {
  return summaryOf(r);
}

/** The reasons of a failed point on one line: "deployment.replicas: Too small…; model: unknown model…". */
export function errorReason(e: unknown): string {
  if (e instanceof InputError) return e.issues.map((i) => `${i.path ? `${i.path}: ` : ''}${i.message}${i.hint ? ` (${i.hint})` : ''}`).join('; ');
  if (e instanceof UnknownIdError) return e.message;
  return `internal error: ${e instanceof Error ? e.message : String(e)}`;
}

export function runPoint(task: RunTask): RunOutcome {
  try {
    const loaded = loadScenario(task.file, { set: task.set, seed: task.seed, cache: true });
    const result = simulate(loaded.scenario, { baseDir: dirname(task.file), locate: loaded.locate, samples: task.samples, monitoring: task.metrics !== undefined });
    if (task.metrics) writeFileSync(join(task.metrics.dir, `point-${task.id}.openmetrics.txt`), metricsText(result, { startUnixS: task.metrics.startUnixS, labels: [['sweep_point', String(task.id)]] }));
    return { id: task.id, ok: true, summary: sweepSummary(result), ...(result.samples ? { samples: result.samples } : {}) };
  } catch (e) {
    return { id: task.id, ok: false, error: errorReason(e) };
  }
}

/** piscina's handler: a batch of runs (one message per batch keeps the per-run overhead negligible). */
export default function runBatch(tasks: RunTask[]): RunOutcome[] {
  return tasks.map(runPoint);
}
