/**
 * Trace readers: vgsim's CSV, observed traces from calibration/serving and DiT-benchmark per-request rows,
 * through the RFC 4180 reader; per-request SLOs reach the simulation; bad rows are file:line errors.
 */
import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseTrace, pythonKwargs, readTraceFile } from '../src/workload/trace-formats.ts';
import { loadScenario } from '../src/scenario/load.ts';
import { simulate } from '../src/serving/simulate.ts';
import { vgsim } from './support/cli.ts';
import { issuesOf } from './support/issues.ts';


describe('trace formats', () => {
  it("vgsim's CSV: columns in any order and case, quoted fields, CRLF and BOM", () => {
    const t = parseTrace('\uFEFFFrames,"Model",timestamp_s,resolution,slo_s\r\n81,"wan2.1-t2v-1.3b",0.5,"832x480",60\r\n121,,2,1280x720,\r\n', 'x.csv');
    expect(t.format).toBe('vgsim');
    expect(t.rows).toEqual([
      { time: 0.5, model: 'wan2.1-t2v-1.3b', width: 832, height: 480, frames: 81, slo_s: 60 },
      { time: 2, width: 1280, height: 720, frames: 121 },
    ]);
  });

  it('a quoted field with a comma (which the old comma-splitting parser broke on)', () => {
    const t = parseTrace('timestamp_s,model,note\n1,"wan2.1-t2v-1.3b","a, b"\n', 'x.csv');
    expect(t.rows[0]!.model).toBe('wan2.1-t2v-1.3b');
  });

  it('observed traces: arrival_s is the time, slo_ms becomes seconds', () => {
    const t = parseTrace('request_id,model,width,height,frames,steps,slo_ms,arrival_s,outcome\r\n0,m,64,64,9,6,2500,0.25,completed\r\n1,m,96,64,9,8,,1.5,failed\r\n', 'obs.csv');
    expect(t.format).toBe('observed');
    expect(t.rows).toEqual([
      { time: 0.25, model: 'm', width: 64, height: 64, frames: 9, steps: 6, slo_s: 2.5, id: '0' },
      { time: 1.5, model: 'm', width: 96, height: 64, frames: 9, steps: 8, id: '1' },
    ]);
  });

  it('cfg: true/false in any case or 1/0 is carried to the request; anything else is a file:line error at the column (it was read as true)', () => {
    const t = parseTrace('timestamp_s,cfg\n0,true\n1,False\n2,0\n3,1\n4,\n', 'c.csv');
    expect(t.rows.map((r) => r.cfg)).toEqual([true, false, false, true, undefined]);
    expect(issuesOf(() => parseTrace('timestamp_s,cfg\n0,true\n1,maybe\n', 'c.csv'))[0]).toMatchObject({ source: 'c.csv', line: 3, path: 'cfg', message: 'expected true or false, got "maybe"', hint: 'true or false (any case), or 1 or 0' });
  });

  it("observed traces: a completed request's worker time is its encode + denoise + decode (replay --observed-service)", () => {
    const head = 'request_id,model,width,height,frames,steps,arrival_s,encode_start_s,encode_end_s,denoise_start_s,denoise_end_s,decode_start_s,decode_end_s,outcome';
    const t = parseTrace(`${head}\n0,m,64,64,9,6,0.5,1.0,1.25,1.5,3.5,3.5,4.0,completed\n1,m,64,64,9,6,0.7,,,,,,,failed\n`, 'obs.csv');
    expect(t.rows[0]!.service_s).toBeCloseTo(0.25 + 2 + 0.5, 12);
    expect(t.rows[1]!.service_s).toBeUndefined();
  });

  it('DiT-benchmark rows (width, height, num_frames, num_inference_steps, slo_ms)', () => {
    const t = parseTrace('width,height,num_frames,num_inference_steps,seed,slo_ms,timestamp\n832,480,81,50,42,90000,0\n1280,720,81,40,7,300000,12.5\n', 'b.csv');
    expect(t.format).toBe('dit-benchmark');
    expect(t.rows[1]).toEqual({ time: 12.5, width: 1280, height: 720, frames: 81, steps: 40, seed: 7, slo_s: 300 });
  });

  it('without a time column the rows need a rate, and are then spaced 1/rate apart from 0', () => {
    const text = 'width,height,num_frames,num_inference_steps,slo_ms\n832,480,81,50,1000\n832,480,81,50,1000\n832,480,81,50,1000\n';
    const issues = issuesOf(() => parseTrace(text, 'b.csv'));
    expect(issues[0]!.message).toMatch(/no time column/);
    expect(issues[0]!.hint).toMatch(/rate_per_s/);
    expect(parseTrace(text, 'b.csv', { ratePerS: 0.5 }).rows.map((r) => r.time)).toEqual([0, 2, 4]);
  });

  it("the benchmark's own Request(...) lines", () => {
    const text = [
      "Request(prompt='a cat, on a bench', width=832, height=480, num_frames=81, num_inference_steps=50, seed=3, slo_ms=60000.0, timestamp=0.0)",
      '',
      'Request(prompt="it\'s \\"quoted\\"", width=1280, height=720, num_frames=121, num_inference_steps=40, seed=None, image_paths=[\'a.png\', \'b.png\'], slo_ms=None, timestamp=1.5)',
    ].join('\n');
    const t = parseTrace(text, 'trace.txt');
    expect(t.format).toBe('dit-benchmark');
    expect(t.rows).toEqual([
      { time: 0, width: 832, height: 480, frames: 81, steps: 50, seed: 3, slo_s: 60 },
      { time: 1.5, width: 1280, height: 720, frames: 121, steps: 40 },
    ]);
    expect(pythonKwargs("a=1, b='x, y', c=[1, (2, 3)], d=None").get('c')).toBe('[1, (2, 3)]');
    expect(issuesOf(() => parseTrace('Request(width=832 height=480)', 't.txt'))[0]!.message).toMatch(/expected ","/);
  });

  it('every bad row is reported with file:line and the column, all at once', () => {
    const issues = issuesOf(() => parseTrace('timestamp_s,frames,resolution,slo_ms\n0,81,832x480,1\n"x",81,832x480,\n3,eighty,832x480,\n4,81,huge,\n5,81,832x480,-3\n', 't.csv'));
    expect(issues.map((i) => [i.line, i.path])).toEqual([[3, 'timestamp_s'], [4, 'frames'], [5, 'resolution'], [6, 'slo_ms']]);
    expect(issues[1]!.message).toBe('expected a positive integer, got "eighty"');
    // a quoted field left open: the line where it opened
    const open = issuesOf(() => parseTrace('timestamp_s,model\n0,"wan\n1,x\n', 't.csv'));
    expect(open[0]).toMatchObject({ line: 2, col: 3 });
    // times going backwards
    expect(issuesOf(() => parseTrace('timestamp_s\n5\n4\n', 't.csv'))[0]).toMatchObject({ line: 3, message: 'times must not decrease (4 after 5)' });
    // a ragged row
    expect(issuesOf(() => parseTrace('timestamp_s,frames\n1\n', 't.csv'))[0]!.message).toMatch(/1 field, but the header has 2/);
  });

  it('two columns of one quantity are an error at the header; a column vgsim does not read is a warning, with a did-you-mean (they were ignored silently)', () => {
    const conflict = (head: string, row: string) => issuesOf(() => parseTrace(`${head}\n${row}\n`, 't.csv'))[0];
    expect(conflict('timestamp_s,slo_s,slo_ms', '0,60,1000')).toMatchObject({ line: 1, col: 3, path: 'slo_ms', message: 'columns slo_s and slo_ms both give the latency SLO; vgsim would read one and ignore the other', hint: 'keep one of slo_s or slo_ms' });
    expect(conflict('timestamp_s,resolution,width,height', '0,832x480,1280,720')).toMatchObject({ line: 1, col: 4, message: expect.stringMatching(/^columns resolution, width and height all give the video size; vgsim would read one and ignore the others$/), hint: 'keep one of resolution or width + height' });
    expect(conflict('timestamp_s,arrival_s', '0,100')).toMatchObject({ line: 1, message: expect.stringMatching(/give the arrival time/) });
    expect(conflict('timestamp_s,frames,num_frames', '0,17,33')).toMatchObject({ path: 'num_frames' });
    const warned = (head: string) => parseTrace(`${head}\n0,1\n`, 't.csv').warnings;
    expect(warned('timestamp_s,modle')).toEqual(['t.csv:1:2  modle: not a column vgsim reads; ignored (did you mean "model"?)']);
    expect(warned('timestamp_s,slo')).toEqual(['t.csv:1:2  slo: not a column vgsim reads; ignored (did you mean "slo_s" or "slo_ms"?)']);
    expect(warned('timestamp_s,Frame')).toEqual(['t.csv:1:2  Frame: not a column vgsim reads; ignored (did you mean "frames"?)']);
    expect(warned('timestamp_s,prompt')).toEqual(['t.csv:1:2  prompt: not a column vgsim reads; ignored']);
    expect(warned('timestamp_s,frames')).toEqual([]);
    // an observed trace's columns are its format's: slo_s is not its SLO (slo_ms is), and is not read
    const obs = parseTrace('request_id,arrival_s,outcome,slo_s\n0,1,completed,5\n', 'o.csv');
    expect([obs.rows[0]!.slo_s, obs.warnings]).toEqual([undefined, ['o.csv:1:4  slo_s: not a column vgsim reads; ignored (did you mean "slo_ms"?)']]);
  });

  it('vgsim validate prints a trace\'s unread columns under its ok line (only run and replay said so)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'vgsim-cols-'));
    writeFileSync(join(dir, 't.csv'), 'timestamp_s,modle\n0,wan2.1-t2v-1.3b\n');
    writeFileSync(join(dir, 's.yaml'), 'name: t\nduration: 1h\nmodel: wan2.1-t2v-1.3b\ncluster: {nodes: [{type: hgx-h100-sxm-8, count: 1}]}\ndeployment: {replicas: 8}\nworkload: {arrivals: {process: trace, file: t.csv}, mix: [{resolution: 832x480, frames: 81, steps: 50}]}\n');
    const r = vgsim(['validate', join(dir, 's.yaml')]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`ok    ${join(dir, 's.yaml')}\n      warning: ${join(dir, 't.csv')}:1:2  modle: not a column vgsim reads; ignored (did you mean "model"?)\n`);
  });

  it('numbers in cells are decimal, as in flags: 0x10 is refused, not read as 16', () => {
    expect(issuesOf(() => parseTrace('timestamp_s\n0x10\n', 't.csv'))[0]).toMatchObject({ line: 2, path: 'timestamp_s', message: 'expected a non-negative number of seconds, got "0x10"' });
    expect(issuesOf(() => parseTrace('timestamp_s,frames\n0,0b10001\n', 't.csv'))[0]).toMatchObject({ line: 2, path: 'frames' });
    expect(issuesOf(() => parseTrace('timestamp_s,slo_ms\n0,0o17\n', 't.csv'))[0]).toMatchObject({ line: 2, path: 'slo_ms' });
    expect(parseTrace('timestamp_s,frames\n1e1,17\n', 't.csv').rows[0]).toMatchObject({ time: 10, frames: 17 });
  });

  it('a missing file is an input error', () => {
    expect(issuesOf(() => readTraceFile('no/such/trace.csv'))[0]!.message).toMatch(/file not found/);
  });
});

describe('trace replay in the simulation', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vgsim-trace-'));

  it('per-request SLOs: attainment counts each request against its own SLO', () => {
    // one replica, requests far apart: each latency is the service time S of its shape
    const probe = simulate(loadScenario('test/fixtures/md1.yaml', { set: ['duration=10', 'workload.arrivals.rate_per_hour=0.000001'] }).scenario);
    const S = probe.service_times[0]!.total_s;
    const file = join(dir, 'slo.csv');
    writeFileSync(file, `width,height,num_frames,num_inference_steps,slo_ms,timestamp\n832,480,81,50,${(S * 0.5) * 1000},0\n832,480,81,50,${(S * 2) * 1000},${10 * S}\n832,480,81,50,${(S * 2) * 1000},${20 * S}\n`);
    const r = simulate(loadScenario('test/fixtures/md1.yaml', { set: [`duration=${30 * S}`, `workload.arrivals={process: trace, file: ${file}}`] }).scenario, { records: true });
    expect(r.requests.completed).toBe(3);
    expect(r.slo_attainment).toBeCloseTo(2 / 3, 12);
    expect(r.classes.filter((c) => c.arrived > 0).map((c) => [c.slo_s, c.arrived])).toEqual([[S * 0.5, 1], [S * 2, 2]]);
  });

  it("a row's cfg is simulated: without guidance a request runs one DiT pass a step, not two (replay ignored it)", () => {
    const file = join(dir, 'cfg.csv');
    writeFileSync(file, 'timestamp_s,cfg\n0,true\n100000,false\n');
    const r = simulate(loadScenario('test/fixtures/md1.yaml', { set: ['duration=200000', `workload.arrivals={process: trace, file: ${file}}`] }).scenario, { records: true });
    const [on, off] = r.records!.map((x) => x.finish - x.arrival);
    expect(off!).toBeLessThan(on! * 0.75);
    expect(r.classes.filter((c) => c.arrived > 0).map((c) => c.name)).toEqual([expect.not.stringMatching(/CFG/), expect.stringMatching(/ no CFG$/)]);
  });

  it('a column the trace has but vgsim does not read is among the run\'s warnings', () => {
    const file = join(dir, 'modle.csv');
    writeFileSync(file, 'timestamp_s,modle\n0,wan2.1-t2v-1.3b\n');
    const r = simulate(loadScenario('test/fixtures/md1.yaml', { set: ['duration=10', `workload.arrivals={process: trace, file: ${file}}`] }).scenario);
    expect(r.warnings).toContain(`${file}:1:2  modle: not a column vgsim reads; ignored (did you mean "model"?)`);
  });

  it('a bad trace row makes `vgsim run` exit 2 with file:line', () => {
    const file = join(dir, 'bad.csv');
    writeFileSync(file, 'timestamp_s,frames\n0,81\n1,-5\n');
    const r = vgsim(['run', 'test/fixtures/md1.yaml', '--set', `workload.arrivals={process: trace, file: ${file}}`]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${file}:3:1  frames: expected a positive integer, got "-5"`);
  });
});
