/**
 * One engine profile as the cells of a table row, for `vgsim list engines` and the README's engine table (which
 * differ only in separators and the empty-cell mark, so both read the same profile fields the same way).
 */
import { residencyText, umt5Dtypes, type EngineProfile } from './profiles.ts';

export interface CellStyle {
  /** Between list items: ',' in the terminal, ', ' in Markdown. */
  sep: string;
  /** An empty cell: '-' in the terminal, '–' in Markdown. */
  none: string;
}

export const TERMINAL_CELLS: CellStyle = { sep: ',', none: '-' };
export const MARKDOWN_CELLS: CellStyle = { sep: ', ', none: '–' };

/** The row's cells by column, in table order. */
export function engineCells(e: EngineProfile, c: CellStyle) {
  const list = (xs: readonly string[]) => xs.join(c.sep) || c.none;
  const a = e.attention;
  return {
    kernels: `${e.style}${e.hostSync ? `${c.sep}host syncs` : ''}`,
    attention: `${a.supported.join(c.sep)} (${a.default.hopper}${a.onAda ? `; ${a.onAda.chosen}→${a.onAda.runs} on Ada` : ''})${a.sparse ? `${c.sep}sparse${a.vsa ? `${c.sep}vsa` : ''}` : ''}`,
    compile: e.compile ? (e.compile.cudaGraphs ? `yes${c.sep}CUDA graphs` : 'yes') : c.none,
    parallel: `${list(e.parallel.supported)}${e.parallel.whatIf ? ` (what-ifs: ${e.parallel.whatIf.join(c.sep)})` : ''}`,
    cfg: e.cfg.modes.join(c.sep),
    offload: list(e.offload.modes),
    offGpu: residencyText(e, c.sep) || c.none,
    vae: `${e.vae.dtype}${e.vae.tiling ? `${c.sep}tiled` : ''}${e.vae.tiny ? `${c.sep}tiny` : ''}`,
    umt5: umt5Dtypes(e.textEncoder, c.sep),
    quant: list(e.quant.schemes.map((q) => `${q.dtype}/${q.activation}`)),
    caches: list(e.caches.methods),
    distill: e.distill ? 'yes' : c.none,
    lora: e.unfusedLora ? 'unfused' : 'merged',
    source: e.source,
  };
}
