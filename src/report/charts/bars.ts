/**
 * Bar charts: stacked or grouped, horizontal or vertical, with value labels, stack totals and reference
 * values across one band or the whole plot (stage breakdowns, TCO, energy per video, memory by phase…).
 */
import type { TopLevelSpec } from 'vega-lite';
import { DEFAULT_HEIGHT, DEFAULT_WIDTH, HORIZONTAL_BAND_TITLE, PALETTE, halo, quantAxis, referenceLayers, topLevel, uniq, type AxisOptions, type Json } from './spec-parts.ts';

/** One bar, or one segment of a stacked bar. */
export interface BarDatum {
  /** The bar's position on the categorical axis. */
  category: string;
  value: number;
  /** Stack segment / grouped bar within the category (coloured, in the legend). */
  group?: string;
  /** Text printed at the end of this bar (grouped mode, or stacked with labels: 'each'). */
  label?: string;
  /** Extra tooltip/detail text (kept in the spec's data; not drawn). */
  detail?: string;
}

/** A value line across the bars (capacity, budget) — across one category's band or the whole plot. */
export interface BarReference {
  value: number;
  label?: string;
  /** Only across this category's band (e.g. each GPU's own capacity); default: the whole plot. */
  category?: string;
  color?: string;
}

export interface BarsChartInput {
  title: string;
  subtitle?: string;
  data: readonly BarDatum[];
  /** Categorical axis: title and order (default: first appearance). */
  category: { title: string; order?: readonly string[] };
  /** Value axis. */
  value: AxisOptions;
  /** Colour legend: title, order (default: first appearance, which is also the stack order) and colours. */
  group?: { title: string; order?: readonly string[]; colors?: Readonly<Record<string, string>> };
  /** 'stacked' (default) or 'grouped' (side by side within a category). */
  mode?: 'stacked' | 'grouped';
  /** 'horizontal' (default: bars grow to the right, long category names stay readable) or 'vertical'. */
  orientation?: 'horizontal' | 'vertical';
  references?: readonly BarReference[];
  /** Text at the end of each category's stack (stacked mode): category → text. */
  totals?: Readonly<Record<string, string>>;
  width?: number;
  /** Plot height for vertical bars; horizontal bars get `step` px per bar. */
  height?: number;
  step?: number;
}

/** Stacked or grouped bars (stage breakdowns, TCO, energy per video, memory by phase…). */
export function barsChart(input: BarsChartInput): TopLevelSpec {
  const horizontal = (input.orientation ?? 'horizontal') === 'horizontal';
  const grouped = input.mode === 'grouped';
  const width = input.width ?? DEFAULT_WIDTH;
  const cats = input.category.order ? [...input.category.order] : uniq(input.data.map((d) => d.category));
  const groups = input.group?.order ? [...input.group.order] : uniq(input.data.map((d) => d.group ?? ''));
  const groupColors = groups.map((g, i) => input.group?.colors?.[g] ?? PALETTE[i % PALETTE.length]!);
  const rows = input.data.map((d) => ({ category: d.category, group: d.group ?? '', g: groups.indexOf(d.group ?? ''), value: d.value, label: d.label ?? '', detail: d.detail ?? '' }));
  const hasLegend = !!input.group && groups.length > 0 && !(groups.length === 1 && groups[0] === '');

  // room for the end-of-bar labels: extend the value domain by ~15%
  const stackTotals = new Map<string, number>();
  for (const r of rows) stackTotals.set(r.category, (stackTotals.get(r.category) ?? 0) + (grouped ? 0 : r.value));
  const extent = Math.max(
    0,
    ...(grouped ? rows.map((r) => r.value) : [...stackTotals.values()]),
    ...(input.references ?? []).map((r) => r.value),
  );
  const labels = [...Object.values(input.totals ?? {}), ...rows.map((r) => r.label)].filter((l) => l !== '');
  const labelled = labels.length > 0;
  const valueAxis: AxisOptions = { ...input.value };
  if (!valueAxis.domain && labelled && extent > 0 && (input.value.scale ?? 'linear') === 'linear') {
    // ~6.6 px per character at 11 px DejaVu Sans; keep the longest label inside the plot
    const room = horizontal ? Math.max(...labels.map((l) => l.length)) * 6.6 + 10 : 18;
    const span = horizontal ? width : input.height ?? DEFAULT_HEIGHT;
    valueAxis.domain = [0, extent / Math.max(0.4, 1 - room / span)];
  }
  if (!valueAxis.domain && !labelled && extent > 0 && (input.value.scale ?? 'linear') === 'linear') valueAxis.domain = [0, extent * 1.04];

  const V = horizontal ? 'x' : 'y';
  const C = horizontal ? 'y' : 'x';
  const offset = horizontal ? 'yOffset' : 'xOffset';
  const step = input.step ?? (grouped ? 14 : 26);
  const catEnc: Json = {
    field: 'category', type: 'nominal', sort: cats, title: input.category.title,
    scale: { domain: cats, paddingInner: grouped ? 0.25 : 0.2 },
    axis: horizontal ? { labelLimit: 280, ...HORIZONTAL_BAND_TITLE } : { labelAngle: cats.some((c) => c.length > 10) ? -30 : 0, labelAlign: cats.some((c) => c.length > 10) ? 'right' : 'center', labelLimit: 200 },
  };
  const valueEnc = quantAxis(valueAxis, 'value', { stack: grouped ? null : 'zero' });
  // values were extended for labels: do not let `nice` round the extension away into a huge gap
  (valueEnc.scale as Json).nice = !labelled;
  const colorEnc: Json = {
    field: 'group', type: 'nominal', title: input.group?.title ?? null,
    scale: { domain: groups, range: groupColors },
    legend: hasLegend ? { orient: horizontal ? 'bottom' : 'right', direction: horizontal ? 'horizontal' : 'vertical', columns: horizontal ? (groups.length <= 4 ? groups.length : 3) : 1, gridAlign: 'each', columnPadding: 16, symbolType: 'square' } : null,
  };
  const bars: Json = {
    data: { values: rows },
    mark: { type: 'bar', ...(horizontal ? {} : {}) },
    encoding: {
      [C]: catEnc,
      [V]: valueEnc,
      color: colorEnc,
      order: { field: 'g', type: 'quantitative' },
      ...(grouped ? { [offset]: { field: 'group', type: 'nominal', sort: groups, scale: { domain: groups } } } : {}),
      tooltip: [
        { field: 'category', type: 'nominal' },
        { field: 'group', type: 'nominal' },
        { field: 'value', type: 'quantitative', format: input.value.format ?? ',.3~f' },
      ],
    },
  };
  const layers: Json[] = [bars];

  const textMark = horizontal
    ? { type: 'text', align: 'left', baseline: 'middle', dx: 4, fontSize: 11, color: '#333333' }
    : { type: 'text', align: 'center', baseline: 'bottom', dy: -3, fontSize: 11, color: '#333333' };
  const refs = input.references ?? [];
  const bandRefs = refs.filter((r) => r.category !== undefined).map((r) => ({ category: r.category!, value: r.value, label: r.label ?? '', color: r.color ?? '#222222' }));
  if (bandRefs.length) {
    layers.push({
      data: { values: bandRefs },
      mark: { type: 'tick', thickness: 2.5, opacity: 1, orient: horizontal ? 'vertical' : 'horizontal' },
      encoding: {
        [C]: { field: 'category', type: 'nominal', sort: cats, scale: { domain: cats } },
        [V]: { field: 'value', type: 'quantitative' },
        color: { field: 'color', type: 'nominal', scale: null, legend: null },
      },
    });
    const withLabel = bandRefs.filter((r) => r.label !== '');
    if (withLabel.length) {
      layers.push({
        data: { values: withLabel },
        mark: horizontal
          ? { type: 'text', align: 'right', baseline: 'middle', dx: -5, fontSize: 10, fontStyle: 'italic' }
          : { type: 'text', align: 'center', baseline: 'bottom', dy: -4, fontSize: 10, fontStyle: 'italic' },
        encoding: {
          [C]: { field: 'category', type: 'nominal', sort: cats, scale: { domain: cats } },
          [V]: { field: 'value', type: 'quantitative' },
          ...(horizontal ? { yOffset: { value: -(step / 2) - 0 } } : {}),
          text: { field: 'label', type: 'nominal' },
          color: { field: 'color', type: 'nominal', scale: null, legend: null },
        },
      });
    }
  }
  const lineRefs = refs.filter((r) => r.category === undefined).map((r) => ({ axis: V as 'x' | 'y', value: r.value, label: r.label, color: r.color, dashed: true }));
  layers.push(...referenceLayers(lineRefs, valueAxis.domain?.[1] ?? extent));

  // value labels last, over a white halo, so reference ticks and lines never hide them
  const textLayers: Json[] = [];
  const perBar = rows.filter((r) => r.label !== '');
  if (perBar.length) {
    textLayers.push({
      data: { values: perBar },
      mark: textMark,
      encoding: {
        [C]: { field: 'category', type: 'nominal', sort: cats, scale: { domain: cats } },
        [V]: { field: 'value', type: 'quantitative', stack: null },
        ...(grouped ? { [offset]: { field: 'group', type: 'nominal', sort: groups, scale: { domain: groups } } } : {}),
        text: { field: 'label', type: 'nominal' },
      },
    });
  }
  if (input.totals && !grouped) {
    const totals = cats.filter((c) => input.totals![c] !== undefined).map((c) => ({ category: c, value: stackTotals.get(c) ?? 0, label: input.totals![c]! }));
    textLayers.push({
      data: { values: totals },
      mark: textMark,
      encoding: {
        [C]: { field: 'category', type: 'nominal', sort: cats, scale: { domain: cats } },
        [V]: { field: 'value', type: 'quantitative', stack: null },
        text: { field: 'label', type: 'nominal' },
      },
    });
  }

  for (const t of textLayers) layers.push(halo(t), t);

  const size = horizontal
    ? { width, height: { step: grouped ? step * Math.max(1, groups.length) : step } }
    : { width: grouped ? { step: step * Math.max(1, groups.length) } : Math.max(width, 0), height: input.height ?? DEFAULT_HEIGHT };
  if (!horizontal && !grouped) (size as Json).width = Math.min(width, Math.max(200, cats.length * 60));
  return topLevel(input.title, input.subtitle, { ...size, layer: layers, resolve: { scale: { color: 'independent' } } });
}
