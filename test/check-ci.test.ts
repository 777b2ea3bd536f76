/**
 * `vgsim check` as a CI step: failures located at file:line:col, JUnit XML, byte-stable reports, an error
 * document on bad input, --update re-pinning only what drifted, and the rough edges of a baseline file.
 */
import { describe, it, expect, beforeAll } from 'vitest';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { vgsimInProcess } from './support/cli.ts';
import { estimateDocument } from '../src/check/run.ts';
import { loadBaseline } from '../src/check/baseline.ts';
import { InputError } from '../src/errors.ts';

const ESTIMATE = '{model: wan2.2-t2v-a14b, gpu: h100-sxm, resolution: 1280x720, offload: true}';
let dir: string;
let est: Record<string, any>;

/** `vgsim check ARGS` in-process; the exit code of one call never leaks into the next. */
async function check(...args: string[]) {
  process.exitCode = undefined;
  try {
    return await vgsimInProcess(['check', ...args]);
  } finally {
    process.exitCode = undefined;
  }
}

/** Writes a baseline of estimate checks: `checks` maps a check name to its `expect:` lines. */
function baseline(name: string, checks: Record<string, string[]>): string {
  const file = join(dir, name);
  writeFileSync(file, ['checks:', ...Object.entries(checks).flatMap(([n, lines]) => [`  - name: ${n}`, `    estimate: ${ESTIMATE}`, '    expect:', ...lines.map((l) => `      ${l}`)]), ''].join('\n'));
  return file;
}

/** Problems with a baseline, as "line:col message". */
function loadIssues(file: string): string[] {
  try {
    loadBaseline(file);
  } catch (e) {
    if (e instanceof InputError) return e.issues.map((i) => `${i.line}:${i.col} ${i.message}`);
    throw e;
  }
  return [];
}

/**
 * XML well-formedness, enough for the JUnit file: one declaration, tags that nest and close, attribute values
 * quoted, no bare "<" or "&" in text or attributes.
 */
function assertWellFormed(xml: string): void {
  expect(xml.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n')).toBe(true);
  const body = xml.slice(xml.indexOf('\n') + 1);
  const entity = /&(amp|lt|gt|quot|apos);/g;
  const tag = /<(\/?)([A-Za-z_][\w.-]*)((?:\s+[\w:.-]+="[^"<]*")*)\s*(\/?)>/g;
  const stack: string[] = [];
  let at = 0;
  for (const m of body.matchAll(tag)) {
    const text = body.slice(at, m.index);
    expect(text.replace(entity, ''), `text before ${m[0]}`).not.toMatch(/[<&]/);
    expect(m[3]!.replace(entity, ''), `attributes of ${m[0]}`).not.toMatch(/&/);
    if (m[1]) expect(stack.pop(), `closing ${m[2]}`).toBe(m[2]);
    else if (!m[4]) stack.push(m[2]!);
    at = m.index! + m[0].length;
  }
  expect(body.slice(at).trim()).toBe('');
  expect(stack).toEqual([]);
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'vgsim-check-ci-'));
  est = estimateDocument({ model: 'wan2.2-t2v-a14b', gpu: 'h100-sxm', resolution: '1280x720', offload: true }, process.cwd()) as any;
});

describe('vgsim check in CI', () => {
  it('lists every failing metric with file:line:col and its check after the table; JSON metrics carry line and col; --junit writes well-formed, stable XML', async () => {
    const file = baseline('drift.yaml', {
      'fine': [`total_s: {value: ${est.total_s}, tolerance: 1%}`],
      'a <check> & "quotes"': [
        `forward_s: {value: ${est.forward_s * 1.1}, tolerance: 2%}`,
        `total_s: {value: ${est.total_s}, tolerance: 1%}`,
        'vae_decode_s: {max: 1}',
      ],
    });
    const junit = join(dir, 'out', 'check.xml');
    const r = await check(file, '--junit', junit);
    expect(r.code).toBe(3);
    const list = r.stdout.slice(r.stdout.indexOf('drifted or out of bounds:'));
    expect(list.split('\n').slice(1, 3)).toEqual([
      expect.stringMatching(new RegExp(`^  ${file}:9:7  a <check> & "quotes"  forward_s: [\\d.]+ -> [\\d.]+ \\(-9\\.09%, tolerance 2%\\)$`)),
      expect.stringMatching(new RegExp(`^  ${file}:11:7  a <check> & "quotes"  vae_decode_s: [\\d.]+ outside <= 1 \\(\\+\\d+\\.\\d\\d%\\)$`)),
    ]);
    expect(r.stdout.trimEnd().split('\n').at(-1)).toMatch(/^1 of 2 checks passed, 2 of 4 metrics within tolerance \(1 drifted, 1 outside bounds\) in [\d.]+ s$/);
    const xml = readFileSync(junit, 'utf8');
    assertWellFormed(xml);
    expect(xml).toContain(`<testcase name="fine" classname="${file}" file="${file}" line="2"/>`);
    expect(xml).toContain('<testcase name="a &lt;check&gt; &amp; &quot;quotes&quot;"');
    expect(xml).toMatch(/<failure message="2 of 3 metrics drifted or outside bounds: forward_s, vae_decode_s" type="DRIFT">[^<]*:9:7  forward_s: /);
    await check(file, '--junit', junit);
    expect(readFileSync(junit, 'utf8')).toBe(xml);
    const json = JSON.parse((await check(file, '--json')).stdout);
    expect(json.files[0].checks[1].metrics.map((m: any) => [m.metric, m.line, m.col])).toEqual([['forward_s', 9, 7], ['total_s', 10, 7], ['vae_decode_s', 11, 7]]);
  });

  it('a malformed bound (1..5, "1.0.0", ".") or a .inf tolerance is bad input with file:line, never a bound that always passes', () => {
    const file = baseline('nan.yaml', { a: ['forward_s: {max: "1.0.0"}', 'vae_decode_s: {max: 1..5}', 'total_s: {min: "."}', 'gpus: {value: 1, tolerance: .inf}'] });
    expect(loadIssues(file)).toEqual([
      '5:24 expected a finite number (or a duration such as 45m)',
      '6:27 expected a finite number (or a duration such as 45m)',
      '7:22 expected a finite number (or a duration such as 45m)',
      expect.stringMatching(/^8:\d+ expected a tolerance: a percentage such as 2%/),
    ]);
  });

  it('the report is byte-stable (timings only with --timings); --update reports the state after re-pinning; bad input still writes an error report and JUnit, exit 2', async () => {
    const file = baseline('stable.yaml', { a: [`total_s: {value: ${est.total_s}, tolerance: 1%}`] });
    const [r1, r2] = [join(dir, 'r1.json'), join(dir, 'r2.json')];
    await check(file, '--report', r1);
    await check(file, '--report', r2);
    expect(readFileSync(r1, 'utf8')).toBe(readFileSync(r2, 'utf8'));
    expect(readFileSync(r1, 'utf8')).not.toContain('wall_s');
    const timed = JSON.parse((await check(file, '--json', '--timings')).stdout);
    expect(timed.timings).toEqual({ wall_s: expect.any(Number), checks: [{ file, check: 'a', wall_s: expect.any(Number) }] });

    const drift = baseline('repin.yaml', { a: ['total_s: {value: 900, tolerance: 1%}'] });
    const u = await check(drift, '--update', '--json');
    expect(u.code).toBe(0);
    const doc = JSON.parse(u.stdout);
    expect(doc).toMatchObject({ ok: true, passed: 1, failed: 0, metrics: { total: 1, failed: 0 }, updated: [{ metric: 'total_s', from: 900, line: 5 }] });
    expect(doc.files[0].checks[0].metrics[0]).toMatchObject({ status: 'DRIFT', ok: false, repinned: true });

    const bad = baseline('bad.yaml', { a: ['totl_s: 1'] });
    const [report, junit] = [join(dir, 'bad', 'report.json'), join(dir, 'bad', 'junit.xml')];
    const e = await check(bad, '--json', '--report', report, '--junit', junit);
    expect(e.code).toBe(2);
    const errors = { ok: false, errors: [{ file: bad, line: 5, col: 7, path: 'checks.0.expect', message: 'check "a": unknown metric "totl_s" (the document has no field "totl_s")', hint: 'did you mean "total_s"?' }] };
    expect(JSON.parse(e.stdout)).toEqual(errors);
    expect(JSON.parse(readFileSync(report, 'utf8'))).toEqual(errors);
    const xml = readFileSync(junit, 'utf8');
    assertWellFormed(xml);
    // a failing test case at the problem's file and line, named by its field, the message saying what is wrong
    expect(xml).toContain(`<testcase name="invalid input: checks.0.expect" classname="${bad}" file="${bad}" line="5">\n      <failure message="${bad}:5:7  checks.0.expect: check &quot;a&quot;: unknown metric &quot;totl_s&quot;`);
    expect(xml).toContain('<testsuites name="vgsim check" tests="1" failures="1" errors="0">');
  });

  it('--junit on bad input: each problem is a failing test case at its file:line, beside the checks that did run (it held one "baseline input" error and dropped them)', async () => {
    const mixed = baseline('mixed.yaml', { fine: [`total_s: {value: ${est.total_s}, tolerance: 1%}`], typo: ['totl_s: 1'] });
    const broken = join(dir, 'broken.yaml');
    writeFileSync(broken, 'checks:\n  - name: x\n    estimat: {model: wan2.1-t2v-1.3b}\n');
    const junit = join(dir, 'bad-mixed', 'junit.xml');
    expect((await check(mixed, '--junit', junit)).code).toBe(2);
    const xml = readFileSync(junit, 'utf8');
    assertWellFormed(xml);
    // the check that ran passes, as checkJunit writes it; the bad one fails where it is
    expect(xml).toContain(`<testcase name="fine" classname="${mixed}" file="${mixed}" line="2"/>`);
    expect(xml).toMatch(new RegExp(`<testcase name="invalid input: checks\\.1\\.expect" classname="[^"]+" file="[^"]+" line="9">\\n +<failure message="[^"]*mixed\\.yaml:9:7  checks\\.1\\.expect: check &quot;typo&quot;: unknown metric &quot;totl_s&quot;[^"]*\\(did you mean &quot;total_s&quot;\\?\\)" type="InputError">`));
    expect(xml).toContain('<testsuites name="vgsim check" tests="2" failures="1" errors="0">');
    // a schema problem stops every file before anything runs: one failing case per problem, each at its line
    expect((await check(broken, '--junit', junit)).code).toBe(2);
    const schema = readFileSync(junit, 'utf8');
    assertWellFormed(schema);
    expect([...schema.matchAll(/<testcase name="([^"]+)"[^>]* line="(\d+)">\n +<failure message="[^"]*broken\.yaml:(\d+):\d+  /g)].map((m) => [m[1], m[2], m[3]])).toEqual([
      ['invalid input: checks.0.expect', '2', '2'],
      ['invalid input: checks.0.estimat', '3', '3'],
    ]);
  });

  it('an --only that matches no check is bad input that --report and --junit record, exit 2 (they were not written)', async () => {
    const file = baseline('only.yaml', { alpha: [`total_s: {value: ${est.total_s}, tolerance: 1%}`] });
    const [report, junit] = [join(dir, 'only', 'report.json'), join(dir, 'only', 'junit.xml')];
    const r = await check(file, '--only', 'bet', '--report', report, '--junit', junit);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^--only  "bet" matches no check .*\(checks: "alpha"\)$/m);
    expect(JSON.parse(readFileSync(report, 'utf8'))).toMatchObject({ ok: false, errors: [{ file: '--only', message: expect.stringMatching(/^"bet" matches no check/), hint: 'checks: "alpha"' }] });
    const xml = readFileSync(junit, 'utf8');
    assertWellFormed(xml);
    expect(xml).toContain('<testcase name="invalid input: --only" classname="--only">');
  });

  it('--update re-pins only what drifted; --update-all re-snapshots every value that moved', async () => {
    const lines = [`total_s: {value: ${+(est.total_s * 1.005).toFixed(2)}, tolerance: 1%}`, 'forward_s: {value: 1, tolerance: 1%}'];
    const file = baseline('update.yaml', { a: lines });
    const text = readFileSync(file, 'utf8');
    const u = await check(file, '--update');
    expect(u.code).toBe(0);
    expect(u.stdout).toMatch(/update: re-pinned 1 drifted value in 1 file\(s\):\n  .*:6  a  forward_s: 1 -> 13\.1016\n/);
    expect(readFileSync(file, 'utf8')).toBe(text.replace('forward_s: {value: 1,', `forward_s: {value: ${+est.forward_s.toPrecision(6)},`));
    const again = await check(file, '--update');
    expect(again.stdout).toMatch(/update: no value drifted; no file changed \(--update-all/);
    const all = await check(file, '--update-all');
    expect(all.stdout).toMatch(/update: re-pinned 1 value in 1 file\(s\):\n  .*:5  a  total_s: [\d.]+ -> 1079\.88\n/);
  });

  it('a failing row shows the digits that differ; a relative tolerance of a value pinned at 0 warns', async () => {
    const file = baseline('digits.yaml', { a: [`forward_s: {value: ${+est.forward_s.toPrecision(6)}, tolerance: 0%}`, 'gpus: {value: 0, tolerance: 5%}', 'vae_decode_s: {value: 0, tolerance: 10}'] });
    const r = await check(file);
    expect(r.code).toBe(3);
    const row = r.stdout.split('\n').find((l) => l.includes('forward_s'))!;
    const [, , expected, actual, , drift] = row.trim().split(/\s{2,}/);
    expect(expected).not.toBe(actual);
    expect(Number(actual)).toBeCloseTo(est.forward_s, 5);
    expect(drift).not.toBe('0.00%');
    expect(r.stderr).toContain(`warning: ${file}:6:7  checks.0.expect.gpus: metric "gpus" is pinned at 0 with a relative tolerance (5% of 0 is 0): it must match exactly (give an absolute tolerance instead`);
    expect(r.stderr).not.toContain('vae_decode_s');
  });

  it('prototype names are unknown metrics (exit 2), with and without --update', async () => {
    const file = baseline('proto.yaml', { a: ['request.toString: "x"', 'constructor: true'] });
    for (const args of [[file], [file, '--update']]) {
      const r = await check(...args);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(`${file}:5:7  checks.0.expect: check "a": unknown metric "request.toString" ("request" has no field "toString")`);
      expect(r.stderr).toContain(`${file}:6:7  checks.0.expect: check "a": unknown metric "constructor" (the document has no field "constructor")`);
    }
  });

  it('--update through a YAML alias re-pins the anchored value once; two checks that need different values there are exit 2 at its line', async () => {
    const file = join(dir, 'alias.yaml');
    const text = ['checks:', '  - name: a', `    estimate: &est ${ESTIMATE}`, '    expect: &exp', '      total_s: 1000', '  - name: b', '    estimate: *est', '    expect: *exp', ''].join('\n');
    writeFileSync(file, text);
    const r = await check(file, '--update');
    expect(r.code).toBe(0);
    expect(readFileSync(file, 'utf8')).toBe(text.replace('total_s: 1000', `total_s: ${+est.total_s.toPrecision(6)}`));
    writeFileSync(file, text.replace('    estimate: *est', '    estimate: {model: wan2.2-t2v-a14b, gpu: h100-sxm, resolution: 832x480, offload: true}'));
    const conflict = await check(file, '--update');
    expect(conflict.code).toBe(2);
    expect(conflict.stderr).toMatch(new RegExp(`${file}:5:1  checks\\.1\\.expect\\.total_s: --update: this value is shared through a YAML alias by checks "a" \\(now [\\d.]+\\) and "b"`));
  });

  it('a baseline given twice is checked once; run: takes library names and locates a directory at its line; --dry-run checks inputs without running; durations on a non-time metric warn', async () => {
    const file = baseline('twice.yaml', { a: [`total_s: {value: ${est.total_s}, tolerance: 1%}`, 'peak_memory_gb: {max: 1h}', 'total_s: {max: 2h}'.replace('total_s', 'forward_s')] });
    const r = await check(file, `${dir}/./twice.yaml`);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(`note: ${dir}/./twice.yaml is ${file} again; checked once`);
    expect(r.stderr).toContain('metric "peak_memory_gb" is not a time, yet its max is the duration "1h" (read as 3600 seconds)');
    expect(r.stderr).not.toContain('forward_s');
    expect(r.stdout).toMatch(/1 of 1 checks passed, 3 of 3 metrics/);

    mkdirSync(join(dir, 'scenarios'), { recursive: true });
    const runs = join(dir, 'runs.yaml');
    writeFileSync(runs, ['checks:', '  - name: library', '    run: default', '    set: [duration=10m]', '    expect: {requests.arrived: {min: 0}}', '  - name: folder', '    run: scenarios', '    expect: {requests.arrived: 1}', ''].join('\n'));
    const d = await check(runs);
    expect(d.code).toBe(2);
    expect(d.stderr).toMatch(new RegExp(`${runs}:7:10  checks\\.1\\.run: check "folder": \\S*scenarios is a directory, not a scenario file`));
    expect(d.stderr).not.toMatch(/library/);

    writeFileSync(runs, ['checks:', '  - name: library', '    run: default', '    set: [duration=10m, workload.arrivals.rate_per_hr=3]', '    expect: {requests.arrived: {min: 0}}', '  - name: est', '    estimate: {model: wan2.2-t2v-a14b, gpu: h900}', '    expect: {total_s: 1}', '  - name: metric', `    estimate: ${ESTIMATE}`, '    expect: {totl_s: 1}', ''].join('\n'));
    const dry = await check(runs, '--dry-run');
    expect(dry.code).toBe(2);
    expect(dry.stderr).toMatch(new RegExp(`${runs}:4:\\d+  workload\\.arrivals\\.rate_per_hr: check "library": unknown field`));
    expect(dry.stderr).toMatch(new RegExp(`${runs}:7:\\d+  checks\\.1\\.estimate\\.gpu: check "est": .*h900`));
    expect(dry.stderr).toContain(`${runs}:11:14  checks.2.expect: check "metric": unknown metric "totl_s"`);
    writeFileSync(runs, ['checks:', '  - name: library', '    run: default', '    expect: {no.such.metric: 1}', ''].join('\n'));
    const ok = await check(runs, '--dry-run');
    expect([ok.code, ok.stdout]).toEqual([0, "dry run: 1 check in 1 file: the files parse, scenarios load with their overrides, estimates and their metric paths resolve; nothing was simulated (a scenario's metric paths are checked when it runs)\n"]);
  });

  it('an unknown metric path in one check does not hide another check\'s drift: both are reported, exit 2', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vgsim-check-partial-'));
    const file = join(dir, 'b.yaml');
    writeFileSync(file, ['checks:', '  - name: typo', `    estimate: ${ESTIMATE}`, '    expect: {totl_s: 1}', '  - name: drifted', `    estimate: ${ESTIMATE}`, '    expect: {total_s: 1}', ''].join('\n'));
    const r = await check(file);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('check "typo": unknown metric "totl_s"');
    // the other check ran and its drift is printed (it was thrown away with the input error)
    expect(r.stdout).toMatch(/drifted +total_s +1 .* (DRIFT|FAIL)/);
    expect(r.stdout).toContain('the checks above ran; the input problems below stop the verdict (exit 2)');
    // no verdict line: the input problem decides (checkText without a wall time writes none, rather than one cut off after)
    expect(r.stdout).not.toMatch(/checks passed/);
    expect(r.stdout).toMatch(/ (DRIFT|FAIL)\n\ndrifted or out of bounds:\n  [^\n]+\n\nthe checks above ran/);
    const j = await check(file, '--json');
    const doc = JSON.parse(j.stdout);
    expect(doc.ok).toBe(false);
    expect(doc.errors[0].message).toMatch(/unknown metric "totl_s"/);
    expect(doc.files[0].checks.map((c: { name: string; ok: boolean }) => [c.name, c.ok])).toEqual([['drifted', false]]);
  });

  it('set: written as a mapping says what set: takes (it read "Invalid input")', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vgsim-check-set-'));
    const file = join(dir, 'b.yaml');
    writeFileSync(file, ['checks:', '  - name: a', '    run: default', '    set: {duration: 1h}', '    expect: {requests.arrived: {min: 0}}', ''].join('\n'));
    const r = await check(file, '--dry-run');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${file}:4:10  checks.0.set: expected a --set override 'path=value' or a list of them, e.g. set: [duration=2h, seed=3] (not a mapping)`);
    expect(r.stderr).not.toContain('Invalid input');
  });

  it('the README quotes the last line `npm run check` prints, with the shipped baselines\' counts', () => {
    const readme = readFileSync('README.md', 'utf8');
    const m = /its last line reads `(\d+) of (\d+) checks passed, (\d+) of (\d+) metrics within tolerance in [\d.]+ s`/.exec(readme);
    expect(m).not.toBeNull();
    const baselines = readdirSync('baselines').filter((f) => f.endsWith('.yaml')).map((f) => loadBaseline(join('baselines', f)));
    const checks = baselines.flatMap((b) => b.checks);
    const metrics = checks.flatMap((c) => c.expect).length;
    expect(m!.slice(1).map(Number)).toEqual([checks.length, checks.length, metrics, metrics]);
    expect(JSON.parse(readFileSync('package.json', 'utf8')).scripts.check).toBe('node bin/vgsim.js check baselines/*.yaml');
  });
});
