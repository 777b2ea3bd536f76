/**
 * A sweep's recommendation (sweep/best.ts) and its replicate pooling (sweep/points.ts), checked against runs
 * simulated again on their own: the pooled p95 is the p95 of every replicate's requests together (not the
 * mean of the runs' p95), the intervals are the textbook ones, and "best" is only ever a point whose own
 * requests meet the objectives.
 */
import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { parseCsv } from '../src/csv.ts';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { loadScenario } from '../src/scenario/load.ts';
import { expandSweep } from '../src/sweep/spec.ts';
import { runSweep } from '../src/sweep/runner.ts';
import { recordOf, summaryRows, sweepDocument, sweepResult } from '../src/sweep/output.ts';
import { sweepText } from '../src/sweep/text.ts';
import { pointSummaries } from '../src/sweep/points.ts';
import { bestPoints, lowConfidence, pointVerdicts } from '../src/sweep/best.ts';
import { simulate } from '../src/serving/simulate.ts';
import { tInterval } from '../src/metrics/confidence.ts';
import { vgsim } from './support/cli.ts';

const MD1 = resolve('test/fixtures/md1.yaml');
const tmp = mkdtempSync(join(tmpdir(), 'vgsim-sweep-best-'));

/** One H100 serving Wan2.1-1.3B at 480p (75 s a request, ~48/h at most) at 5 to 60 requests/h, 3 seeds each. */
function sweepFile(objectives: string): string {
  const file = join(tmp, `sweep-${objectives.replace(/\W+/g, '_')}.yaml`);
  writeFileSync(file, `extends: ${MD1}\nduration: 10h\nsweep:\n  objectives: "${objectives}"\n  parameters:\n    workload.arrivals.rate_per_hour: [5, 20, 40, 60]\n  replicate_seeds: 3\n`);
  return file;
}

async function sweep(file: string) {
  const loaded = loadScenario(file);
  const plan = expandSweep(loaded);
  const outcomes = await runSweep(plan.points, { file, workers: 0, samples: true });
  const records = plan.points.map((p, i) => recordOf(p, outcomes[i]!));
  return { plan, records, points: pointSummaries(plan, records) };
}

/** numpy's default quantile (linear interpolation between order statistics). */
function quantile(xs: readonly number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  const pos = q * (s.length - 1);
  const i = Math.floor(pos);
  return s[i]! + (s[Math.min(i + 1, s.length - 1)]! - s[i]!) * (pos - i);
}

/** The requests of a sweep point's replicate runs, simulated again on their own (records on). */
function rerun(file: string, plan: ReturnType<typeof expandSweep>, point: number) {
  return plan.points.filter((p) => p.point === point).map((p) => {
    const loaded = loadScenario(file, { set: p.set, seed: p.seed });
    return simulate(loaded.scenario, { baseDir: dirname(file), locate: loaded.locate, records: true });
  });
}

describe('sweep best and replicate pooling', () => {
  it('pools replicate requests for percentiles, gives 95% intervals, and picks "best" only among points meeting the objectives', async () => {
    const file = sweepFile('p95<=4m');
    const { plan, records, points } = await sweep(file);
    expect(points).toHaveLength(4);
    const best = bestPoints(plan, points);

    // the cheapest point per video overall runs the single GPU into overload: it must not be the pick
    const cheapest = [...points].sort((a, b) => a.metrics.usd_per_video! - b.metrics.usd_per_video!)[0]!;
    expect(cheapest.parameters['workload.arrivals.rate_per_hour']).toBe(60);
    expect(best.usd_per_video).not.toBe(cheapest.point);
    expect(best.usd_per_video).not.toBeNull();
    expect(best.meeting).toBeGreaterThan(0);
    expect(best.meeting).toBeLessThan(4);

    // every pick, simulated again from its own replicates, meets the objective with nothing lost
    for (const pick of [best.latency_p95, best.usd_per_video, best.throughput_per_h]) {
      const runs = rerun(file, plan, pick!);
      const latencies = runs.flatMap((r) => r.records!.filter((x) => x.outcome === 'completed').map((x) => x.finish - x.arrival));
      expect(quantile(latencies, 0.95)).toBeLessThanOrEqual(240);
      expect(runs.reduce((a, r) => a + r.requests.dropped + r.requests.failed, 0)).toBe(0);
    }

    // pooled: the p95 of all replicates' requests together, not the mean of the three runs' p95
    const p = points.find((x) => x.point === best.usd_per_video)!;
    const runs = rerun(file, plan, p.point);
    const pooled = runs.flatMap((r) => r.records!.filter((x) => x.outcome === 'completed').map((x) => x.finish - x.arrival));
    expect(p.metrics.latency_p95_s).toBeCloseTo(quantile(pooled, 0.95), 9);
    expect(p.ci!.latency_p95_s!.lo).toBeLessThanOrEqual(p.metrics.latency_p95_s!);
    expect(p.ci!.latency_p95_s!.hi).toBeGreaterThanOrEqual(p.metrics.latency_p95_s!);
    // quantities measured once per run: the replicate mean with Student's t
    const tp = tInterval(runs.map((r) => r.throughput_per_h));
    expect(p.metrics.throughput_per_h).toBeCloseTo(tp.mean!, 9);
    expect(p.ci!.throughput_per_h!.lo).toBeCloseTo(Math.max(0, tp.lo!), 9);
    expect(p.ci!.throughput_per_h!.hi).toBeCloseTo(tp.hi!, 9);

    // sweep.json: each point's verdict and interval; best with the objectives next to it
    const doc = sweepDocument(plan, records) as { best: { objectives: { text: string } }; points: { point: number; meets_objectives: boolean; reason: string | null; ci?: Record<string, [number, number]> }[] };
    expect(doc.best.objectives.text).toMatch(/^p95<=4m, nothing dropped or failed/);
    const overloaded = doc.points.find((x) => x.point === cheapest.point)!;
    expect(overloaded.meets_objectives).toBe(false);
    expect(overloaded.reason).toMatch(/^p95 .* > 4\.0 min/);
    expect(doc.points.every((x) => x.ci !== undefined)).toBe(true);
  }, 120_000);

  it('with objectives no point meets: no best, and the closest miss with its reason', async () => {
    const { plan, points } = await sweep(sweepFile('p95<=30s'));
    const best = bestPoints(plan, points);
    expect([best.latency_p95, best.usd_per_video, best.throughput_per_h]).toEqual([null, null, null]);
    expect(best.meeting).toBe(0);
    // 30 s is under the 75 s service time: the closest is the lightest load
    expect(best.closest?.point).toBe(0);
    expect(best.note).toMatch(/^none of 4 points meets the objectives; closest: point 0 \(rate_per_hour=5\): p95 [\d.]+ min > 30\.0 s$/);
  }, 120_000);

  it('vgsim sweep --slo prints each pick with its objectives next to it, or why there is none', () => {
    const file = join(tmp, 'plain.yaml');
    writeFileSync(file, `extends: ${MD1}\nduration: 4h\nsweep:\n  parameters:\n    workload.arrivals.rate_per_hour: [5, 60]\n`);
    const ok = vgsim(['sweep', file, '--slo', 'p95<=4m', '--workers', '1']);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/objectives: p95<=4m, nothing dropped or failed \(sweep\.objectives\); 1 of 2 points meet them/);
    expect(ok.stdout).toMatch(/\* best \$ per video: point 0 \(rate_per_hour=5\) \$[\d.]+; p95 [\d.]+ s \(<= 4\.0 min\)/);
    const none = vgsim(['sweep', file, '--slo', 'p95<=30s', '--workers', '1']);
    expect(none.code).toBe(0); // the sweep ran; the table says there is no best
    expect(none.stdout).toMatch(/0 of 2 points meet them\nno best point: none of 2 points meets the objectives; closest: point 0 \(rate_per_hour=5\): p95 [\d.]+ s > 30\.0 s/);
  }, 120_000);

  it('money ranks like with like: points priced on different bases get no best $ per video (owned beat cloud by a "*")', () => {
    const file = join(tmp, 'bases.yaml');
    writeFileSync(file, `extends: ${MD1}\nduration: 2h\nsweep:\n  variants:\n    - {name: owned, set: {cost.basis: owned}}\n    - {name: cloud, set: {cost.basis: cloud}}\n`);
    const r = vgsim(['sweep', file, '--slo', 'p95<=1h', '--workers', '1']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/\* best \$ per video: – \(no best \$ per video: the points meeting the objectives are priced on different bases \(owned, cloud\)\)/);
  }, 120_000);

  it('a point offered more than its cluster serves meets no objective, however loose (it ranked best $ per video: a finite run hides the growing queue)', () => {
    const file = join(tmp, 'over.yaml');
    // md1: one replica of a ~75 s request, at most ~48/h; the 200/h point drains for hours after its 1 h window
    writeFileSync(file, `extends: ${MD1}\nduration: 1h\nsweep:\n  parameters:\n    workload.arrivals.rate_per_hour: [20, 200]\n`);
    const r = vgsim(['sweep', file, '--slo', 'p95<=100h', '--workers', '1']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/1 of 2 points meet them/);
    expect(r.stdout).toMatch(/\* best \$ per video: point 0 \(rate_per_hour=20\)/);
  }, 120_000);

  it('best throughput is the point that keeps up with the most offered load; points offered the same load tie (it ranked drain-time noise)', async () => {
    // same 20/h on one or two replicas: both keep up, their measured rates differ only by the drain
    const same = join(tmp, 'same-load.yaml');
    writeFileSync(same, `extends: ${MD1}\nduration: 4h\nworkload:\n  arrivals: {process: poisson, rate_per_hour: 20}\nsweep:\n  objectives: "p95<=1h"\n  parameters:\n    deployment.replicas: [1, 2]\n`);
    const a = await sweep(same);
    const tied = bestPoints(a.plan, a.points);
    expect(tied.meeting).toBe(2);
    expect(a.points[0]!.metrics.throughput_per_h).not.toBe(a.points[1]!.metrics.throughput_per_h);
    expect(tied.throughput_per_h).toBeNull();
    expect(tied.throughput_note).toMatch(/^points 0, 1 meet the objectives at the same highest offered load, 20\.00\/h, and serve it/);
    expect(tied.latency_p95).not.toBeNull(); // the other picks stand
    // different loads: the highest one that meets the objectives, whatever the measured rates
    const rates = join(tmp, 'rates.yaml');
    writeFileSync(rates, `extends: ${MD1}\nduration: 4h\nsweep:\n  objectives: "p95<=1h"\n  parameters:\n    workload.arrivals.rate_per_hour: [5, 15]\n`);
    const b = await sweep(rates);
    const best = bestPoints(b.plan, b.points);
    expect(best.meeting).toBe(2);
    expect(best.throughput_per_h).toBe(1);
    expect(best.throughput_note).toBeNull();
  }, 120_000);

  it('a pick resting on fewer requests than its objectives need to be judged says so (the library sweep picked from 81 requests, 22 of them 480p, an attainment >= 95% objective)', async () => {
    // p95 needs 20/(1-0.95) = 400 requests: 5/h over 4 h gives ~20, 5/h over 100 h ~500
    const short = join(tmp, 'few.yaml');
    writeFileSync(short, `extends: ${MD1}\nduration: 4h\nsweep:\n  objectives: "p95<=10m"\n  parameters:\n    workload.arrivals.rate_per_hour: [5]\n`);
    const a = await sweep(short);
    const v = pointVerdicts(a.plan, a.points)[0]!;
    expect(v.feasible).toBe(true);
    expect(v.samples).toEqual({ completed: a.points[0]!.input!.requests.completed, needed: 400 });
    expect(lowConfidence(v)).toMatch(/^low confidence: \d+ requests completed, the objectives need 400 to be judged/);
    const text = vgsim(['sweep', short, '--workers', '0']).stdout;
    expect(text).toMatch(/\* best p95 latency: point 0 .*\[low confidence: \d+ requests completed, the objectives need 400/);
    const long = join(tmp, 'many-requests.yaml');
    writeFileSync(long, `extends: ${MD1}\nduration: 100h\nsweep:\n  objectives: "p95<=10m"\n  parameters:\n    workload.arrivals.rate_per_hour: [5]\n`);
    const b = await sweep(long);
    expect(pointVerdicts(b.plan, b.points)[0]!.samples).toBeNull();
  }, 120_000);

  it('summary.csv: one row per point with its verdict and reason, so a spreadsheet sorted by $ per video does not put a point that misses first', () => {
    const file = join(tmp, 'summary.yaml');
    writeFileSync(file, `extends: ${MD1}\nduration: 1h\nsweep:\n  parameters:\n    workload.arrivals.rate_per_hour: [20, 200]\n  replicate_seeds: 2\n`);
    const out = join(tmp, 'summary-out');
    expect(vgsim(['sweep', file, '--slo', 'p95<=100h', '--workers', '1', '--out', out, '--no-report']).code).toBe(0);
    const [head, ...body] = parseCsv(readFileSync(join(out, 'summary.csv'), 'utf8')).map((r) => r.fields);
    const rows = body.map((f) => Object.fromEntries(head!.map((h, i) => [h, f[i]!])));
    const doc = JSON.parse(readFileSync(join(out, 'sweep.json'), 'utf8')) as { points: { point: number; meets_objectives: boolean; reason: string | null; usd_per_video: number }[] };
    expect(rows.map((r) => [Number(r.point), r.runs, r.meets_objectives, r.reason])).toEqual(doc.points.map((p) => [p.point, '2', String(p.meets_objectives), p.reason ?? '']));
    // the cheaper point per video is the overloaded one, and the file says why it is not a candidate
    const cheapest = [...rows].sort((a, b) => Number(a.usd_per_video) - Number(b.usd_per_video))[0]!;
    expect(cheapest['workload.arrivals.rate_per_hour']).toBe('200');
    expect(cheapest.meets_objectives).toBe('false');
    expect(cheapest.reason).toMatch(/above the saturation bound/);
  }, 120_000);

  it('summary.csv, sweep.json and the text read each point\'s verdict from the one sweep result (summary.csv judged the points again)', async () => {
    const file = join(tmp, 'judged-once.yaml');
    writeFileSync(file, `extends: ${MD1}\nduration: 1h\nsweep:\n  parameters:\n    workload.arrivals.rate_per_hour: [5]\n`);
    const { plan, records } = await sweep(file);
    const result = sweepResult(plan, records);
    expect(result.verdicts[0]!.feasible).toBe(true);
    // a verdict other than a fresh judgement would give: every output shows the result's, none its own
    const marked = { ...result, verdicts: result.verdicts.map((v) => ({ ...v, feasible: false, reason: 'the result says no' })) };
    expect(summaryRows(plan, marked).map((r) => [r.point, r.meets_objectives, r.reason])).toEqual([[0, false, 'the result says no']]);
    expect((sweepDocument(plan, records, marked).points as { reason: string }[]).map((p) => p.reason)).toEqual(['the result says no']);
    expect(sweepText(plan, records, {}, marked)).toMatch(/^  point 0 \(rate_per_hour=5\): the result says no$/m);
  }, 120_000);

  it('a point whose run is too short for its queue to settle is not ranked (a 1 h run at 89% of the bound was picked best $ per video; 60 h of it misses the objective)', () => {
    const file = join(tmp, 'settle.yaml');
    // md1: one replica of a ~73 s request, bound ~49/h; at 44/h the queue's relaxation time is ~3 h (Whitt), so a
    // 1 h run started empty shows p95 ~4.7 min where the settled queue has ~19 min
    writeFileSync(file, `extends: ${MD1}\nduration: 1h\nsweep:\n  parameters:\n    workload.arrivals.rate_per_hour: [10, 44]\n`);
    const r = vgsim(['sweep', file, '--slo', 'p95<=10m', '--workers', '1']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/1 of 2 points meet them/);
    expect(r.stdout).toMatch(/\* best \$ per video: point 0 \(rate_per_hour=10\)/);
    expect(r.stdout).toMatch(/not ranked, because they do not meet the objectives \(1 of 2\):\n  point 1 \(rate_per_hour=44\): not shown sustained: at 44\.00\/h \([\d.]+% of the [\d.]+\/h saturation bound\) a queue started empty takes about [\d.]+ h to settle/);
    // checked on its own: the same point over 10 relaxation times misses the objective the 1 h run met
    const loaded = loadScenario(file, { set: ['workload.arrivals.rate_per_hour=44'] });
    const short = simulate(loaded.scenario, { baseDir: tmp, locate: loaded.locate });
    expect(short.latency_s.p95).toBeLessThanOrEqual(600);
    const tau = short.load.relaxation_s!;
    const settled = simulate({ ...loaded.scenario, duration: 10 * tau }, { baseDir: tmp, locate: loaded.locate });
    expect(settled.latency_s.p95).toBeGreaterThan(600);
  }, 120_000);
});

describe('categorical bars compare like with like', () => {
  /** Points of a GPU × layout grid: p95 by [gpu][layout] in seconds, null = the layout does not fit (OOM). */
  function grid(p95: Record<string, (number | null)[]>) {
    const layouts = ['ulysses=1', 'ulysses=4', 'ulysses=8'];
    const points = Object.entries(p95).flatMap(([gpu, row], g) => row.map((v, l) => ({
      point: g * 3 + l, label: `${gpu} ${layouts[l]}`, variant: null, parameters: { gpu, layout: layouts[l] }, ids: [g * 3 + l],
      ok: v === null ? 0 : 1, errors: v === null ? ['deployment: OOM: short by 12 GB'] : [], metrics: { latency_p95_s: v, usd_per_video: v === null ? null : v / 100 },
      ci: null, lost: 0, input: null,
    })));
    const plan = { scenario: 'fit', parameters: [{ key: 'gpu', short: 'gpu' }, { key: 'layout', short: 'layout' }], variants: null, replicate_seeds: 1, mode: 'grid' };
    return { plan: plan as never, points: points as never[] };
  }
  /** The bars of a chart spec: every data row with a category. */
  function bars(spec: unknown): { category: string; value: number; group: string; label: string }[] {
    const found: any[] = [];
    const walk = (n: any) => {
      if (Array.isArray(n)) n.forEach(walk);
      else if (n && typeof n === 'object') {
        if (Array.isArray(n.values) && n.values[0]?.category !== undefined) found.push(...n.values);
        Object.values(n).forEach(walk);
      }
    };
    walk(spec);
    return [...new Map(found.map((r) => [r.category, r])).values()];
  }

  it('a GPU that fits only the easy layout is compared on that layout alone, and one that never fits is shown with the reason', async () => {
    const { categoryChart } = await import('../src/sweep/charts.ts');
    // small fits only ulysses=8 (fast there); averaging each GPU over what it runs would rank it first (300 s vs 600 s)
    const { plan, points } = grid({ big: [1200, 400, 200], mid: [1500, 500, 250], small: [null, null, 300], tiny: [null, null, null] });
    const spec = categoryChart(plan, points, 'gpu', (p: any) => p.parameters.gpu, ['big', 'mid', 'small', 'tiny'], 'gpu');
    const b = bars(spec);
    const by = Object.fromEntries(b.map((x) => [x.category, x]));
    expect(Object.keys(by)).toEqual(['big', 'mid', 'small', 'tiny']);
    // minutes, on ulysses=8: the one layout all three run
    expect(by.big!.value).toBeCloseTo(200 / 60, 9);
    expect(by.mid!.value).toBeCloseTo(250 / 60, 9);
    expect(by.small!.value).toBeCloseTo(300 / 60, 9);
    expect(by.big!.label).toBe('3.3 min · $2.000/video');
    expect(by.tiny).toMatchObject({ value: 0, label: 'does not fit (OOM)', group: 'does not run / not comparable' });
    expect(JSON.stringify(spec)).toContain('mean over the layout=ulysses=8 that every compared gpu runs');
  });
});
