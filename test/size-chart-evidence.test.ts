/**
 * The size charts are what reaches a slide: an option on a GPU nothing measured checks is marked there as in the
 * text (finding: `vgsim size --out` drew "#1 mi300x-8 · ulysses=4 ★" as the cheapest with no mark, while the text's
 * pick line says "[mi300x: unvalidated extrapolation]").
 */
import { describe, it, expect } from 'vitest';
import { loadScenario } from '../src/scenario/load.ts';
import { parseSlo } from '../src/studies/capacity.ts';
import { sizeCluster } from '../src/studies/size.ts';
import { costBarsChart, paretoChart } from '../src/report/charts/size.ts';

describe('size charts mark options on unvalidated GPUs', () => {
  const { scenario } = loadScenario('test/fixtures/md1.yaml', { set: ['duration=3600', 'workload.arrivals.rate_per_hour=20'] });
  const res = sizeCluster(scenario, { terms: parseSlo('p95<=20m'), nodes: ['hgx-h100-sxm-8', 'mi300x-8'], layouts: 1, maxNodes: 2, maxSims: 8 });

  it('the Pareto chart labels them with † and says what † means', () => {
    const text = JSON.stringify(paretoChart(res));
    expect(res.rows.some((r) => r.gpu === 'mi300x' && r.rank !== null)).toBe(true);
    expect(text).toMatch(/#\d mi300x-8 · [^"]*†/);
    expect(text).not.toMatch(/#\d hgx-h100-sxm-8 · [^"]*†/);
    expect(text).toMatch(/† no held-out measurement on its GPU/);
  });

  it('so does the cost bar chart', () => {
    const text = JSON.stringify(costBarsChart(res));
    expect(text).toMatch(/#\d mi300x-8 · [^"]*†/);
    expect(text).toMatch(/† no held-out measurement on its GPU/);
  });
}, 120_000);

describe('tco charts', () => {
  it('mark unvalidated GPUs with † and fleets that miss the objective as not ranked', async () => {
    const { isoCompare } = await import('../src/studies/fleet.ts');
    const { tcoCharts } = await import('../src/report/tco.ts');
    const { getModel } = await import('../src/workload/request.ts');
    const res = isoCompare({ model: getModel('wan2.2-t2v-a14b'), request: { width: 1280, height: 720 }, nodes: ['hgx-h100-sxm-8', 'mi300x-8', 'hgx-a100-8'], megawatts: 1, maxLatencyS: 300 });
    const a100 = res.rows.find((r) => r.node === 'hgx-a100-8')!;
    expect(a100.rank).toBeNull();
    const text = JSON.stringify(tcoCharts(res).find((c) => c.id === 'tco-power-throughput')!.spec);
    expect(text).toMatch(/"mi300x-8 †"/);
    expect(text).toMatch(/"hgx-h100-sxm-8"/);
    expect(text).toMatch(/† no/); // the subtitle is wrapped over lines
    expect(text).toMatch(/held-out measurement on its GPU/);
    expect(text).toMatch(/\/h on \d+ GPUs[^"]* · not ranked: over the latency objective/);
  });
}, 120_000);
