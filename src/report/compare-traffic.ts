/**
 * Whether the runs of a comparison serve the same traffic. A comparison ranks clusters, layouts and stacks on
 * the same work; two runs that serve different traffic (another arrival rate or process, another duration,
 * another request mix or request shapes) differ in what they were asked, so a "best" latency, throughput or cost
 * between them ranks the questions, not the answers. compare.ts leaves such rows unranked and says why.
 *
 * The traffic of a run: its duration and whether it drains; its arrivals (process, mean rate in requests per second whatever unit the
 * file used, Gamma cv, or the trace file); its daily curve; and each request class's weight, SLO, priority,
 * post-processing and shape (width × height, frames, steps, CFG), the shape as the run priced it, so a class that
 * takes its model's default resolution compares by the resolution it got. Which model or cluster serves the
 * traffic is not traffic: that is what a comparison is for.
 */
import type { SimulationResult } from '../serving/simulate.ts';
import { ratePerSecond } from '../workload/arrivals.ts';

/** What compare.ts needs of a run: its result and, where known, the scenario it ran. */
export interface TrafficRun {
  result: SimulationResult;
  scenario?: unknown;
}

interface ScenarioTraffic {
  duration?: number;
  drain?: boolean;
  workload?: { arrivals?: Record<string, unknown> & { process?: string }; curve?: unknown; mix?: Record<string, unknown>[] };
}

/** The parts of a run's traffic by name (undefined without its scenario), each a canonical JSON string. */
export function trafficParts(run: TrafficRun): Record<string, string> | undefined {
  const s = run.scenario as ScenarioTraffic | undefined;
  if (!s?.workload?.arrivals) return undefined;
  const a = s.workload.arrivals;
  const arrivals = a.process === 'trace'
    ? { process: 'trace', file: a.file, rate_per_s: a.rate_per_s ?? null }
    : { process: a.process, rate_per_s: Number(ratePerSecond(a as never).toPrecision(12)), cv: a.cv ?? null };
  // the shape each class was priced at (the first pool that serves it; every pool prices the same request)
  const shapes = new Map<string, string>();
  for (const e of run.result.estimates ?? []) {
    const r = e.estimate.request;
    if (!shapes.has(e.class)) shapes.set(e.class, `${r.width}x${r.height}x${r.frames}f/${r.steps}st${r.cfg ? '' : ' no-CFG'}`);
  }
  const mix = (s.workload.mix ?? []).map((c, i) => ({
    weight: c.weight ?? 1, slo_s: c.slo_s ?? null, priority: c.priority ?? 0, postprocess: c.postprocess ?? null,
    shape: shapes.get(run.result.classes[i]?.name ?? '') ?? { resolution: c.resolution ?? null, frames: c.frames ?? null, steps: c.steps ?? null },
  }));
  return {
    duration: JSON.stringify(s.duration ?? null),
    // a run without its drain leaves the slowest requests out of its latencies
    drain: JSON.stringify(s.drain ?? true),
    arrivals: JSON.stringify(arrivals),
    curve: JSON.stringify(s.workload.curve ?? 'flat'),
    'request mix': JSON.stringify(mix),
  };
}

/**
 * Why the runs are not like with like — "the runs serve different traffic (arrivals, request mix differ)" — or
 * undefined when they serve the same traffic or a run's scenario is not known (a library caller's results).
 */
export function trafficDifference(runs: readonly TrafficRun[]): string | undefined {
  const parts = runs.map(trafficParts);
  if (parts.length < 2 || parts.some((p) => p === undefined)) return undefined;
  const differ = Object.keys(parts[0]!).filter((k) => parts.some((p) => p![k] !== parts[0]![k]));
  if (differ.length === 0) return undefined;
  return `the runs serve different traffic (${differ.join(', ')} differ${differ.length === 1 ? 's' : ''}): every row is shown side by side but none is ranked — a comparison ranks clusters and stacks on the same work; give them the same workload and duration (or use vgsim sweep to vary the load)`;
}
