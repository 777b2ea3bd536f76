/**
 * A parsed YAML file that remembers where every value came from, so validation errors can name
 * file:line:col.
 */
import { readFileSync } from 'node:fs';
import { LineCounter, parseDocument, isMap, isSeq, isScalar, type Document, type Node } from 'yaml';
import { InputError, type InputIssue } from '../errors.ts';

export type PathKey = string | number;

export class YamlSource {
  private constructor(
    readonly file: string,
    private readonly doc: Document.Parsed,
    private readonly lines: LineCounter,
  ) {}

  static read(file: string): YamlSource {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      const why = err.code === 'ENOENT' ? 'file not found' : err.code === 'EISDIR' ? 'is a directory, expected a YAML file' : err.message;
      throw new InputError([{ source: file, path: '', message: why }]);
    }
    return YamlSource.parse(file, text);
  }

  static parse(file: string, text: string): YamlSource {
    const lines = new LineCounter();
    const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
    const issues: InputIssue[] = doc.errors.map((e) => {
      const pos = lines.linePos(e.pos[0]);
      return { source: file, line: pos.line, col: pos.col, path: '', message: `YAML syntax: ${e.message.split('\n')[0]}` };
    });
    if (issues.length > 0) throw new InputError(issues);
    return new YamlSource(file, doc, lines);
  }

  /** The document as plain JavaScript values. */
  value(): unknown {
    return this.doc.toJS({ maxAliasCount: 1000 }) ?? {};
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
