/**
 * What a sweep's numbers rest on: the GPUs each point ran on and their held-out record (perf/gpu-evidence.ts),
 * for the caveat next to a best point and the evidence lines under the text and HTML outputs.
 */
import { evidenceCaveat, evidenceLineOf, gpuEvidence, isValidated, poolNearestCaveats, scopeCaveat, scopeLine } from '../perf/gpu-evidence.ts';
import { MODELS } from '../workload/models.ts';
import type { PointSummary } from './points.ts';
import { bestPoints, type BestPoints } from './best.ts';
import type { SweepPlan } from './spec.ts';
import type { SweepRecord } from './output.ts';
import { kernelAndPowerNotes } from '../report/compare-notes.ts';

/** Records by run id, built once per record list (a sweep asks for every point's runs several times). */
const byId = new WeakMap<readonly SweepRecord[], Map<number, SweepRecord>>();
function runsOf(records: readonly SweepRecord[], p: PointSummary): SweepRecord[] {
  let m = byId.get(records);
  if (!m) byId.set(records, (m = new Map(records.map((r) => [r.id, r]))));
  return p.ids.map((id) => m!.get(id)).filter((r): r is SweepRecord => r !== undefined);
}

/** The serving pools of a point's successful runs. */
function pointPools(records: readonly SweepRecord[], p: PointSummary) {
  return runsOf(records, p).flatMap((r) => r.summary?.pools ?? []);
}

/** The GPU ids a point's successful runs ran on. */
export function pointGpus(records: readonly SweepRecord[], p: PointSummary): string[] {
  return [...new Set(pointPools(records, p).map((x) => x.gpu))];
}

/** The engines other than the official code, and the model families other than Wan, a point's runs served with. */
function pointScopes(records: readonly SweepRecord[], p: PointSummary): { engines: string[]; families: string[] } {
  const pools = pointPools(records, p);
  const families = pools.flatMap((x) => x.models ?? [x.model]).map((m): string | undefined => MODELS.find((y) => y.id === m)?.family).filter((f): f is string => f !== undefined && f !== 'wan');
  return { engines: [...new Set(pools.map((x) => x.engine).filter((e) => e !== undefined && e !== 'official'))], families: [...new Set(families)] };
}

/**
 * The caveats due on a point's GPUs, engines and families ("b200: unvalidated extrapolation"), and on its pools' nearest
 * held-out records (the same family, engine, GPU and GPU count off by over 10%); empty when none is.
 */
export function pointCaveats(records: readonly SweepRecord[], p: PointSummary): string[] {
  const { engines, families } = pointScopes(records, p);
  const nearest = poolNearestCaveats(pointPools(records, p));
  return [...new Set([
    ...pointGpus(records, p).map((g) => { const e = gpuEvidence(g); return e ? evidenceCaveat(e) : null; }),
    ...engines.map((e) => scopeCaveat('engine', e)), ...families.map((f) => scopeCaveat('family', f)), ...nearest,
  ].filter((c): c is string => c !== null))];
}

/**
 * One evidence line per GPU any point ran on (sorted by id), then per engine and family other than the official Wan
 * code; then, as compare says them, the attention kernels of the points when they differ and the points whose nodes'
 * non-GPU power is borrowed (report/compare-notes.ts).
 */
export function sweepEvidenceLines(records: readonly SweepRecord[], points: readonly PointSummary[]): string[] {
  const scopes = points.map((p) => pointScopes(records, p));
  return [
    ...[...new Set(points.flatMap((p) => pointGpus(records, p)))].sort().map((g) => evidenceLineOf(g)),
    ...[...new Set(scopes.flatMap((s) => s.engines))].sort().map((e) => scopeLine('engine', e)),
    ...[...new Set(scopes.flatMap((s) => s.families))].sort().map((f) => scopeLine('family', f)),
    ...kernelAndPowerNotes(points.map((p) => ({ label: `point ${p.point}`, pools: pointPools(records, p).map((x) => ({ ...x, engine: x.engine ?? 'official' })) })), 'points'),
  ];
}

/** Whether every GPU of a point has held-out measurements (a point without a result counts as not). */
export function pointValidated(records: readonly SweepRecord[], p: PointSummary): boolean {
  const gpus = pointGpus(records, p);
  return gpus.length > 0 && gpus.every(isValidated);
}

/**
 * When a best point runs on a GPU nothing measured checks: the best points among those whose GPUs all have held-out
 * measurements (`meeting` 0 when none of them meets the objectives); null when no such note is due.
 */
export function checkedAlternative(plan: SweepPlan, records: readonly SweepRecord[], points: readonly PointSummary[], best: BestPoints): BestPoints | null {
  const picks = [best.latency_p95, best.usd_per_video, best.throughput_per_h].filter((i): i is number => i !== null);
  const checked = points.filter((p) => pointValidated(records, p));
  if (!picks.some((i) => !pointValidated(records, points.find((p) => p.point === i)!)) || checked.length === points.length) return null;
  return bestPoints(plan, checked);
}
