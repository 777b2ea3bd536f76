/**
 * A pool that batches (deployment.batching.max_batch > 1) runs up to that many requests of a class in one pass:
 * the batch must fit the GPU memory as a batch, and the pool's throughput bound is a full batch's time shared
 * by its requests (a compute-bound DiT batches at about 1×, not max_batch×). Checked when the cluster is built.
 */
import { partTime, serviceOf } from './service-times.ts';
import type { ClassState, PoolState } from './state.ts';

/** What a full batch of a class takes on a pool: its size, its time as the replica is held, its memory peak. */
export interface FullBatch {
  max: number;
  total_s: number;
  peak_memory_gb: number;
}

/**
 * The full batch of `cls` on `pool`, or undefined where the pool does not batch; an issue at `path`'s
 * batching.max_batch where the batch does not fit, naming the largest that does.
 */
export function fullBatch(pool: PoolState, cls: ClassState, path: (string | number)[]): { batch?: FullBatch; problem?: { at: (string | number)[]; message: string; hint: string } } {
  const max = pool.spec.batching?.max_batch ?? 1;
  if (max <= 1) return {};
  const times = serviceOf(pool, cls, max);
  if (!times.fits) {
    // memory grows with the batch: the largest that fits by bisection (a linear walk down from 1,024 priced a thousand batches)
    let fits = 0;
    let lo = 1;
    let hi = max - 1;
    while (lo <= hi) {
      const mid = Math.floor((lo + hi) / 2);
      if (serviceOf(pool, cls, mid).fits) {
        fits = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    const at = [...path, 'batching', 'max_batch'];
    return {
      problem: {
        at,
        message: `class "${cls.name}" does not fit on ${pool.gpu} in a batch of ${max}: ${times.estimate.memory.verdict}`,
        hint: fits > 0 ? `at most ${fits} of this class fit in one batch: max_batch ${fits}, or a separate pool for the larger shapes` : 'the class does not fit unbatched either',
      },
    };
  }
  return { batch: { max, total_s: partTime(pool, cls, max), peak_memory_gb: times.peak_memory_gb } };
}
