/**
 * Why a replay misses: each request shape's observed stage times beside the scenario's, and what follows. The
 * queueing a replay simulates is exact (the trace's arrivals, the server's routing); what it cannot know is a
 * worker that ran slower or faster than the model. When one shape is off and another agrees, the GPU ran as
 * modelled and the difference is the worker's host; when the cost model has that shape's DiT forward bound by
 * the host's kernel launches, the host CPU's speed sets it (on the committed GPU traces: the same requests ran
 * 0.10 s to 0.20 s a step on different hosts and minutes, calibration/serving/traces/gpu1-long*), and the way to
 * price a host is to measure it (calibration/host/forward_host_probe.py → inference.host_dispatch_us).
 */
import type { ObservedTrace } from './observed-trace.ts';
import { traceRequestClassOf, traceStageCheck, type StageTimes } from './fit.ts';
import type { ModelStages } from './model-stages.ts';
import type { ObservedRequest } from './observed-trace.ts';

/** A shape whose worker ran further off the model than this (|observed / model − 1|) is reported. */
export const STAGE_MISS = 0.1;
/** A shape within this of the model (|observed / model − 1|) counts as "agrees" (the GPU ran as modelled). */
export const STAGE_AGREE = 0.05;

export interface StageDiagnosisRow {
  shape: string;
  requests: number;
  observed: StageTimes;
  model: StageTimes | null;
  /**
   * The model's (encode + denoise + decode) / observed − 1: predicted vs observed, the sign of the replay's and
   * calibrate's other errors (−: the model is faster than the worker ran); null without a model.
   */
  error: number | null;
  /** Observed / the model's − 1: how much slower (+) or faster (−) the worker ran than the model prices; null without a model. */
  drift: number | null;
  /** The cost model has this shape's DiT forward bound by host kernel launches (null: measured stage times). */
  host_bound: boolean | null;
}

export interface StageDiagnosis {
  stages: StageDiagnosisRow[];
  /** Plain-language findings, empty when every shape is within STAGE_MISS of the model. */
  notes: string[];
}

const total = (t: StageTimes) => t.encode_s + t.denoise_s + t.decode_s;
const signed = (x: number) => `${x >= 0 ? '+' : ''}${(100 * x).toFixed(1)}%`;

export function diagnoseStages(trace: ObservedTrace, model: (r: ObservedRequest) => ModelStages | null): StageDiagnosis {
  const hostOf = new Map<string, ModelStages | null>();
  const classOf = traceRequestClassOf(trace);
  const checks = traceStageCheck(trace, (r) => {
    const m = model(r);
    hostOf.set(classOf(r), m); // the key traceStageCheck groups by
    return m?.times ?? null;
  });
  const stages: StageDiagnosisRow[] = checks.map((c) => {
    const m = hostOf.get(c.shape) ?? null;
    return { shape: c.shape, requests: c.requests, observed: c.observed, model: c.model, error: c.model ? total(c.model) / total(c.observed) - 1 : null, drift: c.model ? total(c.observed) / total(c.model) - 1 : null, host_bound: m?.hostBound ?? null };
  });
  const notes: string[] = [];
  const agree = stages.filter((s) => s.drift !== null && Math.abs(s.drift) <= STAGE_AGREE);
  for (const s of stages.filter((x) => x.drift !== null && Math.abs(x.drift) > STAGE_MISS)) {
    const dispatch = hostOf.get(s.shape)?.hostDispatchUs;
    const d = s.drift!;
    // measured stage times (deployment.stage_times: a stage profile or another trace's) are no model of a GPU
    const measured = s.host_bound === null;
    const theirs = measured ? 'the stage times measured in deployment.stage_times' : "the model's";
    const parts = [`${s.shape}: the worker's stage times ran ${(100 * Math.abs(d)).toFixed(1)}% ${d > 0 ? 'slower' : 'faster'} than ${theirs} (model vs observed ${signed(s.error!)}, ${s.requests} requests), and every prediction that queues behind them moves with them`];
    if (agree.length) parts.push(`${agree.map((a) => a.shape).join(', ')} agree${agree.length === 1 ? 's' : ''} within ${(100 * STAGE_AGREE).toFixed(0)}%, so ${measured ? 'the worker as a whole did not run at another speed than when they were measured: this shape\'s own stage times differ (too few requests measured, or measured alone rather than under load)' : 'the GPU ran as modelled'}`);
    if (s.host_bound) {
      // a host-bound denoise scales with the host's time per kernel: the observed one, if the whole gap is the host's
      const implied = dispatch && s.model ? `; the observed denoise implies about ${((dispatch * s.observed.denoise_s) / s.model.denoise_s).toFixed(1)} µs if all of its gap is the host's` : '';
      parts.push(`the cost model has this shape's DiT forward bound by the host's kernel launches (${dispatch ?? '?'} µs of CPU per kernel${implied}), so the host CPU's speed sets it: fit it on a trace of this machine (vgsim calibrate <fit.csv> --write: serving_overheads' host_dispatch_us), measure your host with calibration/host/forward_host_probe.py and set inference.host_dispatch_us, or take the stage times from a fit trace of this machine (vgsim calibrate <fit.csv> --write-stage-times, then deployment.stage_times)`);
    }
    else if (s.host_bound === false) parts.push('the cost model has this shape bound by the GPU: compare its kernels with a profile (calibration/host/forward_kernel_profile.py)');
    notes.push(parts.join('; '));
  }
  return { stages, notes };
}
