/**
 * `vgsim calibrate`: the serving overheads (overheads.ts) from an observed trace. Where the trace has the
 * stage boundaries the harness records, each overhead is measured directly as a mean over completed
 * requests — nothing the stage times (kernel profile or measured stage profile) determine enters it:
 *
 *   dispatch_s = mean(start − dispatch)
 *   handoff_s  = mean of the two gaps (denoise_start − encode_end, decode_start − denoise_end)
 *   request_s  = mean((encode_start − start) + (finish − decode_end))   pre-processing + post-processing +
 *                                                                       returning the result
 * Means, not medians: a queue's waits depend on the mean service time (Pollaczek–Khinchine).
 * A trace without stage boundaries (only dispatch/start/finish) gives dispatch_s the same way, handoff_s 0,
 * and request_s = mean(occupancy − the model's stage times) − dispatch_s: the one place the model is used,
 * stated in the result's `method`.
 *
 * Also reported, never fitted: each shape's observed stage times against the model's, so a wrong stage time
 * shows as such instead of being absorbed into an overhead.
 */
import type { ObservedRequest, ObservedTrace } from './observed-trace.ts';
import { InputError } from '../errors.ts';
import { distribution, type Distribution } from './metrics.ts';
import type { OverheadPhaseKey, ServingOverheads } from '../serving/overheads.ts';

export interface StageTimes {
  encode_s: number;
  denoise_s: number;
  decode_s: number;
}

export interface StageCheck {
  shape: string;
  width: number;
  height: number;
  frames: number;
  steps: number;
  cfg: boolean;
  requests: number;
  observed: StageTimes;
  model: StageTimes | null;
}

export interface OverheadFit {
  overheads: ServingOverheads;
  method: Record<OverheadPhaseKey, string>;
  /** Completed requests the fit used. */
  samples: number;
  /** Spread of the per-request values behind each mean. */
  spread: Record<OverheadPhaseKey, Distribution | null>;
  stages: StageCheck[];
}

export const shapeOf = (r: Pick<ObservedRequest, 'width' | 'height' | 'frames' | 'steps'>) => `${r.width}x${r.height}x${r.frames}f/${r.steps}st`;

/**
 * The request class a trace's stage times are grouped by: the shape, " no CFG" without CFG, and the model when the
 * trace holds more than one (a mixed-model server runs the same shape at different costs).
 */
export function requestClassOf(requests: readonly Pick<ObservedRequest, 'model'>[]): (r: ObservedRequest) => string {
  const multi = new Set(requests.map((r) => r.model)).size > 1;
  return (r) => `${shapeOf(r)}${r.cfg ? '' : ' no CFG'}${multi ? ` ${r.model}` : ''}`;
}

const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN);
const has = (...xs: (number | undefined)[]): boolean => xs.every((x) => x !== undefined);

const completedRequests = (trace: ObservedTrace) => trace.requests.filter((r) => r.outcome === 'completed' && r.finish !== undefined);
export const stagedRequests = (done: ObservedRequest[]) => done.filter((r) => has(r.start, r.encodeStart, r.encodeEnd, r.denoiseStart, r.denoiseEnd, r.decodeStart, r.decodeEnd));

/**
 * `model(shape)`: the scenario's stage times of a request shape (cost model or measured profile), for the
 * stage check and for traces without stage boundaries.
 */
export function fitOverheads(trace: ObservedTrace, model: (r: ObservedRequest) => StageTimes | null): OverheadFit {
  const done = completedRequests(trace);
  if (done.length === 0) throw new InputError([{ source: trace.file, path: 'outcome', message: 'no completed requests to fit on (every row failed or has no finish time)', hint: 'fit on a trace whose server completed requests' }]);
  const dispatch = done.filter((r) => has(r.dispatch, r.start)).map((r) => r.start! - r.dispatch!);
  const staged = stagedRequests(done);
  const handoff = staged.map((r) => (r.denoiseStart! - r.encodeEnd! + (r.decodeStart! - r.denoiseEnd!)) / 2);
  const dispatchS = dispatch.length ? Math.max(0, mean(dispatch)) : 0;
  let requestS: number;
  let requestVals: number[];
  let requestMethod: string;
  if (staged.length > 0) {
    requestVals = staged.map((r) => r.encodeStart! - r.start! + (r.finish! - r.decodeEnd!));
    requestS = mean(requestVals);
    requestMethod = 'mean((encode_start − start) + (finish − decode_end)): pre-processing, post-processing and the result back to the server';
  } else {
    requestVals = [];
    for (const r of done) {
      const m = model(r);
      const taken = r.dispatch ?? r.start;
      if (!m || taken === undefined) continue;
      requestVals.push(r.finish! - taken - (m.encode_s + m.denoise_s + m.decode_s) - dispatchS);
    }
    requestS = requestVals.length ? mean(requestVals) : 0;
    requestMethod = 'no stage boundaries in the trace: mean(occupancy − the model\'s stage times) − dispatch_s (absorbs any stage-time error)';
  }
  const cv = serviceVariability(staged);
  const overheads: ServingOverheads = { dispatch_s: dispatchS, handoff_s: staged.length ? Math.max(0, mean(handoff)) : 0, request_s: Math.max(0, requestS), service_cv: cv.cv, service_correlation_s: cv.correlationS };
  return {
    overheads,
    method: {
      dispatch_s: dispatch.length ? 'mean(start − dispatch): server hands the request over → the worker starts it' : 'no dispatch/start times in the trace: 0 (part of request_s)',
      handoff_s: staged.length ? 'mean of (denoise_start − encode_end) and (decode_start − denoise_end)' : 'no stage boundaries in the trace: 0 (part of request_s)',
      request_s: requestMethod,
      service_cv: staged.length ? `pooled within-shape CV of the stage time (encode + denoise + decode) of ${cv.n} requests in ${cv.shapes} shapes: sqrt(Σ(n−1)·var / Σ(n−1)·mean²)` : 'no stage boundaries in the trace: 0',
      service_correlation_s: staged.length ? `least-squares fit of exp(−Δ/τ) to the products of standardized log stage-time ratios (to the shape's mean) of requests up to ${MAX_LAG} apart, Δ their start-time gap (${cv.pairs} pairs)` : 'no stage boundaries in the trace: 0',
    },
    samples: done.length,
    spread: {
      dispatch_s: dispatch.length ? distribution(dispatch) : null,
      handoff_s: handoff.length ? distribution(handoff) : null,
      request_s: requestVals.length ? distribution(requestVals) : null,
      service_cv: null,
      service_correlation_s: null,
    },
    stages: stageCheck(staged, model),
  };
}

const MAX_LAG = 10;

/**
 * Service-time variability: the stage time of each request (encode + denoise + decode) around its shape's
 * mean, pooled over shapes (each shape weighted by its degrees of freedom, as a pooled variance); and how
 * long deviations last (service-speed.ts): the correlation of log(stage time / shape mean) between requests
 * Δ seconds apart, fitted as exp(−Δ/τ).
 */
function serviceVariability(staged: ObservedRequest[]): { cv: number; correlationS: number; n: number; shapes: number; pairs: number } {
  const by = stageTimesByShape(staged);
  const classOf = requestClassOf(staged);
  const tau = correlationTime(staged, (r) => stageTime(r) / mean(by.get(classOf(r))!));
  let num = 0;
  let den = 0;
  let n = 0;
  for (const xs of by.values()) {
    if (xs.length < 2) continue;
    const m = mean(xs);
    const v = xs.reduce((a, x) => a + (x - m) ** 2, 0) / (xs.length - 1);
    num += (xs.length - 1) * v;
    den += (xs.length - 1) * m * m;
    n += xs.length;
  }
  return { cv: den > 0 ? Math.sqrt(num / den) : 0, correlationS: tau.tau, n, shapes: by.size, pairs: tau.pairs };
}

/** τ minimising Σ (z_i z_j − e^(−Δ/τ))² over pairs up to MAX_LAG apart (golden-section search on log τ). */
function correlationTime(rs: ObservedRequest[], ratio: (r: ObservedRequest) => number): { tau: number; pairs: number } {
  const sorted = [...rs].sort((a, b) => a.start! - b.start!);
  const logs = sorted.map((r) => Math.log(ratio(r)));
  const m = mean(logs);
  const sd = Math.sqrt(logs.reduce((a, x) => a + (x - m) ** 2, 0) / Math.max(1, logs.length - 1));
  if (!(sd > 0) || sorted.length < 3) return { tau: 0, pairs: 0 };
  const z = logs.map((x) => (x - m) / sd);
  const pairs: [number, number][] = [];
  for (let i = 0; i < z.length; i++) for (let j = i + 1; j <= i + MAX_LAG && j < z.length; j++) pairs.push([sorted[j]!.start! - sorted[i]!.start!, z[i]! * z[j]!]);
  const loss = (tau: number) => pairs.reduce((a, [d, p]) => a + (p - Math.exp(-d / tau)) ** 2, 0);
  // τ from 1 ms to 1e5 s; below the shortest gap it means independent requests
  let lo = Math.log(1e-3);
  let hi = Math.log(1e5);
  const g = (Math.sqrt(5) - 1) / 2;
  for (let k = 0; k < 100; k++) {
    const a = hi - g * (hi - lo);
    const b = lo + g * (hi - lo);
    if (loss(Math.exp(a)) < loss(Math.exp(b))) hi = b;
    else lo = a;
  }
  const tau = Math.exp((lo + hi) / 2);
  const minGap = pairs.reduce((a, [d]) => Math.min(a, d), Infinity);
  return { tau: tau < minGap / 10 ? 0 : tau, pairs: pairs.length };
}

/** A staged request's stage time: encode + denoise + decode (s). */
export const stageTime = (r: ObservedRequest) => r.encodeEnd! - r.encodeStart! + (r.denoiseEnd! - r.denoiseStart!) + (r.decodeEnd! - r.decodeStart!);

/** Each request class's (requestClassOf) stage times, in the order given. */
export function stageTimesByShape(staged: readonly ObservedRequest[]): Map<string, number[]> {
  const by = new Map<string, number[]>();
  const classOf = requestClassOf(staged);
  for (const r of staged) {
    const k = classOf(r);
    let xs = by.get(k);
    if (!xs) by.set(k, (xs = []));
    xs.push(stageTime(r));
  }
  return by;
}

/** Each request class's (requestClassOf: the shape, and the model in a mixed trace) stage times (encode + denoise + decode), one per completed request with every stage boundary. */
export function traceStageTimes(trace: ObservedTrace): Map<string, number[]> {
  return stageTimesByShape(stagedRequests(completedRequests(trace)));
}

/** The class key traceStageCheck and traceStageTimes group a trace's requests by. */
export function traceRequestClassOf(trace: ObservedTrace): (r: ObservedRequest) => string {
  return requestClassOf(stagedRequests(completedRequests(trace)));
}

/** Each request shape's mean observed stage times in a trace (completed requests with every stage boundary), beside `model`'s. */
export function traceStageCheck(trace: ObservedTrace, model: (r: ObservedRequest) => StageTimes | null): StageCheck[] {
  return stageCheck(stagedRequests(completedRequests(trace)), model);
}

function stageCheck(staged: ObservedRequest[], model: (r: ObservedRequest) => StageTimes | null): StageCheck[] {
  const classOf = requestClassOf(staged);
  const by = new Map<string, ObservedRequest[]>();
  for (const r of staged) {
    const k = classOf(r);
    let xs = by.get(k);
    if (!xs) by.set(k, (xs = []));
    xs.push(r);
  }
  return [...by.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([shape, rs]) => ({
    shape,
    width: rs[0]!.width,
    height: rs[0]!.height,
    frames: rs[0]!.frames,
    steps: rs[0]!.steps,
    cfg: rs[0]!.cfg,
    requests: rs.length,
    observed: {
      encode_s: mean(rs.map((r) => r.encodeEnd! - r.encodeStart!)),
      denoise_s: mean(rs.map((r) => r.denoiseEnd! - r.denoiseStart!)),
      decode_s: mean(rs.map((r) => r.decodeEnd! - r.decodeStart!)),
    },
    model: model(rs[0]!),
  }));
}
