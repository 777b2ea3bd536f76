/**
 * Objectives (src/studies/objectives.ts): what every recommendation ranks against. Verdicts on hand-built runs,
 * and what service times alone rule out, hand-computed.
 */
import { describe, expect, it } from 'vitest';
import { checkObjectives, formatMissPair, infeasibility, objectiveClassProblems, parseSlo, scenarioSloTerms, serviceBound, type ObjectiveInput, type ServiceClass } from '../src/studies/objectives.ts';
import { loadScenario } from '../src/scenario/load.ts';

const stats = (p95: number) => ({ mean: p95 / 2, p50: p95 / 2, p90: p95 * 0.9, p95, p99: p95 * 1.1, max: p95 * 1.2 });

/** A run of two classes: 720p (p95 50 min, 90% within its 1 h SLO) and 480p (p95 10 min, all within 20 min). */
function run(over: Partial<ObjectiveInput['requests']> = {}): ObjectiveInput {
  return {
    requests: { arrived: 100, completed: 100, dropped: 0, failed: 0, ...over },
    latency_s: stats(2400),
    queue_wait_s: { mean: 60, p95: 300, p99: 600 },
    slo_attainment: 0.95,
    classes: [
      { name: '720p', arrived: 50, completed: 50, latency_s: stats(3000), queue_wait_s: { mean: 100, p95: 400 }, slo_s: 3600, slo_attainment: 0.9 },
      { name: '480p', arrived: 50, completed: 50, latency_s: stats(600), queue_wait_s: { mean: 20, p95: 200 }, slo_s: 1200, slo_attainment: 1 },
    ],
  };
}

describe('checkObjectives', () => {
  it('a quality floor: psnr>=X holds for exact stacks, reads the lowest published PSNR of the approximate pools, and fails one with none published', () => {
    const [floor] = parseSlo('psnr>=25');
    expect(floor).toMatchObject({ metric: 'psnr', op: '>=', value: 25 });
    expect(checkObjectives({ ...run(), pools: [{ approximate: false, quality_psnr_db: null }] }, [floor!]).pass).toBe(true);
    const low = checkObjectives({ ...run(), pools: [{ approximate: true, quality_psnr_db: 17.4 }, { approximate: false, quality_psnr_db: null }] }, [floor!]);
    expect([low.pass, low.reason]).toEqual([false, 'published PSNR 17.4 dB < 25.0 dB']);
    const unknown = checkObjectives({ ...run(), pools: [{ approximate: true, quality_psnr_db: null }] }, [floor!]);
    expect([unknown.pass, unknown.reason]).toEqual([false, 'no published PSNR for the accelerations that change its video (floor 25.0 dB)']);
    expect(() => parseSlo('psnr<=25')).toThrow(/a floor/);
    expect(() => parseSlo('720p.psnr>=25')).toThrow(/not of a class/);
    expect(() => parseSlo('psnr>=abc')).toThrow(/dB/);
  });

  it('a miss shows digits enough to tell the value from its target ("18.0 min > 18.0 min" said nothing)', () => {
    expect(formatMissPair({ metric: 'p95' }, 1079.88, 1079.5)).toEqual(['1079.88 s', '1079.50 s']);
    expect(formatMissPair({ metric: 'p95' }, 1800, 600)).toEqual(['30.0 min', '10.0 min']);
    expect(checkObjectives(run(), parseSlo('p95<=2399.5')).reason).toBe('p95 2400.00 s > 2399.50 s');
  });

  it('an offered rate above the saturation bound fails every verdict, with why (a finite run of it can look fine)', () => {
    const over = checkObjectives({ ...run(), load: { offered_rate_per_h: 120, saturation_rate_per_h: 67.2 } }, parseSlo('p95<=10h'));
    expect(over.pass).toBe(false);
    expect(over.reason).toBe('offered 120.00/h, above the saturation bound (67.20/h): the queue grows without limit, whatever this finite run shows');
    expect(over.shortfall).toBeCloseTo(120 / 67.2 - 1, 9);
    expect(checkObjectives({ ...run(), load: { offered_rate_per_h: 67.2, saturation_rate_per_h: 67.2 } }, parseSlo('p95<=10h')).pass).toBe(true);
  });

  it('passes when every term holds and nothing is lost; each value is reported', () => {
    const v = checkObjectives(run(), parseSlo('p95<=45m,480p.p95<=15m,wait_p95<=5m,attainment>=0.95'));
    expect(v.pass).toBe(true);
    expect(v.reason).toBeNull();
    expect(v.values).toEqual({ 'p95<=45m': 2400, '480p.p95<=15m': 600, 'wait_p95<=5m': 300, 'attainment>=0.95': 0.95 });
  });

  it('names every miss with its value and target, and the largest relative shortfall', () => {
    const v = checkObjectives(run({ dropped: 3 }), parseSlo('p95<=30m,720p.attainment>=0.95'));
    expect(v.pass).toBe(false);
    // p95 40 min over 30 min: 1/3 over; attainment 90% under 95%: 5.3% under
    expect(v.misses.map((m) => m.objective)).toEqual(['p95<=30m', '720p.attainment>=0.95', 'no loss']);
    expect(v.misses[0]!.shortfall).toBeCloseTo(2400 / 1800 - 1, 12);
    expect(v.misses[1]!.shortfall).toBeCloseTo(0.05 / 0.95, 12);
    expect(v.reason).toBe('p95 40.0 min > 30.0 min; 720p SLO attainment 90.0% < 95.0%; 3 requests dropped or failed (none allowed)');
    expect(v.shortfall).toBeCloseTo(1 / 3, 12);
  });

  it('a run where nothing completed fails with "no request completed", never with latency 0', () => {
    const v = checkObjectives(run({ completed: 0 }), parseSlo('p95<=45m'));
    expect(v.pass).toBe(false);
    expect(Number.isNaN(v.values['p95<=45m'])).toBe(true);
    expect(v.reason).toMatch(/^no request completed/);
  });

  it("a scenario's own objectives: every class with an SLO keeps >= 95% within it", () => {
    const terms = scenarioSloTerms([{ name: '720p', slo_s: 3600 }, { name: 'batch', slo_s: null }, { name: '480p', slo_s: 1200 }]);
    expect(terms.map((t) => t.text)).toEqual(['720p.attainment>=95%', '480p.attainment>=95%']);
    expect(checkObjectives(run(), terms).reason).toBe('720p SLO attainment 90.0% < 95.0%');
  });
});

describe('objectives a scenario cannot answer, before anything is simulated', () => {
  it('a class its mix does not name (with a did-you-mean), and a per-class wait_p99', () => {
    const s = loadScenario('scenarios/default.yaml').scenario;
    expect(objectiveClassProblems(parseSlo('p95<=1h,720p-5s.p95<=1h,480p-5s.wait_p95<=5m'), s)).toEqual([]);
    const problems = objectiveClassProblems(parseSlo('720p-5.p95<=1h,720p-5s.wait_p99<=1h,p95<=1h'), s);
    expect(problems.map((p) => [p.message, p.hint])).toEqual([
      ['objective "720p-5.p95<=1h": no request class "720p-5" (classes: 720p-5s, 480p-5s)', 'did you mean "720p-5s"?'],
      ['objective "720p-5s.wait_p99<=1h": per-class queue wait has mean and p95 only', 'use 720p-5s.wait_p95, or wait_p99 over all requests'],
    ]);
  });
});

describe('what service times alone rule out', () => {
  // 70% of requests at 720p (17.9 min), 30% at 480p (5 min): the default scenario's mix on one H100
  const mix: ServiceClass[] = [
    { name: '720p', share: 0.7, service_s: 1074, slo_s: 1800 },
    { name: '480p', share: 0.3, service_s: 300, slo_s: 240 },
  ];

  it('percentiles: the service time of the class the quantile falls in (p95 and p50 are 720p, p25 would be 480p)', () => {
    expect(serviceBound(parseSlo('p95<=1h')[0]!, mix)).toBe(1074);
    expect(serviceBound(parseSlo('p50<=1h')[0]!, mix)).toBe(1074); // 30% < 50%: the median is a 720p request
    expect(serviceBound(parseSlo('mean<=1h')[0]!, mix)).toBeCloseTo(0.7 * 1074 + 0.3 * 300, 9);
    expect(serviceBound(parseSlo('480p.p99<=1h')[0]!, mix)).toBe(300);
    expect(Number.isNaN(serviceBound(parseSlo('wait_p95<=1m')[0]!, mix))).toBe(true); // waits: nothing to say
  });

  it('attainment: only classes whose service time is within their SLO can meet it (480p cannot: 5 min > 4 min)', () => {
    expect(serviceBound(parseSlo('attainment>=0.9')[0]!, mix)).toBeCloseTo(0.7, 12);
    expect(serviceBound(parseSlo('480p.attainment>=0.5')[0]!, mix)).toBe(0);
  });

  it('the issue\'s example: p95<=600 on a mix whose 720p service time is 17.9 min is infeasible, with the reason', () => {
    const r = infeasibility(parseSlo('p95<=600'), mix);
    expect(r?.bound).toBe(1074);
    expect(r?.reason).toBe('the 720p service time alone is 17.9 min and 70% of requests take at least that long, so p95 >= 17.9 min > 10.0 min (p95<=600)');
    expect(infeasibility(parseSlo('attainment>=0.8'), mix)?.reason).toMatch(/480p service time alone is 5.0 min > its SLO 4.0 min, so at most 70.0% of requests can meet their SLO/);
    expect(infeasibility(parseSlo('p95<=20m,attainment>=0.7'), mix)).toBeNull();
  });

  it('attainment of a class with no SLO is infeasible with that reason (capacity ran 22 trials, then blamed queueing)', () => {
    const noSlo: ServiceClass[] = [mix[0]!, { ...mix[1]!, slo_s: null }];
    expect(infeasibility(parseSlo('480p.attainment>=0.9'), noSlo)?.reason).toBe('class "480p" has no SLO (slo_s), so its attainment is undefined and 480p.attainment>=0.9 cannot hold: give the class an slo_s, or use a latency objective (e.g. 480p.p95<=1h); classes with an SLO: 720p');
    expect(infeasibility(parseSlo('attainment>=0.9'), noSlo.map((c) => ({ ...c, slo_s: null })))?.reason).toMatch(/^no class has an SLO \(slo_s\), so its attainment is undefined and attainment>=0.9 cannot hold: give a class an slo_s/);
    // a class with an SLO, or all requests where some class has one, is judged as before
    expect(infeasibility(parseSlo('720p.attainment>=0.9'), noSlo)).toBeNull();
  });
});
