/**
 * Each "best" line of the sweep text, and each card of sweep.html, reads its own ranking's pick and reason: the
 * text's lines under "among the points on GPUs with held-out measurements" took the sweep's best's note for $ per
 * video instead of the alternative's, and the HTML's $ per video card said "no point meets the objectives" where
 * points did (priced on different bases), for the best and the alternative alike. sweep.html also reads the one
 * sweep result's verdicts (it judged the points again).
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
const { renderSweepHtml } = await import('../src/sweep/report.ts');

/** A one-point sweep whose point meets the objectives (one H100 at 5 requests/h for an hour). */
async function oneBestPoint() {
  const file = resolve('test/fixtures/md1.yaml');
  const loaded = loadScenario(file, { set: ['duration=1h', 'sweep.parameters={"workload.arrivals.rate_per_hour": [5]}'] });
  const plan = expandSweep(loaded);
  const outcomes = await runSweep(plan.points, { file, workers: 0 });
  const records = plan.points.map((p, i) => recordOf(p, outcomes[i]!));
  return { plan, records, result: sweepResult(plan, records) };
}

/** The note under a card of sweep.html by its label. */
function cardNote(html: string, label: string): string {
  const m = new RegExp(`<div class="card"><div class="value">[^<]*</div><div class="label">${label.replace(/[$()]/g, '\\$&')}</div><div class="note">([^<]*)</div></div>`, 'g');
  return [...html.matchAll(m)].map((x) => x[1]!).join(' | ');
}

describe('the checked alternative in the sweep text', () => {
  it('each of its lines carries its own note, not the best points\' note', async () => {
    const { plan, records, result } = await oneBestPoint();
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

  it('sweep.html: each card reads its own ranking\'s reason, and the verdicts of the one sweep result', async () => {
    const { plan, records, result } = await oneBestPoint();
    alt.value = null;
    // points meet the objectives but are priced on different bases: no best $ per video, and the card says why
    const unpriced = { ...result, best: { ...result.best, usd_per_video: null, note: 'no best $ per video: the points meeting the objectives are priced on different bases (owned, cloud)' } };
    expect(cardNote((await renderSweepHtml(plan, records, {}, unpriced)).html, 'lowest $ per video')).toBe('no best $ per video: the points meeting the objectives are priced on different bases (owned, cloud)');
    // the alternative's cards: its own reasons, not the best's (the best has a $ per video pick)
    alt.value = { ...result.best, latency_p95: null, usd_per_video: null, throughput_per_h: null, note: 'ALTERNATIVE $ NOTE', throughput_note: 'ALTERNATIVE THROUGHPUT NOTE' };
    const html = (await renderSweepHtml(plan, records, {}, result)).html;
    expect(cardNote(html, 'lowest $ per video').split(' | ')[1]).toBe('ALTERNATIVE $ NOTE');
    expect(cardNote(html, 'highest throughput (videos/h)').split(' | ')[1]).toBe('ALTERNATIVE THROUGHPUT NOTE');
    // the points table's verdict is the result's
    const marked = { ...result, verdicts: result.verdicts.map((v) => ({ ...v, feasible: false, reason: 'the result says no' })) };
    alt.value = null;
    expect((await renderSweepHtml(plan, records, {}, marked)).html).toContain('<td class="num bad" title="the result says no">✗</td>');
  }, 120_000);
});
