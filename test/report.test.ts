import { describe, it, expect, beforeAll } from 'vitest';
import { mkdtempSync, readFileSync, existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadScenario } from '../src/scenario/load.ts';
import { simulate, type SimulationResult } from '../src/serving/simulate.ts';
import { estimate, type Estimate } from '../src/perf/estimate.ts';
import { getModel } from '../src/workload/request.ts';
import {
  reportCharts, renderSvg, renderPng, linesChart, barsChart, timelineChart, latencyCdfChart, memoryChart, opsChart, stageBreakdownChart, loadOverTimeChart, timeUnitFor,
} from '../src/report/charts.ts';
import { writeHtmlReport, renderHtmlReport, escapeHtml, inlineSvg } from '../src/report/html.ts';
import { chromeTrace, chromeTraceJson, type TraceEvent } from '../src/report/trace.ts';
import { fmtSeconds } from '../src/report/table.ts';

const PNG_MAGIC = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

let result: SimulationResult;
let overloaded: SimulationResult;
let scenario: unknown;
let est720: Estimate;

beforeAll(() => {
  const loaded = loadScenario('scenarios/default.yaml', { set: ['duration=2h'] });
  scenario = loaded.scenario;
  result = simulate(loaded.scenario, { records: true });
  // queueing, timeouts and drops: 3× the default load with a 10-minute queue timeout
  overloaded = simulate(loadScenario('scenarios/default.yaml', { set: ['duration=2h', 'workload.arrivals.rate_per_hour=60', 'scheduling.timeout_s=600'] }).scenario, { records: true });
  est720 = estimate({ model: getModel('wan2.2-t2v-a14b'), gpu: 'h100-sxm', request: { width: 1280, height: 720 }, options: { offload: true } });
});

describe('charts', () => {
  it('every report chart renders to SVG (with its axis titles, in DejaVu Sans) and to PNG', async () => {
    const charts = reportCharts(result, [{ label: '720p-5s on a14b', estimate: est720 }]);
    expect(charts.map((c) => c.id)).toEqual(['latency-cdf', 'load-over-time', 'power-over-time', 'stage-breakdown', 'replica-timeline', 'energy', 'cost', 'memory', 'ops-720p-5s-on-a14b']);
    const titles: Record<string, string[]> = {
      'latency-cdf': ['latency (min)', 'fraction of requests', '720p-5s: n=', 'SLO 60.0 min'],
      'load-over-time': ['simulated time (min)', 'busy GPUs (%)', 'requests', 'replicas'],
      'power-over-time': ['simulated time (min)', 'IT power (kW)', 'peak', 'average'],
      'stage-breakdown': ['time per request (min)', 'denoise', 'VAE decode'],
      'replica-timeline': ['simulated time (min)', 'a14b #0'],
      energy: ['energy per video (Wh)', 'GPUs: ', 'rest of the nodes', 'facility (PUE'],
      cost: ['cost per video ($)', 'depreciation: $', 'electricity: $', '/video'],
      memory: ['memory at the phase peak (GB)', 'DiT weights', 'usable memory of h100-sxm'],
      'ops-720p-5s-on-a14b': ['time per request, all calls (min)', 'self_attn.attention', 'compute'],
    };
    for (const c of charts) {
      const svg = await renderSvg(c.spec);
      expect(svg.startsWith('<svg')).toBe(true);
      expect(svg).toContain('font-family="DejaVu Sans"');
      for (const t of titles[c.id]!) expect(svg, `${c.id}: ${t}`).toContain(escapeHtml(t).replace(/&#39;/g, "'"));
      const png = renderPng(svg, { scale: 1 });
      expect(png.subarray(0, 8).equals(PNG_MAGIC)).toBe(true);
      expect(png.length).toBeGreaterThan(5000);
    }
  });

  it('the same input gives byte-identical SVG and PNG', async () => {
    const a = await renderSvg(latencyCdfChart(result));
    await renderSvg(memoryChart(est720)); // other renders in between must not shift ids
    await renderSvg(loadOverTimeChart(result));
    const b = await renderSvg(latencyCdfChart(result));
    expect(b).toBe(a);
    expect(renderPng(b, { scale: 1 }).equals(renderPng(a, { scale: 1 }))).toBe(true);
    expect(JSON.stringify(opsChart(est720))).toBe(JSON.stringify(opsChart(est720)));
  });

  it('the CDF reaches 1 for every class and draws each class SLO', () => {
    const spec = latencyCdfChart(result) as unknown as { layer: { data: { values: { series: string; y: number }[] } }[] };
    const rows = spec.layer[0]!.data.values;
    for (const c of result.classes) {
      const mine = rows.filter((r) => r.series.startsWith(c.name));
      expect(mine.length).toBeGreaterThan(1);
      expect(mine[mine.length - 1]!.y).toBe(1);
    }
    expect(JSON.stringify(spec)).toMatch(/480p-5s: n=\d+, SLO 20\.0 min/);
  });

  it('stage breakdown stacks encode/denoise/decode to the service time', () => {
    const spec = stageBreakdownChart(result) as unknown as { layer: { data: { values: { category: string; value: number }[] } }[] };
    const u = timeUnitFor(Math.max(...result.service_times.map((s) => s.total_s)));
    for (const s of result.service_times) {
      const sum = spec.layer[0]!.data.values.filter((v) => v.category === s.class).reduce((a, v) => a + v.value, 0);
      expect(sum * u.seconds).toBeCloseTo(s.total_s, 6);
    }
  });

  it('generic helpers: multi-series lines, grouped and vertical bars, timelines', async () => {
    const lines = linesChart({
      title: 'p99 latency vs load', x: { title: 'offered load (videos/h)' }, y: { title: 'p99 latency (min)', scale: 'log' },
      series: [
        { name: '8× H100', points: [{ x: 10, y: 21 }, { x: 20, y: 25 }, { x: 30, y: 60 }] },
        { name: '16× H100', points: [{ x: 10, y: 20 }, { x: 20, y: 21 }, { x: 30, y: 24 }], dashed: true },
      ],
      points: true, references: [{ axis: 'y', value: 30, label: 'SLO 30 min' }],
    });
    const bars = barsChart({
      title: 'TCO per video', data: [
        { category: 'H100', group: 'capex', value: 1.2 }, { category: 'H100', group: 'energy', value: 0.3 },
        { category: 'H200', group: 'capex', value: 1.5 }, { category: 'H200', group: 'energy', value: 0.25 },
      ],
      category: { title: 'GPU' }, value: { title: 'cost per video ($)', format: '$.2f' }, group: { title: 'cost' }, mode: 'grouped', orientation: 'vertical',
    });
    const gantt = timelineChart({
      title: 'GPU timeline', items: [{ lane: 'gpu0', start: 0, end: 3, group: 'denoise' }, { lane: 'gpu1', start: 1, end: 2, group: 'decode' }],
      laneTitle: 'GPU', x: { title: 'time (s)' }, group: { title: 'stage' },
    });
    const svgs = [await renderSvg(lines), await renderSvg(bars), await renderSvg(gantt)];
    expect(svgs[0]).toContain('offered load (videos/h)');
    expect(svgs[0]).toContain('SLO 30 min');
    expect(svgs[1]).toContain('cost per video ($)');
    expect(svgs[2]).toContain('gpu1');
  });

  it('charts that need records say so', () => {
    const { records: _r, ...bare } = result;
    expect(() => latencyCdfChart(bare)).toThrow(/records: true/);
    expect(reportCharts(bare).map((c) => c.id)).toEqual(['load-over-time', 'power-over-time', 'stage-breakdown', 'energy', 'cost']);
  });
});

describe('HTML report', () => {
  it('writes a self-contained report.html with the summary numbers and every chart as SVG and PNG', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vgsim-report-'));
    try {
      const files = await writeHtmlReport(dir, { result, scenario, estimates: [{ label: '720p-5s on a14b', estimate: est720 }], title: 'Run <test> & "quotes"' });
      const html = readFileSync(join(dir, 'report.html'), 'utf8');
      expect(files[0]).toBe(join(dir, 'report.html'));
      // offline: no scripts, no stylesheets or anything else fetched
      expect(html).not.toMatch(/<script/i);
      expect(html).not.toMatch(/<link/i);
      // (price sources are cited as text, never loaded: no URL in an attribute, a CSS url() or an @import)
      expect(html).not.toMatch(/url\(\s*['"]?https?:|@import/i);
      expect(html).not.toMatch(/\b(src|href)="(?!#|charts\/)/);
      expect(html).toMatch(/<h3>Prices<\/h3>[\s\S]*hgx-h100-sxm-8[\s\S]*2023-05/);
      // escaped title
      expect(html).toContain('Run &lt;test&gt; &amp; &quot;quotes&quot;');
      expect(html).not.toContain('<test>');
      // summary numbers
      const q = result.requests;
      for (const n of [q.arrived, q.completed, q.dropped, q.in_flight]) expect(html).toContain(`<td class="num">${n}</td>`);
      expect(html).toContain(`${result.throughput_per_h.toFixed(1)} videos/h`);
      expect(html).toContain(`${(result.gpu_utilization * 100).toFixed(1)}%`);
      for (const s of [result.latency_s.mean, result.latency_s.p50, result.latency_s.p95, result.latency_s.p99, result.latency_s.max, result.queue_wait_s.mean]) expect(html).toContain(fmtSeconds(s));
      expect(html).toContain(`${((result.slo_attainment ?? 0) * 100).toFixed(1)}%`);
      for (const c of result.classes) expect(html).toContain(`<td>${c.name}</td>`);
      // energy and cost in the summary cards and table, with the cost basis (issue 20)
      const cost = result.cost!;
      expect(html).toContain(`<div class="value">${result.energy.per_video_wh.toFixed(0)} Wh</div><div class="label">energy per video</div>`);
      expect(html).toContain(`<div class="value">$${cost.usd_per_video!.toFixed(3)}</div><div class="label">cost per video</div>`);
      expect(html).toContain(`${cost.basis} basis; $${Math.round(cost.usd_per_month).toLocaleString('en-US')}/month`);
      expect(html).toContain(`<td>IT energy</td><td class="num">${result.energy.total_kwh.toFixed(2)} kWh (facility ${result.energy.facility_kwh.toFixed(2)} kWh`);
      expect(html).toContain(est720.memory.verdict);
      // the scenario as run
      expect(html).toContain('rate_per_hour: 20');
      // charts inline and on disk
      const svgCount = (html.match(/<svg/g) ?? []).length;
      expect(svgCount).toBe(10);
      for (const id of ['latency-cdf', 'load-over-time', 'power-over-time', 'stage-breakdown', 'replica-timeline', 'gpu-timeline', 'energy', 'cost', 'memory', 'ops-720p-5s-on-a14b']) {
        expect(html).toContain(`id="fig-${id}"`);
        expect(existsSync(join(dir, 'charts', `${id}.svg`))).toBe(true);
        expect(readFileSync(join(dir, 'charts', `${id}.png`)).subarray(0, 8).equals(PNG_MAGIC)).toBe(true);
        expect(html).toContain(`href="charts/${id}.png"`);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('is deterministic and lists warnings', async () => {
    const a = await renderHtmlReport({ result: overloaded, scenario });
    const b = await renderHtmlReport({ result: overloaded, scenario });
    expect(a.html).toBe(b.html);
    expect(overloaded.requests.dropped).toBeGreaterThan(0);
    expect(a.html).toMatch(/requests were dropped/);
  });

  it('namespaces ids of inlined SVGs', () => {
    const svg = '<svg xmlns="http://www.w3.org/2000/svg"><defs><clipPath id="clip1"><rect/></clipPath></defs><g clip-path="url(#clip1)"/></svg>';
    const out = inlineSvg(svg, 'cdf');
    expect(out).toBe('<svg><defs><clipPath id="cdf-clip1"><rect/></clipPath></defs><g clip-path="url(#cdf-clip1)"/></svg>');
  });
});

describe('Chrome trace', () => {
  function check(r: SimulationResult) {
    const trace = chromeTrace(r);
    const ev = trace.traceEvents;
    expect(trace.displayTimeUnit).toBe('ms');
    for (const e of ev) {
      expect(['X', 'C', 'M', 'i']).toContain(e.ph);
      expect(Number.isInteger(e.ts) && e.ts >= 0).toBe(true);
      expect(Number.isInteger(e.pid)).toBe(true);
      expect(Number.isInteger(e.tid)).toBe(true);
      expect(typeof e.name).toBe('string');
      if (e.ph === 'X') expect(Number.isInteger(e.dur) && e.dur! >= 0).toBe(true);
      if (e.ph === 'C') expect(Object.values(e.args ?? {}).every((v) => typeof v === 'number')).toBe(true);
    }
    // every completed request appears exactly once, on its replica's thread
    const requests = ev.filter((e) => e.cat === 'request');
    const ids = requests.map((e) => e.args!.id as number).sort((a, b) => a - b);
    const completed = r.records!.filter((x) => x.outcome === 'completed').map((x) => x.id).sort((a, b) => a - b);
    expect(ids).toEqual(completed);
    // stages tile their request exactly
    const stages = ev.filter((e) => e.cat === 'stage');
    for (const q of requests) {
      const mine = stages.filter((s) => s.args!.id === q.args!.id);
      expect(mine.map((s) => s.name)).toEqual(['text encode', 'denoise', 'VAE decode']);
      expect(mine.every((s) => s.pid === q.pid && s.tid === q.tid)).toBe(true);
      expect(mine[0]!.ts).toBe(q.ts);
      expect(mine[1]!.ts).toBe(mine[0]!.ts + mine[0]!.dur!);
      expect(mine[2]!.ts).toBe(mine[1]!.ts + mine[1]!.dur!);
      expect(mine[2]!.ts + mine[2]!.dur!).toBe(q.ts + q.dur!);
    }
    // slices on one thread never overlap unless nested (requests on a replica, waits on a queue lane)
    const byThread = new Map<string, TraceEvent[]>();
    for (const e of ev.filter((x) => x.ph === 'X' && x.cat !== 'stage')) {
      const k = `${e.pid}/${e.tid}`;
      byThread.set(k, [...(byThread.get(k) ?? []), e]);
    }
    for (const list of byThread.values()) {
      for (let i = 1; i < list.length; i++) expect(list[i]!.ts).toBeGreaterThanOrEqual(list[i - 1]!.ts + list[i - 1]!.dur!);
    }
    // queue waits: one per request that waited
    const waited = r.records!.filter((x) => (x.outcome === 'completed' && x.start > x.arrival) || (x.outcome === 'dropped' && x.replica >= 0 && x.finish > x.arrival));
    expect(ev.filter((e) => e.cat === 'queue').length).toBe(waited.length);
    expect(ev.filter((e) => e.ph === 'C').length).toBe(3 * r.timeseries.length);
    expect(ev.some((e) => e.ph === 'M' && e.name === 'thread_name' && String(e.args!.name).startsWith('queue'))).toBe(true);
    return trace;
  }

  it('has well-formed events, every completed request once with nested stages, and counters', () => {
    check(result);
    const t = check(overloaded);
    expect(t.traceEvents.filter((e) => e.cat === 'drop').length).toBe(overloaded.requests.dropped);
  });

  it('is deterministic JSON', () => {
    const a = chromeTraceJson(chromeTrace(overloaded));
    expect(chromeTraceJson(chromeTrace(overloaded))).toBe(a);
    expect(JSON.parse(a).traceEvents.length).toBe(chromeTrace(overloaded).traceEvents.length);
  });
});
