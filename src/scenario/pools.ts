/**
 * A scenario's deployment read one way everywhere (the runtime, the checks, sizing): its pools as a list, the
 * autoscale settings as a list, and each pool's parallel plan with the GPUs one replica needs.
 */
import type { Scenario, Pool, Autoscale } from './schema.ts';
import { parsePlan, planGpus, type ParallelPlan } from '../parallel/plan.ts';

/** `deployment:` is one pool or a list of them. */
export function poolsOf(s: Pick<Scenario, 'deployment'>): Pool[] {
  return Array.isArray(s.deployment) ? s.deployment : [s.deployment];
}

/** The model ids a pool names as written: its `model:` (else the scenario's), or a shared pool's `models:` list. */
export function poolModelIds(p: Pool, scenarioModel: string): string[] {
  return p.models ? p.models.map((m) => (typeof m === 'string' ? m : m.model)) : [p.model ?? scenarioModel];
}

/** `autoscale:` is absent, one setting or a list of them (one per pool). */
export function autoscalesOf(s: Pick<Scenario, 'autoscale'>): Autoscale[] {
  return s.autoscale === undefined ? [] : Array.isArray(s.autoscale) ? s.autoscale : [s.autoscale];
}

/**
 * A pool's plan for one replica (dp = 1), the data-parallel copies its `parallel:` asks for (each one more
 * replica) and the GPUs of one replica. Throws InputError (located at `source`) for a plan that does not parse.
 */
export function poolPlan(p: Pool, source?: string): { plan: ParallelPlan; dp: number; gpus: number } {
  const parsed = parsePlan(p.parallel, source);
  const plan = { ...parsed, dp: 1 };
  return { plan, dp: parsed.dp, gpus: planGpus(plan) };
}
