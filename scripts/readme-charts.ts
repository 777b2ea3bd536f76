/**
 * Regenerates the README's chart images, docs/images/<name>.svg and .png, from real runs (npm run readme:charts):
 *
 *   latency-cdf, load-over-time, power-over-time, stage-breakdown, gpu-timeline   the default scenario
 *   memory-a14b-720p-h100    cost model: A14B 720p on H100, offload (1 GPU) vs ulysses=8,fsdp (8 GPUs)
 *   capacity                 vgsim capacity scenarios/default.yaml --slo 'p95<=45m,attainment>=0.95'
 *   plan-scaling             vgsim plan --model wan2.2-t2v-a14b --gpu h100-sxm --gpus 8 --resolution 1280x720
 *   tco                      the default scenario priced owned, cloud on demand and cloud serverless
 *
 * PNGs are rendered about 900 px wide. The same code gives byte-identical files (every run is seeded).
 * At the end it prints the numbers the README captions quote.
 */
import { mkdirSync, writeFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { loadScenario } from '../src/scenario/load.ts';
import { simulate, type SimulationResult } from '../src/serving/simulate.ts';
import { findCapacity, parseSlo } from '../src/studies/capacity.ts';
import { memoryChartEstimates } from '../src/docs/memory-block.ts';
import { searchPlans } from '../src/studies/plan-search.ts';
import { getModel } from '../src/workload/request.ts';
import {
  costChart, latencyCdfChart, loadOverTimeChart, memoryChart, powerOverTimeChart, renderPng, renderSvg, stageBreakdownChart,
} from '../src/report/charts.ts';
import { capacityChart } from '../src/report/charts/capacity.ts';
import { planScalingChart, bestPerGpuCount } from '../src/report/charts/plan.ts';
import { gpuGanttChart } from '../src/report/charts/gantt.ts';
import { fmtSeconds } from '../src/report/table.ts';
import type { TopLevelSpec } from 'vega-lite';

const OUT = 'docs/images';
const WIDTH = 900;
const SCENARIO = 'scenarios/default.yaml';

mkdirSync(OUT, { recursive: true });
const written: string[] = [];

/** Write <name>.svg and a PNG scaled to about WIDTH px wide. */
async function save(name: string, chart: TopLevelSpec | string): Promise<void> {
  const svg = typeof chart === 'string' ? chart : await renderSvg(chart);
  const width = Number(/<svg[^>]*\swidth="([\d.]+)"/.exec(svg)?.[1] ?? WIDTH);
  writeFileSync(join(OUT, `${name}.svg`), svg);
  writeFileSync(join(OUT, `${name}.png`), renderPng(svg, { scale: WIDTH / width }));
  written.push(name);
}

const run = (set: string[] = [], records = false): SimulationResult => simulate(loadScenario(SCENARIO, { set }).scenario, { records });

// ---- the default scenario ----
const result = run([], true);
await save('latency-cdf', latencyCdfChart(result));
await save('load-over-time', loadOverTimeChart(result));
await save('power-over-time', powerOverTimeChart(result));
await save('stage-breakdown', stageBreakdownChart(result));
const gantt = gpuGanttChart(result, { gpus: 8 });
await save('gpu-timeline', gantt.svg);

// ---- memory by phase: A14B 720p on H100, single-GPU offload vs 8-way Ulysses with FSDP ----
// the same two estimates as the caption under the chart (src/docs/memory-block.ts, a generated README block)
const model = getModel('wan2.2-t2v-a14b');
const request = { width: 1280, height: 720 };
const { offload, ulysses } = memoryChartEstimates();
await save('memory-a14b-720p-h100', memoryChart([{ label: 'offload, 1 GPU', estimate: offload }, { label: 'ulysses=8,fsdp', estimate: ulysses }]));

// ---- capacity of the default scenario ----
const loaded = loadScenario(SCENARIO);
const capacity = findCapacity(loaded.scenario, parseSlo('p95<=45m,attainment>=0.95'));
await save('capacity', capacityChart(capacity, { scenario: loaded.scenario.name }));

// ---- throughput vs GPUs per replica ----
const rows = searchPlans({ model, gpu: 'h100-sxm', budget: 8, request });
await save('plan-scaling', planScalingChart(rows));

// ---- TCO: the same run priced three ways ----
const cloud = run(['cost.basis=cloud', 'cost.cloud.billing=provisioned']);
const serverless = run(['cost.basis=cloud', 'cost.cloud.billing=busy']);
const years = result.cost?.notes.map((n) => /^depreciation: .*\/ ([\d.]+) y =/.exec(n)?.[1]).find((y) => y !== undefined);
await save('tco', costChart([
  { label: years ? `owned (${years}-year amortization)` : 'owned', result },
  { label: 'cloud, on demand', result: cloud },
  { label: 'cloud, per-second billing', result: serverless },
]));

// ---- what the captions quote ----
const kb = (name: string) => `${(statSync(join(OUT, `${name}.png`)).size / 1024).toFixed(0)} KB`;
const usd = (x: number | null | undefined) => (x === null || x === undefined ? '-' : `$${x.toFixed(3)}`);
const cls = Object.fromEntries(result.classes.map((c) => [c.name, { p95: fmtSeconds(c.latency_s.p95), slo: c.slo_s === null ? null : fmtSeconds(c.slo_s), within: c.slo_attainment }]));
const fastest = bestPerGpuCount(rows, 'latency');
const numbers = {
  scenario: result.scenario,
  requests: result.requests.completed,
  latency: { p50: fmtSeconds(result.latency_s.p50), p95: fmtSeconds(result.latency_s.p95), p99: fmtSeconds(result.latency_s.p99), slo_attainment: result.slo_attainment },
  classes: cls,
  gpu_utilization: result.gpu_utilization,
  max_queue: Math.max(...result.timeseries.map((p) => p.queued)),
  power_kw: { avg: result.energy.avg_power_kw, peak: result.energy.peak_power_kw },
  energy: { it_kwh: result.energy.total_kwh, per_video_wh: result.energy.per_video_wh },
  service: result.service_times.map((s) => ({ class: s.class, total: fmtSeconds(s.total_s), denoise_share: s.denoise_s / s.total_s })),
  memory_gb: {
    offload: offload.memory.phases.map((p) => [p.phase, +(p.peak_gb + 1).toFixed(1)]),
    ulysses8_fsdp: ulysses.memory.phases.map((p) => [p.phase, +(p.peak_gb + 1).toFixed(1)]),
    capacity: offload.capacity_gb,
  },
  capacity: { max_rate_per_h: capacity.max_rate_per_h, failing_rate_per_h: capacity.failing_rate_per_h, saturation_rate_per_h: capacity.saturation_rate_per_h, trials: capacity.trials.length },
  plan: fastest.map((p) => ({ gpus: p.gpus, parallel: p.parallel, latency: fmtSeconds(p.latency_s), speedup: +(fastest[0]!.latency_s / p.latency_s).toFixed(2), videos_per_h_per_gpu: +p.throughput_per_gpu_h.toFixed(2) })),
  tco_per_video: { owned: usd(result.cost?.usd_per_video), cloud_on_demand: usd(cloud.cost?.usd_per_video), cloud_per_second: usd(serverless.cost?.usd_per_video) },
  gantt: { window: gantt.window.map(fmtSeconds), requests: gantt.requests },
  files: Object.fromEntries(written.map((n) => [n, kb(n)])),
};
process.stdout.write(JSON.stringify(numbers, null, 2) + '\n');
process.stderr.write(`wrote ${written.length * 2} files to ${OUT}/\n`);
