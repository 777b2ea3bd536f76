/** least-outstanding: the awake replica with the fewest requests queued or in service. */
import { outstanding } from '../state.ts';
import { lowestScore, type Router } from './router.ts';

export function leastOutstanding(): Router {
  return { pick: lowestScore, score: outstanding };
}
