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
import { dieC, sinkSteadyC, temperatureAfter } from '../serving/thermal.ts';

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

interface ThermalFileStep {
  duty: number;
  power_w: number | null;
  trace: { t: number; temp_c: number; power_w: number }[];
}

export interface ThermalFileFit {
  /** Each power level's step response (levels whose temperature moved less than 2 °C are left out). */
  steps: (StepFit & { duty: number; powerW: number })[];
  /**
   * Levels that are not a first-order step at one power, left out of R and the inlet with the reason: a τ at the
   * edge of the search (the trace never settles toward one T∞), a residual over 1 °C, or a temperature that
   * falls while the power rises (a second control loop at work: the chassis fans).
   */
  rejected: { duty: number; powerW: number; why: string }[];
  /** T∞ = inlet + R·P by least squares over every level (the idle ones included). */
  resistanceKPerW: number;
  /** The intercept: the effective coolant (inlet) temperature, °C. */
  inletC: number;
  /** Median τ over the fitted steps, s. */
  tau: number;
}

/** Fits a calibration/thermal.py file (`vgsim-thermal/1`): τ per step, R and the effective inlet across steps (optionally the first N levels only). */
export function fitThermalFile(file: string, opts: { firstLevels?: number } = {}): ThermalFileFit {
  const raw = JSON.parse(readFileSync(file, 'utf8')) as { schema: string; steps: ThermalFileStep[] };
  // `firstLevels`: fit on the first N levels only (the rest held out for checkTrajectory)
  const d = { ...raw, steps: opts.firstLevels === undefined ? raw.steps : raw.steps.slice(0, opts.firstLevels) };
  if (d.schema !== 'vgsim-thermal/1') throw new Error(`${file}: expected schema vgsim-thermal/1, got ${d.schema}`);
  const steps: ThermalFileFit['steps'] = [];
  const rejected: ThermalFileFit['rejected'] = [];
  const levels: { p: number; t: number }[] = [];
  const TAU_MAX = 600;
  for (const s of d.steps) {
    if (s.trace.length < 4 || s.power_w === null) continue;
    const pts = s.trace.map((w) => ({ t: w.t + 0.5, temp: w.temp_c }));
    const fit = fitStepResponse(pts, [1, TAU_MAX]);
    const why =
      fit.tau >= TAU_MAX ? `no first-order settling (τ at the ${TAU_MAX}-s search edge, T∞ ${fit.tInf.toFixed(1)} °C)`
      : fit.rms > 1 ? `residual ${fit.rms.toFixed(1)} °C over 1 °C`
      : undefined;
    if (why) {
      rejected.push({ duty: s.duty, powerW: s.power_w, why });
      continue;
    }
    levels.push({ p: s.power_w, t: fit.tInf });
    if (Math.abs(pts[pts.length - 1]!.temp - pts[0]!.temp) >= 2) steps.push({ ...fit, duty: s.duty, powerW: s.power_w });
  }
  if (levels.length < 2) throw new Error(`${file}: needs at least two power levels`);
  const mp = levels.reduce((a, l) => a + l.p, 0) / levels.length;
  const mt = levels.reduce((a, l) => a + l.t, 0) / levels.length;
  const r = levels.reduce((a, l) => a + (l.p - mp) * (l.t - mt), 0) / levels.reduce((a, l) => a + (l.p - mp) ** 2, 0);
  const taus = steps.map((s) => s.tau).sort((a, b) => a - b);
  return { steps, rejected, resistanceKPerW: r, inletC: mt - r * mp, tau: taus.length ? taus[Math.floor(taus.length / 2)]! : NaN };
}

export interface TrajectoryCheck {
  duty: number;
  powerW: number;
  /** RMS and largest |model − measured| over the level's trace (°C), and the largest after its first `settleS` seconds. */
  rmsC: number;
  maxC: number;
  maxAfterSettleC: number;
}

/**
 * The first-order model run through a calibration/thermal.py file's levels and set against every measured
 * sample: the die starts at the first sample's temperature, each level drives it toward inlet + R·P at time
 * constant τ, and each level starts where the model (not the measurement) left off — so the check covers the
 * transitions as well as the plateaus. The model is vgsim's own (serving/thermal.ts's functions): the die
 * `dieStepKPerW`·P above a first-order heat sink (0: a single first-order mass). `settleS`: the seconds after a power step reported apart.
 */
export function checkTrajectory(file: string, p: { resistanceKPerW: number; inletC: number; tauS: number; dieStepKPerW?: number }, settleS = 5): TrajectoryCheck[] {
  const d = JSON.parse(readFileSync(file, 'utf8')) as { steps: ThermalFileStep[] };
  const out: TrajectoryCheck[] = [];
  const m = { coolantC: p.inletC, resistance: p.resistanceKPerW, dieStep: p.dieStepKPerW ?? 0 };
  let sink: number | undefined;
  for (const s of d.steps) {
    if (s.trace.length === 0 || s.power_w === null) continue;
    const pw = s.power_w;
    const t0 = sink ?? s.trace[0]!.temp_c - m.dieStep * pw;
    const tss = sinkSteadyC(m, pw);
    const errs = s.trace.map((w) => ({ t: w.t + 0.5, e: dieC(m, temperatureAfter(t0, tss, p.tauS, w.t + 0.5), pw) - w.temp_c }));
    const abs = errs.map((x) => Math.abs(x.e));
    out.push({
      duty: s.duty, powerW: s.power_w,
      rmsC: Math.sqrt(errs.reduce((a, x) => a + x.e * x.e, 0) / errs.length),
      maxC: Math.max(...abs),
      maxAfterSettleC: Math.max(0, ...errs.filter((x) => x.t > settleS).map((x) => Math.abs(x.e))),
    });
    const last = s.trace[s.trace.length - 1]!;
    sink = temperatureAfter(t0, tss, p.tauS, last.t + 1);
  }
  return out;
}
