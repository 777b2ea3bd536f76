import { describe, it, expect, beforeAll } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { vgsim } from './support/cli.ts';
import { loadBaseline, parseTolerance } from '../src/check/baseline.ts';
import { estimateDocument, runBaselines } from '../src/check/run.ts';
import { metricPaths, parseMetricPath, resolveMetric, type Json } from '../src/check/metrics.ts';
import { pinnedNumber } from '../src/check/update.ts';
import { loadScenario } from '../src/scenario/load.ts';
import { simulate, summaryOf } from '../src/serving/simulate.ts';
import { toJson } from '../src/report/output.ts';
import { InputError } from '../src/errors.ts';

const SCENARIO = resolve('scenarios/default.yaml');
const ESTIMATE = { model: 'wan2.2-t2v-a14b', gpu: 'h100-sxm', resolution: '832x480', frames: 81, offload: true };

let dir: string;
let est: Json & Record<string, any>;
let run: Json & Record<string, any>;

/** A baseline with one scenario run (1 h of the default scenario) and one estimate; `v` maps metric → YAML text. */
function baseline(v: { est: Record<string, string>; run: Record<string, string> }): string {
  const scenario = relative(dir, SCENARIO); // resolved from the baseline's folder
  return [
    '# a test baseline',
    'name: test baseline',
    'defaults: {tolerance: 2%}',
    'checks:',
    '  - name: default 1h',
    `    run: ${scenario}`,
    '    set: [duration=1h]',
    '    expect:',
    ...Object.entries(v.run).map(([k, x]) => `      ${k}: ${x}`),
    '  - name: a14b 480p offload',
    `    estimate: {model: ${ESTIMATE.model}, gpu: ${ESTIMATE.gpu}, resolution: ${ESTIMATE.resolution}, frames: 81, offload: true}`,
    '    expect:',
    ...Object.entries(v.est).map(([k, x]) => `      ${k}: ${x}`),
    '',
  ].join('\n');
}

/** The lines of the diff table that mention a metric. */
function rowOf(stdout: string, metric: string): string {
  const line = stdout.split('\n').find((l) => l.split(/\s{2,}/).includes(metric));
  if (!line) throw new Error(`no row for ${metric} in\n${stdout}`);
  return line;
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'vgsim-check-'));
  est = estimateDocument(ESTIMATE, process.cwd()) as any;
  const loaded = loadScenario(SCENARIO, { set: ['duration=1h'] });
  run = JSON.parse(toJson(summaryOf(simulate(loaded.scenario, { locate: loaded.locate })))) as any;
});

describe('vgsim check', () => {
  it('passes (exit 0) when every metric is within tolerance: values, bounds, absolute and relative tolerances, exact strings', () => {
    const file = join(dir, 'pass.yaml');
    writeFileSync(file, baseline({
      run: {
        'latency_s.p95': `{value: ${run.latency_s.p95 * 1.015}, tolerance: 2%}`, // 1.5% off, 2% allowed
        'requests.completed': `{value: ${run.requests.completed}, tolerance: 0}`, // exact
        'classes.720p-5s.latency_s.p95': '{max: 1h}', // a bound with a duration
        'slo_attainment': '{min: 0.5, max: 1}',
        'service_times[a14b/720p-5s].total_s': `{value: ${run.service_times[0].total_s + 20}, tolerance: 30s}`, // absolute
      },
      est: {
        total_s: String(est.total_s),
        peak_memory_gb: `{value: ${est.peak_memory_gb + 0.4}, tolerance: 0.5}`,
        'stages.dit_forward.seconds_each': String(est.stages.find((s: any) => s.name === 'dit_forward').seconds_each),
        'options.attention_kernel': 'fa3',
        fits: 'true',
      },
    }));
    const report = join(dir, 'pass-report.json');
    const r = vgsim(['check', file, '--report', report]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).not.toMatch(/DRIFT|FAIL/);
    expect(rowOf(r.stdout, 'latency_s.p95')).toMatch(/2%\s+-1\.4\d%\s+ok$/);
    expect(rowOf(r.stdout, 'service_times[a14b/720p-5s].total_s')).toMatch(/±30\s+-20\s+ok$/);
    expect(rowOf(r.stdout, 'classes.720p-5s.latency_s.p95')).toMatch(/<= 3600\s+\S+\s+ok$/);
    expect(r.stdout).toMatch(/2 of 2 checks passed, 10 of 10 metrics within tolerance/);
    const json = JSON.parse(readFileSync(report, 'utf8'));
    expect(json).toMatchObject({ ok: true, passed: 2, failed: 0, metrics: { total: 10, failed: 0 } });
    expect(json.files[0].checks.map((c: any) => c.kind)).toEqual(['run', 'estimate']);
  });

  it('exits 3 with DRIFT / FAIL rows when a value leaves its tolerance or a bound breaks', () => {
    const file = join(dir, 'drift.yaml');
    writeFileSync(file, baseline({
      run: {
        'latency_s.p95': `{value: ${run.latency_s.p95 * 1.03}, tolerance: 2%}`, // 3% off: drift
        'requests.completed': `${run.requests.completed + 1}`, // relative 2% of ~20 = 0.4 < 1: drift
        'classes.720p-5s.latency_s.p95': '{max: 5m}', // bound broken
        'throughput_per_h': `{value: ${run.throughput_per_h * 1.05}, tolerance: 100}`, // 5% off but within an absolute 100
      },
      est: {
        total_s: `{value: ${est.total_s - 60}, tolerance: 30s}`, // 60 s off, 30 s allowed
        forward_s: `{value: ${est.forward_s * 1.01}, tolerance: 2%}`, // 1% off: ok
        'options.attention_kernel': 'fa2',
      },
    }));
    const report = join(dir, 'drift-report.json');
    const r = vgsim(['check', file, '--report', report]);
    expect(r.code).toBe(3);
    expect(rowOf(r.stdout, 'latency_s.p95')).toMatch(/2%\s+-2\.9\d%\s+DRIFT$/);
    expect(rowOf(r.stdout, 'classes.720p-5s.latency_s.p95')).toMatch(/<= 300\s+\S+\s+\+\d+\.\d\d%\s+FAIL$/);
    expect(rowOf(r.stdout, 'total_s')).toMatch(/±30\s+\+60\s+DRIFT$/);
    expect(rowOf(r.stdout, 'forward_s')).toMatch(/2%\s+-0\.99%\s+ok$/);
    expect(r.stdout).toMatch(/0 of 2 checks passed, 2 of 7 metrics within tolerance \(4 drifted, 1 outside bounds\)/);
    const json = JSON.parse(readFileSync(report, 'utf8'));
    expect(json).toMatchObject({ ok: false, passed: 0, failed: 2, metrics: { total: 7, failed: 5 } });
    const status = Object.fromEntries(json.files[0].checks.flatMap((c: any) => c.metrics.map((m: any) => [m.metric, m.status])));
    expect(status).toEqual({
      'latency_s.p95': 'DRIFT', 'requests.completed': 'DRIFT', 'classes.720p-5s.latency_s.p95': 'FAIL', throughput_per_h: 'ok',
      total_s: 'DRIFT', forward_s: 'ok', 'options.attention_kernel': 'DRIFT',
    });
    const p95 = json.files[0].checks[0].metrics[0];
    expect(p95.drift).toBeCloseTo(1 / 1.03 - 1, 9);
    expect(p95.tolerance).toEqual({ relative: 0.02 });
    // --only picks checks by name (in-process: the CLI passes it through)
    const only = runBaselines([loadBaseline(file)], { only: 'A14B' });
    expect(only[0]!.checks.map((c) => c.check.name)).toEqual(['a14b 480p offload']);
  });

  it('an unknown metric path is bad input (exit 2) with file:line and close valid paths', () => {
    const file = join(dir, 'badpath.yaml');
    writeFileSync(file, baseline({
      run: { 'latency_s.p95': '1', 'latency.p95': '1' },
      est: { forward_secs: '1', 'stages.vae.seconds_each': '1', memory: '1' },
    }));
    const r = vgsim(['check', file]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    const err = r.stderr;
    expect(err).toMatch(/invalid input \(4 problems\)/);
    expect(err).toContain(`${file}:10:7  checks.0.expect: check "default 1h": unknown metric "latency.p95" (the document has no field "latency") (did you mean "latency_s.p95"`);
    expect(err).toContain(`${file}:14:7  checks.1.expect: check "a14b 480p offload": unknown metric "forward_secs"`);
    expect(err).toMatch(/did you mean "forward_s"/);
    expect(err).toMatch(/:15:7 .*"stages" is a list of \d+; no element "vae"\) \(did you mean "stages\.vae_decode\.seconds_each"/);
    expect(err).toMatch(/:16:7 .*"memory" is an object, not a value \(pick one of its fields: memory\.phases/);
    expect(err).not.toMatch(/\n\s+at /);
  });

  it('--update rewrites the pinned values in place, keeps comments and layout, leaves bounds alone', () => {
    const file = join(dir, 'update.yaml');
    const text = [
      '# header comment',
      'name: update test   # trailing comment',
      'defaults: {tolerance: 1%}',
      'checks:',
      '  - name: estimate',
      `    estimate: {model: ${ESTIMATE.model}, gpu: ${ESTIMATE.gpu}, resolution: ${ESTIMATE.resolution}, frames: 81, offload: true}`,
      '    expect:',
      '      total_s: 1            # pinned',
      '      forward_s: {value: 2.5, tolerance: 3%}   # flow style',
      '      peak_memory_gb:',
      '        value: 0',
      '        tolerance: 0.5      # GB',
      '      energy_wh: {max: 100000}',
      '      options.attention_kernel: "fa2"',
      '',
      '      vae_decode_s: 0  # after a blank line',
      '',
    ].join('\n');
    writeFileSync(file, text);
    const r = vgsim(['check', file, '--update']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/update: re-pinned 5 drifted values in 1 file/);
    expect(r.stdout).toContain(`${file}:8  estimate  total_s: 1 -> `);
    const after = readFileSync(file, 'utf8');
    const pin = (x: number, tol: number | string) => String(pinnedNumber(x, parseTolerance(tol)!));
    const expected = text
      .replace('total_s: 1 ', `total_s: ${pin(est.total_s, '1%')} `)
      .replace('value: 2.5,', `value: ${pin(est.forward_s, '3%')},`)
      .replace('value: 0', `value: ${pin(est.peak_memory_gb, 0.5)}`)
      .replace('"fa2"', '"fa3"')
      .replace('vae_decode_s: 0 ', `vae_decode_s: ${pin(est.vae_decode_s, '1%')} `);
    expect(after).toBe(expected);
    // the rewritten file passes
    const results = runBaselines([loadBaseline(file)]);
    expect(results[0]!.checks[0]!.metrics.every((m) => m.ok)).toBe(true);
  });

  it('reports schema problems of a baseline with file:line and suggestions, before running anything', () => {
    const file = join(dir, 'schema.yaml');
    writeFileSync(file, [
      'name: bad',
      'defaults: {tolerence: 2%}',
      'checks:',
      '  - name: a',
      '    run: x.yaml',
      '    estimate: {model: wan2.2-t2v-a14b, gpu: h100-sxm}',
      '    expect: {total_s: 1}',
      '  - name: b',
      '    estimate: {model: wan2.2-t2v-a14b, gpu: h100-sxm, ofload: true}',
      '    expect:',
      '      total_s: {value: 1, tolerance: lots}',
      '      forward_s: {vaule: 1}',
      '      "stages[x": 1',
      '',
    ].join('\n'));
    let err: InputError | undefined;
    try {
      loadBaseline(file);
    } catch (e) {
      err = e as InputError;
    }
    expect(err).toBeInstanceOf(InputError);
    const text = err!.issues.map((i) => `${i.line}:${i.col} ${i.path}: ${i.message} (${i.hint ?? ''})`);
    expect(text).toContainEqual(expect.stringMatching(/^2:12 defaults\.tolerence: unknown field "tolerence" \(did you mean "tolerance"\?\)/));
    expect(text).toContainEqual(expect.stringMatching(/^4:5 checks\.0: a check needs exactly one of "run/));
    expect(text).toContainEqual(expect.stringMatching(/^9:55 checks\.1\.estimate\.ofload: unknown field "ofload" \(did you mean "offload"\?\)/));
    expect(text).toContainEqual(expect.stringMatching(/^11:\d+ checks\.1\.expect\.total_s\.tolerance: expected a tolerance/));
    expect(text).toContainEqual(expect.stringMatching(/^12:\d+ checks\.1\.expect\.forward_s\.vaule: unknown field "vaule" \(did you mean "value"\?\)/));
    expect(text).toContainEqual(expect.stringMatching(/^13:7 checks\.1\.expect: metric "stages\[x": unclosed "\["/));
  });

  it('parses tolerances and metric paths', () => {
    expect(parseTolerance('2%')).toEqual({ relative: 0.02 });
    expect(parseTolerance(0.5)).toEqual({ absolute: 0.5 });
    expect(parseTolerance('0.5')).toEqual({ absolute: 0.5 });
    expect(parseTolerance('30s')).toEqual({ absolute: 30 });
    expect(parseTolerance('2m')).toEqual({ absolute: 120 });
    expect(parseTolerance('-1')).toBeUndefined();
    expect(parseTolerance('lots')).toBeUndefined();
    expect(parseMetricPath('ops[self_attn.attention].seconds').segments).toEqual(['ops', 'self_attn.attention', 'seconds']);
    expect(parseMetricPath('a..b').error).toBeDefined();
    expect(resolveMetric(est, 'ops[self_attn.attention].seconds')).toMatchObject({ found: true });
    expect(resolveMetric(est, 'stages.1.name')).toEqual({ found: true, value: 'dit_forward' });
    expect(resolveMetric(run, 'service_times[a14b/480p-5s].total_s')).toEqual({ found: true, value: run.service_times[1].total_s });
    expect(metricPaths(run)).toContain('classes.720p-5s.latency_s.p95');
    expect(metricPaths(est)).toContain('ops[self_attn.attention].seconds');
    // re-pinned numbers keep enough digits to stay far inside their tolerance
    expect(pinnedNumber(2259.111374113091, { relative: 0.02 })).toBe(2259.11);
    expect(pinnedNumber(2259.111374113091, { absolute: 1e-5 })).toBe(2259.1113741);
    expect(pinnedNumber(0.1 + 0.2, { relative: 0 })).toBe(0.1 + 0.2);
  });

  it('an estimate check reads its fields exactly as `vgsim estimate` reads its flags (one parser), the power limit included', () => {
    const spec = { model: 'wan2.2-t2v-a14b', gpu: 'h100-sxm', gpus: 8, parallel: 'ulysses=8,fsdp', resolution: '1280x720', frames: 81, power_limit_w: 500 };
    const doc = estimateDocument(spec, process.cwd()) as any;
    const cli = vgsim(['estimate', '--model', spec.model, '--gpu', spec.gpu, '--gpus', '8', '--parallel', spec.parallel, '--resolution', spec.resolution, '--frames', '81', '--power-limit', '500', '--json']);
    expect(cli.code).toBe(0);
    expect(JSON.parse(cli.stdout)).toEqual(doc);
    // the cap is applied: slower than the uncapped estimate of the same request, with the power limit reported
    const { power_limit_w: _cap, ...uncapped } = spec;
    expect(doc.profile.power_limit_w).toBe(500);
    expect(doc.total_s).toBeGreaterThan((estimateDocument(uncapped, process.cwd()) as any).total_s * 1.05);
  });

  it('the shipped baselines load', () => {
    for (const f of readdirSync('baselines').filter((x) => x.endsWith('.yaml'))) {
      const b = loadBaseline(join('baselines', f));
      expect(b.checks.length).toBeGreaterThan(0);
    }
  });
});
