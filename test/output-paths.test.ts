/**
 * Output paths a user gives (--out, --deploy, --write, --trace): a path the system will not make or write is an
 * input error (exit 2) that names the path and why, never an errno with exit 1, never a hang (src/make-dirs.ts).
 */
import { describe, expect, it, vi } from 'vitest';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { makeDirs, OutputPathError, writeOutputFile } from '../src/make-dirs.ts';
import { reportError } from '../src/cli/main.ts';
import { vgsimInProcess } from './support/cli.ts';
import { canonicalPath, refuseClobber } from '../src/cli/output-clash.ts';

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

describe('an output never overwrites an input of the same command, or another output (fuzz pass 3: they were replaced silently)', () => {
  const d = mkdtempSync(join(tmpdir(), 'vgsim-clash-'));
  copyFileSync('test/fixtures/md1.yaml', join(d, 'parent.yaml'));
  writeFileSync(join(d, 'child.yaml'), 'extends: parent.yaml\nname: child\n');
  const expectRefused = (r: { code: number; stderr: string }, what: RegExp, untouched: string[]) => {
    const before = untouched.map((f) => readFileSync(f, 'utf8'));
    expect([r.code, r.stderr]).toEqual([2, expect.stringMatching(what)]);
    expect(untouched.map((f) => readFileSync(f, 'utf8'))).toEqual(before);
  };

  it('the comparison: real paths (links, ..), a file yet to be written by its folder', () => {
    symlinkSync(join(d, 'parent.yaml'), join(d, 'link.yaml'));
    expect(canonicalPath(join(d, 'link.yaml'))).toBe(canonicalPath(join(d, '..', d.split('/').pop()!, 'parent.yaml')));
    expect(canonicalPath(join(d, 'new.json'))).toBe(join(canonicalPath(d), 'new.json'));
    expect(() => refuseClobber([{ name: '--x', path: join(d, 'link.yaml') }], [{ name: 'the scenario', path: join(d, 'parent.yaml') }])).toThrow(OutputPathError);
    expect(() => refuseClobber([{ name: '--a', path: 'o.json' }, { name: '--b', path: resolve('o.json') }], [])).toThrow(/^--b .* and --a o\.json are the same file/);
    refuseClobber([{ name: '--a', path: join(d, 'a.json') }, { name: '--b', path: join(d, 'b.json') }], [{ name: 'the scenario', path: join(d, 'parent.yaml') }]);
  });

  it('run --trace onto the scenario, or a scenario it extends', async () => {
    for (const [target, what] of [['child.yaml', /--trace .*child\.yaml is the scenario/], ['parent.yaml', /--trace .*parent\.yaml is a scenario it extends/]] as const) {
      const r = await vgsimInProcess(['run', join(d, 'child.yaml'), '--set', 'duration=10', '--trace', join(d, target)]);
      expectRefused(r, what, [join(d, 'child.yaml'), join(d, 'parent.yaml')]);
    }
  });

  it('calibrate --write onto the fit trace or its sidecar, --write-stage-times onto the scenario, both onto one file', async () => {
    copyFileSync('calibration/serving/traces/cpu-tiny/fit.csv', join(d, 'fit.csv'));
    copyFileSync('calibration/serving/traces/cpu-tiny/load50.csv', join(d, 'v.csv'));
    const cal = (...flags: string[]) => vgsimInProcess(['calibrate', join(d, 'fit.csv'), '--scenario', join(d, 'child.yaml'), '--validate', join(d, 'v.csv'), ...flags]);
    expectRefused(await cal('--write', join(d, 'fit.csv')), /--write .*fit\.csv is the fit trace \(/, [join(d, 'fit.csv')]);
    expectRefused(await cal('--write', join(d, 'fit.json')), /is the fit trace's sidecar/, []);
    expectRefused(await cal('--write', join(d, 'v.csv')), /is --validate .*v\.csv \(/, [join(d, 'v.csv')]);
    expectRefused(await cal('--write-stage-times', join(d, 'child.yaml')), /--write-stage-times .*child\.yaml is the scenario/, [join(d, 'child.yaml')]);
    expectRefused(await cal('--write', join(d, 'a.json'), '--write-stage-times', join(d, 'a.json')), /--write-stage-times .*a\.json and --write .*a\.json are the same file/, []);
    expect(existsSync(join(d, 'a.json'))).toBe(false);
  });

  it('check --report onto a baseline or the scenario it runs', async () => {
    const baseline = join(d, 'b.yaml');
    writeFileSync(baseline, `name: b\nchecks:\n  - name: md1\n    run: parent.yaml\n    set: [duration=10]\n    expect: {requests.arrived: {min: 0}}\n`);
    expectRefused(await vgsimInProcess(['check', baseline, '--report', baseline]), /--report .*b\.yaml is a baseline/, [baseline]);
    expectRefused(await vgsimInProcess(['check', baseline, '--report', join(d, 'parent.yaml')]), /is the scenario of check "md1"/, [join(d, 'parent.yaml')]);
  });

  it('replay --out where it would write over the observed trace or its sidecar', async () => {
    copyFileSync('calibration/serving/traces/cpu-tiny/load50.csv', join(d, 'requests.csv'));
    const r = await vgsimInProcess(['replay', join(d, 'requests.csv'), '--scenario', 'calibration/serving/scenarios/cpu-tiny.yaml', '--out', d]);
    expectRefused(r, /--out .*requests\.csv is the observed trace/, [join(d, 'requests.csv')]);
  });
});
