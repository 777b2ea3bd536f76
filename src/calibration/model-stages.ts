/**
 * What the scenario says each request shape of a trace costs: stage times from simulate()'s service_times (the
 * cost model or the pools' measured stage_times) and whether the cost model has the shape's DiT forward bound by
 * the host's kernel launches. Used by calibrate (fit, stage check), replay (stage diagnosis) and the README's
 * serving validation.
 */
import type { LoadedScenario } from '../scenario/load.ts';
import type { RequestClass, Scenario } from '../scenario/schema.ts';
import { simulate } from '../serving/simulate.ts';
import { poolsOf } from '../scenario/pools.ts';
import type { ObservedRequest, ObservedTrace } from './observed-trace.ts';
import { shapeOf, type StageTimes } from './fit.ts';
import { traceModelId } from '../workload/trace-formats.ts';
import { resolveOverheads, withFittedHost } from '../serving/overheads.ts';

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
  // the stages alone (no overheads), priced with the host time per kernel a calibration fitted where the scenario sets none
  const overheads = s0.serving_overheads === undefined ? undefined : resolveOverheads(s0.serving_overheads, baseDir, loaded.locate(['serving_overheads']));
  const s: Scenario = { ...s0, inference: withFittedHost(s0.inference, overheads), duration: 1, drain: false, serving_overheads: undefined, workload: { ...s0.workload, arrivals: { process: 'poisson', rate_per_s: 1e-9 }, mix } };
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
