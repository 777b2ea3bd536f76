/**
 * What of the stack differs between the runs of a comparison beyond what the deployment line names anyway
 * (model, replicas × GPUs, layout, engine, the accelerations that change the video): every other setting of the
 * scenarios as run that is neither their traffic (compare-traffic.ts) nor their prices (compare-cost.ts), nor
 * their seed (compare-notes.ts). Per pool: its inference knobs (the pool's overrides over the scenario's:
 * attention kernel, fp32 matmuls, host dispatch, power cap, compile, …) and its other settings (node type, batching,
 * warm start, stages); per run: the rest (cooling, fabric, storage, power, scheduling, autoscaling, failures,
 * serving overheads). Read leaf by leaf from the scenarios, so a knob added to the schema is named without a
 * change here. Only settings that differ are named, with each run's value ("unset" where a run leaves one to its
 * default), so "attention fa2" on one line stands against "attention auto" on the other.
 */
import { poolInferenceSpec } from '../engines/inference-spec.ts';

/** Pool fields the deployment line shows itself (compare.ts deploymentLines), and the nested inference section. */
const POOL_SHOWN = new Set(['name', 'model', 'models', 'replicas', 'gpus_per_replica', 'parallel', 'engine', 'inference']);
/** Top-level sections that are not the stack: what the run is called, its seed, its traffic, its prices, the pools. */
const NOT_STACK = new Set(['$schema', 'extends', 'name', 'description', 'seed', 'duration', 'drain', 'workload', 'model', 'models', 'deployment', 'inference', 'cost', 'sweep']);

interface ScenarioLike {
  inference?: Record<string, unknown>;
  deployment?: unknown;
  [k: string]: unknown;
}

/** Leaves of an object by dotted path, each value as printed ("fa2", "400", "[encode,denoise]"). */
function leaves(v: unknown, path: string, out: Map<string, string>, skip: (path: string) => boolean = () => false): Map<string, string> {
  if (skip(path)) return out;
  if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
    for (const [k, x] of Object.entries(v)) leaves(x, path ? `${path}.${k}` : k, out, skip);
  } else if (v !== undefined) {
    out.set(path, Array.isArray(v) && v.every((x) => typeof x !== 'object') ? `[${v.join(',')}]` : typeof v === 'object' ? JSON.stringify(v) : String(v));
  }
  return out;
}

/** Each pool's settings (in deployment order) and the run-wide ones, by path. */
function settingsOf(s: ScenarioLike): { pools: Map<string, string>[]; run: Map<string, string> } {
  const pools = (Array.isArray(s.deployment) ? s.deployment : [s.deployment]) as Record<string, unknown>[];
  return {
    pools: pools.map((p) => {
      const { engine: _engine, ...inference } = poolInferenceSpec(s.inference ?? {}, p as { inference?: Record<string, unknown> });
      const own = Object.fromEntries(Object.entries(p).filter(([k]) => !POOL_SHOWN.has(k)));
      return leaves({ ...inference, ...own }, '', new Map());
    }),
    run: leaves(Object.fromEntries(Object.entries(s).filter(([k]) => !NOT_STACK.has(k))), '', new Map(), (path) => path === 'cluster.nodes'),
  };
}

/** The settings that differ, as "key value" per run: per pool (deployment order) and run-wide; undefined without every scenario. */
export function settingDifferences(scenarios: readonly unknown[]): { pools: string[][]; run: string[] }[] | undefined {
  if (scenarios.length < 2 || scenarios.some((s) => s === undefined)) return undefined;
  const all = scenarios.map((s) => settingsOf(s as ScenarioLike));
  const differing = (maps: (Map<string, string> | undefined)[]) => {
    const present = maps.filter((m): m is Map<string, string> => m !== undefined);
    const keys = [...new Set(present.flatMap((m) => [...m.keys()]))];
    return keys.filter((k) => present.some((m) => (m.get(k) ?? 'unset') !== (present[0]!.get(k) ?? 'unset')));
  };
  // a section a run leaves out altogether is one "cluster.cooling unset", not one per field
  const unsetPart = (m: Map<string, string>, k: string) => {
    const parts = k.split('.');
    for (let n = 1; n < parts.length; n++) {
      const prefix = parts.slice(0, n).join('.');
      if (![...m.keys()].some((x) => x.startsWith(`${prefix}.`))) return prefix;
    }
    return k;
  };
  const said = (m: Map<string, string>, keys: string[]) => [...new Set(keys.map((k) => (m.has(k) ? `${k} ${m.get(k)}` : `${unsetPart(m, k)} unset`)))];
  // pools compare by position: the i-th pool of each run
  const poolCount = Math.max(...all.map((x) => x.pools.length));
  const poolKeys = Array.from({ length: poolCount }, (_, i) => differing(all.map((x) => x.pools[i])));
  const runKeys = differing(all.map((x) => x.run));
  return all.map((x) => ({ pools: x.pools.map((m, i) => said(m, poolKeys[i]!)), run: said(x.run, runKeys) }));
}
