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
import { sleepServerRows } from './support/sleep-trace.ts';

const dir = mkdtempSync(join(tmpdir(), 'vgsim-fitted-on-'));
/** One worker that ran the sleep profile's stage times with 10 ms dispatch and 20 ms per request, at these arrivals. */
function observed(name: string, arrivals: number[]): string {
  const rows = sleepServerRows(arrivals);
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
