/**
 * The figures the README's cost-model validation prose states: the H100 validation set rerun on a second H100 and
 * on an H200 (`npm run validate:model`), and the official Wan2.2 table's multi-GPU RTX 4090 rows
 * (`npm run validate:published`), computed now from the committed measurements.
 */
import { compareValidation, loadValidation } from '../perf/validation.ts';
import { comparePublished, loadPublishedTable } from '../perf/published.ts';
import { packagePath } from '../package-files.ts';
import { compareVaeTiled, loadVaeTiledRun, type VaeTiledRow } from '../perf/vae-tiled-validation.ts';
import { errorRange, within } from './prose-figures.ts';

/** Each comparison once per process: several figures read the same one (the engine figures cache theirs alike). */
const memo = new Map<string, unknown>();
function once<T>(key: string, compute: () => T): T {
  if (!memo.has(key)) memo.set(key, compute());
  return memo.get(key) as T;
}

const validation = (gpu: string, file: string) => once(file, () => compareValidation(gpu, loadValidation(packagePath(file)).cases));
const repeat = () => validation('h100-sxm', 'calibration/validation/h100-sxm-repeat.json');
const h200 = () => validation('h200', 'calibration/validation/h200.json');
const timeOf = (rows: ReturnType<typeof repeat>, kind: string) => rows.filter((r) => r.kind === kind).map((r) => r.time_error);

/** The official table's RTX 4090 rows on 4 and 8 GPUs (no GPU peer-to-peer). */
const rtx4090Multi = () => once('wan22-comp-effic', () => comparePublished(loadPublishedTable(packagePath('calibration/published/wan22-comp-effic.json'))))
  .filter((r) => /4090/.test(r.gpu_label) && r.gpus >= 4).map((r) => r.time_error);

/** The tiled and whole-frame VAE stages measured by calibration/wan_vae_tiled.py (`npm run validate:vae-tiled`). */
const vaeRows = (file: string) => once(`vae/${file}`, () => compareVaeTiled(loadVaeTiledRun(packagePath(`calibration/vae/${file}.json`))));
const vae = (file: string, keep: (r: VaeTiledRow) => boolean = () => true) =>
  vaeRows(file).filter((r) => r.error !== null && keep(r)).map((r) => r.error!);
const whole = (r: VaeTiledRow) => r.op === 'decode' || r.op === 'encode';
const at = (op: VaeTiledRow['op'], size: string) => (r: VaeTiledRow) => r.op === op && r.case.startsWith(size);
/** "1.77–1.94×": the tiled stages' time over the whole frame's, to a hundredth (measured or priced). */
function tiledRatio(file: string, which: 'measured' | 'model'): string {
  const xs = vaeRows(file).map((r) => r.tiledRatio?.[which]).filter((x): x is number => typeof x === 'number');
  const [lo, hi] = [Math.min(...xs), Math.max(...xs)].map((x) => x.toFixed(2).replace(/0$/, ''));
  return lo === hi ? `${lo}×` : `${lo}–${hi}×`;
}

export const VALIDATION_PROSE_FIGURES: Record<string, () => string> = {
  'h100-repeat.time': () => within(repeat().filter((r) => r.kind !== 'text_encode').map((r) => r.time_error)),
  'h100-repeat.memory': () => within(repeat().map((r) => r.memory_error)),
  'h200.dit': () => errorRange(timeOf(h200(), 'dit_forward')),
  'h200.vae': () => errorRange(timeOf(h200(), 'vae_decode')),
  'h200.memory': () => within(h200().map((r) => r.memory_error)),
  'published.4090-multi': () => errorRange(rtx4090Multi()),
  'vae.h200': () => within(vae('h200')),
  'vae.h200.ratio-measured': () => tiledRatio('h200', 'measured'),
  'vae.h200.ratio-model': () => tiledRatio('h200', 'model'),
  'vae.h100.whole': () => within(vae('h100-sxm', whole)),
  'vae.h100.tiled-decode': () => within(vae('h100-sxm', (r) => r.op === 'decode_tiled')),
  'vae.h100.tiled-encode-720': () => errorRange(vae('h100-sxm', at('encode_tiled', '1280x720'))),
  'vae.h100.tiled-encode-480': () => errorRange(vae('h100-sxm', at('encode_tiled', '832x480'))),
  'vae.h100b.tiled-encode-480': () => errorRange(vae('h100-sxm-b', at('encode_tiled', '832x480'))),
};
