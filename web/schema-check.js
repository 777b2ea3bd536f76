// A small JSON Schema (2020-12) checker for the web UI's scenario editor, covering the keywords that
// scenario.schema.json uses: type, properties, additionalProperties, required, enum, const, anyOf, oneOf,
// items, prefixItems, minItems, maxItems, minimum, maximum, exclusiveMinimum, exclusiveMaximum, minLength,
// pattern, propertyNames. It also lists the fields allowed at a path (editor completion).
// Plain ES module (no build step); test/web-ui.test.ts exercises it in Chromium (an unknown field is flagged).

const typeOf = (v) => (v === null ? 'null' : Array.isArray(v) ? 'array' : Number.isInteger(v) ? 'integer' : typeof v);

function typeMatches(want, v) {
  const t = typeOf(v);
  if (Array.isArray(want)) return want.some((w) => typeMatches(w, v));
  return want === t || (want === 'number' && t === 'integer');
}

/** Every problem of `value` against `schema`: [{ path: 'a.b.0', message }]. */
export function checkSchema(schema, value, path = []) {
  const out = [];
  const at = path.join('.');
  const fail = (message) => out.push({ path: at, message });
  if (schema === true || schema === undefined) return out;
  if (schema === false) return [{ path: at, message: 'not allowed here' }];
  if (schema.anyOf || schema.oneOf) {
    const alts = schema.anyOf ?? schema.oneOf;
    const results = alts.map((s) => checkSchema(s, value, path));
    const ok = results.filter((r) => r.length === 0).length;
    if (schema.anyOf ? ok === 0 : ok !== 1) {
      // report the alternative that got furthest (fewest problems), as zod does for unions
      const best = results.reduce((a, b) => (b.length < a.length ? b : a));
      out.push(...best);
    }
  }
  if (schema.type !== undefined && !typeMatches(schema.type, value)) {
    fail(`expected ${[].concat(schema.type).join(' or ')}, got ${typeOf(value)}`);
    return out;
  }
  if (schema.const !== undefined && value !== schema.const) fail(`expected ${JSON.stringify(schema.const)}`);
  if (schema.enum && !schema.enum.includes(value)) fail(`expected one of ${schema.enum.map((e) => JSON.stringify(e)).join(', ')}, got ${JSON.stringify(value)}`);
  if (typeof value === 'number') {
    if (schema.minimum !== undefined && value < schema.minimum) fail(`expected a number >= ${schema.minimum}`);
    if (schema.maximum !== undefined && value > schema.maximum) fail(`expected a number <= ${schema.maximum}`);
    if (schema.exclusiveMinimum !== undefined && value <= schema.exclusiveMinimum) fail(`expected a number > ${schema.exclusiveMinimum}`);
    if (schema.exclusiveMaximum !== undefined && value >= schema.exclusiveMaximum) fail(`expected a number < ${schema.exclusiveMaximum}`);
  }
  if (typeof value === 'string') {
    if (schema.minLength !== undefined && value.length < schema.minLength) fail(`expected at least ${schema.minLength} characters`);
    if (schema.pattern !== undefined && !new RegExp(schema.pattern, 'u').test(value)) fail(`expected text matching ${schema.pattern}, got ${JSON.stringify(value)}`);
  }
  if (Array.isArray(value)) {
    if (schema.minItems !== undefined && value.length < schema.minItems) fail(`expected at least ${schema.minItems} items`);
    if (schema.maxItems !== undefined && value.length > schema.maxItems) fail(`expected at most ${schema.maxItems} items`);
    value.forEach((item, i) => {
      const s = schema.prefixItems?.[i] ?? schema.items;
      if (s !== undefined) out.push(...checkSchema(s, item, [...path, i]));
    });
  }
  if (typeOf(value) === 'object') {
    const props = schema.properties ?? {};
    for (const k of schema.required ?? []) if (!(k in value)) out.push({ path: [...path, k].join('.'), message: 'missing required field' });
    for (const [k, v] of Object.entries(value)) {
      if (schema.propertyNames) for (const p of checkSchema(schema.propertyNames, k, path)) out.push({ ...p, message: `field name "${k}": ${p.message}` });
      if (k in props) out.push(...checkSchema(props[k], v, [...path, k]));
      else if (schema.additionalProperties === false) out.push({ path: [...path, k].join('.'), message: `unknown field "${k}"` });
      else if (typeof schema.additionalProperties === 'object') out.push(...checkSchema(schema.additionalProperties, v, [...path, k]));
    }
  }
  // de-duplicate (unions can report the same problem twice)
  const seen = new Set();
  return out.filter((p) => (seen.has(p.path + p.message) ? false : seen.add(p.path + p.message)));
}

function expand(s) {
  if (!s || typeof s !== 'object') return [];
  const alts = [...(s.anyOf ?? []), ...(s.oneOf ?? [])];
  return alts.length ? alts.flatMap(expand) : [s];
}

/** The fields allowed in the mapping at `path` (keys and list indices): [{ name, description }]. */
export function fieldsAt(schema, path) {
  let nodes = [schema];
  for (const key of path) {
    nodes = nodes.flatMap(expand).flatMap((n) => (typeof key === 'number' ? (n.items ? [n.items] : []) : n.properties?.[key] ? [n.properties[key]] : []));
  }
  const fields = new Map();
  for (const n of nodes.flatMap(expand)) for (const [k, v] of Object.entries(n.properties ?? {})) if (k !== '$schema' && !fields.has(k)) fields.set(k, { name: k, description: v.description ?? expand(v).map((x) => x.description).find(Boolean) ?? '' });
  return [...fields.values()];
}

/** A field's description shortened for the field list: cut at a word boundary with "…" (the tooltip has it whole). */
export function shortDescription(text, max = 70) {
  if (text.length <= max) return text;
  const cut = text.slice(0, max);
  const space = cut.lastIndexOf(' ');
  // a word longer than half the room is cut inside it rather than leaving a stub
  return `${(space > max / 2 ? cut.slice(0, space) : cut).replace(/[\s,;:(\-–—]+$/, '')}…`;
}

/**
 * The key path of the line the cursor is on, from indentation (the block YAML scenarios are written in):
 * `text` up to the cursor → e.g. ['workload', 'arrivals'] or ['workload', 'mix', 0].
 */
export function pathAtCursor(text) {
  const lines = text.split('\n');
  const current = lines[lines.length - 1];
  let indent = current.length - current.trimStart().length;
  const path = [];
  for (let i = lines.length - 2; i >= 0 && indent > 0; i--) {
    const line = lines[i];
    if (!line.trim() || line.trim().startsWith('#')) continue;
    const ind = line.length - line.trimStart().length;
    const m = /^(\s*)(- )?([\w$.-]+):\s*(#.*)?$/.exec(line);
    if (ind < indent || (line.trimStart().startsWith('- ') && ind + 2 <= indent)) {
      if (line.trimStart().startsWith('- ')) {
        // an item of a list: its index counts the dashes at this indentation up to the list's key
        let idx = 0;
        let j = i - 1;
        for (; j >= 0; j--) {
          const l = lines[j];
          const li = l.length - l.trimStart().length;
          if (!l.trim()) continue;
          if (li < ind) break;
          if (li === ind && l.trimStart().startsWith('- ')) idx++;
        }
        path.unshift(idx);
        const inner = /^\s*- ([\w$.-]+):\s*(#.*)?$/.exec(line);
        if (inner && ind + 2 < indent) path.splice(1, 0, inner[1]);
        indent = ind;
        continue;
      }
      if (m) {
        path.unshift(m[3]);
        indent = ind;
      }
    }
  }
  return path;
}
