/**
 * Headless runner for the Deno-kernel notebooks in this folder — no Python Jupyter stack needed.
 *
 * A notebook's code cells are concatenated, in order, into one TypeScript module that the `deno` binary
 * from node_modules runs from this folder (so `../src/...` imports and `deno.json` resolve exactly as in
 * the kernel, whose working directory is the notebook's folder). A small shim stands in for
 * `Deno.jupyter` (which throws outside `deno jupyter`): `display()`, `md`, `html`, `svg` and `format`
 * record what the cell showed. Markers written between cells attribute stdout, console.error/warn and
 * displays to the cell that produced them, so the executed notebook gets real outputs per cell.
 *
 * Differences from the kernel: cells share one module scope (a name may be declared once per notebook,
 * imports are hoisted), and a cell's last expression is not displayed — show results explicitly.
 *
 *   npm run notebooks            run every notebook, write executed copies to out/notebooks/
 *   npm run notebooks -- quickstart.ipynb
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const NOTEBOOK_DIR = dirname(fileURLToPath(import.meta.url));
export const REPO_ROOT = resolve(NOTEBOOK_DIR, '..');

// ---------------------------------------------------------------------------------------------------
// nbformat 4 (the parts we read and write)

export type MultilineString = string | string[];

export interface StreamOutput {
  output_type: 'stream';
  name: 'stdout' | 'stderr';
  text: string[];
}
export interface DisplayOutput {
  output_type: 'display_data';
  data: Record<string, unknown>;
  metadata: Record<string, unknown>;
}
export interface ErrorOutput {
  output_type: 'error';
  ename: string;
  evalue: string;
  traceback: string[];
}
export type CellOutput = StreamOutput | DisplayOutput | ErrorOutput;

export interface NotebookCell {
  cell_type: 'code' | 'markdown' | 'raw';
  id?: string;
  metadata: Record<string, unknown>;
  source: MultilineString;
  outputs?: CellOutput[];
  execution_count?: number | null;
}

export interface Notebook {
  cells: NotebookCell[];
  metadata: Record<string, unknown>;
  nbformat: number;
  nbformat_minor: number;
}

export function readNotebook(path: string): Notebook {
  return JSON.parse(readFileSync(path, 'utf8')) as Notebook;
}

export function sourceOf(cell: NotebookCell): string {
  return Array.isArray(cell.source) ? cell.source.join('') : cell.source;
}

/** Split text into nbformat's list of lines, each keeping its newline. */
export function toLines(text: string): string[] {
  return text.match(/[^\n]*\n|[^\n]+$/g) ?? [];
}

/** The notebooks of this folder (sorted). */
export function listNotebooks(dir = NOTEBOOK_DIR): string[] {
  return readdirSync(dir).filter((f) => f.endsWith('.ipynb')).sort().map((f) => join(dir, f));
}

/** The deno binary installed by the `deno` npm package (devDependency). */
export function denoBinary(): string {
  const candidates = [join(REPO_ROOT, 'node_modules', '.bin', 'deno'), join(REPO_ROOT, 'node_modules', 'deno', 'bin.cjs')];
  const found = candidates.find((c) => existsSync(c));
  if (!found) throw new Error('deno is not installed: run npm install (the "deno" devDependency provides it)');
  return found;
}

// ---------------------------------------------------------------------------------------------------
// the program

const MARK = '\u001e@@vgsim-nb@@';

/** Runs in Deno before the cells: the Deno.jupyter stand-in and the cell markers. Plain JS (no types). */
const SHIM = `
const __nbMark = ${JSON.stringify(MARK)};
const __nbLog = console.log.bind(console);
const __nbEmit = (ev) => __nbLog(__nbMark + JSON.stringify(ev));
for (const m of ['error', 'warn']) {
  console[m] = (...args) => { __nbEmit({ t: 'stderr-begin' }); __nbLog(...args); __nbEmit({ t: 'stderr-end' }); };
}
const __nbDisplaySym = Symbol.for('Jupyter.display');
const __nbFormat = (obj) => {
  if (obj !== null && typeof obj === 'object' && typeof obj[__nbDisplaySym] === 'function') return obj[__nbDisplaySym]();
  return { 'text/plain': Deno.inspect(obj, { colors: false }) };
};
const __nbBundle = (mime) => (strings, ...values) => {
  const text = typeof strings === 'string' ? strings : String.raw({ raw: strings }, ...values);
  return { [__nbDisplaySym]: () => ({ [mime]: text }) };
};
globalThis.__vgsimNotebook = { cell: (i) => __nbEmit({ t: 'cell', i }), end: () => __nbEmit({ t: 'end' }) };
Deno.jupyter = {
  $display: __nbDisplaySym,
  display: async (obj, options = {}) => {
    const data = options.raw ? obj : __nbFormat(obj);
    __nbEmit({ t: 'display', data, metadata: options.metadata ?? {} });
  },
  format: __nbFormat,
  md: __nbBundle('text/markdown'),
  html: __nbBundle('text/html'),
  svg: __nbBundle('image/svg+xml'),
  broadcast: async () => {},
};
`;

export interface Program {
  source: string;
  /** Indices (into notebook.cells) of the code cells, in program order. */
  cells: number[];
  /** 1-based program line of each code cell's first line. */
  firstLine: number[];
}

/** The module that runs a notebook's code cells in order, with markers between them. */
export function buildProgram(nb: Notebook): Program {
  const lines: string[] = SHIM.trim().split('\n');
  const cells: number[] = [];
  const firstLine: number[] = [];
  nb.cells.forEach((cell, i) => {
    if (cell.cell_type !== 'code') return;
    const src = sourceOf(cell).replace(/\n$/, '');
    lines.push(`globalThis.__vgsimNotebook.cell(${i});`);
    cells.push(i);
    firstLine.push(lines.length + 1);
    lines.push(...src.split('\n'));
  });
  lines.push('globalThis.__vgsimNotebook.end();');
  return { source: lines.join('\n') + '\n', cells, firstLine };
}

/** "$deno$stdin.ts:42:7" → "cell 3, line 5:7" (cell numbers count code cells from 1, as Jupyter shows them). */
function mapLocations(text: string, prog: Program): string {
  return text.replace(/(?:file:\/\/\S*?)?\$deno\$stdin\.[mc]?ts:(\d+):(\d+)/g, (m, l: string, c: string) => {
    const line = Number(l);
    let k = -1;
    for (let j = 0; j < prog.firstLine.length; j++) if (prog.firstLine[j]! <= line) k = j;
    return k < 0 ? m : `code cell ${k + 1}, line ${line - prog.firstLine[k]! + 1}:${c}`;
  });
}

// ---------------------------------------------------------------------------------------------------
// running

export interface CellRun {
  /** Index into notebook.cells. */
  index: number;
  outputs: CellOutput[];
  /** Whether the run reached this cell. */
  started: boolean;
}

export interface NotebookRun {
  path: string;
  ok: boolean;
  exitCode: number | null;
  /** Whether every cell ran to the end marker. */
  completed: boolean;
  seconds: number;
  cells: CellRun[];
  /** Deno's own stderr (uncaught errors), with locations mapped to cells. */
  stderr: string;
  /** The notebook with outputs and execution counts filled in. */
  executed: Notebook;
}

function pushStream(outputs: CellOutput[], name: 'stdout' | 'stderr', text: string) {
  if (!text) return;
  const last = outputs.at(-1);
  if (last && last.output_type === 'stream' && last.name === name) {
    const joined = last.text.join('') + text;
    last.text = toLines(joined);
  } else outputs.push({ output_type: 'stream', name, text: toLines(text) });
}

/** Execute one notebook headless; never throws for a failing cell (see NotebookRun.ok). */
export function runNotebook(path: string, opts: { timeoutMs?: number } = {}): NotebookRun {
  const nb = readNotebook(path);
  const prog = buildProgram(nb);
  const t0 = performance.now();
  const r = spawnSync(denoBinary(), ['run', '--allow-all', '--ext=ts', '-'], {
    cwd: dirname(resolve(path)),
    input: prog.source,
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
    timeout: opts.timeoutMs ?? 120_000,
    env: { ...process.env, NO_COLOR: '1', DENO_NO_UPDATE_CHECK: '1' },
  });
  const seconds = (performance.now() - t0) / 1000;

  const runs = new Map<number, CellRun>(prog.cells.map((i) => [i, { index: i, outputs: [], started: false }]));
  let current: CellRun | undefined;
  let stream: 'stdout' | 'stderr' = 'stdout';
  let completed = false;
  const stdout = r.stdout ?? '';
  const pieces = stdout.split('\n');
  pieces.forEach((line, k) => {
    const last = k === pieces.length - 1;
    const at = line.indexOf(MARK);
    if (at < 0) {
      if (current && !(last && line === '')) pushStream(current.outputs, stream, line + (last ? '' : '\n'));
      return;
    }
    if (at > 0 && current) pushStream(current.outputs, stream, line.slice(0, at));
    const ev = JSON.parse(line.slice(at + MARK.length)) as { t: string; i?: number; data?: Record<string, unknown>; metadata?: Record<string, unknown> };
    if (ev.t === 'cell') {
      current = runs.get(ev.i!);
      if (current) current.started = true;
      stream = 'stdout';
    } else if (ev.t === 'stderr-begin') stream = 'stderr';
    else if (ev.t === 'stderr-end') stream = 'stdout';
    else if (ev.t === 'display' && current) current.outputs.push({ output_type: 'display_data', data: ev.data ?? {}, metadata: ev.metadata ?? {} });
    else if (ev.t === 'end') completed = true;
  });

  const stderr = mapLocations((r.stderr ?? '') + (r.error ? `\n${r.error.message}` : ''), prog);
  const ok = r.status === 0 && completed;
  if (!ok) {
    const target = current ?? runs.get(prog.cells[0]!);
    const msg = stderr.trim() || (r.signal ? `killed by ${r.signal} (timeout?)` : `exit code ${r.status}`);
    const first = msg.split('\n').find((l) => l.trim()) ?? msg;
    const m = /(?:error: )?(?:Uncaught (?:\(in promise\) )?)?(\w*Error)(?::\s*(.*))?/.exec(first);
    target?.outputs.push({ output_type: 'error', ename: m?.[1] ?? 'Error', evalue: m?.[2] ?? first, traceback: msg.split('\n') });
  }

  // the executed copy
  const executed: Notebook = JSON.parse(JSON.stringify(nb)) as Notebook;
  let count = 0;
  executed.cells.forEach((cell, i) => {
    if (cell.cell_type !== 'code') return;
    const run = runs.get(i)!;
    cell.outputs = run.outputs;
    cell.execution_count = run.started ? ++count : null;
  });
  return { path, ok, exitCode: r.status, completed, seconds, cells: [...runs.values()], stderr, executed };
}

/** Write the executed copy to dir/<name>.ipynb; returns its path. */
export function writeExecuted(run: NotebookRun, dir: string): string {
  mkdirSync(dir, { recursive: true });
  const out = join(dir, basename(run.path));
  writeFileSync(out, JSON.stringify(run.executed, null, 1) + '\n');
  return out;
}

/** All outputs of a run of a given type / MIME type (for tests). */
export function displays(run: NotebookRun, mime: string): unknown[] {
  return run.cells.flatMap((c) => c.outputs.filter((o): o is DisplayOutput => o.output_type === 'display_data' && mime in o.data).map((o) => o.data[mime]));
}

export function streamText(run: NotebookRun, name: 'stdout' | 'stderr' = 'stdout'): string {
  return run.cells.flatMap((c) => c.outputs.filter((o): o is StreamOutput => o.output_type === 'stream' && o.name === name).map((o) => o.text.join(''))).join('');
}

// ---------------------------------------------------------------------------------------------------
// npm run notebooks

async function main(argv: string[]): Promise<number> {
  const outDir = join(REPO_ROOT, 'out', 'notebooks');
  const wanted = argv.filter((a) => !a.startsWith('-'));
  const paths = wanted.length ? wanted.map((w) => resolve(existsSync(w) ? w : join(NOTEBOOK_DIR, w))) : listNotebooks();
  let failed = 0;
  for (const p of paths) {
    const run = runNotebook(p);
    const out = writeExecuted(run, outDir);
    const nDisplays = run.cells.reduce((a, c) => a + c.outputs.filter((o) => o.output_type === 'display_data').length, 0);
    process.stdout.write(`${run.ok ? 'ok  ' : 'FAIL'}  ${basename(p)}  ${run.seconds.toFixed(1)} s, ${run.cells.filter((c) => c.started).length}/${run.cells.length} code cells, ${nDisplays} displays → ${out}\n`);
    if (!run.ok) {
      failed++;
      process.stdout.write(run.stderr.split('\n').map((l) => `      ${l}`).join('\n') + '\n');
    }
  }
  return failed ? 1 : 0;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exitCode = await main(process.argv.slice(2));
}
