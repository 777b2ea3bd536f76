/**
 * Rendering chart specs to SVG and PNG for library users, loaded on first use: vega and resvg take a few
 * hundred milliseconds to import, so `import 'vgsim'` does not pay for them until a chart is drawn.
 */
import type { TopLevelSpec } from 'vega-lite';
import type { PngOptions } from '../report/charts/render.ts';

/** A Vega-Lite spec as an SVG string (byte-identical for the same spec; vendored DejaVu fonts). */
export async function renderChartSvg(spec: TopLevelSpec): Promise<string> {
  return (await import('../report/charts/render.ts')).renderSvg(spec);
}

/** A Vega-Lite spec as PNG bytes (2× by default). */
export async function renderChartPng(spec: TopLevelSpec, opts: PngOptions = {}): Promise<Buffer> {
  const r = await import('../report/charts/render.ts');
  return r.renderPng(await r.renderSvg(spec), opts);
}
