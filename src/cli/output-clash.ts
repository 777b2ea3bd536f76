/**
 * Outputs that would overwrite the command's own inputs, or each other: `run --trace <the scenario>` replaced the
 * scenario with a trace JSON, `calibrate --write <the fit trace>` the trace, `check --report <a baseline>` the
 * baseline, and `--write a.json --write-stage-times a.json` kept only the second. Each command names its outputs
 * and inputs here before anything runs; a clash is refused (OutputPathError, exit 2) naming both.
 */
import { realpathSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { OutputPathError } from '../make-dirs.ts';
import type { LoadedScenario } from '../scenario/load.ts';
import { resolvePath } from '../serving/state.ts';
import { sidecarPath } from '../calibration/observed-trace.ts';

/** A file a command reads or writes, and what it is to the user: a flag ("--trace") or a role ("the scenario"). */
export interface NamedPath {
  name: string;
  path: string;
}

/** The file a path stands for: its real path where it exists (links, `..`), else its folder's real path and its name. */
export function canonicalPath(p: string): string {
  const abs = resolve(p);
  try {
    return realpathSync(abs);
  } catch {
    try {
      return join(realpathSync(dirname(abs)), basename(abs));
    } catch {
      return abs;
    }
  }
}

/** Throws OutputPathError when an output is one of the inputs, or the same file as another output. */
export function refuseClobber(outputs: readonly NamedPath[], inputs: readonly NamedPath[]): void {
  const taken = new Map<string, NamedPath & { output: boolean }>();
  for (const i of inputs) {
    const key = canonicalPath(i.path);
    if (!taken.has(key)) taken.set(key, { ...i, output: false });
  }
  for (const o of outputs) {
    const key = canonicalPath(o.path);
    const hit = taken.get(key);
    if (hit?.output) throw new OutputPathError(`${o.name} ${o.path} and ${hit.name} ${hit.path} are the same file: the second would replace the first; give each its own file`);
    if (hit) throw new OutputPathError(`${o.name} ${o.path} is ${hit.name} (${hit.path}), which this command reads: writing it would overwrite it; give another ${o.name}`);
    taken.set(key, { ...o, output: true });
  }
}

/** The files a loaded scenario was read from (its `extends` chain) and the trace it replays. */
export function scenarioInputs(loaded: LoadedScenario, baseDir: string): NamedPath[] {
  const out = loaded.files.map((path, i) => ({ name: i === 0 ? 'the scenario' : 'a scenario it extends', path }));
  const arr = loaded.scenario.workload.arrivals;
  if (arr.process === 'trace') out.push({ name: "the scenario's trace (workload.arrivals.file)", path: resolvePath(baseDir, arr.file) });
  return out;
}

/** An observed trace and its sidecar JSON (which a file written there would replace or become). */
export function observedInputs(file: string, role: string): NamedPath[] {
  return [{ name: role, path: file }, { name: `${role}'s sidecar`, path: sidecarPath(file) }];
}
