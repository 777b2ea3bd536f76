/**
 * Requests entering the cluster: the scenario's arrival process (workload/arrivals.ts, with its daily curve)
 * gives the times; each arrival draws its class from the mix (the 'mix' random stream), or — replaying a trace
 * whose rows give a model, shape or SLO — takes the class of that row (created on first sight, with the row's
 * SLO or else the first mix class's), and is dispatched. Arrivals stop at the end of the arrival window (`duration`).
 */
import { makeArrivals, TraceArrivals, type ArrivalProcess } from '../workload/arrivals.ts';
import { traceModelId } from '../workload/trace-formats.ts';
import { dailyCurve } from '../workload/rate-curve.ts';
import { getModel, type RequestShape } from '../workload/request.ts';
import type { RequestClass } from '../scenario/schema.ts';
import { classLabel } from '../scenario/classes.ts';
import { resolvePath, type ClassState, type ClusterState } from './state.ts';

export class Arrivals {
  private readonly process: ArrivalProcess;
  private readonly weights: number[];
  private readonly totalWeight: number;
  private readonly traceClasses = new Map<string, ClassState>();

  constructor(private readonly state: ClusterState, o: { baseDir?: string; rateScale?: number }) {
    const a = state.scenario.workload.arrivals;
    const curve = dailyCurve(state.scenario.workload.curve);
    this.process = makeArrivals(a, state.rng.arrivals, a.process === 'trace' ? resolvePath(o.baseDir, a.file) : undefined, o.rateScale ?? 1, curve);
    this.weights = state.classes.map((c) => c.spec.weight);
    this.totalWeight = this.weights.reduce((x, y) => x + y, 0);
  }

  /** Arrivals of a replayed trace within the arrival window (undefined for a random process). */
  traceCount(): number | undefined {
    return this.process instanceof TraceArrivals ? this.process.countBefore(this.state.scenario.duration) : undefined;
  }

  /** A replayed trace's rows at or after the arrival window's end, which the run leaves out: a note, else undefined. */
  traceBeyondWindow(): string | undefined {
    if (!(this.process instanceof TraceArrivals)) return undefined;
    const total = this.process.size;
    const within = this.process.countBefore(this.state.scenario.duration);
    if (within >= total) return undefined;
    return `${total - within} of the trace's ${total} rows arrive at or after the duration (${this.state.scenario.duration} s) and are not simulated; raise duration to replay them`;
  }

  /** What reading a replayed trace noticed (columns it ignores). */
  traceWarnings(): string[] {
    return this.process instanceof TraceArrivals ? this.process.warnings : [];
  }

  /** Schedules the first arrival. */
  start(): void {
    const first = this.process.next(0);
    if (first < this.state.scenario.duration) this.state.sim.scheduleAt(first, this.arrive);
  }

  private readonly arrive = (): void => {
    const { sim, scenario: s, recorder, ports } = this.state;
    const req = recorder.arrive(this.classOfArrival());
    if (this.state.observedService) req.observedServiceS = this.process.lastRow?.()?.service_s;
    ports.dispatch(req);
    const t = this.process.next(sim.now);
    if (t < s.duration) sim.scheduleAt(t, this.arrive);
  };

  /** The class of the arrival just drawn: from the mix, or the class of the trace row's model and shape. */
  private classOfArrival(): ClassState {
    const classes = this.state.classes;
    const row = this.process.lastRow?.();
    if (!row || (row.width === undefined && row.frames === undefined && row.steps === undefined && row.model === undefined && row.slo_s === undefined && row.cfg === undefined)) return classes[this.state.rng.mix.weightedIndex(this.weights, this.totalWeight)]!;
    const base = classes[0]!;
    const model = getModel(row.model !== undefined ? traceModelId(this.state.scenario.workload, row.model) : base.modelId);
    // a row of another model than the first class's takes that model's defaults for what it does not give
    const d = model.id === base.modelId ? base.shape : { width: model.defaults.width, height: model.defaults.height, frames: model.defaults.frames, steps: model.defaults.steps, cfg: model.defaults.guidance };
    const shape: RequestShape = { width: row.width ?? d.width, height: row.height ?? d.height, frames: row.frames ?? d.frames, steps: row.steps ?? d.steps, cfg: row.cfg ?? d.cfg };
    const slo = row.slo_s ?? base.slo; // per-request SLOs from the trace
    const key = JSON.stringify([model.id, shape, row.priority ?? 0, slo]);
    let cls = this.traceClasses.get(key);
    if (!cls) {
      // a trace row takes the first class's post-processing, as it takes its other defaults
      const spec: RequestClass = { weight: 1, priority: row.priority ?? 0, model: model.id, ...(row.cfg !== undefined ? { cfg: row.cfg } : {}), ...(row.slo_s !== undefined ? { slo_s: row.slo_s } : {}), ...(base.spec.postprocess ? { postprocess: base.spec.postprocess } : {}) };
      const name = classLabel(spec, shape) + (row.cfg !== undefined && row.cfg !== d.cfg ? (row.cfg ? ' CFG' : ' no CFG') : '') + (row.slo_s !== undefined ? ` slo ${row.slo_s}s` : '');
      cls = { name, spec, model, modelId: model.id, shape, videoSeconds: shape.frames / model.defaults.fps, warnings: [], index: classes.length, slo, postprocess: base.postprocess };
      this.traceClasses.set(key, cls);
      classes.push(cls);
    }
    return cls;
  }
}


