/**
 * slo-aware: the awake replica where the request would finish earliest: the work queued there (a running sum
 * per replica) + what is left of its running batches + the request's own service time on that pool, plus 60 s
 * when the replica is not serving yet (loading or waking).
 */
import { acceptsWork, type ClassState, type Replica } from '../state.ts';
import type { Router, RouterContext } from './router.ts';

export function sloAware(ctx: RouterContext): Router {
  /** When a request of `cls` would finish on replica `r`, from now. */
  const predictedFinish = (r: Replica, cls: ClassState) => {
    let work = r.queuedWork;
    for (const server of r.servers) if (server.batch) work += Math.max(0, ctx.partTime(r.pool, server.batch[0]!.cls) - (ctx.now() - server.busySince));
    return work + ctx.partTime(r.pool, cls) + (r.state === 'active' ? 0 : 60);
  };
  return {
    pick(pools, cls) {
      let best: Replica | undefined;
      let bestValue = Infinity;
      for (const p of pools) {
        for (const r of p.replicas) {
          if (!acceptsWork(r)) continue;
          const v = predictedFinish(r, cls);
          if (best === undefined || v < bestValue) {
            best = r;
            bestValue = v;
          }
        }
      }
      return best;
    },
  };
}
