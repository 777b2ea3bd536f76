/**
 * A replay names the trace its scenario's fitted files (serving_overheads, stage_times written by vgsim calibrate)
 * were fitted on, and warns when the trace it scores is that one: an in-sample replay checks the fit, not the model,
 * and read without the warning it looked like a validation (src/calibration/fitted-on.ts).
 */
import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { vgsim } from './support/cli.ts';

const dir = mkdtempSync(join(tmpdir(), 'vgsim-fitted-on-'));
const profile = JSON.parse(readFileSync('test/fixtures/serving/sleep-profile.json', 'utf8'));
const small = profile.shapes[0]; // 64x64x9f, 6 steps
const HEADER = 'request_id,model,width,height,frames,steps,cfg,seed,slo_ms,client_send_s,arrival_s,dispatch_s,start_s,encode_start_s,encode_end_s,denoise_start_s,denoise_end_s,decode_start_s,decode_end_s,post_end_s,worker_end_s,finish_s,response_s,worker,device,outcome,error';

/** One worker that ran the sleep profile's stage times with 10 ms dispatch and 20 ms per request, at these arrivals. */
function observed(name: string, arrivals: number[]): string {
  const rows = [HEADER];
  let free = 0;
  arrivals.forEach((a, i) => {
    const d = Math.max(a, free);
    const st = d + 0.01;
    const e1 = st + 0.005 + small.encode_s.mean;
    const d1 = e1 + 6 * small.step_s.mean;
    const f1 = d1 + small.decode_s.mean;
    free = f1 + 0.015;
    rows.push([i, 'wan-tiny-a14b', 64, 64, 9, 6, 'true', i, '', '', a, d, st, st + 0.005, e1, e1, d1, d1, f1, f1 + 0.01, f1 + 0.012, free, free, 0, 'sleep', 'completed', ''].join(','));
  });
  const file = join(dir, name);
  writeFileSync(file, rows.join('\n') + '\n');
  return file;
}

const fit = observed('fit.csv', [0, 0.05, 0.1, 1, 1.02, 3]);
const other = observed('load85.csv', [0, 0.2, 0.3, 0.9, 2, 2.1, 4]);
// the user's flow: calibrate on fit.csv, write both files, point the scenario at them
const cal = vgsim(['calibrate', fit, '--scenario', 'test/fixtures/serving/sleep.yaml', '--set', 'deployment.replicas=1', '--validate', other, '--write', join(dir, 'overheads.json'), '--write-stage-times', join(dir, 'stage-times.json')]);
const scenario = join(dir, 'server.yaml');
writeFileSync(scenario, readFileSync('test/fixtures/serving/sleep.yaml', 'utf8').replace('replicas: 2', 'replicas: 1').replace('stage_times: sleep-profile.json', 'stage_times: stage-times.json') + 'serving_overheads: overheads.json\n');

describe('replay: which trace the fitted inputs came from', () => {
  it('calibrate wrote both files', () => {
    expect(cal.code).toBe(0);
  });

  it('replaying the fit trace itself warns that it is in-sample, in the header and in the warnings', () => {
    const r = vgsim(['replay', fit, '--scenario', scenario, '--replications', '1']);
    expect(r.code).toBe(0);
    const head = r.stdout.split('\n')[1]!;
    expect(head).toMatch(/stage times measured \(stage-times\.json, fitted on \S*fit\.csv: THIS trace, in-sample\)/);
    expect(head).toMatch(/serving overheads overheads\.json, fitted on \S*fit\.csv: THIS trace, in-sample/);
    expect(r.stdout).toMatch(/the serving overheads \(overheads\.json\) and the stage times \(stage-times\.json\) were fitted on this very trace \(.*fit\.csv\): the replay is in-sample/);
    const json = JSON.parse(vgsim(['replay', fit, '--scenario', scenario, '--replications', '1', '--json']).stdout);
    expect(json.scenario.fitted.map((f: { what: string; in_sample: boolean }) => [f.what, f.in_sample])).toEqual([['serving overheads', true], ['stage times', true]]);
    expect(json.warnings[0]).toMatch(/in-sample/);
  });

  it('another trace: the header names the fit trace, and there is no in-sample warning', () => {
    const r = vgsim(['replay', other, '--scenario', scenario, '--replications', '1', '--json']);
    expect(r.code).toBe(0);
    const json = JSON.parse(r.stdout);
    expect(json.scenario.fitted.every((f: { fitted_on: string; in_sample: boolean }) => f.fitted_on.endsWith('fit.csv') && !f.in_sample)).toBe(true);
    expect(json.warnings.join('\n')).not.toMatch(/in-sample/);
  });

  it('calibrate warns when a --validate trace is the one the scenario\'s stage times were fitted on', () => {
    const r = vgsim(['calibrate', other, '--scenario', scenario, '--validate', fit]);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/warning: the stage times \(stage-times\.json\) were fitted on this very trace \(.*fit\.csv\)/);
  });
});
