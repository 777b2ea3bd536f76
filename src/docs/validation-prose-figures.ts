/**
 * The figures the README's cost-model validation prose states: the H100 validation set rerun on a second H100 and
 * on an H200 (`npm run validate:model`), and the official Wan2.2 table's multi-GPU RTX 4090 rows
 * (`npm run validate:published`), computed now from the committed measurements.
 */
import { compareValidation, loadValidation } from '../perf/validation.ts';
import { comparePublished, loadPublishedTable } from '../perf/published.ts';
import { packagePath } from '../package-files.ts';
import { errorRange, within } from './prose-figures.ts';

const validation = (gpu: string, file: string) => compareValidation(gpu, loadValidation(packagePath(file)).cases);
const repeat = () => validation('h100-sxm', 'calibration/validation/h100-sxm-repeat.json');
const h200 = () => validation('h200', 'calibration/validation/h200.json');
const timeOf = (rows: ReturnType<typeof repeat>, kind: string) => rows.filter((r) => r.kind === kind).map((r) => r.time_error);

/** The official table's RTX 4090 rows on 4 and 8 GPUs (no GPU peer-to-peer). */
const rtx4090Multi = () => comparePublished(loadPublishedTable(packagePath('calibration/published/wan22-comp-effic.json')))
  .filter((r) => /4090/.test(r.gpu_label) && r.gpus >= 4).map((r) => r.time_error);

export const VALIDATION_PROSE_FIGURES: Record<string, () => string> = {
  'h100-repeat.time': () => within(repeat().filter((r) => r.kind !== 'text_encode').map((r) => r.time_error)),
  'h100-repeat.memory': () => within(repeat().map((r) => r.memory_error)),
  'h200.dit': () => errorRange(timeOf(h200(), 'dit_forward')),
  'h200.vae': () => errorRange(timeOf(h200(), 'vae_decode')),
  'h200.memory': () => within(h200().map((r) => r.memory_error)),
  'published.4090-multi': () => errorRange(rtx4090Multi()),
};
