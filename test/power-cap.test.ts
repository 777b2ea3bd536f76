import { describe, it, expect } from 'vitest';
import { readFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadPowerCurve, curveClockMHz, curvePowerW, capEffect, powerCurveFor, type PowerCurvePoint } from '../src/perf/power-cap.ts';
import { getGpu } from '../src/hardware/catalog.ts';
import { estimate } from '../src/perf/estimate.ts';
import { getModel } from '../src/workload/request.ts';
import { loadScenario } from '../src/scenario/load.ts';
import { InputError } from '../src/errors.ts';
import { issuesOf } from './support/issues.ts';

const h100 = getGpu('h100-sxm');
const curve = loadPowerCurve('h100-sxm')!;
const measured = JSON.parse(readFileSync('calibration/power/h100-sxm.json', 'utf8')) as { points: PowerCurvePoint[] };
const secondCard = JSON.parse(readFileSync('calibration/power/validation/h100-sxm-long-run.json', 'utf8')) as {
  full_gpu: { dtype: string; power_w: number; sm_clock_mhz: number; limiters: Record<string, number> }[];
};
const profile = JSON.parse(readFileSync('calibration/profiles/h100-sxm.json', 'utf8')) as { sustained: { workload: string; mean_power_w: number; mean_sm_clock_mhz: number }[] };

describe('the H100 power curve (calibration/power/h100-sxm.json)', () => {
  it('fits the 28 measured GEMM points with a physical P0 and exponent', () => {
    expect(curve.points).toBe(28);
    expect(curve.rmsRelErr).toBeLessThan(0.05);
    // P0: above the deep-idle board power (71 W, microbench) and below the 4-SM point (~200 W)
    expect(curve.p0W).toBeGreaterThan(71);
    expect(curve.p0W).toBeLessThan(200);
    // dynamic power ∝ f·V², the voltage rising with the clock: the exponent lies above 1 (fixed voltage) and, on
    // the upper part of the voltage-frequency curve, between 2 and 4
    expect(curve.alpha).toBeGreaterThan(2);
    expect(curve.alpha).toBeLessThan(4);
    for (const p of measured.points) expect(Math.abs(curvePowerW(curve, p.dtype, p.sms, p.sm_clock_mhz) / p.power_w - 1)).toBeLessThan(0.08);
  });

  it('throughput follows SMs × clock (the premise of compute time ∝ 1/clock)', () => {
    for (const dtype of ['bf16', 'fp8']) {
      const perSmGHz = measured.points.filter((p) => p.dtype === dtype).map((p) => p.tflops / (p.sms * p.sm_clock_mhz / 1000));
      const mean = perSmGHz.reduce((a, b) => a + b, 0) / perSmGHz.length;
      for (const v of perSmGHz) expect(Math.abs(v / mean - 1)).toBeLessThan(0.06);
    }
  });

  it('predicts clocks at the 700 W limit measured on other H100s, not used in the fit', () => {
    // a second card, 60 s full-GPU GEMMs, the SW power cap holding the clock all the time
    for (const r of secondCard.full_gpu) {
      expect(r.limiters.sw_power_cap).toBeGreaterThan(0.95);
      const f = curveClockMHz(curve, r.dtype, 132, r.power_w);
      expect(Math.abs(f / r.sm_clock_mhz - 1)).toBeLessThan(0.04);
    }
    // five minutes on a third card: the clock does not drift once the card is warm (so the profile's 30 s runs
    // stand for hours of serving), and the curve predicts it
    const long = JSON.parse(readFileSync('calibration/power/validation/h100-sxm-300s-run.json', 'utf8')).full_gpu[0] as {
      power_w: number; sm_clock_mhz: number; trace: { t: number; sm_clock_mhz: number }[];
    };
    const warm = long.trace.filter((x) => x.t >= 30).map((x) => x.sm_clock_mhz);
    expect(Math.max(...warm) - Math.min(...warm)).toBeLessThan(20);
    expect(Math.abs(curveClockMHz(curve, 'bf16', 132, long.power_w) / long.sm_clock_mhz - 1)).toBeLessThan(0.04);
    // the profile's 30-s sustained bf16 GEMM (another session's card)
    const g = profile.sustained.find((s) => s.workload === 'gemm_bf16_8192')!;
    expect(Math.abs(curveClockMHz(curve, 'bf16', 132, g.mean_power_w) / g.mean_sm_clock_mhz - 1)).toBeLessThan(0.05);
  });
});

describe('capEffect', () => {
  it('does nothing at or above the power the work draws', () => {
    expect(capEffect(h100, 700, 698, 1370).clockRatio).toBe(1);
    expect(capEffect(h100, 650, 600).clockRatio).toBe(1);
  });

  it('lowers the clock by ((C − P0)/(P − P0))^(1/α), monotonically', () => {
    const e = capEffect(h100, 500, 698, 1370);
    expect(e.clockRatio).toBeCloseTo(Math.pow((500 - curve.p0W) / (698 - curve.p0W), 1 / curve.alpha), 12);
    expect(e.clockMHz).toBeCloseTo(1370 * e.clockRatio, 9);
    const ratios = [650, 600, 500, 400, 300].map((c) => capEffect(h100, c, 698).clockRatio);
    for (let i = 1; i < ratios.length; i++) expect(ratios[i]!).toBeLessThan(ratios[i - 1]!);
    // 500 W lands below the lowest measured clock: the output says it extrapolates
    expect(e.notes.join(' ')).toMatch(/below the lowest measured/);
  });

  it('refuses caps the GPU cannot take, saying why', () => {
    expect(() => capEffect(h100, 800, 698)).toThrow(/at most its default limit \(TDP\) 700 W/);
    expect(() => capEffect(h100, 150, 698)).toThrow(/too low.*non-SM power/);
  });

  it('borrows the H100 curve for GPUs without one, flagged, P0 scaled by TDP', () => {
    const l40s = powerCurveFor(getGpu('l40s'));
    expect(l40s.extrapolated).toBe(true);
    expect(l40s.p0W).toBeCloseTo(curve.p0W * getGpu('l40s').tdpW / h100.tdpW, 9);
    expect(capEffect(getGpu('l40s'), 250, 349).notes.join(' ')).toMatch(/no measured power curve/);
  });
});

describe('a power limit in estimate', () => {
  const run = (cap?: number) =>
    estimate({ model: getModel('wan2.1-t2v-1.3b'), gpu: 'h100-sxm', request: { width: 832, height: 480, frames: 81 }, options: cap ? { powerLimitW: cap } : {} });
  const base = run();
  const capped = run(450);

  it('stretches compute-bound operators by 1/clock ratio and leaves memory-bound ones alone', () => {
    const ratio = capped.profile.cap_clock_ratio;
    expect(ratio).toBeLessThan(1);
    const byName = new Map(base.ops.map((o) => [o.name, o]));
    let checked = 0;
    for (const o of capped.ops) {
      const b = byName.get(o.name);
      if (!b || b.bound !== o.bound) continue;
      if (o.bound === 'memory') expect(o.seconds).toBeCloseTo(b.seconds, 9);
      if (o.bound === 'compute' && o.kind !== 'collective') {
        // compute time scales by 1/ratio; the per-kernel launch gap does not, so allow a little
        expect(o.seconds / b.seconds).toBeGreaterThan(0.97 / ratio);
        expect(o.seconds / b.seconds).toBeLessThanOrEqual(1 / ratio + 1e-9);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(3);
    expect(capped.total_s).toBeGreaterThan(base.total_s);
  });

  it('clips busy power at the cap and spends less GPU energy per video', () => {
    for (const w of [capped.power.per_gpu_w.denoise, capped.power.per_gpu_w.vae_decode]) expect(w).toBeLessThanOrEqual(450 + 1e-9);
    expect(capped.gpu_energy_wh).toBeLessThan(base.gpu_energy_wh);
    expect(capped.warnings.join(' ')).toMatch(/power limit 450 W/);
  });

  it('is checked in scenarios: above the TDP is an input error at inference.power_limit_w', () => {
    let err: unknown;
    try {
      loadScenario('scenarios/default.yaml', { set: ['inference.power_limit_w=900'] });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(InputError);
    const issue = (err as InputError).issues.find((i) => i.path === 'inference.power_limit_w');
    expect(issue?.message).toMatch(/above the default power limit of NVIDIA H100/);
  });

  it('is checked per pool: a pool\'s inference.power_limit_w out of range is an input error at that field, with its line', () => {
    const viaSet = issuesOf(() => loadScenario('scenarios/default.yaml', { set: ['deployment.inference.power_limit_w=10'] }));
    const low = viaSet.find((i) => i.path === 'deployment.inference.power_limit_w');
    expect(low?.source).toBe('--set deployment.inference.power_limit_w=10');
    expect(low?.message).toMatch(/too low for NVIDIA H100/);
    const dir = mkdtempSync(join(tmpdir(), 'vgsim-cap-'));
    const file = join(dir, 'pools.yaml');
    writeFileSync(file, `extends: ${join(process.cwd(), 'scenarios/default.yaml')}\ndeployment:\n  - name: a\n    replicas: 4\n    inference: {power_limit_w: 5000}\n  - name: b\n    replicas: 4\n`);
    const high = issuesOf(() => loadScenario(file)).find((i) => i.path === 'deployment.0.inference.power_limit_w');
    expect(high).toMatchObject({ source: file, line: 5 });
    expect(high?.message).toMatch(/above the default power limit/);
  });

  it('a cap that reaches the device model unchecked is an input error, not an internal one', () => {
    expect(() => capEffect(getGpu('h100-sxm'), 10, 700)).toThrow(InputError);
  });
});
