/**
 * A parsed scenario written back as a scenario file (`--out`'s scenario.json, "the scenario as run"): defaults filled
 * in, and every value in a form the schema reads, so `vgsim run out/scenario.json` runs the same scenario. The parse
 * turns a resolution "1280x720" into {width, height} and an upscale target into {width, height, label}: they are
 * written back as text. A file a scenario names (a trace, stage_times, a serving_overheads file) is relative to the
 * scenario's folder; written elsewhere it is re-expressed relative to the folder it is written to.
 */
import { isAbsolute, relative, resolve } from 'node:path';
import type { Scenario } from './schema.ts';

export interface WrittenWhere {
  /** The folder the scenario's relative paths were read against (the scenario file's). */
  baseDir: string;
  /** The folder the scenario file is written to. */
  outDir: string;
}

type Json = Record<string, any>;

const isSize = (v: unknown): v is { width: number; height: number; label?: string } =>
  typeof v === 'object' && v !== null && typeof (v as Json).width === 'number' && typeof (v as Json).height === 'number';

export function scenarioAsInput(scenario: Scenario, where?: WrittenWhere): Json {
  const s = JSON.parse(JSON.stringify(scenario)) as Json;
  for (const c of s.workload?.mix ?? []) {
    if (isSize(c.resolution)) c.resolution = `${c.resolution.width}x${c.resolution.height}`;
    const to = c.postprocess?.upscale?.to;
    if (isSize(to)) c.postprocess.upscale.to = to.label ?? `${to.width}x${to.height}`;
  }
  if (where) {
    const moved = (p: unknown) => (typeof p === 'string' && !isAbsolute(p) ? relative(resolve(where.outDir), resolve(where.baseDir, p)).split('\\').join('/') || '.' : p);
    const arrivals = s.workload?.arrivals;
    if (arrivals?.file !== undefined) arrivals.file = moved(arrivals.file);
    if (typeof s.serving_overheads === 'string') s.serving_overheads = moved(s.serving_overheads);
    for (const pool of Array.isArray(s.deployment) ? s.deployment : [s.deployment]) if (typeof pool?.stage_times === 'string') pool.stage_times = moved(pool.stage_times);
  }
  return s;
}
