/**
 * Vega-Lite spec → SVG (vega, no browser, no canvas) → PNG (resvg with the vendored DejaVu fonts).
 *
 * Determinism: the same spec gives byte-identical SVG and PNG. Vega numbers its clip paths and gradients
 * with module-level counters, so they are reset before every render; text widths are Vega's own estimates
 * (no canvas), and resvg sees only the two vendored fonts (`loadSystemFonts: false`), never the host's.
 */
import { createRequire } from 'node:module';
import type { TopLevelSpec } from 'vega-lite';
import type { Resvg as ResvgClass, renderAsync as RenderAsync, ResvgRenderOptions } from '@resvg/resvg-js';
import { packagePath } from '../../package-files.ts';

// vega, vega-lite and resvg are loaded on first use (together ~0.3 s of start-up on a 2-core VM), so
// commands and library imports that never draw a chart do not pay for them.
let renderer: Promise<{ vega: typeof import('vega'); compile: typeof import('vega-lite').compile }> | undefined;
const loadRenderer = () => (renderer ??= Promise.all([import('vega'), import('vega-lite')]).then(([vega, vl]) => ({ vega, compile: vl.compile })));
let resvg: { Resvg: typeof ResvgClass; renderAsync: typeof RenderAsync } | undefined;
const loadResvg = () => (resvg ??= createRequire(import.meta.url)('@resvg/resvg-js') as { Resvg: typeof ResvgClass; renderAsync: typeof RenderAsync });

/** The one font family every chart uses (Vega `config.font` and resvg's default family). */
export const CHART_FONT = 'DejaVu Sans';

/** Absolute paths of the vendored fonts (assets/fonts, Bitstream Vera/DejaVu licence beside them). */
export const FONT_FILES: readonly string[] = [
  packagePath('assets', 'fonts', 'DejaVuSans.ttf'),
  packagePath('assets', 'fonts', 'DejaVuSans-Bold.ttf'),
];

/** Compile a Vega-Lite spec and render it to an SVG string (same spec ⇒ byte-identical SVG). */
export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  const { vega, compile } = await loadRenderer();
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

const resvgOptions = (opts: PngOptions): ResvgRenderOptions => ({
  font: { loadSystemFonts: false, fontFiles: [...FONT_FILES], defaultFontFamily: CHART_FONT },
  fitTo: { mode: 'zoom', value: opts.scale ?? 2 },
  background: opts.background ?? 'white',
});

/** Rasterize an SVG with resvg and the vendored fonts only. */
export function renderPng(svg: string, opts: PngOptions = {}): Buffer {
  const { Resvg } = loadResvg();
  return new Resvg(svg, resvgOptions(opts)).render().asPng();
}

/**
 * renderPng of several SVGs at once on libuv's thread pool (resvg's renderAsync: the same code, the same
 * bytes), so a report's charts rasterize on every core instead of one after another on the main thread.
 */
export async function renderPngs(svgs: readonly string[], opts: PngOptions = {}): Promise<Buffer[]> {
  const { renderAsync } = loadResvg();
  return Promise.all(svgs.map(async (svg) => (await renderAsync(svg, resvgOptions(opts))).asPng()));
}
