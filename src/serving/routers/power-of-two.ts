/**
 * power-of-two: two awake replicas drawn uniformly (with replacement), the one with fewer outstanding requests
 * wins, the first on a tie (Mitzenmacher, "The Power of Two Choices in Randomized Load Balancing", 2001).
 */
import { outstanding } from '../state.ts';
import { awakeReplicas, type Router, type RouterContext } from './router.ts';

export function powerOfTwo(ctx: RouterContext): Router {
  return {
    pick(pools) {
      const candidates = awakeReplicas(pools);
      if (candidates.length === 0) return undefined;
      const a = candidates[Math.floor(ctx.random.uniform() * candidates.length)]!;
      const b = candidates[Math.floor(ctx.random.uniform() * candidates.length)]!;
      return outstanding(b) < outstanding(a) ? b : a;
    },
  };
}
