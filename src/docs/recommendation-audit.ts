/**
 * The recommendation audit (issue 20's target: zero recommendations that violate their own objectives on the
 * scenario library). scripts/check-recommendations.ts runs every recommending command over every scenario of
 * scenarios/ and scenarios/sweeps/ and checks each pick *independently* of the code that ranked it:
 *
 *  - simulated picks (sweep "best", capacity, size) are simulated again with per-request records, and their
 *    objectives re-evaluated from the records by hand here — percentiles by linear interpolation between order
 *    statistics of the completed requests' latencies, attainment by counting the requests within their class's
 *    SLO, loss as dropped + failed records — never through studies/objectives.ts or the quantile sketches;
 *  - estimated picks (plan --max-latency, tco --max-latency) are estimated again (perf/estimate.ts) for the
 *    picked layout and compared with the latency objective.
 *
 * Objectives: a sweep's own (`sweep.objectives`), else the scenario's SLOs (every class with an `slo_s` keeps
 * >= 95% within it), always with nothing lost; capacity and size take the scenario's SLOs; plan and tco the
 * strictest class SLO as the per-request latency objective. A scenario without SLOs is audited for what its
 * sweep recommends only. The result is stored in docs/data/recommendation-audit.json; the README block
 * `recommendation-audit` renders it.
 */
import { readFileSync } from 'node:fs';
import { packagePath } from '../package-files.ts';
import type { SloTerm } from '../studies/objectives.ts';
import type { RequestRecord } from '../serving/recorder.ts';

export const RECOMMENDATION_AUDIT_FILE = 'docs/data/recommendation-audit.json';

export type Recommender = 'sweep best' | 'capacity' | 'size' | 'plan' | 'tco';
export const RECOMMENDERS: readonly Recommender[] = ['sweep best', 'capacity', 'size', 'plan', 'tco'];

export interface AuditRow {
  scenario: string;
  recommender: Recommender;
  objective: string;
  /** What was recommended, or null when the command said no option meets the objectives. */
  pick: string | null;
  /** meets: the pick, checked again, meets its objectives; violates: it does not; none: no recommendation (see detail). */
  verdict: 'meets' | 'violates' | 'none';
  /** The values checked, or why there is no pick. */
  detail: string;
}

export interface RecommendationAudit {
  command: string;
  scenarios: number;
  seconds: number;
  rows: AuditRow[];
}

/** Linear interpolation between order statistics (numpy's default), on a sorted copy. */
export function quantileOf(xs: readonly number[], q: number): number {
  if (!xs.length) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const pos = q * (s.length - 1);
  const i = Math.floor(pos);
  return s[i]! + (s[Math.min(i + 1, s.length - 1)]! - s[i]!) * (pos - i);
}

const QUANTILE: Record<string, number> = { p50: 0.5, p90: 0.9, p95: 0.95, p99: 0.99, wait_p95: 0.95, wait_p99: 0.99 };

/**
 * A run's objectives from its request records, by hand: each term's value, whether it holds, and the loss.
 * `arrived` counts requests still in flight at the end too (the run's summary), so a completed share is
 * completed / arrived as the summary states it.
 */
export function recheck(records: readonly RequestRecord[], arrived: number, classes: readonly { name: string; slo_s: number | null }[], terms: readonly SloTerm[]): { pass: boolean; text: string } {
  const parts: string[] = [];
  let pass = true;
  const done = records.filter((r) => r.outcome === 'completed');
  const lost = records.length - done.length;
  if (done.length === 0) return { pass: false, text: 'no request completed' };
  for (const t of terms) {
    const mine = t.cls === undefined ? done : done.filter((r) => r.cls === t.cls);
    const lat = mine.map((r) => r.finish - r.arrival);
    const wait = mine.map((r) => r.start - r.arrival);
    let v: number;
    switch (t.metric) {
      case 'mean': v = lat.reduce((a, x) => a + x, 0) / lat.length; break;
      case 'max': v = Math.max(...lat); break;
      case 'wait_mean': v = wait.reduce((a, x) => a + x, 0) / wait.length; break;
      case 'attainment': {
        const slo = new Map(classes.map((c) => [c.name, c.slo_s]));
        const withSlo = mine.filter((r) => slo.get(r.cls) != null);
        v = withSlo.filter((r) => r.finish - r.arrival <= slo.get(r.cls)!).length / withSlo.length;
        break;
      }
      case 'completed': v = t.cls === undefined ? done.length / arrived : NaN; break;
      default: v = quantileOf(t.metric.startsWith('wait_') ? wait : lat, QUANTILE[t.metric]!);
    }
    const ok = t.op === '<=' ? v <= t.value * (1 + 1e-9) : v >= t.value * (1 - 1e-9);
    if (!ok) pass = false;
    parts.push(`${t.cls ? `${t.cls}.` : ''}${t.metric} ${t.metric === 'attainment' || t.metric === 'completed' ? `${(v * 100).toFixed(1)}%` : `${v.toFixed(1)} s`} ${ok ? 'ok' : 'MISSES'} ${t.text}`);
  }
  if (lost > 0) pass = false;
  parts.push(`${lost} lost`);
  return { pass, text: `${parts.join(', ')} (${done.length} requests)` };
}

export function readAudit(): RecommendationAudit {
  return JSON.parse(readFileSync(packagePath(RECOMMENDATION_AUDIT_FILE), 'utf8')) as RecommendationAudit;
}

/** The README block: per command, how many picks were checked, how many violate, how many said "none" and why. */
export function recommendationAuditBlock(audit: RecommendationAudit = readAudit()): string {
  const lines = ['| recommendation | scenarios | picks checked again | violate their objectives | no pick (the reason printed) |', '|---|---:|---:|---:|---:|'];
  for (const rec of RECOMMENDERS) {
    const rows = audit.rows.filter((r) => r.recommender === rec);
    const count = (v: AuditRow['verdict']) => rows.filter((r) => r.verdict === v).length;
    lines.push(`| ${rec} | ${new Set(rows.map((r) => r.scenario)).size} | ${count('meets') + count('violates')} | ${count('violates')} | ${count('none')} |`);
  }
  const total = audit.rows.filter((r) => r.verdict !== 'none').length;
  const bad = audit.rows.filter((r) => r.verdict === 'violates');
  lines.push('', `\`${audit.command}\` (${audit.scenarios} scenarios, ${Math.round(audit.seconds)} s on a shared 2-core VM): ${total} picks, ${bad.length} violating their objectives${bad.length ? `: ${bad.map((r) => `${r.scenario} ${r.recommender} (${r.detail})`).join('; ')}` : ''}.`);
  return lines.join('\n');
}
