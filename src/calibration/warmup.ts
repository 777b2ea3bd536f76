/**
 * The warm-up of a fit trace: a server's first minutes can run slower than its steady state (caches, allocator
 * pools, CPU clocks and the host's other tenants settling), and a fit that averages them in prices every later
 * request slow — which near saturation the queue amplifies. `vgsim calibrate --warmup` leaves out the requests
 * that started in it, either a given number of seconds or where the MSER-5 rule puts the end of the initial
 * transient (White, Cobb & Spratt 2000, "A comparison of five steady-state truncation heuristics for simulation",
 * Proc. Winter Simulation Conference: the truncation point d minimising the squared standard error of the mean of
 * the batch means left, d ≤ half of them, batches of 5). The series is each staged request's service time
 * (encode + denoise + decode) over its shape's median, in the order the requests started, so shapes mix.
 */
import { median } from 'simple-statistics';
import { InputError, didYouMean } from '../errors.ts';
import type { ObservedRequest, ObservedTrace } from './observed-trace.ts';
import { requestClassOf, stagedRequests, stageTime, stageTimesByShape } from './fit.ts';

const BATCH = 5;
/**
 * MSER-5 needs a series long enough that the standard error it minimises means something: White et al. test it on
 * runs of hundreds of observations; below 20 batches (100 requests) half the series can look like a transient.
 */
export const MSER_MIN_REQUESTS = 20 * BATCH;

/** MSER-5: how many leading observations of `y` to drop (a multiple of 5, at most half the whole batches). */
export function mser5(y: readonly number[]): number {
  const batches: number[] = [];
  for (let i = 0; i + BATCH <= y.length; i += BATCH) batches.push(y.slice(i, i + BATCH).reduce((a, b) => a + b, 0) / BATCH);
  let best = { score: Infinity, d: 0 };
  for (let d = 0; d <= Math.floor(batches.length / 2); d++) {
    const rest = batches.slice(d);
    const m = rest.reduce((a, b) => a + b, 0) / rest.length;
    const score = rest.reduce((a, b) => a + (b - m) ** 2, 0) / rest.length ** 2;
    if (score < best.score) best = { score, d };
  }
  return best.d * BATCH;
}

export type WarmupSpec = 'mser' | number;

export interface WarmupCut {
  trace: ObservedTrace;
  /** Requests left out (those that started in the warm-up). */
  dropped: number;
  /** Seconds from the first start to the first request kept. */
  seconds: number;
  rule: string;
}

/** The completed requests with every stage boundary (fit.ts's stagedRequests). */
const staged = (requests: ObservedRequest[]) => stagedRequests(requests.filter((r) => r.outcome === 'completed'));

/** Parses `--warmup`: "mser" or seconds (a non-negative number). */
export function parseWarmup(text: string): WarmupSpec {
  if (text === 'mser') return 'mser';
  const s = Number(text);
  if (text.trim() === '' || !Number.isFinite(s) || s < 0) {
    const near = didYouMean(text.toLowerCase(), ['mser']);
    throw new InputError([{ source: '--warmup', path: '', message: `'${text}' is not a warm-up${near ? ` (${near})` : ''}`, hint: "give seconds from the fit trace's first request (e.g. --warmup 20) or --warmup mser (the MSER-5 truncation rule)" }]);
  }
  return s;
}

/** The fit trace without the requests that started in its warm-up. */
export function cutWarmup(trace: ObservedTrace, spec: WarmupSpec): WarmupCut {
  const series = staged(trace.requests).sort((a, b) => a.start! - b.start!);
  if (series.length === 0) throw new InputError([{ source: trace.file, path: '', message: 'no completed request with its stage times: no warm-up to find', hint: 'a trace from calibration/serving/harness.py records them' }]);
  const t0 = series[0]!.start!;
  let cutAt: number;
  let rule: string;
  if (spec === 'mser') {
    if (series.length < MSER_MIN_REQUESTS) {
      throw new InputError([{ source: '--warmup', path: '', message: `MSER-5 needs at least ${MSER_MIN_REQUESTS} completed requests with stage times; ${trace.file} has ${series.length}`, hint: 'give the warm-up in seconds instead, or record a longer fit trace' }]);
    }
    // each request's stage time over its class's median (the classes the fit groups by: shape, and model when mixed)
    const classOf = requestClassOf(series);
    const medians = new Map([...stageTimesByShape(series)].map(([k, xs]) => [k, median(xs)]));
    const d = mser5(series.map((r) => stageTime(r) / medians.get(classOf(r))!));
    cutAt = d < series.length ? series[d]!.start! : Infinity;
    rule = `MSER-5 on the service times over their shape's median: ${d} of ${series.length} staged requests`;
  } else {
    cutAt = t0 + spec;
    rule = `the first ${spec} s`;
  }
  const kept = trace.requests.filter((r) => (r.start ?? r.arrival) >= cutAt);
  if (staged(kept).length === 0) throw new InputError([{ source: '--warmup', path: '', message: `a warm-up of ${spec} s leaves no request of ${trace.file}`, hint: 'give fewer seconds' }]);
  return { trace: { ...trace, requests: kept }, dropped: trace.requests.length - kept.length, seconds: cutAt - t0, rule };
}
