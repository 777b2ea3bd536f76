/**
 * Published quality of the accelerations that change the output (step caches, distillation), so an estimate
 * can show what a speed-up costs and a sweep can rank by cost at a quality floor. Only settings with a
 * published number are listed; most are single-prompt PSNRs against the full model's video from the methods'
 * own demo pages, not benchmark means (VBench tables for these settings could not be read as text: a gap).
 */
import { formatCache, type CacheSpec } from './step-cache.ts';
import { isQuantizedAttention } from '../workload/ops.ts';
import type { Acceleration } from './rules.ts';

export interface QualityRecord {
  /** What it measures, against the same model without the acceleration. */
  metric: 'PSNR' | 'SSIM' | 'LPIPS';
  value: number;
  /** Higher is better (PSNR, SSIM) or lower (LPIPS). */
  better: 'higher' | 'lower';
  /** The evaluation behind the number. */
  basis: string;
  source: string;
}

interface Entry {
  match: (model: string, height: number, c: CacheSpec) => boolean;
  records: QualityRecord[];
}

const MAG_DEMO = 'Zehong-Ma/MagCache@df81cb1:docs/index.html (demo captions)';
const mag = (t: number, k: number, r: number) => (c: CacheSpec) => c.method === 'magcache' && near(c.threshold, t) && c.k === k && near(c.retention, r);
const tea = (t: number, ret = false) => (c: CacheSpec) => c.method === 'teacache' && near(c.threshold, t) && c.retSteps === ret;
const near = (a: number, b: number) => Math.abs(a - b) < 1e-9;
const psnr = (value: number, basis: string, source = MAG_DEMO): QualityRecord => ({ metric: 'PSNR', value, better: 'higher', basis, source });

const ENTRIES: readonly Entry[] = [
  // Wan2.1-T2V-14B 720P: TeaCache 0.2 vs MagCache E024K6R02, two demo prompts
  { match: (m, h, c) => m === 'wan2.1-t2v-14b' && h >= 720 && mag(0.24, 6, 0.2)(c), records: [psnr(24.39, 'single prompt (demo 1) vs the full model'), psnr(21.82, 'single prompt (demo 2) vs the full model')] },
  { match: (m, h, c) => m === 'wan2.1-t2v-14b' && h >= 720 && tea(0.2)(c), records: [psnr(17.39, 'single prompt (demo 1) vs the full model'), psnr(14.32, 'single prompt (demo 2) vs the full model')] },
  // Wan2.1-T2V-1.3B 480P
  { match: (m, _h, c) => m === 'wan2.1-t2v-1.3b' && mag(0.12, 2, 0.2)(c), records: [psnr(20.51, 'single prompt vs the full model')] },
  { match: (m, _h, c) => m === 'wan2.1-t2v-1.3b' && mag(0.12, 4, 0.2)(c), records: [psnr(18.93, 'single prompt vs the full model')] },
  {
    match: (m, _h, c) => m === 'wan2.1-t2v-1.3b' && tea(0.08)(c),
    records: [
      // both sources give TeaCache's speed-up (2.0x), not its threshold: 0.08 is the TeaCache README's 2.0x row (inferred)
      psnr(14.86, 'single prompt vs the full model; TeaCache "2.0x" (threshold inferred)'),
      { metric: 'PSNR', value: 22.57, better: 'higher', basis: 'VBench prompts, mean vs the full model; TeaCache at 2.00x on A800 (threshold inferred)', source: 'H-EmbodVis/EasyCache@033e4fa:README.md' },
      { metric: 'SSIM', value: 0.8057, better: 'higher', basis: 'VBench prompts, mean vs the full model (threshold inferred)', source: 'H-EmbodVis/EasyCache@033e4fa:README.md' },
      { metric: 'LPIPS', value: 0.1277, better: 'lower', basis: 'VBench prompts, mean vs the full model (threshold inferred)', source: 'H-EmbodVis/EasyCache@033e4fa:README.md' },
    ],
  },
  // Wan2.1-I2V-14B
  { match: (m, h, c) => m === 'wan2.1-i2v-14b' && h <= 480 && tea(0.26)(c), records: [psnr(20.04, 'single prompt vs the full model')] },
  { match: (m, h, c) => m === 'wan2.1-i2v-14b' && h <= 480 && mag(0.12, 4, 0.2)(c), records: [psnr(25.38, 'single prompt vs the full model')] },
  { match: (m, h, c) => m === 'wan2.1-i2v-14b' && h <= 480 && mag(0.24, 6, 0.2)(c), records: [psnr(22.58, 'single prompt vs the full model')] },
  { match: (m, h, c) => m === 'wan2.1-i2v-14b' && h >= 720 && mag(0.24, 6, 0.2)(c), records: [psnr(23.67, 'single prompt (3 s video) vs the full model; MagCache "3.0x" (E024K6R02 inferred)')] },
];

/** Published quality of a cache setting for a model and resolution (empty: none published). */
export function cacheQuality(model: string, height: number, c: CacheSpec): QualityRecord[] {
  const m = model.replace(/-(step)?distill.*$/, '');
  return ENTRIES.filter((e) => e.match(m, height, c)).flatMap((e) => e.records);
}

/**
 * The published quality that applies to a request, or why none does. A record holds for the setting it was
 * published at and nothing else: the cache alone (the demos and VBench runs changed nothing else), at the
 * official script's step count (the demos ran generate.py's defaults: T2V 50 steps, I2V 40, `model.defaults.steps`)
 * and on the sampler shift the schedule was published at (`offSchedule` unset). Anything else that changes the
 * video (a distill, sparse or quantised attention, FP8/INT8 linears, the tiny VAE) is not in any published
 * figure, so the combination's quality is unknown: `note` says why, and a psnr floor fails it.
 */
export function publishedQuality(r: {
  model: string; height: number; steps: number; defaultSteps: number;
  cache?: { spec: CacheSpec; offSchedule?: string };
  accelerations: readonly Acceleration[];
}): { records: QualityRecord[]; note: string | null } {
  const changes = outputChangeLabels(r.accelerations);
  if (!changes.length) return { records: [], note: null };
  const records = r.cache ? cacheQuality(r.model, r.height, r.cache.spec) : [];
  const unknown = (why: string) => ({ records: [], note: `unknown: ${why}` });
  if (!records.length) return unknown(`no published quality for ${changes.join(', ')} on ${r.model}`);
  const others = changes.filter((c) => !c.startsWith('cache '));
  const cacheName = r.cache ? `cache ${formatCache(r.cache.spec)}` : 'the cache';
  if (others.length) return unknown(`the published figures for ${cacheName} were measured with the cache alone; with ${others.join(', ')} as well nothing is published`);
  if (r.steps !== r.defaultSteps) return unknown(`the published figures for ${cacheName} ran ${r.defaultSteps} steps, this request ${r.steps}`);
  if (r.cache?.offSchedule) return unknown(`the published figures for ${cacheName} hold on their published schedule; ${r.cache.offSchedule}`);
  return { records, note: null };
}

/**
 * Whether the accelerations change the video (not only its cost): step caches, distilled weights, sparse
 * attention, quantised linears, attention or umT5. Kernel fusion, compile, engines' bf16 paths and VAE
 * precision are treated as exact (numerically close, not a different computation).
 */
export function changesOutput(acc: readonly Acceleration[]): boolean {
  return acc.some((a) => ['cache', 'distill', 'sparse', 'dtype', 'text_encoder_dtype'].includes(a.knob) || (a.knob === 'attention' && isQuantizedAttention(a.value)) || (a.knob === 'vae' && a.value.startsWith('tiny')));
}

/** "dtype fp8", "cache teacache:0.2": the accelerations that change the video, each as knob and setting (a cache's value goes on with its schedule, cut here). */
export function outputChangeLabels(acc: readonly Acceleration[]): string[] {
  return acc.filter((a) => changesOutput([a])).map((a) => `${a.knob} ${String(a.value).split(': ')[0]}`);
}

/** The lowest published PSNR among quality records (null: none published). */
export function worstPsnr(q: readonly QualityRecord[]): number | null {
  const v = q.filter((r) => r.metric === 'PSNR').map((r) => r.value);
  return v.length ? Math.min(...v) : null;
}
