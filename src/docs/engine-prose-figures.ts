/**
 * The engine-validation figures the README's "Engines and accelerations" prose states (held-out rows of
 * calibration/published/engines-e2e.json through the model, as `npm run validate:engines` prints them).
 * Each names the rows it summarises; a row that leaves the file is an error, not a silently smaller set.
 */
import { compareEngineRow, estimateRow, loadEngineValidation, type EngineComparison } from '../perf/engine-validation.ts';
import { packagePath } from '../package-files.ts';
import { countWord, errorRange, within } from './prose-figures.ts';

/** Each row's comparison, and for the TeaCache rows whether they ran at the shift their schedule was published at: one estimate per row. */
let cache: { byId: Map<string, EngineComparison>; teacache: { error: number; onSchedule: boolean }[] } | undefined;

function rows() {
  if (!cache) {
    const file = loadEngineValidation(packagePath('calibration/published/engines-e2e.json'));
    const byId = new Map<string, EngineComparison>();
    const teacache: { error: number; onSchedule: boolean }[] = [];
    for (const r of file.rows) {
      const e = estimateRow(r);
      const c = compareEngineRow(r, e);
      byId.set(r.id, c);
      if (r.options.cache?.startsWith('teacache')) teacache.push({ error: c.error, onSchedule: e.step_cache?.off_schedule === undefined });
    }
    cache = { byId, teacache };
  }
  return cache;
}

/** The errors of the named rows. */
function errors(...ids: string[]): number[] {
  return ids.map((id) => {
    const r = rows().byId.get(id);
    if (!r) throw new Error(`engines-e2e.json has no row '${id}' (a README figure names it: src/docs/engine-prose-figures.ts)`);
    return r.error;
  });
}

/** The published TeaCache runs, split by whether they ran at the sampler shift their schedule was published at. */
const teacache = (onSchedule: boolean): number[] => rows().teacache.filter((r) => r.onSchedule === onSchedule).map((r) => r.error);

export const ENGINE_PROSE_FIGURES: Record<string, () => string> = {
  'teacache.n': () => countWord(teacache(true).length + teacache(false).length),
  'teacache.on.n': () => countWord(teacache(true).length),
  'teacache.on.within': () => within(teacache(true)),
  'teacache.off.n': () => countWord(teacache(false).length),
  'teacache.off.range': () => errorRange(teacache(false)),
  'lx.4090': () => errorRange(errors('lx-4090-480-5', 'lx-4090-480-5d', 'lx-4090-720-5', 'lx-4090-720-5d')),
  'fw.eager-streamed': () => within(errors('fw-14b-dmd', 'fw-14b-dmd-fa3', 'fw-5b-dmd', 'fw-5b-dmd-fa3')),
  'fw.14b-compiled': () => errorRange(errors('fw-14b-dmd-fa3-c')),
  'fw.5b-compiled': () => errorRange(errors('fw-5b-dmd-fa3-c')),
  'fw.14b-vsa': () => errorRange(errors('fw-14b-vsa')),
  'sgl.13b-1gpu': () => within(errors('sgl-ci-13b', 'sgl26-13b')),
  'sgl.13b-teacache': () => errorRange(errors('sgl-ci-13b-tea', 'sgl26-13b-tea')),
  'sgl.cfgp-old': () => errorRange(errors('sgl-ci-13b-cfgp')),
  'sgl.cfgp-new': () => within(errors('sgl26-13b-cfgp')),
  'sgl.14b-u2': () => errorRange(errors('sgl26-14b-u2')),
  'sgl.a14b-u2': () => errorRange(errors('sgl26-a14b-u2')),
  'lx.sage-40step': () => errorRange(errors('lx-h200-480-2', 'lx-h200-480-3', 'lx-h200-720-2', 'lx-h200-720-3')),
  'fv.sage-40step': () => errorRange(errors('lx-h200-480-fv', 'lx-h200-720-fv')),
  'lx.4step': () => errorRange(errors('lx-h200-480-3d', 'lx-h200-720-3d')),
};
