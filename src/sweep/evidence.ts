/**
 * What a sweep's numbers rest on: the GPUs each point ran on and their held-out record (perf/gpu-evidence.ts),
 * for the caveat next to a best point and the evidence lines under the text and HTML outputs.
 */
import { evidenceCaveat, evidenceLineOf, gpuEvidence } from '../perf/gpu-evidence.ts';
import type { PointSummary } from './points.ts';
import type { SweepRecord } from './output.ts';

/** The GPU ids a point's successful runs ran on. */
export function pointGpus(records: readonly SweepRecord[], p: PointSummary): string[] {
  return [...new Set(records.filter((r) => p.ids.includes(r.id)).flatMap((r) => r.summary?.pools.map((x) => x.gpu) ?? []))];
}

/** The caveats due on a point's GPUs ("b200: unvalidated extrapolation"); empty when none is. */
export function pointCaveats(records: readonly SweepRecord[], p: PointSummary): string[] {
  return pointGpus(records, p).map((g) => { const e = gpuEvidence(g); return e ? evidenceCaveat(e) : null; }).filter((c): c is string => c !== null);
}

/** One evidence line per GPU any point ran on, sorted by GPU id. */
export function sweepEvidenceLines(records: readonly SweepRecord[], points: readonly PointSummary[]): string[] {
  return [...new Set(points.flatMap((p) => pointGpus(records, p)))].sort().map((g) => evidenceLineOf(g));
}
