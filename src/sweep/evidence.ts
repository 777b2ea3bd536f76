/**
 * What a sweep's numbers rest on: the GPUs each point ran on and their held-out record (perf/gpu-evidence.ts),
 * for the caveat next to a best point and the evidence lines under the text and HTML outputs.
 */
import { evidenceCaveat, evidenceLineOf, gpuEvidence, scopeCaveat, scopeLine } from '../perf/gpu-evidence.ts';
import { MODELS } from '../workload/models.ts';
import type { PointSummary } from './points.ts';
import type { SweepRecord } from './output.ts';

/** The GPU ids a point's successful runs ran on. */
export function pointGpus(records: readonly SweepRecord[], p: PointSummary): string[] {
  return [...new Set(records.filter((r) => p.ids.includes(r.id)).flatMap((r) => r.summary?.pools.map((x) => x.gpu) ?? []))];
}

/** The engines other than the official code, and the model families other than Wan, a point's runs served with. */
function pointScopes(records: readonly SweepRecord[], p: PointSummary): { engines: string[]; families: string[] } {
  const pools = records.filter((r) => p.ids.includes(r.id)).flatMap((r) => r.summary?.pools ?? []);
  const families = pools.flatMap((x) => x.models ?? [x.model]).map((m): string | undefined => MODELS.find((y) => y.id === m)?.family).filter((f): f is string => f !== undefined && f !== 'wan');
  return { engines: [...new Set(pools.map((x) => x.engine).filter((e) => e !== undefined && e !== 'official'))], families: [...new Set(families)] };
}

/** The caveats due on a point's GPUs, engines and families ("b200: unvalidated extrapolation"); empty when none is. */
export function pointCaveats(records: readonly SweepRecord[], p: PointSummary): string[] {
  const { engines, families } = pointScopes(records, p);
  return [
    ...pointGpus(records, p).map((g) => { const e = gpuEvidence(g); return e ? evidenceCaveat(e) : null; }),
    ...engines.map((e) => scopeCaveat('engine', e)), ...families.map((f) => scopeCaveat('family', f)),
  ].filter((c): c is string => c !== null);
}

/** One evidence line per GPU any point ran on (sorted by id), then per engine and family other than the official Wan code. */
export function sweepEvidenceLines(records: readonly SweepRecord[], points: readonly PointSummary[]): string[] {
  const scopes = points.map((p) => pointScopes(records, p));
  return [
    ...[...new Set(points.flatMap((p) => pointGpus(records, p)))].sort().map((g) => evidenceLineOf(g)),
    ...[...new Set(scopes.flatMap((s) => s.engines))].sort().map((e) => scopeLine('engine', e)),
    ...[...new Set(scopes.flatMap((s) => s.families))].sort().map((f) => scopeLine('family', f)),
  ];
}
