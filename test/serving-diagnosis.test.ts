/**
 * calibration/serving/README.md's diagnosis of the committed CPU traces is exactly what
 * scripts/serving-diagnosis.ts computes from them, and the statements written around it hold.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { readObservedTrace } from '../src/calibration/observed-trace.ts';
import { DIAGNOSED, diagnose, servingDiagnosisSection } from '../scripts/serving-diagnosis.ts';

const TRACES = ['fit', 'load50', 'load85', 'bursty'];
const runOf = (dir: string) => {
  const fit = readObservedTrace(`${dir}/fit.csv`);
  return TRACES.map((n) => diagnose(readObservedTrace(`${dir}/${n}.csv`), n === 'fit' ? null : fit));
};

describe('calibration/serving/README.md: why the replay missed', () => {
  it('holds what `npm run serving:diagnosis` prints (regenerate with -- --write)', () => {
    expect(readFileSync('calibration/serving/README.md', 'utf8')).toContain(servingDiagnosisSection());
  }, 60_000);

  it('the statements around it hold', () => {
    const [before, after] = DIAGNOSED.map((d) => runOf(d.dir));
    for (const x of [...before!, ...after!]) {
      // the server is the FIFO queue vgsim simulates: the observed occupancies replayed FIFO give every
      // dispatch time within 20 ms
      expect(x.fifoMaxError).toBeLessThan(0.02);
      // the server's own load does not change its worker's speed
      expect(Math.abs(x.loadCorr!)).toBeLessThan(0.2);
    }
    // before: every shape's stage time varied with a CV of at least 0.25
    for (const x of before!) for (const s of x.shapes) expect(s.cv).toBeGreaterThanOrEqual(0.25);
    // after: the worker had its CPU (worker CPU time ≥ 98% of its wall time)
    for (const x of after!) expect(x.cpuShare!).toBeGreaterThanOrEqual(0.98);
  }, 60_000);
});
