/**
 * A routing policy: which awake replica of the pools that can take a request gets it. One file per policy in
 * this folder, registered in index.ts; a new policy is one file (and one test).
 *
 * Two kinds: routers that keep a score per replica (`score`) get it maintained by routing.ts in each pool's
 * segment tree (engine/min-tree.ts), updated at every change of a replica's queue, stages or state, and pick
 * the lowest score in O(log n); the others look at the awake replicas at each pick.
 * Ties go to the first replica in pool and placement order.
 */
import type { RandomStream } from '../../engine/index.ts';
import { acceptsWork, type ClassState, type PoolState, type Replica } from '../state.ts';

export interface Router {
  /** Picks an awake replica for a request of `cls` among the pools' replicas; undefined when none is awake. */
  pick(pools: readonly PoolState[], cls: ClassState): Replica | undefined;
  /** The score the pools keep per awake replica (lower is better), for routers that pick by it. */
  score?(r: Replica): number;
}

/** What a router may read besides the replicas: the clock, its random stream, service times. */
export interface RouterContext {
  now(): number;
  /** The 'routing' random stream (its own, so routing never reshuffles arrivals). */
  random: RandomStream;
  /** Seconds of a request's work on a pool (the stages it runs). */
  partTime(pool: PoolState, cls: ClassState): number;
}

/** Every awake replica of the pools, in pool and placement order. */
export function awakeReplicas(pools: readonly PoolState[]): Replica[] {
  const candidates: Replica[] = [];
  for (const p of pools) for (const r of p.replicas) if (acceptsWork(r)) candidates.push(r);
  return candidates;
}

/** The replica with the lowest score kept in the pools' trees (the first pool wins ties); O(pools). */
export function lowestScore(pools: readonly PoolState[]): Replica | undefined {
  let best: Replica | undefined;
  let bestValue = Infinity;
  for (const p of pools) {
    const i = p.scores.argmin;
    if (i >= 0 && p.scores.min < bestValue) {
      best = p.replicas[i];
      bestValue = p.scores.min;
    }
  }
  return best;
}
