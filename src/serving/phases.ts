/**
 * The phases a stage server runs for one batch, in order: how long each lasts and what each GPU draws
 * (from the pre-tabulated service time, serving/service-times.ts). Pure: a function of the service time and the
 * pool's shape, the same for every replica of a pool, so the runtime builds each list once.
 *
 *   text encode   umT5 moved to the GPU and back (offload: transfer power), then the encode itself;
 *   denoise       one phase per step (granularity: step) or one for all of them (granularity: stage), the
 *                 expert swap (or weights copied in) at the expert boundary at transfer power;
 *   VAE decode    the DiT moved off the GPU (offload), then the decode: one GPU decodes while the others of
 *                 the group idle, so the group's mean per-GPU power is (decode + (g − 1) · idle ranks) / g;
 *   post-process  the class's chain on the group's GPUs (frames split over them; NVENC), at its mean per-GPU
 *                 power (perf/postprocess-cost.ts); only for a class with a chain. A host-CPU encode after it
 *                 is not a phase: it runs on the node's cores (cpu-encode.ts) while the GPUs serve on.
 * A split-expert replica is a two-stage pipeline: its high-noise group encodes and runs the high-noise steps,
 * the low-noise group runs the rest and decodes; each keeps its expert resident (no swap).
 * Serving overheads (serving_overheads, overheads.ts) are phases at idle power: dispatch first, a hand-off
 * between consecutive stages, the per-request rest last.
 * Zero-length phases stay in the list (the runtime skips them without an event).
 */
import type { ServiceTime } from './service-times.ts';
import type { ServingOverheads } from './overheads.ts';

/** What a phase is (the timeline's names); denoise phases say which steps they cover (1-based). */
export interface PhaseLabel {
  label: string;
  step?: number;
  steps?: number;
}

/** A stage's phases: seconds[i] and per-GPU watts[i] of phase i; labels only when the timeline is recorded. */
export interface PhaseList {
  readonly seconds: number[];
  readonly watts: number[];
  readonly labels?: PhaseLabel[];
}

export interface PhaseShape {
  /** Stages of the request the pool runs (0 encode, 1 denoise, 2 decode, 3 post-processing). */
  first: number;
  last: number;
  /** GPUs of the replica, and its stage servers (2: split experts). */
  gpus: number;
  stageServers: number;
  /** The model has two experts (the boundary transfer is an expert swap rather than copying weights in). */
  twoExperts: boolean;
  /** One phase per denoising step (granularity: step) or one for all (granularity: stage). */
  stepByStep: boolean;
  /** Record what each phase is (for the timeline). */
  labels: boolean;
  /** Serving overheads of the scenario, if any. */
  overheads?: ServingOverheads;
}

/** The phase list of stage server `server` (0, or 1 for the low-noise group of split experts). */
export function phaseList(times: ServiceTime, shape: PhaseShape, server: number): PhaseList {
  const pw = times.estimate.power.per_gpu_w;
  const g = shape.gpus / shape.stageServers;
  const vaeW = (pw.vae_decode + (g - 1) * pw.vae_idle_ranks) / g;
  const x = times.transfer_s;
  const perStep = (times.denoise_s - x.denoise) / times.steps;
  const high = times.highSteps;
  const low = times.steps - high;
  const seconds: number[] = [];
  const watts: number[] = [];
  const labels: PhaseLabel[] | undefined = shape.labels ? [] : undefined;
  const add = (s: number, w: number, label: string, step?: number, n?: number) => {
    seconds.push(s);
    watts.push(w);
    labels?.push(step === undefined ? { label } : { label, step, steps: n });
  };
  const encode = () => {
    add(x.encode, pw.transfer, 'umT5 to GPU and back');
    add(times.encode_s - x.encode, pw.text_encode, 'text encode');
  };
  const decode = () => {
    add(x.decode, pw.transfer, 'DiT off the GPU');
    add(times.decode_s - x.decode, vaeW, 'VAE decode');
  };
  /** Denoising steps first..first+n−1 (1-based): one phase each, or one for all of them. */
  const steps = (first: number, n: number) => {
    if (shape.stepByStep) for (let i = 0; i < n; i++) add(perStep, pw.denoise, `denoise step ${first + i}/${times.steps}`, first + i, 1);
    else add(n * perStep, pw.denoise, 'denoise', first, n);
  };
  const o = shape.overheads;
  const handoff = () => o && add(o.handoff_s, pw.idle, 'stage hand-off');
  const post = times.postprocess_s > 0;
  const postprocess = () => add(times.postprocess_s, pw.postprocess, 'post-processing');
  if (shape.stageServers === 1) {
    // a disaggregated pool runs only its span of the request
    const runs = (k: number) => shape.first <= k && shape.last >= k;
    if (o) add(o.dispatch_s, pw.idle, 'dispatch');
    if (runs(0)) encode();
    if (runs(0) && runs(1)) handoff();
    if (runs(1)) {
      steps(1, high);
      add(x.denoise, pw.transfer, shape.twoExperts && high > 0 && low > 0 ? 'expert swap' : 'weights to GPU');
      steps(high + 1, low);
    }
    if (runs(1) && runs(2)) handoff();
    if (runs(2)) decode();
    if (post && runs(2) && runs(3)) handoff();
    if (post && runs(3)) postprocess();
    if (o) add(o.request_s, pw.idle, 'request overhead');
  } else if (server === 0) {
    // split experts: each group keeps its expert resident (no swaps); the high-noise group encodes
    if (o) add(o.dispatch_s, pw.idle, 'dispatch');
    encode();
    handoff();
    steps(1, high);
  } else {
    steps(high + 1, low);
    handoff();
    decode();
    if (post && shape.last >= 3) {
      handoff();
      postprocess();
    }
    if (o) add(o.request_s, pw.idle, 'request overhead');
  }
  return labels ? { seconds, watts, labels } : { seconds, watts };
}
