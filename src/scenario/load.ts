/**
 * Loading a scenario: YAML → `extends` chain merged → `--set` overrides applied → validated by the zod
 * schema → semantic checks (ids exist, numbers consistent). Every problem becomes an InputIssue that names
 * the file:line:col where the value was written (or the --set flag), the field path, what was expected,
 * and a "did you mean" where a close match exists. All issues are reported together.
 */
import { statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parse as parseYamlValue } from 'yaml';
import { InputError, shown, type InputIssue } from '../errors.ts';
import { YamlSource, type PathKey } from './yaml-source.ts';
import { ScenarioSchema, CustomModelSchema, type Scenario } from './schema.ts';
import { zodIssues } from './zod-issues.ts';
import { scenarioModel } from '../workload/custom-models.ts';
import { withModelScope } from '../workload/request.ts';
import type { ModelSpec } from '../workload/models.ts';
import { checkScenario, checkIds } from './check.ts';

// zod's issues and the schema walk live in zod-issues.ts (imported from here before)
export { zodIssues, schemasAt, knownKeysAt } from './zod-issues.ts';

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
  /**
   * Where a field's value came from, for error messages in later stages. With `below`, a flag that wrote a
   * field under `path` also counts (an unknown key a --set created: `--set workload.arrival.rate=…`).
   */
  locate: (path: readonly PathKey[], below?: boolean) => Pick<InputIssue, 'source' | 'line' | 'col'>;
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
  return { raw, path, value: parseValue(valueText) };
}

/**
 * A plain JSON number: what YAML's core schema reads as parseInt (at most 15 integer digits, so parseInt is
 * exact) or parseFloat of the same text, which Number() equals. A sweep point's values come as --set
 * path=<JSON>; YAML's parser costs 25–130 µs a value, a large share of loading a small sweep point.
 */
const PLAIN_NUMBER = /^-?(?:0|[1-9]\d{0,14})(?:\.\d+)?(?:[eE][-+]?\d+)?$/;
const PLAIN_WORDS = new Map<string, unknown>([['true', true], ['false', false], ['null', null]]);

/** An override's value as YAML reads it (text that is not YAML stays text); plain numbers and words without the parser. */
export function parseValue(text: string): unknown {
  if (PLAIN_NUMBER.test(text)) return Number(text);
  if (PLAIN_WORDS.has(text)) return PLAIN_WORDS.get(text);
  try {
    return parseYamlValue(text);
  } catch {
    return text;
  }
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
    // an index past the end would leave holes the schema then blamed on the file ("workload.mix.2: missing
    // required field" at the mix's line), never on this flag
    if (Array.isArray(node) && typeof key === 'number' && key > node.length) {
      const at = path.slice(0, i).join('.');
      throw new InputError([{ source: `--set ${o.raw}`, path: path.join('.'), message: `${at} has ${node.length} element${node.length === 1 ? '' : 's'}: index ${key} is past its end (${node.length ? `0 to ${node.length - 1} change one, ` : ''}${node.length} adds one)`, hint: `e.g. --set ${[at, node.length, ...path.slice(i + 1)].join('.')}=…` }]);
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
    // an empty file (or only comments) listed every required field as missing, without a line
    if (Object.keys(value).length === 0) throw new InputError([{ source: src.file, line: 1, col: 1, path: '', message: 'the file holds no fields (it is empty, or only comments): a scenario needs name, model, cluster, deployment and workload', hint: 'start from a library scenario (vgsim list scenarios): copy one, or write extends: <its path> and the fields that differ' }]);
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
      if (chainStamp(hit.sources) === hit.stamp) return { sources: hit.sources, value: cloneData(hit.value) };
    } catch {
      // a file of the chain went away: read again (and report it)
    }
  }
  const chain = readChain({ name: file, path: resolve(file) });
  chainCache.set(file, { stamp: chainStamp(chain.sources), sources: chain.sources, value: cloneData(chain.value) });
  return chain;
}

/**
 * A deep copy of a parsed scenario (mappings, lists and scalars only, as YAML's core schema and JSON give):
 * what structuredClone gives for such data, in a tenth of its time. A key named "__proto__" stays an own field.
 */
export function cloneData<T>(v: T): T {
  if (Array.isArray(v)) return v.map(cloneData) as T;
  if (!isPlainObject(v)) return v;
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(v)) {
    if (k === '__proto__') put(out, k, cloneData(v[k]));
    else out[k] = cloneData(v[k]);
  }
  return out as T;
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
  // the chain is read before --set applies: a set extends was dropped, and the run went on without its parent
  const extendsSet = overrides.filter((o) => o.path[0] === 'extends');
  if (extendsSet.length) throw new InputError(extendsSet.map((o) => ({ source: `--set ${o.raw}`, path: o.path.join('.'), message: 'extends cannot be set with --set: the extends chain is read from the files before --set applies', hint: 'write extends: in the scenario file, or run the parent scenario itself with --set' })));
  for (const o of overrides) setIn(value, o);
  if (opts.seed !== undefined) {
    value.seed = opts.seed;
    overrides.push({ raw: `--seed ${opts.seed}`, path: ['seed'], value: opts.seed });
  }

  const locate = (path: readonly PathKey[], below = false): Pick<InputIssue, 'source' | 'line' | 'col'> => {
    const prefix = (a: readonly PathKey[], b: readonly PathKey[]) => a.length <= b.length && a.every((k, j) => String(k) === String(b[j]));
    for (let i = overrides.length - 1; i >= 0; i--) {
      const o = overrides[i]!;
      if (prefix(o.path, path) || (below && prefix(path, o.path))) return { source: o.raw.startsWith('--') ? o.raw : `--set ${o.raw}` };
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
