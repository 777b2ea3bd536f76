/**
 * The non-Wan families against their published time and memory figures (calibration/published/families.json):
 * HunyuanVideo's memory table and xDiT's 1–8-GPU times, the CogVideoX README and the diffusers-torchao
 * CogVideoX benchmark, Mochi's memory note. Held-out: nothing in the cost model was fitted to them.
 * `npm run validate:families` prints the comparison; the README's generated block and test/families.test.ts
 * read the same rows.
 */
import { readFileSync } from 'node:fs';
import { estimate, type Estimate } from './estimate.ts';
import { RUNTIME_OVERHEAD_GB } from './memory-fit.ts';
import { parsePlan, planGpus } from '../parallel/plan.ts';
import { getModel } from '../workload/request.ts';
import { packagePath } from '../package-files.ts';

const GIB = 2 ** 30;

export interface PublishedFamilyCase {
  id: string;
  model: string;
  gpu: string;
  plan: string;
  width: number;
  height: number;
  frames: number;
  steps: number;
  vae_tiling?: boolean;
  metric: 'total_s' | 'peak_memory_gb' | 'peak_memory_gib' | 'weights_gib';
  published: number;
  unit: string;
  source: string;
  well_specified: boolean;
  setting_gap?: string;
}

export interface PublishedFamilyRow extends PublishedFamilyCase {
  family: string;
  vgsim: number;
  /** vgsim / published − 1. */
  error: number;
  fits: boolean;
}

export function loadPublishedFamilies(file = packagePath('calibration/published/families.json')): { cases: PublishedFamilyCase[]; not_comparable: { model: string; why: string }[] } {
  return JSON.parse(readFileSync(file, 'utf8'));
}

/** The number vgsim gives for a case's metric. */
function metricOf(e: Estimate, metric: PublishedFamilyCase['metric']): number {
  switch (metric) {
    case 'total_s':
      return e.total_s;
    case 'peak_memory_gb':
      return e.peak_memory_gb + RUNTIME_OVERHEAD_GB;
    case 'peak_memory_gib':
      return (e.peak_memory_gb * 1e9) / GIB;
    case 'weights_gib': {
      // weights resident after loading: DiT, text encoders and VAE (the largest phase that holds them all)
      const w = Math.max(...e.memory.phases.map((p) => Object.entries(p.breakdown_gb).filter(([k]) => k.endsWith('_weights')).reduce((a, [, v]) => a + v, 0)));
      return (w * 1e9) / GIB;
    }
  }
}

export function comparePublishedFamilies(cases = loadPublishedFamilies().cases): PublishedFamilyRow[] {
  return cases.map((c) => {
    const plan = parsePlan(c.plan);
    const model = getModel(c.model);
    const e = estimate({
      model, gpu: c.gpu, plan, gpus: planGpus(plan),
      request: { width: c.width, height: c.height, frames: c.frames, steps: c.steps },
      options: c.vae_tiling !== undefined ? { vaeTiling: c.vae_tiling } : {},
    });
    const v = metricOf(e, c.metric);
    return { ...c, family: model.family, vgsim: v, error: v / c.published - 1, fits: e.fits };
  });
}

export interface FamilySummary {
  family: string;
  well: { n: number; medianAbs: number; maxAbs: number };
  loose: { n: number; medianAbs: number; maxAbs: number };
}

function stats(xs: number[]) {
  const a = xs.map(Math.abs).sort((x, y) => x - y);
  return { n: a.length, medianAbs: a.length ? (a.length % 2 ? a[(a.length - 1) / 2]! : (a[a.length / 2 - 1]! + a[a.length / 2]!) / 2) : NaN, maxAbs: a.length ? a[a.length - 1]! : NaN };
}

/** Errors per family, split into well-specified settings and loose ones. */
export function summarizeFamilies(rows: PublishedFamilyRow[]): FamilySummary[] {
  const families = [...new Set(rows.map((r) => r.family))];
  return families.map((f) => ({
    family: f,
    well: stats(rows.filter((r) => r.family === f && r.well_specified).map((r) => r.error)),
    loose: stats(rows.filter((r) => r.family === f && !r.well_specified).map((r) => r.error)),
  }));
}
