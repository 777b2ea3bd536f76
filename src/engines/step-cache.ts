/**
 * Step caching: which DiT forwards of a request are skipped (their blocks replaced by a cached residual) and
 * what a skipped forward still costs. A forward is one CFG branch of one step; cond and uncond keep separate
 * caches in every method here (even/odd forwards).
 *
 *  - magcache  The published rule run on the published ratio tables (Zehong-Ma/MagCache@df81cb1:
 *              MagCache4Wan2.1/magcache_generate.py:277-292, MagCache4Wan2.2/magcache_generate.py:294-317):
 *              after the retention window, multiply the running magnitude ratio by the next table entry,
 *              add |1 − ratio| to the error, skip while error < threshold and consecutive skips ≤ K, else
 *              compute and reset. Tables are nearest-interpolated to other step counts (lines 27-34). Wan2.2
 *              keeps the high-noise phase (I2V) or the start of each phase (T2V) computed. No GPU work to decide.
 *              `magcache:…,first`: the first release's indexing (Zehong-Ma/MagCache@8a2fcbf, 2025-06-09:
 *              MagCache4Wan2.1/magcache_generate.py:638 reads mag_ratios[cnt − retention start], the entries of
 *              earlier, steadier steps; 8715292 changed it to mag_ratios[cnt] on 2025-06-14). Every timing in
 *              MagCache4Wan2.1/README.md was added on 06-09/10 (git log -S), so those runs used it.
 *  - teacache  Its indicator needs the time-embedding weights, so the schedule is not computable here: the
 *              fraction of forwards computed is taken from the TeaCache README's published timings
 *              (teacache.ts), interpolated in the threshold. Flagged as published, not derived.
 *  - fbcache   First-Block-Cache (diffusers hooks/first_block_cache.py:39-98): every forward runs block 0 and
 *              compares its residual with the cached one; the skip decision depends on the data, and no skip
 *              fraction for Wan is published, so the user gives it (`skip=`). A skipped forward still costs
 *              block 0 and a full-size reduction.
 *  - scm       cache-dit's static step masks (vipshop/cache-dit@f86744a:src/cache_dit/caching/cache_interface.py:
 *              640-660): of every 28 steps, slow computes 18, medium 15, fast 11, ultra 8; cached steps still
 *              run the Fn front blocks (DBCache F8B0 by default, docs/user_guide/DBCACHE_DESIGN.md).
 */
import { InputError, didYouMean, type InputIssue } from '../errors.ts';
import { MAG_RATIOS } from './magcache-ratios.ts';
import { teacacheComputedFraction } from './teacache.ts';
import { cacheShiftNote, type ShiftChoice } from './sample-shift.ts';
import type { ModelSpec } from '../workload/models.ts';
import { highNoiseSteps } from '../workload/models.ts';

export type CacheSpec =
  | { method: 'magcache'; threshold: number; k: number; retention: number; first?: boolean }
  | { method: 'teacache'; threshold: number; retSteps: boolean }
  | { method: 'fbcache'; threshold: number; skip: number }
  | { method: 'scm'; preset: 'slow' | 'medium' | 'fast' | 'ultra'; frontBlocks: number };

/** MagCache's script defaults: Wan2.1 thresh 0.12, K 2, retention 0.2 (MagCache4Wan2.1/magcache_generate.py:746-760); Wan2.2 thresh 0.04 (MagCache4Wan2.2/magcache_generate.py:548-562). */
export const MAGCACHE_DEFAULTS = { wan21: { threshold: 0.12, k: 2, retention: 0.2 }, wan22: { threshold: 0.04, k: 2, retention: 0.2 } };
/** SCM masks: steps computed of every 28 (cache_interface.py:640-660). */
export const SCM_COMPUTED_OF_28 = { slow: 18, medium: 15, fast: 11, ultra: 8 } as const;
/** DBCache's library default: 8 front blocks always computed (docs/user_guide/DBCACHE_DESIGN.md, F8B0). */
export const DBCACHE_FRONT_BLOCKS = 8;

/**
 * Parses a cache spec: `magcache[:thresh][,K=n][,R=r][,first]` or MagCache's own `magcache:E024K6R02` naming,
 * `teacache:thresh[,ret]`, `fbcache:thresh,skip=f`, `scm:slow|medium|fast|ultra[,Fn=n]`, or `none`.
 */
export function parseCache(text: string, source = '--cache'): CacheSpec | undefined {
  const t = text.trim().toLowerCase();
  if (t === '' || t === 'none') return undefined;
  const [method, rest = ''] = t.split(/:(.*)/s) as [string, string?];
  const parts = rest.split(',').map((s) => s.trim()).filter(Boolean);
  const bad = (message: string, hint?: string): never => {
    throw new InputError([{ source, path: 'cache', message, hint: hint ?? 'e.g. magcache:0.12,K=2,R=0.2 · magcache:E024K6R02 · teacache:0.2 · teacache:0.2,ret · fbcache:0.05,skip=0.4 · scm:fast' } as InputIssue]);
  };
  const num = (s: string, what: string) => {
    const v = Number(s);
    if (!Number.isFinite(v) || v < 0) bad(`${what} must be a non-negative number, got "${s}"`);
    return v;
  };
  const kv = (p: string) => p.split('=').map((s) => s.trim()) as [string, string | undefined];
  switch (method) {
    case 'magcache': {
      const first = parts.includes('first');
      const rest = parts.filter((p) => p !== 'first');
      const named = /^e(\d{3})k(\d+)r(\d{2})$/.exec(rest[0] ?? '');
      if (named && rest.length === 1) return { method, threshold: Number(named[1]) / 100, k: Number(named[2]), retention: Number(named[3]) / 10, ...(first ? { first } : {}) };
      const spec = { method, threshold: NaN, k: NaN, retention: NaN, ...(first ? { first } : {}) } as { method: 'magcache'; threshold: number; k: number; retention: number; first?: boolean };
      for (const p of rest) {
        const [key, v] = kv(p);
        if (v === undefined) spec.threshold = num(key, 'the threshold');
        else if (key === 'k') spec.k = num(v, 'K');
        else if (key === 'r' || key === 'retention') spec.retention = num(v, 'the retention ratio');
        else bad(`unknown magcache setting "${key}"`);
      }
      return spec;
    }
    case 'teacache': {
      let threshold = NaN;
      let retSteps = false;
      for (const p of parts) {
        if (p === 'ret' || p === 'ret_steps') retSteps = true;
        else threshold = num(p, 'the threshold');
      }
      if (Number.isNaN(threshold)) bad('teacache needs a threshold, e.g. teacache:0.2');
      return { method, threshold, retSteps };
    }
    case 'fbcache': {
      let threshold = 0.05; // diffusers FirstBlockCacheConfig default (hooks/first_block_cache.py:39-48)
      let skip = NaN;
      for (const p of parts) {
        const [key, v] = kv(p);
        if (v === undefined) threshold = num(key, 'the threshold');
        else if (key === 'skip') skip = num(v, 'skip');
        else bad(`unknown fbcache setting "${key}"`);
      }
      if (Number.isNaN(skip) || skip >= 1) bad('fbcache decides from the data and no skip fraction for Wan is published: give the fraction of forwards skipped, e.g. fbcache:0.05,skip=0.4', 'measure it on your prompts (diffusers FirstBlockCache logs the cached steps)');
      return { method, threshold, skip };
    }
    case 'scm': {
      const preset = parts[0] as 'slow' | 'medium' | 'fast' | 'ultra' | undefined;
      if (!preset || !(preset in SCM_COMPUTED_OF_28)) bad(`scm needs a preset: ${Object.keys(SCM_COMPUTED_OF_28).join(', ')}`);
      let frontBlocks = DBCACHE_FRONT_BLOCKS;
      for (const p of parts.slice(1)) {
        const [key, v] = kv(p);
        if (key === 'fn' && v !== undefined) frontBlocks = num(v, 'Fn');
        else bad(`unknown scm setting "${p}"`);
      }
      return { method, preset: preset!, frontBlocks };
    }
    default:
      return bad(`unknown cache method "${method}"`, `${didYouMean(method, ['teacache', 'magcache', 'fbcache', 'scm', 'none']) ?? ''} one of teacache, magcache, fbcache, scm, none`.trim());
  }
}

/** A cache's resolved schedule for one request. */
export interface CacheSchedule {
  spec: CacheSpec;
  /** Forwards of the request (steps × CFG branches) and how many run their blocks. */
  forwards: number;
  computed: number;
  /** Blocks a skipped forward still runs (FBCache 1, DBCache/SCM Fn). */
  frontBlocks: number;
  /** How the schedule was obtained: the method's rule on its tables, a published table, or the user. */
  basis: 'rule' | 'published' | 'user';
  label: string;
  notes: string[];
  /** Why the published schedule may not hold for this request, in short (a sampler shift it was not published at). */
  offSchedule?: string;
}

export function formatCache(c: CacheSpec): string {
  switch (c.method) {
    case 'magcache':
      return `magcache:${c.threshold},K=${c.k},R=${c.retention}${c.first ? ',first' : ''}`;
    case 'teacache':
      return `teacache:${c.threshold}${c.retSteps ? ',ret' : ''}`;
    case 'fbcache':
      return `fbcache:${c.threshold},skip=${c.skip}`;
    case 'scm':
      return `scm:${c.preset},Fn=${c.frontBlocks}`;
  }
}

/** Which MagCache table a request uses (I2V-14B by resolution: separate 480P and 720P checkpoints). */
function magTableKey(model: ModelSpec, height: number, width: number, image: boolean): string | undefined {
  const base = model.id.replace(/-(step)?distill.*$/, '');
  if (base === 'wan2.1-i2v-14b') return Math.min(height, width) <= 480 ? 'wan2.1-i2v-14b-480p' : 'wan2.1-i2v-14b-720p';
  if (base === 'wan2.2-ti2v-5b') return image ? 'wan2.2-ti2v-5b-i2v' : 'wan2.2-ti2v-5b';
  return MAG_RATIOS[base] ? base : undefined;
}

/** The MagCache decision per forward (true = computed), cond and uncond interleaved when `branches` is 2. */
export function magcacheComputed(ratiosIn: readonly number[], calibratedSteps: number, steps: number, branches: 1 | 2, p: { threshold: number; k: number; retention: number; first?: boolean }, split?: { highSteps: number; mode: 't2v' | 'i2v' }): boolean[] {
  let table = [1, 1, ...ratiosIn];
  if (calibratedSteps !== steps) {
    // nearest_interp of the cond and the uncond halves to the new step count
    const interp = (src: number[]) => Array.from({ length: steps }, (_, i) => src[steps === 1 ? src.length - 1 : Math.round((i * (src.length - 1)) / (steps - 1))]!);
    const c = interp(table.filter((_, i) => i % 2 === 0));
    const u = interp(table.filter((_, i) => i % 2 === 1));
    table = c.flatMap((x, i) => [x, u[i]!]);
  }
  const num = steps * 2;
  const ratio = [1, 1];
  const err = [0, 0];
  const run = [0, 0];
  const out: boolean[] = [];
  for (let cnt = 0; cnt < num; cnt++) {
    const br = cnt % 2;
    let use: boolean;
    if (split) {
      const s = split.highSteps * 2;
      use = split.mode === 'i2v'
        ? cnt >= Math.trunc(s + (num - s) * p.retention)
        : !(cnt < Math.trunc(s * p.retention) || (cnt <= (num - s) * p.retention + s && cnt >= s));
    } else use = cnt >= Math.trunc(num * p.retention);
    let skip = false;
    if (use) {
      ratio[br]! *= table[p.first ? cnt - Math.trunc(num * p.retention) : cnt]!; // the first release's offset (module doc)
      run[br]!++;
      err[br]! += Math.abs(1 - ratio[br]!);
      if (err[br]! < p.threshold && run[br]! <= p.k) skip = true;
      else {
        err[br] = 0;
        run[br] = 0;
        ratio[br] = 1;
      }
    }
    out.push(!skip);
  }
  // without CFG only the cond forwards run: the script's counter still steps over both, so take the cond ones
  return branches === 2 ? out : out.filter((_, i) => i % 2 === 0);
}

/** The request's schedule under a cache (throws InputError where the method has no schedule for the model). */
export function cacheSchedule(spec: CacheSpec, model: ModelSpec, req: { steps: number; cfg: boolean; width: number; height: number; image: boolean; frames: number; highSteps?: number }, source = 'cache', shift?: ShiftChoice): CacheSchedule {
  const branches: 1 | 2 = req.cfg ? 2 : 1;
  const forwards = req.steps * branches;
  const notes: string[] = [];
  const fail = (message: string, hint?: string): never => {
    throw new InputError([{ source, path: 'cache', message, hint }]);
  };
  switch (spec.method) {
    case 'magcache': {
      const key = magTableKey(model, req.height, req.width, req.image);
      if (!key) fail(`MagCache publishes no magnitude ratios for ${model.id}`, `tables exist for ${Object.keys(MAG_RATIOS).join(', ')}`);
      const t = MAG_RATIOS[key!]!;
      const wan22 = model.id.startsWith('wan2.2');
      const d = wan22 ? MAGCACHE_DEFAULTS.wan22 : MAGCACHE_DEFAULTS.wan21;
      if (spec.first && (wan22 || model.experts === 2)) fail('the first MagCache release (2025-06-09) covered Wan2.1 only', 'drop ",first"');
      const p = { threshold: Number.isNaN(spec.threshold) ? d.threshold : spec.threshold, k: Number.isNaN(spec.k) ? d.k : spec.k, retention: Number.isNaN(spec.retention) ? d.retention : spec.retention, ...(spec.first ? { first: true } : {}) };
      const resolved: CacheSpec = { method: 'magcache', ...p };
      const split = model.experts === 2 && model.expertSchedule ? { highSteps: req.highSteps ?? highNoiseSteps(model.expertSchedule, req.steps), mode: model.task === 'i2v' ? 'i2v' as const : 't2v' as const } : undefined;
      const dec = magcacheComputed(t.ratios, t.steps, req.steps, branches, p, split);
      if (t.steps !== req.steps) notes.push(`MagCache ratios calibrated at ${t.steps} steps, nearest-interpolated to ${req.steps} as the script does`);
      const off = cacheShiftNote('MagCache', model, req, shift);
      const offSchedule = off?.short;
      if (off) notes.push(off.note);
      const rule = spec.first ? '; the first release\'s indexing, Zehong-Ma/MagCache@8a2fcbf:MagCache4Wan2.1/magcache_generate.py:638' : '';
      return { spec: resolved, forwards, computed: dec.filter(Boolean).length, frontBlocks: 0, basis: 'rule', label: `${formatCache(resolved)} (${t.source}${rule})`, notes, ...(offSchedule ? { offSchedule } : {}) };
    }
    case 'teacache': {
      const f = teacacheComputedFraction(model, req, spec.threshold, spec.retSteps);
      if (typeof f === 'string') return fail(f, 'TeaCache coefficients exist for Wan2.1 only (SGLang marks Wan2.2 "need to be calibrated")');
      notes.push(...f.notes);
      const off = cacheShiftNote('TeaCache', model, req, shift);
      const offSchedule = off?.short;
      if (off) notes.push(off.note);
      const computed = Math.min(forwards, Math.max(branches, Math.round(f.fraction * forwards)));
      return { spec, forwards, computed, frontBlocks: 0, basis: 'published', label: `${formatCache(spec)}: ${(100 * f.fraction).toFixed(0)}% of forwards computed (${f.source})`, notes, ...(offSchedule ? { offSchedule } : {}) };
    }
    case 'fbcache': {
      const computed = Math.max(branches, Math.round((1 - spec.skip) * forwards));
      notes.push('FBCache skip fraction given by the user (no published Wan schedule)');
      return { spec, forwards, computed, frontBlocks: 1, basis: 'user', label: formatCache(spec), notes };
    }
    case 'scm': {
      // the 28-step mask scaled to the step count (cache-dit scales its presets for more steps)
      const stepsComputed = Math.max(1, Math.round((SCM_COMPUTED_OF_28[spec.preset] / 28) * req.steps));
      return { spec, forwards, computed: stepsComputed * branches, frontBlocks: spec.frontBlocks, basis: 'rule', label: `${formatCache(spec)}: ${stepsComputed} of ${req.steps} steps computed`, notes };
    }
  }
}
