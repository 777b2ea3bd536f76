/**
 * A parsed YAML file that remembers where every value came from, so validation errors can name
 * file:line:col.
 */
import { LineCounter, parseDocument, visit, isMap, isSeq, isScalar, type Document, type Node } from 'yaml';
import { InputError, type InputIssue } from '../errors.ts';
import { readInputText } from '../input-file.ts';

/** Aliases may expand a document this many times at most (the yaml library's guard against "billion laughs"). */
const MAX_ALIAS_COUNT = 1000;

export type PathKey = string | number;

/**
 * The largest scenario file read (bytes). The scenario library's largest file is under 10 kB; a megabyte
 * of YAML is a hundred times more than any hand-written scenario, and a bound keeps `extends: /dev/zero` or a
 * multi-gigabyte file from being read into memory.
 */
export const MAX_SCENARIO_BYTES = 1 << 20;

/**
 * Reads a scenario file: a regular file (not a directory, device, FIFO or socket, checked before it is
 * opened, since opening a FIFO blocks) of at most MAX_SCENARIO_BYTES. Throws InputError naming the file.
 */
export function readScenarioText(file: string): string {
  const refuse = (message: string, hint?: string): never => {
    throw new InputError([{ source: file, path: '', message, ...(hint ? { hint } : {}) }]);
  };
  return readInputText(file, { expected: 'a YAML file', noun: 'a scenario file', maxBytes: MAX_SCENARIO_BYTES, tooBigHint: 'is this the right file?', textOnly: true }, refuse);
}

/**
 * The parser's message for a syntax error, in the file's words where the parser's are a programmer's ("Source
 * contains multiple documents; please use YAML.parseAllDocuments()", "Map keys must be unique").
 */
function syntaxWords(code: string, message: string, pos: number, text: string, lines: LineCounter): { message: string; hint?: string } {
  if (code === 'MULTIPLE_DOCS') return { message: 'a second YAML document starts here (---): a scenario file holds one', hint: 'remove the --- line, or put each scenario in a file of its own (one can extends: another)' };
  const keyAt = (t: string) => /^(["']?)([^\n:"']+)\1\s*:/.exec(t)?.[2]?.trim();
  const key = code === 'DUPLICATE_KEY' ? keyAt(text.slice(pos)) : undefined;
  if (key) {
    // its first occurrence: the same key at the same column, going up the mapping's lines (a block mapping's keys
    // align) until the line that opens it ("- key:") or one indented less
    const col = lines.linePos(pos).col;
    const before = text.slice(0, pos).split('\n');
    let at = -1;
    for (let i = before.length - 2; i >= 0; i--) {
      const l = before[i]!;
      if (/^\s*(#.*)?$/.test(l)) continue;
      const prefix = l.slice(0, col - 1);
      if (!/^[\s-]*$/.test(prefix)) break; // indented less: the mapping has ended
      if (/^\s*$/.test(prefix) || prefix.includes('-')) {
        if (keyAt(l.slice(col - 1)) === key) at = i;
        if (prefix.includes('-')) break; // the line that opens a list item's mapping
      }
    }
    return { message: `duplicate key "${key}"${at >= 0 ? ` (first on line ${at + 1})` : ''}: a mapping names each key once`, hint: 'keep one of the two: YAML gives no later-wins rule, so the file is refused' };
  }
  return { message: `YAML syntax: ${message.split('\n')[0]}` };
}

export class YamlSource {
  private constructor(
    readonly file: string,
    private readonly doc: Document.Parsed,
    private readonly lines: LineCounter,
  ) {}

  static read(file: string): YamlSource {
    return YamlSource.parse(file, readScenarioText(file));
  }

  static parse(file: string, text: string): YamlSource {
    // CR-only line endings (classic Mac OS): the parser reads the whole file as its first line (with a comment
    // first, as one comment), which gave a page of unrelated errors
    const cr = /\r(?!\n)/.exec(text);
    if (cr) {
      const line = text.slice(0, cr.index).split('\n').length;
      throw new InputError([{ source: file, line, col: cr.index - text.lastIndexOf('\n', cr.index - 1), path: '', message: 'line endings: a carriage return (CR) without a line feed ends this line; scenario files use LF or CRLF line endings', hint: "convert the file, e.g. tr '\\r' '\\n' < old.yaml > new.yaml" }]);
    }
    const lines = new LineCounter();
    const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
    const issues: InputIssue[] = doc.errors.map((e) => {
      const pos = lines.linePos(e.pos[0]);
      // the parser's own stack overflow (lists or mappings thousands of levels deep) is a property of the file
      if (isStackOverflow(e.message)) return { source: file, line: pos.line, col: pos.col, path: '', ...TOO_DEEP };
      return { source: file, line: pos.line, col: pos.col, path: '', ...syntaxWords(e.code, e.message, e.pos[0], text, lines) };
    });
    if (issues.length > 0) throw new InputError(flowBracketKeys(issues, text));
    const source = new YamlSource(file, doc, lines);
    try {
      source.value();
    } catch (e) {
      if (isStackOverflow(e instanceof Error ? e.message : String(e))) throw new InputError([{ source: file, path: '', ...TOO_DEEP }]);
      // an alias without its anchor (*nope), or aliases that expand a value more than MAX_ALIAS_COUNT times
      const message = (e instanceof Error ? e.message : String(e)).split('\n')[0]!;
      const alias = /: (\S+)$/.exec(message)?.[1];
      const at = alias !== undefined ? text.indexOf(`*${alias}`) : -1;
      throw new InputError([{ source: file, ...(at >= 0 ? lines.linePos(at) : {}), path: '', message: `YAML: ${message}`, hint: `define an anchor (&name) before its alias (*name); aliases may repeat values at most ${MAX_ALIAS_COUNT} times` }]);
    }
    // a merge key (<<: *anchor, YAML 1.1) is read as a field named "<<": say what it is and what to use instead
    const merges: InputIssue[] = [];
    visit(doc, {
      Pair: (_, pair) => {
        if (isScalar(pair.key) && pair.key.value === '<<' && pair.key.range) merges.push({ source: file, ...lines.linePos(pair.key.range[0]), path: '', message: 'YAML merge keys (<<) are not supported', hint: 'to inherit fields, extends: another scenario file, whose mappings merge key by key; else write the fields out' });
      },
    });
    if (merges.length) throw new InputError(merges);
    return source;
  }

  /** The document as plain JavaScript values. */
  value(): unknown {
    return this.doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT }) ?? {};
  }

  /** Length of the longest prefix of `path` that exists in this document. */
  depthOf(path: readonly PathKey[]): number {
    let node: unknown = this.doc.contents;
    let depth = 0;
    for (const key of path) {
      const next = childOf(node, key);
      if (next === undefined) break;
      node = next;
      depth++;
    }
    return depth;
  }

  /**
   * Position of the value at `path`, or of the deepest existing ancestor. With `keyOf`, the position of
   * the key `keyOf` inside the mapping at `path` (used for unknown keys).
   */
  locate(path: readonly PathKey[], keyOf?: string): { line: number; col: number } | undefined {
    let node: unknown = this.doc.contents;
    for (const key of path) {
      const next = childOf(node, key);
      if (next === undefined) break;
      node = next;
    }
    if (keyOf !== undefined && isMap(node)) {
      const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === keyOf);
      const keyNode = pair?.key as Node | undefined;
      if (keyNode?.range) return this.lines.linePos(keyNode.range[0]);
    }
    const range = (node as Node | null | undefined)?.range;
    return range ? this.lines.linePos(range[0]) : undefined;
  }
}

const isStackOverflow = (message: string) => /maximum call stack size exceeded/i.test(message);
const TOO_DEEP = { message: 'YAML: the nesting is too deep (lists or mappings inside each other thousands of levels down)', hint: 'a scenario nests a few levels deep: is this the right file?' };

function childOf(node: unknown, key: PathKey): unknown {
  if (isMap(node)) {
    const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === String(key));
    return pair ? (pair.value ?? null) : undefined;
  }
  if (isSeq(node) && typeof key === 'number') return node.items[key];
  return undefined;
}

/** An unquoted key with an index inside a flow mapping: `{ cluster.nodes[0].type: x }` (the [ ] open a flow sequence). */
const FLOW_BRACKET_KEY = /[{,]\s*([A-Za-z_][\w.-]*\[\d+\][\w.[\]-]*)\s*:/;

/**
 * Syntax errors on a line that writes an indexed key unquoted in a flow mapping — one mistake the parser reports as
 * several ("Missing , or : between flow map items", "Map keys must be unique", …) — become the line's first error with
 * the fix; other errors are kept as they are.
 */
function flowBracketKeys(issues: InputIssue[], text: string): InputIssue[] {
  const lineText = text.split(/\r?\n/);
  const seen = new Set<number>();
  const out: InputIssue[] = [];
  for (const i of issues) {
    const key = i.line !== undefined ? FLOW_BRACKET_KEY.exec(lineText[i.line - 1] ?? '')?.[1] : undefined;
    if (key === undefined) {
      out.push(i);
      continue;
    }
    if (seen.has(i.line!)) continue;
    seen.add(i.line!);
    out.push({ ...i, hint: `quote a key holding [ ] inside { … }: "${key}": …; or write the mapping as a block, one key per line` });
  }
  return out;
}
