/**
 * Board power caps (`nvidia-smi -pl`): what a power limit below the default does to clocks, time and power.
 *
 * Physics. Board power of compute-bound work with K busy SMs at SM clock f:
 *     P = P0 + K · c_dtype · (f / f_top)^α
 * P0 is everything that is not a busy SM (idle SMs, HBM, board); α says how an SM's dynamic power grows with
 * clock along the voltage-frequency curve (f·V², the voltage rising with f). Fitted (least squares on relative
 * error, grid over P0 and α, closed-form c per dtype) on calibration/power/<gpu>.json, written by
 * calibration/power_curve.py: cuBLAS GEMMs on 4 to 132 SMs, each K run until the GPU settles on a clock.
 *   H100 SXM: P0 ≈ 145 W, α ≈ 2.9 over 28 points (bf16 and fp8), 3–4% rms; the fit predicts the 700-W
 *   equilibrium clock of full-GPU bf16 and fp8 GEMMs measured on a second H100 (not in the fit) within 3%
 *   (test/power-cap.test.ts). Throughput follows K·f: 3.8 TFLOP/s per SM-GHz from 1229 to 1980 MHz.
 * A cap C below the power P_w that a kind of compute-bound work draws at the default limit lowers its clock
 * until P = C:
 *     f_C / f_w = ((C − P0) / (P_w − P0))^(1/α)
 * and its time grows by f_w / f_C. Work that draws less than the cap is untouched. Memory-bound kernels keep
 * their time (HBM bandwidth does not follow the SM clock) and their power is clipped at the cap: an
 * assumption, said in the output when the cap is below their power.
 * Outside what was measured: clocks below the curve's lowest measured clock extrapolate the power law
 * (flagged); GPUs without their own curve use the H100's α with P0 scaled by TDP (flagged).
 */
import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { packagePath } from '../package-files.ts';
import type { GpuSpec } from '../hardware/types.ts';
import { getGpu } from '../hardware/catalog.ts';
import { InputError } from '../errors.ts';

const DIR = packagePath('calibration', 'power');
const REF = 'h100-sxm';

/** One measured point of calibration/power_curve.py. */
export interface PowerCurvePoint {
  dtype: string;
  sms: number;
  tflops: number;
  power_w: number;
  sm_clock_mhz: number;
  temp_c?: number;
}

export interface PowerCurveFile {
  schema: string;
  gpu: string;
  sm_count: number;
  points: (PowerCurvePoint | { dtype: string; sms: number; error: string })[];
  full_gpu?: unknown[];
}

export interface PowerCurve {
  gpu: string;
  /** Power of everything but the busy SMs (W). */
  p0W: number;
  /** Exponent of dynamic power in SM clock. */
  alpha: number;
  /** Power of one busy SM at the top clock, by dtype (W). */
  perSmW: Record<string, number>;
  topClockMHz: number;
  /** Lowest clock in the measurements: below it the law is extrapolated. */
  minClockMHz: number;
  /** Root-mean-square relative error of the fit over its points. */
  rmsRelErr: number;
  points: number;
  source: string;
  /** True when the curve is another GPU's, scaled. */
  extrapolated: boolean;
}

/** Fits P = P0 + K·c_dtype·(f/f_top)^α to measured points (deterministic grid search; see the module doc). */
export function fitPowerCurve(gpu: string, pts: readonly PowerCurvePoint[], source: string): PowerCurve {
  if (pts.length < 4) throw new Error(`${source}: a power curve needs at least 4 measured points, found ${pts.length}`);
  const top = Math.max(...pts.map((p) => p.sm_clock_mhz));
  const minP = Math.min(...pts.map((p) => p.power_w));
  const dtypes = [...new Set(pts.map((p) => p.dtype))].sort();
  const lnR = pts.map((p) => Math.log(p.sm_clock_mhz / top));
  type Fit = { err: number; p0: number; alpha: number; c: Record<string, number> };
  const score = (p0: number, alpha: number): Fit => {
    let err = 0;
    const c: Record<string, number> = {};
    const xs = pts.map((p, i) => p.sms * Math.exp(alpha * lnR[i]!));
    for (const d of dtypes) {
      // weighted least squares for c with weights 1/P² (relative error): c = Σ x(y−P0)/y² / Σ x²/y²
      let num = 0, den = 0;
      pts.forEach((p, i) => {
        if (p.dtype !== d) return;
        const y2 = p.power_w * p.power_w;
        num += (xs[i]! * (p.power_w - p0)) / y2;
        den += (xs[i]! * xs[i]!) / y2;
      });
      c[d] = num / den;
      pts.forEach((p, i) => {
        if (p.dtype !== d) return;
        const r = (p0 + c[d]! * xs[i]!) / p.power_w - 1;
        err += r * r;
      });
    }
    return { err, p0, alpha, c };
  };
  // coarse grid (P0 every 4 W from 20% of the lowest power up to it, α every 0.05 from 1 to 4.5), then a fine
  // grid (1 W, 0.01) around the coarse optimum
  let best: Fit | undefined;
  const search = (p0s: number[], alphas: number[]) => {
    for (const p0 of p0s) for (const a of alphas) {
      const f = score(p0, a);
      if (!best || f.err < best.err) best = f;
    }
  };
  const range = (from: number, to: number, step: number) => Array.from({ length: Math.floor((to - from) / step + 1e-9) + 1 }, (_, i) => +(from + i * step).toFixed(6));
  search(range(Math.floor(0.2 * minP), Math.floor(minP) - 1, 4), range(1, 4.5, 0.05));
  const c0 = best!;
  search(range(Math.max(0, c0.p0 - 4), Math.min(Math.floor(minP) - 1, c0.p0 + 4), 1), range(Math.max(1, c0.alpha - 0.05), c0.alpha + 0.05, 0.01));
  return {
    gpu, p0W: best!.p0, alpha: best!.alpha, perSmW: best!.c, topClockMHz: top,
    minClockMHz: Math.min(...pts.map((p) => p.sm_clock_mhz)), rmsRelErr: Math.sqrt(best!.err / pts.length),
    points: pts.length, source, extrapolated: false,
  };
}

/** Board power the curve predicts for `sms` busy SMs of `dtype` work at `clockMHz`. */
export function curvePowerW(c: PowerCurve, dtype: string, sms: number, clockMHz: number): number {
  const per = c.perSmW[dtype];
  if (per === undefined) throw new Error(`power curve of ${c.gpu} has no ${dtype} points`);
  return c.p0W + sms * per * Math.pow(clockMHz / c.topClockMHz, c.alpha);
}

/** The clock at which `sms` busy SMs of `dtype` work draw `powerW` (inverse of curvePowerW). */
export function curveClockMHz(c: PowerCurve, dtype: string, sms: number, powerW: number): number {
  const per = c.perSmW[dtype];
  if (per === undefined) throw new Error(`power curve of ${c.gpu} has no ${dtype} points`);
  return c.topClockMHz * Math.pow((powerW - c.p0W) / (sms * per), 1 / c.alpha);
}

const cache = new Map<string, PowerCurve | null>();

/** Reads and fits calibration/power/<gpu>.json; null when there is none. */
export function loadPowerCurve(gpu: string, dir = DIR): PowerCurve | null {
  const key = `${dir}|${gpu}`;
  if (cache.has(key)) return cache.get(key)!;
  const file = join(dir, `${gpu}.json`);
  let curve: PowerCurve | null = null;
  if (existsSync(file)) {
    const d = JSON.parse(readFileSync(file, 'utf8')) as PowerCurveFile;
    const pts = d.points.filter((p): p is PowerCurvePoint => 'power_w' in p && typeof p.power_w === 'number' && typeof p.sm_clock_mhz === 'number');
    curve = fitPowerCurve(gpu, pts, `calibration/power/${gpu}.json (${d.gpu})`);
  }
  cache.set(key, curve);
  return curve;
}

/** The curve for a GPU: its own, else the reference GPU's with P0 scaled by TDP (flagged). */
export function powerCurveFor(gpu: GpuSpec): PowerCurve {
  const own = loadPowerCurve(gpu.id);
  if (own) return own;
  const ref = loadPowerCurve(REF);
  if (!ref) throw new Error(`no power curve for ${gpu.id} and none for ${REF} (calibration/power/${REF}.json)`);
  const scale = gpu.tdpW / getGpu(REF).tdpW;
  return { ...ref, gpu: gpu.id, p0W: ref.p0W * scale, extrapolated: true, source: `${ref.source}, P0 scaled by TDP ${gpu.tdpW}/${getGpu(REF).tdpW} W` };
}

export interface CapEffect {
  capW: number;
  /** f_C / f_w of compute-bound work (1 when the cap does not bind). */
  clockRatio: number;
  /** The clock under the cap of the work whose uncapped clock was given (MHz). */
  clockMHz?: number;
  notes: string[];
}

/**
 * Why `gpu` cannot take a board power limit of `capW` watts (message and hint), or undefined if it can: a cap
 * only lowers the default limit (TDP), and must leave room above the power that is not busy SMs. The one
 * check behind capEffect, scenario checks and the estimate CLI.
 */
export function powerLimitProblem(gpu: GpuSpec, capW: number): { message: string; hint: string } | undefined {
  if (!(capW > 0)) return { message: `power limit ${capW} W: a power limit is a positive number of watts`, hint: `e.g. ${Math.round(gpu.tdpW * 0.7)}` };
  if (capW > gpu.tdpW) {
    return {
      message: `power limit ${capW} W is above the default power limit of ${gpu.name}; a cap can only lower it, to at most its default limit (TDP) ${gpu.tdpW} W`,
      hint: `use at most ${gpu.tdpW} W, or leave the power limit out`,
    };
  }
  const p0 = powerCurveFor(gpu).p0W;
  const floor = Math.ceil(p0 * 1.25);
  if (capW < floor) return { message: `power limit ${capW} W is too low for ${gpu.name}: its non-SM power alone is ~${Math.round(p0)} W`, hint: `use at least ${floor} W` };
  return undefined;
}

/**
 * What a cap does to compute-bound work that draws `uncappedW` at clock `uncappedClockMHz` under the default
 * limit. Throws a readable error for a cap the GPU cannot take (powerLimitProblem).
 */
export function capEffect(gpu: GpuSpec, capW: number, uncappedW: number, uncappedClockMHz?: number): CapEffect {
  const problem = powerLimitProblem(gpu, capW);
  // an input error (exit 2), not an internal one, wherever a cap reaches here unchecked
  if (problem) throw new InputError([{ source: 'request', path: 'power_limit_w', message: problem.message, hint: problem.hint }]);
  const curve = powerCurveFor(gpu);
  const notes: string[] = [];
  if (capW >= uncappedW) return { capW, clockRatio: 1, clockMHz: uncappedClockMHz, notes };
  const ratio = Math.pow((capW - curve.p0W) / (uncappedW - curve.p0W), 1 / curve.alpha);
  const clock = uncappedClockMHz !== undefined ? uncappedClockMHz * ratio : undefined;
  notes.push(
    `power limit ${capW} W: compute-bound kernels run at ${(ratio * 100).toFixed(1)}% of their clock at the default limit${clock ? ` (GEMMs ~${Math.round(clock)} MHz)` : ''}, ` +
      `from the fitted power curve (P0 ${Math.round(curve.p0W)} W, α ${curve.alpha.toFixed(2)}; ${curve.source}); memory-bound kernels keep their time`,
  );
  if (curve.extrapolated) notes.push(`power limit: ${gpu.id} has no measured power curve; the H100's is used with P0 scaled by TDP`);
  if (clock !== undefined && clock < curve.minClockMHz) {
    notes.push(`power limit ${capW} W: the modelled clock ${Math.round(clock)} MHz is below the lowest measured (${Math.round(curve.minClockMHz)} MHz); the power law is extrapolated there`);
  }
  return { capW, clockRatio: ratio, clockMHz: clock, notes };
}
