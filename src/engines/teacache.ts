/**
 * TeaCache for Wan2.1: the fraction of DiT forwards it computes at a threshold. TeaCache's indicator (the
 * rescaled relative L1 change of the timestep embedding, ali-vilab/TeaCache@7c10efc:TeaCache4Wan2.1/
 * teacache_generate.py:494-568) needs the time-embedding weights, so the schedule is not computed here. The
 * TeaCache README publishes end-to-end times at several thresholds (A800, official code with offload and
 * t5_cpu); calibration/teacache.ts removes from each the time vgsim prices outside the DiT blocks and writes
 * the fraction of block time left (teacache-table.ts). Those README rows are therefore not in the engine
 * validation set. Between thresholds the fraction is interpolated linearly (threshold 0 computes everything).
 */
import type { ModelSpec } from '../workload/models.ts';
import { TEACACHE_TABLE } from './teacache-table.ts';
import type { TeacacheCurve } from './teacache-curve.ts';

/** Which published curve a request uses (Wan2.1 only; I2V by resolution: separate 480P and 720P checkpoints). */
export function teacacheKey(model: ModelSpec, req: { width: number; height: number }): TeacacheCurve['model'] | undefined {
  const base = model.id.replace(/-(step)?distill.*$/, '');
  if (base === 'wan2.1-t2v-1.3b') return 't2v-1.3b';
  if (base === 'wan2.1-t2v-14b') return 't2v-14b';
  if (base === 'wan2.1-i2v-14b') return Math.min(req.width, req.height) <= 480 ? 'i2v-480p' : 'i2v-720p';
  return undefined;
}

export function teacacheComputedFraction(model: ModelSpec, req: { width: number; height: number; steps: number; frames: number }, threshold: number, retSteps: boolean): { fraction: number; source: string; notes: string[] } | string {
  const key = teacacheKey(model, req);
  if (!key) return `TeaCache publishes no schedule for ${model.id}`;
  const curve = TEACACHE_TABLE.find((c) => c.model === key && c.retSteps === retSteps);
  if (!curve) return `TeaCache publishes no ${retSteps ? 'use_ret_steps' : 'default'} timings for ${key}`;
  const pts = ([[0, 1], ...curve.points.map((p) => [p.threshold, p.fraction])] as [number, number][]).sort((a, b) => a[0] - b[0]);
  const max = pts[pts.length - 1]![0];
  if (threshold > max + 1e-9) return `TeaCache thresholds above ${max} have no published timing for ${key}${retSteps ? ' with use_ret_steps' : ''} (published: ${curve.points.map((p) => p.threshold).join(', ')})`;
  let fraction = 1;
  for (let i = 1; i < pts.length; i++) {
    const [x0, y0] = pts[i - 1]!;
    const [x1, y1] = pts[i]!;
    if (threshold <= x1) {
      fraction = x1 === x0 ? y1 : y0 + ((threshold - x0) / (x1 - x0)) * (y1 - y0);
      break;
    }
  }
  const notes = [`TeaCache: fraction of forwards computed from the TeaCache README's published A800 timings (${curve.steps} steps, ${curve.size}, ${curve.frames} frames), not from its rule (its indicator, the change of the timestep embedding between steps, needs the model's time-embedding weights; it does not depend on the prompt or the image, so the same steps, shift and threshold skip the same forwards)`];
  if (req.steps !== curve.steps) notes.push(`TeaCache schedule published at ${curve.steps} steps; applied as the same fraction at ${req.steps}`);
  return { fraction, source: curve.source, notes };
}
