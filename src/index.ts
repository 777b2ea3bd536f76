/**
 * vgsim as a library: `import { estimate, simulate, loadScenario } from 'vgsim'`.
 *
 * This file is the public, versioned surface (semver from 0.x: additions in minor versions, changes
 * announced in the README). It is also the one place that names internal module paths: everything a user
 * reaches goes through these re-exports, so moving an internal module means changing a line here.
 *
 *   scenarios   loadScenario(file), parseScenario(yamlText), validateScenario(file|text) → issues,
 *               scenarioJsonSchema(), libraryScenarios()
 *   simulate    simulate(scenario) → SimulationResult; summaryOf(result) = `vgsim run --json`
 *   estimate    estimate({ model, gpu, resolution, … }) = `vgsim estimate --json`
 *   plan        plan({ model, gpu, gpus, deploy? }) = `vgsim plan --json` (+ launch commands, Kubernetes manifest)
 *   studies     capacity(scenario, slo), size(scenario, slo), tco({ model, budget | megawatts })
 *   compare     compareRuns(runs), compareCharts(runs)
 *   charts      reportCharts(result) and the single chart builders → Vega-Lite specs; renderChartSvg/Png
 *   catalog     listing('gpus' | 'models' | …), getGpu/getNode/getModel
 */
import { InputError, type InputIssue } from './errors.ts';
import { loadScenario, parseScenario, type LoadOptions } from './scenario/load.ts';

export { VERSION } from './package-files.ts';

// ---- scenarios
export { loadScenario, parseScenario, type LoadedScenario, type LoadOptions, type ReadPolicy } from './scenario/load.ts';
export { scenarioJsonSchema, ScenarioSchema, type Scenario, type ScenarioInput } from './scenario/schema.ts';
export { InputError, formatIssues, type InputIssue } from './errors.ts';
export { libraryScenarios, resolveScenarioFile, type LibraryScenario } from './scenario/library.ts';

/**
 * Checks a scenario (a file path, or YAML text with `{ text }`) without throwing: every problem, with
 * file:line:col where it has one; an empty list means it is valid.
 */
export function validateScenario(input: string | { text: string; name?: string; dir?: string }, opts: LoadOptions = {}): InputIssue[] {
  try {
    if (typeof input === 'string') loadScenario(input, opts);
    else parseScenario(input.text, { ...opts, name: input.name, dir: input.dir });
    return [];
  } catch (e) {
    if (e instanceof InputError) return e.issues;
    throw e;
  }
}

// ---- simulation
export { simulate, type SimulationResult, type SimulationOptions, type RequestRecord, type TimePoint, type Stats } from './serving/simulate.ts';
export { toJson, toCsv, writeRunOutput, OPENMETRICS_FILE } from './report/output.ts';
export { metricsText, writeMetrics, metricFamilies, DEFAULT_METRICS_START_S, type OpenMetricsOptions, type MetricsDialect } from './report/openmetrics.ts';
export { summaryOf } from './serving/result.ts';
export { runSummary } from './report/run-summary.ts';

// ---- cost model and plans
export { estimate, EstimateRequestSchema, type EstimateRequest } from './api/estimate.ts';
export type { Estimate } from './perf/estimate.ts';
export { plan, PlanRequestSchema, type PlanRequest, type PlanResult, type PlanLayout } from './api/plan.ts';
export { parsePlan, formatPlan, type ParallelPlan } from './parallel/plan.ts';

// ---- deployment
export { deployArtifacts, deployText, writeDeployArtifacts, type DeployInput, type DeployArtifacts } from './deploy/artifacts.ts';
export type { Launch } from './deploy/launch.ts';

// ---- studies
export { capacity, size, tco, objectives, sizeDeploy } from './api/studies.ts';
export type { CapacityResult, CapacityOptions, Trial } from './studies/capacity.ts';
export type { SizeResult, SizeRow, SizeOptions } from './studies/size.ts';
export type { IsoCompareResult, IsoRow } from './studies/fleet.ts';

// ---- comparisons
export { compareRuns, compareJson, type CompareRun, type Comparison } from './report/compare.ts';
export { compareText } from './report/compare-text.ts';
export { compareCharts } from './report/compare-charts.ts';

// ---- charts (Vega-Lite specs; rendering loads vega on first use)
export {
  reportCharts, latencyCdfChart, loadOverTimeChart, powerOverTimeChart, replicasOverTimeChart, stageBreakdownChart,
  replicaTimelineChart, energyChart, costChart, memoryChart, opsChart, type NamedChart,
} from './report/charts.ts';
export { capacityChart } from './report/charts/capacity.ts';
export { planScalingChart } from './report/charts/plan.ts';
export { renderChartSvg, renderChartPng } from './api/render.ts';

// ---- catalog
export { listing, CATALOG_KINDS, type CatalogKind, type Listing } from './api/catalog.ts';
export { getGpu, getNode, getLink, getStorage, UnknownIdError } from './hardware/catalog.ts';
export { getModel, listModels } from './workload/request.ts';
export type { GpuSpec, NodeSpec } from './hardware/types.ts';
export type { ModelSpec } from './workload/models.ts';
