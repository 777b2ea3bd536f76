/**
 * One engine profile as the cells of a table row, for `vgsim list engines` and the README's engine table (which
 * differ only in separators and the empty-cell mark, so both read the same profile fields the same way).
 */
import { residencyText, umt5Dtypes, type EngineProfile } from './profiles.ts';
import { engineDefaultShift } from './sample-shift.ts';
import { MODELS } from '../workload/models.ts';

/** The checkpoints the shift column shows, at their usual sizes: Wan2.1 T2V 1.3B / 14B, I2V-14B 480P, Wan2.2 T2V-A14B. */
const SHIFT_COLUMN: readonly [string, number, number][] = [['wan2.1-t2v-1.3b', 832, 480], ['wan2.1-t2v-14b', 1280, 720], ['wan2.1-i2v-14b', 832, 480], ['wan2.2-t2v-a14b', 1280, 720]];

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
    parallel: `${list(e.parallel.supported.map((f) => (e.parallel.only?.[f] ? `${f} (${e.parallel.only[f]!.label} only)` : f)))}${e.parallel.whatIf ? ` (what-ifs: ${e.parallel.whatIf.join(c.sep)})` : ''}`,
    cfg: e.cfg.modes.join(c.sep),
    offload: `${list(e.offload.modes)}${e.offload.whatIf ? ` (what-ifs: ${e.offload.whatIf.join(c.sep)})` : ''}`,
    offGpu: residencyText(e, c.sep) || c.none,
    vae: `${e.vae.dtype}${e.vae.tiling ? `${c.sep}tiled` : ''}${e.vae.tiny ? `${c.sep}tiny` : ''}`,
    umt5: umt5Dtypes(e.textEncoder, c.sep),
    quant: list(e.quant.schemes.map((q) => `${q.dtype}/${q.activation}`)),
    caches: list(e.caches.methods),
    shift: shiftCell(e, c),
    distill: e.distill ? 'yes' : c.none,
    lora: e.unfusedLora ? 'unfused' : 'merged',
    source: e.source,
  };
}

/** The sampler shift the engine runs each SHIFT_COLUMN checkpoint at by default ('?' where vgsim does not know it). */
function shiftCell(e: EngineProfile, c: CellStyle): string {
  const v = SHIFT_COLUMN.map(([id, width, height]) => engineDefaultShift(e.id, MODELS.find((m) => m.id === id)!, { width, height })?.shift);
  return v.every((x) => x === undefined) ? c.none : v.map((x) => x ?? '?').join('/');
}
