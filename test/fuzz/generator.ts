/**
 * A seeded generator of malformed (and some well-formed) inputs for the fuzz test (issue 20): scenario files
 * mutated from the library, `--set` paths and values, trace files, and command lines. The same seed gives the
 * same cases, byte for byte, so a failure is reproduced with its seed and id (`npm run fuzz -- --seed S --only ID`).
 *
 * A case is a command line plus the files it needs (written by the runner into a fresh folder; `@dir@` in an
 * argument is that folder). `bad: true` marks inputs that must be refused (exit 2); the rest may be accepted,
 * and then the run's invariants must hold (judge.ts).
 *
 * Runs are kept short: every scenario's arrival window is cut to at most an hour and its run budget
 * (`limits:`) to 2 million events, so an accepted input runs in about a second and an input that would run
 * longer is refused by the budget — which is one of the things under test.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse, stringify } from 'yaml';

export interface FuzzCase {
  id: number;
  family: 'scenario' | 'yaml-text' | 'set' | 'trace' | 'flags';
  /** What was done, for the failure message. */
  what: string;
  argv: string[];
  /** Relative file name → content, written into the case's folder before it runs. */
  files: Record<string, string>;
  /** The input is certainly malformed: it must be refused with exit 2. */
  bad: boolean;
}

/** mulberry32: a small, fast, seedable generator (Tommy Ettinger's), enough to pick fuzz inputs. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Rand = () => number;
const pick = <T>(r: Rand, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
const int = (r: Rand, lo: number, hi: number) => lo + Math.floor(r() * (hi - lo + 1));

const LIBRARY = resolve('scenarios');
const BASES = ['default', 'cold-start', 'failure-drill', 'disaggregated-vae', 'engines', 'cooling', 'production-day', 'power-cap', 'interconnects', 'optimizations', 'scaling-one-node', 'dgx-power', 'postprocess', 'mixed-models', 'model-families'];

/** Values a number field should never be trusted with, and a few ordinary ones. */
const NASTY: unknown[] = [0, -1, -0.5, 0.5, 1, 3, 1e-300, 1e-9, 1e9, 1e308, -1e308, 2 ** 53, 1.5, Number.NaN, Number.POSITIVE_INFINITY, 'abc', '', null, true, [], {}, [1, 2], { a: 1 }, '1e3', '2h', '-5m', '0x10'];
const NASTY_TEXT: unknown[] = ['', ' ', 'x'.repeat(300), '=cmd|calc', '@SUM(A1)', '../../../etc/passwd', '/dev/zero', 'nope', 'wan2.2-t2v-a14bb', 'h900', '1280x720', '1x1', '100000x100000', '\t', '{', 'null', 42, -1, null, [], {}];
/** Fields most scenarios leave out, so mutations reach them too. */
const OPTIONAL_PATHS = [
  'autoscale.interval_s', 'autoscale.min_replicas', 'autoscale.max_replicas', 'autoscale.scale_up_at', 'autoscale.scale_down_at', 'autoscale.boot_s', 'autoscale.pool', 'autoscale.metric',
  'failures.gpu.mtbf_h', 'failures.gpu.mttr_h', 'failures.gpu.shape', 'failures.gpu.distribution', 'failures.node.mtbf_h', 'failures.node.mttr_h', 'failures.max_retries', 'failures.events.0.at', 'failures.events.0.node', 'failures.events.0.repair_after',
  'cluster.storage.read_gbs', 'cluster.storage.process_start_s', 'cluster.storage.aggregate_gbs', 'cluster.fabric.oversubscription', 'cluster.nodes.0.count', 'cluster.nodes.0.type',
  'scheduling.max_queue', 'scheduling.timeout_s', 'scheduling.routing', 'scheduling.queue', 'output.sample_interval_s', 'power.pue', 'power.node_overhead_w.idle', 'power.psu_efficiency',
  'cost.server_price_usd', 'cost.gpu_price_usd', 'cost.electricity_usd_per_kwh', 'cost.amortization_years', 'cost.financing_rate_pct', 'cost.residual_value_pct', 'cost.basis',
  'deployment.batching.max_batch', 'deployment.batching.window_s', 'inference.power_limit_w', 'inference.attention', 'seed', 'duration', 'drain',
  'workload.arrivals.rate_per_hour', 'workload.arrivals.rate_per_s', 'workload.arrivals.cv', 'workload.arrivals.process', 'workload.curve', 'workload.curve.0.at', 'workload.curve.0.x',
  'workload.mix.0.steps', 'workload.mix.0.frames', 'workload.mix.0.weight', 'workload.mix.0.slo_s', 'workload.mix.0.priority', 'workload.mix.0.resolution', 'workload.mix.0.name', 'workload.mix.0.model',
  'deployment.replicas', 'deployment.gpus_per_replica', 'deployment.parallel', 'deployment.name', 'serving_overheads.service_cv', 'serving_overheads.dispatch_s',
  'models.0.id', 'models.0.dit.layers', 'models.0.dit.dim', 'extends', 'limits.max_events', 'limits.max_overload',
];
/** The run budget of every fuzzed scenario; mutations of limits: only lower it or break it, never raise it. */
const LIMITS = { max_events: 2_000_000, max_memory_mb: 512 };
const SMALL_LIMIT_VALUES: unknown[] = [0, -1, 1e-9, 1, 100, 'abc', null, {}, []];

type Doc = Record<string, unknown>;
type Key = string | number;

function baseDoc(r: Rand): { name: string; doc: Doc } {
  const name = pick(r, BASES);
  const doc = parse(readFileSync(`${LIBRARY}/${name}.yaml`, 'utf8')) as Doc;
  if (typeof doc.extends === 'string') doc.extends = resolve(LIBRARY, doc.extends);
  doc.duration = pick(r, [600, 1800, 3600]);
  doc.limits = { ...LIMITS };
  return { name, doc };
}

/** Every path in a document: leaves and containers. */
function paths(x: unknown, prefix: Key[] = [], out: Key[][] = []): Key[][] {
  if (x !== null && typeof x === 'object') {
    for (const [k, v] of Object.entries(x)) {
      const p = [...prefix, Array.isArray(x) ? Number(k) : k];
      out.push(p);
      paths(v, p, out);
    }
  }
  return out;
}

const split = (p: string): Key[] => p.split('.').map((s) => (/^\d+$/.test(s) ? Number(s) : s));

/** Sets a value at a path, creating (or replacing with) containers on the way. */
function setAt(doc: Doc, path: Key[], value: unknown): void {
  let cur: Record<Key, unknown> = doc;
  for (let i = 0; i < path.length - 1; i++) {
    const k = path[i]!;
    let next = cur[k];
    if (next === null || typeof next !== 'object') {
      next = typeof path[i + 1] === 'number' ? [] : {};
      cur[k] = next;
    }
    cur = next as Record<Key, unknown>;
  }
  cur[path.at(-1)!] = value;
}

function getAt(doc: Doc, path: Key[]): unknown {
  let cur: unknown = doc;
  for (const k of path) cur = cur !== null && typeof cur === 'object' ? (cur as Record<Key, unknown>)[k] : undefined;
  return cur;
}

function deleteAt(doc: Doc, path: Key[]): void {
  const parent = getAt(doc, path.slice(0, -1));
  if (Array.isArray(parent) && typeof path.at(-1) === 'number') parent.splice(path.at(-1) as number, 1);
  else if (parent && typeof parent === 'object') delete (parent as Record<Key, unknown>)[path.at(-1)!];
}

/**
 * One mutation of a parsed scenario; returns what it did and whether it made the document certainly invalid,
 * asked once every mutation is done (a later one may have removed what this one added).
 */
function mutate(r: Rand, doc: Doc): { what: string; bad: boolean | (() => boolean) } {
  const existing = paths(doc).filter((p) => p[0] !== 'limits' && p[0] !== 'description' && p[0] !== 'name' && (p[0] !== 'sweep' || r() < 0.1));
  const kind = r();
  if (kind < 0.25) {
    // a number scaled to the edge of what is plausible: most of these should run
    const numbers = existing.filter((p) => typeof getAt(doc, p) === 'number');
    if (!numbers.length) return { what: 'nothing', bad: false };
    const path = pick(r, numbers);
    const value = (getAt(doc, path) as number) * pick(r, [0, 0.01, 0.5, 2, 10, 1000]);
    setAt(doc, path, value);
    return { what: `${path.join('.')} = ${value} (scaled)`, bad: false };
  }
  if (kind < 0.55) {
    // a value at an existing or optional path
    const path = r() < 0.6 && existing.length ? pick(r, existing) : split(pick(r, OPTIONAL_PATHS));
    const current = getAt(doc, path);
    const value = path[0] === 'limits' ? pick(r, SMALL_LIMIT_VALUES) : typeof current === 'string' ? pick(r, [...NASTY_TEXT, ...NASTY]) : pick(r, NASTY);
    setAt(doc, path, value);
    return { what: `${path.join('.')} = ${JSON.stringify(value)}`, bad: false };
  }
  if (kind < 0.65) {
    if (!existing.length) return { what: 'nothing', bad: false };
    const path = pick(r, existing);
    deleteAt(doc, path);
    return { what: `delete ${path.join('.')}`, bad: false };
  }
  if (kind < 0.72) {
    // a field the schema does not know, where every object is strict
    const at = pick(r, [[], ['workload'], ['scheduling'], ['cluster'], ['workload', 'arrivals'], ['inference']] as Key[][]);
    const key = pick(r, ['zz_unknown', 'Duration', 'rate', 'replica', 'constructor', '__proto__x', 'toString']);
    if (getAt(doc, at) === undefined || typeof getAt(doc, at) !== 'object' || Array.isArray(getAt(doc, at))) return { what: 'nothing', bad: false };
    setAt(doc, [...at, key], 1);
    // (own properties only: a key named toString would otherwise find Object.prototype's)
    return { what: `unknown field ${[...at, key].join('.')}`, bad: () => Object.hasOwn((getAt(doc, at) as object | undefined) ?? {}, key) };
  }
  if (kind < 0.82) {
    // a list element twice (duplicate pool or class names), or a list emptied
    const lists = existing.filter((p) => Array.isArray(getAt(doc, p)));
    if (!lists.length) return { what: 'nothing', bad: false };
    const p = pick(r, lists);
    const list = getAt(doc, p) as unknown[];
    if (r() < 0.3) list.length = 0;
    else if (list.length) list.push(structuredClone(list[0]));
    return { what: `list ${p.join('.')} now ${list.length} long`, bad: false };
  }
  if (kind < 0.93) {
    // a container turned into a scalar, or the other way round
    const p = pick(r, existing.length ? existing : [['workload']]);
    const v = getAt(doc, p);
    const value = v !== null && typeof v === 'object' ? pick(r, [1, 'x', null, true]) : pick(r, [{ x: 1 }, [v], []]);
    setAt(doc, p, value);
    return { what: `${p.join('.')} = ${JSON.stringify(value)} (was ${Array.isArray(v) ? 'a list' : typeof v})`, bad: false };
  }
  // extends: files that are not scenarios
  const target = pick(r, ['/dev/zero', '/etc/passwd', '/etc', '/nonexistent/x.yaml', 'self.yaml', '../scenarios']);
  doc.extends = target;
  return { what: `extends: ${target}`, bad: () => target !== 'self.yaml' && doc.extends === target };
}

const yamlOf = (doc: Doc) => stringify(doc, { aliasDuplicateObjects: false });

function scenarioCase(r: Rand, id: number): FuzzCase {
  const { name, doc } = baseDoc(r);
  const edits = Array.from({ length: int(r, 1, 2) }, () => mutate(r, doc));
  const command = pick(r, ['run', 'run', 'run', 'validate']);
  return {
    id, family: 'scenario', what: `${name}: ${edits.map((e) => e.what).join('; ')}`,
    argv: command === 'run' ? ['run', '@dir@/s.yaml', '--json'] : ['validate', '@dir@/s.yaml'],
    files: { 's.yaml': yamlOf(doc), 'self.yaml': 'extends: self.yaml\n' },
    bad: edits.some((e) => (typeof e.bad === 'function' ? e.bad() : e.bad)),
  };
}

/** Damage to the YAML text itself: truncation, stray characters, tabs, anchors, duplicate keys. */
function yamlTextCase(r: Rand, id: number): FuzzCase {
  const { name, doc } = baseDoc(r);
  let text = yamlOf(doc);
  const at = int(r, 0, text.length - 1);
  const damage = pick(r, ['truncate', 'insert', 'tab', 'duplicate-key', 'alias', 'binary']);
  if (damage === 'truncate') text = text.slice(0, at);
  else if (damage === 'insert') text = text.slice(0, at) + pick(r, [':', '[', ']', '{', '"', "'", '- ', '? ', '|', '>', '&a', '*a', '%', '!!int ', '\n  - x\n']) + text.slice(at);
  else if (damage === 'tab') text = text.slice(0, at) + '\t' + text.slice(at);
  else if (damage === 'duplicate-key') text += `duration: ${pick(r, ['1h', '-1', 'x'])}\n`;
  else if (damage === 'alias') text = `x: &a [*a]\n${text}<<: *nope\n`;
  else text = text.slice(0, at) + '\u0000\uFFFE\x7f' + text.slice(at);
  const command = pick(r, ['run', 'validate']);
  return { id, family: 'yaml-text', what: `${name}: ${damage} at ${at}`, argv: [command, '@dir@/s.yaml', ...(command === 'run' ? ['--json'] : [])], files: { 's.yaml': text }, bad: damage === 'duplicate-key' || damage === 'alias' };
}

const SET_PATHS = [
  '__proto__.x', 'constructor.prototype.x', 'workload.__proto__.polluted', 'prototype', 'workload.mix.99.steps', 'workload.mix.-1.steps', 'workload..mix', '.duration', 'duration.',
  'deployment.0.replicas', 'deployment.replicas', 'a.b.c.d.e.f', 'workload.mix.0', 'workload', 'cluster.nodes', 'duration', 'seed', 'limits.max_events', 'sweep.parameters.x',
  'workload.arrivals.rate_per_hour', 'workload.arrivals', 'models', 'failures', 'autoscale', 'cost.server_price_usd', 'x'.repeat(200), 'workload.mix.0.resolution', 'extends',
];
const SET_VALUES = ['1', '0', '-1', '1e308', '1e-300', 'abc', '', 'null', '~', '{a: 1}', '[1, 2]', '{unclosed', '[', '"quoted', '2h', 'true', '.nan', '.inf', '/dev/zero', '{process: trace, file: /etc}', '{process: trace}', '=cmd'];

/** Overrides at the edge of what is valid: most should run, and then the invariants must hold. */
const PLAUSIBLE_SETS: ((r: Rand) => string)[] = [
  (r) => `workload.arrivals.rate_per_hour=${pick(r, [0.001, 1, 20, 120, 1000, 3000, 1e7])}`,
  (r) => `deployment.replicas=${pick(r, [1, 2, 8, 9, 1000])}`,
  (r) => `scheduling.max_queue=${pick(r, [1, 2, 1000])}`,
  (r) => `scheduling.timeout_s=${pick(r, [1, 60, 1e6])}`,
  () => 'drain=false',
  (r) => `workload.mix.0.steps=${pick(r, [1, 4, 40, 1000, 1001])}`,
  (r) => `seed=${pick(r, [0, 1, 2 ** 31, 2 ** 53 - 1, 2 ** 53 + 2])}`,
  (r) => `scheduling.routing=${pick(r, ['random', 'round-robin', 'slo-aware', 'power-of-two', 'join-shortest-queue'])}`,
  (r) => `scheduling.queue=${pick(r, ['priority', 'sjf', 'edf'])}`,
  (r) => `failures={gpu: {mtbf_h: ${pick(r, [0.1, 1, 100])}, mttr_h: ${pick(r, [0.01, 1, 8000])}}, policy: ${pick(r, ['retry', 'drop'])}}`,
  (r) => `failures={events: [{at: ${pick(r, [0, 60, 1e6])}, what: ${pick(r, ['gpu', 'node', 'link'])}, node: ${pick(r, [0, 1, 99])}, repair_after: ${pick(r, [1, 3600, 1e7])}}]}`,
  (r) => `output.sample_interval_s=${pick(r, [1, 0.1, 1e-3, 1e5])}`,
  (r) => `cluster.nodes.0.count=${pick(r, [1, 2, 100, 25000])}`,
  (r) => `workload.curve=${pick(r, ['diurnal', 'office-hours', '[{at: "00:00", x: 0}, {at: "12:00", x: 5}]', '[{at: "00:00", x: 0}]'])}`,
  (r) => `autoscale={min_replicas: ${pick(r, [0, 1])}, max_replicas: ${pick(r, [1, 8])}, interval_s: ${pick(r, [1, 60])}, metric: ${pick(r, ['queue_length', 'utilization', 'slo_risk'])}}`,
  (r) => `deployment.batching={max_batch: ${pick(r, [1, 4, 1e6])}, window_s: ${pick(r, [0, 30, 1800])}}`,
  (r) => `workload.mix.0.resolution=${pick(r, ['16x16', '832x480', '1280x720', '1920x1088', '16384x16'])}`,
  (r) => `workload.mix.0.frames=${pick(r, [1, 5, 81, 121, 4097])}`,
  (r) => `workload.arrivals={process: gamma, rate_per_hour: ${pick(r, [1, 20])}, cv: ${pick(r, [0.01, 1, 10])}}`,
  (r) => `workload.mix.0.slo_s=${pick(r, [1e-9, 1, 1e9])}`,
  (r) => `cluster.storage={tier: ${pick(r, ['local-nvme', 'nfs', 'bogus'])}}`,
  (r) => `power.pue=${pick(r, [1, 1.5, 3])}`,
];

function setCase(r: Rand, id: number): FuzzCase {
  const n = int(r, 1, 3);
  const sets: string[] = [];
  let bad = false;
  const plausible = r() < 0.5;
  for (let i = 0; i < n; i++) {
    if (plausible) {
      sets.push(pick(r, PLAUSIBLE_SETS)(r));
      continue;
    }
    const form = r();
    const path = pick(r, SET_PATHS);
    const value = path.startsWith('limits') ? pick(r, ['0', '-1', 'abc', '1']) : pick(r, SET_VALUES);
    if (form < 0.08) {
      sets.push(path); // no "="
      bad = true;
    } else if (form < 0.12) {
      sets.push(`=${value}`);
      bad = true;
    } else {
      sets.push(`${path}=${value}`);
      if (/__proto__|constructor|prototype|\.\.|^\.|\.$|-1|^a\.b/.test(path)) bad = true;
    }
  }
  const file = pick(r, ['default', 'failure-drill', 'disaggregated-vae', 'engines']);
  return { id, family: 'set', what: sets.join(' '), argv: ['run', `${LIBRARY}/${file}.yaml`, '--json', '--set', 'duration=30m', '--set', `limits={max_events: ${LIMITS.max_events}}`, ...sets.flatMap((s) => ['--set', s])], files: {}, bad };
}

const TRACE_HEADERS = [
  'timestamp_s,model,resolution,frames,steps,slo_s',
  'timestamp_s,resolution,frames,steps',
  'arrival_s,request_id,model,width,height,frames,steps',
  'width,height,num_frames,num_inference_steps,slo_ms,timestamp',
  'timestamp_s',
  'model,resolution',
  '',
];
const TRACE_FIELDS: Record<string, readonly string[]> = {
  timestamp_s: ['0', '1', '60', '-5', '1e308', 'nan', '', 'x', '3600', '1e-300', '"10"'], timestamp: ['0', '5', '-1', 'abc'], arrival_s: ['0', '10', '-1', 'inf'],
  model: ['wan2.2-t2v-a14b', '"wan2.2-t2v-a14b"', 'wan2.1-t2v-1.3b', 'nope', '', '=cmd', '"a,b"', '"multi\nline"'],
  resolution: ['832x480', '1280x720', '1x1', '100000x100000', '0x0', 'x', '', '"832x480"', '-16x16'],
  width: ['832', '1', '0', '-16', '100000', 'x'], height: ['480', '720', '0', 'x'],
  frames: ['81', '80', '1', '0', '1e9', '-3', 'x', ''], num_frames: ['81', '17', '0'], steps: ['40', '0', '1e9', '-1', '1.5', ''], num_inference_steps: ['40', '0', 'abc'],
  slo_s: ['600', '0', '-1', '', 'x'], slo_ms: ['600000', '-1', 'x'], request_id: ['1', '2', 'a', ''],
};

function traceCase(r: Rand, id: number): FuzzCase {
  const header = pick(r, TRACE_HEADERS);
  const cols = header ? header.split(',') : [];
  const rows: string[] = [];
  const count = pick(r, [0, 1, 3, 20, 200]);
  // a clean trace (its values ordinary, its times increasing) half the time, else a few nasty cells
  const clean = r() < 0.5;
  const nasty = clean ? 0 : 0.1;
  let t = 0;
  for (let i = 0; i < count; i++) {
    t += int(r, 0, 90);
    const cells = cols.map((c) => (!(r() < nasty) && (c === 'timestamp_s' || c === 'timestamp' || c === 'arrival_s') ? String(t) : r() < nasty ? pick(r, TRACE_FIELDS[c] ?? ['1']) : (TRACE_FIELDS[c]?.[0] ?? '1')));
    if (!clean && r() < 0.05) cells.push('extra');
    if (!clean && r() < 0.05) cells.pop();
    rows.push(cells.join(','));
  }
  let text = [header, ...rows].join(pick(r, ['\n', '\r\n', '\r'])) + (r() < 0.5 ? '\n' : '');
  const damage = clean ? 1 : r();
  if (damage < 0.1) text = '\uFEFF' + text;
  else if (damage < 0.18) text += '"unterminated,1,2\n';
  else if (damage < 0.22) text = '\u0000'.repeat(10);
  const file = clean ? 't.csv' : pick(r, ['t.csv', 't.csv', 't.csv', 'adir', 'missing.csv']);
  const scenario = `extends: ${LIBRARY}/default.yaml\nduration: 1h\nlimits: {max_events: ${LIMITS.max_events}}\nworkload:\n  arrivals:\n    process: trace\n    file: ${file}\n    rate_per_hour: null\n${r() < 0.2 ? '    rate_per_s: 0.01\n' : ''}`;
  return {
    id, family: 'trace', what: `header "${header}", ${count} rows, ${file}${damage < 0.22 ? ' (damaged)' : ''}`,
    argv: [pick(r, ['run', 'run', 'validate']), '@dir@/s.yaml', ...(r() < 0.7 ? ['--json'] : [])],
    files: { 's.yaml': scenario, 't.csv': text, 'adir/.keep': '' },
    bad: file !== 't.csv' || damage >= 0.1 && damage < 0.22,
  };
}

const FLAG_VALUES = ['0', '-1', '1e300', 'abc', '', '1.5', 'NaN', 'Infinity', '-0', '0x10', ' 8', '999999999999999999999', '8', '2'];
const MODELS = ['wan2.2-t2v-a14b', 'wan2.1-t2v-1.3b', 'nope', '', '../x.json', '/etc/passwd'];
const GPUS = ['h100-sxm', 'h900', 'l40s', '', 'H100'];

function flagsCase(r: Rand, id: number): FuzzCase {
  const v = () => pick(r, FLAG_VALUES);
  const files: Record<string, string> = { 'adir/.keep': '', 'empty.yaml': '', 'list.yaml': '- 1\n- 2\n' };
  const scenario = () => pick(r, [`${LIBRARY}/default.yaml`, '@dir@/adir', '@dir@/missing.yaml', '@dir@/empty.yaml', '@dir@/list.yaml', '/dev/null']);
  const short = ['--set', 'duration=20m', '--set', `limits={max_events: ${LIMITS.max_events}}`];
  const forms: (() => { argv: string[]; bad: boolean })[] = [
    () => ({ argv: ['estimate', '--model', pick(r, MODELS), '--gpu', pick(r, GPUS), pick(r, ['--gpus', '--frames', '--steps', '--batch', '--oversubscription', '--power-limit', '--resolution', '--nodes', '--gpus-per-node']), v()], bad: false }),
    () => ({ argv: ['estimate', '--model', 'wan2.2-t2v-a14b', '--gpu', 'h100-sxm', '--resolution', pick(r, ['1x1', '0x0', 'axb', '1280x720', '100000x100000', '-16x16', '1280×720'])], bad: false }),
    () => ({ argv: ['plan', '--model', pick(r, MODELS), '--gpu', pick(r, GPUS), '--gpus', v(), ...(r() < 0.5 ? ['--rank', pick(r, ['latency', 'cost', ''])] : []), ...(r() < 0.3 ? ['--top', v()] : [])], bad: false }),
    () => ({ argv: ['run', scenario(), ...(r() < 0.5 ? ['--seed', v()] : []), ...(r() < 0.3 ? ['--trace-ops', v()] : []), ...(r() < 0.3 ? ['--metrics-start', pick(r, ['yesterday', '2025-13-01T00:00:00Z', '-1', '1e300'])] : []), ...short, '--json'], bad: false }),
    () => ({ argv: ['validate', scenario(), ...(r() < 0.5 ? [scenario()] : [])], bad: false }),
    () => ({ argv: ['list', pick(r, ['gpus', 'models', 'nodes', 'engines', 'bogus', '', 'scenarios'])], bad: false }),
    () => ({ argv: ['capacity', `${LIBRARY}/default.yaml`, '--slo', pick(r, ['p95<=garbage', 'p95<=45m', 'p101<=1h', '<=', 'p95>=1h', 'attainment>=2', '']), '--tolerance', pick(r, ['0.5', '0', '2', 'x']), '--max-trials', pick(r, ['2', '0', 'x']), ...short], bad: false }),
    () => ({ argv: ['size', `${LIBRARY}/default.yaml`, '--slo', pick(r, ['p95<=45m', 'x']), '--rate', pick(r, ['20/h', '0/h', '-1/h', 'abc', '1e300/h']), '--max-sims', pick(r, ['2', '0']), '--nodes', pick(r, ['hgx-h100-sxm-8', 'nope', '']), ...short], bad: false }),
    () => ({ argv: ['tco', '--model', pick(r, MODELS), '--budget', pick(r, ['10M', '0', '-5', 'abc', '1e308']), ...(r() < 0.5 ? ['--megawatts', v()] : []), ...(r() < 0.3 ? ['--pue', v()] : [])], bad: false }),
    () => ({ argv: ['sweep', `${LIBRARY}/sweeps/load-and-replicas.yaml`, '--workers', pick(r, ['0', '-1', 'x', '1e300']), '--limit', pick(r, ['1', '0', 'x']), ...(r() < 0.3 ? ['--shard', pick(r, ['0/2', '2/2', 'x', '1/0'])] : []), ...short, '--json'], bad: false }),
    () => ({ argv: ['compare', scenario(), ...(r() < 0.7 ? [scenario()] : []), ...short], bad: false }),
    () => ({ argv: ['merge', '@dir@/adir', '--out', '@dir@/out'], bad: true }),
    () => ({ argv: ['replay', pick(r, ['@dir@/missing.csv', '@dir@/adir', '@dir@/empty.yaml']), '--scenario', scenario()], bad: true }),
    () => ({ argv: ['check', pick(r, ['@dir@/missing.yaml', '@dir@/empty.yaml', '@dir@/list.yaml', '@dir@/adir'])], bad: false }),
    () => ({ argv: [pick(r, ['runn', 'bogus', 'estimate', 'plan']), pick(r, ['--bogus-flag', '--json=3', '-z', '--'])], bad: true }),
  ];
  const f = pick(r, forms)();
  return { id, family: 'flags', what: f.argv.join(' '), argv: f.argv, files, bad: f.bad };
}

/** `count` cases from `seed`: about 35% scenario mutations, 10% damaged YAML, 20% --set, 15% traces, 20% flags. */
export function fuzzCases(seed: number, count: number): FuzzCase[] {
  const r = rng(seed);
  const out: FuzzCase[] = [];
  for (let id = 0; id < count; id++) {
    const x = r();
    const make = x < 0.35 ? scenarioCase : x < 0.45 ? yamlTextCase : x < 0.65 ? setCase : x < 0.8 ? traceCase : flagsCase;
    out.push(make(rng(seed * 100_003 + id), id));
  }
  return out;
}
