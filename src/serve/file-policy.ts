/**
 * What the HTTP server may read: files inside the package (scenario library, calibration data, web UI) and
 * inside the user's scenario folder, nothing else. Every path a request can make the server open goes
 * through `readable` first: a scenario named by the client, `extends:`, a trace CSV, a diffusers config.
 */
import { realpathSync } from 'node:fs';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import { PACKAGE_ROOT } from '../package-files.ts';
import type { InputIssue } from '../errors.ts';

export interface FilePolicy {
  /** Folders whose files may be read (absolute, symlinks resolved). */
  roots: string[];
  /** Undefined when `abs` may be read, else why not. */
  readable: (abs: string) => string | undefined;
}

function real(p: string): string {
  try {
    return realpathSync(p);
  } catch {
    return resolve(p); // a file that does not exist: judged by its path, then reported as not found
  }
}

function inside(root: string, p: string): boolean {
  const rel = relative(root, p);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel) && !rel.startsWith(`..${sep}`));
}

export function filePolicy(scenarioDir: string): FilePolicy {
  const roots = [real(PACKAGE_ROOT), real(scenarioDir)];
  return {
    roots,
    readable: (abs) => (roots.some((r) => inside(r, real(abs))) ? undefined : 'outside the folders this server reads (the vgsim package and the scenario folder it was started with)'),
  };
}

/**
 * Files a scenario value refers to besides `extends` (a trace CSV, diffusers configs, models given as a
 * config.json path, serving overheads, measured stage times), resolved against `dir`, that the policy refuses —
 * as issues naming the field.
 */
export function refusedReferences(value: unknown, dir: string, policy: FilePolicy): InputIssue[] {
  const issues: InputIssue[] = [];
  const check = (path: string, file: unknown) => {
    if (typeof file !== 'string') return;
    const why = policy.readable(resolve(dir, file));
    if (why) issues.push({ source: 'request', path, message: `"${file}" is ${why}` });
  };
  const v = value as Record<string, any> | null;
  if (!v || typeof v !== 'object') return issues;
  check('workload.arrivals.file', v.workload?.arrivals?.file);
  check('serving_overheads', v.serving_overheads); // a file name, or inline numbers (not a string: not checked)
  if (typeof v.model === 'string' && v.model.endsWith('.json')) check('model', v.model);
  (Array.isArray(v.models) ? v.models : []).forEach((m: any, i: number) => check(`models.${i}.diffusers_config`, m?.diffusers_config));
  const pools = Array.isArray(v.deployment) ? v.deployment : v.deployment ? [v.deployment] : [];
  pools.forEach((p: any, i: number) => {
    if (typeof p?.model === 'string' && p.model.endsWith('.json')) check(`deployment.${i}.model`, p.model);
    check(`deployment.${i}.stage_times`, p?.stage_times);
  });
  (Array.isArray(v.workload?.mix) ? v.workload.mix : []).forEach((c: any, i: number) => typeof c?.model === 'string' && c.model.endsWith('.json') && check(`workload.mix.${i}.model`, c.model));
  return issues;
}

/**
 * Files an estimate or plan body names (a GPU profile, a model given as a diffusers config.json path), resolved as
 * the library opens them (against the working directory), that the policy refuses — as issues naming the field.
 */
export function refusedRequestPaths(body: unknown, policy: FilePolicy): InputIssue[] {
  const b = body as Record<string, unknown> | null;
  if (!b || typeof b !== 'object') return [];
  const paths: [string, unknown][] = [['profile', b.profile], ['model', typeof b.model === 'string' && b.model.endsWith('.json') ? b.model : undefined]];
  return paths.flatMap(([field, file]) => {
    const why = typeof file === 'string' ? policy.readable(resolve(file)) : undefined;
    return why ? [{ source: 'request', path: field, message: `"${file}" is ${why}` }] : [];
  });
}
