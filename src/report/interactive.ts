/**
 * Makes the report's Vega-Lite specs interactive for the browser (the web UI of `vgsim serve`): tooltips
 * on every mark, and on every line chart zoom/pan (an interval selection bound to the scales: drag, wheel,
 * double-click resets) and series toggling (a point selection bound to the legend: click a legend entry to
 * keep that series, shift-click for several; the others fade). The static SVG/PNG reports do not use it.
 */
import type { TopLevelSpec } from 'vega-lite';

type Json = Record<string, any>;

function isQuant(enc: Json | undefined): boolean {
  return !!enc && (enc.type === 'quantitative' || enc.type === 'temporal');
}

/** A deep copy of `spec` with tooltips, zoom and legend toggling added where they apply. */
export function interactiveSpec(spec: TopLevelSpec): TopLevelSpec {
  const out = structuredClone(spec) as Json;
  out.config = { ...(out.config ?? {}), mark: { ...(out.config?.mark ?? {}), tooltip: true } };
  let n = 0;
  const visit = (node: Json) => {
    if (!node || typeof node !== 'object') return;
    if (Array.isArray(node.layer)) {
      // one zoom and one legend selection per layered view, on its first line layer
      const first = node.layer.find((l: Json) => (l.mark?.type ?? l.mark) === 'line' && isQuant(l.encoding?.x) && isQuant(l.encoding?.y));
      if (first && !first.params) decorate(first, n++);
      for (const l of node.layer) if (l !== first && Array.isArray(l.layer)) visit(l);
    } else if ((node.mark?.type ?? node.mark) === 'line' && node.encoding && !node.params && isQuant(node.encoding.x) && isQuant(node.encoding.y)) {
      decorate(node, n++);
    }
    for (const key of ['vconcat', 'hconcat', 'concat']) if (Array.isArray(node[key])) node[key].forEach(visit);
    if (node.spec) visit(node.spec);
  };
  visit(out);
  return out as TopLevelSpec;
}

function decorate(unit: Json, i: number) {
  const params: Json[] = [{ name: `zoom${i}`, select: { type: 'interval', encodings: ['x', 'y'] }, bind: 'scales' }];
  const color = unit.encoding.color;
  if (color?.field && color.legend !== null) {
    params.push({ name: `series${i}`, select: { type: 'point', fields: [color.field] }, bind: 'legend' });
    unit.encoding.opacity = { condition: { param: `series${i}`, value: 1 }, value: 0.12 };
  }
  unit.params = params;
  // points on the line carry the tooltips (a path's tooltip would show one datum for the whole line)
  const mark = typeof unit.mark === 'string' ? { type: unit.mark } : unit.mark;
  unit.mark = { ...mark, point: mark.point ?? { size: 30, filled: true, opacity: 0.35 } };
}
