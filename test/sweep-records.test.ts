import { describe, expect, it } from 'vitest';
import { jsonLine, type SweepRecord } from '../src/sweep/output.ts';

// the sweep command writes points.jsonl's line from the record before its JSON round trip (one stringify,
// not two): that line must be what jsonLine writes of the record as parsed back
describe('points.jsonl lines', () => {
  it('a record parsed from its line writes the same line (non-finite numbers, -0, integer-like and "__proto__" keys)', () => {
    const summary = JSON.parse('{"__proto__": {"a": 1}}') as Record<string, unknown>;
    Object.assign(summary, { p95: Infinity, mean: NaN, zero: -0, tiny: 5e-324, big: 1.7976931348623157e308, third: 1 / 3, per_class: { '10': 1, '2': 2, x: [1, -Infinity, null, undefined] }, gone: undefined });
    const records: SweepRecord[] = [
      { id: 3, point: 1, replicate: 0, seed: 7, label: 'rate=2.5', variant: null, parameters: { 'workload.arrivals.rate_per_hour': 2.5, list: [1, 2] }, status: 'ok', summary: summary as never },
      { id: 4, point: 2, replicate: 1, seed: 8, label: 'x', variant: 'v', parameters: {}, status: 'error', error: 'deployment.replicas: too small' },
    ];
    for (const r of records) {
      const line = jsonLine(r);
      expect(jsonLine(JSON.parse(line) as SweepRecord)).toBe(line);
    }
  });
});
