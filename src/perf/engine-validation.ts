/**
 * Published timings of Wan on serving engines (calibration/published/engines-e2e.json: held out, nothing fitted
 * to them) through `estimate`, row by row: `npm run validate:engines`, the README block and the test use it.
 */
import { readFileSync } from 'node:fs';
import { estimate, type Estimate } from './estimate.ts';
import { getModel } from '../workload/request.ts';
import { parsePlan } from '../parallel/plan.ts';
import { accelerationOptions, type AccelerationSpec } from '../engines/inference-spec.ts';

export interface EngineValidationRow {
  id: string;
  engine: string;
  model: string;
  gpu: string;
  gpus: number;
  parallel: string;
  resolution: string;
  frames: number;
  steps: number;
  cfg: boolean;
  options: AccelerationSpec & { attention?: string; dtype?: string; compile?: boolean; fp32_matmul?: 'tf32' | 'ieee' };
  metric: 'e2e_s' | 'denoise_s' | 's_per_step';
  value: number;
  confidence: 'stated' | 'inferred' | 'low';
  source: string;
  notes: string;
}

export interface EngineValidationFile {
  rows: EngineValidationRow[];
  excluded: { ids: string[]; reason: string }[];
}

export interface EngineComparison {
  id: string;
  engine: string;
  model: string;
  gpu: string;
  gpus: number;
  settings: string;
  metric: EngineValidationRow['metric'];
  published: number;
  vgsim: number;
  /** vgsim / published − 1. */
  error: number;
  confidence: EngineValidationRow['confidence'];
}

export function loadEngineValidation(file: string): EngineValidationFile {
  return JSON.parse(readFileSync(file, 'utf8')) as EngineValidationFile;
}

/** The estimate of one row, as its source ran it. */
export function estimateRow(r: EngineValidationRow): Estimate {
  const [width, height] = r.resolution.split('x').map(Number) as [number, number];
  const o = r.options;
  return estimate({
    model: getModel(r.model), gpu: r.gpu, gpus: r.gpus, plan: parsePlan(r.parallel),
    request: { width, height, frames: r.frames, steps: r.steps, cfg: r.cfg },
    options: {
      engine: r.engine,
      ...(o.attention ? { attention: o.attention as 'auto' } : {}),
      ...(o.dtype ? { dtype: o.dtype as 'bf16' } : {}),
      ...(o.compile ? { compile: true } : {}),
      ...(o.fp32_matmul ? { fp32Matmul: o.fp32_matmul } : {}),
      ...accelerationOptions(o, r.id),
    },
  });
}

const value = (e: Estimate, m: EngineValidationRow['metric']) => (m === 'e2e_s' ? e.total_s : m === 'denoise_s' ? e.denoise_s : e.step_s);

export function compareEngines(rows: readonly EngineValidationRow[]): EngineComparison[] {
  return rows.map((r) => compareEngineRow(r, estimateRow(r)));
}

/** One row against its estimate (estimateRow). */
export function compareEngineRow(r: EngineValidationRow, e: Estimate): EngineComparison {
  const v = value(e, r.metric);
  const knobs = Object.entries(r.options).map(([k, x]) => `${k}=${Array.isArray(x) ? x.join(',') : typeof x === 'object' ? Object.entries(x).map(([a, b]) => `${a}:${b}`).join('/') : x}`);
  return {
    id: r.id, engine: r.engine, model: r.model, gpu: r.gpu, gpus: r.gpus,
    settings: [r.parallel !== 'none' ? r.parallel : '', `${r.resolution}x${r.frames}f/${r.steps}st${r.cfg ? '' : ' no-CFG'}`, ...knobs].filter(Boolean).join(' '),
    metric: r.metric, published: r.value, vgsim: v, error: v / r.value - 1, confidence: r.confidence,
  };
}

export interface EngineSummary {
  n: number;
  median: number;
  within10: number;
  within25: number;
}

/** |error| statistics over a set of comparisons. */
export function summarizeEngines(rows: readonly EngineComparison[]): EngineSummary {
  const a = rows.map((r) => Math.abs(r.error)).sort((x, y) => x - y);
  const mid = a.length === 0 ? 0 : a.length % 2 ? a[(a.length - 1) / 2]! : (a[a.length / 2 - 1]! + a[a.length / 2]!) / 2;
  return { n: a.length, median: mid, within10: a.filter((x) => x <= 0.1).length, within25: a.filter((x) => x <= 0.25).length };
}
