/**
 * Reading a file a user names (a scenario, a trace, an observed trace and its sidecar): a regular file — not a
 * directory, device, FIFO or socket, checked before it is opened, since opening a FIFO blocks and /dev/zero never
 * ends — of at most a bound, read with at most one byte past it (a file that grew since it was checked is
 * refused, not read whole). Every refusal goes through the caller's `refuse`, which names the file.
 */
import { closeSync, fstatSync, openSync, readSync, statSync } from 'node:fs';

export interface InputFileKind {
  /** What the file should be, for "expected ...": "a YAML file", "a CSV file". */
  expected: string;
  /** The file as a noun with its article, for "... is at most N bytes": "a scenario file", "a trace". */
  noun: string;
  maxBytes: number;
  /** A suggestion for a file over the bound. */
  tooBigHint?: string;
  /** Refuse a file holding NUL bytes (not text). */
  textOnly?: boolean;
}

/** The file's text, or `refuse(message, hint)` (which throws) saying why it cannot be read as `kind`. */
export function readInputText(file: string, kind: InputFileKind, refuse: (message: string, hint?: string) => never): string {
  const bytes = (n: number) => n.toLocaleString('en-US');
  const tooBig = (size: string) => refuse(`it is ${size} bytes; ${kind.noun} is at most ${bytes(kind.maxBytes)}`, kind.tooBigHint);
  let st;
  try {
    st = statSync(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return refuse(code === 'ENOENT' ? 'file not found' : code === 'EACCES' ? 'permission denied' : `cannot read it (${code ?? (e as Error).message})`);
  }
  if (st.isDirectory()) refuse(`it is a directory, expected ${kind.expected}`);
  if (!st.isFile()) refuse(`it is not a regular file (a device, FIFO or socket), expected ${kind.expected}`);
  if (st.size > kind.maxBytes) tooBig(bytes(st.size));
  let fd: number | undefined;
  let text: string;
  try {
    fd = openSync(file, 'r');
    const buf = Buffer.alloc(Math.min(fstatSync(fd).size, kind.maxBytes) + 1);
    let n = 0;
    for (let got; n < buf.length && (got = readSync(fd, buf, n, buf.length - n, null)) > 0; ) n += got;
    if (n > kind.maxBytes) tooBig(`over ${bytes(kind.maxBytes)}`);
    text = buf.subarray(0, n).toString('utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === undefined) throw e; // the refusal itself
    return refuse(code === 'EACCES' ? 'permission denied' : `cannot read it (${code})`);
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
  if (kind.textOnly && text.includes('\u0000')) refuse(`it is not a text file (it holds NUL bytes), expected ${kind.expected}`);
  return text;
}

/** A JSON file a user names (serving overheads, stage times, a model config): at most 16 MiB, parsed, or `refuse` saying why not. */
export const MAX_INPUT_JSON_BYTES = 16 << 20;
export function readInputJson(file: string, refuse: (message: string, hint?: string) => never): any {
  const text = readInputText(file, { expected: 'a JSON file', noun: 'a JSON input', maxBytes: MAX_INPUT_JSON_BYTES, tooBigHint: 'is this the right file?', textOnly: true }, refuse);
  try {
    return JSON.parse(text);
  } catch (e) {
    return refuse(`not valid JSON${jsonErrorAt(text, (e as Error).message)}`);
  }
}

/**
 * Where JSON.parse stopped, as a person finds it in an editor: Node 20 says only "… in JSON at position 103" (a
 * character offset), so the offset becomes " at line 3, column 24: …" with the parser's words before it; a message
 * without an offset is kept as ": <message>".
 */
export function jsonErrorAt(text: string, message: string): string {
  const m = / in JSON at position (\d+)/.exec(message);
  if (!m) return `: ${message}`;
  const pos = Number(m[1]);
  const before = text.slice(0, pos);
  const line = before.split('\n').length;
  const col = pos - before.lastIndexOf('\n');
  return ` at line ${line}, column ${col}: ${message.slice(0, m.index)}`;
}
