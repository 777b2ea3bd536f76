/**
 * The report charts added for the "Reports" issue: power and replicas over time, energy and TCO bars, the
 * memory chart's capacity labels, capacity curves, plan scaling and the d3 per-GPU Gantt; and the files that
 * `capacity --out` and `plan --out` write.
 */
import { describe, it, expect, beforeAll } from 'vitest';
import { mkdtempSync, readFileSync, existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadScenario } from '../src/scenario/load.ts';
import { simulate, type SimulationResult } from '../src/serving/simulate.ts';
import { findCapacity, parseSlo } from '../src/studies/capacity.ts';
import { estimate } from '../src/perf/estimate.ts';
import { searchPlans } from '../src/studies/plan-search.ts';
import { getModel } from '../src/workload/request.ts';
import {
  costChart, energyChart, memoryChart, powerOverTimeChart, renderPng, renderSvg, replicasChange, replicasOverTimeChart, reportCharts, maxOf,
} from '../src/report/charts.ts';
import { capacityChart } from '../src/report/charts/capacity.ts';
import { planScalingChart, bestPerGpuCount } from '../src/report/charts/plan.ts';
import { gpuGanttChart, shade } from '../src/report/charts/gantt.ts';
import { escapeHtml } from '../src/report/html.ts';
import { vgsim } from './support/cli.ts';

const PNG_MAGIC = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const DEFAULT = 'scenarios/default.yaml';

let result: SimulationResult;
let cloud: SimulationResult;
let autoscaled: SimulationResult;

type Row = Record<string, unknown>;
/** The data rows of a layered spec's first layer. */
const rowsOf = (spec: unknown): Row[] => (spec as { layer: { data: { values: Row[] } }[] }).layer[0]!.data.values;

/** An SVG with these texts (as Vega escapes them), every text in DejaVu Sans, rendering to a PNG. */
function expectChart(svg: string, texts: readonly string[]) {
  expect(svg.startsWith('<svg')).toBe(true);
  expect(svg).toContain('font-family="DejaVu Sans"');
  expect(svg).not.toMatch(/font-family="(?!DejaVu Sans")/);
  for (const t of texts) expect(svg.includes(escapeHtml(t).replace(/&#39;/g, "'")), `the SVG shows "${t}"`).toBe(true);
  const png = renderPng(svg, { scale: 1 });
  expect(png.subarray(0, 8).equals(PNG_MAGIC)).toBe(true);
}

beforeAll(() => {
  result = simulate(loadScenario(DEFAULT, { set: ['duration=2h'] }).scenario, { records: true });
  cloud = simulate(loadScenario(DEFAULT, { set: ['duration=2h', 'cost.basis=cloud', 'cost.cloud.billing=busy'] }).scenario);
  // two nodes, autoscaled down to 2 replicas with node sleep: replicas and nodes come and go
  autoscaled = simulate(loadScenario(DEFAULT, {
    set: ['duration=3h', 'cluster.nodes.0.count=2', 'deployment.replicas=16', 'workload.arrivals.rate_per_hour=30', 'autoscale.min_replicas=2', 'autoscale.sleep=node', 'autoscale.cooldown_s=300'],
  }).scenario);
});

describe('power, replicas, energy and cost charts', () => {
  it('power over time: kW from the time series, average and metered peak as dashed lines named in the legend', async () => {
    const spec = powerOverTimeChart(result);
    const rows = rowsOf(spec).filter((r) => r.series === 'IT power');
    expect(rows.length).toBe(result.timeseries.length);
    expect(rows.map((r) => r.y)).toEqual(result.timeseries.map((p) => p.power_kw));
    expect(rowsOf(spec).filter((r) => String(r.series).startsWith('peak')).map((r) => r.y)).toEqual([result.energy.peak_power_kw, result.energy.peak_power_kw]);
    const json = JSON.stringify(spec);
    expect(json).toContain(`peak ${result.energy.peak_power_kw.toFixed(2)} kW`);
    expect(json).toContain(`average ${result.energy.avg_power_kw.toFixed(2)} kW`);
    const svg = await renderSvg(spec);
    expectChart(svg, ['Cluster power over time', 'IT power (kW)', 'simulated time (min)', 'peak', 'average']);
    expect(await renderSvg(powerOverTimeChart(result))).toBe(svg);
  });

  it('replicas and nodes over time only when they change, with a nodes panel when nodes power off', async () => {
    expect(replicasChange(result)).toBe(false);
    expect(reportCharts(result).map((c) => c.id)).not.toContain('replicas-over-time');
    expect(autoscaled.autoscaling.scale_downs).toBeGreaterThan(0);
    expect(replicasChange(autoscaled)).toBe(true);
    expect(reportCharts(autoscaled).map((c) => c.id)).toContain('replicas-over-time');
    const spec = replicasOverTimeChart(autoscaled);
    const panels = (spec as unknown as { vconcat: unknown[] }).vconcat;
    const nodesVary = autoscaled.timeseries.some((p) => p.nodes_on !== autoscaled.timeseries[0]!.nodes_on);
    expect(panels.length).toBe(nodesVary ? 2 : 1);
    const svg = await renderSvg(spec);
    expectChart(svg, ['Replicas and nodes over time', 'Replicas serving and busy (of 16)', 'replicas', 'simulated time (min)', 'serving (loaded and awake)', 'busy', ...(nodesVary ? ['Nodes powered on', 'nodes'] : [])]);
    expect(svg).toContain(`${autoscaled.autoscaling.scale_ups} scale-up`);
  });

  it('energy per video: components stack to the facility Wh per video', async () => {
    const spec = energyChart(result);
    const sum = rowsOf(spec).reduce((a, r) => a + (r.value as number), 0);
    expect(sum).toBeCloseTo(result.energy.per_video_wh, 6);
    expectChart(await renderSvg(spec), ['Energy per video, by component', 'energy per video (Wh)', 'GPUs: ', 'rest of the nodes: ', `facility (PUE ${result.energy.pue})`, `${result.energy.per_video_wh.toFixed(0)} Wh/video`]);
  });

  it('TCO bars: components stack to the cost per video, one bar per run, cloud components for cloud runs', async () => {
    const single = costChart(result);
    const sum = rowsOf(single).reduce((a, r) => a + (r.value as number), 0);
    expect(sum).toBeCloseTo(result.cost!.usd_per_video!, 9);
    expectChart(await renderSvg(single), ['Cost per video, by component', 'cost per video ($)', 'owned', 'depreciation: $', 'colocation: $', `$${result.cost!.usd_per_video!.toFixed(3)}/video`]);
    const both = costChart([{ label: 'owned', result }, { label: 'cloud, busy billing', result: cloud }]);
    const rows = rowsOf(both);
    for (const [label, r] of [['owned', result], ['cloud, busy billing', cloud]] as const) {
      expect(rows.filter((x) => x.category === label).reduce((a, x) => a + (x.value as number), 0)).toBeCloseTo(r.cost!.usd_per_video!, 9);
    }
    const svg = await renderSvg(both);
    expectChart(svg, ['GPU rental', 'depreciation', 'cloud, busy billing']);
    const { cost: _c, ...unpriced } = result;
    expect(() => costChart({ ...unpriced, cost: null })).toThrow(/price/);
  });

  it('memory with several GPU types: capacities in the bar labels, no label struck through by a capacity tick', async () => {
    const model = getModel('wan2.2-t2v-a14b');
    const request = { width: 1280, height: 720 };
    const h100 = estimate({ model, gpu: 'h100-sxm', request, options: { offload: true } });
    const h20 = estimate({ model, gpu: 'h20', request, options: { offload: true } });
    const spec = memoryChart([{ label: 'h100', estimate: h100 }, { label: 'h20', estimate: h20 }]);
    const svg = await renderSvg(spec);
    expectChart(svg, [`of ${h100.capacity_gb.toFixed(1)} GB (h100-sxm)`, `of ${h20.capacity_gb.toFixed(1)} GB (h20)`]);
    // the old per-tick labels ("h20 102.6 GB") printed over the neighbouring bar's total
    expect(svg).not.toContain(`>h20 ${h20.capacity_gb.toFixed(1)} GB<`);
    // every total label ends before its bar's capacity tick, or starts past it
    type L = { mark: { type: string }; encoding: { x?: { scale?: { domain?: number[] } }; text?: { field: string } }; data: { values: { category: string; value: number; label: string }[] } };
    const layers = (spec as unknown as { layer: L[] }).layer;
    const max = layers[0]!.encoding.x!.scale!.domain![1]!;
    const px = (v: number) => (v / max) * 620;
    const cap = (cat: string) => (cat.startsWith('h20') ? h20 : h100).capacity_gb;
    const totals = layers.filter((l) => l.mark.type === 'text' && l.encoding.text?.field === 'label').flatMap((l) => l.data.values).filter((r) => / GB of /.test(r.label));
    expect(totals.length).toBeGreaterThan(0);
    for (const t of totals) {
      const ok = t.value >= cap(t.category) || px(t.value) + 4 + t.label.length * 6.6 <= px(cap(t.category)) - 3;
      expect(ok, `${t.category}: ${t.label}`).toBe(true);
    }
  });

  it('maxOf handles arrays too large to spread into Math.max', () => {
    const big = Array.from({ length: 300_000 }, (_, i) => i % 1000);
    expect(maxOf(big)).toBe(999);
    expect(maxOf([], 5)).toBe(5);
  });
});

describe('capacity and plan charts', () => {
  it('capacity: objectives and throughput vs offered load, objective lines and the capacity found', async () => {
    const s = loadScenario(DEFAULT, { set: ['duration=1h'] }).scenario;
    const res = findCapacity(s, parseSlo('p95<=45m,attainment>=0.9'), { tolerance: 0.1, maxTrials: 7 });
    const spec = capacityChart(res, { scenario: s.name });
    const panels = (spec as unknown as { vconcat: unknown[] }).vconcat;
    expect(panels.length).toBe(3);
    const svg = await renderSvg(spec);
    expectChart(svg, ['offered load (requests/h)', 'latency (min)', 'share of requests', 'completed (requests/h)', 'objective p95 ≤ 45m', 'objective attainment ≥ 0.9', 'offered (all served)']);
    if (res.feasible) expect(svg).toContain(`capacity ${res.max_rate_per_h.toFixed(1)}/h`);
    expect(await renderSvg(capacityChart(res, { scenario: s.name }))).toBe(svg);
  });

  it('plan scaling: best layout per GPU count, speed-up against the ideal line', async () => {
    const rows = searchPlans({ model: getModel('wan2.1-t2v-1.3b'), gpu: 'h100-sxm', budget: 4, include: { ring: false, tp: false, pipefusion: false, cfg: false, expertSplit: false } });
    const fastest = bestPerGpuCount(rows, 'latency');
    expect(fastest.map((p) => p.gpus)).toEqual([1, 2, 4]);
    for (const p of fastest) {
      const best = Math.min(...rows.filter((r) => r.feasible && r.gpus_per_replica === p.gpus).map((r) => r.latency_s!));
      expect(p.latency_s).toBe(best);
    }
    const svg = await renderSvg(planScalingChart(rows));
    expectChart(svg, ['GPUs per replica', 'videos/h per GPU', 'latency (s)', 'speed-up (×)', 'ideal (linear)', `${fastest[2]!.parallel}: `]);
    expect(svg).toContain(`×${(fastest[0]!.latency_s / fastest[2]!.latency_s).toFixed(1)}`);
  });
});

describe('per-GPU Gantt (d3)', () => {
  it('draws each GPU lane with stage bands, deterministic, in DejaVu Sans', () => {
    const a = gpuGanttChart(result, { gpus: 4 });
    const b = gpuGanttChart(result, { gpus: 4 });
    expect(b.svg).toBe(a.svg);
    expect(a.lanes).toEqual(['GPU 0 · a14b #0', 'GPU 1 · a14b #1', 'GPU 2 · a14b #2', 'GPU 3 · a14b #3']);
    expect(a.requests).toBeGreaterThan(0);
    expect(a.window[1]).toBeGreaterThan(a.window[0]);
    expectChart(a.svg, ['simulated time (min)', 'GPU 0 · a14b #0', 'request class', '720p-5s', 'text encode', 'denoise', 'VAE decode']);
    // every denoise band in the class colour, VAE decode in its darker shade
    expect(a.svg).toContain('fill="#4c78a8"><title>720p-5s #');
    expect(a.svg).toContain(`fill="${shade('#4c78a8', -0.4)}"><title>720p-5s #`);
    // bars stay inside the plot
    const plotW = 900 - Number(/translate\((\d+),/.exec(a.svg)![1]) - 16;
    for (const m of a.svg.matchAll(/<rect x="([\d.-]+)" y="[\d.]+" width="([\d.]+)" height="[\d.]+" fill="#[0-9a-f]{6}"><title>/g)) {
      expect(Number(m[1])).toBeGreaterThanOrEqual(0);
      expect(Number(m[1]) + Number(m[2])).toBeLessThanOrEqual(plotW + 0.02);
    }
  });

  it('a chosen window shows only the requests running in it', () => {
    const g = gpuGanttChart(result, { gpus: 8, window: [1800, 3600] });
    expect(g.window).toEqual([1800, 3600]);
    const running = result.records!.filter((r) => r.outcome === 'completed' && r.replica < 8 && r.finish > 1800 && r.start < 3600);
    expect(g.requests).toBe(running.length);
    expect(g.svg).toContain('30.0 min window from 30.0 min');
    expect(() => gpuGanttChart({ ...result, records: undefined })).toThrow(/records: true/);
  });
});

describe('capacity --out and plan --out', () => {
  it('capacity --out writes capacity.json, capacity.html and the chart', () => {
    const dir = mkdtempSync(join(tmpdir(), 'vgsim-capacity-'));
    try {
      const r = vgsim(['capacity', DEFAULT, '--slo', 'p95<=45m', '--set', 'duration=1h', '--tolerance', '0.2', '--max-trials', '4', '--out', dir]);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toContain('capacity:');
      const json = JSON.parse(readFileSync(join(dir, 'capacity.json'), 'utf8'));
      expect(json.objectives).toEqual(['p95<=45m']);
      expect(json.trials.length).toBeGreaterThan(1);
      const html = readFileSync(join(dir, 'capacity.html'), 'utf8');
      expect(html).toContain('<svg');
      expect(html).toContain('offered load (requests/h)');
      expect(html).not.toMatch(/<script/i);
      expect(readFileSync(join(dir, 'charts', 'capacity.png')).subarray(0, 8).equals(PNG_MAGIC)).toBe(true);
      expect(existsSync(join(dir, 'charts', 'capacity.svg'))).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('plan --out writes plan.json (every layout, ranked), plan.html and the scaling chart', () => {
    const dir = mkdtempSync(join(tmpdir(), 'vgsim-plan-'));
    try {
      const r = vgsim(['plan', '--model', 'wan2.1-t2v-1.3b', '--gpu', 'h100-sxm', '--gpus', '2', '--official', '--out', dir]);
      expect(r.code, r.stderr).toBe(0);
      const json = JSON.parse(readFileSync(join(dir, 'plan.json'), 'utf8'));
      expect(json.model).toBe('wan2.1-t2v-1.3b');
      expect(json.layouts.length).toBeGreaterThan(1);
      expect(json.layouts[0].feasible).toBe(true);
      expect(json.layouts[0]).not.toHaveProperty('estimate');
      const html = readFileSync(join(dir, 'plan.html'), 'utf8');
      expect(html).toContain('GPUs per replica');
      expect(html).toContain(json.layouts[0].parallel);
      expect(readFileSync(join(dir, 'charts', 'plan-scaling.png')).subarray(0, 8).equals(PNG_MAGIC)).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
