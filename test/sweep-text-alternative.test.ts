/**
 * The sweep text's lines under "among the points on GPUs with held-out measurements" each read the alternative's
 * own pick and notes: the $ per video line took the sweep's best's note (no best $ per video: …) instead of the
 * alternative's, so a missing alternative pick was explained by the other ranking's reason, or by none.
 */
import { describe, expect, it, vi } from 'vitest';
import { resolve } from 'node:path';
import { loadScenario } from '../src/scenario/load.ts';
import { expandSweep } from '../src/sweep/spec.ts';
import { runSweep } from '../src/sweep/runner.ts';
import { recordOf, sweepResult } from '../src/sweep/output.ts';
import type { BestPoints } from '../src/sweep/best.ts';

// the alternative of a sweep whose best point is on an unvalidated GPU, stood in for: the sweep here runs on an H100
const alt = vi.hoisted(() => ({ value: null as BestPoints | null }));
vi.mock('../src/sweep/evidence.ts', async (importOriginal) => ({
  ...(await importOriginal<typeof import('../src/sweep/evidence.ts')>()),
  checkedAlternative: () => alt.value,
}));
const { sweepText } = await import('../src/sweep/text.ts');

describe('the checked alternative in the sweep text', () => {
  it('each of its lines carries its own note, not the best points\' note', async () => {
    const file = resolve('test/fixtures/md1.yaml');
    const loaded = loadScenario(file, { set: ['duration=1h', 'sweep.parameters={"workload.arrivals.rate_per_hour": [5]}'] });
    const plan = expandSweep(loaded);
    const outcomes = await runSweep(plan.points, { file, workers: 0 });
    const records = plan.points.map((p, i) => recordOf(p, outcomes[i]!));
    const result = sweepResult(plan, records);
    expect(result.best.usd_per_video).toBe(0);
    expect(result.best.note).toBeNull();
    alt.value = { ...result.best, latency_p95: null, usd_per_video: null, throughput_per_h: null, note: 'ALTERNATIVE $ NOTE', throughput_note: 'ALTERNATIVE THROUGHPUT NOTE' };
    const lines = sweepText(plan, records, {}, result).split('\n');
    const at = lines.indexOf('among the points on GPUs with held-out measurements (vgsim list evidence):');
    expect(at).toBeGreaterThan(0);
    expect(lines.slice(at + 1, at + 4)).toEqual([
      '  best p95 latency: –',
      '  best $ per video: – (ALTERNATIVE $ NOTE)',
      '  best throughput: – (ALTERNATIVE THROUGHPUT NOTE)',
    ]);
  }, 120_000);
});
