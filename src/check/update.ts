/**
 * `vgsim check --update`: rewrites the pinned `value`s of a baseline file in place from the current results.
 * The yaml Document API finds each value's node and its source range; only those characters are replaced, so
 * comments, key order, quoting, flow/block style and blank lines stay exactly as written. Bounds (min/max)
 * and tolerances are never touched.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { isMap, isScalar, isSeq, parseDocument, stringify, type Node } from 'yaml';
import type { Tolerance } from './baseline.ts';
import type { BaselineResult } from './run.ts';

export interface ValueChange {
  file: string;
  check: string;
  metric: string;
  from: number | string | boolean;
  to: number | string | boolean;
  line: number;
}

/**
 * The shortest decimal text (≥ 6 significant digits) for a pinned number whose rounding error stays below a
 * hundredth of its tolerance, so re-pinned values pass with a margin; full precision with a zero tolerance.
 */
export function pinnedNumber(x: number, tolerance: Tolerance): number {
  if (Number.isInteger(x)) return x;
  const allowed = 'relative' in tolerance ? tolerance.relative * Math.abs(x) : tolerance.absolute;
  for (let p = 6; p <= 17; p++) {
    const r = Number(x.toPrecision(p));
    if (Math.abs(r - x) <= allowed / 100) return r;
  }
  return x;
}

function child(node: unknown, key: string | number): unknown {
  if (isMap(node)) return node.items.find((p) => isScalar(p.key) && String(p.key.value) === String(key))?.value;
  if (isSeq(node) && typeof key === 'number') return node.items[key];
  return undefined;
}

/** The node holding the pinned value of a metric: the scalar itself, or the "value" of its mapping. */
function valueNode(root: unknown, checkIndex: number, metric: string): Node | undefined {
  const e = child(child(child(child(root, 'checks'), checkIndex), 'expect'), metric);
  const n = isMap(e) ? child(e, 'value') : e;
  return isScalar(n) ? n : undefined;
}

function scalarText(v: number | string | boolean, quoted: string | undefined): string {
  if (typeof v === 'string' && quoted === 'QUOTE_DOUBLE') return JSON.stringify(v);
  if (typeof v === 'string' && quoted === 'QUOTE_SINGLE') return `'${v.replace(/'/g, "''")}'`;
  return stringify(v).trimEnd();
}

/**
 * Re-pins every checked `value` whose current result differs. With `write` false, only reports what would
 * change. Returns the changes and, per file, values that could not be pinned (a null result).
 */
export function updateBaselines(results: BaselineResult[], write = true): { changes: ValueChange[]; skipped: string[] } {
  const changes: ValueChange[] = [];
  const skipped: string[] = [];
  for (const r of results) {
    const file = r.baseline.file;
    const text = readFileSync(file, 'utf8');
    const doc = parseDocument(text, { keepSourceTokens: false });
    const edits: { start: number; end: number; text: string; to: number | string | boolean }[] = [];
    const lineOf = (pos: number) => text.slice(0, pos).split('\n').length;
    for (const c of r.checks) {
      for (const m of c.metrics) {
        if (m.value === undefined) continue;
        if (m.actual === null) {
          skipped.push(`${file}: ${c.check.name} ${m.metric}: the result is null; left at ${JSON.stringify(m.value)}`);
          continue;
        }
        const to = typeof m.actual === 'number' ? pinnedNumber(m.actual, m.tolerance ?? { relative: 0 }) : m.actual;
        if (to === m.value) continue;
        const node = valueNode(doc.contents, c.check.index, m.metric);
        if (!node?.range) throw new Error(`${file}: cannot find the value of ${m.metric} in check "${c.check.name}"`);
        const [start, end] = node.range;
        edits.push({ start, end, text: scalarText(to, isScalar(node) ? node.type : undefined), to });
        changes.push({ file, check: c.check.name, metric: m.metric, from: m.value, to, line: lineOf(start) });
      }
    }
    if (edits.length === 0 || !write) continue;
    let out = text;
    for (const e of edits.sort((a, b) => b.start - a.start)) out = out.slice(0, e.start) + e.text + out.slice(e.end);
    // the rewritten file must hold exactly the new values (and still parse)
    const check = parseDocument(out);
    if (check.errors.length > 0) throw new Error(`${file}: --update produced invalid YAML (${check.errors[0]!.message}); file left unchanged`);
    for (const ch of changes.filter((x) => x.file === file)) {
      const c = r.checks.find((x) => x.check.name === ch.check)!;
      const n = valueNode(check.contents, c.check.index, ch.metric);
      if (!isScalar(n) || n.value !== ch.to) throw new Error(`${file}: --update could not rewrite ${ch.metric} of "${ch.check}"; file left unchanged`);
    }
    writeFileSync(file, out);
  }
  return { changes, skipped };
}
