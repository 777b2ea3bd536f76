/**
 * A fit trace's warm-up (src/calibration/warmup.ts): MSER-5 on series with a known transient, the cut by seconds,
 * and `vgsim calibrate --warmup` on the committed four-replica CPU trace, whose first quarter ran 7–9% slower than
 * the rest (calibration/serving/traces/cpu-multi/fit.csv).
 */
import { describe, it, expect } from 'vitest';
import { cutWarmup, mser5, parseWarmup, MSER_MIN_REQUESTS } from '../src/calibration/warmup.ts';
import { readObservedTrace, type ObservedRequest, type ObservedTrace } from '../src/calibration/observed-trace.ts';
import { InputError } from '../src/errors.ts';
import { vgsimInProcess } from './support/cli.ts';

/** Deterministic noise in ±0.05 (a fixed sequence, no RNG). */
const noise = (i: number) => 0.05 * Math.sin(i * 12.9898);

describe('MSER-5', () => {
  it('drops a transient of known length: 50 observations at 2.0 then 300 at 1.0 (± noise)', () => {
    const y = Array.from({ length: 350 }, (_, i) => (i < 50 ? 2 : 1) + noise(i));
    expect(mser5(y)).toBe(50);
  });
  it('drops nothing from a stationary series, and at most half of any series', () => {
    expect(mser5(Array.from({ length: 300 }, (_, i) => 1 + noise(i)))).toBeLessThanOrEqual(10);
    const rising = Array.from({ length: 200 }, (_, i) => i); // never settles: the cap holds
    expect(mser5(rising)).toBe(100);
  });
});

function trace(n: number, slowFirst: number): ObservedTrace {
  const requests: ObservedRequest[] = Array.from({ length: n }, (_, i) => {
    const s = (i < slowFirst ? 1.5 : 1) * (1 + noise(i));
    const t = i * 2;
    return { line: i + 2, id: String(i), model: 'm', width: 64, height: 64, frames: 9, steps: 6, cfg: true, arrival: t, dispatch: t, start: t,
      encodeStart: t, encodeEnd: t + 0.1 * s, denoiseStart: t + 0.1 * s, denoiseEnd: t + 0.8 * s, decodeStart: t + 0.8 * s, decodeEnd: t + s, finish: t + s, outcome: 'completed' };
  });
  return { file: 'fit.csv', meta: undefined, requests };
}

describe('cutWarmup', () => {
  it('mser: leaves out the slow first 40 of 200 requests', () => {
    const c = cutWarmup(trace(200, 40), 'mser');
    expect([c.dropped, c.seconds, c.trace.requests.length]).toEqual([40, 80, 160]);
    expect(c.rule).toMatch(/^MSER-5 .* 40 of 200 staged requests$/);
  });
  it('seconds: leaves out the requests that started in them', () => {
    const c = cutWarmup(trace(200, 0), 30);
    expect([c.dropped, c.seconds]).toEqual([15, 30]);
  });
  it('refuses MSER on a short trace, a warm-up longer than the trace, and a malformed value', () => {
    expect(() => cutWarmup(trace(MSER_MIN_REQUESTS - 1, 0), 'mser')).toThrow(/MSER-5 needs at least 100 completed requests .* has 99/);
    expect(() => cutWarmup(trace(10, 0), 1000)).toThrow(/leaves no request/);
    for (const bad of ['-3', 'abc', '', 'NaN']) expect(() => parseWarmup(bad), bad).toThrow(InputError);
    expect(parseWarmup('12.5')).toBe(12.5);
  });
});

describe('vgsim calibrate --warmup', () => {
  const T = 'calibration/serving/traces/cpu-multi';
  const common = ['--scenario', 'calibration/serving/scenarios/cpu-tiny-multi.yaml', '--set', `deployment.stage_times=${process.cwd()}/${T}/stage-profile.json`, '--validate', `${T}/load85.csv`, '--json'];
  it('the CPU fit trace: MSER-5 puts the transient at 22 s (160 of 378 requests), and the fit says so', async () => {
    const t = readObservedTrace(`${T}/fit.csv`);
    const c = cutWarmup(t, 'mser');
    expect(c.dropped).toBe(160);
    expect(c.seconds).toBeCloseTo(22.2, 1);
    const r = await vgsimInProcess(['calibrate', `${T}/fit.csv`, '--warmup', 'mser', ...common]);
    expect(r.code, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.warmup_left_out).toMatchObject({ dropped: 160 });
    expect(doc.fit.samples).toBe(218);
  }, 120_000);
  it('a bad --warmup is exit 2 with what it takes', async () => {
    const r = await vgsimInProcess(['calibrate', `${T}/fit.csv`, '--warmup', 'soon', ...common]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("--warmup  'soon' is not a warm-up");
    expect(r.stderr).toContain('--warmup mser');
  });
});
