/**
 * The calibration loop: fit the serving overheads on one observed trace, then replay other traces (another
 * load level or seed) without and with them, so the error before and after is measured on data the fit
 * never saw.
 */
import { resolve } from 'node:path';
import type { LoadedScenario } from '../scenario/load.ts';
import type { RequestClass, Scenario } from '../scenario/schema.ts';
import { simulate } from '../serving/simulate.ts';
import { poolsOf } from '../scenario/pools.ts';
import { InputError } from '../errors.ts';
import type { ObservedRequest, ObservedTrace } from './observed-trace.ts';
import { fitOverheads, shapeOf, type OverheadFit, type StageTimes } from './fit.ts';
import { replay, type ReplayReport } from './replay.ts';
import { OVERHEADS_FORMAT, type OverheadsFile } from '../serving/overheads.ts';
import { traceModelId } from '../workload/trace-formats.ts';
import { STAGE_PROFILE_FORMAT } from '../serving/stage-profile.ts';

export interface CalibrationResult {
  fit: OverheadFit;
  fitTrace: string;
  validations: { file: string; before: ReplayReport; after: ReplayReport }[];
}

/**
 * The scenario's stage times of each request shape in a trace, read from simulate()'s service_times: a
 * short run whose mix is the trace's shapes (cost model or the pools' measured stage_times).
 */
export function modelStageTimes(loaded: LoadedScenario, trace: ObservedTrace, baseDir?: string): (r: ObservedRequest) => StageTimes | null {
  const model = modelStages(loaded, trace, baseDir);
  return (r) => model(r)?.times ?? null;
}

/**
 * A request shape as the scenario prices it: its stage times, and whether the cost model has its DiT forward bound
 * by the host's kernel launches (eager Python dispatch at `host_dispatch_us` per kernel) rather than by the GPU.
 * `hostBound` is null where the stage times are measured (a stage profile) rather than priced.
 */
export interface ModelStages {
  times: StageTimes;
  hostBound: boolean | null;
  hostDispatchUs: number | null;
}

export function modelStages(loaded: LoadedScenario, trace: ObservedTrace, baseDir?: string): (r: ObservedRequest) => ModelStages | null {
  const shapes = new Map<string, ObservedRequest>();
  for (const r of trace.requests) shapes.set(`${r.model}|${shapeOf(r)}|${r.cfg}`, r);
  const s0 = loaded.scenario;
  const mix: RequestClass[] = [...shapes.values()].map((r) => ({
    name: `${r.model}|${shapeOf(r)}|${r.cfg}`, weight: 1, priority: 0, resolution: { width: r.width, height: r.height },
    frames: r.frames, steps: r.steps, cfg: r.cfg, ...(r.model ? { model: traceModelId(s0.workload, r.model) } : {}),
  }));
  const s: Scenario = { ...s0, duration: 1, drain: false, serving_overheads: undefined, workload: { ...s0.workload, arrivals: { process: 'poisson', rate_per_s: 1e-9 }, mix } };
  const res = simulate(s, { baseDir, locate: loaded.locate });
  const byClass = new Map(res.service_times.map((t) => [t.class, t]));
  const estimates = new Map((res.estimates ?? []).map((e) => [e.class, e.estimate]));
  const measured = poolsOf(s0).some((p) => p.stage_times);
  return (r) => {
    const key = `${r.model}|${shapeOf(r)}|${r.cfg}`;
    const t = byClass.get(key);
    if (!t) return null;
    const e = estimates.get(key);
    const forward = e?.stages.find((x) => x.name === 'dit_forward');
    return {
      times: { encode_s: t.encode_s, denoise_s: t.denoise_s, decode_s: t.decode_s },
      hostBound: forward && !measured ? forward.bound === 'launch' : null,
      hostDispatchUs: e?.profile.host_dispatch_us ?? null,
    };
  };
}

/** The simulations calibrate() runs: per validation trace, 10 seeds before and 10 after (replay's default). */
export const calibrationRuns = (validate: readonly ObservedTrace[]) => validate.length * 2 * 10;

export function calibrate(loaded: LoadedScenario, fitTrace: ObservedTrace, validate: ObservedTrace[], baseDir?: string, onRun?: () => void): CalibrationResult {
  for (const v of validate) {
    if (resolve(v.file) === resolve(fitTrace.file)) {
      throw new InputError([{ source: '--validate', path: '', message: `${v.file} is the trace the overheads are fitted on`, hint: 'validate on a different trace: another load level or seed' }]);
    }
  }
  const fit = fitOverheads(fitTrace, modelStageTimes(loaded, fitTrace, baseDir));
  const validations = validate.map((t) => ({
    file: t.file,
    before: replay(loaded, t, { baseDir, overheads: null, onRun, diagnose: false }).report,
    after: replay(loaded, t, { baseDir, overheads: fit.overheads, onRun, diagnose: false }).report,
  }));
  return { fit, fitTrace: fitTrace.file, validations };
}

/**
 * A vgsim-stage-profile/1 of the fit trace's own stage times (per shape: mean encode, per-step and decode
 * time), for `deployment.stage_times` where vgsim has no cost model for the hardware (a CPU, an unprofiled
 * GPU): stage times measured under the serving load rather than alone.
 */
export function stageTimesFile(c: CalibrationResult, fittedOn: string): object {
  const round = (x: number) => Number(x.toPrecision(6));
  return {
    format: STAGE_PROFILE_FORMAT,
    note: 'stage times of the completed requests of the fit trace (vgsim calibrate --write-stage-times), by shape',
    fitted_on: fittedOn,
    shapes: c.fit.stages.map((s) => ({
      width: s.width, height: s.height, frames: s.frames, steps: s.steps, cfg: s.cfg,
      encode_s: { mean: round(s.observed.encode_s), n: s.requests },
      step_s: { mean: round(s.observed.denoise_s / s.steps), n: s.requests },
      decode_s: { mean: round(s.observed.decode_s), n: s.requests },
    })),
  };
}

/** The vgsim-serving-overheads/1 file that `serving_overheads:` references. */
export function overheadsFile(c: CalibrationResult, fittedOn: string): OverheadsFile {
  const round = (x: number) => Number(x.toPrecision(6));
  return {
    format: OVERHEADS_FORMAT,
    dispatch_s: round(c.fit.overheads.dispatch_s),
    handoff_s: round(c.fit.overheads.handoff_s),
    request_s: round(c.fit.overheads.request_s),
    service_cv: round(c.fit.overheads.service_cv),
    service_correlation_s: round(c.fit.overheads.service_correlation_s),
    fitted_on: fittedOn,
    samples: c.fit.samples,
    method: c.fit.method,
  };
}
