/**
 * Metric paths: dot paths into a JSON document (the `vgsim run --json` summary or the `vgsim estimate
 * --json` estimate). A list element is picked by its index or by its key, in dots or brackets:
 *
 *   latency_s.p95                         a field of a field
 *   classes.720p-5s.latency_s.p95         the element of "classes" whose name is 720p-5s
 *   classes[720p-5s].latency_s.p95        the same; brackets allow keys with dots: ops[self_attn.attention].seconds
 *   service_times[a14b/720p-5s].total_s   elements without a name are keyed "pool/class"
 *   stages.0.seconds_total                by index
 *
 * An element's key is its "name", else its "phase", else "pool/class", else its "case" field.
 */
import { closest } from '../errors.ts';

export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** Splits a metric path into segments; `error` says what is wrong with a malformed one. */
export function parseMetricPath(path: string): { segments: string[]; error?: string } {
  const segments: string[] = [];
  let i = 0;
  let expectSegment = true;
  while (i < path.length) {
    const ch = path[i]!;
    if (ch === '[') {
      const end = path.indexOf(']', i);
      if (end < 0) return { segments, error: 'unclosed "["' };
      const key = path.slice(i + 1, end).trim();
      if (key === '') return { segments, error: 'empty "[]"' };
      segments.push(key);
      i = end + 1;
      expectSegment = false;
      continue;
    }
    if (ch === '.') {
      if (expectSegment) return { segments, error: 'empty path segment' };
      expectSegment = true;
      i++;
      continue;
    }
    if (ch === ']') return { segments, error: 'unexpected "]"' };
    if (!expectSegment) return { segments, error: `expected "." or "[" before "${path.slice(i)}"` };
    let j = i;
    while (j < path.length && path[j] !== '.' && path[j] !== '[' && path[j] !== ']') j++;
    segments.push(path.slice(i, j).trim());
    i = j;
    expectSegment = false;
  }
  if (segments.length === 0) return { segments, error: 'empty metric path' };
  if (expectSegment) return { segments, error: 'path ends with "."' };
  return { segments };
}

/** The key that picks a list element by name (see the module doc), or undefined. */
export function elementKey(el: Json): string | undefined {
  if (el === null || typeof el !== 'object' || Array.isArray(el)) return undefined;
  for (const k of ['name', 'phase']) if (typeof el[k] === 'string') return el[k] as string;
  if (typeof el.pool === 'string' && typeof el.class === 'string') return `${el.pool}/${el.class}`;
  if (typeof el.case === 'string') return el.case;
  return undefined;
}

export type Resolved =
  | { found: true; value: Json }
  /** `at`: the segments that did resolve; `options`: the keys available where resolution stopped. */
  | { found: false; at: string[]; options: string[]; reason: string };

export function resolveMetric(doc: Json, path: string): Resolved {
  const { segments, error } = parseMetricPath(path);
  if (error) return { found: false, at: [], options: [], reason: error };
  let node: Json = doc;
  const at: string[] = [];
  for (const seg of segments) {
    if (Array.isArray(node)) {
      const list: Json[] = node;
      const byKey = list.find((el) => elementKey(el) === seg);
      const next = byKey !== undefined ? byKey : /^\d+$/.test(seg) ? list[Number(seg)] : undefined;
      if (next === undefined) {
        const keys = list.map((el, i) => elementKey(el) ?? String(i));
        return { found: false, at, options: keys, reason: `${label(at)} is a list of ${list.length}; no element "${seg}"` };
      }
      node = next;
    } else if (node !== null && typeof node === 'object') {
      // own fields only: "constructor" or "toString" are the prototype's, not the document's
      if (!Object.hasOwn(node, seg)) return { found: false, at, options: Object.keys(node), reason: `${label(at)} has no field "${seg}"` };
      node = node[seg]!;
    } else {
      return { found: false, at, options: [], reason: `${label(at)} is ${describe(node)}, not an object` };
    }
    at.push(seg);
  }
  return { found: true, value: node };
}

function label(at: string[]): string {
  return at.length ? `"${joinPath(at)}"` : 'the document';
}

export function describe(v: Json): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return `a list of ${v.length}`;
  if (typeof v === 'object') return 'an object';
  return `${typeof v} ${JSON.stringify(v)}`;
}

/** Joins segments into the canonical path text (brackets for keys that contain dots or brackets). */
export function joinPath(segments: string[]): string {
  return segments.map((s, i) => (/[.[\]]/.test(s) ? `[${s}]` : i === 0 ? s : `.${s}`)).join('');
}

/** Every scalar (number, string, boolean, null) leaf path of a document, list elements by key where they have one. */
export function metricPaths(doc: Json, prefix: string[] = [], out: string[] = []): string[] {
  if (Array.isArray(doc)) {
    doc.forEach((el, i) => metricPaths(el, [...prefix, elementKey(el) ?? String(i)], out));
  } else if (doc !== null && typeof doc === 'object') {
    for (const [k, v] of Object.entries(doc)) metricPaths(v, [...prefix, k], out);
  } else if (prefix.length > 0) {
    out.push(joinPath(prefix));
  }
  return out;
}

/** A hint for an unknown metric path: close valid paths, else the fields where resolution stopped. */
export function metricHint(doc: Json, path: string, r: Extract<Resolved, { found: false }>): string {
  const all = metricPaths(doc);
  const near = closest(path, all, 4);
  if (near.length > 0) return `did you mean ${near.map((p) => `"${p}"`).join(' or ')}?`;
  // close by last segment: "p95" under a wrong parent, etc.
  const last = parseMetricPath(path).segments.at(-1) ?? '';
  const sameLeaf = all.filter((p) => p === last || p.endsWith(`.${last}`) || p.endsWith(`[${last}]`)).slice(0, 4);
  const opts = r.options.slice(0, 12).join(', ') + (r.options.length > 12 ? `, … (${r.options.length} in all)` : '');
  const parts: string[] = [];
  if (sameLeaf.length > 0) parts.push(`paths ending in "${last}": ${sameLeaf.join(', ')}`);
  if (r.options.length > 0) parts.push(`${r.at.length ? `"${joinPath(r.at)}" has` : 'top-level fields'}: ${opts}`);
  return parts.join('; ') || 'see the --json output of the same run or estimate for the available fields';
}
