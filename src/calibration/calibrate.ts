/**
 * The calibration loop: on one observed trace fit the host's time per kernel (host-fit.ts: where the cost model
 * has a shape's DiT forward bound by the host's launches) and then, with the stages priced at it, the serving
 * overheads; then replay other traces (another load level or seed) without and with both, so the error before
 * and after is measured on data the fit never saw.
 */
import { resolve } from 'node:path';
import type { LoadedScenario } from '../scenario/load.ts';
import { InputError } from '../errors.ts';
import type { ObservedTrace } from './observed-trace.ts';
import { fitOverheads, type OverheadFit } from './fit.ts';
import { replay, type ReplayReport } from './replay.ts';
import { modelStageTimes } from './model-stages.ts';
import { fitHostDispatch, withHostDispatch, type HostFit } from './host-fit.ts';
import { OVERHEADS_FORMAT, type OverheadsFile } from '../serving/overheads.ts';
import { STAGE_PROFILE_FORMAT } from '../serving/stage-profile.ts';
import { cutWarmup, type WarmupSpec } from './warmup.ts';
import { fittedInputs, inSampleWarning } from './fitted-on.ts';

export interface CalibrationResult {
  fit: OverheadFit;
  /** The host's time per kernel, fitted where the trace has a host-bound shape (else why not). */
  host: HostFit;
  fitTrace: string;
  /** The fit trace's warm-up left out of the fit (--warmup), or null when every request was used. */
  warmup: { dropped: number; seconds: number; rule: string } | null;
  /** Per validation trace: before, after, and after with each request served in its own observed stage time (queueing). */
  validations: { file: string; before: ReplayReport; after: ReplayReport; queueing: ReplayReport }[];
  /** A validation trace the scenario's stage_times were fitted on (fitted-on.ts): its score is in-sample. */
  warnings: string[];
}

/** The simulations calibrate() runs: per validation trace, 10 seeds before and 10 after (replay's default), and one with the observed service times. */
export const calibrationRuns = (validate: readonly ObservedTrace[]) => validate.length * (2 * 10 + 1);

export function calibrate(loaded: LoadedScenario, wholeFitTrace: ObservedTrace, validate: ObservedTrace[], baseDir?: string, onRun?: () => void, warmupSpec?: WarmupSpec): CalibrationResult {
  const cut = warmupSpec === undefined ? null : cutWarmup(wholeFitTrace, warmupSpec);
  const fitTrace = cut ? cut.trace : wholeFitTrace;
  for (const v of validate) {
    if (resolve(v.file) === resolve(fitTrace.file)) {
      throw new InputError([{ source: '--validate', path: '', message: `${v.file} is the trace the overheads are fitted on`, hint: 'validate on a different trace: another load level or seed' }]);
    }
  }
  // the scenario's own serving_overheads (a previous fit, and any host time it holds) are not used: before = none
  const bare: LoadedScenario = { ...loaded, scenario: { ...loaded.scenario, serving_overheads: undefined } };
  const host = fitHostDispatch(bare, fitTrace, baseDir);
  const priced = host.fitted ? withHostDispatch(bare, host.host_dispatch_us) : bare;
  const stageFit = fitOverheads(fitTrace, modelStageTimes(priced, fitTrace, baseDir));
  const fit: OverheadFit = host.fitted ? { ...stageFit, overheads: { ...stageFit.overheads, host_dispatch_us: host.host_dispatch_us } } : stageFit;
  const validations = validate.map((t) => ({
    file: t.file,
    before: replay(bare, t, { baseDir, overheads: null, onRun, diagnose: false }).report,
    after: replay(bare, t, { baseDir, overheads: fit.overheads, onRun, diagnose: false }).report,
    // the fitted overheads with each request's own observed stage time: the queueing, dispatch and routing alone
    // (nothing random is left to average: one seed)
    queueing: replay(bare, t, { baseDir, overheads: fit.overheads, onRun, diagnose: false, observedService: true, replications: 1 }).report,
  }));
  const warnings = validate.flatMap((t) => inSampleWarning(fittedInputs(bare.scenario, baseDir, t.file), t.file) ?? []);
  return { fit, host, fitTrace: fitTrace.file, warmup: cut && { dropped: cut.dropped, seconds: cut.seconds, rule: cut.rule }, validations, warnings };
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
    ...(c.warmup ? { warmup_left_out: c.warmup } : {}),
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
    ...(c.host.fitted ? { host_dispatch_us: c.host.host_dispatch_us } : {}),
    fitted_on: fittedOn,
    ...(c.warmup ? { warmup_left_out: c.warmup } : {}),
    samples: c.fit.samples,
    method: { ...c.fit.method, ...(c.host.fitted ? { host_dispatch_us: c.host.method } : {}) },
  };
}
