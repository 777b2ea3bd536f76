/**
 * Serving overheads (vgsim-serving-overheads/1): the per-request costs a kernel profile cannot see, which
 * `vgsim calibrate` fits from an observed trace. Each holds the replica (the next request cannot start):
 *
 *   dispatch_s   router hands the request to the replica → the replica starts it (IPC, deserialisation)
 *   handoff_s    between two consecutive stages of one request on a replica (encode → denoise, denoise →
 *                decode: latents, context and the scheduler set up, buffers freed)
 *   request_s    the rest of a request's occupancy outside the stages: pre- and post-processing (e.g.
 *                frames to uint8) and returning the result to the server
 *   service_cv   how much a request's service time varies around the mean the stage times give (clock and
 *                power-cap variation, noisy neighbours on a shared host): each request's phases are scaled
 *                by a log-normal speed factor with mean 1 and this coefficient of variation
 *   service_correlation_s  how long such variations last (service-speed.ts: an Ornstein–Uhlenbeck process)
 *   host_dispatch_us  (optional) the host's CPU time per launched kernel, fitted from the trace's denoise times
 *                (src/calibration/host-fit.ts): it prices the stages (inference.host_dispatch_us, which wins
 *                where the scenario sets it), not a phase of its own
 *
 * In the simulation they are phases of the replica's phase list (src/serving/simulate.ts `phases`), at
 * the replica's idle power.
 */
import { readInputJson } from '../input-file.ts';
import { InputError, type InputIssue } from '../errors.ts';

export const OVERHEADS_FORMAT = 'vgsim-serving-overheads/1';

export interface ServingOverheads {
  dispatch_s: number;
  handoff_s: number;
  request_s: number;
  /** Coefficient of variation of a request's service time (0: deterministic). */
  service_cv: number;
  /** Correlation time of the service-speed factor, seconds (0: independent per request). */
  service_correlation_s: number;
  /** The host's CPU time per launched kernel, µs, when a calibration fitted it (absent: the scenario's or the default). */
  host_dispatch_us?: number;
}

/** The overheads that are phases of a request (each fitted as a mean or a variability; host_dispatch_us prices stages instead). */
export type OverheadPhaseKey = Exclude<keyof ServingOverheads, 'host_dispatch_us'>;

export const NO_OVERHEADS: ServingOverheads = { dispatch_s: 0, handoff_s: 0, request_s: 0, service_cv: 0, service_correlation_s: 0 };

/** The file `vgsim calibrate --write` produces: the values plus where they came from. */
export interface OverheadsFile extends ServingOverheads {
  format: typeof OVERHEADS_FORMAT;
  fitted_on?: string;
  method?: Record<string, string>;
  [key: string]: unknown;
}

/** Scenario value: a path (relative to the scenario) or inline values. */
export function resolveOverheads(value: string | Partial<ServingOverheads>, baseDir: string | undefined, where: Pick<InputIssue, 'source' | 'line' | 'col'>): ServingOverheads {
  if (typeof value !== 'string') return { ...NO_OVERHEADS, ...value };
  const file = baseDir && !value.startsWith('/') ? `${baseDir}/${value}` : value;
  const fail = (message: string): never => {
    throw new InputError([{ ...where, path: 'serving_overheads', message: `${file}: ${message}`, hint: 'write it with vgsim calibrate --write, or give {dispatch_s, handoff_s, request_s, service_cv, service_correlation_s}' }]);
  };
  const data = readInputJson(file, fail);
  if (data?.format !== OVERHEADS_FORMAT) fail(`expected "format": "${OVERHEADS_FORMAT}"`);
  const out = { ...NO_OVERHEADS };
  for (const k of ['dispatch_s', 'handoff_s', 'request_s', 'service_cv', 'service_correlation_s'] as const) {
    const v = data[k] ?? 0;
    if (typeof v !== 'number' || !(v >= 0)) fail(`${k}: expected a non-negative number of seconds, got ${JSON.stringify(v)}`);
    out[k] = v;
  }
  const host = data.host_dispatch_us;
  if (host !== undefined) {
    if (typeof host !== 'number' || !(host > 0) || host > 1000) fail(`host_dispatch_us: expected µs of host CPU per kernel in (0, 1000], got ${JSON.stringify(host)}`);
    out.host_dispatch_us = host;
  }
  return out;
}

/**
 * The scenario's inference section as the stages are priced: its own `inference.host_dispatch_us` where it sets
 * one, else a calibration's fitted value from its serving overheads, else none (host-dispatch.ts default).
 */
export function withFittedHost<I extends { host_dispatch_us?: number }>(inference: I, overheads: ServingOverheads | undefined): I {
  return { ...inference, host_dispatch_us: inference.host_dispatch_us ?? overheads?.host_dispatch_us };
}

/** Seconds of overhead a request adds to a replica running `stages` consecutive stages (boundaries = stages − 1). */
export function overheadSeconds(o: ServingOverheads, stages: number): number {
  return o.dispatch_s + o.request_s + o.handoff_s * Math.max(0, stages - 1);
}
