/**
 * The recommendation audit (src/docs/recommendation-audit.ts, `npm run check:recommendations`): its independent
 * evaluator on hand-built request records, and the stored audit — it covers every scenario of the library
 * (a new scenario means running the script again) and no pick in it violates its objectives.
 */
import { describe, expect, it } from 'vitest';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { quantileOf, readAudit, recheck, RECOMMENDERS } from '../src/docs/recommendation-audit.ts';
import { parseSlo } from '../src/studies/objectives.ts';
import type { RequestRecord } from '../src/serving/recorder.ts';

const rec = (id: number, cls: string, latency: number, wait = 0, outcome: RequestRecord['outcome'] = 'completed'): RequestRecord => ({ id, cls, replica: 0, arrival: 100 * id, start: 100 * id + wait, finish: 100 * id + latency, outcome, retries: 0, pool: 'p' });

describe('the independent evaluator', () => {
  // 20 requests of class a, latencies 10, 20, …, 200 s; waits a tenth of that
  const records = Array.from({ length: 20 }, (_, i) => rec(i, 'a', 10 * (i + 1), i + 1));

  it('percentiles by linear interpolation between order statistics: p95 of 10..200 is 190.5', () => {
    expect(quantileOf(records.map((r) => r.finish - r.arrival), 0.95)).toBeCloseTo(190.5, 12);
    expect(recheck(records, 20, [{ name: 'a', slo_s: null }], parseSlo('p95<=190.5'))).toMatchObject({ pass: true });
    expect(recheck(records, 20, [{ name: 'a', slo_s: null }], parseSlo('p95<=190'))).toMatchObject({ pass: false });
    expect(recheck(records, 20, [{ name: 'a', slo_s: null }], parseSlo('wait_p95<=19.05')).pass).toBe(true);
  });

  it('attainment counts the completed requests within their class SLO: 15 of 20 within 150 s', () => {
    const cls = [{ name: 'a', slo_s: 150 }];
    expect(recheck(records, 20, cls, parseSlo('a.attainment>=0.75')).pass).toBe(true);
    expect(recheck(records, 20, cls, parseSlo('a.attainment>=0.76')).pass).toBe(false);
  });

  it('a dropped request fails the no-loss rule; no completed request fails everything', () => {
    const lost = [...records, rec(99, 'a', 0, 0, 'dropped')];
    expect(recheck(lost, 21, [{ name: 'a', slo_s: null }], parseSlo('p95<=1h'))).toMatchObject({ pass: false });
    expect(recheck(lost, 21, [{ name: 'a', slo_s: null }], parseSlo('p95<=1h')).text).toMatch(/1 lost/);
    expect(recheck([rec(1, 'a', 0, 0, 'failed')], 1, [], parseSlo('p95<=1h'))).toEqual({ pass: false, text: 'no request completed' });
  });
});

describe('the stored audit (npm run check:recommendations)', () => {
  const audit = readAudit();
  it('covers every scenario of the library, every recommending command, and no pick violates its objectives', () => {
    const library = [
      ...readdirSync('scenarios').filter((f) => f.endsWith('.yaml')).map((f) => join('scenarios', f)),
      ...readdirSync('scenarios/sweeps').filter((f) => f.endsWith('.yaml')).map((f) => join('scenarios/sweeps', f)),
    ].sort();
    expect(audit.scenarios).toBe(library.length);
    // every scenario with a sweep or an SLO has rows (the others recommend nothing to audit)
    const audited = new Set(audit.rows.map((r) => r.scenario));
    for (const f of audited) expect(library).toContain(f);
    expect(audited.size).toBeGreaterThanOrEqual(library.length - 2);
    for (const r of RECOMMENDERS) expect(audit.rows.some((x) => x.recommender === r && x.verdict === 'meets')).toBe(true);
    expect(audit.rows.filter((r) => r.verdict === 'violates')).toEqual([]);
  });
});
