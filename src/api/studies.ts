/**
 * The searches that call simulate/estimate, with objectives written as on the command line: capacity
 * (highest rate within the SLO), size (cheapest cluster for a traffic) with the deploy artifacts of its
 * answer, and tco (iso-cost / iso-power fleets). Thin: the searches themselves live with the runtime.
 */
import type { Scenario } from '../scenario/schema.ts';
import { InputError } from '../errors.ts';
import { findCapacity, parseSlo, type CapacityOptions, type CapacityResult } from '../studies/capacity.ts';
import { objectiveClassProblems } from '../studies/objectives.ts';
import { sizeCluster, type SizeOptions, type SizeResult } from '../studies/size.ts';
import { isoCompare, type IsoCompareOptions, type IsoCompareResult } from '../studies/fleet.ts';
import { getModel, resolveRequest } from '../workload/request.ts';
import { deployArtifacts, type DeployArtifacts } from '../deploy/artifacts.ts';
import { parseCostSection } from '../scenario/cost-input.ts';

/**
 * Simulations a capacity search runs at most when the request does not say: one default for `vgsim capacity`
 * (--max-trials) and POST /api/capacity (max_trials), so both give the same answer to the same question.
 */
export const DEFAULT_MAX_TRIALS = 40;

/** Parses objectives such as "p95<=45m,attainment>=0.95"; a bad one is an InputError naming `source`. */
export function objectives(slo: string, source = 'slo'): ReturnType<typeof parseSlo> {
  try {
    return parseSlo(slo);
  } catch (e) {
    throw new InputError([{ source, path: source, message: (e as Error).message }]);
  }
}

/** Objectives for a scenario: parsed, and every class they name is one of its classes (an InputError otherwise, before any simulation). */
export function scenarioObjectives(slo: string, scenario: Scenario, source = 'slo'): ReturnType<typeof parseSlo> {
  const terms = objectives(slo, source);
  const problems = objectiveClassProblems(terms, scenario);
  if (problems.length) throw new InputError(problems.map((p) => ({ source, path: source, message: p.message, hint: p.hint })));
  return terms;
}

/** The highest arrival rate (scale of every rate) whose simulation meets every objective. */
export function capacity(scenario: Scenario, slo: string, opts: CapacityOptions = {}): CapacityResult {
  const terms = scenarioObjectives(slo, scenario);
  try {
    return findCapacity(scenario, terms, opts);
  } catch (e) {
    // a trace's classes are known after its first run: an objective naming none of them is still bad input
    if (e instanceof Error && /^objective "/.test(e.message)) throw new InputError([{ source: 'slo', path: 'slo', message: e.message }]);
    throw e;
  }
}

/** The cheapest cluster (node type × layout × node count) serving the scenario's traffic within `slo`. */
export function size(scenario: Scenario, slo: string, opts: Omit<SizeOptions, 'terms'> = {}): SizeResult {
  return sizeCluster(scenario, { ...opts, terms: objectives(slo) });
}

/** Iso-cost / iso-power fleets for a model id (see `vgsim tco`); `cost` is a scenario's cost: section, validated. */
export function tco(opts: Omit<IsoCompareOptions, 'model' | 'cost'> & { model: string; cost?: unknown }): IsoCompareResult {
  return isoCompare({ ...opts, model: getModel(opts.model), cost: opts.cost === undefined ? undefined : parseCostSection(opts.cost) });
}

/**
 * Deploy artifacts for the cheapest passing option of a size result (rank 1), for the request class with the
 * largest share of the scenario's mix (the launch line takes one size); undefined when no option passed.
 */
export function sizeDeploy(res: SizeResult, scenario: Scenario): DeployArtifacts | undefined {
  const best = res.rows.find((r) => r.status === 'ok' && r.rank === 1);
  if (!best || best.replicas === null) return undefined;
  const cls = [...scenario.workload.mix].sort((a, b) => b.weight - a.weight)[0]!;
  const model = getModel(cls.model ?? scenario.model);
  const req = resolveRequest(model, { width: cls.resolution?.width, height: cls.resolution?.height, frames: cls.frames, steps: cls.steps, cfg: cls.cfg });
  return deployArtifacts({
    model, parallel: best.parallel, gpusPerReplica: best.gpus_per_replica, replicas: best.replicas, node: best.node,
    width: req.width, height: req.height, frames: req.frames, steps: req.steps,
  });
}
