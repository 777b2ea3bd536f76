/**
 * The thermal calibration: first-order step responses fitted to measured temperature traces.
 *
 * A trace is the temperature of a GPU sampled while it runs a constant load (calibration/power_curve.py's
 * `full_gpu[].trace` windows, or calibration/thermal.py's `steps[].trace`). The fit is
 *     T(t) = T∞ + (T0 − T∞)·e^{−t/τ}
 * by least squares: a grid over τ (0.1 s steps) with T∞ and T0 in closed form for each τ (the model is linear in
 * them). R follows from T∞ = T_coolant + R·P once the coolant (inlet) temperature is known; hardware/cooling.ts
 * holds the constants this fit supports.
 */
import { readFileSync } from 'node:fs';

export interface StepFit {
  tau: number;
  tInf: number;
  t0: number;
  /** Root-mean-square residual, °C. */
  rms: number;
  points: number;
}

/** Fits a first-order step response to (t, temperature) points (t from the start of the load, s). */
export function fitStepResponse(points: readonly { t: number; temp: number }[], tauRange: [number, number] = [1, 120]): StepFit {
  if (points.length < 4) throw new Error(`a step response needs at least 4 points, got ${points.length}`);
  let best: StepFit | undefined;
  for (let k = Math.round(tauRange[0] * 10); k <= Math.round(tauRange[1] * 10); k++) {
    const tau = k / 10;
    const xs = points.map((p) => Math.exp(-p.t / tau));
    const n = xs.length;
    const mx = xs.reduce((a, b) => a + b, 0) / n;
    const my = points.reduce((a, p) => a + p.temp, 0) / n;
    let sxx = 0, sxy = 0;
    xs.forEach((x, i) => {
      sxx += (x - mx) ** 2;
      sxy += (x - mx) * (points[i]!.temp - my);
    });
    const b = sxy / sxx;
    const a = my - b * mx;
    const err = xs.reduce((acc, x, i) => acc + (a + b * x - points[i]!.temp) ** 2, 0);
    const rms = Math.sqrt(err / n);
    if (!best || rms < best.rms) best = { tau, tInf: a, t0: a + b, rms, points: n };
  }
  return best!;
}

interface PowerCurveRun {
  power_w: number;
  trace?: { t: number; temp_c: number; power_w: number }[];
}

/**
 * The step responses in a calibration/power file (`full_gpu` runs with a trace), fitted over their first
 * `windowS` seconds (after that the chassis fans ramp, a second, slower loop this model leaves out); runs that
 * start already warm (rising less than 5 °C) are left out. Trace
 * windows are 5-s means stamped at their start: each point is placed at its middle.
 */
export function fitPowerFileSteps(file: string, windowS = 60): (StepFit & { powerW: number })[] {
  const d = JSON.parse(readFileSync(file, 'utf8')) as { full_gpu?: PowerCurveRun[] };
  const out: (StepFit & { powerW: number })[] = [];
  for (const run of d.full_gpu ?? []) {
    if (!run.trace || run.trace.length < 4) continue;
    const step = run.trace.length > 1 ? run.trace[1]!.t - run.trace[0]!.t : 0;
    const pts = run.trace.map((w) => ({ t: w.t + step / 2, temp: w.temp_c })).filter((p) => p.t <= windowS);
    // a step response only: a run that started already warm (a flat trace) says nothing about τ
    if (Math.max(...pts.map((p) => p.temp)) - pts[0]!.temp < 5) continue;
    out.push({ ...fitStepResponse(pts), powerW: run.power_w });
  }
  return out;
}
