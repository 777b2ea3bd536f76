/**
 * Loading a scenario: YAML → `extends` chain merged → `--set` overrides applied → validated by the zod
 * schema → semantic checks (ids exist, numbers consistent). Every problem becomes an InputIssue that names
 * the file:line:col where the value was written (or the --set flag), the field path, what was expected,
 * and a "did you mean" where a close match exists. All issues are reported together.
 */
import { statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parse as parseYamlValue } from 'yaml';
import type { z } from 'zod';
import { InputError, didYouMean, shown, type InputIssue } from '../errors.ts';
import { YamlSource, type PathKey } from './yaml-source.ts';
import { ScenarioSchema, CustomModelSchema, scenarioJsonSchema, type Scenario } from './schema.ts';
import { scenarioModel } from '../workload/custom-models.ts';
import { withModelScope } from '../workload/request.ts';
import type { ModelSpec } from '../workload/models.ts';
import { checkScenario, checkIds } from './check.ts';

export interface Override {
  /** The raw flag text, e.g. "workload.arrivals.rate_per_hour=30". */
  raw: string;
  path: PathKey[];
  value: unknown;
}

export interface LoadedScenario {
  scenario: Scenario;
  /** Files read, child first. */
  files: string[];
  overrides: Override[];
  /** Where a field's value came from, for error messages in later stages. */
  locate: (path: readonly PathKey[]) => Pick<InputIssue, 'source' | 'line' | 'col'>;
}

/**
 * Path segments that name JavaScript's object machinery rather than a field: `--set __proto__.x=1` would
 * otherwise reach Object.prototype and change every object of the process (prototype pollution).
 */
const UNSAFE_SEGMENTS = new Set(['__proto__', 'prototype', 'constructor']);

/** Parses `a.b[0].c=value` (value parsed as YAML: numbers, booleans, lists, quoted strings; null removes the field). */
export function parseOverride(raw: string): Override {
  const eq = raw.indexOf('=');
  if (eq <= 0) throw new InputError([{ source: `--set ${raw}`, path: '', message: 'expected path=value, e.g. --set workload.arrivals.rate_per_hour=30' }]);
  const pathText = raw.slice(0, eq).trim();
  const valueText = raw.slice(eq + 1);
  const path: PathKey[] = [];
  for (const part of pathText.replace(/\[(\d+)\]/g, '.$1').split('.')) {
    if (part === '') throw new InputError([{ source: `--set ${raw}`, path: pathText, message: 'empty path segment' }]);
    if (UNSAFE_SEGMENTS.has(part)) throw new InputError([{ source: `--set ${raw}`, path: pathText, message: `"${part}" is not a scenario field`, hint: 'paths name fields of the scenario file, e.g. workload.arrivals.rate_per_hour' }]);
    path.push(/^\d+$/.test(part) ? Number(part) : part);
  }
  // an empty value parses as YAML null, which removes the field: say so instead of running on the default
  if (valueText.trim() === '') throw new InputError([{ source: `--set ${raw}`, path: pathText, message: 'no value after "="', hint: `give a value, e.g. --set ${pathText}=…; to remove the field (its default applies) write --set ${pathText}=null` }]);
  let value: unknown;
  try {
    value = parseYamlValue(valueText);
  } catch {
    value = valueText;
  }
  return { raw, path, value };
}

/** Sets an own property (never a prototype's, even for a key named "__proto__"). */
function put(target: Record<string | number, unknown>, key: PathKey, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

/**
 * Applies an override. A list is indexed by numbers only: `workload.mix.-1.steps` or `workload.mix.first`
 * would set a property of the JavaScript array that no check ever sees (the run ignored it silently).
 */
export function setIn(target: Record<string, unknown>, o: Override): void {
  const { path, value } = o;
  let node: any = target;
  const listKey = (key: PathKey, i: number) => {
    if (Array.isArray(node) && typeof key !== 'number') {
      const at = path.slice(0, i).join('.');
      throw new InputError([{ source: `--set ${o.raw}`, path: path.join('.'), message: `${at} is a list: the next part of the path must be an index (${node.length ? `0 to ${node.length - 1}` : 'it is empty: 0 adds an element'}), got ${shown(key)}`, hint: `e.g. --set ${at}.0${path.length > i + 1 ? `.${path.slice(i + 1).join('.')}` : ''}=…` }]);
    }
  };
  for (let i = 0; i < path.length - 1; i++) {
    const key = path[i]!;
    listKey(key, i);
    const next = Object.hasOwn(node, key) ? node[key] : undefined;
    if (next === undefined || next === null || typeof next !== 'object') put(node, key, typeof path[i + 1] === 'number' ? [] : {});
    node = node[key];
  }
  const last = path[path.length - 1]!;
  listKey(last, path.length - 1);
  if (value === null && !Array.isArray(node)) delete node[last]; // --set path=null removes a field
  else put(node, last, value);
}

/**
 * Deep merge for `extends`: mappings merge key by key, everything else (lists included) is replaced. A null
 * in the child removes the field it inherits (as `--set path=null` does), so a child can switch e.g. a Poisson
 * parent to trace replay; a null that removes nothing stays (and the schema judges it).
 */
export function mergeScenario(base: unknown, over: unknown): unknown {
  if (isPlainObject(base) && isPlainObject(over)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(base)) put(out, k, v);
    for (const [k, v] of Object.entries(over)) {
      const inherited = Object.hasOwn(out, k);
      if (v === null && inherited) delete out[k];
      else put(out, k, inherited ? mergeScenario(out[k], v) : v);
    }
    return out;
  }
  return over === undefined ? base : over;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Says whether a file may be read (an absolute path); undefined when it may, else why not. The HTTP API
 * passes one so that `extends:` cannot reach outside the package and the user's scenario folder.
 */
export type ReadPolicy = (absPath: string) => string | undefined;

/** The first file of a chain: read from disk, or given as text (API bodies, the web UI's editor). */
interface ChainRoot {
  /** Name used in messages (the path as the user wrote it, or e.g. "request"). */
  name: string;
  /** Absolute path it stands for: `extends` resolves against its folder. */
  path: string;
  text?: string;
}

/** Reads a scenario and its `extends` chain; returns sources child-first and the merged value. */
function readChain(root: ChainRoot, readable?: ReadPolicy): { sources: YamlSource[]; value: Record<string, unknown> } {
  const sources: YamlSource[] = [];
  const seen = new Set<string>();
  let current = root.path;
  let displayName = root.name;
  const values: unknown[] = [];
  for (;;) {
    if (seen.has(current)) throw new InputError([{ source: displayName, path: 'extends', message: `extends cycle: ${[...seen, current].join(' → ')}` }]);
    seen.add(current);
    const first = current === root.path && sources.length === 0;
    const denied = first && root.text !== undefined ? undefined : readable?.(current);
    if (denied !== undefined) throw new InputError([{ ...(sources[0] ? { source: sources[sources.length - 1]!.file, ...sources[sources.length - 1]!.locate(['extends']) } : { source: displayName }), path: 'extends', message: denied }]);
    if (!first && !/\.(ya?ml|json)$/i.test(current)) {
      const child = sources[sources.length - 1]!;
      throw new InputError([{ source: child.file, ...child.locate(['extends']), path: 'extends', message: 'expected the path of a scenario file (.yaml, .yml or .json)' }]);
    }
    const src = first ? (root.text !== undefined ? YamlSource.parse(root.name, root.text) : YamlSource.read(root.name)) : readParent(current, sources[sources.length - 1]!);
    const value = src.value();
    if (!isPlainObject(value)) throw new InputError([{ source: src.file, line: 1, col: 1, path: '', message: 'a scenario must be a YAML mapping (key: value lines)' }]);
    sources.push(src);
    values.push(value);
    const parent = value.extends;
    if (parent === undefined) break;
    if (typeof parent !== 'string') {
      const pos = src.locate(['extends']);
      throw new InputError([{ source: src.file, ...pos, path: 'extends', message: 'expected the path of another scenario file' }]);
    }
    current = resolve(dirname(current), parent);
    displayName = current;
  }
  let merged: unknown = {};
  for (const v of values.reverse()) merged = mergeScenario(merged, v);
  const out = merged as Record<string, unknown>;
  delete out.extends;
  return { sources, value: out };
}

/** A parent of the chain; a file that cannot be read is reported at the child's `extends:` line. */
function readParent(file: string, child: YamlSource): YamlSource {
  try {
    return YamlSource.read(file);
  } catch (e) {
    if (!(e instanceof InputError)) throw e;
    throw new InputError(e.issues.map((i) => (i.source === file && i.line === undefined ? { ...i, source: child.file, ...child.locate(['extends']), path: 'extends', message: `${file}: ${i.message}` } : i)));
  }
}

/**
 * Chains read with `cache: true` (sweep workers load one file with thousands of different overrides),
 * keyed by the file name; an entry is reused only while every file of the chain keeps its size and
 * modification time. Callers get a fresh copy of the merged value (overrides mutate it).
 */
const chainCache = new Map<string, { stamp: string; sources: YamlSource[]; value: Record<string, unknown> }>();
const chainStamp = (sources: readonly YamlSource[]) => sources.map((s) => {
  const st = statSync(s.file);
  return `${st.size}:${st.mtimeMs}`;
}).join('|');

function readChainCached(file: string): { sources: YamlSource[]; value: Record<string, unknown> } {
  const hit = chainCache.get(file);
  if (hit) {
    try {
      if (chainStamp(hit.sources) === hit.stamp) return { sources: hit.sources, value: structuredClone(hit.value) };
    } catch {
      // a file of the chain went away: read again (and report it)
    }
  }
  const chain = readChain({ name: file, path: resolve(file) });
  chainCache.set(file, { stamp: chainStamp(chain.sources), sources: chain.sources, value: structuredClone(chain.value) });
  return chain;
}

export interface LoadOptions {
  /** `--set` overrides, `path=value` (value parsed as YAML). */
  set?: string[];
  seed?: number;
  /** Reuse the parsed files of an unchanged `extends` chain (see readChainCached). */
  cache?: boolean;
  /** Which files `extends` may read (default: any). */
  readable?: ReadPolicy;
}

/** Loads and validates a scenario file; throws InputError with every problem (file:line:col) at once. */
export function loadScenario(file: string, opts: LoadOptions = {}): LoadedScenario {
  const chain = opts.cache && !opts.readable ? readChainCached(file) : readChain({ name: file, path: resolve(file) }, opts.readable);
  return validateChain(chain, opts);
}

/**
 * Loads and validates a scenario given as YAML (or JSON) text; `name` is what messages call it and `dir`
 * the folder `extends:` and relative paths resolve against (default: the current directory).
 */
export function parseScenario(text: string, opts: LoadOptions & { name?: string; dir?: string } = {}): LoadedScenario {
  const name = opts.name ?? 'scenario';
  return validateChain(readChain({ name, path: resolve(opts.dir ?? '.', `${name.replace(/[^\w.-]+/g, '_')}.yaml`), text }, opts.readable), opts);
}

function validateChain({ sources, value }: { sources: YamlSource[]; value: Record<string, unknown> }, opts: LoadOptions): LoadedScenario {
  const overrides = (opts.set ?? []).map(parseOverride);
  for (const o of overrides) setIn(value, o);
  if (opts.seed !== undefined) {
    value.seed = opts.seed;
    overrides.push({ raw: `--seed ${opts.seed}`, path: ['seed'], value: opts.seed });
  }

  const locate = (path: readonly PathKey[]): Pick<InputIssue, 'source' | 'line' | 'col'> => {
    for (let i = overrides.length - 1; i >= 0; i--) {
      const o = overrides[i]!;
      if (o.path.length <= path.length && o.path.every((k, j) => String(k) === String(path[j]))) return { source: o.raw.startsWith('--') ? o.raw : `--set ${o.raw}` };
    }
    let best = sources[0]!;
    let bestDepth = -1;
    for (const s of sources) {
      const d = s.depthOf(path);
      if (d > bestDepth) {
        best = s;
        bestDepth = d;
      }
    }
    return { source: best.file, ...best.locate(path) };
  };

  const models = scenarioModels(value, locate, sources[0]!.file);
  // the rest is checked seeing this scenario's models only (never another scenario's of the same id)
  return withModelScope(models.specs, () => {
    const parsed = ScenarioSchema.safeParse(value, { reportInput: true });
    const idIssues = checkIds(value, locate);
    if (!parsed.success) throw new InputError([...zodIssues(parsed.error.issues, locate, sourcesFor(sources)), ...models.issues, ...idIssues]);
    const loaded: LoadedScenario = { scenario: parsed.data, files: sources.map((s) => s.file), overrides, locate };
    const semantic = [...models.issues, ...idIssues, ...checkScenario(loaded, opts.readable)];
    if (semantic.length > 0) throw new InputError(semantic);
    return loaded;
  });
}

/**
 * The scenario's `models:` as ModelSpecs (so its ids resolve while the rest of the file is checked); a model
 * that cannot be built becomes an issue. A diffusers_config path is made absolute (relative to the scenario
 * file), so the scenario resolves the same models wherever it is simulated later (sweep workers, compare).
 */
function scenarioModels(value: Record<string, unknown>, locate: LoadedScenario['locate'], file: string): { specs: ModelSpec[]; issues: InputIssue[] } {
  const issues: InputIssue[] = [];
  const specs: ModelSpec[] = [];
  const models = value.models;
  if (!Array.isArray(models)) return { specs, issues };
  models.forEach((raw, i) => {
    const parsed = CustomModelSchema.safeParse(raw);
    if (!parsed.success) return; // reported with the other schema errors
    const m = parsed.data;
    try {
      if (m.diffusers_config) (raw as Record<string, unknown>).diffusers_config = resolve(dirname(file), m.diffusers_config);
      specs.push(scenarioModel(m, dirname(file)));
    } catch (e) {
      if (!(e instanceof InputError)) throw e;
      for (const is of e.issues) issues.push({ ...locate(['models', i]), path: `models.${i}`, message: `${is.source !== 'models' ? `${is.source}: ` : ''}${is.path ? `${is.path}: ` : ''}${is.message}` });
    }
  });
  return { specs, issues };
}

function sourcesFor(sources: YamlSource[]) {
  return (path: readonly PathKey[], key: string) => {
    for (const s of sources) {
      const pos = s.locate(path, key);
      if (pos && s.depthOf([...path, key]) === path.length + 1) return { source: s.file, ...pos };
    }
    return undefined;
  };
}

/** Turns zod issues into located, readable InputIssues with suggestions. */
export function zodIssues(
  issues: readonly z.core.$ZodIssue[],
  locate: LoadedScenario['locate'],
  locateKey?: (path: readonly PathKey[], key: string) => Pick<InputIssue, 'source' | 'line' | 'col'> | undefined,
): InputIssue[] {
  const out: InputIssue[] = [];
  for (const issue of issues) {
    const path = issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p)) as PathKey[];
    const dotted = path.join('.');
    if (issue.code === 'unrecognized_keys') {
      const input = valueAt(issue, path);
      const known = knownKeysAt(path, input);
      const anyVariant = knownKeysAt(path);
      for (const key of issue.keys) {
        const where = locateKey?.(path, key) ?? locate(path);
        const allowed = known.length ? `allowed here: ${known.join(', ')}` : undefined;
        // a field of another variant (rate_per_hour under process: trace): say so, never suggest the field itself
        const variant = variantLabel(input);
        if (anyVariant.includes(key) && variant) out.push({ ...where, path: [...path, key].join('.'), message: `"${key}" does not apply with ${variant}`, hint: `${allowed ? `${allowed}; ` : ''}a child scenario removes an inherited one with ${key}: null` });
        else out.push({ ...where, path: [...path, key].join('.'), message: `unknown field ${shown(key)}`, hint: didYouMean(key, known.filter((k) => k !== key)) ?? allowed });
      }
      continue;
    }
    // a union none of whose shapes matched: report the shape that got furthest (its first problem lies deepest,
    // then the one with fewest problems) instead of zod's bare "Invalid input"
    const branches = issue.code === 'invalid_union' && 'errors' in issue ? (issue.errors as z.core.$ZodIssue[][]).filter((b) => b.length) : [];
    if (branches.length) {
      const best = [...branches].sort((a, b) => b[0]!.path.length - a[0]!.path.length || a.length - b.length)[0]!;
      out.push(...zodIssues(best.map((i) => ({ ...i, path: [...issue.path, ...i.path] }) as z.core.$ZodIssue), locate, locateKey));
      continue;
    }
    const where = locate(path);
    let message = issue.message;
    let hint: string | undefined;
    if (issue.code === 'invalid_value' && 'values' in issue) {
      const got = valueAt(issue, path);
      message = `expected one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}${got !== undefined ? `, got ${shown(got)}` : ''}`;
      if (typeof got === 'string') hint = didYouMean(got, issue.values.map(String));
    } else if (issue.code === 'invalid_union' && 'note' in issue && issue.note === 'No matching discriminator') {
      const known = discriminatorOptions(path, String(issue.discriminator));
      message = `expected a "${issue.discriminator}" of ${known.map((k) => JSON.stringify(k)).join(', ')}`;
    } else if (issue.code === 'invalid_type' && message.includes('received undefined')) {
      message = `missing required field (expected ${issue.expected})`;
    } else if (issue.code === 'invalid_type' && /received (NaN|Infinity)/.test(message)) {
      // YAML's .nan and .inf are numbers to JavaScript, but no quantity a scenario can hold
      message = `expected a finite number, got ${message.includes('NaN') ? '.nan (not a number)' : 'an infinity (.inf)'}`;
    }
    out.push({ ...where, path: dotted, message, hint });
  }
  return out;
}

function valueAt(_issue: unknown, _path: PathKey[]): unknown {
  const i = _issue as { input?: unknown };
  return i.input;
}

// --- JSON-schema walking, for "did you mean" on unknown keys ---
let jsonSchemaCache: any;
function rootSchema(): any {
  jsonSchemaCache ??= scenarioJsonSchema();
  return jsonSchemaCache;
}

/** "process: trace" for an object with a discriminator the schema knows (the arrival process), else undefined. */
function variantLabel(input: unknown): string | undefined {
  return isPlainObject(input) && typeof input.process === 'string' ? `process: ${input.process}` : undefined;
}

/** The JSON-schema nodes of the field at `path` (unions expanded); with a value, the union variants it selects. */
export function schemasAt(path: readonly PathKey[], input?: unknown): any[] {
  let nodes: any[] = [rootSchema()];
  const expand = (n: any): any[] => {
    if (!n || typeof n !== 'object') return [];
    const alts = [...(n.anyOf ?? []), ...(n.oneOf ?? []), ...(n.allOf ?? [])];
    return alts.length ? alts.flatMap(expand) : [n];
  };
  for (const key of path) {
    nodes = nodes.flatMap(expand).flatMap((n) => {
      if (typeof key === 'number' || /^\d+$/.test(String(key))) return n.items ? [n.items] : [];
      return n.properties?.[key] ? [n.properties[key]] : [];
    });
  }
  const all = nodes.flatMap(expand);
  if (!isPlainObject(input)) return all;
  // the variants of a union whose constant fields (e.g. process: trace) the value matches
  const matching = all.filter((n) => Object.entries(n.properties ?? {}).every(([k, p]: [string, any]) => p?.const === undefined || input[k] === p.const));
  return matching.length ? matching : all;
}

/** The fields a mapping at `path` may have; with its value, only those of the union variant it selects. */
export function knownKeysAt(path: readonly PathKey[], input?: unknown): string[] {
  return [...new Set(schemasAt(path, input).flatMap((n) => Object.keys(n.properties ?? {})))].filter((k) => k !== '$schema');
}

function discriminatorOptions(path: readonly PathKey[], key: string): string[] {
  // zod puts the issue at the discriminator itself (workload.arrivals.process): its variants live one level up
  const at = path[path.length - 1] === key ? path.slice(0, -1) : path;
  return [...new Set(schemasAt(at).flatMap((n) => [n.properties?.[key]?.const, ...(n.properties?.[key]?.enum ?? [])]).filter((x): x is string => typeof x === 'string'))];
}
