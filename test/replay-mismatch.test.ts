/**
 * A scenario with another number of replicas than the server had workers compares another cluster: the replay's
 * header says so where the numbers are read, not only in the last line under the stage table (it was "the server
 * had 1 workers, the scenario 4 replicas", at the bottom).
 */
import { describe, expect, it } from 'vitest';
import { vgsim } from './support/cli.ts';

const TRACE = 'calibration/serving/traces/cpu-tiny/load50.csv';
const SCENARIO = 'calibration/serving/scenarios/cpu-tiny.yaml';

describe('replay against a scenario of another size than the server', () => {
  it('4 replicas against a 1-worker trace: flagged in the header and in the warning', () => {
    const r = vgsim(['replay', TRACE, '--scenario', SCENARIO, '--set', 'deployment.replicas=4', '--replications', '1']);
    expect(r.code).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines[1]).toMatch(/^scenario cpu-tiny-harness: 4 replicas \(NOT the server's 1: a what-if\), least-outstanding;/);
    expect(r.stdout).toContain('the server had 1 worker, the scenario 4 replicas: the errors compare another cluster than the one measured (a what-if, not a validation)');
  });

  it('the scenario of the server itself: no such flag', () => {
    const r = vgsim(['replay', TRACE, '--scenario', SCENARIO, '--replications', '1']);
    expect(r.code).toBe(0);
    expect(r.stdout).not.toMatch(/what-if/);
  });
});
