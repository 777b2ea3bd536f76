/**
 * Serving calibration: measured stage times and serving overheads in the runtime (hand-computed latencies),
 * observed traces, the overhead fit (hand-written traces with known gaps), replay and calibrate through
 * the CLI, and their input errors.
 */
import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { loadScenario } from '../src/scenario/load.ts';
import { simulate } from '../src/serving/simulate.ts';
import { InputError } from '../src/errors.ts';
import { MAX_SIDECAR_BYTES, parseObserved, readObservedTrace } from '../src/calibration/observed-trace.ts';
import { fitOverheads } from '../src/calibration/fit.ts';
import { issuesOf } from './support/issues.ts';
import { distribution, quantile, servingMetrics } from '../src/calibration/metrics.ts';
import { formatCsvObjects } from '../src/csv.ts';
import { ServiceSpeed } from '../src/serving/service-speed.ts';
import { RandomStreams } from '../src/engine/random.ts';
import { calibrate } from '../src/calibration/calibrate.ts';
import { sleepServerRows } from './support/sleep-trace.ts';
import { replay } from '../src/calibration/replay.ts';
import { replayTable } from '../src/calibration/report.ts';
import { vgsim } from './support/cli.ts';

const dir = mkdtempSync(join(tmpdir(), 'vgsim-replay-'));
const SLEEP = 'test/fixtures/serving/sleep.yaml';
const profile = JSON.parse(readFileSync('test/fixtures/serving/sleep-profile.json', 'utf8'));
const small = profile.shapes[0]; // 64x64x9f, 6 steps in the profile

/** A trace file of requests at the given times (64x64x9f/6st unless given). */
function traceAt(name: string, rows: { t: number; steps?: number; width?: number }[]): string {
  const file = join(dir, name);
  writeFileSync(file, formatCsvObjects(['timestamp_s', 'resolution', 'frames', 'steps'], rows.map((r) => ({ timestamp_s: r.t, resolution: `${r.width ?? 64}x64`, frames: 9, steps: r.steps ?? 6 }))));
  return file;
}
const runTrace = (file: string, set: string[] = []) =>
  simulate(loadScenario(SLEEP, { set: ['deployment.replicas=1', `workload.arrivals={process: trace, file: ${file}}`, 'duration=1000', ...set] }).scenario, { records: true, baseDir: 'test/fixtures/serving' });

describe('measured stage times (deployment.stage_times)', () => {
  it('a request takes encode + steps × step + decode of its shape from the profile', () => {
    const r = runTrace(traceAt('one.csv', [{ t: 1 }, { t: 100, steps: 10 }]));
    const [a, b] = r.records!;
    expect(a!.finish - a!.arrival).toBeCloseTo(small.encode_s.mean + 6 * small.step_s.mean + small.decode_s.mean, 12);
    expect(b!.finish - b!.arrival).toBeCloseTo(small.encode_s.mean + 10 * small.step_s.mean + small.decode_s.mean, 12);
  });

  it('a shape the profile lacks is an input error naming the shapes it has', () => {
    try {
      runTrace(traceAt('missing.csv', [{ t: 1, width: 128 }]));
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(InputError);
      const i = (e as InputError).issues[0]!;
      expect(i.message).toMatch(/no stage times for 128x64x9f/);
      expect(i.hint).toBe('the profile has 64x64x9f, 96x64x9f');
    }
  });

  it('a missing or malformed profile file is an input error at deployment.stage_times', () => {
    const bad = join(dir, 'bad-profile.json');
    writeFileSync(bad, JSON.stringify({ format: 'vgsim-stage-profile/1', shapes: [{ width: 64, height: 64, frames: 9, encode_s: { mean: -1 }, step_s: { mean: 1 }, decode_s: { mean: 1 } }] }));
    for (const [file, msg] of [[bad, /encode_s.mean: expected a non-negative/], [join(dir, 'absent.json'), /file not found/]] as const) {
      try {
        simulate(loadScenario(SLEEP, { set: [`deployment.stage_times=${file}`] }).scenario, { baseDir: 'test/fixtures/serving' });
        expect.unreachable();
      } catch (e) {
        expect((e as InputError).issues[0]!.path).toBe('deployment.stage_times');
        expect((e as InputError).issues[0]!.message).toMatch(msg);
      }
    }
  });
});

describe('serving overheads in the runtime', () => {
  const o = { dispatch_s: 0.5, handoff_s: 0.25, request_s: 1 };
  const S = small.encode_s.mean + 6 * small.step_s.mean + small.decode_s.mean;
  const withO = [`serving_overheads={dispatch_s: ${o.dispatch_s}, handoff_s: ${o.handoff_s}, request_s: ${o.request_s}}`];

  it('a lone request takes its stages + dispatch + 2 hand-offs + the request overhead', () => {
    const r = runTrace(traceAt('lone.csv', [{ t: 1 }]), withO);
    expect(r.records![0]!.finish - r.records![0]!.arrival).toBeCloseTo(S + o.dispatch_s + 2 * o.handoff_s + o.request_s, 12);
    // the service time the run reports includes them
    expect(r.service_times[0]!.total_s).toBeCloseTo(S + 2, 12);
  });

  it('they hold the replica: a second request arriving at once waits for all of them', () => {
    const r = runTrace(traceAt('pair.csv', [{ t: 1 }, { t: 1 }]), withO);
    const second = r.records!.find((x) => x.id === 1)!;
    expect(second.start - second.arrival).toBeCloseTo(S + 2, 12);
    expect(second.finish - second.arrival).toBeCloseTo(2 * (S + 2), 12);
  });

  it('from a vgsim-serving-overheads/1 file, relative to the scenario; bad files are input errors', () => {
    const file = join(dir, 'overheads.json');
    writeFileSync(file, JSON.stringify({ format: 'vgsim-serving-overheads/1', ...o }));
    const r = runTrace(traceAt('lone2.csv', [{ t: 1 }]), [`serving_overheads=${file}`]);
    expect(r.records![0]!.finish - r.records![0]!.arrival).toBeCloseTo(S + 2, 12);
    writeFileSync(file, JSON.stringify({ format: 'vgsim-serving-overheads/1', dispatch_s: 'slow' }));
    expect(() => runTrace(traceAt('lone3.csv', [{ t: 1 }]), [`serving_overheads=${file}`])).toThrow(/dispatch_s: expected a non-negative number of seconds, got "slow"/);
  });

  it("service_cv: each request's service time scaled by a log-normal factor of mean 1 with that CV, reproducibly", () => {
    // 2000 lone requests (far apart): their latencies are S × m, m log-normal with mean 1 and CV 0.3
    const file = traceAt('many.csv', Array.from({ length: 2000 }, (_, i) => ({ t: 10 * i })));
    const run = () => runTrace(file, ['serving_overheads={service_cv: 0.3}', 'duration=30000']).records!.map((r) => r.finish - r.arrival);
    const xs = run();
    const m = xs.reduce((a, b) => a + b, 0) / xs.length;
    const sd = Math.sqrt(xs.reduce((a, b) => a + (b - m) ** 2, 0) / (xs.length - 1));
    // standard errors: mean 0.3·S/√2000 ≈ 0.0067·S, CV ≈ 0.3/√(2·2000)·√(1+…) ≈ 0.006: 4σ bounds
    expect(Math.abs(m / S - 1)).toBeLessThan(0.027);
    expect(Math.abs(sd / m - 0.3)).toBeLessThan(0.03);
    expect(run()).toEqual(xs);
  });

  it('service_correlation_s: the log speed factor is an Ornstein–Uhlenbeck process, corr e^(−Δ/τ)', () => {
    const sp = new ServiceSpeed(0.3, 5, new RandomStreams(3).stream('service'));
    const logs = Array.from({ length: 20000 }, (_, i) => Math.log(sp.factor(0, i)));
    const m = logs.reduce((a, b) => a + b, 0) / logs.length;
    const v = logs.reduce((a, b) => a + (b - m) ** 2, 0) / logs.length;
    expect(Math.sqrt(Math.exp(v) - 1)).toBeCloseTo(0.3, 1); // the marginal CV
    const lag1 = logs.slice(1).reduce((a, x, i) => a + (x - m) * (logs[i]! - m), 0) / ((logs.length - 1) * v);
    // 20000 samples of an AR(1) with ρ = e^(−1/5) = 0.819: standard error of the lag-1 estimate ≈ 0.004
    expect(lag1).toBeCloseTo(Math.exp(-1 / 5), 1);
    expect(Math.abs(lag1 - Math.exp(-1 / 5))).toBeLessThan(0.02);
    // replicas vary independently
    const sp2 = new ServiceSpeed(0.3, 5, new RandomStreams(3).stream('service'));
    expect(sp2.factor(0, 0)).not.toBe(sp2.factor(1, 0));
  });

  it('calibrate recovers the CV and correlation time of a trace whose stage times follow that process', () => {
    const sp = new ServiceSpeed(0.25, 8, new RandomStreams(9).stream('service'));
    const rows = [HEADER];
    let t = 0;
    for (let i = 0; i < 3000; i++) {
      const s = sp.factor(0, t); // one shape, stage time 1 s × factor, back to back
      rows.push([i, 'm', 64, 64, 9, 6, 'true', i, '', '', t, t, t, t, t + 0.2 * s, t + 0.2 * s, t + 0.7 * s, t + 0.7 * s, t + s, t + s, t + s, t + s, t + s, 0, 'cpu', 'completed', ''].join(','));
      t += s;
    }
    const fit = fitOverheads({ file: 'ou.csv', meta: undefined, requests: parseObserved(rows.join('\n'), 'ou.csv') }, () => null);
    expect(Math.abs(fit.overheads.service_cv / 0.25 - 1)).toBeLessThan(0.1);
    expect(Math.abs(fit.overheads.service_correlation_s / 8 - 1)).toBeLessThan(0.25);
  });

  it('without serving_overheads nothing changes (the default scenario is pinned by the baselines)', () => {
    const a = runTrace(traceAt('same.csv', [{ t: 1 }, { t: 1.05 }]));
    const b = runTrace(traceAt('same.csv', [{ t: 1 }, { t: 1.05 }]), ['serving_overheads={dispatch_s: 0, handoff_s: 0, request_s: 0}']);
    expect(b.records).toEqual(a.records);
  });
});

const HEADER = 'request_id,model,width,height,frames,steps,cfg,seed,slo_ms,client_send_s,arrival_s,dispatch_s,start_s,encode_start_s,encode_end_s,denoise_start_s,denoise_end_s,decode_start_s,decode_end_s,post_end_s,worker_end_s,finish_s,response_s,worker,device,outcome,error';

describe('observed traces and the overhead fit', () => {
  // two requests with hand-set gaps: dispatch 5 / 7 ms, hand-offs (2, 4) / (3, 3) ms, pre 1 / 3 ms, post 6 / 4 ms
  const text = [
    HEADER,
    '0,m,64,64,9,6,true,1,8000,,1.000,1.000,1.005,1.006,1.106,1.108,1.408,1.412,1.612,1.615,1.617,1.618,1.619,0,cpu,completed,',
    '1,m,64,64,9,6,true,2,8000,,1.500,1.618,1.625,1.628,1.728,1.731,2.031,2.034,2.234,2.236,2.237,2.238,2.239,0,cpu,completed,',
    '2,m,64,64,9,6,true,3,,,1.700,2.238,2.240,,,,,,,,2.250,2.251,2.252,0,cpu,failed,"RuntimeError: out of memory, retry"',
  ].join('\r\n') + '\r\n';

  it('reads every column; a quoted error message with a comma survives', () => {
    const rs = parseObserved(text, 'obs.csv');
    expect(rs).toHaveLength(3);
    expect(rs[1]).toMatchObject({ id: '1', arrival: 1.5, dispatch: 1.618, start: 1.625, finish: 2.238, response: 2.239, slo_s: 8, worker: '0', outcome: 'completed' });
    expect(rs[2]!.error).toBe('RuntimeError: out of memory, retry');
  });

  it('a trace with no completed request is an input error naming the trace (it exited 1 before)', () => {
    const failed = parseObserved(text, 'obs.csv').map((r) => ({ ...r, outcome: 'failed' as const }));
    try {
      fitOverheads({ file: 'obs.csv', meta: undefined, requests: failed }, () => null);
      expect.unreachable();
    } catch (e) {
      expect((e as InputError).issues[0]).toMatchObject({ source: 'obs.csv', message: expect.stringMatching(/no completed requests to fit on/) });
    }
  });

  it('fits dispatch, hand-off and request overheads as means of the measured gaps', () => {
    const fit = fitOverheads({ file: 'obs.csv', meta: undefined, requests: parseObserved(text, 'obs.csv') }, () => null);
    expect(fit.samples).toBe(2);
    expect(fit.overheads.dispatch_s).toBeCloseTo((0.005 + 0.007) / 2, 9);
    expect(fit.overheads.handoff_s).toBeCloseTo(((0.002 + 0.004) / 2 + (0.003 + 0.003) / 2) / 2, 9);
    // pre (encode_start − start) + post (finish − decode_end): (1 + 6) and (3 + 4) ms
    expect(fit.overheads.request_s).toBeCloseTo(0.007, 9);
    expect(fit.stages[0]).toMatchObject({ shape: '64x64x9f/6st', requests: 2 });
    expect(fit.stages[0]!.observed.denoise_s).toBeCloseTo(0.3, 9);
    // both completed requests took 0.6 s of stages: no variability
    expect(fit.overheads.service_cv).toBeCloseTo(0, 9);
  });

  it('without stage boundaries request_s is what the occupancy leaves after the model\'s stage times', () => {
    const bare = ['request_id,width,height,frames,steps,arrival_s,dispatch_s,start_s,finish_s,outcome', '0,64,64,9,6,0,0,0.01,1.01,completed', '1,64,64,9,6,2,2,2.03,3.03,completed'].join('\n');
    const fit = fitOverheads({ file: 'b.csv', meta: undefined, requests: parseObserved(bare, 'b.csv') }, () => ({ encode_s: 0.2, denoise_s: 0.5, decode_s: 0.2 }));
    expect(fit.overheads.dispatch_s).toBeCloseTo(0.02, 9);
    expect(fit.overheads.handoff_s).toBe(0);
    // occupancy 1.01 and 1.03, minus 0.9 of stages, minus 0.02 of dispatch
    expect(fit.overheads.request_s).toBeCloseTo(0.1, 9);
    expect(fit.method.request_s).toMatch(/no stage boundaries/);
  });

  it('times out of order within a request, or arrivals out of order, are file:line errors', () => {
    const swapped = [HEADER, '0,m,64,64,9,6,true,1,,,1.0,1.2,1.1,,,,,,,,,1.5,,0,cpu,completed,'].join('\n');
    try {
      parseObserved(swapped, 'x.csv');
      expect.unreachable();
    } catch (e) {
      expect((e as InputError).issues[0]).toMatchObject({ line: 2, path: 'start_s', message: 'start_s (1.1) is before dispatch_s (1.2)' });
    }
    const order = ['request_id,width,height,frames,steps,arrival_s,finish_s,outcome', '0,64,64,9,6,5,6,completed', '1,64,64,9,6,4,7,completed'].join('\n');
    expect(() => parseObserved(order, 'x.csv')).toThrow(/arrival order/);
    expect(() => parseObserved('timestamp_s,frames\n1,81\n', 'x.csv')).toThrow(/not an observed trace: no request_id, arrival_s, outcome, width, height, steps columns/);
  });

  it('worker_cpu_s (the harness since it records it) is read as a duration; a negative one is a file:line error', () => {
    const head = 'request_id,width,height,frames,steps,arrival_s,start_s,worker_end_s,finish_s,worker_cpu_s,outcome';
    const rs = parseObserved([head, '0,64,64,9,6,0,0.01,1.01,1.02,0.45,completed', '1,64,64,9,6,2,2.01,3.01,3.02,,completed'].join('\n'), 'c.csv');
    expect(rs[0]!.workerCpu).toBe(0.45);
    expect(rs[1]!.workerCpu).toBeUndefined();
    expect(() => parseObserved([head, '0,64,64,9,6,0,0.01,1.01,1.02,-1,completed'].join('\n'), 'c.csv')).toThrow(/worker_cpu_s/);
  });

  it('host_steal_s (the harness records it since 2026-12-05) is read as a duration; a negative one is a file:line error', () => {
    const head = 'request_id,width,height,frames,steps,arrival_s,start_s,worker_end_s,finish_s,host_steal_s,outcome';
    const rs = parseObserved([head, '0,64,64,9,6,0,0.01,1.01,1.02,0.03,completed', '1,64,64,9,6,2,2.01,3.01,3.02,,completed'].join('\n'), 's.csv');
    expect(rs[0]!.hostSteal).toBe(0.03);
    expect(rs[1]!.hostSteal).toBeUndefined();
    expect(() => parseObserved([head, '0,64,64,9,6,0,0.01,1.01,1.02,-0.5,completed'].join('\n'), 's.csv')).toThrow(/s\.csv:2.*host_steal_s|host_steal_s[\s\S]*s\.csv:2/);
  });
});

describe('metrics', () => {
  it('quantiles interpolate between order statistics (numpy default)', () => {
    expect(quantile([1, 2, 3, 4], 0.5)).toBe(2.5);
    expect(quantile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.95)).toBeCloseTo(9.55, 12);
    expect(distribution([3, 1, 2]).mean).toBe(2);
  });

  it('throughput and utilization over the makespan', () => {
    const m = servingMetrics([{ latency: 1, wait: 0, occupancy: 1, finish: 2 }, { latency: 2, wait: 1, occupancy: 1, finish: 4 }], 2);
    expect(m.throughput_per_h).toBe(1800);
    expect(m.utilization).toBe(0.25);
  });
});

describe('vgsim replay / calibrate (CLI)', () => {
  const obsFile = join(dir, 'obs.csv');
  // a server that ran the sleep profile's stage times exactly, with 10 ms dispatch and 20 ms request overhead
  const arrivals = [0, 0.05, 0.1, 1, 1.02, 3];
  const rows = sleepServerRows(arrivals);
  writeFileSync(obsFile, rows.join('\n') + '\n');

  it('replay reproduces a server whose stage times are the profile and whose overheads are given', () => {
    const r = vgsim(['replay', obsFile, '--scenario', SLEEP, '--set', 'deployment.replicas=1', '--set', 'serving_overheads={dispatch_s: 0.01, handoff_s: 0, request_s: 0.02}', '--json']);
    expect(r.code).toBe(0);
    const rep = JSON.parse(r.stdout);
    expect(rep.compared).toBe(6);
    for (const row of rep.rows) expect(Math.abs(row.abs_error)).toBeLessThan(1e-6);
  });

  it('calibrate finds those overheads, and validation on another trace improves', () => {
    const out = join(dir, 'fitted.json');
    const other = join(dir, 'other.csv');
    writeFileSync(other, readFileSync(obsFile, 'utf8'));
    const r = vgsim(['calibrate', obsFile, '--scenario', SLEEP, '--set', 'deployment.replicas=1', '--validate', other, '--write', out, '--json']);
    expect(r.code).toBe(0);
    const doc = JSON.parse(readFileSync(out, 'utf8'));
    expect(doc.format).toBe('vgsim-serving-overheads/1');
    expect(doc.dispatch_s).toBeCloseTo(0.01, 6);
    expect(doc.request_s).toBeCloseTo(0.005 + 0.015, 6);
    const res = JSON.parse(r.stdout);
    const mean = (rows: { metric: string; abs_error: number }[]) => Math.abs(rows.find((x) => x.metric === 'latency mean')!.abs_error);
    expect(mean(res.validations[0].after)).toBeLessThan(1e-6);
    expect(mean(res.validations[0].before)).toBeGreaterThan(0.02);
    // the third column: the fitted overheads with each request's own observed stage time (the queueing alone)
    expect(mean(res.validations[0].own_service)).toBeLessThan(1e-6);
    const text = vgsim(['calibrate', obsFile, '--scenario', SLEEP, '--set', 'deployment.replicas=1', '--validate', other]);
    expect(text.stdout).toMatch(/metric +observed +before +error +after +error +own service +error/);
    // the CV carries its standard error from the fit trace's request count (finding: a 16-request fit gave 0.58 bare)
    const m = /service_cv +([\d.]+) ± ([\d.]+) .*from (\d+) requests/.exec(text.stdout)!;
    expect(m).not.toBeNull();
    const [cv, se, n] = [Number(m[1]), Number(m[2]), Number(m[3])];
    expect(se).toBeCloseTo(cv * Math.sqrt(1 / (2 * n) + cv ** 2 / n), 3);
  });

  it('bad input: a file that is not an observed trace exits 2 with file:line; the fit trace cannot validate itself', () => {
    const wrong = join(dir, 'wrong.csv');
    writeFileSync(wrong, 'timestamp_s\n1\n');
    const r = vgsim(['replay', wrong, '--scenario', SLEEP]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${wrong}:1:1  not an observed trace`);
    const t = readObservedTrace(obsFile);
    expect(() => calibrate(loadScenario(SLEEP), t, [readObservedTrace(obsFile)], 'test/fixtures/serving')).toThrow(/is the trace the overheads are fitted on/);
  });

  it('the observed trace and its sidecar must be regular files of bounded size: a FIFO hung, /dev/zero ate 16 GB (fuzz pass 3)', () => {
    const d = mkdtempSync(join(tmpdir(), 'vgsim-replay-fifo-'));
    execFileSync('mkfifo', [join(d, 'f.csv')]);
    expect(issuesOf(() => readObservedTrace(join(d, 'f.csv')))[0]).toMatchObject({ source: join(d, 'f.csv'), message: expect.stringMatching(/^cannot read the observed trace: it is not a regular file/) });
    expect(issuesOf(() => readObservedTrace('/dev/zero'))[0]!.message).toMatch(/not a regular file/);
    expect(issuesOf(() => readObservedTrace(d))[0]).toMatchObject({ message: expect.stringMatching(/it is a directory/), hint: 'give the trace CSV inside it, e.g. load85.csv' });
    // the sidecar a FIFO, or too large
    writeFileSync(join(d, 'r.csv'), readFileSync(obsFile, 'utf8'));
    execFileSync('mkfifo', [join(d, 'r.json')]);
    expect(issuesOf(() => readObservedTrace(join(d, 'r.csv')))[0]).toMatchObject({ source: join(d, 'r.json'), message: expect.stringMatching(/^cannot read the observed trace's sidecar: it is not a regular file/) });
    writeFileSync(join(d, 'big.csv'), readFileSync(obsFile, 'utf8'));
    writeFileSync(join(d, 'big.json'), `{"x": "${'a'.repeat(MAX_SIDECAR_BYTES)}"}`);
    expect(issuesOf(() => readObservedTrace(join(d, 'big.csv')))[0]!.message).toMatch(/a sidecar is at most 1,048,576/);
    const r = vgsim(['replay', join(d, 'f.csv'), '--scenario', SLEEP]);
    expect([r.code, r.stderr]).toEqual([2, expect.stringContaining('not a regular file')]);
  });

  it("each request's cfg is simulated (replay built every request with the class's guidance) and a cfg that is not a boolean is a file:line error", () => {
    const lines = readFileSync(obsFile, 'utf8').trim().split('\n');
    const noCfg = join(dir, 'no-cfg.csv');
    writeFileSync(noCfg, [lines[0], ...lines.slice(1).map((l) => l.replace(',true,', ',False,'))].join('\n') + '\n');
    expect(readObservedTrace(noCfg).requests.every((r) => r.cfg === false)).toBe(true);
    const predicted = (file: string) => replay(loadScenario(SLEEP, { set: ['deployment.replicas=1', 'deployment.stage_times=null'] }), readObservedTrace(file), { baseDir: 'test/fixtures/serving', replications: 1, diagnose: false }).report.predicted.latency_s.mean;
    expect(predicted(noCfg)).toBeLessThan(predicted(obsFile) * 0.9);
    const maybe = join(dir, 'maybe-cfg.csv');
    writeFileSync(maybe, [lines[0], lines[1], lines[2]!.replace(',true,', ',maybe,'), ...lines.slice(3)].join('\n') + '\n');
    expect(issuesOf(() => readObservedTrace(maybe))[0]).toMatchObject({ source: maybe, line: 3, path: 'cfg', message: 'expected true or false, got "maybe"' });
  });

  it('observed traces: a renamed column is a warning of the replay with a did-you-mean, two SLO columns an error, a hex cell an error (all were silent)', () => {
    const lines = readFileSync(obsFile, 'utf8').trim().split('\n');
    const renamed = join(dir, 'renamed.csv');
    writeFileSync(renamed, [lines[0]!.replace(',dispatch_s,', ',dispatch,'), ...lines.slice(1)].join('\n') + '\n');
    const col = lines[0]!.split(',').indexOf('dispatch_s') + 1;
    const warning = `${renamed}:1:${col}  dispatch: not a column vgsim reads; ignored (did you mean "dispatch_s"?)`;
    expect(readObservedTrace(renamed).warnings).toEqual([warning]);
    expect(replay(loadScenario(SLEEP, { set: ['deployment.replicas=1'] }), readObservedTrace(renamed), { baseDir: 'test/fixtures/serving', replications: 1 }).report.warnings).toContain(warning);
    const both = join(dir, 'both-slo.csv');
    writeFileSync(both, [`${lines[0]},slo_s`, ...lines.slice(1).map((l) => `${l},5`)].join('\n') + '\n');
    expect(issuesOf(() => readObservedTrace(both))[0]).toMatchObject({ line: 1, path: 'slo_s', message: expect.stringMatching(/^columns slo_s and slo_ms both give the latency SLO/) });
    const hex = join(dir, 'hex.csv');
    const a = lines[0]!.split(',').indexOf('arrival_s');
    writeFileSync(hex, [lines[0], lines[1]!.split(',').map((v, i) => (i === a ? '0x0' : v)).join(','), ...lines.slice(2)].join('\n') + '\n');
    expect(issuesOf(() => readObservedTrace(hex))[0]).toMatchObject({ line: 2, path: 'arrival_s', message: 'expected a number, got "0x0"' });
  });

  it('a sidecar field vgsim reads of the wrong type is an input error naming the file and field (workers: "x" exited 1)', () => {
    const d = mkdtempSync(join(tmpdir(), 'vgsim-replay-side-'));
    writeFileSync(join(d, 'r.csv'), readFileSync(obsFile, 'utf8'));
    const side = join(d, 'r.json');
    const cases: [unknown, string, RegExp][] = [
      [{ workers: 'x' }, 'workers', /^expected a list of worker objects, got "x"$/],
      [{ workers: [null] }, 'workers.0', /^expected a worker object/],
      [{ workers: [{ gpu_name: 7 }] }, 'workers.0.gpu_name', /^expected a string, got 7$/],
      [{ server: 'x' }, 'server', /^expected an object/],
      [{ server: { workers: '2' } }, 'server.workers', /^expected a number, got "2"$/],
      [{ host: { cpu: [] } }, 'host.cpu', /^expected a string/],
      [[1], '', /^expected a JSON object/],
    ];
    for (const [doc, path, message] of cases) {
      writeFileSync(side, JSON.stringify(doc));
      expect(issuesOf(() => readObservedTrace(join(d, 'r.csv')))[0]).toMatchObject({ source: side, path, message: expect.stringMatching(message) });
    }
    writeFileSync(side, JSON.stringify({ format: 'vgsim-observed-trace/1', workers: 'x' }));
    const r = vgsim(['replay', join(d, 'r.csv'), '--scenario', SLEEP, '--set', 'deployment.replicas=1']);
    expect([r.code, r.stderr]).toEqual([2, expect.stringContaining(`${side}  workers: expected a list of worker objects`)]);
  });

  it('a trace the server completed nothing of, or with a request twice, is an input error (it compared nothing, or twice)', () => {
    const t = readObservedTrace(obsFile);
    const failed = { ...t, requests: t.requests.map((r) => ({ ...r, outcome: 'failed' as const })) };
    expect(() => replay(loadScenario(SLEEP, { set: ['deployment.replicas=1'] }), failed, { baseDir: 'test/fixtures/serving', replications: 1 })).toThrow(/none of its 6 requests completed on the server/);
    const lines = readFileSync(obsFile, 'utf8').trim().split('\n');
    const twice = join(dir, 'twice.csv');
    writeFileSync(twice, [...lines.slice(0, 3), lines[2]!.replace(/^[^,]*/, lines[1]!.split(',')[0]!), ...lines.slice(3)].join('\n') + '\n');
    expect(issuesOf(() => readObservedTrace(twice))[0]).toMatchObject({ path: 'request_id', line: 4, message: expect.stringMatching(/appears twice \(first on line 2\)/) });
    // a model nothing knows is named at its row of the trace (it was blamed on --model)
    const nope = join(dir, 'nope-model.csv');
    writeFileSync(nope, [lines[0], lines[1], lines[2]!.replace(',wan-tiny-a14b,', ',nope,'), ...lines.slice(3)].join('\n') + '\n');
    expect(issuesOf(() => replay(loadScenario(SLEEP, { set: ['deployment.replicas=1'] }), readObservedTrace(nope), { baseDir: 'test/fixtures/serving', replications: 1 }))[0]).toMatchObject({ source: nope, line: 3, path: 'model', message: 'unknown model "nope"' });
    // a shape the model cannot run, at its row (it was blamed on the scenario's stage-time profile)
    const ten = join(dir, 'ten-frames.csv');
    const cols = lines[0]!.split(',');
    const f = cols.indexOf('frames');
    writeFileSync(ten, [lines[0], lines[1], lines[2]!.split(',').map((v, i) => (i === f ? '10' : v)).join(','), ...lines.slice(3)].join('\n') + '\n');
    expect(issuesOf(() => replay(loadScenario(SLEEP, { set: ['deployment.replicas=1'] }), readObservedTrace(ten), { baseDir: 'test/fixtures/serving', replications: 1 }))[0]).toMatchObject({ source: ten, line: 3, path: 'frames', hint: 'use 9 or 13' });
  });

  it('the replications together get one run\'s budget: --replications 10000 ran for 12 minutes on a 250-row trace (and would for days on a large one)', () => {
    const loaded = loadScenario(SLEEP, { set: ['deployment.replicas=1', 'limits.max_events=100000'] });
    let seeds = 0;
    const [issue, ...more] = issuesOf(() => replay(loaded, readObservedTrace(obsFile), { baseDir: 'test/fixtures/serving', replications: 10_000, onRun: () => seeds++ }));
    expect(more).toEqual([]);
    expect(seeds).toBe(1); // refused after the first seed, which says what one costs
    expect(issue).toMatchObject({ source: '--replications', path: 'limits.max_events', message: expect.stringMatching(/^10,000 replications \(simulation seeds\) of this trace would take the work of about 2\.0e8 events \(\d+ per seed and 20,000 to set it up\); the seeds together may take 1\.0e5 \(limits\.max_events\)$/), hint: expect.stringMatching(/^use --replications 4 or fewer, replay a shorter trace, or raise the limit: --set limits\.max_events=/) });
    // within the budget the seeds run, and the pooled samples hold every seed's requests
    const ok = replay(loaded, readObservedTrace(obsFile), { baseDir: 'test/fixtures/serving', replications: 4 });
    expect(ok.samples.latency).toHaveLength(4 * ok.report.compared);
    expect(ok.report.replications).toBe(4);
  });

  it('a trace whose requests name a model no pool serves: an input error when none can be replayed, a warning when some', () => {
    const other = join(dir, 'other-model.csv');
    writeFileSync(other, readFileSync(obsFile, 'utf8').replaceAll(',wan-tiny-a14b,', ',wan2.1-t2v-1.3b,'));
    const t = readObservedTrace(other);
    let err: unknown;
    try {
      replay(loadScenario(SLEEP, { set: ['deployment.replicas=1'] }), t, { baseDir: 'test/fixtures/serving', replications: 1 });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(InputError);
    expect((err as InputError).issues[0]).toMatchObject({ source: other, path: 'model', message: expect.stringMatching(/^none of the trace's 6 requests can be replayed: they name "wan2\.1-t2v-1\.3b", which no pool of the scenario serves \(its pools serve wan-tiny-a14b\)/), hint: expect.stringContaining('trace_models') });
    const cli = vgsim(['replay', other, '--scenario', SLEEP, '--set', 'deployment.replicas=1']);
    expect(cli.code).toBe(2);
    // two of six rows renamed: the other four compare, the two are named in a warning
    const lines = readFileSync(obsFile, 'utf8').trim().split('\n');
    const mixed = join(dir, 'mixed-model.csv');
    writeFileSync(mixed, [lines[0], ...lines.slice(1).map((l, i) => (i < 2 ? l.replace(',wan-tiny-a14b,', ',wan2.1-t2v-1.3b,') : l))].join('\n') + '\n');
    const { report } = replay(loadScenario(SLEEP, { set: ['deployment.replicas=1'] }), readObservedTrace(mixed), { baseDir: 'test/fixtures/serving', replications: 1 });
    expect(report.compared).toBe(4);
    expect(report.warnings).toContain('2 requests of the trace name "wan2.1-t2v-1.3b", which no pool of the scenario serves (its pools serve wan-tiny-a14b): the simulation drops them');
  });

  it('reads the sidecar of an observed trace and warns where the server differs from the scenario', () => {
    writeFileSync(obsFile.replace(/\.csv$/, '.json'), JSON.stringify({ format: 'vgsim-observed-trace/1', server: { workers: 2, routing: 'round-robin' } }));
    const t = readObservedTrace(obsFile);
    expect(t.meta?.server.routing).toBe('round-robin');
    const { report } = replay(loadScenario(SLEEP, { set: ['deployment.replicas=1'] }), t, { baseDir: 'test/fixtures/serving' });
    expect(report.warnings).toEqual(['the server routed with round-robin, the scenario with least-outstanding', 'the server had 2 workers, the scenario 1 replica: the errors compare another cluster than the one measured (a what-if, not a validation)']);
    expect(replayTable(report)).toMatch(/latency p95 /);
  });
});
