/**
 * Durations of one table column (a compare row, plan's latency column) print in one unit: "116.09 s" beside
 * "3.4 min" read as the larger number (arch review finding 11).
 */
import { describe, it, expect } from 'vitest';
import { fmtSeconds, fmtSecondsColumn } from '../src/report/table.ts';
import { formatRow } from '../src/report/compare.ts';
import { vgsimInProcess } from './support/cli.ts';

describe('fmtSecondsColumn: one unit per column', () => {
  it('prints every value in the unit of the largest (fmtSeconds alone mixed seconds and minutes)', () => {
    expect([116.09, 204, 1728].map(fmtSeconds)).toEqual(['116.09 s', '3.4 min', '28.8 min']);
    expect(fmtSecondsColumn([116.09, 204, 1728])).toEqual(['1.9 min', '3.4 min', '28.8 min']);
    expect(fmtSecondsColumn([80.41, 114.29])).toEqual(['80.41 s', '114.29 s']);
    expect(fmtSecondsColumn([0.5, 3])).toEqual(['0.50 s', '3.00 s']);
  });

  it('takes more digits where two different values would print alike or a non-zero one as zero', () => {
    expect(fmtSecondsColumn([240, 241])).toEqual(['4.00 min', '4.02 min']);
    expect(fmtSecondsColumn([3, 7300])).toEqual(['0.001 h', '2.028 h']);
    // within 0.1%: a tie of the model, not a difference worth digits
    expect(fmtSecondsColumn([240, 240.1])).toEqual(['4.0 min', '4.0 min']);
  });

  it('keeps missing and NaN cells', () => {
    expect(fmtSecondsColumn([null, 200, Number.NaN])).toEqual(['–', '3.3 min', 'n/a']);
    expect(fmtSecondsColumn([undefined, 200], '-')).toEqual(['-', '3.3 min']);
    expect(fmtSecondsColumn([null])).toEqual(['–']);
  });

  it('a compare row of durations is one unit; other rows format as before', () => {
    expect(formatRow({ unit: 's', values: [204, 1728, 116.09, 174] })).toEqual(['3.4 min', '28.8 min', '1.9 min', '2.9 min']);
    expect(formatRow({ unit: 'videos/h', values: [15.33, null] })).toEqual(['15.3', '–']);
  });

  it('plan prints its latency column in one unit', async () => {
    const r = await vgsimInProcess(['plan', '--model', 'wan2.2-t2v-a14b', '--gpu', 'h100-sxm', '--gpus', '16', '--resolution', '1280x720', '--all', '--top', '400']);
    expect(r.code).toBe(0);
    const table = r.stdout.split('\n').filter((l) => /^(\d+|-)\s+\S+=/.test(l));
    const units = new Set(table.flatMap((l) => /\s\d+\.\d+ (s|min|h)\s/.exec(l)?.[1] ?? []));
    expect(table.length).toBeGreaterThan(200);
    expect([...units]).toEqual(['min']);
  });
});
