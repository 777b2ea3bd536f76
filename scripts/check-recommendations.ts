/**
 * `npm run check:recommendations` (a few minutes): every recommendation vgsim makes on the scenario library,
 * each pick checked again independently (src/docs/recommendation-audit.ts says how), stored in
 * docs/data/recommendation-audit.json for the README block `recommendation-audit` (then run npm run readme).
 * Exits 1 when a pick violates its objectives.
 *
 *   node --import tsx scripts/check-recommendations.ts [--only <scenario-substring>] [--no-write]
 */
import { readdirSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { loadScenario } from '../src/scenario/load.ts';
import type { Scenario } from '../src/scenario/schema.ts';
import { simulate } from '../src/serving/simulate.ts';
import { expandSweep } from '../src/sweep/spec.ts';
import { runSweep } from '../src/sweep/runner.ts';
import { recordOf } from '../src/sweep/output.ts';
import { pointSummaries } from '../src/sweep/points.ts';
import { bestPoints } from '../src/sweep/best.ts';
import { parseSlo, scenarioSloTerms, type SloTerm } from '../src/studies/objectives.ts';
import { findCapacity } from '../src/studies/capacity.ts';
import { sizeCluster } from '../src/studies/size.ts';
import { classesOf, sizedScenario } from '../src/studies/size-layouts.ts';
import { searchPlans } from '../src/studies/plan-search.ts';
import { isoCompare } from '../src/studies/fleet.ts';
import { estimate, type InferenceOptions } from '../src/perf/estimate.ts';
import { inferenceOptions } from '../src/perf/estimate-input.ts';
import { poolInferenceSpec } from '../src/engines/inference-spec.ts';
import { parsePlan, planGpus } from '../src/parallel/plan.ts';
import { poolsOf } from '../src/scenario/pools.ts';
import { getNode } from '../src/hardware/catalog.ts';
import { formatDuration } from '../src/units.ts';
import { RECOMMENDATION_AUDIT_FILE, recheck, type AuditRow, type RecommendationAudit } from '../src/docs/recommendation-audit.ts';

const args = process.argv.slice(2);
const only = args.includes('--only') ? args[args.indexOf('--only') + 1] : undefined;
const started = performance.now();
const files = [
  ...readdirSync('scenarios').filter((f) => f.endsWith('.yaml')).map((f) => join('scenarios', f)),
  ...readdirSync('scenarios/sweeps').filter((f) => f.endsWith('.yaml')).map((f) => join('scenarios/sweeps', f)),
].filter((f) => !only || f.includes(only)).sort();
const rows: AuditRow[] = [];
const add = (r: AuditRow) => {
  rows.push(r);
  process.stderr.write(`${r.verdict === 'violates' ? 'VIOLATES' : r.verdict.padEnd(8)} ${r.scenario} ${r.recommender}: ${r.pick ?? '-'} — ${r.detail}\n`);
};
const errorText = (e: unknown) => (e instanceof Error ? e.message.split('\n')[0]! : String(e));

for (const file of files) {
  const path = resolve(file);
  const name = file;
  let loaded;
  try {
    loaded = loadScenario(path);
  } catch (e) {
    process.stderr.write(`skip ${file}: ${errorText(e)}\n`);
    continue;
  }
  const s = loaded.scenario;
  const sim = { baseDir: dirname(path), locate: loaded.locate };
  const classes = classesOf(s);
  const sloClasses = classes.filter((c) => c.slo_s !== null);
  const sloTerms = scenarioSloTerms(classes.map((c) => ({ name: c.name, slo_s: c.slo_s })));
  const sloText = sloTerms.map((t) => t.text).join(', ');

  // ---- sweep best ----
  if (s.sweep !== undefined) {
    const plan = expandSweep(loaded);
    const outcomes = await runSweep(plan.points, { file: path, workers: 2, samples: plan.replicate_seeds > 1 });
    const records = plan.points.map((p, i) => recordOf(p, outcomes[i]!));
    const points = pointSummaries(plan, records);
    const best = bestPoints(plan, points);
    const picks = [...new Set([best.latency_p95, best.usd_per_video, best.throughput_per_h].filter((x): x is number => x !== null))];
    if (!picks.length) add({ scenario: name, recommender: 'sweep best', objective: best.objectives.text, pick: null, verdict: 'none', detail: best.note ?? 'no best' });
    for (const point of picks) {
      const runs = plan.points.filter((p) => p.point === point).map((p) => {
        const l = loadScenario(path, { set: p.set, seed: p.seed });
        return simulate(l.scenario, { baseDir: dirname(path), locate: l.locate, records: true });
      });
      const terms: SloTerm[] = plan.spec.objectives !== undefined ? parseSlo(plan.spec.objectives) : scenarioSloTerms(runs[0]!.classes);
      const check = recheck(runs.flatMap((r) => r.records!), runs.reduce((a, r) => a + r.requests.arrived, 0), runs[0]!.classes, terms);
      add({ scenario: name, recommender: 'sweep best', objective: best.objectives.text, pick: `point ${point} (${points.find((p) => p.point === point)!.label})`, verdict: check.pass ? 'meets' : 'violates', detail: check.text });
    }
  }
  if (!sloClasses.length) continue; // no SLO stated: nothing else to recommend against

  // ---- capacity at the scenario's SLOs ----
  try {
    const res = findCapacity(s, sloTerms, sim);
    if (!res.feasible) add({ scenario: name, recommender: 'capacity', objective: sloText, pick: null, verdict: 'none', detail: res.reason ?? '' });
    else {
      const at = res.trials.find((t) => t.scale === res.scale)!;
      const again = simulate({ ...s, drain: true, duration: at.duration_s }, { ...sim, rateScale: res.scale, records: true });
      const check = recheck(again.records!, again.requests.arrived, again.classes, sloTerms);
      add({ scenario: name, recommender: 'capacity', objective: sloText, pick: `${res.max_rate_per_h.toFixed(2)} requests/h`, verdict: check.pass ? 'meets' : 'violates', detail: check.text });
    }
  } catch (e) {
    add({ scenario: name, recommender: 'capacity', objective: sloText, pick: null, verdict: 'none', detail: `refused: ${errorText(e)}` });
  }

  // ---- size on the scenario's own node type ----
  const first = poolsOf(s)[0]!;
  const nodeType = first.node ?? s.cluster.nodes[0]!.type;
  try {
    const res = sizeCluster(s, { terms: sloTerms, nodes: [nodeType], layouts: 2, maxSims: 60, sim });
    const pick = res.rows.find((r) => r.rank === 1);
    if (!pick) add({ scenario: name, recommender: 'size', objective: sloText, pick: null, verdict: 'none', detail: res.reason ?? '' });
    else {
      const sized: Scenario = { ...sizedScenario(s, pick, pick.nodes!), duration: res.trial_duration_s };
      const again = simulate(sized, { ...sim, rateScale: res.rate_scale, records: true });
      const check = recheck(again.records!, again.requests.arrived, again.classes, sloTerms);
      add({ scenario: name, recommender: 'size', objective: sloText, pick: `${pick.nodes} x ${pick.node} (${pick.parallel})`, verdict: check.pass ? 'meets' : 'violates', detail: check.text });
    }
  } catch (e) {
    add({ scenario: name, recommender: 'size', objective: sloText, pick: null, verdict: 'none', detail: `refused: ${errorText(e)}` });
  }

  // ---- plan and tco: the strictest class SLO as a per-request latency objective ----
  const strict = [...sloClasses].sort((a, b) => a.slo_s! - b.slo_s!)[0]!;
  const maxLatencyS = strict.slo_s!;
  const objective = `one ${strict.name} request within ${formatDuration(maxLatencyS)} (its SLO)`;
  const node = getNode(nodeType);
  const options: InferenceOptions = { ...inferenceOptions(poolInferenceSpec(s.inference, first)) };
  // the picked layout estimated on its own, with the inputs the search priced it with (plan-search.ts)
  const estimateOf = (nodeId: string, parallel: string, opts: Partial<InferenceOptions>) => {
    const n = getNode(nodeId);
    const plan = { ...parsePlan(parallel), dp: 1 };
    return estimate({ model: strict.model, gpu: n.gpu, node: n.id, plan, gpus: planGpus(plan), request: strict.shape, options: opts }).total_s;
  };
  try {
    const planRows = searchPlans({ model: strict.model, node: node.id, gpu: node.gpu, budget: node.gpusPerNode, request: strict.shape, options, objective: 'throughput', maxLatencyS });
    const top = planRows.find((r) => r.rank === 1);
    if (!top) add({ scenario: name, recommender: 'plan', objective, pick: null, verdict: 'none', detail: 'no layout within the objective' });
    else {
      const t = estimateOf(node.id, top.parallel, options);
      add({ scenario: name, recommender: 'plan', objective, pick: `${top.parallel} on ${node.id}`, verdict: t <= maxLatencyS ? 'meets' : 'violates', detail: `estimated again: ${formatDuration(t)} (<= ${formatDuration(maxLatencyS)})` });
    }
  } catch (e) {
    add({ scenario: name, recommender: 'plan', objective, pick: null, verdict: 'none', detail: `refused: ${errorText(e)}` });
  }
  try {
    const res = isoCompare({ model: strict.model, request: strict.shape, budgetUsd: 10e6, megawatts: 1, maxLatencyS });
    for (const p of res.picks) {
      const row = res.rows.find((r) => r.basis === p.basis && r.rank === 1);
      if (!row) {
        add({ scenario: name, recommender: 'tco', objective: `${objective}, ${p.basis}`, pick: null, verdict: 'none', detail: p.reason ?? '' });
        continue;
      }
      // tco prices the default inference options without offload (studies/fleet.ts bestLayout)
      const t = estimateOf(row.node, row.parallel!, { offload: false });
      add({ scenario: name, recommender: 'tco', objective: `${objective}, ${p.basis}`, pick: `${row.node} (${row.parallel})`, verdict: t <= maxLatencyS ? 'meets' : 'violates', detail: `estimated again: ${formatDuration(t)} (<= ${formatDuration(maxLatencyS)})` });
    }
  } catch (e) {
    add({ scenario: name, recommender: 'tco', objective, pick: null, verdict: 'none', detail: `refused: ${errorText(e)}` });
  }
}

const audit: RecommendationAudit = {
  command: 'npm run check:recommendations',
  scenarios: files.length,
  seconds: (performance.now() - started) / 1000,
  rows,
};
if (!args.includes('--no-write') && !only) {
  mkdirSync(dirname(RECOMMENDATION_AUDIT_FILE), { recursive: true });
  writeFileSync(RECOMMENDATION_AUDIT_FILE, `${JSON.stringify(audit, null, 2)}\n`);
}
const bad = rows.filter((r) => r.verdict === 'violates');
console.log(`${files.length} scenarios, ${rows.filter((r) => r.verdict !== 'none').length} picks checked again, ${bad.length} violate their objectives, ${rows.filter((r) => r.verdict === 'none').length} answered "none" with the reason (${audit.seconds.toFixed(0)} s)${!args.includes('--no-write') && !only ? `; wrote ${RECOMMENDATION_AUDIT_FILE} (now npm run readme)` : ''}`);
if (bad.length) process.exitCode = 1;
