/**
 * Output paths a user gives (--out, --deploy, --write, --trace): a path the system will not make or write is an
 * input error (exit 2) that names the path and why, never an errno with exit 1, never a hang (src/make-dirs.ts).
 */
import { describe, expect, it, vi } from 'vitest';
import { existsSync, mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeDirs, OutputPathError, writeOutputFile } from '../src/make-dirs.ts';
import { reportError } from '../src/cli/main.ts';
import { vgsimInProcess } from './support/cli.ts';

describe('makeDirs: mkdir -p that says why it cannot', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vgsim-out-'));
  it('makes every missing folder, and leaves an existing one alone', () => {
    makeDirs(join(dir, 'a', 'b', 'c'));
    expect(statSync(join(dir, 'a', 'b', 'c')).isDirectory()).toBe(true);
    makeDirs(join(dir, 'a'));
  });
  it('a file in the way, or a file as a parent, is said as such', () => {
    writeFileSync(join(dir, 'f'), 'x');
    expect(() => makeDirs(join(dir, 'f'))).toThrow(/a file is in the way/);
    expect(() => makeDirs(join(dir, 'f', 'sub'))).toThrow(/f is a file, not a folder/);
    expect(() => makeDirs(join(dir, 'f', 'sub'))).toThrow(OutputPathError);
  });
  it.runIf(existsSync('/proc/self'))('a folder the system will not create ends (Node 20 recursive mkdir loops forever under /proc)', () => {
    expect(() => makeDirs('/proc/vgsim-nope/x')).toThrow(/cannot create \/proc\/vgsim-nope/);
  });
});

describe('the CLI reports file-system refusals on the user\'s paths with exit 2', () => {
  it('errno errors carrying a path: the path, the cause in words, exit 2', () => {
    const err = Object.assign(new Error('EISDIR: illegal operation on a directory, open'), { code: 'EISDIR', path: '/tmp', syscall: 'open' });
    expect(reportError(err)).toBe(2);
    expect(reportError(new OutputPathError('x: a file is in the way'))).toBe(2);
    // not a path problem: still an internal error
    expect(reportError(new Error('boom'))).toBe(1);
  });
  it('vgsim run --out onto a file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vgsim-out-'));
    writeFileSync(join(dir, 'file'), 'x');
    const r = await vgsimInProcess(['run', 'scenarios/default.yaml', '--set', 'duration=10m', '--out', join(dir, 'file')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/a file is in the way/);
  });
  it('vgsim plan --deploy onto a file names --deploy (it said --out)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vgsim-out-'));
    writeFileSync(join(dir, 'file'), 'x');
    const r = await vgsimInProcess(['plan', '--model', 'wan2.1-t2v-1.3b', '--gpu', 'h100-sxm', '--gpus', '1', '--deploy', join(dir, 'file')]);
    expect([r.code, r.stderr]).toEqual([2, expect.stringMatching(/a file is in the way \(an output folder is needed here\); give another --deploy/)]);
  });
  it.runIf(existsSync('/dev/full'))('a full device: exit 2 naming the output (ENOSPC from a write carries no path: it exited 1 with none)', async () => {
    expect(() => writeOutputFile('/dev/full', 'x')).toThrow(/^\/dev\/full: cannot write it: no space left on the device \(ENOSPC on write\)$/);
    const r = await vgsimInProcess(['run', 'scenarios/default.yaml', '--set', 'duration=10m', '--trace', '/dev/full']);
    expect([r.code, r.stderr]).toEqual([2, expect.stringContaining('error: /dev/full: cannot write it: no space left on the device')]);
  });
  it('a write error of an output written elsewhere names the output flags of the command line, exit 2', () => {
    const err = Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC', errno: -28, syscall: 'write' });
    const spy = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      expect(reportError(err, ['node', 'vgsim', 'check', 'b.yaml', '--report=/x/r.json'])).toBe(2);
      expect(String(spy.mock.calls[0]![0])).toBe('error: cannot write an output: no space left on the device (ENOSPC on write); the outputs given: --report /x/r.json\n');
    } finally {
      spy.mockRestore();
    }
  });
});
