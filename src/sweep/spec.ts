/**
 * Expanding a scenario's `sweep:` section into points: which fields each point overrides with which
 * values, its simulation seed, a stable id and a readable label.
 *
 *   expandSweep(loaded, { set, limit })  the SweepPlan: parameters, points (id order), spec hash
 *   checkFieldPath(path)                 does this --set-style path name a scenario field? (with "did you mean")
 *
 * Point order (= id order): variants outermost, then the grid / sample index, then the replicate seeds
 * innermost. Ids are 0-based and stable: the same file, --set flags and seeds give the same points with
 * the same ids, which is what sharding (`id % N == i`) and merging rely on.
 *
 * A point's values are applied as `--set path=<JSON>` overrides after the command line's own --set flags
 * (JSON is valid YAML, so numbers, strings, booleans, lists and mappings round-trip exactly; null removes
 * the field), so a point is loaded and validated exactly like `vgsim run --set ...` would load it.
 */
import { createHash } from 'node:crypto';
import { InputError, didYouMean, type InputIssue } from '../errors.ts';
import { parseOverride, schemasAt, type LoadedScenario } from '../scenario/load.ts';
import { scenarioJsonSchema, type SweepSpec } from '../scenario/schema.ts';
import type { PathKey } from '../scenario/yaml-source.ts';
import { grid, gridSize, gridValues, isRange, sample, type ParameterSpec, type RangeSpec } from './sample.ts';
import { parseSlo } from '../studies/objectives.ts';
import { resolveClasses } from '../scenario/classes.ts';

export type SweepMode = 'grid' | 'variants' | 'random' | 'lhs';

export interface SweepParameter {
  /** The path as written in the scenario, e.g. "workload.arrivals.rate_per_hour". */
  key: string;
  path: PathKey[];
  /** Short name for labels and table headers (the last path segment, longer where two would clash). */
  short: string;
  kind: 'list' | 'range';
  /** list: the values; range: null (see `range`). */
  values: unknown[] | null;
  range: RangeSpec | null;
  /** Every value of this parameter in the sweep is a finite number (charts plot metrics against it). */
  numeric: boolean;
  /** A range with log: true (charts use a log axis). */
  log: boolean;
}

export interface SweepPoint {
  /** Run id, 0-based, in point order; shards take id % N == i. */
  id: number;
  /** Index of the parameter combination (replicates of one combination share it). */
  point: number;
  /** 0..replicate_seeds-1. */
  replicate: number;
  /** Simulation seed of this run. */
  seed: number;
  label: string;
  variant: string | null;
  /** Parameter key → value (in parameter order); variant overrides are not repeated here. */
  values: Record<string, unknown>;
  /** The overrides of this point, as --set flags (variant first, then parameters). */
  set: string[];
}

export interface SweepPlan {
  format: 'vgsim-sweep/1';
  /** Scenario name. */
  scenario: string;
  mode: SweepMode;
  /** The `sweep:` section as validated (defaults filled in). */
  spec: SweepSpec;
  parameters: SweepParameter[];
  variants: string[] | null;
  replicate_seeds: number;
  /** Runs before --limit. */
  total: number;
  limit: number | null;
  points: SweepPoint[];
  /** sha256 (hex, 16 chars) of the scenario as loaded and every point's overrides and seed: shards of one sweep share it. */
  hash: string;
}

// ---------------------------------------------------------------------------------------------------
// field paths

let schemaRoot: any;
const root = () => (schemaRoot ??= scenarioJsonSchema());

function alternatives(n: any): any[] {
  if (!n || typeof n !== 'object') return [];
  const alts = [...(n.anyOf ?? []), ...(n.oneOf ?? []), ...(n.allOf ?? [])];
  return alts.length ? alts.flatMap(alternatives) : [n];
}

/** A schema node that accepts anything below it (z.unknown, transforms). */
const isOpen = (n: any) => n.type === undefined && n.properties === undefined && n.items === undefined && n.enum === undefined && n.const === undefined;

function describeNode(nodes: any[]): string {
  const types = [...new Set(nodes.map((n) => (n.enum ? 'one of a fixed set of values' : n.type === 'integer' ? 'a whole number' : n.type === 'array' ? 'a list' : n.type ? `a ${n.type}` : 'a value')))];
  return types.join(' or ');
}

/**
 * Whether `path` names a field of the scenario schema. Lists accept any index; free-form mappings
 * ({node-type: price}) accept any key. Returns null when it does, else the problem and a suggestion.
 */
export function checkFieldPath(path: readonly PathKey[]): { message: string; hint?: string } | null {
  let nodes: any[] = alternatives(root());
  for (let i = 0; i < path.length; i++) {
    const key = path[i]!;
    if (nodes.some(isOpen)) return null;
    const here = path.slice(0, i).join('.') || 'the scenario';
    const next: any[] = [];
    const numeric = typeof key === 'number';
    for (const n of nodes) {
      if (numeric && n.items) next.push(n.items);
      if (!numeric && n.properties?.[key]) next.push(n.properties[key]);
      if (n.additionalProperties && typeof n.additionalProperties === 'object') next.push(n.additionalProperties);
    }
    if (next.length === 0) {
      const keys = [...new Set(nodes.flatMap((n) => Object.keys(n.properties ?? {})))].filter((k) => k !== '$schema');
      if (numeric) return { message: `${here} is not a list, so it has no item ${key}`, hint: keys.length ? `fields here: ${keys.join(', ')}` : undefined };
      if (keys.length === 0) return { message: `${here} is ${describeNode(nodes)}, it has no field "${key}"` };
      return { message: `unknown field "${key}" in ${here}`, hint: didYouMean(String(key), keys) ?? `fields here: ${keys.join(', ')}` };
    }
    nodes = next.flatMap(alternatives);
  }
  return null;
}

/**
 * What a swept value or range breaks of a numeric field's schema (a whole number, its bounds), before any run:
 * a replicas value of 0 failed one run in the middle of the sweep, an lhs range over replicas failed every run.
 */
function parameterProblems(path: readonly PathKey[], p: ParameterSpec): string[] {
  const nodes = schemasAt(path);
  if (!nodes.length || !nodes.every((n) => n.type === 'integer' || n.type === 'number')) return [];
  const integer = nodes.every((n) => n.type === 'integer');
  const lo = Math.min(...nodes.map((n) => n.exclusiveMinimum ?? n.minimum ?? -Infinity));
  const loOpen = nodes.some((n) => n.exclusiveMinimum !== undefined);
  const hi = Math.max(...nodes.map((n) => (n.maximum !== undefined && n.maximum < 1e15 ? n.maximum : Infinity))); // zod's int() says 2^53
  const what = `${integer ? 'a whole number' : 'a number'}${Number.isFinite(lo) ? ` ${loOpen ? '>' : '>='} ${lo}` : ''}${Number.isFinite(hi) ? ` and <= ${hi}` : ''}`;
  const outside = (v: number) => !Number.isFinite(v) || (loOpen ? v <= lo : v < lo) || v > hi;
  const bad = (v: number) => outside(v) || (integer && !Number.isInteger(v));
  if (isRange(p)) {
    const out = [p.min, p.max].filter(outside).map((v) => `the range end ${v} is outside ${what}`);
    if (integer && !p.integer) out.push(`the field takes ${what}: a range samples fractions; add integer: true`);
    return out;
  }
  return p.filter((v): v is number => typeof v === 'number' && bad(v)).map((v) => `the value ${v} is not ${what}`);
}

/** Parses a parameter key with the --set syntax (dots, .0 or [0]). */
function parsePath(key: string): PathKey[] | null {
  try {
    return parseOverride(`${key}=0`).path;
  } catch {
    return null;
  }
}

// ---------------------------------------------------------------------------------------------------
// labels

/** A value as shown in labels: numbers to 4 significant digits, mappings as compact JSON. */
export function formatValue(v: unknown): string {
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : String(Number(v.toPrecision(4)));
  if (typeof v === 'string') return v;
  if (v === null) return 'null';
  if (typeof v === 'boolean') return String(v);
  const s = JSON.stringify(v);
  return s.length > 40 ? `${s.slice(0, 39)}…` : s;
}

function shortNames(paths: readonly PathKey[][]): string[] {
  const depth = paths.map(() => 1);
  const name = (i: number) => paths[i]!.slice(-depth[i]!).join('.');
  for (let guard = 0; guard < 16; guard++) {
    let changed = false;
    for (let i = 0; i < paths.length; i++) {
      const clash = paths.some((_, j) => j !== i && name(j) === name(i));
      const leadsWithIndex = typeof paths[i]![paths[i]!.length - depth[i]!] === 'number';
      if ((clash || leadsWithIndex) && depth[i]! < paths[i]!.length) {
        depth[i]!++;
        changed = true;
      }
    }
    if (!changed) break;
  }
  return paths.map((_, i) => name(i));
}

// ---------------------------------------------------------------------------------------------------
// expansion

export interface ExpandOptions {
  /** Run only the first `limit` runs (ids 0..limit-1). */
  limit?: number;
}

/** The points of the scenario's sweep; InputError (located in the file) for a spec that cannot run. */
export function expandSweep(loaded: LoadedScenario, opts: ExpandOptions = {}): SweepPlan {
  const s = loaded.scenario;
  const spec = s.sweep;
  if (!spec) throw new InputError([{ ...loaded.locate([]), path: 'sweep', message: 'this scenario has no `sweep:` section', hint: 'add sweep: {parameters: {workload.arrivals.rate_per_hour: [10, 20, 40]}}, or see scenarios/sweeps/load-and-replicas.yaml' }]);
  const keys = Object.keys(spec.parameters);
  const mode: SweepMode = spec.mode ?? (keys.length === 0 && spec.variants ? 'variants' : 'grid');
  const issues: InputIssue[] = [];
  const seen = new Map<string, string>();

  const checkPath = (key: string, where: PathKey[]): PathKey[] | null => {
    const path = parsePath(key);
    if (!path) {
      issues.push({ ...loaded.locate(where), path: where.join('.'), message: `"${key}" is not a field path`, hint: 'write it like --set: workload.arrivals.rate_per_hour, workload.mix[0].weight, cluster.nodes.0.type' });
      return null;
    }
    if (path[0] === 'sweep' || path[0] === 'extends') {
      issues.push({ ...loaded.locate(where), path: where.join('.'), message: `a sweep cannot change "${path[0]}"` });
      return null;
    }
    const bad = checkFieldPath(path);
    if (bad) {
      issues.push({ ...loaded.locate(where), path: where.join('.'), message: bad.message, hint: bad.hint });
      return null;
    }
    return path;
  };

  const paths: PathKey[][] = [];
  for (const key of keys) {
    const checked = checkPath(key, ['sweep', 'parameters', key]);
    const path = checked ?? [key];
    if (checked) for (const m of parameterProblems(checked, spec.parameters[key]! as ParameterSpec)) issues.push({ ...loaded.locate(['sweep', 'parameters', key]), path: `sweep.parameters.${key}`, message: m });
    const canonical = path.join('.');
    const dup = seen.get(canonical);
    if (dup !== undefined) issues.push({ ...loaded.locate(['sweep', 'parameters', key]), path: `sweep.parameters.${key}`, message: `"${key}" and "${dup}" are the same field` });
    seen.set(canonical, key);
    paths.push(path);
  }
  (spec.variants ?? []).forEach((v, i) => {
    for (const key of Object.keys(v.set)) {
      const path = checkPath(key, ['sweep', 'variants', i, 'set', key]);
      if (path && seen.has(path.join('.'))) issues.push({ ...loaded.locate(['sweep', 'variants', i, 'set', key]), path: `sweep.variants.${i}.set.${key}`, message: `"${key}" is also a swept parameter; a point would override the variant's value` });
    }
  });
  if (spec.objectives !== undefined) {
    const where = loaded.locate(['sweep', 'objectives']);
    try {
      const terms = parseSlo(spec.objectives);
      const names = s.workload.arrivals.process === 'trace' ? null : resolveClasses(s).map((c) => c.name);
      for (const term of terms) {
        if (term.cls !== undefined && names && names.length && !names.includes(term.cls)) issues.push({ ...where, path: 'sweep.objectives', message: `objective "${term.text}": no request class "${term.cls}"`, hint: didYouMean(term.cls, names) ?? `classes: ${names.join(', ')}` });
      }
    } catch (e) {
      issues.push({ ...where, path: 'sweep.objectives', message: (e as Error).message, hint: 'e.g. objectives: "p95<=45m,attainment>=0.95" (the syntax of vgsim capacity --slo)' });
    }
  }
  if (issues.length) throw new InputError(issues);

  const specs: ParameterSpec[] = keys.map((k) => spec.parameters[k]! as ParameterSpec);
  const variants = spec.variants ?? null;
  const nVariants = variants?.length ?? 1;
  const perVariant = mode === 'variants' ? 1 : mode === 'grid' ? gridSize(specs) : spec.samples!;
  const total = nVariants * perVariant * spec.replicate_seeds;
  if (total > spec.max_points) {
    throw new InputError([{ ...loaded.locate(['sweep']), path: 'sweep', message: `this sweep has ${total.toLocaleString('en-US')} runs (${nVariants} variant(s) × ${perVariant.toLocaleString('en-US')} points × ${spec.replicate_seeds} seed(s)), above max_points ${spec.max_points.toLocaleString('en-US')}`, hint: mode === 'grid' ? 'use fewer values, mode lhs or random with `samples`, or raise sweep.max_points' : 'lower samples, or raise sweep.max_points' }]);
  }
  const combos: unknown[][] = mode === 'variants' ? [[]] : mode === 'grid' ? grid(specs) : sample(mode, keys, specs, spec.samples!, spec.seed);

  const shorts = shortNames(paths);
  const limit = opts.limit !== undefined ? Math.min(opts.limit, total) : total;
  const points: SweepPoint[] = [];
  let id = 0;
  let point = 0;
  outer: for (const variant of variants ?? [null]) {
    for (const combo of combos) {
      const values: Record<string, unknown> = {};
      keys.forEach((k, j) => (values[k] = combo[j]));
      const set = [
        ...Object.entries(variant?.set ?? {}).map(([k, v]) => `${k}=${JSON.stringify(v)}`),
        ...keys.map((k) => `${k}=${JSON.stringify(values[k])}`),
      ];
      const labelParts = keys.map((k, j) => `${shorts[j]}=${formatValue(values[k])}`);
      const label = [variant?.name, labelParts.join(' ')].filter((x) => x).join(' · ') || `point ${point}`;
      // a swept (or variant) seed replaces the scenario seed; replicates count up from it
      const seedValue = 'seed' in values ? values.seed : variant && 'seed' in variant.set ? variant.set.seed : undefined;
      const baseSeed = typeof seedValue === 'number' && Number.isInteger(seedValue) && seedValue >= 0 ? seedValue : s.seed;
      for (let r = 0; r < spec.replicate_seeds; r++) {
        if (id >= limit) break outer;
        points.push({ id, point, replicate: r, seed: baseSeed + r, label, variant: variant?.name ?? null, values, set });
        id++;
      }
      point++;
    }
  }

  const parameters: SweepParameter[] = keys.map((key, j) => {
    const p = specs[j]!;
    const used = combos.map((c) => c[j]);
    return {
      key,
      path: paths[j]!,
      short: shorts[j]!,
      kind: isRange(p) ? 'range' : 'list',
      values: isRange(p) ? (mode === 'grid' ? gridValues(p) : null) : [...p],
      range: isRange(p) ? p : null,
      numeric: used.length > 0 && used.every((v) => typeof v === 'number' && Number.isFinite(v)),
      log: isRange(p) && p.log,
    };
  });

  const hash = createHash('sha256')
    .update(JSON.stringify({ scenario: s, points: points.map((p) => [p.id, p.seed, p.set]) }))
    .digest('hex')
    .slice(0, 16);
  return {
    format: 'vgsim-sweep/1',
    scenario: s.name,
    mode,
    spec,
    parameters,
    variants: variants?.map((v) => v.name) ?? null,
    replicate_seeds: spec.replicate_seeds,
    total,
    limit: opts.limit !== undefined ? opts.limit : null,
    points,
    hash,
  };
}
