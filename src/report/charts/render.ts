/**
 * Vega-Lite spec → SVG (vega, no browser, no canvas) → PNG (resvg with the vendored DejaVu fonts).
 *
 * Determinism: the same spec gives byte-identical SVG and PNG. Vega numbers its clip paths and gradients
 * with module-level counters, so they are reset before every render; text widths are Vega's own estimates
 * (no canvas), and resvg sees only the two vendored fonts (`loadSystemFonts: false`), never the host's.
 */
import { fileURLToPath } from 'node:url';
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import { Resvg } from '@resvg/resvg-js';

/** The one font family every chart uses (Vega `config.font` and resvg's default family). */
export const CHART_FONT = 'DejaVu Sans';

/** Absolute paths of the vendored fonts (assets/fonts, Bitstream Vera/DejaVu licence beside them). */
export const FONT_FILES: readonly string[] = [
  fileURLToPath(new URL('../../../assets/fonts/DejaVuSans.ttf', import.meta.url)),
  fileURLToPath(new URL('../../../assets/fonts/DejaVuSans-Bold.ttf', import.meta.url)),
];

/** Compile a Vega-Lite spec and render it to an SVG string (same spec ⇒ byte-identical SVG). */
export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  const compiled = compile(spec).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none', logLevel: vega.Error });
  try {
    vega.resetSVGDefIds();
    const svg = await view.toSVG();
    return svg.endsWith('\n') ? svg : svg + '\n';
  } finally {
    view.finalize();
  }
}

export interface PngOptions {
  /** Pixel density relative to the SVG's size (default 2, crisp on high-DPI screens and in slides). */
  scale?: number;
  /** Background colour (default white; the SVG itself is transparent outside the chart). */
  background?: string;
}

/** Rasterize an SVG with resvg and the vendored fonts only. */
export function renderPng(svg: string, opts: PngOptions = {}): Buffer {
  const resvg = new Resvg(svg, {
    font: { loadSystemFonts: false, fontFiles: [...FONT_FILES], defaultFontFamily: CHART_FONT },
    fitTo: { mode: 'zoom', value: opts.scale ?? 2 },
    background: opts.background ?? 'white',
  });
  return resvg.render().asPng();
}
