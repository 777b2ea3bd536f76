/**
 * A sweep's charts: the metrics against each numeric parameter (stacked panels of p95 latency, throughput,
 * $ per video and SLO attainment; lines per combination of the other parameters in a grid, else a scatter),
 * and bars per value of a categorical parameter or variant, compared like with like. Over replicate seeds,
 * percentiles are pooled and the other metrics averaged (sweep/points.ts).
 */
import type { TopLevelSpec } from 'vega-lite';
import { fmtSeconds } from '../report/table.ts';
import { CHART_CONFIG, PALETTE, barsChart, stackedPanels, timeUnitFor, type BarDatum, type LineSeries, type LinesChartInput, type NamedChart } from '../report/charts.ts';
import { formatValue, type SweepParameter, type SweepPlan } from './spec.ts';
import type { SweepRecord } from './output.ts';
import type { MetricUnit } from './metrics.ts';
import { pointSummaries, type PointSummary } from './points.ts';
import { formatMetricValue } from './columns.ts';

function slug(s: string): string {
  return s.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '') || 'x';
}

interface Panel {
  key: string;
  title: string;
  unit: MetricUnit;
}

const PANELS: readonly Panel[] = [
  { key: 'latency_p95_s', title: 'p95 end-to-end latency', unit: 's' },
  { key: 'throughput_per_h', title: 'throughput (videos/h)', unit: 'videos/h' },
  { key: 'usd_per_video', title: '$ per video', unit: 'usd' },
  { key: 'slo_attainment', title: 'SLO attainment', unit: 'ratio' },
];

function panelAxis(panel: Panel, values: readonly number[]): { title: string; scale: number; format?: string; domain?: [number, number] } {
  if (panel.unit === 's') {
    const u = timeUnitFor(Math.max(0, ...values));
    return { title: `p95 latency (${u.unit})`, scale: u.seconds };
  }
  if (panel.unit === 'ratio') return { title: 'within SLO', scale: 1, format: '.0%', domain: [0, 1] };
  if (panel.unit === 'usd') return { title: '$ per video', scale: 1, format: '$,.3~f' };
  return { title: 'videos/h', scale: 1 };
}

/** Panels that have at least one value among the points. */
function panelsWithData(points: readonly PointSummary[]): Panel[] {
  return PANELS.filter((p) => points.some((x) => x.metrics[p.key] !== null && x.metrics[p.key] !== undefined));
}

/** Label of a point's "other" coordinates (everything but parameter `key`). */
function othersLabel(plan: SweepPlan, p: PointSummary, key: string): string {
  const parts = plan.parameters.filter((q) => q.key !== key).map((q) => `${q.short}=${formatValue(p.parameters[q.key])}`);
  return [p.variant, parts.join(' ')].filter((x) => x).join(' · ');
}

/** Metrics vs one numeric parameter, as lines (grid, ≤ 8 series) or a scatter. */
function parameterChart(plan: SweepPlan, points: readonly PointSummary[], param: SweepParameter): TopLevelSpec | null {
  const ok = points.filter((p) => p.ok > 0);
  const panels = panelsWithData(ok);
  if (!ok.length || !panels.length) return null;
  const groups = new Map<string, PointSummary[]>();
  for (const p of ok) {
    const g = othersLabel(plan, p, param.key);
    const list = groups.get(g);
    if (list) list.push(p);
    else groups.set(g, [p]);
  }
  const xTitle = `${param.short}${param.short !== param.key ? ` (${param.key})` : ''}`;
  const asLines = (plan.mode === 'grid' || plan.mode === 'variants') && groups.size <= 8;
  const others = plan.parameters.length - 1 + (plan.variants ? 1 : 0);
  const subtitle = asLines
    ? `${plan.scenario}: ${ok.length} points${plan.replicate_seeds > 1 ? `, ${plan.replicate_seeds} seeds each (percentiles pooled)` : ''}${groups.size > 1 ? '; one line per value of the other parameters' : ''}`
    : `${plan.scenario}: ${ok.length} ${plan.mode === 'lhs' ? 'Latin hypercube' : plan.mode === 'random' ? 'random' : ''} points${others > 0 ? ', the other parameters vary too' : ''}${plan.replicate_seeds > 1 ? `; ${plan.replicate_seeds} seeds each (percentiles pooled)` : ''}`;
  const failed = points.length - ok.length;
  const subtitleAll = failed ? `${subtitle}; ${failed} failed point${failed === 1 ? '' : 's'} not shown` : subtitle;
  const title = `Metrics vs ${param.short}`;
  const x = { title: xTitle, scale: param.log ? ('log' as const) : ('linear' as const), zero: false };

  if (asLines) {
    const names = [...groups.keys()];
    const inputs: LinesChartInput[] = panels.map((panel, i) => {
      const axis = panelAxis(panel, ok.map((p) => p.metrics[panel.key] ?? 0));
      const series: LineSeries[] = names.map((name, si) => ({
        name: name || param.short,
        color: PALETTE[si % PALETTE.length]!,
        points: [...groups.get(name)!]
          .filter((p) => p.metrics[panel.key] !== null)
          .sort((a, b) => (a.parameters[param.key] as number) - (b.parameters[param.key] as number))
          .map((p) => ({ x: p.parameters[param.key] as number, y: p.metrics[panel.key]! / axis.scale })),
      }));
      return {
        title: panel.title, x, y: { title: axis.title, format: axis.format, domain: axis.domain }, series, points: true,
        height: 150, legendTitle: i === 0 && names.length > 1 ? 'other parameters' : undefined,
      };
    });
    return tuneXAxis(stackedPanels(title, subtitleAll, inputs), param, ok);
  }

  // scatter: every point, coloured by variant when there are several
  const variants = plan.variants ?? [];
  const colour = (p: PointSummary) => (variants.length > 1 ? p.variant ?? '' : '');
  const domain = variants.length > 1 ? variants : [''];
  const vconcat = panels.map((panel, i) => {
    const axis = panelAxis(panel, ok.map((p) => p.metrics[panel.key] ?? 0));
    const rows = ok.filter((p) => p.metrics[panel.key] !== null).map((p) => ({ x: p.parameters[param.key] as number, y: p.metrics[panel.key]! / axis.scale, group: colour(p), point: p.point }));
    const yScale: Record<string, unknown> = {};
    if (axis.domain) yScale.domain = axis.domain;
    return {
      title: { text: panel.title, fontSize: 12, fontWeight: 'bold' },
      width: 620,
      height: 150,
      data: { values: rows },
      mark: { type: 'point', filled: true, size: 34, opacity: 0.75 },
      encoding: {
        x: { field: 'x', type: 'quantitative', title: i === panels.length - 1 ? xTitle : '', scale: { ...(param.log ? { type: 'log' } : { zero: false }) }, axis: { grid: true, tickCount: 8 } },
        y: { field: 'y', type: 'quantitative', title: axis.title, scale: yScale, axis: { grid: true, tickCount: 6, ...(axis.format ? { format: axis.format } : {}) } },
        // the same legend on every panel: the shared colour scale merges them into one
        color: { field: 'group', type: 'nominal', title: 'variant', scale: { domain, range: domain.map((_, k) => PALETTE[k % PALETTE.length]) }, legend: variants.length > 1 ? { orient: 'right' } : null },
        order: { field: 'point', type: 'quantitative' },
      },
    };
  });
  return tuneXAxis({
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: { text: title, subtitle: subtitleAll },
    config: { ...CHART_CONFIG, axisY: { minExtent: 44 } },
    vconcat,
    spacing: 14,
    resolve: { scale: { color: 'shared' } },
  } as unknown as TopLevelSpec, param, ok);
}

/**
 * x-axis touches: whole-number parameters (replicas, GPUs) get whole-number ticks, not 4.5 replicas; a
 * log axis spans the data, not the enclosing powers of ten.
 */
function tuneXAxis(spec: TopLevelSpec, param: SweepParameter, points: readonly PointSummary[]): TopLevelSpec {
  const xs = points.map((p) => p.parameters[param.key] as number);
  const integer = xs.every((x) => Number.isInteger(x));
  const visit = (node: unknown): void => {
    if (!node || typeof node !== 'object') return;
    const n = node as Record<string, any>;
    const x = n.encoding?.x;
    if (x && x.field === 'x') {
      if (integer) x.axis = { ...x.axis, tickMinStep: 1, format: 'd' };
      if (param.log) x.scale = { ...x.scale, type: 'log', domain: [Math.min(...xs), Math.max(...xs)], nice: false };
    }
    for (const k of ['vconcat', 'layer']) if (Array.isArray(n[k])) n[k].forEach(visit);
  };
  visit(spec);
  return spec;
}

/** A point's error as a short bar label: "does not fit (OOM)" or the first words of the reason. */
function failureLabel(errors: readonly string[]): string {
  const e = errors[0] ?? 'no result';
  if (/OOM|does not fit|short by/i.test(e)) return 'does not fit (OOM)';
  const short = e.replace(/^[\w.\[\]]+: /, '');
  return `no result: ${short.length > 48 ? `${short.slice(0, 47)}…` : short}`;
}

/**
 * p95 latency per value of a categorical parameter (or per variant), compared like with like: the mean over
 * the combinations of the other parameters (and variant) that every ranked value runs, so a value that runs
 * only the easy combinations (a small GPU fitting 480P alone) is not averaged over an easier set than the
 * others. Values that run on none of those combinations get a marked bar saying why ("does not fit", "not
 * comparable: runs k of the n compared combinations") instead of vanishing.
 */
export function categoryChart(plan: SweepPlan, points: readonly PointSummary[], name: string, valueOf: (p: PointSummary) => string, order: readonly string[], key: string | null): TopLevelSpec | null {
  const cats = order.filter((c) => points.some((p) => valueOf(p) === c));
  if (!cats.length) return null;
  // the other coordinates of a point: the variant and the other parameters (for variants: every parameter)
  const otherKey = (p: PointSummary) => (key === null ? plan.parameters.map((q) => `${q.short}=${formatValue(p.parameters[q.key])}`).join(' ') : othersLabel(plan, p, key));
  const ran = (p: PointSummary) => p.ok > 0 && p.errors.length === 0 && p.metrics.latency_p95_s !== null;
  const support = new Map(cats.map((c) => [c, new Set(points.filter((p) => valueOf(p) === c && ran(p)).map(otherKey))]));
  const fitting = cats.filter((c) => support.get(c)!.size > 0);
  if (!fitting.length) return null;
  // the combinations every fitting value runs; if none, the one most values run
  let common = [...support.get(fitting[0]!)!].filter((k) => fitting.every((c) => support.get(c)!.has(k)));
  if (!common.length) {
    const all = [...new Set(fitting.flatMap((c) => [...support.get(c)!]))];
    const count = (k: string) => fitting.filter((c) => support.get(c)!.has(k)).length;
    common = [all.reduce((a, b) => (count(b) > count(a) ? b : a))];
  }
  const commonSet = new Set(common);
  const mean = (xs: readonly number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null);
  const stats = cats.map((c) => {
    const mine = points.filter((p) => valueOf(p) === c);
    const compared = mine.filter((p) => ran(p) && commonSet.has(otherKey(p)));
    const ranked = compared.length === common.length;
    const prices = compared.map((p) => p.metrics.usd_per_video);
    const usd = prices.every((v) => v !== null && v !== undefined) ? mean(prices as number[]) : null;
    const why = ranked ? null : support.get(c)!.size === 0 ? failureLabel(mine.flatMap((p) => p.errors)) : `not comparable: runs ${compared.length} of the ${common.length} compared combinations`;
    return { c, p95: ranked ? mean(compared.map((p) => p.metrics.latency_p95_s!)) : null, usd, why };
  });
  const u = timeUnitFor(Math.max(0, ...stats.map((s) => s.p95 ?? 0)));
  const COMPARED = 'p95, like for like';
  const MISSING = 'does not run / not comparable';
  const data: BarDatum[] = stats.map((s) => s.p95 !== null
    ? { category: s.c, value: s.p95 / u.seconds, group: COMPARED, label: `${fmtSeconds(s.p95)}${s.usd !== null ? ` · ${formatMetricValue(s.usd, 'usd')}/video` : ''}` }
    : { category: s.c, value: 0, group: MISSING, label: s.why! });
  const combos = common.length === 1 ? (common[0] || 'the one combination') : `${common.length} combinations of the other parameters${common.length <= 3 ? ` (${common.join('; ')})` : ''}`;
  return barsChart({
    title: `p95 latency by ${name}`,
    subtitle: `${plan.scenario}: mean over the ${combos} that every compared ${name} runs${stats.some((s) => s.p95 === null) ? '; the others are marked with the reason' : ''}; labels: p95 · $ per video`,
    data,
    category: { title: name, order: cats },
    value: { title: `p95 latency (${u.unit})` },
    group: { title: '', order: [COMPARED, MISSING], colors: { [COMPARED]: PALETTE[0]!, [MISSING]: '#bab0ac' } },
  });
}

/** Every chart of a sweep report, ids prefixed "sweep-". */
export function sweepCharts(plan: SweepPlan, records: readonly SweepRecord[], points: readonly PointSummary[] = pointSummaries(plan, records)): NamedChart[] {
  const charts: NamedChart[] = [];
  const ids = new Set<string>();
  const add = (base: string, title: string, caption: string, spec: TopLevelSpec | null) => {
    if (!spec) return;
    let id = `sweep-${base}`;
    for (let n = 2; ids.has(id); n++) id = `sweep-${base}-${n}`;
    ids.add(id);
    charts.push({ id, section: 'simulation', title, caption, spec });
  };
  for (const p of plan.parameters) {
    const distinct = new Set(points.map((x) => JSON.stringify(x.parameters[p.key])));
    if (distinct.size < 2) continue;
    if (p.numeric) {
      add(slug(p.short), `Metrics vs ${p.short}`, `p95 latency, throughput, $ per video and SLO attainment against ${p.key}.`, parameterChart(plan, points, p));
    } else {
      const order = (p.values ?? []).map(formatValue);
      for (const x of points) if (!order.includes(formatValue(x.parameters[p.key]))) order.push(formatValue(x.parameters[p.key]));
      add(slug(p.short), `p95 latency by ${p.short}`, `p95 end-to-end latency for each value of ${p.key}: the mean over the combinations of the other parameters that every compared value runs (like for like); values that run none of them are marked with the reason; bar labels add $ per video.`, categoryChart(plan, points, p.short, (x) => formatValue(x.parameters[p.key]), order, p.key));
    }
  }
  if (plan.variants && plan.variants.length > 1) {
    add('variants', 'p95 latency by variant', 'p95 end-to-end latency of each variant: the mean over the parameter combinations every compared variant runs (like for like); variants that run none of them are marked with the reason; bar labels add $ per video.', categoryChart(plan, points, 'variant', (x) => x.variant ?? '', plan.variants, null));
  }
  return charts;
}
