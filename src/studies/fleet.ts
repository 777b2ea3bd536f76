/**
 * Fleets for a budget or a power envelope (`vgsim tco`): how many nodes of each type a capex budget or a facility
 * power envelope buys, and what that fleet produces — per-GPU throughput and energy per video from the cost
 * model's best layout of each node type (every GPU busy around the clock: an upper bound on what a real fleet
 * serves), priced by isoCost/isoPower (src/economics). A node type without a price is skipped for the budget
 * (with the reason) but still counted for the power envelope (without costs).
 */
import { isoCost, isoPower, MissingPriceError, type IsoResult, type SystemPrice } from '../economics/index.ts';
import { assumptionsOf, priceInputsOf } from '../economics/cost-inputs.ts';
import { CostSchema, type CostSpec } from '../scenario/schema.ts';
import type { InferenceOptions } from '../perf/estimate.ts';
import { resolveRequest, type RequestShape } from '../workload/request.ts';
import type { ModelSpec } from '../workload/models.ts';
import { canonicalId, getNode, listNodes } from '../hardware/catalog.ts';
import type { NodeSpec } from '../hardware/types.ts';
import { searchPlans, type PlanRow } from './plan-search.ts';
import { errorText, type Skipped } from './size-layouts.ts';

export interface IsoCompareOptions {
  model: ModelSpec;
  request?: Partial<RequestShape>;
  /** Node type ids (default: every catalog node type with 8 or more GPUs). */
  nodes?: readonly string[];
  budgetUsd?: number;
  megawatts?: number;
  inference?: Partial<InferenceOptions>;
  /** Prices and assumptions, as a scenario's cost: section (default: the catalog's). */
  cost?: CostSpec;
  /** Facility / IT power for the envelope and the reported facility power (default 1.2). */
  pue?: number;
  allLayouts?: boolean;
}

export interface IsoRow {
  basis: 'budget' | 'power';
  node: string;
  gpu: string;
  /** Best layout by throughput per GPU, null when the model does not run on this GPU. */
  parallel: string | null;
  nodes: number;
  gpus: number;
  throughput_per_gpu_h: number | null;
  latency_s: number | null;
  fleet_videos_per_h: number | null;
  fleet_capex_usd: number | null;
  /** One node as a whole system (server + fabric share), null without a price. */
  node_price_usd: number | null;
  /** How the node was priced: a whole-server quote or GPUs + host platform (never GPUs alone). */
  price_basis: SystemPrice['basis'] | null;
  /** Every component of the node price with its source and date. */
  price: SystemPrice | null;
  it_power_kw: number;
  facility_power_kw: number;
  usd_per_month: number | null;
  usd_per_video: number | null;
  /** IT energy per video from the cost model, kWh. */
  kwh_per_video: number | null;
  note: string;
  notes: string[];
  warnings: string[];
}

export interface IsoCompareResult {
  model: string;
  request: { width: number; height: number; frames: number; steps: number };
  budget_usd: number | null;
  megawatts: number | null;
  rows: IsoRow[];
  skipped: Skipped[];
}

/** Best layout of a node type by throughput per GPU (estimate of one replica busy back to back). */
function bestLayout(model: ModelSpec, node: NodeSpec, request: Partial<RequestShape> | undefined, inference: Partial<InferenceOptions> | undefined, all: boolean): { row?: PlanRow; reason?: string } {
  try {
    const rows = searchPlans({ model, node: node.id, gpu: node.gpu, budget: node.gpusPerNode, request, options: { ...inference, offload: false }, objective: 'throughput', include: all ? undefined : { ring: false, pipefusion: false } });
    const best = rows.find((r) => r.feasible);
    if (best) return { row: best };
    return { reason: `cannot run ${model.id}: ${rows.find((r) => r.parallel === 'offload')?.reason ?? rows[0]?.reason ?? 'no valid layout'}` };
  } catch (e) {
    return { reason: errorText(e) };
  }
}

/**
 * How many nodes of each type a budget or a power envelope buys, and what that fleet produces: per-GPU
 * throughput and energy per video from the cost model's best layout (every GPU busy around the clock: an upper
 * bound on what a real fleet serves), priced by isoCost/isoPower (src/economics). A node type without a price is
 * skipped for the budget (with the reason) but still counted for the power envelope (without costs).
 */
export function isoCompare(o: IsoCompareOptions): IsoCompareResult {
  if (o.budgetUsd === undefined && o.megawatts === undefined) throw new Error('give a budget (USD) or a power envelope (MW)');
  const req = resolveRequest(o.model, o.request);
  const nodeIds = o.nodes ? [...new Set(o.nodes.map((n) => canonicalId('node', n)))] : listNodes().filter((n) => n.gpusPerNode >= 8).map((n) => n.id);
  const rows: IsoRow[] = [];
  const skipped: Skipped[] = [];
  const cost = o.cost ?? CostSchema.parse({});
  const settings = { assumptions: assumptionsOf(cost), pue: o.pue };
  for (const id of nodeIds) {
    const node = getNode(id);
    const best = bestLayout(o.model, node, o.request, o.inference, o.allLayouts ?? false);
    const e = best.row?.estimate;
    const option = {
      node: node.id,
      ...priceInputsOf(cost, node),
      videosPerHourPerGpu: best.row?.throughput_per_gpu_h,
      itKwhPerVideo: e ? e.energy_wh / e.power.pue / 1000 : undefined,
    };
    const toRow = (basis: IsoRow['basis'], r: IsoResult): IsoRow => {
      const noteParts: string[] = [];
      if (!best.row) noteParts.push(`cannot run the model${/OOM/.test(best.reason ?? '') ? ' (out of memory)' : ''}: counts only (see skipped)`);
      if (r.perNode.price === null) noteParts.push('no price: counts only');
      if (r.perNode.power.basis === 'estimated-peak') noteParts.push('power estimated (no nameplate)');
      return {
        basis, node: node.id, gpu: node.gpu, parallel: best.row?.parallel ?? null, nodes: r.nodes, gpus: r.gpus,
        throughput_per_gpu_h: best.row?.throughput_per_gpu_h ?? null, latency_s: best.row?.latency_s ?? null,
        fleet_videos_per_h: r.fleet.videosPerHour, fleet_capex_usd: r.fleet.capexUsd, node_price_usd: r.perNode.capexUsd, price_basis: r.perNode.price?.basis ?? null, price: r.perNode.price, it_power_kw: r.fleet.itPowerKw, facility_power_kw: r.fleet.facilityPowerKw,
        usd_per_month: r.fleet.monthlyCostUsd, usd_per_video: r.fleet.usdPerVideo, kwh_per_video: option.itKwhPerVideo ?? null,
        note: noteParts.join('; '), notes: r.notes, warnings: r.warnings,
      };
    };
    if (!best.row) skipped.push({ node: node.id, reason: `${best.reason ?? 'no layout'} (counted without throughput)` });
    if (o.budgetUsd !== undefined) {
      try {
        rows.push(toRow('budget', isoCost(o.budgetUsd, [option], settings)[0]!));
      } catch (err) {
        if (!(err instanceof MissingPriceError)) throw err;
        skipped.push({ node: node.id, reason: `iso-cost: ${err.message}` });
      }
    }
    if (o.megawatts !== undefined) rows.push(toRow('power', isoPower(o.megawatts, [option], settings)[0]!));
  }
  const sortKey = (r: IsoRow) => -(r.fleet_videos_per_h ?? -1);
  rows.sort((a, b) => (a.basis === b.basis ? sortKey(a) - sortKey(b) || a.node.localeCompare(b.node) : a.basis === 'budget' ? -1 : 1));
  return {
    model: o.model.id, request: { width: req.width, height: req.height, frames: req.frames, steps: req.steps },
    budget_usd: o.budgetUsd ?? null, megawatts: o.megawatts ?? null, rows, skipped,
  };
}
