/**
 * The host's CPU time per launched kernel (`host_dispatch_us`), fitted from an observed trace. A small request's
 * DiT forward in eager PyTorch is bound by the host's Python/ATen dispatch, not by the GPU: its denoise time
 * scales with how fast the host issues kernels, which no kernel profile of the GPU can see (on the committed
 * H100 traces the same requests ran 0.10 s to 0.20 s a step on different hosts; calibration/serving/traces).
 * The default (23.5 µs, host-dispatch.ts) is one host's probe; a trace of the user's own server says what
 * theirs does.
 *
 * The fit: the value d that minimises Σ_shapes n · (ln model_denoise(d) − ln observed_denoise)², the model's
 * denoise of each shape priced by the scenario's cost model with `inference.host_dispatch_us = d` (a golden-
 * section search over [HOST_FIT_RANGE_US]: a shape's denoise is max-like in d — flat while its GPU bounds it,
 * then growing — so the sum is unimodal). Shapes the GPU bounds at every d weigh nothing; a trace with no shape
 * whose denoise moves with d has nothing to fit. The denoise stage is fitted because that is where the
 * DiT's launches are; encode and decode are reported, not fitted.
 */
import type { LoadedScenario } from '../scenario/load.ts';
import type { ObservedTrace } from './observed-trace.ts';
import { traceStageCheck } from './fit.ts';
import { modelStages } from './model-stages.ts';
import { poolsOf } from '../scenario/pools.ts';
import { SERVED_HOST_BOUND_SPREAD } from '../perf/host-dispatch.ts';

/** Search range, µs per kernel: 2 is under a single PyTorch op launched from Python (7.8 µs, ../shared/data/h100-microbench.json launch_overhead_us.eager_per_kernel; a real forward costs ~3× that per kernel, host-dispatch.ts), 200 is about 8× the slowest H100 host measured at served sizes (25.6 µs, MEASURED_HOSTS_US). */
export const HOST_FIT_RANGE_US: readonly [number, number] = [2, 200];
/** A shape whose model denoise moves less than this over the whole range does not depend on the host. */
const SENSITIVE = 0.01;
/**
 * Identifiability. The trace says something about the host only where the cost model's own host already leaves a
 * shape bound by the launches (its denoise moves at least this fraction of a change in host time there; ~1 for the
 * 480×272 shape of the committed H100 traces), or where the model misses a shape's denoise by more than a GPU-bound
 * shape ever did across the served traces (SERVED_HOST_BOUND_SPREAD.gpuBoundMax, 3.0%). Otherwise the residual is
 * the GPU model's own error, and a least-squares host would only absorb it: two GPU-bound shapes the model put 1.0%
 * and 1.3% fast (traces/gpu1-gb) "fitted" 51 µs per kernel — twice the slowest host measured, which lands exactly
 * where the larger shape turns host-bound — and that host priced the launch-bound text encode 2.2× slow.
 */
const MIN_ELASTICITY = 0.5;
const GOLDEN_ITERATIONS = 40;

export interface HostFitShape {
  shape: string;
  requests: number;
  observed_denoise_s: number;
  /** The model's denoise at the scenario's own host time per kernel, and at the fitted one. */
  model_before_s: number;
  model_after_s: number;
}

export type HostFit =
  | { fitted: true; host_dispatch_us: number; before_us: number; shapes: HostFitShape[]; method: string }
  | { fitted: false; reason: string };

/** The scenario with its host time per kernel replaced (every pool). */
export function withHostDispatch(loaded: LoadedScenario, us: number): LoadedScenario {
  const s = loaded.scenario;
  return { ...loaded, scenario: { ...s, inference: { ...s.inference, host_dispatch_us: us } } };
}

export function fitHostDispatch(loaded: LoadedScenario, trace: ObservedTrace, baseDir?: string): HostFit {
  const s = loaded.scenario;
  if (s.inference.host_dispatch_us !== undefined) return { fitted: false, reason: `the scenario sets inference.host_dispatch_us (${s.inference.host_dispatch_us} µs): not fitted` };
  const pools = poolsOf(s);
  if (pools.some((p) => p.stage_times)) return { fitted: false, reason: 'the stage times are measured (deployment.stage_times): no cost model to fit the host of' };
  if (pools.some((p) => p.inference?.host_dispatch_us !== undefined)) return { fitted: false, reason: 'a pool sets inference.host_dispatch_us: not fitted' };

  // each shape's modelled denoise under a scenario (by the shape key traceStageCheck groups the trace by)
  const denoiseUnder = (l: LoadedScenario) => {
    const model = modelStages(l, trace, baseDir);
    const byShape = new Map(traceStageCheck(trace, (r) => model(r)?.times ?? null).filter((c) => c.model).map((c) => [c.shape, c.model!.denoise_s]));
    return { byShape, us: trace.requests.map((r) => model(r)?.hostDispatchUs).find((x) => typeof x === 'number') ?? NaN };
  };
  const memo = new Map<number, Map<string, number>>();
  const denoiseAt = (us: number): Map<string, number> => {
    let m = memo.get(us);
    if (!m) memo.set(us, (m = denoiseUnder(withHostDispatch(loaded, us)).byShape));
    return m;
  };
  const checks = traceStageCheck(trace, () => null).filter((c) => c.observed.denoise_s > 0);
  const [lo, hi] = HOST_FIT_RANGE_US;
  const atLo = denoiseAt(lo);
  const atHi = denoiseAt(hi);
  const sensitive = checks.filter((c) => {
    const a = atLo.get(c.shape);
    const b = atHi.get(c.shape);
    return a !== undefined && b !== undefined && b / a - 1 > SENSITIVE;
  });
  if (sensitive.length === 0) return { fitted: false, reason: `no shape of the trace has a denoise the host's kernel launches move (its DiT forwards are bound by the GPU at ${lo}–${hi} µs per kernel, or run as CUDA graphs): nothing to fit` };

  // identifiable? (MIN_ELASTICITY): a shape bound by the launches at the model's own host, or missed beyond the GPU's spread
  const own = denoiseUnder(loaded);
  const elasticity = (shape: string) => Math.log(denoiseAt(own.us * 1.1).get(shape)! / denoiseAt(own.us / 1.1).get(shape)!) / Math.log(1.21);
  const steepest = Math.max(...sensitive.map((c) => elasticity(c.shape)));
  const worstMiss = Math.max(...sensitive.map((c) => Math.abs(Math.log(own.byShape.get(c.shape)! / c.observed.denoise_s))));
  if (!(steepest >= MIN_ELASTICITY) && !(worstMiss > Math.log1p(SERVED_HOST_BOUND_SPREAD.gpuBoundMax))) {
    return { fitted: false, reason: `not identifiable from this trace: at the cost model's ${own.us} µs per kernel every shape's DiT forward is bound by the GPU (the steepest denoise moves ${(steepest * 100).toFixed(0)}% of a change in host time, under ${MIN_ELASTICITY * 100}%) and the model meets every shape's observed denoise within ${(100 * Math.expm1(worstMiss)).toFixed(1)}%, inside the ${(100 * SERVED_HOST_BOUND_SPREAD.gpuBoundMax).toFixed(1)}% a GPU-bound shape showed across the served traces: a fitted host would only absorb the GPU model's own error, so it is kept (measure the host with calibration/host/forward_host_probe.py, or fit it on a trace with a shape its launches bound)` };
  }

  const loss = (us: number) => {
    const m = denoiseAt(us);
    let sum = 0;
    for (const c of sensitive) sum += c.requests * (Math.log(m.get(c.shape)!) - Math.log(c.observed.denoise_s)) ** 2;
    return sum;
  };
  // golden-section search on [lo, hi]: deterministic, ~40 pricings of the trace's shapes
  const phi = (Math.sqrt(5) - 1) / 2;
  let a = lo;
  let b = hi;
  let x1 = b - phi * (b - a);
  let x2 = a + phi * (b - a);
  let f1 = loss(x1);
  let f2 = loss(x2);
  for (let i = 0; i < GOLDEN_ITERATIONS; i++) {
    if (f1 <= f2) {
      b = x2;
      x2 = x1;
      f2 = f1;
      x1 = b - phi * (b - a);
      f1 = loss(x1);
    } else {
      a = x1;
      x1 = x2;
      f1 = f2;
      x2 = a + phi * (b - a);
      f2 = loss(x2);
    }
  }
  const fitted = Number(((a + b) / 2).toFixed(2));
  const after = denoiseAt(fitted);
  return {
    fitted: true,
    host_dispatch_us: fitted,
    before_us: own.us,
    shapes: sensitive.map((c) => ({ shape: c.shape, requests: c.requests, observed_denoise_s: c.observed.denoise_s, model_before_s: own.byShape.get(c.shape)!, model_after_s: after.get(c.shape)! })),
    method: `least squares of ln(model denoise / observed denoise) over the ${sensitive.length} shape${sensitive.length === 1 ? '' : 's'} whose denoise the host's launches move somewhere in ${lo}–${hi} µs per kernel (${sensitive.reduce((n, c) => n + c.requests, 0)} requests of the trace), golden-section search`,
  };
}
