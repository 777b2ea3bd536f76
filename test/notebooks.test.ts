/**
 * The notebooks in notebooks/ are executed headless on every test run (Deno from node_modules, no Python
 * Jupyter stack), so they cannot rot: every code cell must run, and each notebook must show a table and
 * an SVG chart.
 */
import { describe, it, expect } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { displays, listNotebooks, readNotebook, runNotebook, streamText, writeExecuted, type Notebook, type NotebookRun } from '../notebooks/runner.ts';

const notebooks = listNotebooks();

function check(run: NotebookRun): void {
  if (!run.ok) throw new Error(`${basename(run.path)} failed (exit ${run.exitCode}):\n${run.stderr}`);
}

function tempNotebook(cells: string[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'vgsim-nb-'));
  const nb: Notebook = {
    cells: cells.map((source, i) => ({ cell_type: 'code', id: `c${i}`, metadata: {}, source, outputs: [], execution_count: null })),
    metadata: { kernelspec: { name: 'deno', display_name: 'Deno', language: 'typescript' } },
    nbformat: 4,
    nbformat_minor: 5,
  };
  const path = join(dir, 'temp.ipynb');
  writeFileSync(path, JSON.stringify(nb));
  return path;
}

describe('notebooks', () => {
  it('are Deno-kernel notebooks, committed without outputs', () => {
    expect(notebooks.map((p) => basename(p))).toEqual(expect.arrayContaining(['quickstart.ipynb', 'hardware-comparison.ipynb']));
    for (const p of notebooks) {
      const nb = readNotebook(p);
      expect(nb.nbformat).toBe(4);
      expect((nb.metadata.kernelspec as { name: string }).name).toBe('deno');
      for (const c of nb.cells.filter((c) => c.cell_type === 'code')) {
        expect(c.outputs ?? []).toEqual([]);
        expect(c.execution_count ?? null).toBeNull();
      }
    }
  });

  it.each(notebooks.map((p) => [basename(p), p]))('%s runs headless: every cell, a table, an SVG chart, < 20 s', (_name, path) => {
    const run = runNotebook(path, { timeoutMs: 60_000 });
    check(run);
    expect(run.cells.every((c) => c.started)).toBe(true);
    expect(run.cells.flatMap((c) => c.outputs).filter((o) => o.output_type === 'error')).toEqual([]);
    expect(streamText(run, 'stderr')).toBe('');
    const out = streamText(run);
    expect(out).toMatch(/┌─+┬/); // console.table
    const svgs = displays(run, 'image/svg+xml') as string[];
    expect(svgs.length).toBeGreaterThanOrEqual(1);
    for (const s of svgs) expect(s).toMatch(/^<svg[\s\S]*<\/svg>\s*$/);
    expect(run.seconds).toBeLessThan(20);
    if (basename(path) === 'quickstart.ipynb') {
      expect(out).toMatch(/│ end-to-end │/);
      expect(out).toMatch(/│ 720p-5s +│/);
      expect(out).toMatch(/latency p95 +\S+ min/); // the compare table
      expect(svgs.some((s) => s.includes('End-to-end latency distribution'))).toBe(true);
    }
    if (basename(path) === 'hardware-comparison.ipynb') {
      for (const g of ['h100-sxm', 'h200', 'b200', 'mi300x', 'h20']) expect(out).toContain(`│ ${g}`);
      expect(out).toMatch(/fits/);
      expect(svgs.some((s) => s.includes('720P'))).toBe(true);
    }
    // the executed copy is a valid notebook with outputs and execution counts 1..n
    const dir = mkdtempSync(join(tmpdir(), 'vgsim-nb-out-'));
    const copy = JSON.parse(readFileSync(writeExecuted(run, dir), 'utf8')) as Notebook;
    const code = copy.cells.filter((c) => c.cell_type === 'code');
    expect(code.map((c) => c.execution_count)).toEqual(code.map((_, i) => i + 1));
    expect(code.some((c) => (c.outputs ?? []).some((o) => o.output_type === 'display_data'))).toBe(true);
  });

  it('attributes outputs to their cells and captures every kind of display', () => {
    const run = runNotebook(tempNotebook([
      "console.log('one');\nconsole.warn('careful');",
      "await Deno.jupyter.display({ 'text/html': '<b>x</b>', 'text/plain': 'x' }, { raw: true });\nawait Deno.jupyter.display(Deno.jupyter.md`# title`);\nawait Deno.jupyter.display({ a: 1 });",
      "Deno.stdout.writeSync(new TextEncoder().encode('no newline'));",
    ]));
    check(run);
    const [c1, c2, c3] = run.cells;
    expect(c1!.outputs).toEqual([
      { output_type: 'stream', name: 'stdout', text: ['one\n'] },
      { output_type: 'stream', name: 'stderr', text: ['careful\n'] },
    ]);
    expect(c2!.outputs.map((o) => (o.output_type === 'display_data' ? Object.keys(o.data) : o.output_type))).toEqual([['text/html', 'text/plain'], ['text/markdown'], ['text/plain']]);
    expect(c3!.outputs).toEqual([{ output_type: 'stream', name: 'stdout', text: ['no newline'] }]);
  });

  it('a failing cell fails the run with its cell and line, and later cells do not run', () => {
    const run = runNotebook(tempNotebook(["console.log('before');", "const x = 1;\nthrow new Error('boom');", "console.log('never');"]));
    expect(run.ok).toBe(false);
    expect(run.exitCode).not.toBe(0);
    expect(run.stderr).toMatch(/boom/);
    expect(run.stderr).toMatch(/code cell 2, line 2/);
    const [c1, c2, c3] = run.cells;
    expect(c1!.outputs).toEqual([{ output_type: 'stream', name: 'stdout', text: ['before\n'] }]);
    expect(c2!.outputs.at(-1)).toMatchObject({ output_type: 'error', ename: 'Error', evalue: 'boom' });
    expect(c3!.started).toBe(false);
    expect(c3!.outputs).toEqual([]);
  });
});
