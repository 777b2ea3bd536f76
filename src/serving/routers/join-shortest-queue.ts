/**
 * join-shortest-queue: the awake replica with the shortest queue; a busy first stage counts half a request,
 * so an idle replica wins over a busy one with the same (empty) queue.
 */
import { lowestScore, type Router } from './router.ts';

export function joinShortestQueue(): Router {
  return { pick: lowestScore, score: (r) => r.queue.size + (r.servers[0]!.batch ? 0.5 : 0) };
}
