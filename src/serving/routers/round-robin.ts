/** round-robin: the awake replicas in turn (one pointer over the list of awake replicas at each pick). */
import { awakeReplicas, type Router } from './router.ts';

export function roundRobin(): Router {
  let pointer = 0;
  return {
    pick(pools) {
      const candidates = awakeReplicas(pools);
      return candidates.length > 0 ? candidates[pointer++ % candidates.length] : undefined;
    },
  };
}
