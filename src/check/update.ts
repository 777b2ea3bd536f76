/**
 * `vgsim check --update`: rewrites the pinned `value`s of a baseline file in place from the current results —
 * those that drifted (`--update`), or every one that moved (`--update-all`, a fresh snapshot).
 * The yaml Document API finds each value's node and its source range; only those characters are replaced, so
 * comments, key order, quoting, flow/block style and blank lines stay exactly as written. Bounds (min/max)
 * and tolerances are never touched.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { isAlias, isMap, isScalar, isSeq, parseDocument, stringify, type Document, type Node } from 'yaml';
import { InputError } from '../errors.ts';
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

/** A child of a map or list; an alias (`*name`) is followed to its anchored node. */
function child(doc: Document, node: unknown, key: string | number): unknown {
  const own = (n: unknown) => (isAlias(n) ? n.resolve(doc) : n);
  const parent = own(node);
  if (isMap(parent)) return own(parent.items.find((p) => isScalar(p.key) && String(p.key.value) === String(key))?.value);
  if (isSeq(parent) && typeof key === 'number') return own(parent.items[key]);
  return undefined;
}

/** The node holding the pinned value of a metric: the scalar itself, or the "value" of its mapping. */
function valueNode(doc: Document, checkIndex: number, metric: string): Node | undefined {
  const e = child(doc, child(doc, child(doc, child(doc, doc.contents, 'checks'), checkIndex), 'expect'), metric);
  const n = isMap(e) ? child(doc, e, 'value') : e;
  return isScalar(n) ? n : undefined;
}

function scalarText(v: number | string | boolean, quoted: string | undefined): string {
  if (typeof v === 'string' && quoted === 'QUOTE_DOUBLE') return JSON.stringify(v);
  if (typeof v === 'string' && quoted === 'QUOTE_SINGLE') return `'${v.replace(/'/g, "''")}'`;
  return stringify(v).trimEnd();
}

export interface UpdateOptions {
  /** Re-pin every value that moved, not only those that drifted out of their tolerance. */
  all?: boolean;
  /** false: only report what would change. */
  write?: boolean;
}

/**
 * Re-pins the checked `value`s that drifted (every one whose result differs with `all`). Returns the changes and,
 * per file, values that could not be pinned (a null result). A value reached through a YAML alias is the anchored
 * node: it is re-pinned once, and two checks that would pin it to different values are an input error.
 */
export function updateBaselines(results: BaselineResult[], opts: UpdateOptions = {}): { changes: ValueChange[]; skipped: string[] } {
  const changes: ValueChange[] = [];
  const skipped: string[] = [];
  for (const r of results) {
    const file = r.baseline.file;
    const text = readFileSync(file, 'utf8');
    const doc = parseDocument(text, { keepSourceTokens: false });
    const edits = new Map<number, { start: number; end: number; text: string; to: number | string | boolean; check: string }>();
    const lineOf = (pos: number) => text.slice(0, pos).split('\n').length;
    const fileChanges: ValueChange[] = [];
    for (const c of r.checks) {
      for (const m of c.metrics) {
        if (m.value === undefined || (!opts.all && m.status !== 'DRIFT')) continue;
        if (m.actual === null) {
          skipped.push(`${file}: ${c.check.name} ${m.metric}: the result is null; left at ${JSON.stringify(m.value)}`);
          continue;
        }
        const to = typeof m.actual === 'number' ? pinnedNumber(m.actual, m.tolerance ?? { relative: 0 }) : m.actual;
        if (to === m.value) continue;
        const where = { source: file, line: m.expectation.line, col: m.expectation.col, path: `checks.${c.check.index}.expect` };
        const node = valueNode(doc, c.check.index, m.metric);
        if (!node?.range) throw new InputError([{ ...where, message: `--update cannot find the value of ${m.metric} in check "${c.check.name}" to re-pin it` }]);
        const [start, end] = node.range;
        const shared = edits.get(start);
        if (shared && shared.to !== to) {
          throw new InputError([{ source: file, line: lineOf(start), col: 1, path: `checks.${c.check.index}.expect.${m.metric}`, message: `--update: this value is shared through a YAML alias by checks "${shared.check}" (now ${JSON.stringify(shared.to)}) and "${c.check.name}" (now ${JSON.stringify(to)}); one node cannot hold both`, hint: 'pin the value in each check instead of an alias; file left unchanged' }]);
        }
        if (!shared) edits.set(start, { start, end, text: scalarText(to, isScalar(node) ? node.type : undefined), to, check: c.check.name });
        fileChanges.push({ file, check: c.check.name, metric: m.metric, from: m.value, to, line: lineOf(start) });
      }
    }
    changes.push(...fileChanges);
    if (edits.size === 0 || opts.write === false) continue;
    let out = text;
    for (const e of [...edits.values()].sort((a, b) => b.start - a.start)) out = out.slice(0, e.start) + e.text + out.slice(e.end);
    // the rewritten file must hold exactly the new values (and still parse)
    const check = parseDocument(out);
    if (check.errors.length > 0) throw new Error(`${file}: --update produced invalid YAML (${check.errors[0]!.message}); file left unchanged`);
    for (const ch of fileChanges) {
      const c = r.checks.find((x) => x.check.name === ch.check)!;
      const n = valueNode(check, c.check.index, ch.metric);
      if (!isScalar(n) || n.value !== ch.to) throw new Error(`${file}: --update could not rewrite ${ch.metric} of "${ch.check}"; file left unchanged`);
    }
    writeFileSync(file, out);
  }
  return { changes, skipped };
}
