/**
 * Which trace a replay's fitted inputs came from. `vgsim calibrate --write` and `--write-stage-times` record the fit
 * trace in their files (`fitted_on`, relative to the file written); a replay names it next to each file and says
 * when the trace it scores is that very trace: such a replay is in-sample — it checks the fit, not the model —
 * and read without the warning it looked like a validation.
 */
import { readFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import type { Scenario } from '../scenario/schema.ts';
import { poolsOf } from '../scenario/pools.ts';

export interface FittedInput {
  /** What the file holds, as the replay's header names it. */
  what: 'serving overheads' | 'stage times';
  /** The file as the scenario gives it. */
  file: string;
  /** The trace its values were fitted on, relative to the working directory; null where the file does not say. */
  fitted_on: string | null;
  /** The trace replayed is the one the values were fitted on. */
  in_sample: boolean;
}

/** The scenario's fitted input files (serving_overheads, each pool's stage_times given as a path), each with its fit trace. */
export function fittedInputs(s: Scenario, baseDir: string | undefined, traceFile: string): FittedInput[] {
  const files: { what: FittedInput['what']; file: string }[] = [];
  if (typeof s.serving_overheads === 'string') files.push({ what: 'serving overheads', file: s.serving_overheads });
  for (const p of poolsOf(s)) if (typeof p.stage_times === 'string' && !files.some((f) => f.file === p.stage_times)) files.push({ what: 'stage times', file: p.stage_times });
  const trace = resolve(traceFile);
  return files.map(({ what, file }) => {
    const path = resolve(baseDir ?? '.', file);
    const on = fittedOnOf(path);
    const source = on === null ? null : resolve(dirname(path), on);
    return { what, file, fitted_on: source === null ? null : relative('.', source) || '.', in_sample: source === trace };
  });
}

/** A file's `fitted_on` (the simulation has read and checked the file already; a file that does not say gives null). */
function fittedOnOf(path: string): string | null {
  try {
    const v = JSON.parse(readFileSync(path, 'utf8'))?.fitted_on;
    return typeof v === 'string' && v !== '' ? v : null;
  } catch {
    return null;
  }
}

/** The replay's warning when it scores the trace its inputs were fitted on; undefined otherwise. */
export function inSampleWarning(inputs: readonly FittedInput[], traceFile: string): string | undefined {
  const same = inputs.filter((i) => i.in_sample);
  if (same.length === 0) return undefined;
  const what = same.map((i) => `the ${i.what} (${i.file})`).join(' and ');
  return `${what} were fitted on this very trace (${traceFile}): the replay is in-sample, a check of the fit and not a validation; score a trace the fit did not see (another load level or seed), as vgsim calibrate --validate does`;
}
