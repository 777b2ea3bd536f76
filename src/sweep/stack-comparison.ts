/**
 * Serving stacks on the same traffic: for each variant of a scenario's `sweep:` (an engine and its
 * accelerations), the fewest nodes of the scenario's node type whose simulation meets the objectives with
 * nothing dropped, and what that cluster gives (p95, $ per video). Replicas fill whole nodes (node GPUs / the
 * variant's GPUs per replica); the count steps up from one node, so the answer n passed and n − 1 failed.
 * scenarios/engines.yaml runs the official path against production stacks (README "Engines and accelerations").
 */
import { dirname, resolve } from 'node:path';
import { loadScenario } from '../scenario/load.ts';
import { expandSweep } from './spec.ts';
import { simulate } from '../serving/simulate.ts';
import { meetsObjectives, parseSlo } from '../studies/capacity.ts';
import { parsePlan, planGpus } from '../parallel/plan.ts';
import { getNode } from '../hardware/catalog.ts';
import { poolsOf } from '../scenario/pools.ts';

export interface StackRow {
  variant: string;
  engine: string;
  parallel: string;
  /** The knobs applied (engine accelerations beyond its defaults, from the estimate). */
  accelerations: string[];
  /** One request on an idle replica, seconds. */
  service_s: number;
  /** Fewest nodes meeting the objectives (null: not within maxNodes). */
  nodes: number | null;
  gpus: number | null;
  p95_s: number | null;
  usd_per_video: number | null;
  /** Pools' accelerations change the video; the lowest published PSNR vs the full model (null: none published). */
  approximate: boolean;
  quality_psnr_db: number | null;
}

export function compareStacks(file: string, slo: string, maxNodes = 16): StackRow[] {
  const terms = parseSlo(slo);
  const base = loadScenario(file);
  const plan = expandSweep(base);
  const nodeType = base.scenario.cluster.nodes[0]!.type;
  const perNode = getNode(nodeType).gpusPerNode;
  const rows: StackRow[] = [];
  for (const point of plan.points) {
    const first = loadScenario(file, { set: point.set });
    const pool = poolsOf(first.scenario)[0]!;
    const perReplica = planGpus({ ...parsePlan(pool.parallel), dp: 1 });
    const replicasPerNode = Math.max(1, Math.floor(perNode / perReplica));
    let found: StackRow | undefined;
    let last: StackRow | undefined;
    for (let n = 1; n <= maxNodes && !found; n++) {
      const loaded = loadScenario(file, { set: [...point.set, `cluster.nodes.0.count=${n}`, `deployment.replicas=${n * replicasPerNode}`, 'drain=true'] });
      const r = simulate(loaded.scenario, { baseDir: dirname(resolve(file)), locate: loaded.locate });
      const p = r.pools[0]!;
      const st = r.service_times[0]!;
      const e = r.estimates?.[0]?.estimate;
      last = {
        variant: point.label, engine: p.engine, parallel: p.parallel, accelerations: (e?.accelerations ?? []).map((a) => `${a.knob}=${a.value}`),
        service_s: st.total_s, nodes: n, gpus: n * replicasPerNode * perReplica, p95_s: r.latency_s.p95, usd_per_video: r.cost?.usd_per_video ?? null,
        approximate: p.approximate, quality_psnr_db: p.quality_psnr_db,
      };
      if (meetsObjectives(r, terms).pass) found = last;
    }
    rows.push(found ?? { ...last!, nodes: null, gpus: null, p95_s: null, usd_per_video: null });
  }
  return rows;
}
