/**
 * The prices and financial assumptions of a command that runs no scenario (`vgsim tco`): a scenario file's
 * `cost:` section, or the defaults, with `--set cost.…=value` overrides, validated by the same schema as a
 * scenario's so that every bad value is an input error with the flag or file:line and the field path.
 */
import { z } from 'zod';
import { InputError } from '../errors.ts';
import { CostSchema, type CostSpec } from './schema.ts';
import { loadScenario, parseOverride, setIn, zodIssues, type Override } from './load.ts';
import { poolsOf } from './pools.ts';

export interface CostInputOptions {
  /** A scenario whose cost: section is read (extends and all). */
  scenario?: string;
  /** `cost.<field>=value` overrides (value parsed as YAML). */
  set?: readonly string[];
}

/** Only cost.* overrides make sense where no scenario runs; anything else is an input error naming the flag. */
function costOverrides(set: readonly string[]): Override[] {
  const overrides = set.map(parseOverride);
  const others = overrides.filter((o) => o.path[0] !== 'cost' || o.path.length < 2);
  if (others.length > 0) {
    throw new InputError(others.map((o) => ({
      source: `--set ${o.raw}`, path: o.path.join('.'),
      message: 'this command reads only prices and financial assumptions: the path must start with cost.',
      hint: 'e.g. --set cost.server_price_usd.dgx-b200-8=450000 or --set cost.electricity_usd_per_kwh=0.12',
    })));
  }
  return overrides;
}

/** The cost section: the scenario's (if given) or the defaults, with the overrides applied and validated. */
export function loadCostInput(opts: CostInputOptions = {}): CostSpec {
  const set = opts.set ?? [];
  const overrides = costOverrides(set);
  if (opts.scenario !== undefined) return loadScenario(opts.scenario, { set: [...set] }).scenario.cost;
  const value: Record<string, unknown> = {};
  for (const o of overrides) setIn(value, o);
  const parsed = z.strictObject({ cost: CostSchema.default(CostSchema.parse({})) }).safeParse(value);
  if (parsed.success) return parsed.data.cost;
  const locate = (path: readonly (string | number)[]) => {
    for (let i = overrides.length - 1; i >= 0; i--) {
      const o = overrides[i]!;
      if (o.path.every((k, j) => j >= path.length || String(k) === String(path[j]))) return { source: `--set ${o.raw}` };
    }
    return { source: '--set' };
  };
  throw new InputError(zodIssues(parsed.error.issues, locate));
}

/**
 * What `vgsim tco` reads: the cost section as loadCostInput gives it, and with a scenario, the attention kernel of
 * its first pool (inference.attention, a pool's override first): the fleets are estimated with it.
 */
export function loadTcoInput(opts: CostInputOptions = {}): { cost: CostSpec; attention?: string } {
  if (opts.scenario === undefined) return { cost: loadCostInput(opts) };
  costOverrides(opts.set ?? []);
  const s = loadScenario(opts.scenario, { set: [...(opts.set ?? [])] }).scenario;
  return { cost: s.cost, attention: poolsOf(s)[0]?.inference?.attention ?? s.inference.attention };
}

/** A cost: section given as a value (library and API callers), validated like a scenario's. */
export function parseCostSection(value: unknown, source = 'cost'): CostSpec {
  const parsed = z.strictObject({ cost: CostSchema }).safeParse({ cost: value ?? {} });
  if (parsed.success) return parsed.data.cost;
  throw new InputError(zodIssues(parsed.error.issues, () => ({ source })));
}
