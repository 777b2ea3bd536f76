/**
 * Cross-references and ordering rules of a schema-valid scenario, checked at load time so that `vgsim
 * validate` finds them and every message carries the file:line of the value: unique pool and class names,
 * autoscale settings that name an existing pool (once), min/max replicas and thresholds in order, daily-curve
 * points that are real times of day in increasing order, failure drills on nodes and GPUs that exist, and
 * every mix class's request shape runnable by its model (workload/shape-limits.ts: frames 4n+1, resolution a
 * multiple of VAE stride × DiT patch, within the position encoding, at most 1000 steps).
 */
import { didYouMean, type InputIssue } from '../errors.ts';
import type { Scenario } from './schema.ts';
import type { PathKey } from './yaml-source.ts';
import { poolsOf, autoscalesOf } from './pools.ts';
import { listModels } from '../workload/request.ts';
import type { ModelSpec } from '../workload/models.ts';
import { shapeProblems } from '../workload/shape-limits.ts';
import { canonicalId, listNodes } from '../hardware/catalog.ts';

type Locate = (path: readonly PathKey[]) => Pick<InputIssue, 'source' | 'line' | 'col'>;

/** The model of an id, or undefined (unknown ids are reported by checkIds). */
export function modelOf(id: string): ModelSpec | undefined {
  const key = id.toLowerCase();
  return listModels().find((m) => m.id === id || m.id === key || m.name.toLowerCase() === key);
}

export function checkRules(s: Scenario, locate: Locate): InputIssue[] {
  const issues: InputIssue[] = [];
  const at = (path: PathKey[], message: string, hint?: string) => issues.push({ ...locate(path), path: path.join('.'), message, ...(hint ? { hint } : {}) });
  const pools = poolsOf(s);
  const poolPath = (i: number): PathKey[] => (Array.isArray(s.deployment) ? ['deployment', i] : ['deployment']);

  // ---- names: pools and classes are looked up by name (autoscale, reports, objectives like "720p.p95<=1h")
  const poolNames = pools.map((p, i) => p.name ?? `pool${i}`);
  poolNames.forEach((n, i) => {
    const first = poolNames.indexOf(n);
    if (first !== i) at([...poolPath(i), 'name'], `pool name "${n}" is used twice (pools ${first} and ${i})`, 'give every pool its own name');
  });
  // an unnamed class is named by its shape; two of the same shape and model are one class written twice
  const classNames = s.workload.mix.map((c, i) => c.name ?? classLabelOf(s, i));
  const classKeys = s.workload.mix.map((c, i) => c.name ?? `${(c.model ?? s.model).toLowerCase()} ${classNames[i]}`);
  classKeys.forEach((k, i) => {
    const first = classKeys.indexOf(k);
    if (first === i) return;
    const n = classNames[i]!;
    const named = s.workload.mix[i]!.name !== undefined;
    at(named ? ['workload', 'mix', i, 'name'] : ['workload', 'mix', i], `class name "${n}" is used twice (classes ${first} and ${i})`, named ? 'give every class its own name' : 'unnamed classes are named by their shape: name them, or merge two of the same shape (add their weights)');
  });

  // ---- autoscale: which pool, once; bounds in order
  const scales = autoscalesOf(s);
  const scalePath = (i: number): PathKey[] => (Array.isArray(s.autoscale) ? ['autoscale', i] : ['autoscale']);
  const covered = new Map<string, number>();
  scales.forEach((a, i) => {
    const base = scalePath(i);
    if (a.pool !== undefined && !poolNames.includes(a.pool)) {
      at([...base, 'pool'], `no pool is named "${a.pool}"`, didYouMean(a.pool, poolNames) ?? `pools: ${poolNames.join(', ')}`);
      return;
    }
    const targets = a.pool !== undefined ? [a.pool] : poolNames;
    for (const t of targets) {
      const prev = covered.get(t);
      if (prev !== undefined) at(a.pool !== undefined ? [...base, 'pool'] : base, `pool "${t}" already has an autoscale setting (entry ${prev})`, 'one setting per pool: name each with pool:');
      else covered.set(t, i);
    }
    if (a.max_replicas !== undefined && a.min_replicas > a.max_replicas) at([...base, 'min_replicas'], `min_replicas (${a.min_replicas}) is above max_replicas (${a.max_replicas})`, 'min_replicas <= max_replicas');
    for (const t of targets) {
      const size = pools[poolNames.indexOf(t)]!.replicas;
      if (a.min_replicas > size) at([...base, 'min_replicas'], `min_replicas (${a.min_replicas}) is above pool "${t}"'s ${size} replica${size === 1 ? '' : 's'}`, `raise the pool's replicas or lower min_replicas to at most ${size}`);
      // the autoscaler wakes only the pool's own replicas: a larger maximum was cut to the pool without a word
      if (a.max_replicas !== undefined && a.max_replicas > size) at([...base, 'max_replicas'], `max_replicas (${a.max_replicas}) is above pool "${t}"'s ${size} replica${size === 1 ? '' : 's'}: the autoscaler wakes only the pool's replicas`, `lower max_replicas to at most ${size} or leave it out, or raise the pool's replicas to ${a.max_replicas}`);
    }
    // utilization and slo_risk are fractions: a threshold above 1 never fires (the pool stayed at min_replicas);
    // scale_down_at is then held to at most scale_up_at below
    if (a.metric !== 'queue_length' && a.scale_up_at > 1) {
      at([...base, 'scale_up_at'], `scale_up_at (${a.scale_up_at}) is above 1, but ${a.metric} is a fraction (${a.metric === 'utilization' ? 'busy share of the active replicas' : 'share of waiting requests predicted to miss their SLO'}), so it would never fire`, 'a fraction between 0 and 1, e.g. 0.8; or metric: queue_length for a count of waiting requests');
    }
    if (a.scale_down_at > a.scale_up_at) at([...base, 'scale_down_at'], `scale_down_at (${a.scale_down_at}) is above scale_up_at (${a.scale_up_at}): a metric between them would scale up and down at once`, 'scale_down_at <= scale_up_at');
  });

  // ---- daily curve: HH:MM times of a day, increasing
  if (Array.isArray(s.workload.curve)) {
    let prev = -1;
    s.workload.curve.forEach((p, i) => {
      const path: PathKey[] = ['workload', 'curve', i, 'at'];
      const [h, m] = p.at.split(':').map(Number) as [number, number];
      if (m > 59 || h > 24 || (h === 24 && m > 0)) {
        at(path, `"${p.at}" is not a time of day`, 'HH:MM from 00:00 to 24:00');
        return;
      }
      const t = h * 60 + m;
      if (t <= prev) at(path, `curve times must increase: "${p.at}" comes after ${String(Math.floor(prev / 60)).padStart(2, '0')}:${String(prev % 60).padStart(2, '0')}`, 'list the points in time order, each time once');
      prev = Math.max(prev, t);
    });
    if (s.workload.curve.every((p) => p.x === 0)) at(['workload', 'curve'], 'every multiplier is 0: no request would ever arrive', 'give at least one point x > 0');
  }

  // ---- failure drills: on nodes and GPUs that exist
  const nodeTypes: string[] = [];
  for (const n of s.cluster.nodes) {
    let id: string | undefined;
    try {
      id = canonicalId('node', n.type);
    } catch {
      id = undefined; // reported by checkIds
    }
    for (let k = 0; k < n.count && nodeTypes.length <= 1_000_000; k++) nodeTypes.push(id ?? '');
  }
  (s.failures?.events ?? []).forEach((ev, i) => {
    const type = nodeTypes[ev.node];
    if (type === undefined) at(['failures', 'events', i, 'node'], `node ${ev.node} does not exist: the cluster has ${nodeTypes.length} node${nodeTypes.length === 1 ? '' : 's'}, indexed from 0`);
    else if (ev.what === 'gpu' && type) {
      const per = listNodes().find((x) => x.id === type)?.gpusPerNode ?? Infinity;
      if (ev.gpu >= per) at(['failures', 'events', i, 'gpu'], `GPU ${ev.gpu} does not exist: ${type} has ${per} GPUs, indexed from 0`);
    }
  });

  // ---- request shapes the model can run
  s.workload.mix.forEach((c, i) => {
    const model = modelOf(c.model ?? s.model);
    if (!model) return;
    const shape = { width: c.resolution?.width ?? model.defaults.width, height: c.resolution?.height ?? model.defaults.height, frames: c.frames ?? model.defaults.frames, steps: c.steps ?? model.defaults.steps };
    for (const p of shapeProblems(model, shape)) {
      const field = p.field === 'resolution' ? 'resolution' : p.field;
      const given = field === 'resolution' ? c.resolution !== undefined : c[field] !== undefined;
      at(given ? ['workload', 'mix', i, field] : ['workload', 'mix', i], given ? p.message : `${p.message} (the model's default ${field})`, p.hint);
    }
  });
  return issues;
}

/** An unnamed class's label, as scenario/classes.ts names it (WIDTHxHEIGHTxFRAMESf/STEPSst), without resolving it. */
function classLabelOf(s: Scenario, i: number): string {
  const c = s.workload.mix[i]!;
  const model = modelOf(c.model ?? s.model);
  return `${c.resolution?.width ?? model?.defaults.width}x${c.resolution?.height ?? model?.defaults.height}x${c.frames ?? model?.defaults.frames}f/${c.steps ?? model?.defaults.steps}st`;
}
