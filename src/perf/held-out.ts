/**
 * Every held-out comparison vgsim has, GPU by GPU (and by serving engine and model family where a row names them):
 * how far the cost model landed from measurements it was not fitted to. Nothing here feeds back into the model; it builds the evidence ledger (gpu-evidence.ts) that tells
 * a user how much an answer on a given GPU rests on.
 *
 * The sets (each also printed by its own `npm run validate:*` script):
 *  - own-wan        our Wan re-implementation's blocks, forwards and VAE decodes (calibration/validation/<gpu>*.json,
 *                   validate_gpu.py); time leaves out the umT5 encodes, as validate:model does
 *  - own-sp         whole Ulysses-2 forwards ± FSDP on two GPUs (calibration/validation/<gpu>-x2-*.json)
 *  - own-families   the other families' DiT forwards and decoder calls (calibration/families/<gpu>-l<N>.json);
 *                   peaks measured with a superseded reference are left out, as the README's summary does
 *  - own-postprocess interpolation and super-resolution networks (calibration/postprocess/<gpu>.json)
 *  - own-kernels    Wan DiT forwards' modelled GPU time against the kernels of their CUPTI profiles
 *                   (calibration/host/forward-kernels-<gpu>*.json, forward-kernel-profiles.ts)
 *  - wan22-table    the official Wan2.2 computational-efficiency table (calibration/published/wan22-comp-effic.json)
 *  - published-families  HunyuanVideo, CogVideoX and Mochi figures (calibration/published/families.json)
 *  - engines        production engines' published end-to-end timings (calibration/published/engines-e2e.json)
 * `specified` is false where the source leaves settings open (a loose published figure, an engine row of low
 * confidence); those rows are counted but kept out of the summary statistics.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { packagePath } from '../package-files.ts';
import { compareSpValidation, compareValidation, loadValidation } from './validation.ts';
import { compareFamilyMeasurements, gpuOfMeasurementFile, loadFamilyMeasurements } from './family-measurements.ts';
import { comparePostprocess, loadBench } from './postprocess-validation.ts';
import { catalogGpuOfDeviceName } from '../hardware/device-names.ts';
import { comparePublished, loadPublishedTable } from './published.ts';
import { comparePublishedFamilies } from './published-families.ts';
import { compareEngines, loadEngineValidation } from './engine-validation.ts';
import { compareForwardKernelProfiles } from './forward-kernel-profiles.ts';
import { parsePlan, planGpus } from '../parallel/plan.ts';
import type { HeldOutRow } from './gpu-evidence.ts';
import { MODELS } from '../workload/models.ts';

/** Our re-implementations of the official Wan code and the official Wan2.2 table. */
const WAN_OFFICIAL = { engine: 'official', family: 'wan' } as const;

const dir = (...p: string[]) => packagePath('calibration', ...p);
const jsonFiles = (d: string) => (existsSync(d) ? readdirSync(d).filter((f) => f.endsWith('.json')).sort() : []);

function ownWan(): HeldOutRow[] {
  const rows: HeldOutRow[] = [];
  for (const f of jsonFiles(dir('validation'))) {
    const raw = JSON.parse(readFileSync(dir('validation', f), 'utf8'));
    const multi = typeof raw.world_size === 'number' && raw.world_size > 1;
    if (multi) {
      for (const r of compareSpValidation(raw.gpu, raw.node, raw.cases)) {
        rows.push({ set: 'own-sp', id: `${f}: ${r.case}`, gpu: raw.gpu, gpus: raw.world_size, metric: 'time', error: r.time_error, specified: true, ...WAN_OFFICIAL });
        rows.push({ set: 'own-sp', id: `${f}: ${r.case}`, gpu: raw.gpu, gpus: raw.world_size, metric: 'memory', error: r.memory_error, specified: true, ...WAN_OFFICIAL });
      }
      continue;
    }
    // <gpu>.json or <gpu>-repeat.json: the GPU is the file's name
    const gpu = f.replace(/\.json$/, '').replace(/-repeat$/, '');
    for (const r of compareValidation(gpu, loadValidation(dir('validation', f)).cases)) {
      if (r.kind !== 'text_encode') rows.push({ set: 'own-wan', id: `${f}: ${r.case}`, gpu, gpus: 1, metric: 'time', error: r.time_error, specified: true, ...WAN_OFFICIAL });
      rows.push({ set: 'own-wan', id: `${f}: ${r.case}`, gpu, gpus: 1, metric: 'memory', error: r.memory_error, specified: true, ...WAN_OFFICIAL });
    }
  }
  return rows;
}

function ownFamilies(): HeldOutRow[] {
  const rows: HeldOutRow[] = [];
  for (const f of jsonFiles(dir('families')).filter((x) => x !== 'reference-counts.json')) {
    const m = loadFamilyMeasurements(dir('families', f));
    const gpu = gpuOfMeasurementFile(f);
    const old = new Set(m.notes?.old_reference_peaks ?? []);
    for (const r of compareFamilyMeasurements(gpu, m)) {
      // the official code of the family (families_reference.py reproduces it); the family of a DiT or of its decoder
      const scope = { engine: 'official', family: MODELS.find((x) => x.id === r.id || x.vae.id === r.id)?.family };
      rows.push({ set: 'own-families', id: `${f}: ${r.case}`, gpu, gpus: 1, metric: 'time', error: r.time_error, specified: true, ...scope });
      if (!old.has(r.id)) rows.push({ set: 'own-families', id: `${f}: ${r.case}`, gpu, gpus: 1, metric: 'memory', error: r.memory_error, specified: true, ...scope });
    }
  }
  return rows;
}

function ownPostprocess(): HeldOutRow[] {
  const rows: HeldOutRow[] = [];
  for (const f of jsonFiles(dir('postprocess'))) {
    const bench = loadBench(dir('postprocess', f));
    const gpu = bench.device === 'cuda' ? catalogGpuOfDeviceName(bench.gpu_name) : undefined;
    if (!gpu) continue; // CPU files check FLOP counts only
    for (const c of comparePostprocess(bench, gpu)) {
      const id = `${f}: ${c.network} ${c.resolution} ${c.dtype}`;
      if (c.time_error !== null) rows.push({ set: 'own-postprocess', id, gpu, gpus: 1, metric: 'time', error: c.time_error, specified: true });
      if (c.measured_gb) rows.push({ set: 'own-postprocess', id, gpu, gpus: 1, metric: 'memory', error: c.model_gb / c.measured_gb - 1, specified: true });
    }
  }
  return rows;
}

function ownKernels(): HeldOutRow[] {
  return compareForwardKernelProfiles('h100-sxm').map((r) => ({ set: 'own-kernels' as const, id: `${r.file}: ${r.model} ${r.shape}`, gpu: 'h100-sxm', gpus: 1, metric: 'time' as const, error: r.error, specified: true, ...WAN_OFFICIAL }));
}

function wan22Table(): HeldOutRow[] {
  return comparePublished(loadPublishedTable(dir('published', 'wan22-comp-effic.json'))).flatMap((r) => {
    const id = `${r.gpu_label} ${r.task}${r.mode ? ` ${r.mode}` : ''} ${r.size} ×${r.gpus}`;
    return [
      { set: 'wan22-table' as const, id, gpu: r.gpu, gpus: r.gpus, metric: 'time' as const, error: r.time_error, specified: true, ...WAN_OFFICIAL, model: `wan2.2-${r.task.toLowerCase()}` },
      { set: 'wan22-table' as const, id, gpu: r.gpu, gpus: r.gpus, metric: 'memory' as const, error: r.memory_error, specified: true, ...WAN_OFFICIAL },
    ];
  });
}

function publishedFamilies(): HeldOutRow[] {
  return comparePublishedFamilies().map((r) => ({
    set: 'published-families' as const, id: r.id, gpu: r.gpu, gpus: planGpus(parsePlan(r.plan)),
    metric: r.metric === 'total_s' ? ('time' as const) : ('memory' as const), error: r.error, specified: r.well_specified, family: r.family, model: r.model,
  }));
}

function engines(): HeldOutRow[] {
  const file = loadEngineValidation(dir('published', 'engines-e2e.json'));
  return compareEngines(file.rows).map((r) => ({ set: 'engines' as const, id: r.id, gpu: r.gpu, gpus: r.gpus, metric: 'time' as const, error: r.error, specified: r.confidence !== 'low', engine: r.engine, family: 'wan', model: r.model }));
}

/** Every held-out comparison, set by set (about ten seconds: it prices every case). */
export function heldOutRows(): HeldOutRow[] {
  return [...ownWan(), ...ownFamilies(), ...ownPostprocess(), ...ownKernels(), ...wan22Table(), ...publishedFamilies(), ...engines()];
}
