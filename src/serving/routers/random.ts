/** random: an awake replica drawn uniformly. */
import { awakeReplicas, type Router, type RouterContext } from './router.ts';

export function randomRouter(ctx: RouterContext): Router {
  return {
    pick(pools) {
      const candidates = awakeReplicas(pools);
      return candidates.length > 0 ? candidates[Math.floor(ctx.random.uniform() * candidates.length)] : undefined;
    },
  };
}
