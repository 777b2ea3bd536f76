/** The routing policies by name (scheduling.routing); each lives in its own file of this folder. */
import type { Router, RouterContext } from './router.ts';
import { roundRobin } from './round-robin.ts';
import { randomRouter } from './random.ts';
import { powerOfTwo } from './power-of-two.ts';
import { leastOutstanding } from './least-outstanding.ts';
import { joinShortestQueue } from './join-shortest-queue.ts';
import { sloAware } from './slo-aware.ts';

export type { Router, RouterContext } from './router.ts';

export const ROUTERS = {
  'round-robin': roundRobin,
  'least-outstanding': leastOutstanding,
  'join-shortest-queue': joinShortestQueue,
  'power-of-two': powerOfTwo,
  random: randomRouter,
  'slo-aware': sloAware,
} satisfies Record<string, (ctx: RouterContext) => Router>;

export type RoutingPolicy = keyof typeof ROUTERS;

export function makeRouter(policy: RoutingPolicy, ctx: RouterContext): Router {
  return ROUTERS[policy](ctx);
}
