/**
 * A parsed YAML file that remembers where every value came from, so validation errors can name
 * file:line:col.
 */
import { LineCounter, parseDocument, isMap, isSeq, isScalar, type Document, type Node } from 'yaml';
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
    const lines = new LineCounter();
    const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
    const issues: InputIssue[] = doc.errors.map((e) => {
      const pos = lines.linePos(e.pos[0]);
      return { source: file, line: pos.line, col: pos.col, path: '', message: `YAML syntax: ${e.message.split('\n')[0]}` };
    });
    if (issues.length > 0) throw new InputError(issues);
    const source = new YamlSource(file, doc, lines);
    try {
      source.value();
    } catch (e) {
      // an alias without its anchor (*nope), or aliases that expand a value more than MAX_ALIAS_COUNT times
      const message = (e instanceof Error ? e.message : String(e)).split('\n')[0]!;
      const alias = /: (\S+)$/.exec(message)?.[1];
      const at = alias !== undefined ? text.indexOf(`*${alias}`) : -1;
      throw new InputError([{ source: file, ...(at >= 0 ? lines.linePos(at) : {}), path: '', message: `YAML: ${message}`, hint: `define an anchor (&name) before its alias (*name); aliases may repeat values at most ${MAX_ALIAS_COUNT} times` }]);
    }
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

function childOf(node: unknown, key: PathKey): unknown {
  if (isMap(node)) {
    const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === String(key));
    return pair ? (pair.value ?? null) : undefined;
  }
  if (isSeq(node) && typeof key === 'number') return node.items[key];
  return undefined;
}
