/**
 * A scenario's own models (`models:`), resolved for whatever runs it: the runtime and the studies run their
 * work inside `inScenarioModels(s, …)`, so ids resolve to this scenario's definitions and never to another
 * scenario's of the same id (compare, sweeps and every worker see the same models as a run on its own).
 * The loader made every diffusers_config path absolute.
 */
import type { Scenario } from './schema.ts';
import { scenarioModel } from '../workload/custom-models.ts';
import { withModelScope } from '../workload/request.ts';

export function inScenarioModels<T>(s: Pick<Scenario, 'models'>, fn: () => T): T {
  return scenarioModelScope(s)(fn);
}

/** The same scope as a function, the models resolved once: for work done in several synchronous parts (a run in slices). */
export function scenarioModelScope(s: Pick<Scenario, 'models'>): <T>(fn: () => T) => T {
  const specs = (s.models ?? []).map((m) => scenarioModel(m));
  return (fn) => withModelScope(specs, fn);
}
