/**
 * Zod's issues as located, readable InputIssues (file:line:col or the --set flag, field path, what was expected,
 * did-you-mean), and the walk over the scenario's JSON schema that finds the fields a mapping may have.
 */
import type { z } from 'zod';
import { didYouMean, shown, type InputIssue } from '../errors.ts';
import { typeNoun, zodWords } from '../zod-words.ts';
import { parseDuration, parseRate } from '../units.ts';
import type { PathKey } from './yaml-source.ts';
import { scenarioJsonSchema } from './schema.ts';
import type { LoadedScenario } from './load.ts';

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
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
        // a key a --set flag wrote is blamed on the flag (its parent mapping may well be in the file)
        const viaFlag = locate([...path, key], true);
        const where = viaFlag.line === undefined && viaFlag.source.startsWith('--') ? viaFlag : locateKey?.(path, key) ?? locate(path);
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
      message = `missing required field (expected ${typeNoun(issue.expected)})`;
    } else if (issue.code === 'invalid_type' && issue.expected === 'number' && typeof valueAt(issue, path) === 'string') {
      // a quantity written with its unit ("30m", "20/h"): the unit is the field name's, so say which number that is
      const got = valueAt(issue, path) as string;
      const unit = unitOfField(String(path[path.length - 1] ?? ''));
      message = `expected a number${unit ? ` of ${unit.name}` : ''}, got ${shown(got)}`;
      const n = unit?.parse(got);
      if (unit && n !== undefined && Number.isFinite(n)) hint = `write ${Number(n.toPrecision(12))} — ${shown(got)} in ${unit.name}, the unit its ${unit.suffix} suffix stands for`;
    } else if (issue.code === 'invalid_type' && /received (NaN|Infinity)/.test(message)) {
      // YAML's .nan and .inf are numbers to JavaScript, but no quantity a scenario can hold
      message = `expected a finite number, got ${message.includes('NaN') ? '.nan (not a number)' : 'an infinity (.inf)'}`;
    } else {
      // a value of the wrong type or out of range: what was expected and what was given (zod's words said neither),
      // and for a value of the wrong kind what the field holds, where the schema describes it
      const words = zodWords(issue, valueAt(issue, path));
      if (words) ({ message, hint } = words);
      if (words && issue.code === 'invalid_type' && !hint) hint = descriptionAt(path);
    }
    out.push({ ...where, path: dotted, message, hint });
  }
  return out;
}

/** What the scenario schema says a field holds ("video size, \"WIDTHxHEIGHT\" …"), for a value of the wrong kind. */
function descriptionAt(path: readonly PathKey[]): string | undefined {
  const d = schemasAt(path).map((n) => n.description).find((x): x is string => typeof x === 'string');
  return d ? `${path[path.length - 1]}: ${d}` : undefined;
}

/** Units a numeric field carries in its name, and how a value written with a unit converts to it. */
const FIELD_UNITS: { suffix: string; name: string; parse: (v: string) => number | undefined }[] = [
  { suffix: '_per_hour', name: 'requests per hour', parse: (v) => parseRate(v) },
  { suffix: '_per_min', name: 'requests per minute', parse: (v) => mapDefined(parseRate(v), (x) => x / 60) },
  { suffix: '_per_s', name: 'requests per second', parse: (v) => mapDefined(parseRate(v), (x) => x / 3600) },
  { suffix: '_ms', name: 'milliseconds', parse: (v) => mapDefined(parseDuration(v), (x) => x * 1000) },
  { suffix: '_s', name: 'seconds', parse: (v) => parseDuration(v) },
  { suffix: '_h', name: 'hours', parse: (v) => mapDefined(parseDuration(v), (x) => x / 3600) },
];
const mapDefined = (x: number | undefined, f: (x: number) => number) => (x === undefined ? undefined : f(x));

function unitOfField(name: string): (typeof FIELD_UNITS)[number] | undefined {
  return FIELD_UNITS.find((u) => name.endsWith(u.suffix));
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
